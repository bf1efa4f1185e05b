//! The registration portal over real HTTP, against SQLite and PostgreSQL.

use crate::common::{person, question, TestApp};
use app::domain::AnswerInputType;
use serde_json::{json, Value};

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["field"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

both_backends!(lists_and_shows_events, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let slug = app
        .event(|e| {
            e.questions = vec![question("Team size", AnswerInputType::SingleChoice, true, &["1-10", "11+"])];
            e.terms_url = Some("https://example.com/terms".into());
        })
        .await;
    app.event(|e| e.status = app::domain::EventStatus::Draft).await;

    let list: Value = app
        .client
        .get(app.url("/api/v1/events"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let events = list["value"].as_array().unwrap();
    assert_eq!(events.len(), 1, "drafts are not listed: {list}");
    let e = &events[0];
    assert_eq!(e["slug"], slug);
    for key in [
        "title",
        "kind",
        "status",
        "startDateTime",
        "endDateTime",
        "timeZone",
        "capacity",
        "registeredCount",
        "waitlistedCount",
        "isWaitlistEnabled",
        "isManualApprovalEnabled",
        "questions",
    ] {
        assert!(e.get(key).is_some(), "{key} missing from {e}");
    }
    assert_eq!(e["kind"], "webinar");
    assert_eq!(e["timeZone"], "Europe/Berlin");
    assert!(e["startDateTime"].as_str().unwrap().ends_with('Z'));
    let q = &e["questions"][0];
    assert_eq!(q["answerInputType"], "singleChoice");
    assert_eq!(q["choices"], json!(["1-10", "11+"]));
    assert_eq!(q["isRequired"], true);

    let one = app.client.get(app.url(&format!("/api/v1/events/{slug}"))).send().await.unwrap();
    assert_eq!(one.status(), 200);
    let missing = app.client.get(app.url("/api/v1/events/no-such-event")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()["content-type"], "application/problem+json");

    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let spec: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        spec["paths"]["/events/{slug}/registrations"]["post"].is_object(),
        "OpenAPI documents registration"
    );
});

both_backends!(registers_once_per_email_and_replays_idempotent_requests, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let slug = app.event(|_| {}).await;

    let first = app.register(&slug, person(1)).await;
    assert_eq!(first.status(), 201);
    let created: Value = first.json().await.unwrap();
    assert_eq!(created["status"], "registered");
    let token = created["manageToken"].as_str().unwrap().to_string();
    assert!(created["manageUrl"].as_str().unwrap().ends_with(&format!("/r/{token}")));

    // The same email again (in another case) gets the existing registration, without its secret.
    let mut again = person(1);
    again["email"] = json!("PERSON1@example.com");
    let second = app.register(&slug, again).await;
    assert_eq!(second.status(), 200);
    let existing: Value = second.json().await.unwrap();
    assert_eq!(existing["id"], created["id"]);
    assert!(
        existing.get("manageToken").is_none(),
        "the manage token is only emailed: {existing}"
    );
    let event = app.event_json(&slug).await;
    assert_eq!(event["registeredCount"], 1);

    // An Idempotency-Key replays the first answer.
    let send = |n: usize| {
        app.client
            .post(app.url(&format!("/api/v1/events/{slug}/registrations")))
            .header("Idempotency-Key", "retry-42")
            .json(&person(n))
            .send()
    };
    let a: Value = send(2).await.unwrap().json().await.unwrap();
    let b = send(2).await.unwrap();
    assert_eq!(b.status(), 201);
    let b: Value = b.json().await.unwrap();
    assert_eq!(a["id"], b["id"]);
    assert_eq!(a["manageToken"], b["manageToken"]);
    assert_eq!(app.event_json(&slug).await["registeredCount"], 2);

    let reg: Value = app
        .client
        .get(app.url(&format!("/api/v1/registrations/{token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reg["firstName"], "Person1");
    assert_eq!(reg["preferredTimezone"], "Europe/Berlin");
    assert_eq!(reg["joinWebUrl"], "https://teams.microsoft.com/l/meetup-join/test");
    assert_eq!(reg["event"]["slug"], slug);

    let emails = app.flush_outbox().await;
    assert_eq!(emails.len(), 3, "confirmation, details again, second confirmation");
    assert!(emails.iter().filter(|m| m.contains("Subject: You're registered")).count() == 2);
    assert!(emails.iter().any(|m| m.contains("Subject: Your registration")));
    assert!(emails
        .iter()
        .all(|m| m.contains("BEGIN:VCALENDAR") && m.contains("text/html") && m.contains("text/plain")));
});

both_backends!(rejects_bad_input_with_named_fields, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let slug = app
        .event(|e| {
            e.terms_url = Some("https://example.com/terms".into());
            e.questions = vec![
                question("Company", AnswerInputType::Text, true, &[]),
                question("Size", AnswerInputType::SingleChoice, false, &["Small", "Large"]),
                question("Topics", AnswerInputType::MultiChoice, false, &["A", "B"]),
            ];
        })
        .await;
    let company = app.question_id(&slug, "Company").await;
    let size = app.question_id(&slug, "Size").await;
    let url = app.url(&format!("/api/v1/events/{slug}/registrations"));

    let malformed = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"firstName\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    assert_eq!(malformed.headers()["content-type"], "application/problem+json");
    let wrong_type = app
        .client
        .post(&url)
        .header("content-type", "text/plain")
        .body("hi")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 415);
    let bad_key = app
        .client
        .post(&url)
        .header("Idempotency-Key", "x".repeat(300))
        .json(&person(1))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_key.status(), 400);

    let empty = app.register(&slug, json!({})).await;
    assert_eq!(empty.status(), 422);
    let p: Value = empty.json().await.unwrap();
    let f = fields(&p);
    for expected in ["firstName", "lastName", "email", "acceptTerms", &format!("answers.{company}")] {
        assert!(f.iter().any(|x| x == expected), "{expected} not in {f:?}");
    }

    let bad = app
        .register(
            &slug,
            json!({
                "firstName": "Ada", "lastName": "L".repeat(101), "email": "ada@example",
                "preferredTimezone": "Mars/Olympus", "acceptTerms": true,
                "answers": [
                    {"questionId": company, "value": "x".repeat(1001)},
                    {"questionId": size, "value": "Medium"},
                    {"questionId": "nope", "value": "?"}
                ]
            }),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let p: Value = bad.json().await.unwrap();
    let f = fields(&p);
    for expected in [
        "lastName",
        "email",
        "preferredTimezone",
        &format!("answers.{company}"),
        &format!("answers.{size}"),
        "answers[2].questionId",
    ] {
        assert!(f.iter().any(|x| x == expected), "{expected} not in {f:?}");
    }
    assert!(p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| !e["message"].as_str().unwrap().is_empty()));
    assert_eq!(app.event_json(&slug).await["registeredCount"], 0, "nothing was written");

    let unknown = app.register("no-such-event", person(1)).await;
    assert_eq!(unknown.status(), 404);
});

