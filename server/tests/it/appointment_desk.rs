//! The dashboard's appointments: a business set up from forms, published, booked by a customer;
//! its week's agenda with cancel and no-show; every field at fault said next to it; another
//! organization kept out.

use crate::appointments::{at, book, booking, next_monday};
use crate::common::{Backend, TestApp};
use crate::html::Page;
use serde_json::Value;

#[tokio::test]
async fn a_business_set_up_from_the_dashboard_takes_bookings_shown_in_its_week() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (cookie, csrf) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    let page = Page::parse(&app.page("/dashboard/appointments", Some(&cookie)).await);
    assert!(page.has_button("Add business"));

    // An unknown zone is said next to its field, and what was typed stays.
    let r = app
        .post_form(
            "/dashboard/appointments",
            &cookie,
            &[("csrf", &csrf), ("displayName", "Fabrikam Tax"), ("timeZone", "Mars/Olympus")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let page = Page::parse(&r.text().await.unwrap());
    let zone = page.field("Time zone").unwrap();
    assert!(zone.invalid);
    assert!(
        zone.description.is_some_and(|e| e.contains("is not a time zone")),
        "the zone's error is said next to it"
    );
    assert_eq!(page.field("Name").unwrap().value, "Fabrikam Tax");

    let r = app
        .post_form(
            "/dashboard/appointments",
            &cookie,
            &[("csrf", &csrf), ("displayName", "Fabrikam Tax"), ("timeZone", "America/New_York")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let base = r.headers()["location"].to_str().unwrap().to_string();
    let slug = base.rsplit('/').next().unwrap().to_string();
    assert_eq!(slug, "fabrikam-tax");
    // Publishing with nothing to book is refused, with the reason.
    let r = app.post_form(&format!("{base}/publish"), &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), 409);

    let r = app
        .post_form(
            &format!("{base}/staff"),
            &cookie,
            &[("csrf", &csrf), ("staffName", "Kim"), ("emailAddress", "not an address")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let page = Page::parse(&r.text().await.unwrap());
    let email = page.field("Email").unwrap();
    assert!(email.invalid && email.description.is_some(), "{email:?}");
    assert_eq!(
        page.field("Name").map(|f| f.value).as_deref(),
        Some(""),
        "the service form's name is not the staff member's"
    );
    let r = app
        .post_form(
            &format!("{base}/staff"),
            &cookie,
            &[("csrf", &csrf), ("staffName", "Kim"), ("emailAddress", "kim@example.com")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let kim = server::appointments::setup::staff(&app.state.db, &app.owner, &slug).await.unwrap()[0]
        .id
        .clone();
    let r = app
        .post_form(
            &format!("{base}/services"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("displayName", "Tax check"),
                ("defaultDuration", "half an hour"),
                ("staff", &kim),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = app
        .post_form(
            &format!("{base}/services"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("displayName", "Tax check"),
                ("defaultDuration", "45"),
                ("staff", &kim),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = app.post_form(&format!("{base}/publish"), &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), 303);
    // Opening hours from the editor: a day that ends before it starts is refused.
    let hours = format!("{base}/hours");
    let r = app
        .post_form(
            &hours,
            &cookie,
            &[
                ("csrf", &csrf),
                ("open.monday", "1"),
                ("from.monday", "12:00"),
                ("until.monday", "10:00"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = app
        .post_form(
            &hours,
            &cookie,
            &[
                ("csrf", &csrf),
                ("open.monday", "1"),
                ("from.monday", "09:00"),
                ("until.monday", "13:00"),
                ("open.wednesday", "1"),
                ("from.wednesday", "14:00"),
                ("until.wednesday", "18:00"),
                ("from.friday", "09:00"),
                ("until.friday", "17:00"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let business = server::appointments::setup::business(&app.state.db, &app.owner, &slug)
        .await
        .unwrap();
    let days: Vec<(String, String, String)> = business
        .business_hours
        .iter()
        .map(|h| {
            (
                format!("{:?}", h.day),
                h.time_slots[0].start_time.clone(),
                h.time_slots[0].end_time.clone(),
            )
        })
        .collect();
    assert_eq!(
        days,
        [
            ("Monday".to_string(), "09:00:00.0000000".to_string(), "13:00:00.0000000".to_string()),
            (
                "Wednesday".to_string(),
                "14:00:00.0000000".to_string(),
                "18:00:00.0000000".to_string()
            ),
        ],
        "Friday was not ticked open"
    );
    // The list of businesses counts its services and staff.
    let list = Page::parse(&app.page("/dashboard/appointments", Some(&cookie)).await).text();
    assert!(list.contains("Fabrikam Tax published /book/fabrikam-tax 1 1"), "{list}");
    let service = server::appointments::setup::services(&app.state.db, &app.owner, &slug)
        .await
        .unwrap()[0]
        .clone();
    assert_eq!(service.duration, 45 * 60);

    // A customer books Monday 10:00; the week shows it with its actions.
    let monday = next_monday(&app);
    let r = book(&app, &slug, booking(&service.id, None, &at(monday, 10, 0), 3)).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let week = app.page(&format!("{base}?week={monday}"), Some(&cookie)).await;
    let page = Page::parse(&week);
    assert!(week.contains("Customer 3"));
    assert!(week.contains("10:00–10:45"));
    assert!(page.has_button("Cancel"));
    assert!(!page.has_button("No-show"), "it has not started");
    let id: String = sqlx::query_scalar("SELECT id FROM appointments WHERE customer_email = 'customer3@example.com'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let action = |what: &str| format!("{base}/appointments/{id}/{what}");
    assert_eq!(app.post_form(&action("no-show"), &cookie, &[("csrf", &csrf)]).await.status(), 409);
    // Another week does not show it; Kim's agenda does.
    let later = app
        .page(
            &format!("{base}?week={}", monday.checked_add(jiff::Span::new().days(7)).unwrap()),
            Some(&cookie),
        )
        .await;
    assert!(!later.contains("Customer 3"));
    assert!(app
        .page(&format!("{base}?week={monday}&staff={kim}"), Some(&cookie))
        .await
        .contains("Customer 3"));

    // Once it has started without the customer: a no-show, no longer cancelable.
    app.clock.advance_secs(
        (monday
            .at(10, 5, 0, 0)
            .to_zoned(jiff::tz::TimeZone::get("America/New_York").unwrap())
            .unwrap()
            .timestamp()
            .as_second())
            - app.state.db.now(),
    );
    // (A week later the session has run out: sign in again.)
    let (cookie, csrf) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    let page = Page::parse(&app.page(&format!("{base}?week={monday}"), Some(&cookie)).await);
    assert!(page.has_button("No-show"));
    assert_eq!(app.post_form(&action("no-show"), &cookie, &[("csrf", &csrf)]).await.status(), 303);
    let status: String = sqlx::query_scalar("SELECT status FROM appointments WHERE id = $1")
        .bind(&id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(status, "noShow");
    assert_eq!(app.post_form(&action("cancel"), &cookie, &[("csrf", &csrf)]).await.status(), 409);
}

both_backends!(
    organizers_cancel_upcoming_appointments_and_the_customer_is_told,
    |backend| async move {
        let app = TestApp::spawn(backend).await;
        let shop = crate::appointments::shop(&app).await;
        let r = book(
            &app,
            &shop.slug,
            booking(&shop.one_to_one, Some(&shop.ada), &at(next_monday(&app), 11, 0), 4),
        )
        .await;
        let made: Value = r.json().await.unwrap();
        let id = made["id"].as_str().unwrap();
        let token = made["manageToken"].as_str().unwrap();
        let (cookie, csrf) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
        let path = format!("/dashboard/appointments/{}/appointments/{id}/cancel", shop.slug);
        // Another organization's organizer finds nothing to cancel.
        let (_, password) = server::accounts::auth::create_organizer(&app.state.db, "rival@example.com", "Rival", None)
            .await
            .unwrap();
        let (rival, rival_csrf) = app.sign_in_as("rival@example.com", &password).await;
        assert_eq!(app.post_form(&path, &rival, &[("csrf", &rival_csrf)]).await.status(), 404);
        let theirs = app.page(&format!("/dashboard/appointments/{}", shop.slug), Some(&rival)).await;
        assert!(!theirs.contains("Customer 4"));
        let r = app.post_form(&path, &cookie, &[("csrf", &csrf)]).await;
        assert_eq!(r.status(), 303);
        let read: Value = app
            .client
            .get(app.url(&format!("/api/v1/appointments/{token}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(read["status"], "canceled");
        let emails = app.flush_outbox().await;
        assert!(emails
            .iter()
            .any(|e| e.contains("Subject: Canceled") && e.lines().any(|l| l.starts_with("To:") && l.contains("customer4@example.com"))));
        // Canceling again is refused: it is not upcoming and booked any more.
        assert_eq!(app.post_form(&path, &cookie, &[("csrf", &csrf)]).await.status(), 409);

        // The customer list counts them: another booking by the same address.
        let r = book(
            &app,
            &shop.slug,
            booking(&shop.one_to_one, Some(&shop.bo), &at(next_monday(&app), 15, 0), 4),
        )
        .await;
        assert_eq!(r.status(), 201);
        let customers = format!("/dashboard/appointments/{}/customers", shop.slug);
        let page = Page::parse(&app.page(&customers, Some(&cookie)).await);
        let text = page.text();
        assert!(
            text.contains("Customer 4 customer4@example.com 1 1"),
            "one booked, one canceled: {text}"
        );
        assert!(!app.page(&customers, Some(&rival)).await.contains("customer4@example.com"));
    }
);
