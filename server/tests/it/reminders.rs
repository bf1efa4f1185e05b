//! Reminders: due while the server was down, they go out once after it restarts, and never twice.

use crate::common::{person, Backend, TestApp};
use serde_json::{json, Value};

both_backends!(reminders_due_while_down_are_sent_once_after_restart, |backend| async move {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::common::config_for(backend, &dir).await;
    let first = TestApp::spawn_with(config.clone(), dir).await;
    let owner = first.owner.clone();
    let now = jiff::Timestamp::now().as_second();
    // Starts in 50 minutes: the one-hour reminder is already due, the one-day one long past due.
    let slug = first
        .event(|e| {
            e.start_at = now + 50 * 60;
            e.end_at = now + 110 * 60;
        })
        .await;
    let far = first
        .event(|e| {
            e.start_at = now + 10 * 86_400;
            e.end_at = now + 10 * 86_400 + 3600;
        })
        .await;
    for n in 0..3 {
        assert_eq!(first.register(&slug, person(n)).await.status(), 201);
        assert_eq!(first.register(&far, person(n)).await.status(), 201);
    }
    let token = {
        let r = first
            .client
            .post(first.url("/api/v1/tokens"))
            .basic_auth(&first.owner.email, Some(&first.owner_password))
            .send()
            .await
            .unwrap();
        r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string()
    };
    let reminders: Value = first
        .client
        .get(first.url(&format!("/api/v1/events/{slug}/reminders")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        reminders["value"],
        json!([{"offsetMinutes": 1440, "sentAt": null}, {"offsetMinutes": 60, "sentAt": null}])
    );
    let confirmations = first.flush_outbox().await.len();
    assert_eq!(confirmations, 6);
    // The server goes down before any reminder pass ran.
    let dir = first.dir;
    first.state.db.pool.close().await;

    // Back up: the due reminders go out, each once, only to this event's registrants.
    let second = TestApp::spawn_with(config.clone(), dir).await;
    assert_eq!(server::events::reminders::send_due(&second.state.db).await.unwrap(), 2);
    let emails = second.flush_outbox().await;
    let reminders: Vec<&String> = emails.iter().filter(|m| m.contains("Subject: Reminder:")).collect();
    assert_eq!(reminders.len(), 6, "two reminders for three registrants");
    assert!(reminders.iter().all(|m| m.contains("Test webinar")));
    assert_eq!(
        server::events::reminders::send_due(&second.state.db).await.unwrap(),
        0,
        "never twice"
    );
    let dir = second.dir;
    second.state.db.pool.close().await;

    let third = TestApp::spawn_with(config, dir).await;
    assert_eq!(
        server::events::reminders::send_due(&third.state.db).await.unwrap(),
        0,
        "not again after another restart"
    );
    assert_eq!(third.flush_outbox().await.len(), confirmations + 6);

    // Moving the far event to start within the hour brings its reminders due.
    let soon = |m: i64| {
        jiff::Timestamp::from_second(jiff::Timestamp::now().as_second() + m * 60)
            .unwrap()
            .to_string()
    };
    let input = server::events::EventInput {
        start_date_time: Some(soon(30)),
        end_date_time: Some(soon(90)),
        ..Default::default()
    };
    server::events::update(&third.state.db, &owner, &far, &input).await.unwrap();
    assert_eq!(server::events::reminders::send_due(&third.state.db).await.unwrap(), 2);
    let emails = third.flush_outbox().await;
    assert_eq!(emails.iter().filter(|m| m.contains("Subject: Reminder:")).count(), 12);
});

#[tokio::test]
async fn reminders_can_be_changed_and_are_validated() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let slug = app.event(|_| {}).await;
    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .basic_auth(&app.owner.email, Some(&app.owner_password))
        .send()
        .await
        .unwrap();
    let token = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string();
    let put = |body: Value| {
        app.client
            .put(app.url(&format!("/api/v1/events/{slug}/reminders")))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let ok: Value = put(json!([{"offsetMinutes": 120}, {"offsetMinutes": 2880}]))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        ok["value"],
        json!([{"offsetMinutes": 2880, "sentAt": null}, {"offsetMinutes": 120, "sentAt": null}])
    );
    assert_eq!(put(json!([{"offsetMinutes": 1}])).await.unwrap().status(), 422);
    assert_eq!(put(json!([{"offsetMinutes": 99999999}])).await.unwrap().status(), 422);
}