both_backends!(refuses_outside_the_window_and_when_canceled, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let now = jiff::Timestamp::now().as_second();
    let not_yet = app.event(|e| e.registration_opens_at = Some(now + 3600)).await;
    let closed = app.event(|e| e.registration_closes_at = Some(now - 60)).await;
    let canceled = app.event(|e| e.status = app::domain::EventStatus::Canceled).await;
    let draft = app.event(|e| e.status = app::domain::EventStatus::Draft).await;
    for (slug, status, words) in [
        (not_yet, 409, "not opened"),
        (closed, 409, "closed"),
        (canceled, 409, "canceled"),
        (draft, 404, "Event not found"),
    ] {
        let r = app.register(&slug, person(1)).await;
        assert_eq!(r.status(), status, "{slug}");
        let p: Value = r.json().await.unwrap();
        // A refusal says why in its detail; a draft is not there at all, which its title says.
        let said = if status == 404 { &p["title"] } else { &p["detail"] };
        assert!(said.as_str().is_some_and(|s| s.contains(words)), "{p}");
    }
});

both_backends!(full_events_waitlist_and_promote_on_cancel, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let slug = app.event(|e| e.capacity = Some(2)).await;
    let mut tokens = Vec::new();
    for n in 0..4 {
        let r: Value = app.register(&slug, person(n)).await.json().await.unwrap();
        tokens.push(r["manageToken"].as_str().unwrap().to_string());
        let expected = if n < 2 { "registered" } else { "waitlisted" };
        assert_eq!(r["status"], expected);
        if n >= 2 {
            assert_eq!(r["waitlistPosition"], (n - 1) as i64);
        }
    }
    let cancel = app
        .client
        .post(app.url(&format!("/api/v1/registrations/{}/cancel", tokens[0])))
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), 200);
    let canceled: Value = cancel.json().await.unwrap();
    assert_eq!(canceled["status"], "canceled");
    // Canceling twice is harmless.
    let twice = app
        .client
        .post(app.url(&format!("/api/v1/registrations/{}/cancel", tokens[0])))
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), 200);

    let promoted: Value = app
        .client
        .get(app.url(&format!("/api/v1/registrations/{}", tokens[2])))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(promoted["status"], "registered");
    let still: Value = app
        .client
        .get(app.url(&format!("/api/v1/registrations/{}", tokens[3])))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(still["status"], "waitlisted");
    assert_eq!(still["waitlistPosition"], 1);
    let e = app.event_json(&slug).await;
    assert_eq!((e["registeredCount"].as_i64(), e["waitlistedCount"].as_i64()), (Some(2), Some(1)));

    let emails = app.flush_outbox().await;
    assert_eq!(emails.iter().filter(|m| m.contains("Subject: Registration canceled")).count(), 1);
    let promoted_mail = emails.iter().find(|m| m.contains("A place opened up")).expect("promotion email");
    assert!(promoted_mail.contains("person2@example.com"));
    assert_eq!(emails.iter().filter(|m| m.contains("on the waitlist")).count(), 2);

    // Without a waitlist, a full event says so.
    let strict = app
        .event(|e| {
            e.capacity = Some(1);
            e.waitlist_enabled = false;
        })
        .await;
    assert_eq!(app.register(&strict, person(1)).await.status(), 201);
    let full = app.register(&strict, person(2)).await;
    assert_eq!(full.status(), 409);
    let p: Value = full.json().await.unwrap();
    assert_eq!(p["detail"], "This event is full.");
});

