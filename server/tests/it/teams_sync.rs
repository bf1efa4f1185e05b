//! Microsoft mode: confirmed registrations reach the linked Teams webinar through the outbox,
//! exactly once, whatever crashes or throttling happen, and never on the attendee's request.

use crate::common::SimConfig;
use crate::common::{person, TestApp};
use graphsim::{Fault, Sim};
use server::microsoft::client::{GraphClient, RetryPolicy};
use server::microsoft::sync::TeamsSync;
use std::time::Duration;

fn quick() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
    }
}

async fn linked_app(backend: crate::common::Backend, sim: &Sim) -> (TestApp, String, String) {
    let app = TestApp::spawn(backend).await;
    let webinar = sim.webinar();
    let slug = app.event(|e| e.capacity = Some(3)).await;
    let input = server::events::EventInput {
        teams_webinar_id: Some(Some(webinar.clone())),
        // As the API does after checking in Teams that the service account organizes it.
        teams_webinar_checked_with: Some(server::microsoft::delegated::Account::Service(app.owner.organization_id.clone())),
        ..Default::default()
    };
    server::events::update(&app.state.db, &app.owner, &slug, &input).await.unwrap();
    (app, slug, webinar)
}

/// Runs sync passes until nothing is due (items waiting for a retry are made due at once).
async fn drain(app: &TestApp, sync: &TeamsSync) {
    for _ in 0..50 {
        sqlx::query("UPDATE outbox SET available_at = 0 WHERE topic = 'graph.register' AND sent_at IS NULL")
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        if sync.sync_due().await.unwrap() == 0 {
            return;
        }
    }
    let errors: Vec<Option<String>> =
        sqlx::query_scalar("SELECT last_error FROM outbox WHERE topic = 'graph.register' AND sent_at IS NULL")
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    panic!("Teams sync did not finish: {errors:?}");
}

