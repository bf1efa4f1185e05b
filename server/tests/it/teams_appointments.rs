//! Microsoft mode with Atrium's own scheduling, against the simulator: each online appointment
//! gets one Teams meeting (createOrGet keyed by the appointment), the customer's browser join
//! link is stored and shown, a move keeps the meeting and a cancel removes it; a crash between
//! Atrium's commit and Teams' answer leaves one meeting and one email.

use crate::appointments::{at, book, booking, next_monday, shop};
use crate::common::{Backend, TestApp};
use crate::teams_meetings::{due_now, microsoft_app, seed_account, sync_for};
use graphsim::Sim;
use serde_json::{json, Value};
use server::microsoft::delegated::Account;

fn offset_of(start: &str) -> String {
    start.parse::<jiff::Timestamp>().unwrap().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

async fn appointment(app: &TestApp, token: &str) -> Value {
    app.client
        .get(app.url(&format!("/api/v1/appointments/{token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

both_backends!(an_appointment_gets_one_teams_meeting_that_follows_it, |backend| async move {
    let sim = Sim::start().await;
    let app = microsoft_app(backend, &sim).await;
    seed_account(&app, &sim, &Account::Service(app.owner.organization_id.clone())).await;
    let sync = sync_for(&app, &sim);
    let shop = shop(&app).await;
    let monday = next_monday(&app);
    let ten = at(monday, 10, 0);
    let r = book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &ten, 1)).await;
    assert_eq!(r.status(), 201);
    let made: Value = r.json().await.unwrap();
    assert!(made.get("joinUrl").is_none(), "Teams has not made the meeting yet: {made}");
    let (id, token) = (
        made["id"].as_str().unwrap().to_string(),
        made["manageToken"].as_str().unwrap().to_string(),
    );

    due_now(&app).await;
    assert_eq!(sync.sync_appointments().await.unwrap(), 1);
    let meeting_id = {
        let s = sim.state.lock().unwrap();
        assert_eq!(s.meetings.len(), 1);
        let (meeting_id, meeting) = s.meetings.iter().next().unwrap();
        assert_eq!(meeting["externalId"], id.as_str());
        assert_eq!(meeting["startDateTime"], offset_of(&ten));
        assert_eq!(meeting["subject"], "Consultation with Customer 1");
        meeting_id.clone()
    };
    let read = appointment(&app, &token).await;
    let join = read["joinUrl"]
        .as_str()
        .unwrap_or_else(|| panic!("a join link: {read}"))
        .to_string();
    assert!(join.starts_with("https://visit.teams.microsoft.com/"), "{join}");
    assert!(join.contains(&meeting_id), "the link of this appointment's meeting: {join}");
    let page = app.page(&format!("/appointments/{token}"), None).await;
    let doc = crate::html::Page::parse(&page);
    assert_eq!(doc.link("Join the meeting").as_deref(), Some(join.as_str()));

    // Moved: the same meeting at the new time.
    let eleven = at(monday, 11, 0);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/appointments/{token}/reschedule")))
        .json(&json!({"start": eleven}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    due_now(&app).await;
    assert_eq!(sync.sync_appointments().await.unwrap(), 1);
    {
        let s = sim.state.lock().unwrap();
        assert_eq!(s.meetings.len(), 1, "still one meeting");
        assert_eq!(s.meetings[&meeting_id]["startDateTime"], offset_of(&eleven));
    }
    assert_eq!(appointment(&app, &token).await["joinUrl"], join.as_str(), "the same link");

    // Canceled: the meeting is removed from Teams.
    let r = app
        .client
        .post(app.url(&format!("/api/v1/appointments/{token}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    due_now(&app).await;
    assert_eq!(sync.sync_appointments().await.unwrap(), 1);
    assert!(sim.state.lock().unwrap().meetings.is_empty());
});

#[tokio::test]
async fn a_crash_between_the_booking_and_teams_leaves_one_meeting_and_one_email() {
    let sim = Sim::start().await;
    let app = microsoft_app(Backend::Sqlite, &sim).await;
    seed_account(&app, &sim, &Account::Service(app.owner.organization_id.clone())).await;
    let sync = sync_for(&app, &sim);
    let shop = shop(&app).await;
    let start = at(next_monday(&app), 14, 0);
    let r = book(&app, &shop.slug, booking(&shop.one_to_one, None, &start, 7)).await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    due_now(&app).await;
    assert_eq!(sync.sync_appointments().await.unwrap(), 1);
    let first = sim.state.lock().unwrap().meetings.keys().next().cloned().unwrap();
    // Teams made the meeting, then Atrium died before storing it: the job runs again.
    sqlx::query("UPDATE appointments SET teams_meeting_id = NULL, teams_join_url = NULL, join_url = NULL WHERE id = $1")
        .bind(&id)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let mut tx = app.state.db.begin_write().await.unwrap();
    server::jobs::teams::appointment(&mut tx, &id).await.unwrap();
    tx.commit().await.unwrap();
    due_now(&app).await;
    assert_eq!(sync.sync_appointments().await.unwrap(), 1);
    assert_eq!(sim.state.lock().unwrap().meetings.len(), 1, "createOrGet found the same meeting");
    let row = server::appointments::store::by_id(&app.state.db, &id).await.unwrap().unwrap();
    assert_eq!(row.teams_meeting_id.as_deref(), Some(first.as_str()));
    assert!(row.join_url.is_some());
    // One confirmation to the customer, one note to the staff member: nothing sent twice.
    let emails = app.flush_outbox().await;
    let to_customer = |e: &&String| e.lines().any(|l| l.starts_with("To:") && l.contains("customer7@example.com"));
    assert_eq!(emails.iter().filter(to_customer).count(), 1, "one email to the customer");
    assert_eq!(emails.iter().filter(|e| e.contains("Subject: New booking")).count(), 1);
}

#[tokio::test]
async fn without_microsoft_mode_no_teams_work_is_queued() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let shop = shop(&app).await;
    let r = book(&app, &shop.slug, booking(&shop.one_to_one, None, &at(next_monday(&app), 9, 0), 1)).await;
    assert_eq!(r.status(), 201);
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE topic = 'graph.appointment'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(queued, 0);
}