both_backends!(last_seat_race_never_oversells, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let slug = app.event(|e| e.capacity = Some(50)).await;
    let url = app.url(&format!("/api/v1/events/{slug}/registrations"));
    let mut tasks = Vec::new();
    for n in 0..200 {
        let client = app.client.clone();
        let url = url.clone();
        let from = crate::common::next_address();
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .header("x-forwarded-for", from)
                .json(&person(n))
                .send()
                .await
                .unwrap()
        }));
    }
    let mut registered = 0;
    let mut waitlisted = 0;
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status(), 201);
        let body: Value = r.json().await.unwrap();
        match body["status"].as_str().unwrap() {
            "registered" => registered += 1,
            "waitlisted" => waitlisted += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((registered, waitlisted), (50, 150));
    let e = app.event_json(&slug).await;
    assert_eq!(
        (e["registeredCount"].as_i64(), e["waitlistedCount"].as_i64()),
        (Some(50), Some(150))
    );
    // The stored rows agree with the counters, and the waitlist order has no gaps or repeats.
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM registrations WHERE status = 'registered'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, 50);
    let seqs: Vec<i64> = sqlx::query_scalar("SELECT waitlist_seq FROM registrations WHERE status = 'waitlisted' ORDER BY waitlist_seq")
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(seqs, (1..=150).collect::<Vec<i64>>());
});