both_backends!(registrations_reach_teams_once_despite_crashes, |backend| async move {
    let sim = Sim::start().await;
    let (app, slug, webinar) = linked_app(backend, &sim).await;
    // Five people: three get seats, two wait. Only confirmed people go to Teams.
    for n in 0..5 {
        assert_eq!(app.register(&slug, person(n)).await.status(), 201);
    }
    assert_eq!(sim.requests(), 0, "registering never calls Microsoft");
    // The process "dies" here: the jobs are in the outbox, nothing was sent.
    let sync = TeamsSync::new(
        app.state.db.clone(),
        GraphClient::new(sim.config(), quick()),
        app.state.sealer.clone(),
    );
    drain(&app, &sync).await;
    let in_teams = sim.state.lock().unwrap().registrations[&webinar].clone();
    assert_eq!(in_teams.len(), 3);
    assert!(in_teams.iter().all(|r| r["externalRegistrationInformation"]["registrationId"]
        .as_str()
        .is_some_and(|id| !id.is_empty())));
    assert!(in_teams
        .iter()
        .all(|r| r["externalRegistrationInformation"]["referrer"] == "Atrium"));

    // A crash after Teams accepted but before Atrium recorded it: the job runs again and finds
    // the person already there.
    sqlx::query("UPDATE outbox SET sent_at = NULL, available_at = 0 WHERE topic = 'graph.register'")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    drain(&app, &sync).await;
    assert_eq!(sim.state.lock().unwrap().registrations[&webinar].len(), 3, "still exactly one each");
    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE topic = 'graph.register' AND sent_at IS NULL")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(pending, 0);

    // A cancellation frees a seat; the promoted person reaches Teams too.
    let token = app.manage_token_of("person0@example.com").await;
    assert_eq!(
        app.client
            .post(app.url(&format!("/api/v1/registrations/{token}/cancel")))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    drain(&app, &sync).await;
    let emails: Vec<String> = sim.state.lock().unwrap().registrations[&webinar]
        .iter()
        .map(|r| r["email"].as_str().unwrap().to_string())
        .collect();
    assert!(emails.contains(&"person3@example.com".to_string()), "{emails:?}");
    let synced: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM registrations WHERE teams_synced_at IS NOT NULL")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(synced, 4);
});

#[tokio::test]
async fn a_throttling_storm_delays_teams_but_not_attendees() {
    let sim = Sim::start().await;
    let (app, slug, webinar) = linked_app(crate::common::Backend::Sqlite, &sim).await;
    let input = server::events::EventInput {
        capacity: Some(None),
        ..Default::default()
    };
    server::events::update(&app.state.db, &app.owner, &slug, &input).await.unwrap();
    // Microsoft throttles hard: four whole batches in a row are refused with Retry-After.
    sim.inject((0..4).map(|_| Fault::Throttle(Some(1))));
    for n in 0..45 {
        assert_eq!(
            app.register(&slug, person(n)).await.status(),
            201,
            "attendees are answered while Teams throttles"
        );
    }
    assert_eq!(sim.requests(), 0);
    let client = GraphClient::new(sim.config(), quick());
    let sync = TeamsSync::new(app.state.db.clone(), client.clone(), app.state.sealer.clone());
    drain(&app, &sync).await;
    let count = sim.state.lock().unwrap().registrations[&webinar].len();
    assert_eq!(count, 45, "every registration reached Teams");
    // Each throttled request said "Retry-After: 1": nothing went out again sooner.
    let log = sim.state.lock().unwrap().log.clone();
    for pair in log.windows(2).take(4) {
        let gap = pair[1].0 - pair[0].0;
        assert!(
            gap >= Duration::from_millis(990),
            "a retry came {gap:?} after a 429 with Retry-After: 1"
        );
    }
    let graph_requests = sim.requests();
    let per_registration = graph_requests as f64 / 45.0;
    eprintln!("Graph requests per registration under a 429 storm: {graph_requests} requests / 45 registrations = {per_registration:.2}");
    assert!(per_registration < 1.0, "bulk work goes in batches of 20");
}

/// An organization whose Microsoft 365 service account is connected (its refresh token known to
/// the simulator and sealed in the database).
async fn connected(app: &TestApp, sim: &Sim) -> TeamsSync {
    let sealer = server::crypto::Sealer::from_base64("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=").unwrap();
    let refresh = "sim-refresh-seeded".to_string();
    sim.state.lock().unwrap().refresh_tokens.push(refresh.clone());
    sqlx::query(
        "INSERT INTO microsoft_accounts (organization_id, connected_by, user_principal_name, refresh_token_sealed, connected_at, refreshed_at) VALUES ($1, $2, 'svc@contoso.example', $3, 0, 0)",
    )
    .bind(&app.owner.organization_id)
    .bind(&app.owner.id)
    .bind(sealer.seal(&refresh))
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let delegated = server::microsoft::delegated::Delegated::new(app.state.db.clone(), sim.config(), sealer, &app.base);
    TeamsSync::new(
        app.state.db.clone(),
        GraphClient::new(sim.config(), quick()),
        app.state.sealer.clone(),
    )
    .with_delegated(delegated)
}

both_backends!(publishing_a_webinar_creates_it_in_teams_with_its_questions, |backend| async move {
    let sim = Sim::start().await;
    let app = TestApp::spawn(backend).await;
    let sync = connected(&app, &sim).await;
    let slug = app
        .event(|e| {
            e.status = app::domain::EventStatus::Draft;
            e.join_url = None;
            e.questions = vec![
                crate::common::question("Team size", app::domain::AnswerInputType::SingleChoice, true, &["1-10", "11+"]),
                (
                    app::domain::Question::predefined("", app::domain::PredefinedLabel::JobTitle, false),
                    Some(app::domain::PredefinedLabel::JobTitle),
                ),
            ];
        })
        .await;
    server::events::publish(&app.state.db, &app.owner, &slug, true).await.unwrap();
    // Someone registers before Teams has the webinar.
    let team = app.question_id(&slug, "Team size").await;
    let mut early = person(1);
    early["answers"] = serde_json::json!([{"questionId": team, "value": "11+"}]);
    assert_eq!(app.register(&slug, early).await.status(), 201);

    sqlx::query("UPDATE outbox SET available_at = 0")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(sync.sync_webinars().await.unwrap(), 1);
    let webinars = sim.state.lock().unwrap().webinars.clone();
    assert_eq!(webinars.len(), 1, "one webinar in Teams");
    let webinar = webinars.values().next().unwrap().clone();
    assert_eq!(webinar["status"], "published");
    assert_eq!(webinar["displayName"], "Test webinar");
    assert_eq!(
        webinar["settings"]["isAttendeeEmailNotificationEnabled"], true,
        "by default Teams emails each attendee a personal join link"
    );
    let questions = webinar["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 2);
    assert_eq!(questions[0]["answerChoices"], serde_json::json!(["1-10", "11+"]));
    assert_eq!(questions[1]["label"], "jobTitle");
    let (id, stage): (Option<String>, Option<String>) = sqlx::query_as("SELECT teams_webinar_id, teams_stage FROM events WHERE slug = $1")
        .bind(&slug)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(id.as_deref(), webinar["id"].as_str());
    assert_eq!(stage.as_deref(), Some("published"));

    // The early registrant follows into Teams.
    drain(&app, &sync).await;
    let id = id.unwrap();
    assert_eq!(sim.state.lock().unwrap().registrations[&id].len(), 1);

    // Teams sends the personal links, so Atrium shows none and says where the link comes from.
    let event = server::events::for_registration(&app.state.db, &slug).await.unwrap().unwrap();
    assert!(event.teams_join_url.is_some(), "the session's join link is kept");
    assert_eq!(event.join_link(), None);
    let email: String = sqlx::query_scalar("SELECT email FROM registrations LIMIT 1")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let token = app.manage_token_of(&email).await;
    let page = app.page(&format!("/r/{token}"), None).await;
    assert!(page.contains("Microsoft Teams emails you a personal join link"), "{page}");

    // Changes in Atrium reach Teams: title, times, and who emails attendees.
    let input: server::events::EventInput = serde_json::from_value(serde_json::json!({
        "title": "Renamed webinar",
        "isAttendeeEmailNotificationEnabled": false
    }))
    .unwrap();
    server::events::update(&app.state.db, &app.owner, &slug, &input).await.unwrap();
    server::events::update(&app.state.db, &app.owner, &slug, &input).await.unwrap();
    sqlx::query("UPDATE outbox SET available_at = 0")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let patches_before = patches(&sim);
    assert_eq!(sync.sync_updates().await.unwrap(), 2);
    assert_eq!(
        patches(&sim) - patches_before,
        1,
        "two queued changes, one PATCH with the newest state"
    );
    let webinar = sim.state.lock().unwrap().webinars[&id].clone();
    assert_eq!(webinar["displayName"], "Renamed webinar");
    assert_eq!(webinar["settings"]["isAttendeeEmailNotificationEnabled"], false);
    // Now Atrium's own pages and emails carry the webinar's join link.
    let page = app.page(&format!("/r/{token}"), None).await;
    assert!(page.contains("https://teams.microsoft.com/l/meetup-join/"), "{page}");
});

fn patches(sim: &Sim) -> usize {
    sim.state.lock().unwrap().log.iter().filter(|(_, m, _)| m == "PATCH").count()
}

#[tokio::test]
async fn a_failed_step_is_retried_without_a_second_webinar() {
    let sim = Sim::start().await;
    let app = TestApp::spawn(crate::common::Backend::Sqlite).await;
    let sync = connected(&app, &sim).await;
    let slug = app.event(|e| e.status = app::domain::EventStatus::Draft).await;
    server::events::publish(&app.state.db, &app.owner, &slug, true).await.unwrap();
    // Teams creates the webinar, then refuses to publish it until the client's retries run out.
    // (create, list questions, list presenters pass; publishing fails.)
    sim.inject([
        Fault::Pass,
        Fault::Pass,
        Fault::Pass,
        Fault::Unavailable,
        Fault::Unavailable,
        Fault::Unavailable,
    ]);
    assert_eq!(sync.sync_webinars().await.unwrap(), 1);
    let first = sim.state.lock().unwrap().webinars.values().next().unwrap().clone();
    assert_eq!(first["status"], "draft", "created but not yet published");
    let (error, stage): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT o.last_error, e.teams_stage FROM outbox o, events e WHERE o.topic = 'graph.webinar' AND o.sent_at IS NULL AND e.slug = $1",
    )
    .bind(&slug)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert!(error.unwrap().contains("503"), "the failure is recorded for the retry");
    assert_eq!(stage.as_deref(), Some("presenters"), "the steps that worked are remembered");
    // The retry resumes with the same webinar and only publishes it.
    sqlx::query("UPDATE outbox SET available_at = 0 WHERE topic = 'graph.webinar'")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(sync.sync_webinars().await.unwrap(), 1);
    let s = sim.state.lock().unwrap();
    assert_eq!(s.webinars.len(), 1, "the retry resumed with the same webinar");
    assert_eq!(s.webinars.values().next().unwrap()["status"], "published");
}

both_backends!(cancellations_reach_teams, |backend| async move {
    let sim = Sim::start().await;
    let (app, slug, webinar) = linked_app(backend, &sim).await;
    let sync = connected(&app, &sim).await;
    for n in 0..2 {
        assert_eq!(app.register(&slug, person(n)).await.status(), 201);
    }
    drain(&app, &sync).await;
    // One person cancels in Atrium: Teams cancels them too, found by Atrium's registration id.
    let token = app.manage_token_of("person1@example.com").await;
    assert_eq!(
        app.client
            .post(app.url(&format!("/api/v1/registrations/{token}/cancel")))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(sync.sync_cancellations().await.unwrap(), 1);
    let statuses: Vec<(String, String)> = sim.state.lock().unwrap().registrations[&webinar]
        .iter()
        .map(|r| (r["email"].as_str().unwrap().to_string(), r["status"].as_str().unwrap().to_string()))
        .collect();
    assert!(
        statuses.contains(&("person1@example.com".into(), "canceled".into())),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&("person0@example.com".into(), "registered".into())),
        "{statuses:?}"
    );

    // The organizer cancels the event: the webinar is canceled in Teams with the service account.
    server::events::cancel(&app.state.db, &app.owner, &slug, Some("Postponed"))
        .await
        .unwrap();
    assert_eq!(sync.sync_webinar_cancellations().await.unwrap(), 1);
    assert_eq!(sim.state.lock().unwrap().webinars[&webinar]["status"], "canceled");
    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE topic LIKE 'graph.%' AND sent_at IS NULL")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(pending, 0);
});

#[tokio::test]
async fn registrations_made_in_teams_appear_in_atrium() {
    let sim = Sim::start().await;
    let (app, slug, webinar) = linked_app(crate::common::Backend::Sqlite, &sim).await;
    let sync = TeamsSync::new(
        app.state.db.clone(),
        GraphClient::new(sim.config(), quick()),
        app.state.sealer.clone(),
    );
    assert_eq!(app.register(&slug, person(1)).await.status(), 201);
    drain(&app, &sync).await;
    sqlx::query("INSERT INTO graph_subscriptions (id, resource, change_type, client_state, expires_at, created_at, event_id) VALUES ('sub-r', $1, 'created', 'st', $2, 0, (SELECT id FROM events WHERE slug = $3))")
        .bind(format!("solutions/virtualEvents/webinars/{webinar}/registrations"))
        .bind(jiff::Timestamp::now().as_second() + 80_000)
        .bind(&slug)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let theirs = sim.register_in_teams(&webinar, "tia@example.com");
    let ours = sim.state.lock().unwrap().registrations[&webinar][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let notify = |rid: &str| {
        let body = serde_json::json!({"value": [{
            "subscriptionId": "sub-r", "clientState": "st", "changeType": "created", "tenantId": "t",
            "resource": format!("solutions/virtualEvents/webinars/{webinar}/registrations/{rid}"),
            "resourceData": {"id": rid}
        }]});
        app.client.post(app.url("/webhooks/graph")).json(&body).send()
    };
    assert_eq!(notify(&theirs).await.unwrap().status(), 202);
    assert_eq!(notify(&ours).await.unwrap().status(), 202);
    assert_eq!(sync.process_notifications().await.unwrap(), 2);
    let e = app.event_json(&slug).await;
    assert_eq!(
        e["registeredCount"], 2,
        "the Teams registrant holds a seat in Atrium too; ours is not doubled"
    );
    let (status, tz, synced): (String, String, Option<i64>) =
        sqlx::query_as("SELECT status, preferred_timezone, teams_synced_at FROM registrations WHERE email = 'tia@example.com'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), tz.as_str()), ("registered", "Asia/Tokyo"));
    assert!(synced.is_some(), "already in Teams: nothing to send back");
    assert_eq!(
        sync.process_notifications().await.unwrap(),
        0,
        "each notification is processed once"
    );
    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE topic = 'graph.register' AND sent_at IS NULL")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(pending, 0);

    // Lifecycle notices: reauthorization is asked of Graph; a removed subscription is
    // forgotten (the next pass makes a new one) and what it may have missed is read again.
    sim.state
        .lock()
        .unwrap()
        .subscriptions
        .insert("sub-r".into(), serde_json::json!({"id": "sub-r"}));
    let lifecycle = |event: &str| {
        let body = serde_json::json!({"value": [{"subscriptionId": "sub-r", "clientState": "st", "lifecycleEvent": event}]});
        app.client.post(app.url("/webhooks/graph/lifecycle")).json(&body).send()
    };
    assert_eq!(lifecycle("reauthorizationRequired").await.unwrap().status(), 202);
    assert_eq!(sync.process_notifications().await.unwrap(), 1);
    assert_eq!(sim.state.lock().unwrap().reauthorizations, 1);
    sim.register_in_teams(&webinar, "while-removed@example.com");
    assert_eq!(lifecycle("subscriptionRemoved").await.unwrap().status(), 202);
    assert_eq!(sync.process_notifications().await.unwrap(), 1);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM graph_subscriptions WHERE id = 'sub-r'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "forgotten, to be made again");
    let e = app.event_json(&slug).await;
    assert_eq!(e["registeredCount"], 3, "the registration made meanwhile was read");
}

#[tokio::test]
async fn attendance_comes_from_teams_joined_by_our_id_then_email() {
    let sim = Sim::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::common::config_for(crate::common::Backend::Sqlite, &dir).await;
    config.graph = Some(sim.config());
    config.sealer = Some(server::crypto::Sealer::from_base64("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=").unwrap());
    let app = TestApp::spawn_with(config, dir).await;
    let webinar = sim.webinar();
    let slug = app.event(|_| {}).await;
    let link = server::events::EventInput {
        teams_webinar_id: Some(Some(webinar.clone())),
        // As the API does after checking in Teams that the service account organizes it.
        teams_webinar_checked_with: Some(server::microsoft::delegated::Account::Service(app.owner.organization_id.clone())),
        ..Default::default()
    };
    server::events::update(&app.state.db, &app.owner, &slug, &link).await.unwrap();
    let mut ids = Vec::new();
    for n in 0..2 {
        let r: serde_json::Value = app.register(&slug, person(n)).await.json().await.unwrap();
        ids.push(r["id"].as_str().unwrap().to_string());
    }
    sim.state.lock().unwrap().attendance.insert(
        webinar.clone(),
        vec![
            // Joined through Teams with a different address, but carrying our registration id.
            serde_json::json!({"emailAddress": "p0.other@example.com", "totalAttendanceInSeconds": 3000, "role": "Attendee",
                "externalRegistrationInformation": {"referrer": "Atrium", "registrationId": ids[0]}, "attendanceIntervals": []}),
            serde_json::json!({"emailAddress": "PERSON1@example.com", "totalAttendanceInSeconds": 600, "role": "Attendee"}),
            serde_json::json!({"emailAddress": "person1@example.com", "totalAttendanceInSeconds": 600, "role": "Attendee"}),
            serde_json::json!({"emailAddress": "guest@example.com", "totalAttendanceInSeconds": 100, "role": "Attendee"}),
        ],
    );
    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .basic_auth(&app.owner.email, Some(&app.owner_password))
        .send()
        .await
        .unwrap();
    let bearer = r.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_string();
    let summary: serde_json::Value = app
        .client
        .post(app.url(&format!("/api/v1/events/{slug}/attendance/refresh")))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        summary,
        serde_json::json!({"attendees": 3, "matched": 2, "unmatched": ["guest@example.com"]})
    );
    let seconds: Vec<(String, i64, Option<String>)> =
        sqlx::query_as("SELECT email_normalized, seconds, registration_id FROM attendance ORDER BY email_normalized")
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(
        seconds,
        vec![
            ("guest@example.com".into(), 100, None),
            ("person0@example.com".into(), 3000, Some(ids[0].clone())),
            ("person1@example.com".into(), 1200, Some(ids[1].clone())),
        ]
    );

    // A new attendance report announced by Graph is read without anyone asking.
    sim.state
        .lock()
        .unwrap()
        .attendance
        .get_mut(&webinar)
        .unwrap()
        .push(serde_json::json!({"emailAddress": "late@example.com", "totalAttendanceInSeconds": 60, "role": "Attendee"}));
    let body = serde_json::json!({"value": [{
        "subscriptionId": "sub-a", "clientState": "st", "changeType": "created", "tenantId": "t",
        "resource": format!("solutions/virtualEvents/webinars/{webinar}/sessions/s1/attendanceReports/r2"),
    }]});
    sqlx::query(
        "INSERT INTO graph_subscriptions (id, resource, change_type, client_state, expires_at, created_at) VALUES ('sub-a', 'a', 'created', 'st', 0, 0)",
    )
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let r = app.client.post(app.url("/webhooks/graph")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 202);
    let sync = TeamsSync::new(
        app.state.db.clone(),
        GraphClient::new(sim.config(), quick()),
        app.state.sealer.clone(),
    );
    assert_eq!(sync.process_notifications().await.unwrap(), 1);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attendance")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(rows, 4, "the late attendee is in");
}

/// Cancels a registration in the simulated Teams, as its registrant would there.
fn cancel_in_teams(sim: &Sim, webinar: &str, teams_id: &str) {
    let mut s = sim.state.lock().unwrap();
    let reg = s
        .registrations
        .get_mut(webinar)
        .unwrap()
        .iter_mut()
        .find(|r| r["id"] == teams_id)
        .unwrap();
    reg["status"] = serde_json::json!("canceled");
}

async fn status_of(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT status FROM registrations WHERE email = $1")
        .bind(email)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

both_backends!(a_stranger_canceling_your_address_in_teams_leaves_your_seat, |backend| async move {
    let sim = Sim::start().await;
    let (app, slug, webinar) = linked_app(backend, &sim).await;
    let sync = TeamsSync::new(
        app.state.db.clone(),
        GraphClient::new(sim.config(), quick()),
        app.state.sealer.clone(),
    );
    assert_eq!(app.register(&slug, person(1)).await.status(), 201);
    drain(&app, &sync).await;
    // Someone else registers the same address in Teams, then cancels there.
    let strangers = sim.register_in_teams(&webinar, "PERSON1@example.com");
    let event_id: String = sqlx::query_scalar("SELECT id FROM events WHERE slug = $1")
        .bind(&slug)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(
        sync.resync_registrations(&event_id).await.unwrap(),
        0,
        "not imported: the address is taken here"
    );
    cancel_in_teams(&sim, &webinar, &strangers);
    assert_eq!(sync.resync_registrations(&event_id).await.unwrap(), 0);
    assert_eq!(
        status_of(&app, "person1@example.com").await,
        "registered",
        "a Teams registration that only shares the address cancels nothing in Atrium"
    );
    assert_eq!(app.event_json(&slug).await["registeredCount"], 1);
    // The person's own registration, canceled in Teams, is found by Atrium's id and canceled.
    let own = sim.state.lock().unwrap().registrations[&webinar]
        .iter()
        .find(|r| r["externalRegistrationInformation"]["registrationId"].is_string())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    cancel_in_teams(&sim, &webinar, &own);
    sync.resync_registrations(&event_id).await.unwrap();
    assert_eq!(status_of(&app, "person1@example.com").await, "canceled");
});

both_backends!(a_409_for_someone_elses_registration_is_a_problem_not_a_sync, |backend| async move {
    let sim = Sim::start().await;
    let (app, slug, webinar) = linked_app(backend, &sim).await;
    let sync = TeamsSync::new(
        app.state.db.clone(),
        GraphClient::new(sim.config(), quick()),
        app.state.sealer.clone(),
    );
    // A stranger registered the address in Teams first; then its owner registers in Atrium.
    let strangers = sim.register_in_teams(&webinar, "person1@example.com");
    assert_eq!(app.register(&slug, person(1)).await.status(), 201);
    assert_eq!(app.register(&slug, person(2)).await.status(), 201);
    drain(&app, &sync).await;
    let rows: Vec<(String, Option<i64>, Option<String>)> =
        sqlx::query_as("SELECT email, teams_synced_at, teams_problem FROM registrations ORDER BY email")
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(rows[0].0, "person1@example.com");
    assert_eq!(rows[0].1, None, "Teams answered 409 for someone else's registration: not synced");
    assert!(rows[0].2.as_deref().is_some_and(|p| p.contains("Atrium did not make")), "{rows:?}");
    assert!(
        rows[1].1.is_some() && rows[1].2.is_none(),
        "the other person reached Teams: {rows:?}"
    );
    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE topic = 'graph.register' AND sent_at IS NULL")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(pending, 0, "not retried forever");
    // The organizers see it.
    let refused = server::microsoft::sync::refused(&app.state.db, &app.owner.organization_id, 20)
        .await
        .unwrap();
    assert_eq!(refused, vec![("Test webinar".to_string(), "person1@example.com".to_string())]);

    // The person cancels in Atrium: the stranger's Teams registration is not touched.
    let token = app.manage_token_of("person1@example.com").await;
    let r = app
        .client
        .post(app.url(&format!("/api/v1/registrations/{token}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(sync.sync_cancellations().await.unwrap(), 1);
    let theirs = sim.state.lock().unwrap().registrations[&webinar]
        .iter()
        .find(|r| r["id"] == strangers.as_str())
        .unwrap()["status"]
        .clone();
    assert_eq!(theirs, "registered", "only the Teams registration carrying our id is canceled");
    assert!(server::microsoft::sync::refused(&app.state.db, &app.owner.organization_id, 20)
        .await
        .unwrap()
        .is_empty());
});

both_backends!(registrations_imported_from_teams_follow_by_their_teams_id, |backend| async move {
    let sim = Sim::start().await;
    let (app, slug, webinar) = linked_app(backend, &sim).await;
    let sync = TeamsSync::new(
        app.state.db.clone(),
        GraphClient::new(sim.config(), quick()),
        app.state.sealer.clone(),
    );
    let tia = sim.register_in_teams(&webinar, "tia@example.com");
    let tom = sim.register_in_teams(&webinar, "tom@example.com");
    let event_id: String = sqlx::query_scalar("SELECT id FROM events WHERE slug = $1")
        .bind(&slug)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(sync.resync_registrations(&event_id).await.unwrap(), 2);
    let stored: Option<String> = sqlx::query_scalar("SELECT teams_registration_id FROM registrations WHERE email = 'tia@example.com'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(stored.as_deref(), Some(tia.as_str()));
    // Canceled in Teams: canceled in Atrium, found by the Teams id.
    cancel_in_teams(&sim, &webinar, &tia);
    sync.resync_registrations(&event_id).await.unwrap();
    assert_eq!(status_of(&app, "tia@example.com").await, "canceled");
    assert_eq!(status_of(&app, "tom@example.com").await, "registered");
    // Canceled in Atrium: canceled in Teams, found by the Teams id.
    let token = app.manage_token_of("tom@example.com").await;
    let r = app
        .client
        .post(app.url(&format!("/api/v1/registrations/{token}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    sync.sync_cancellations().await.unwrap();
    let status = sim.state.lock().unwrap().registrations[&webinar]
        .iter()
        .find(|r| r["id"] == tom.as_str())
        .unwrap()["status"]
        .clone();
    assert_eq!(status, "canceled");
});

const SEALER_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

/// An app in Microsoft mode (against `sim`), with no Microsoft 365 account connected yet.
async fn microsoft_app(backend: crate::common::Backend, sim: &Sim) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::common::config_for(backend, &dir).await;
    config.graph = Some(sim.config());
    config.sealer = Some(server::crypto::Sealer::from_base64(SEALER_KEY).unwrap());
    TestApp::spawn_with(config, dir).await
}

/// Connects `upn`'s account: the organization's service account, or `personal` for the owner.
async fn seed_account(app: &TestApp, sim: &Sim, upn: &str, personal: bool) {
    let sealer = server::crypto::Sealer::from_base64(SEALER_KEY).unwrap();
    let refresh = format!("sim-refresh-{}", uuid::Uuid::new_v4().simple());
    {
        let mut s = sim.state.lock().unwrap();
        s.refresh_tokens.push(refresh.clone());
        s.refresh_users.insert(refresh.clone(), upn.to_string());
    }
    let sql = if personal {
        "INSERT INTO personal_microsoft_accounts (organizer_id, user_principal_name, refresh_token_sealed, connected_at, refreshed_at) VALUES ($1, $2, $3, 0, 0)"
    } else {
        "INSERT INTO microsoft_accounts (organization_id, connected_by, user_principal_name, refresh_token_sealed, connected_at, refreshed_at) VALUES ($1, $4, $2, $3, 0, 0)"
    };
    let key = if personal { &app.owner.id } else { &app.owner.organization_id };
    let mut q = sqlx::query(sql).bind(key).bind(upn).bind(sealer.seal(&refresh));
    if !personal {
        q = q.bind(&app.owner.id);
    }
    q.execute(&app.state.db.pool).await.unwrap();
}

async fn link(app: &TestApp, token: &str, slug: &str, webinar: &str) -> (u16, serde_json::Value) {
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/events/{slug}")))
        .bearer_auth(token)
        .json(&serde_json::json!({"teamsWebinarId": webinar}))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn linked_webinar(app: &TestApp, slug: &str) -> Option<String> {
    sqlx::query_scalar("SELECT teams_webinar_id FROM events WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

both_backends!(linking_a_teams_webinar_is_checked_in_teams, |backend| async move {
    let sim = Sim::start().await;
    let app = microsoft_app(backend, &sim).await;
    let token = app.owner_token().await;
    let slug = app.event(|_| {}).await;
    let other = app.event(|_| {}).await;
    let mine = sim.webinar_organized_by(graphsim::SERVICE_UPN, &[]);
    let co_organized = sim.webinar_organized_by("someone@contoso.example", &[graphsim::SERVICE_UPN]);
    let theirs = sim.webinar_organized_by("organizer@fabrikam.example", &[]);

    // Not a webinar id: refused before anything is asked of Microsoft.
    for bad in ["x/../../users?$top=999#", "a b", "..", &format!("{mine}/registrations")] {
        let (status, body) = link(&app, &token, &slug, bad).await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert_eq!(body["errors"][0]["field"], "teamsWebinarId", "{body}");
    }
    assert_eq!(sim.requests(), 0);
    // No account connected to check with.
    let (status, body) = link(&app, &token, &slug, &mine).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("connect"), "{body}");
    assert_eq!(linked_webinar(&app, &slug).await, None);

    seed_account(&app, &sim, graphsim::SERVICE_UPN, false).await;
    // Another organization's webinar, and one that does not exist: refused, naming the field.
    for refused in [theirs.clone(), format!("{}@{}", uuid::Uuid::new_v4(), graphsim::TENANT)] {
        let (status, body) = link(&app, &token, &slug, &refused).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["errors"][0]["field"], "teamsWebinarId", "{body}");
        assert!(
            body["detail"].as_str().unwrap().contains("neither organizes nor co-organizes"),
            "{body}"
        );
    }
    assert_eq!(linked_webinar(&app, &slug).await, None);
    // Its own webinar, and one it co-organizes: linked, owned by the service account.
    let (status, body) = link(&app, &token, &slug, &mine).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["teams"]["webinarId"], mine.as_str());
    assert_eq!(body["teams"]["owner"], "service");
    // Linking again to the same webinar changes nothing and asks nothing.
    let asked = sim.requests();
    assert_eq!(link(&app, &token, &slug, &mine).await.0, 200);
    assert_eq!(sim.requests(), asked);
    // One webinar, one event.
    let (status, body) = link(&app, &token, &other, &mine).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("already linked to another event"),
        "{body}"
    );
    let (status, body) = link(&app, &token, &other, &co_organized).await;
    assert_eq!(status, 200, "{body}");
    // Another event may not take it over even through the database.
    let duplicate = sqlx::query("UPDATE events SET teams_webinar_id = $1 WHERE slug = $2")
        .bind(&mine)
        .bind(&other)
        .execute(&app.state.db.pool)
        .await;
    assert!(duplicate.is_err(), "a unique index holds the rule");

    // An organizer who connected their own account links the webinars it organizes, and owns
    // the event in Teams.
    seed_account(&app, &sim, "pat@contoso.example", true).await;
    let pats = sim.webinar_organized_by("pat@contoso.example", &[]);
    let third = app.event(|_| {}).await;
    let (status, body) = link(&app, &token, &third, &pats).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["teams"]["owner"], "organizer");
    // Unlinking needs no check.
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/events/{third}")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"teamsWebinarId": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(linked_webinar(&app, &third).await, None);
});

#[tokio::test]
async fn linking_a_teams_webinar_needs_microsoft_mode() {
    let sim = Sim::start().await;
    let app = TestApp::spawn(crate::common::Backend::Sqlite).await;
    let token = app.owner_token().await;
    let slug = app.event(|_| {}).await;
    let (status, body) = link(&app, &token, &slug, &sim.webinar()).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("connect"), "{body}");
    assert_eq!(linked_webinar(&app, &slug).await, None);
}

both_backends!(overview_shows_teams_creation_from_event_jobs, |backend| async move {
    let sim = Sim::start().await;
    let app = microsoft_app(backend, &sim).await;
    let sync = connected(&app, &sim).await;
    let draft = |e: &mut server::events::NewEvent| {
        e.status = app::domain::EventStatus::Draft;
        e.join_url = None;
    };
    let slug = app.event(draft).await;
    let other = app.event(draft).await;
    server::events::publish(&app.state.db, &app.owner, &slug, true).await.unwrap();
    server::events::publish(&app.state.db, &app.owner, &other, false).await.unwrap();
    let event = server::events::for_registration(&app.state.db, &slug).await.unwrap().unwrap();
    let other_event = server::events::for_registration(&app.state.db, &other).await.unwrap().unwrap();
    let pending = |id: String| {
        let db = app.state.db.clone();
        async move { server::jobs::pending_graph_jobs_of_event(&db, &id).await.unwrap() }
    };

    // The job that creates the event in Teams is recorded under that event, and only it waits.
    let queued: Vec<(String, Option<String>)> = sqlx::query_as("SELECT topic, event_id FROM outbox WHERE topic LIKE 'graph.%'")
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(queued, vec![("graph.webinar".to_string(), Some(event.id.clone()))]);
    assert_eq!(pending(event.id.clone()).await, 1);
    assert_eq!(pending(other_event.id.clone()).await, 0);
    let (cookie, _) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    let page = app.page(&format!("/dashboard/events/{slug}"), Some(&cookie)).await;
    assert!(page.contains("In Teams: being created…"), "{page}");
    let page = app.page(&format!("/dashboard/events/{other}"), Some(&cookie)).await;
    assert!(!page.contains("being created"), "{page}");
    assert!(page.contains("Not in Teams: connect a Microsoft 365 account"), "{page}");

    // Once Teams has the webinar nothing waits for the event any more.
    sqlx::query("UPDATE outbox SET available_at = 0")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(sync.sync_webinars().await.unwrap(), 1);
    assert_eq!(pending(event.id.clone()).await, 0);
    let page = app.page(&format!("/dashboard/events/{slug}"), Some(&cookie)).await;
    assert!(page.contains("In Teams: webinar published."), "{page}");

    // A registration's Teams job is recorded under its event too, but is not the event's own
    // work in Teams.
    assert_eq!(app.register(&slug, person(1)).await.status(), 201);
    let recorded: Option<String> = sqlx::query_scalar("SELECT event_id FROM outbox WHERE topic = 'graph.register'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(recorded.as_deref(), Some(event.id.as_str()));
    assert_eq!(pending(event.id.clone()).await, 0);
});

both_backends!(
    teams_jobs_queued_before_the_event_column_learn_their_event,
    jobs_queued_before_learn_their_event
);

/// Teams jobs already queued when the outbox gained its event column get their event from
/// their registration, or from a payload that names an existing event; nothing else does.
async fn jobs_queued_before_learn_their_event(backend: crate::common::Backend) {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::common::config_for(backend, &dir).await;
    let db = server::store::Db::connect(&config.database_url).await.unwrap();
    // The database as it was before outbox items recorded their event.
    let all = sqlx::migrate!("./migrations");
    let before = sqlx::migrate::Migrator {
        migrations: all.migrations.iter().filter(|m| m.version < 14).cloned().collect::<Vec<_>>().into(),
        ..all
    };
    before.run(&db.pool).await.unwrap();
    for sql in [
        "INSERT INTO events (id, slug, title, kind, status, start_at, end_at, time_zone, created_at, updated_at) \
         VALUES ('ev-1', 'ev-1', 'One', 'webinar', 'published', 0, 1, 'UTC', 0, 0)",
        "INSERT INTO events (id, slug, title, kind, status, start_at, end_at, time_zone, created_at, updated_at) \
         VALUES ('ev-2', 'ev-2', 'Two', 'webinar', 'published', 0, 1, 'UTC', 0, 0)",
        "INSERT INTO registrations (id, event_id, email, email_normalized, first_name, last_name, status, preferred_timezone, \
         manage_token_hash, created_at, updated_at) VALUES ('reg-1', 'ev-2', 'a@example.com', 'a@example.com', 'A', 'B', 'registered', 'UTC', 'h', 0, 0)",
        "INSERT INTO outbox (id, topic, payload, created_at, available_at, registration_id) VALUES \
         ('o1', 'graph.webinar', '{\"eventId\":\"ev-1\"}', 0, 0, NULL), \
         ('o2', 'graph.update', '{\"eventId\":\"ev-2\"}', 0, 0, NULL), \
         ('o3', 'graph.register', '{\"registrationId\":\"reg-1\"}', 0, 0, 'reg-1'), \
         ('o4', 'email', '{\"mail\":\"confirmation\",\"registrationId\":\"reg-1\"}', 0, 0, 'reg-1'), \
         ('o5', 'graph.webinar.cancel', '{\"eventId\":\"gone\"}', 0, 0, NULL), \
         ('o6', 'graph.webinar', '{}', 0, 0, NULL)",
    ] {
        sqlx::query(sql).execute(&db.pool).await.unwrap();
    }
    db.migrate().await.unwrap();
    let events: Vec<(String, Option<String>)> = sqlx::query_as("SELECT id, event_id FROM outbox ORDER BY id")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    let expected = [
        ("o1", Some("ev-1")),
        ("o2", Some("ev-2")),
        ("o3", Some("ev-2")),
        ("o4", None),
        ("o5", None),
        ("o6", None),
    ];
    let expected: Vec<(String, Option<String>)> = expected
        .iter()
        .map(|(id, event)| (id.to_string(), event.map(str::to_string)))
        .collect();
    assert_eq!(events, expected);
    assert_eq!(server::jobs::pending_graph_jobs_of_event(&db, "ev-1").await.unwrap(), 1);
    assert_eq!(
        server::jobs::pending_graph_jobs_of_event(&db, "ev-2").await.unwrap(),
        1,
        "the registration's job is not the event's"
    );
}
