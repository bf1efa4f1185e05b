//! What an appointment tells people: the customer and the staff member get an email with the
//! calendar entry when it is booked, moved and canceled; every change raises the entry's
//! SEQUENCE under one UID, and a cancellation withdraws it (METHOD:CANCEL). A second cancel
//! tells nobody again.

use crate::appointments::{at, book, booking, next_monday, shop};
use crate::calendar::{calendar_part, field, newest, sequence};
use crate::common::TestApp;
use serde_json::{json, Value};

both_backends!(
    booked_moved_and_canceled_appointments_update_one_calendar_entry,
    |backend| async move {
        let app = TestApp::spawn(backend).await;
        let shop = shop(&app).await;
        let monday = next_monday(&app);
        let r = book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &at(monday, 10, 0), 1)).await;
        assert_eq!(r.status(), 201);
        let booked: Value = r.json().await.unwrap();
        let token = booked["manageToken"].as_str().unwrap().to_string();
        let id = booked["id"].as_str().unwrap().to_string();
        let uid = format!("appointment-{id}@atrium");

        let emails = app.flush_outbox().await;
        let to_customer = newest(&emails, "customer1@example.com", "Booked: Consultation with Shop");
        let (media, ics) = calendar_part(&to_customer);
        assert_eq!(media, "text/calendar; method=PUBLISH");
        assert_eq!(field(&ics, "UID"), uid);
        assert_eq!(sequence(&ics), 0);
        assert_eq!(field(&ics, "STATUS"), "CONFIRMED");
        let (html, text) = crate::common::bodies(&to_customer);
        assert!(text.contains(&format!("/appointments/{token}")), "{text}");
        assert!(text.contains("With: Ada"), "{text}");
        assert!(html.contains("Keep this link private"), "{html}");
        let to_staff = newest(&emails, "Ada@example.com", "New booking: Consultation with Customer 1");
        assert_eq!(field(&calendar_part(&to_staff).1, "UID"), uid);
        let (_, staff_text) = crate::common::bodies(&to_staff);
        assert!(staff_text.contains("customer1@example.com"), "{staff_text}");
        assert!(!staff_text.contains(&token), "the customer's manage link is theirs alone");
        assert!(
            !emails.iter().any(|m| m.contains("<Bo@example.com>")),
            "only the booked staff member hears of it"
        );
        let before = emails.len();

        let r = app
            .client
            .post(app.url(&format!("/api/v1/appointments/{token}/reschedule")))
            .json(&json!({ "start": at(monday, 14, 0) }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let emails = app.flush_outbox().await;
        assert_eq!(emails.len(), before + 2, "one email to the customer, one to the staff member");
        let moved = newest(&emails, "customer1@example.com", "New time: Consultation with Shop");
        let (media, ics) = calendar_part(&moved);
        assert_eq!(media, "text/calendar; method=PUBLISH");
        assert_eq!(field(&ics, "UID"), uid, "the same entry, moved");
        assert_eq!(sequence(&ics), 1);
        let fourteen = at(monday, 14, 0).parse::<jiff::Timestamp>().unwrap();
        assert_eq!(field(&ics, "DTSTART"), fourteen.strftime("%Y%m%dT%H%M%SZ").to_string());
        newest(&emails, "Ada@example.com", "Moved: Consultation with Customer 1");
        let before = emails.len();

        for _ in 0..2 {
            let r = app
                .client
                .post(app.url(&format!("/api/v1/appointments/{token}/cancel")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }
        let emails = app.flush_outbox().await;
        assert_eq!(emails.len(), before + 2, "canceling twice tells each person once");
        let canceled = newest(&emails, "customer1@example.com", "Canceled: Consultation with Shop");
        let (media, ics) = calendar_part(&canceled);
        assert_eq!(media, "text/calendar; method=CANCEL");
        assert_eq!(field(&ics, "UID"), uid);
        assert_eq!(sequence(&ics), 2);
        assert_eq!(field(&ics, "STATUS"), "CANCELLED");
        newest(&emails, "Ada@example.com", "Canceled: Consultation with Customer 1");

        // The page's download is the same entry as it stands now.
        let r = app
            .client
            .get(app.url(&format!("/appointments/{token}/appointment.ics")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "text/calendar; charset=utf-8");
        let download = r.text().await.unwrap();
        assert_eq!(field(&download, "UID"), uid);
        assert_eq!(sequence(&download), 2);
        assert_eq!(field(&download, "STATUS"), "CANCELLED");
        let r = app
            .client
            .get(app.url("/appointments/not-a-token/appointment.ics"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    }
);

/// Sets the reminders of the shop's one-to-one service through the organizer API.
async fn remind(app: &TestApp, slug: &str, service: &str, reminders: Value) -> reqwest::Response {
    app.client
        .patch(app.url(&format!("/api/v1/businesses/{slug}/services/{service}")))
        .bearer_auth(app.owner_token().await)
        .json(&json!({ "defaultReminders": reminders }))
        .send()
        .await
        .unwrap()
}

both_backends!(reminders_go_out_before_the_time_that_still_stands, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let shop = shop(&app).await;
    let r = remind(
        &app,
        &shop.slug,
        &shop.one_to_one,
        json!([{"offset": "PT2H", "recipients": "customer", "message": "Bring your tax ID."}, {"offset": "P1D", "recipients": "staff"}]),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let bad = remind(
        &app,
        &shop.slug,
        &shop.one_to_one,
        json!([{"offset": "PT1M", "recipients": "customer"}]),
    )
    .await;
    assert_eq!(bad.status(), 422);
    let bad = remind(
        &app,
        &shop.slug,
        &shop.one_to_one,
        json!([{"offset": "PT2H", "recipients": "everyone"}]),
    )
    .await;
    assert_eq!(bad.json::<Value>().await.unwrap()["errors"][0]["field"], "defaultReminders");

    let monday = next_monday(&app);
    let start = at(monday, 10, 0);
    let starts = |text: &str| text.parse::<jiff::Timestamp>().unwrap().as_second();
    let r = book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &start, 1)).await;
    let token = r.json::<Value>().await.unwrap()["manageToken"].as_str().unwrap().to_string();
    // The second appointment is canceled: its reminders never go out.
    let r = book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.bo), &start, 2)).await;
    let other = r.json::<Value>().await.unwrap()["manageToken"].as_str().unwrap().to_string();
    let r = app
        .client
        .post(app.url(&format!("/api/v1/appointments/{other}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let reminders = |emails: &[String]| {
        emails
            .iter()
            .filter(|e| e.contains("Subject: Reminder"))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert!(reminders(&app.flush_outbox().await).is_empty(), "nothing is due yet");

    // Moved to 14:00: the reminders for 10:00 lapse, those for 14:00 go out.
    let moved = at(monday, 14, 0);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/appointments/{token}/reschedule")))
        .json(&json!({ "start": moved }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // A day before 14:00 (and before 10:00): only the staff member's reminder for the new time.
    app.clock.advance_secs(starts(&moved) - 86_400 - app.state.db.now() + 60);
    let sent = reminders(&app.flush_outbox().await);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("Subject: Reminder: Consultation with Customer 1"));
    assert!(sent[0].lines().any(|l| l.starts_with("To:") && l.contains("Ada@example.com")));
    // Two hours before 14:00: the customer's, with the service's words; 10:00's never came.
    app.clock.advance_secs(starts(&moved) - 2 * 3600 - app.state.db.now() + 60);
    let sent = reminders(&app.flush_outbox().await);
    assert_eq!(
        sent.len(),
        2,
        "all emails so far: the staff member's and now the customer's: {}",
        sent.len()
    );
    let to_customer = sent
        .iter()
        .find(|e| e.lines().any(|l| l.starts_with("To:") && l.contains("customer1@example.com")))
        .unwrap();
    let (_, text) = crate::common::bodies(to_customer);
    assert!(text.contains("Bring your tax ID."), "{text}");
    assert!(text.contains(&format!("/appointments/{token}")), "{text}");
    assert!(!to_customer.contains("text/calendar"), "a reminder changes no calendar entry");
    assert!(
        !sent.iter().any(|e| e.contains("customer2@example.com")),
        "the canceled appointment's lapsed"
    );
});
