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
