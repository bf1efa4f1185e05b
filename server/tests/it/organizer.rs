//! The organizer API: tokens, events, questions, presenters, registrants and decisions, and that
//! every organizer route is closed to strangers and to other organizations.

use crate::common::{person, TestApp};
use serde_json::{json, Value};

async fn token(app: &TestApp, email: &str, password: &str) -> String {
    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .basic_auth(email, Some(password))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string()
}

fn webinar(slug: &str) -> Value {
    json!({
        "slug": slug,
        "title": "Quarterly product update",
        "summary": "What shipped",
        "description": "Long text",
        "kind": "webinar",
        "startDateTime": "2031-03-10T16:00",
        "endDateTime": "2031-03-10T17:00",
        "timeZone": "Europe/Berlin",
        "capacity": 2,
        "isWaitlistEnabled": true,
        "isManualApprovalEnabled": true,
        "questions": [
            {"kind": "predefined", "predefinedLabel": "jobTitle", "isRequired": true},
            {"label": "Dietary needs", "answerInputType": "singleChoice", "choices": ["None", "Vegetarian"]}
        ],
        "presenters": [{"name": "Rin", "company": "Contoso", "jobTitle": "CTO", "linkedInProfileWebUrl": "https://linkedin.example/rin"}]
    })
}

both_backends!(organizer_runs_an_event_end_to_end, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let bearer = token(&app, &app.owner.email, &app.owner_password).await;
    let api = |path: &str| app.url(&format!("/api/v1{path}"));

    let created = app
        .client
        .post(api("/events"))
        .bearer_auth(&bearer)
        .json(&webinar("product-update"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let e: Value = created.json().await.unwrap();
    assert_eq!(e["status"], "draft");
    assert_eq!(e["startDateTime"], "2031-03-10T15:00:00Z", "wall-clock time in Berlin (CET)");
    assert_eq!(e["questions"][0]["label"], "Job title");
    assert_eq!(e["presenters"][0]["name"], "Rin");
    // Drafts are not public.
    assert_eq!(app.client.get(api("/events/product-update")).send().await.unwrap().status(), 404);

    let bad = app
        .client
        .post(api("/events"))
        .bearer_auth(&bearer)
        .json(&json!({"title": "", "timeZone": "Nowhere", "startDateTime": "soon"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let p: Value = bad.json().await.unwrap();
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["title", "timeZone", "endDateTime", "slug"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }

    let patched = app
        .client
        .patch(api("/events/product-update"))
        .bearer_auth(&bearer)
        .json(&json!({"title": "Q1 product update", "joinUrl": "https://teams.microsoft.com/l/meetup-join/x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    assert_eq!(patched.json::<Value>().await.unwrap()["title"], "Q1 product update");
    let published = app
        .client
        .post(api("/events/product-update/publish"))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(published.json::<Value>().await.unwrap()["status"], "published");

    // Three people register; manual approval holds them as pending.
    let job = app.question_id("product-update", "Job title").await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let mut body = person(n);
        body["answers"] = json!([{"questionId": job, "value": format!("Engineer {n}")}]);
        let r: Value = app.register("product-update", body).await.json().await.unwrap();
        assert_eq!(r["status"], "pendingApproval");
        ids.push(r["id"].as_str().unwrap().to_string());
    }
    let decide = |id: &str, action: &str| {
        app.client
            .post(api(&format!("/events/product-update/registrations/{id}/{action}")))
            .bearer_auth(&bearer)
            .send()
    };
    assert_eq!(decide(&ids[0], "approve").await.unwrap().status(), 200);
    assert_eq!(decide(&ids[1], "approve").await.unwrap().status(), 200);
    let full = decide(&ids[2], "approve").await.unwrap();
    assert_eq!(full.status(), 409, "capacity 2 is full");
    assert_eq!(decide(&ids[2], "reject").await.unwrap().status(), 200);
    assert_eq!(decide(&ids[2], "approve").await.unwrap().status(), 409);

    let list: Value = app
        .client
        .get(api("/events/product-update/registrations?status=registered"))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["totalCount"], 2);
    assert_eq!(list["value"][0]["registrationQuestionAnswers"][0]["displayName"], "Job title");
    let search: Value = app
        .client
        .get(api("/events/product-update/registrations?q=person2"))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(search["totalCount"], 1);
    assert_eq!(search["value"][0]["status"], "rejectedByOrganizer");

    let csv = app
        .client
        .get(api("/events/product-update/registrations.csv"))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(
        lines[0].ends_with(r#""Job title","Dietary needs""#),
        "every cell quoted: {}",
        lines[0]
    );
    assert!(csv.contains("Engineer 1"));

    let sent: Value = app
        .client
        .post(api("/events/product-update/announcements"))
        .bearer_auth(&bearer)
        .json(&json!({"message": "Slides are up", "statuses": ["registered"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sent["recipients"], 2);
    let canceled = app
        .client
        .post(api("/events/product-update/cancel"))
        .bearer_auth(&bearer)
        .json(&json!({"message": "Postponed to <b>May</b>"}))
        .send()
        .await
        .unwrap();
    assert_eq!(canceled.json::<Value>().await.unwrap()["status"], "canceled");
    assert_eq!(
        app.client
            .patch(api("/events/product-update"))
            .bearer_auth(&bearer)
            .json(&json!({"title": "x"}))
            .send()
            .await
            .unwrap()
            .status(),
        409
    );

    let emails = app.flush_outbox().await;
    assert_eq!(
        emails.iter().filter(|m| m.contains("Subject: Canceled: Q1 product update")).count(),
        2,
        "every registered person hears of it"
    );
    let (html, text) = crate::common::bodies(emails.iter().find(|m| m.contains("Subject: Canceled:")).unwrap());
    assert!(
        html.contains("Postponed to &lt;b&gt;May&lt;/b&gt;"),
        "the message is escaped in HTML: {html}"
    );
    assert!(!html.contains("<b>May</b>"));
    assert!(text.contains("Postponed to <b>May</b>"), "plain text keeps the words as written");
    assert_eq!(emails.iter().filter(|m| m.contains("Slides are up")).count(), 2);
    assert_eq!(
        emails.iter().filter(|m| m.contains("Subject: Registration not accepted")).count(),
        1
    );
});

both_backends!(every_organizer_route_is_scoped, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let owner = token(&app, &app.owner.email, &app.owner_password).await;
    let (_, other_password) = server::accounts::auth::create_organizer(&app.state.db, "other@example.com", "Other Org", None)
        .await
        .unwrap();
    let other = token(&app, "other@example.com", &other_password).await;
    let slug = app.event(|e| e.manual_approval = true).await;
    let r: Value = app.register(&slug, person(1)).await.json().await.unwrap();
    let reg = r["id"].as_str().unwrap().to_string();

    let routes: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", "/organizer/events".into(), None),
        ("PATCH", format!("/events/{slug}"), Some(json!({"summary": "changed"}))),
        ("GET", format!("/events/{slug}/questions"), None),
        ("PUT", format!("/events/{slug}/questions"), Some(json!([]))),
        ("GET", format!("/events/{slug}/presenters"), None),
        ("PUT", format!("/events/{slug}/presenters"), Some(json!([]))),
        ("GET", format!("/events/{slug}/registrations"), None),
        ("GET", format!("/events/{slug}/registrations.csv"), None),
        ("POST", format!("/events/{slug}/announcements"), Some(json!({"message": "hi"}))),
        ("POST", format!("/events/{slug}/registrations/{reg}/approve"), None),
        ("POST", format!("/events/{slug}/publish"), None),
        ("POST", format!("/events/{slug}/cancel"), None),
    ];
    for (method, path, body) in &routes {
        let send = |bearer: Option<&str>| {
            let mut req = app.client.request(method.parse().unwrap(), app.url(&format!("/api/v1{path}")));
            if let Some(b) = bearer {
                req = req.bearer_auth(b);
            }
            if let Some(body) = body {
                req = req.json(body);
            }
            req.send()
        };
        assert_eq!(send(None).await.unwrap().status(), 401, "anonymous {method} {path}");
        assert_eq!(
            send(Some("atr_not-a-real-token")).await.unwrap().status(),
            401,
            "bad token {method} {path}"
        );
        let stranger = send(Some(&other)).await.unwrap();
        if path == "/organizer/events" {
            let list: Value = stranger.json().await.unwrap();
            assert_eq!(
                list["value"].as_array().unwrap().len(),
                0,
                "another organization sees none of these events"
            );
        } else {
            assert_eq!(stranger.status(), 404, "other organization {method} {path}");
        }
        let mine = send(Some(&owner)).await.unwrap();
        assert!(mine.status().is_success(), "owner {method} {path}: {}", mine.status());
    }
    // A revoked token stops working.
    let list = server::accounts::tokens::list(&app.state.db, &app.owner).await.unwrap();
    assert!(server::accounts::tokens::revoke(&app.state.db, &app.owner, &list[0].id)
        .await
        .unwrap());
    assert_eq!(
        app.client
            .get(app.url("/api/v1/organizer/events"))
            .bearer_auth(&owner)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
});

#[tokio::test]
async fn token_endpoint_refuses_bad_passwords_and_limits_guessing_per_address() {
    let app = TestApp::spawn(crate::common::Backend::Sqlite).await;
    let url = app.url("/api/v1/tokens");
    assert_eq!(app.client.post(&url).send().await.unwrap().status(), 401);
    let from = |address: &'static str, password: String| {
        app.client
            .post(&url)
            .header("x-forwarded-for", address)
            .basic_auth(&app.owner.email, Some(password))
            .send()
    };
    for _ in 0..server::limits::SIGN_IN_PAIR.hits {
        assert_eq!(from("198.51.100.7", "wrong password!".into()).await.unwrap().status(), 401);
    }
    let limited = from("198.51.100.7", app.owner_password.clone()).await.unwrap();
    assert_eq!(limited.status(), 429, "this address has used up its attempts for the account");
    assert!(limited.headers().contains_key("retry-after"));
    let owner = from("203.0.113.50", app.owner_password.clone()).await.unwrap();
    assert_eq!(owner.status(), 201, "the owner, elsewhere, is not locked out");
}

#[tokio::test]
async fn create_organizer_command_prints_a_working_password() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .args(args)
            .env("ATRIUM_DATA_DIR", dir.path())
            .env_remove("DATABASE_URL")
            .output()
            .unwrap()
    };
    let out = run(&["create-organizer", "--email", "Founder@Example.com", "--organization", "Fabrikam"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("Created organizer Founder@Example.com in Fabrikam."));
    let password = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Password (shown only now): "))
        .unwrap()
        .trim()
        .to_string();
    assert!(password.len() >= server::accounts::auth::MIN_PASSWORD);
    let again = run(&["create-organizer", "--email", "founder@example.com", "--organization", "Fabrikam"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has an account"));
    let weak = run(&[
        "create-organizer",
        "--email",
        "b@example.com",
        "--organization",
        "Fabrikam",
        "--password",
        "short",
    ]);
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 12 characters"));

    let config = server::config::Config::for_dir(dir.path().to_path_buf(), None);
    let db = server::store::Db::connect(&config.database_url).await.unwrap();
    let who = server::accounts::auth::authenticate(
        &db,
        &server::accounts::passwords::Hasher::new(1, std::time::Duration::from_secs(30)),
        server::accounts::auth::Credential::Password {
            email: "founder@example.com",
            password: &password,
        },
    )
    .await
    .unwrap();
    assert_eq!(who.unwrap().organization_name, "Fabrikam");
}

#[tokio::test]
async fn openapi_documents_every_organizer_route() {
    let app = TestApp::spawn(crate::common::Backend::Sqlite).await;
    let spec: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (method, path) in [
        ("post", "/tokens"),
        ("get", "/organizer/events"),
        ("post", "/events"),
        ("patch", "/events/{slug}"),
        ("post", "/events/{slug}/publish"),
        ("post", "/events/{slug}/cancel"),
        ("get", "/events/{slug}/questions"),
        ("put", "/events/{slug}/questions"),
        ("get", "/events/{slug}/presenters"),
        ("put", "/events/{slug}/presenters"),
        ("get", "/events/{slug}/registrations"),
        ("get", "/events/{slug}/registrations.csv"),
        ("post", "/events/{slug}/registrations/{id}/{action}"),
        ("post", "/events/{slug}/announcements"),
        ("get", "/events/{slug}/reminders"),
        ("put", "/events/{slug}/attendance"),
        ("post", "/events/{slug}/attendance/refresh"),
    ] {
        let op = &spec["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is documented");
        assert!(op["responses"]["401"].is_object(), "{method} {path} documents 401");
    }
}

both_backends!(attendance_report_import_matches_registrants, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let bearer = token(&app, &app.owner.email, &app.owner_password).await;
    let slug = app.event(|_| {}).await;
    for n in 0..2 {
        assert_eq!(app.register(&slug, person(n)).await.status(), 201);
    }
    let report = "1. Summary\nMeeting title\tTest\n\n2. Participants\nName\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tRole\n\
        Person Zero\t-\t-\t55m 28s\tPERSON0@example.com\tAttendee\n\
        Walk In\t-\t-\t1h 2m\twalkin@example.com\tAttendee\n\n3. In-Meeting Activities\n";
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in report.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let url = app.url(&format!("/api/v1/events/{slug}/attendance"));
    let r = app
        .client
        .put(&url)
        .bearer_auth(&bearer)
        .header("content-type", "text/csv")
        .body(utf16)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let summary: Value = r.json().await.unwrap();
    assert_eq!(summary, json!({"attendees": 2, "matched": 1, "unmatched": ["walkin@example.com"]}));
    let list: Value = app
        .client
        .get(&url)
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["value"][0],
        json!({"emailAddress": "person0@example.com", "totalAttendanceInSeconds": 3328})
    );
    let bad = app
        .client
        .put(&url)
        .bearer_auth(&bearer)
        .body("just,some\ncsv,data")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let p: Value = bad.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "report");
    // A failed import leaves the earlier one in place.
    let list: Value = app
        .client
        .get(&url)
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["value"].as_array().unwrap().len(), 2);
});

both_backends!(the_export_streams_every_registrant_once_across_pages, |backend| async move {
    use futures::StreamExt;
    let app = TestApp::spawn(backend).await;
    let bearer = token(&app, &app.owner.email, &app.owner_password).await;
    let slug = app.event(|e| e.capacity = None).await;
    // More than two of the export's pages of 500.
    let count = 1_201;
    let statuses: Vec<u16> = futures::stream::iter(0..count)
        .map(|n| {
            let app = &app;
            let slug = &slug;
            async move { app.register(slug, person(n)).await.status().as_u16() }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    assert!(statuses.iter().all(|s| *s == 201));
    let csv = app
        .client
        .get(app.url(&format!("/api/v1/events/{slug}/registrations.csv")))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), count + 1, "a header and one line per registrant");
    let mut emails: Vec<&str> = lines[1..].iter().map(|l| l.split(',').nth(4).unwrap()).collect();
    emails.sort_unstable();
    emails.dedup();
    assert_eq!(emails.len(), count, "nobody twice, nobody left out");
    // In the order people registered.
    let times: Vec<&str> = lines[1..].iter().map(|l| l.split(',').nth(7).unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "registration order");
});