both_backends!(outbox_survives_a_crash_and_sends_once, |backend| async move {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::common::config_for(backend, &dir).await;
    // First life: the registration commits, then the process dies before any delivery.
    let db = server::store::Db::connect(&config.database_url).await.unwrap();
    db.migrate().await.unwrap();
    let now = jiff::Timestamp::now().as_second();
    let (owner, _) = server::accounts::auth::create_organizer(&db, "crash@example.com", "Crash Org", None)
        .await
        .unwrap();
    server::events::insert(
        &db,
        &server::events::NewEvent {
            organization_id: owner.organization_id,
            slug: "crash-test".into(),
            title: "Crash test".into(),
            summary: String::new(),
            description: String::new(),
            kind: app::domain::EventKind::Meeting,
            status: app::domain::EventStatus::Published,
            start_at: now + 3600,
            end_at: now + 7200,
            time_zone: "UTC".into(),
            capacity: None,
            waitlist_enabled: false,
            manual_approval: false,
            registration_opens_at: None,
            registration_closes_at: None,
            join_url: None,
            terms_url: None,
            questions: Vec::new(),
            presenters: Vec::new(),
        },
    )
    .await
    .unwrap();
    let input: server::registrations::NewRegistration = serde_json::from_value(person(7)).unwrap();
    let sealer = match &config.sealer {
        Some(s) => s.clone(),
        None => server::crypto::Sealer::load_or_create(&dir.path().join("secret.key")).unwrap(),
    };
    let registrar = server::registrations::Registrar::start(db.clone(), sealer, 20);
    server::registrations::register(&registrar, "crash-test", &input, None, None)
        .await
        .unwrap();
    // A worker claimed the message and died mid-delivery: its lease is still running.
    sqlx::query("UPDATE outbox SET locked_until = $1, attempts = 1")
        .bind(server::clock::Clock::now_ms(&server::clock::SystemClock) + 60_000)
        .execute(&db.pool)
        .await
        .unwrap();
    db.pool.close().await;

    // Second life: the message waits for the lease, then goes out exactly once.
    let app = TestApp::spawn_with(config, dir).await;
    assert_eq!(app.flush_outbox().await.len(), 0, "a running lease is respected");
    app.clock.advance_secs(61);
    let emails = app.flush_outbox().await;
    assert_eq!(emails.len(), 1);
    assert!(emails[0].contains("person7@example.com"));
    // Delivered again after a crash between writing and recording: still one file.
    sqlx::query("UPDATE outbox SET sent_at = NULL, locked_until = NULL")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(app.flush_outbox().await.len(), 1);
    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(pending, 0);
});

both_backends!(concurrent_duplicates_take_one_seat, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let slug = app.event(|e| e.capacity = Some(5)).await;
    let url = app.url(&format!("/api/v1/events/{slug}/registrations"));
    let send_all = |key: Option<&'static str>, who: usize| {
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let mut req = app
                    .client
                    .post(url.clone())
                    .header("x-forwarded-for", crate::common::next_address())
                    .json(&person(who));
                if let Some(k) = key {
                    req = req.header("Idempotency-Key", k);
                }
                tokio::spawn(req.send())
            })
            .collect();
        async move {
            let mut out = Vec::new();
            for t in tasks {
                let r = t.await.unwrap().unwrap();
                let status = r.status().as_u16();
                out.push((status, r.json::<Value>().await.unwrap()));
            }
            out
        }
    };
    // The same person twenty times at once: one registration, nineteen "already registered".
    let answers = send_all(None, 1).await;
    assert_eq!(answers.iter().filter(|(s, _)| *s == 201).count(), 1);
    assert_eq!(answers.iter().filter(|(s, _)| *s == 200).count(), 19);
    assert!(answers.iter().all(|(_, b)| b["id"] == answers[0].1["id"]));
    // Twenty retries of one request under one Idempotency-Key: one registration, the same answer.
    let answers = send_all(Some("burst-1"), 2).await;
    assert!(answers.iter().all(|(s, _)| *s == 201));
    assert!(answers.iter().all(|(_, b)| b["manageToken"] == answers[0].1["manageToken"]));
    let e = app.event_json(&slug).await;
    assert_eq!(e["registeredCount"], 2);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM registrations")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(rows, 2);
});
