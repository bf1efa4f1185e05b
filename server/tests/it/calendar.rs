//! Calendar entries: one UID per event, SEQUENCE raised by every change of the event or of the
//! person's place, TENTATIVE while not confirmed, and METHOD:CANCEL (with the matching `method`
//! parameter on the email part, RFC 6047) when the place or the event is canceled.

use crate::common::{person, TestApp};
use mail_parser::MimeHeaders;
use serde_json::{json, Value};

/// The calendar part of an email: its media type and its text.
pub(crate) fn calendar_part(eml: &str) -> (String, String) {
    let message = mail_parser::MessageParser::default()
        .parse(eml.as_bytes())
        .expect("a parsable email");
    let part = message
        .attachments()
        .find(|a| {
            a.content_type()
                .is_some_and(|c| c.ctype() == "text" && c.subtype() == Some("calendar"))
        })
        .expect("the email carries a calendar part");
    let ct = part.content_type().unwrap();
    let media = match ct.attribute("method") {
        Some(m) => format!("text/calendar; method={m}"),
        None => "text/calendar".to_string(),
    };
    (media, String::from_utf8(part.contents().to_vec()).unwrap())
}

pub(crate) fn field<'a>(ics: &'a str, name: &str) -> &'a str {
    let unfolded: Vec<&str> = ics.split("\r\n").collect();
    unfolded
        .iter()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .unwrap_or_else(|| panic!("{name} in {ics}"))
}

pub(crate) fn sequence(ics: &str) -> u32 {
    field(ics, "SEQUENCE").parse().unwrap()
}

async fn download(app: &TestApp, token: &str) -> String {
    let r = app.client.get(app.url(&format!("/r/{token}/invite.ics"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

/// The newest email to `to` whose subject starts with `subject`.
pub(crate) fn newest(emails: &[String], to: &str, subject: &str) -> String {
    emails
        .iter()
        .rev()
        .find(|m| m.contains(&format!("<{to}>")) && m.contains(&format!("Subject: {subject}")))
        .unwrap_or_else(|| panic!("an email {subject:?} to {to}"))
        .clone()
}

both_backends!(
    every_change_raises_the_sequence_and_cancel_withdraws_the_entry,
    |backend| async move {
        let app = TestApp::spawn(backend).await;
        let slug = app.event(|e| e.capacity = Some(1)).await;
        let first: Value = app.register(&slug, person(1)).await.json().await.unwrap();
        let second: Value = app.register(&slug, person(2)).await.json().await.unwrap();
        assert_eq!(second["status"], "waitlisted");
        let (first_token, second_token) = (first["manageToken"].as_str().unwrap(), second["manageToken"].as_str().unwrap());

        let emails = app.flush_outbox().await;
        let (media, confirmed) = calendar_part(&newest(&emails, "person1@example.com", "You're registered"));
        assert_eq!(media, "text/calendar; method=PUBLISH");
        assert_eq!(field(&confirmed, "METHOD"), "PUBLISH");
        assert_eq!(field(&confirmed, "STATUS"), "CONFIRMED");
        let uid = field(&confirmed, "UID").to_string();
        let waitlisted = download(&app, second_token).await;
        assert_eq!(
            field(&waitlisted, "STATUS"),
            "TENTATIVE",
            "a waitlisted person's entry is not confirmed"
        );
        assert_eq!(field(&waitlisted, "UID"), uid, "one UID per event");

        // Moving the event raises the sequence of everyone's entry.
        let before = sequence(&download(&app, first_token).await);
        let bearer = app.owner_token().await;
        let moved = app
            .client
            .patch(app.url(&format!("/api/v1/events/{slug}")))
            .bearer_auth(&bearer)
            .json(&json!({"startDateTime": "2031-03-04T10:00:00Z", "endDateTime": "2031-03-04T11:00:00Z"}))
            .send()
            .await
            .unwrap();
        assert_eq!(moved.status(), 200, "{}", moved.text().await.unwrap());
        let after_move = download(&app, first_token).await;
        assert!(sequence(&after_move) > before, "moved: {after_move}");
        assert_eq!(field(&after_move, "DTSTART"), "20310304T100000Z");

        // The first person cancels: their email withdraws the entry with a higher sequence; the
        // waitlisted person is promoted and their entry becomes confirmed with a higher sequence.
        let tentative_sequence = sequence(&download(&app, second_token).await);
        let cancel = app
            .client
            .post(app.url(&format!("/api/v1/registrations/{first_token}/cancel")))
            .send()
            .await
            .unwrap();
        assert_eq!(cancel.status(), 200);
        let emails = app.flush_outbox().await;
        let (media, canceled) = calendar_part(&newest(&emails, "person1@example.com", "Registration canceled"));
        assert_eq!(media, "text/calendar; method=CANCEL");
        assert_eq!(field(&canceled, "METHOD"), "CANCEL");
        assert_eq!(field(&canceled, "STATUS"), "CANCELLED");
        assert_eq!(field(&canceled, "UID"), uid);
        assert!(sequence(&canceled) > sequence(&after_move));
        let promoted = download(&app, second_token).await;
        assert_eq!(field(&promoted, "STATUS"), "CONFIRMED");
        assert!(sequence(&promoted) > tentative_sequence);
    }
);
