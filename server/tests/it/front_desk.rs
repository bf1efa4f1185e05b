//! The dashboard's front desk for appointments: moving an appointment under the booking rules,
//! a staff member's working hours and time off, and the agenda's server function that brings an
//! open page up to date.

use crate::appointments::{at, book, booking, next_monday, shop};
use crate::common::{Backend, TestApp};
use crate::html::Page;
use serde_json::{json, Value};

async fn slot_labels(app: &TestApp, slug: &str, service: &str, staff: &str, day: jiff::civil::Date) -> Vec<String> {
    let r = app
        .client
        .post(app.url("/rpc/free_times"))
        .json(&json!({"query": {"slug": slug, "serviceId": service, "staffId": staff, "date": day.to_string(), "timeZone": "America/New_York"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let day: Value = r.json().await.unwrap();
    day["times"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].as_str().unwrap().to_string())
        .collect()
}

both_backends!(organizers_move_appointments_under_the_booking_rules, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let shop = shop(&app).await;
    let monday = next_monday(&app);
    let first = book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &at(monday, 11, 0), 5)).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let (id, token) = (first["id"].as_str().unwrap(), first["manageToken"].as_str().unwrap());
    let r = book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &at(monday, 13, 0), 6)).await;
    assert_eq!(r.status(), 201);
    let before = app.flush_outbox().await;
    let (cookie, csrf) = app.sign_in_as(&app.owner.email, &app.owner_password).await;

    // The week links to the move page, which offers the day's free times with Ada.
    let week = Page::parse(
        &app.page(&format!("/dashboard/appointments/{}?week={monday}", shop.slug), Some(&cookie))
            .await,
    );
    let path = format!("/dashboard/appointments/{}/appointments/{id}/move", shop.slug);
    assert!(
        week.link("Move").is_some_and(|href| href == path),
        "the agenda links to the move page"
    );
    let html = app.page(&format!("{path}?date={monday}"), Some(&cookie)).await;
    let page = Page::parse(&html);
    assert!(page.field("14:00").is_some(), "a free time is offered");
    assert!(page.field("13:00").is_none(), "Customer 6's time is not");
    assert!(page.text().contains("Consultation for Customer 5 (customer5@example.com)"));

    // A time taken by someone else is refused with the reason and the day's times again.
    let r = app
        .post_form(&path, &cookie, &[("csrf", &csrf), ("start", &at(monday, 13, 0))])
        .await;
    assert_eq!(r.status(), 409);
    let page = Page::parse(&r.text().await.unwrap());
    assert!(page.announcements().contains("Choose another time"), "{}", page.announcements());
    assert!(page.field("14:00").is_some());

    // A free time moves it: the customer's manage link shows the new time, both are emailed.
    let r = app
        .post_form(&path, &cookie, &[("csrf", &csrf), ("start", &at(monday, 14, 0))])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("/dashboard/appointments/{}?week={monday}&done=moved", shop.slug)
    );
    let read: Value = app
        .client
        .get(app.url(&format!("/api/v1/appointments/{token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["start"], at(monday, 14, 0));
    let emails: Vec<String> = app.flush_outbox().await.into_iter().filter(|e| !before.contains(e)).collect();
    let to = |who: &str, subject: &str| {
        emails
            .iter()
            .any(|e| e.contains(subject) && e.lines().any(|l| l.starts_with("To:") && l.contains(who)))
    };
    let heads: Vec<String> = emails
        .iter()
        .map(|e| {
            e.lines()
                .filter(|l| l.starts_with("To:") || l.starts_with("Subject:"))
                .collect::<Vec<_>>()
                .join(" / ")
        })
        .collect();
    assert!(
        to("customer5@example.com", "Subject: New time: Consultation") && to("Ada@example.com", "Subject: Moved: Consultation"),
        "{heads:?}"
    );
    // 11:00 is free again for others.
    assert!(slot_labels(&app, &shop.slug, &shop.one_to_one, &shop.ada, monday)
        .await
        .contains(&"11:00".to_string()));

    // Another organization cannot see or move it; a canceled one cannot be moved.
    let (_, password) = server::accounts::auth::create_organizer(&app.state.db, "rival@example.com", "Rival", None)
        .await
        .unwrap();
    let (rival, rival_csrf) = app.sign_in_as("rival@example.com", &password).await;
    let r = app
        .post_form(&path, &rival, &[("csrf", &rival_csrf), ("start", &at(monday, 15, 0))])
        .await;
    assert_eq!(r.status(), 404);
    let cancel = format!("/dashboard/appointments/{}/appointments/{id}/cancel", shop.slug);
    assert_eq!(app.post_form(&cancel, &cookie, &[("csrf", &csrf)]).await.status(), 303);
    let r = app
        .post_form(&path, &cookie, &[("csrf", &csrf), ("start", &at(monday, 15, 0))])
        .await;
    assert_eq!(r.status(), 409);
});

#[tokio::test]
async fn a_staff_members_hours_and_time_off_are_set_from_the_dashboard() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let shop = shop(&app).await;
    let monday = next_monday(&app);
    let (cookie, csrf) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    let business = Page::parse(&app.page(&format!("/dashboard/appointments/{}", shop.slug), Some(&cookie)).await);
    let path = business.link("Ada").expect("the staff list links to Ada's page");
    assert_eq!(path, format!("/dashboard/appointments/{}/staff/{}", shop.slug, shop.ada));
    let page = Page::parse(&app.page(&path, Some(&cookie)).await);
    assert_eq!(page.field("Time zone").unwrap().value, "America/New_York");
    assert!(page.has_button("Save working hours"));
    let labels = || slot_labels(&app, &shop.slug, &shop.one_to_one, &shop.ada, monday);
    assert_eq!(labels().await.first().map(String::as_str), Some("09:00"));

    // Her own hours: Mondays 10:00–12:00 only.
    let own = [
        ("csrf", csrf.as_str()),
        ("timeZone", "America/New_York"),
        ("hoursEditor", "1"),
        ("open.monday", "1"),
        ("from.monday", "10:00"),
        ("until.monday", "12:00"),
    ];
    let r = app.post_form(&path, &cookie, &own).await;
    assert_eq!(r.status(), 303);
    assert_eq!(labels().await, ["10:00", "10:15", "10:30", "10:45", "11:00", "11:15", "11:30"]);

    // A zone that is not one is said next to its field, and what was typed stays.
    let mut wrong = own.to_vec();
    wrong[1] = ("timeZone", "Mars/Olympus");
    wrong[5] = ("until.monday", "12:30");
    let r = app.post_form(&path, &cookie, &wrong).await;
    assert_eq!(r.status(), 422);
    let page = Page::parse(&r.text().await.unwrap());
    let zone = page.field("Time zone").unwrap();
    assert!(
        zone.invalid && zone.description.as_deref().is_some_and(|d| d.contains("is not a time zone")),
        "{zone:?}"
    );
    assert_eq!(zone.value, "Mars/Olympus");
    assert_eq!(labels().await.last().map(String::as_str), Some("11:30"), "nothing was saved");

    // Time off on Monday 10:00–11:00 in her zone takes those times away.
    let off = [
        ("csrf", csrf.as_str()),
        ("from", &format!("{monday}T10:00")),
        ("until", &format!("{monday}T11:00")),
    ];
    let r = app.post_form(&format!("{path}/time-off"), &cookie, &off).await;
    assert_eq!(r.status(), 303);
    assert_eq!(labels().await, ["11:00", "11:15", "11:30"]);
    // Time off that ends before it starts is refused with the reason beside it.
    let backwards = [
        ("csrf", csrf.as_str()),
        ("from", &format!("{monday}T12:00")),
        ("until", &format!("{monday}T11:00")),
    ];
    let r = app.post_form(&format!("{path}/time-off"), &cookie, &backwards).await;
    assert_eq!(r.status(), 422);
    let page = Page::parse(&r.text().await.unwrap());
    assert!(page
        .field("Until")
        .unwrap()
        .description
        .is_some_and(|d| d.contains("end after it starts")));
    assert_eq!(page.field("From").unwrap().value, format!("{monday}T12:00"));

    // The page lists the time off; removing it gives the times back.
    let page = Page::parse(&app.page(&path, Some(&cookie)).await);
    let remove = page
        .form_actions()
        .into_iter()
        .find(|a| a.ends_with("/remove"))
        .expect("a remove form for the time off");
    assert_eq!(app.post_form(&remove, &cookie, &[("csrf", &csrf)]).await.status(), 303);
    assert_eq!(labels().await.first().map(String::as_str), Some("10:00"));

    // Back to the business's hours.
    let r = app
        .post_form(
            &path,
            &cookie,
            &[("csrf", &csrf), ("timeZone", "America/New_York"), ("useBusinessHours", "1")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(labels().await.first().map(String::as_str), Some("09:00"));
}

async fn agenda(app: &TestApp, cookie: Option<&str>, query: Value) -> reqwest::Response {
    let mut request = app.client.post(app.url("/rpc/agenda_week")).json(&json!({ "query": query }));
    if let Some(c) = cookie {
        request = request.header("cookie", c);
    }
    request.send().await.unwrap()
}

both_backends!(the_agenda_answers_only_when_the_week_changed, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let shop = shop(&app).await;
    let monday = next_monday(&app);
    let (cookie, _) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    let query = |fingerprint: &str| json!({"slug": shop.slug, "week": monday.to_string(), "staff": "", "fingerprint": fingerprint});

    // The page carries the week's fingerprint; asked with it, nothing has changed.
    let html = app
        .page(&format!("/dashboard/appointments/{}?week={monday}", shop.slug), Some(&cookie))
        .await;
    let shown = html
        .split("data-fingerprint=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the agenda carries its fingerprint")
        .to_string();
    let r = agenda(&app, Some(&cookie), query(&shown)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), Value::Null);

    // A booking arrives: the week comes back with it, under a new fingerprint.
    let r = book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.bo), &at(monday, 9, 30), 7)).await;
    assert_eq!(r.status(), 201);
    let week: Value = agenda(&app, Some(&cookie), query(&shown)).await.json().await.unwrap();
    assert_ne!(week["fingerprint"], shown);
    let monday_items = week["days"][0]["items"].as_array().unwrap();
    assert_eq!(monday_items.len(), 1);
    assert_eq!(monday_items[0]["customer"], "Customer 7");
    assert_eq!(monday_items[0]["time"], "09:30–10:00");
    assert_eq!(monday_items[0]["canMove"], true);
    // Ada's agenda does not have it.
    let ada: Value = agenda(
        &app,
        Some(&cookie),
        json!({"slug": shop.slug, "week": monday.to_string(), "staff": shop.ada, "fingerprint": ""}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(ada["days"][0]["items"].as_array().unwrap().is_empty());
    // The page rendered now has the fingerprint the function gave.
    let html = app
        .page(&format!("/dashboard/appointments/{}?week={monday}", shop.slug), Some(&cookie))
        .await;
    assert!(html.contains(&format!("data-fingerprint=\"{}\"", week["fingerprint"].as_str().unwrap())));

    // Without a session: 401 and a sentence; another organization: not found; another site: 403.
    let r = agenda(&app, None, query("")).await;
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["kind"], "signedOut");
    let (_, password) = server::accounts::auth::create_organizer(&app.state.db, "rival@example.com", "Rival", None)
        .await
        .unwrap();
    let (rival, _) = app.sign_in_as("rival@example.com", &password).await;
    let r = agenda(&app, Some(&rival), query("")).await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["kind"], "invalid");
    let r = app
        .client
        .post(app.url("/rpc/agenda_week"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .json(&json!({ "query": query("") }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // The page asking by itself does not keep the session alive: two idle hours end it however
    // often the agenda asked.
    app.clock.advance_secs(3600);
    let r = agenda(&app, Some(&cookie), query("")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    app.clock.advance_secs(3600 + 60);
    assert_eq!(agenda(&app, Some(&cookie), query("")).await.status(), 401);
});

// A move decided on what was read before someone else canceled (or moved) the appointment
// changes nothing: the write only happens while it is still booked at the time that was read.
both_backends!(a_move_read_before_a_cancel_changes_nothing, |backend| async move {
    use server::appointments;
    let app = TestApp::spawn(backend).await;
    let shop = shop(&app).await;
    let monday = next_monday(&app);
    let made: Value = book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &at(monday, 11, 0), 8))
        .await
        .json()
        .await
        .unwrap();
    let token = made["manageToken"].as_str().unwrap();
    let read = appointments::find(&app.state.db, &app.state.sealer, token).await.unwrap();
    let catalog = appointments::Catalog::load(&app.state.db, &shop.slug).await.unwrap();
    appointments::cancel(&app.state.db, &app.state.sealer, token, false).await.unwrap();
    let before = app.flush_outbox().await;
    let outcome = appointments::move_booking(&app.state.db, &catalog, &read, &at(monday, 14, 0), false).await;
    assert!(matches!(outcome, Err(appointments::BookError::Invalid(_))), "{outcome:?}");
    let now = appointments::find(&app.state.db, &app.state.sealer, token).await.unwrap();
    assert_eq!((now.status.as_str(), now.start), ("canceled", read.start));
    assert_eq!(app.flush_outbox().await.len(), before.len(), "nobody is told of a new time");
    // Moved by someone else first: the stale move is refused too.
    let made: Value = book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.bo), &at(monday, 11, 0), 9))
        .await
        .json()
        .await
        .unwrap();
    let token = made["manageToken"].as_str().unwrap();
    let read = appointments::find(&app.state.db, &app.state.sealer, token).await.unwrap();
    appointments::reschedule(&app.state.db, &app.state.sealer, token, &at(monday, 15, 0), false)
        .await
        .unwrap();
    let outcome = appointments::move_booking(&app.state.db, &catalog, &read, &at(monday, 16, 0), false).await;
    assert!(matches!(outcome, Err(appointments::BookError::Invalid(_))), "{outcome:?}");
    let now = appointments::find(&app.state.db, &app.state.sealer, token).await.unwrap();
    assert_eq!(
        jiff::Timestamp::from_second(now.start).unwrap().strftime("%H:%M").to_string(),
        jiff::Timestamp::from_second(read.start + 4 * 3600)
            .unwrap()
            .strftime("%H:%M")
            .to_string(),
        "it stays at 15:00, where the first move put it"
    );
});
