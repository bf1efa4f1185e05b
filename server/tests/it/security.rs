//! What a security review found, each kept from coming back: idempotency keys bound to their
//! request, sign-in redirects and limits, registration flooding, double opt-in, paging,
//! notices, HSTS, manage links at rest and after the event, the audit trail, API tokens and
//! invitations. Storage-related cases run on SQLite and PostgreSQL.

use crate::common::{next_address, person, TestApp};
use crate::html::Page;
use serde_json::{json, Value};

/// The fields a problem+json answer names in `errors`.
async fn problem_fields(r: reqwest::Response) -> Vec<String> {
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let problem: Value = r.json().await.unwrap();
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect()
}

/// Registers `body` from `address` with an optional `Idempotency-Key`.
async fn register_from(app: &TestApp, slug: &str, body: &Value, address: &str, key: Option<&str>) -> reqwest::Response {
    let mut r = app
        .client
        .post(app.url(&format!("/api/v1/events/{slug}/registrations")))
        .header("x-forwarded-for", address)
        .json(body);
    if let Some(k) = key {
        r = r.header("idempotency-key", k);
    }
    r.send().await.unwrap()
}

/// A password sign-in from `address`, returning the response.
async fn sign_in_from(app: &TestApp, email: &str, password: &str, address: &str, next: &str) -> reqwest::Response {
    app.client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", address)
        .body(serde_urlencoded::to_string([("email", email), ("password", password), ("next", next)]).unwrap())
        .send()
        .await
        .unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.state.db.pool).await.unwrap()
}

both_backends!(a_reused_idempotency_key_replays_only_its_own_request, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let slug = app.event(|_| {}).await;
    let first = register_from(&app, &slug, &person(1), &next_address(), Some("key-1")).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    // The same request again (a retry): the same answer, the same link.
    let again: Value = register_from(&app, &slug, &person(1), &next_address(), Some("key-1"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["manageToken"], first["manageToken"]);
    // The same key with someone else's details: refused, and nothing of the first person leaks.
    let other = register_from(&app, &slug, &person(2), &next_address(), Some("key-1")).await;
    assert_eq!(other.status(), 422);
    assert_eq!(other.headers()["content-type"], "application/problem+json");
    let text = other.text().await.unwrap();
    assert!(text.contains("different request"), "{text}");
    assert!(!text.contains(first["manageToken"].as_str().unwrap()));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM registrations WHERE email = 'person2@example.com'").await,
        0
    );
    // Keys are forgotten after a day: the key then starts a new registration.
    app.clock.advance_secs(86_401);
    let later = register_from(&app, &slug, &person(2), &next_address(), Some("key-1")).await;
    assert_eq!(later.status(), 201);
    let later: Value = later.json().await.unwrap();
    assert_ne!(later["id"], first["id"]);
});

#[tokio::test]
async fn sign_in_returns_only_to_paths_on_this_site() {
    let app = TestApp::spawn(crate::common::Backend::Sqlite).await;
    let (email, password) = (app.owner.email.clone(), app.owner_password.clone());
    for bad in [
        "/\t/evil.example",
        "/\n/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/ /evil.example",
        "/x\r\nSet-Cookie: stolen=1",
        "",
    ] {
        let r = sign_in_from(&app, &email, &password, &next_address(), bad).await;
        assert_eq!(r.status(), 303, "{bad:?}");
        assert_eq!(r.headers()["location"], "/dashboard", "{bad:?}");
    }
    let r = sign_in_from(&app, &email, &password, &next_address(), "/dashboard/team?from=mail").await;
    assert_eq!(r.headers()["location"], "/dashboard/team?from=mail");
    // The sign-in page does not carry a bad target either.
    let page = app.page("/login?next=%2F%09%2Fevil.example", None).await;
    assert!(page.contains(r#"name="next" value="/dashboard""#), "{page}");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM sessions").await,
        10,
        "one session per sign-in, no error half-way"
    );
}

both_backends!(parallel_guesses_are_counted_before_they_are_checked, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let guesses: Vec<_> = (0..20)
        .map(|n| {
            let (client, url, email) = (app.client.clone(), app.url("/login"), app.owner.email.clone());
            tokio::spawn(async move {
                client
                    .post(url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("x-forwarded-for", "198.51.100.66")
                    .body(serde_urlencoded::to_string([("email", email.as_str()), ("password", &format!("wrong guess {n}"))]).unwrap())
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let (mut passed, mut limited) = (0, 0);
    for g in guesses {
        match g.await.unwrap() {
            // Past the limiter: checked (401), or turned away by a busy password checker (503).
            401 | 503 => passed += 1,
            429 => limited += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(passed, server::limits::SIGN_IN_PAIR.hits, "only five guesses got past the limit");
    assert_eq!(limited, 15);
});

both_backends!(an_attacker_cannot_lock_the_owner_out, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let (email, password) = (app.owner.email.clone(), app.owner_password.clone());
    // Three addresses hammer the account until each is turned away.
    for attacker in ["198.51.100.1", "198.51.100.2", "198.51.100.3"] {
        for _ in 0..server::limits::SIGN_IN_PAIR.hits {
            assert_eq!(sign_in_from(&app, &email, "not the password", attacker, "").await.status(), 401);
        }
        let r = sign_in_from(&app, &email, &password, attacker, "").await;
        assert_eq!(r.status(), 429, "the attacker's address is limited, even with the right password");
        assert!(r.headers().contains_key("retry-after"));
    }
    // The owner, from their own address, still gets in (slowed down, not locked out).
    let r = sign_in_from(&app, &email, &password, "203.0.113.10", "").await;
    assert_eq!(r.status(), 303);
    assert!(r.headers()["set-cookie"].to_str().unwrap().starts_with("__Host-atrium_session="));
});

both_backends!(registrations_from_one_address_are_limited, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let slug = app.event(|e| e.capacity = None).await;
    let mut statuses = Vec::new();
    for n in 0..25 {
        let r = register_from(&app, &slug, &person(n), "192.0.2.44", None).await;
        if r.status() == 429 {
            assert!(r.headers().contains_key("retry-after"));
            assert_eq!(r.headers()["content-type"], "application/problem+json");
        }
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 20);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 5);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM registrations").await, 20);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM outbox WHERE topic = 'email'").await,
        20,
        "no email for the refused"
    );
    // Someone else is not affected.
    assert_eq!(register_from(&app, &slug, &person(99), "192.0.2.45", None).await.status(), 201);
});

#[tokio::test]
async fn the_registration_limit_holds_across_instances() {
    let a = TestApp::spawn(crate::common::Backend::Postgres).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = server::config::Config::for_dir(dir.path().to_path_buf(), a.database_url.clone());
    config.sealer = a.state.config.sealer.clone();
    let b = TestApp::spawn_with(config, dir).await;
    let slug = a.event(|e| e.capacity = None).await;
    let mut created = 0;
    for n in 0..15 {
        for (app, offset) in [(&a, 0), (&b, 100)] {
            if register_from(app, &slug, &person(n + offset), "192.0.2.77", None).await.status() == 201 {
                created += 1;
            }
        }
    }
    assert_eq!(created, 20, "two instances share one count");
}

both_backends!(resending_manage_links_is_limited_per_address, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let slug = app.event(|_| {}).await;
    for n in 0..7 {
        assert_eq!(app.register(&slug, person(n)).await.status(), 201);
    }
    let mut statuses = Vec::new();
    for n in 0..7 {
        statuses.push(register_from(&app, &slug, &person(n), "192.0.2.9", None).await.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429]);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE mail = 'details'").await, 5);
});

#[tokio::test]
async fn the_hidden_field_catches_robots() {
    let app = TestApp::spawn(crate::common::Backend::Sqlite).await;
    let slug = app.event(|_| {}).await;
    let r = app
        .client
        .post(app.url(&format!("/events/{slug}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("firstName=Bot&lastName=Bot&email=bot%40example.com&website=http%3A%2F%2Fspam.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let mut body = person(5);
    body["website"] = json!("http://spam.example");
    assert_eq!(app.register(&slug, body).await.status(), 422);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM registrations").await, 0);
    // People leave it empty.
    let mut body = person(6);
    body["website"] = json!("");
    assert_eq!(app.register(&slug, body).await.status(), 201);
    let page = app.page(&format!("/events/{slug}"), None).await;
    assert!(
        page.contains(r#"name="website""#) && page.contains(r#"tabindex="-1""#),
        "the form has the trap"
    );
}

both_backends!(a_seat_waits_for_the_email_address_to_be_confirmed, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let slug = app.event(|e| e.capacity = Some(1)).await;
    sqlx::query("UPDATE events SET confirm_hold_minutes = 30 WHERE slug = $1")
        .bind(&slug)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let r = app.register(&slug, person(1)).await;
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "unconfirmed");
    assert!(body.get("manageToken").is_none(), "the link travels by email only");
    assert_eq!(app.event_json(&slug).await["seatsLeft"], 0, "the seat is held");
    // The email asks to confirm and carries no calendar entry yet.
    let mails = app.flush_outbox().await;
    assert_eq!(mails.len(), 1);
    assert!(!mails[0].contains("invite.ics"));
    let (_, text) = crate::common::bodies(&mails[0]);
    let link = text
        .split_whitespace()
        .find(|w| w.ends_with("/confirm"))
        .expect("a confirmation link")
        .to_string();
    let path = link.trim_start_matches("http://localhost:3000");
    // Following the link shows a button; only pressing it confirms.
    let page = app.page(path, None).await;
    assert!(Page::parse(&page).has_button("Confirm my email address"));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM registrations WHERE status = 'registered'").await,
        0
    );
    let r = app.client.post(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM registrations WHERE status = 'registered'").await,
        1
    );
    let mails = app.flush_outbox().await;
    assert!(mails.last().unwrap().contains("You're registered"), "the confirmation follows");

    // A second event: nobody confirms, and the held seat goes to the next person after the hold.
    let slug = app.event(|e| e.capacity = Some(1)).await;
    sqlx::query("UPDATE events SET confirm_hold_minutes = 30 WHERE slug = $1")
        .bind(&slug)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(app.register(&slug, person(2)).await.status(), 201);
    let waiting: Value = app.register(&slug, person(3)).await.json().await.unwrap();
    assert_eq!(waiting["status"], "unconfirmed");
    let now = jiff::Timestamp::now().as_second();
    assert_eq!(
        server::workers::housekeeping(&app.state.db, now + 29 * 60).await.unwrap(),
        0,
        "still held"
    );
    assert_eq!(server::workers::housekeeping(&app.state.db, now + 31 * 60).await.unwrap(), 2);
    let e = app.event_json(&slug).await;
    assert_eq!(e["seatsLeft"], 1, "released");
    let held: i64 = sqlx::query_scalar("SELECT held_count FROM events WHERE slug = $1")
        .bind(&slug)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(held, 0);
});

#[tokio::test]
async fn addresses_that_cannot_be_delivered_are_refused_and_deliveries_give_up() {
    let app = TestApp::spawn(crate::common::Backend::Sqlite).await;
    let slug = app.event(|_| {}).await;
    let mut body = person(1);
    body["email"] = json!("tést@exämple.com");
    let r = app.register(&slug, body).await;
    assert_eq!(r.status(), 422);
    assert_eq!(problem_fields(r).await, ["email"]);
    // A delivery that keeps failing stops after its last attempt and shows as failed.
    assert_eq!(app.register(&slug, person(2)).await.status(), 201);
    std::fs::write(app.dir.path().join("outbox"), "not a folder").unwrap();
    sqlx::query("UPDATE outbox SET attempts = $1")
        .bind(server::notify::worker::MAX_EMAIL_ATTEMPTS - 1)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(app.state.outbox.deliver_due().await.unwrap(), 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL").await, 1);
    sqlx::query("UPDATE outbox SET available_at = 0")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(app.state.outbox.deliver_due().await.unwrap(), 0, "never tried again");
    let (cookie, _) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    let page = app.page(&format!("/dashboard/events/{slug}/messages"), Some(&cookie)).await;
    assert!(
        page.contains(&format!("failed after {} attempts", server::notify::worker::MAX_EMAIL_ATTEMPTS)),
        "{page}"
    );
}

both_backends!(paging_and_notices_take_only_what_they_expect, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let slug = app.event(|_| {}).await;
    let (cookie, _) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    for page in ["9223372036854775807", "-5", "abc", "0"] {
        let r = app
            .client
            .get(app.url(&format!("/dashboard/events/{slug}?page={page}")))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "page={page}");
    }
    let token = app.owner_token().await;
    for page in ["9223372036854775807", "abc", "0"] {
        let r = app
            .client
            .get(app.url(&format!("/api/v1/events/{slug}/registrations?page={page}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "page={page}");
        assert_eq!(problem_fields(r).await, ["page"], "page={page}");
    }
    // A link can't make the dashboard say anything it didn't mean to.
    let page = app
        .page(
            &format!("/dashboard/events/{slug}?done=Your+account+is+suspended.+Call+555-0100"),
            Some(&cookie),
        )
        .await;
    assert!(!page.contains("suspended"));
    let page = app
        .page(&format!("/dashboard/events/{slug}?done=announced&n=3"), Some(&cookie))
        .await;
    assert_eq!(Page::parse(&page).announcements(), "Message queued for 3 people.");
});

#[tokio::test]
async fn https_sites_ask_browsers_to_stay_on_https() {
    let plain = TestApp::spawn(crate::common::Backend::Sqlite).await;
    let r = plain.client.get(plain.url("/")).send().await.unwrap();
    assert!(r.headers().get("strict-transport-security").is_none());
    let dir = tempfile::tempdir().unwrap();
    let mut config = server::config::Config::for_dir(dir.path().to_path_buf(), None);
    config.public_url = "https://events.example.com".into();
    let secure = TestApp::spawn_with(config, dir).await;
    let r = secure.client.get(secure.url("/")).send().await.unwrap();
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
}

both_backends!(manage_links_are_stored_as_hashes_and_expire_after_the_event, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let slug = app.event(|_| {}).await;
    let body: Value = app.register(&slug, person(1)).await.json().await.unwrap();
    let token = body["manageToken"].as_str().unwrap().to_string();
    let stored: (String, String) = sqlx::query_as("SELECT manage_token_hash, manage_token_sealed FROM registrations")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert!(!stored.0.contains(&token) && !stored.1.contains(&token), "never in the clear");
    assert_eq!(stored.0, server::accounts::auth::sha256_hex(&token));
    assert_eq!(app.client.get(app.url(&format!("/r/{token}"))).send().await.unwrap().status(), 200);
    // Thirty-one days after the event ended, the link no longer works and says why.
    let long_ago = jiff::Timestamp::now().as_second() - 31 * 86_400;
    sqlx::query("UPDATE events SET start_at = $1, end_at = $2")
        .bind(long_ago - 3600)
        .bind(long_ago)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let page = app.client.get(app.url(&format!("/r/{token}"))).send().await.unwrap();
    assert_eq!(page.status(), 410);
    assert!(Page::parse(&page.text().await.unwrap()).text().contains("This link has expired"));
    let api = app
        .client
        .get(app.url(&format!("/api/v1/registrations/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 410);
    let cancel = app
        .client
        .post(app.url(&format!("/api/v1/registrations/{token}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), 410);
});

both_backends!(each_organization_sees_its_own_activity, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let slug = app
        .event(|e| {
            e.status = app::domain::EventStatus::Draft;
            e.manual_approval = true;
        })
        .await;
    let (cookie, csrf) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    let r = app
        .post_form(&format!("/dashboard/events/{slug}/publish"), &cookie, &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.register(&slug, person(1)).await.status(), 201);
    let id: String = sqlx::query_scalar("SELECT id FROM registrations")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let r = app
        .post_form(
            &format!("/dashboard/events/{slug}/registrations/{id}/approve"),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status(), 303);
    app.page(&format!("/dashboard/events/{slug}/registrations.csv"), Some(&cookie))
        .await;
    app.post_form(
        "/dashboard/tokens",
        &cookie,
        &[("csrf", &csrf), ("name", "CRM sync"), ("expires", "30")],
    )
    .await;
    let page = app.page("/dashboard/activity", Some(&cookie)).await;
    for what in [
        "published the event",
        "approved a registration for",
        "exported the registrants of",
        "created the API token",
    ] {
        assert!(page.contains(what), "{what}: {page}");
    }
    assert!(page.contains(&app.owner.email));
    // Another organization's trail has none of it.
    let (other, password) = server::accounts::auth::create_organizer(&app.state.db, "other@example.com", "Other Org", None)
        .await
        .unwrap();
    let (cookie, _) = app.sign_in_as(&other.email, &password).await;
    let page = app.page("/dashboard/activity", Some(&cookie)).await;
    assert!(!page.contains("published the event") && !page.contains("CRM sync"));
});

both_backends!(api_tokens_expire_and_can_be_read_only, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let slug = app.event(|_| {}).await;
    let issue = |body: Value| {
        app.client
            .post(app.url("/api/v1/tokens"))
            .basic_auth(&app.owner.email, Some(&app.owner_password))
            .json(&body)
            .send()
    };
    let r = issue(json!({"name": "reporting", "scope": "read", "expiresInDays": 30}))
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let read = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string();
    let get = app
        .client
        .get(app.url(&format!("/api/v1/events/{slug}/registrations")))
        .bearer_auth(&read)
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 200, "a read-only token reads");
    let publish = app
        .client
        .post(app.url(&format!("/api/v1/events/{slug}/cancel")))
        .bearer_auth(&read)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(publish.status(), 403, "and changes nothing");
    assert_eq!(app.event_json(&slug).await["status"], "published");
    // Past its 30 days the token is refused.
    app.clock.advance_secs(30 * 86_400 + 1);
    let get = app
        .client
        .get(app.url(&format!("/api/v1/events/{slug}/registrations")))
        .bearer_auth(&read)
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 401);
    let bad = issue(json!({"name": "x", "expiresInDays": 0})).await.unwrap();
    assert_eq!(bad.status(), 422);
    assert_eq!(problem_fields(bad).await, ["expiresInDays"]);
});

both_backends!(invitations_join_the_organization_that_sent_them, |backend| async move {
    let app = TestApp::spawn(backend).await;
    // Two organizations with the very same name; the newer one invites.
    server::accounts::auth::create_organizer(&app.state.db, "first@example.com", "Acme", None)
        .await
        .unwrap();
    let acme_two = uuid::Uuid::now_v7().to_string();
    let mut tx = app.state.db.begin_write().await.unwrap();
    sqlx::query("INSERT INTO organizations (id, name, created_at) VALUES ($1, 'Acme', $2)")
        .bind(&acme_two)
        .bind(jiff::Timestamp::now().as_second() + 10)
        .execute(&mut *tx.tx)
        .await
        .unwrap();
    let inviter = server::accounts::auth::insert_organizer(&mut tx, &acme_two, "boss@example.com", "x", 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let secret = server::accounts::team::invite(&app.state.db, &inviter, "newcomer@example.com")
        .await
        .unwrap();
    // Two browsers accept at once: one account, in the inviting organization.
    let accept = |password: &'static str| {
        let (client, url) = (app.client.clone(), app.url(&format!("/invite/{secret}")));
        tokio::spawn(async move {
            client
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("password={password}"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    };
    let (a, b) = (accept("first-password-123"), accept("second-password-123"));
    let mut statuses = [a.await.unwrap(), b.await.unwrap()];
    statuses.sort();
    assert_eq!(statuses[0], 303, "{statuses:?}");
    assert_ne!(statuses[1], 303, "{statuses:?}");
    let org: String = sqlx::query_scalar("SELECT organization_id FROM organizers WHERE email = 'newcomer@example.com'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(org, acme_two, "the organization that invited, not the first of that name");
    // A link whose account could not be made stays usable.
    let secret = server::accounts::team::invite(&app.state.db, &app.owner, "second@example.com")
        .await
        .unwrap();
    let weak = app
        .client
        .post(app.url(&format!("/invite/{secret}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("password=short")
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), 422);
    assert!(server::accounts::team::invitation(&app.state.db, &secret).await.unwrap().is_some());
});

both_backends!(organizer_lists_and_exports_hold_up, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let slug = app.event(|_| {}).await;
    let mut body = person(1);
    body["firstName"] = json!("=HYPERLINK(\"http://evil.example\")");
    body["lastName"] = json!("a;=cmd");
    assert_eq!(app.register(&slug, body).await.status(), 201);
    let (cookie, csrf) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    let csv = app
        .page(&format!("/dashboard/events/{slug}/registrations.csv"), Some(&cookie))
        .await;
    let row = csv.lines().nth(1).unwrap();
    assert!(row.contains(r#""'=HYPERLINK(""http://evil.example"")""#), "{row}");
    assert!(row.contains(r#""a;'=cmd""#), "{row}");
    assert!(row.split(',').all(|c| c.starts_with('"')), "every cell quoted: {row}");
    // The same member twice is one organizer, not an error.
    let id = app.owner.id.clone();
    let r = app
        .post_form(
            &format!("/dashboard/events/{slug}/organizers"),
            &cookie,
            &[("csrf", &csrf), ("organizer", &id), ("organizer", &id)],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM event_organizers").await, 1);
});

#[tokio::test]
async fn attendance_reports_with_broken_durations_or_thousands_of_strangers() {
    let app = TestApp::spawn(crate::common::Backend::Sqlite).await;
    let slug = app.event(|_| {}).await;
    let (cookie, csrf) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    let upload = |report: String| {
        let form = reqwest::multipart::Form::new().text("csrf", csrf.clone()).part(
            "report",
            reqwest::multipart::Part::bytes(report.into_bytes()).file_name("report.csv"),
        );
        app.client
            .post(app.url(&format!("/dashboard/events/{slug}/attendance")))
            .header("cookie", &cookie)
            .multipart(form)
            .send()
    };
    let broken = "Name,Email,Duration\nAda,ada@example.com,9223372036854775h\n".to_string();
    let r = upload(broken).await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Line 2"));
    let mut many = "Name,Email,Duration\n".to_string();
    for n in 0..4000 {
        many.push_str(&format!("Guest {n},guest{n}@example.com,10m\n"));
    }
    let r = upload(many).await.unwrap();
    assert_eq!(r.status(), 200, "the result is a page, not a redirect");
    assert!(r.headers().get("location").is_none());
    let page = r.text().await.unwrap();
    assert!(page.contains("guest3999@example.com") && page.contains("(4000)"));
}

#[tokio::test]
async fn demo_content_never_joins_real_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = server::config::Config::for_dir(dir.path().to_path_buf(), None);
    config.demo = true;
    let app = TestApp::spawn_with(config, dir).await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM organizers WHERE email = 'organizer@example.com'").await,
        1
    );
    // A database that already has an organizer gets no demo organizer with a public password.
    let dir = tempfile::tempdir().unwrap();
    let config = server::config::Config::for_dir(dir.path().to_path_buf(), None);
    let db = server::store::Db::connect(&config.database_url).await.unwrap();
    db.migrate().await.unwrap();
    server::accounts::auth::create_organizer(&db, "real@example.com", "Real Org", None)
        .await
        .unwrap();
    let sealer = server::crypto::Sealer::load_or_create(&dir.path().join("secret.key")).unwrap();
    server::demo::seed_if_empty(&db, &sealer).await.unwrap();
    let demo: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizers WHERE email = 'organizer@example.com'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(demo, 0);
    // Nor does an https site.
    let dir = tempfile::tempdir().unwrap();
    let mut config = server::config::Config::for_dir(dir.path().to_path_buf(), None);
    config.demo = true;
    config.public_url = "https://events.example.com".into();
    let app = TestApp::spawn_with(config, dir).await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM events").await, 0);
}

/// Counts the SQL statements sqlx runs for `f` itself: those logged inside a span that wraps
/// it (other tasks sharing this thread, such as the background workers, are not in it).
async fn statements_during<F: std::future::Future>(f: F) -> (F::Output, usize) {
    use tracing::Instrument;
    use tracing_subscriber::registry::LookupSpan;
    #[derive(Clone, Default)]
    struct Counter(std::sync::Arc<std::sync::atomic::AtomicUsize>);
    impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> tracing_subscriber::Layer<S> for Counter {
        fn on_event(&self, event: &tracing::Event<'_>, ctx: tracing_subscriber::layer::Context<'_, S>) {
            let measured = ctx
                .event_scope(event)
                .is_some_and(|mut scope| scope.any(|span| span.name() == "measured"));
            if event.metadata().target() == "sqlx::query" && measured {
                self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }
    use tracing_subscriber::layer::SubscriberExt;
    let counter = Counter::default();
    let subscriber = tracing_subscriber::registry()
        .with(counter.clone())
        .with(tracing_subscriber::filter::LevelFilter::TRACE);
    let _listening = crate::common::listen(subscriber).await;
    let out = f.instrument(tracing::info_span!("measured")).await;
    (out, counter.0.load(std::sync::atomic::Ordering::Relaxed))
}

// On PostgreSQL, where sqlx logs each statement on the calling task (SQLite runs them, and logs
// them, on a connection thread of its own).
#[tokio::test]
async fn the_event_list_reads_questions_and_presenters_once_for_all_events() {
    // No background workers: their polling runs on this test's thread and would be counted.
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::common::config_for(crate::common::Backend::Postgres, &dir).await;
    config.outbox_worker = false;
    let app = TestApp::spawn_with(config, dir).await;
    for _ in 0..12 {
        app.event(|_| {}).await;
    }
    let now = jiff::Timestamp::now().as_second();
    let (events, statements) = statements_during(server::events::upcoming(&app.state.db, now)).await;
    let events = events.unwrap();
    assert_eq!(events.len(), 12);
    assert!(events.iter().all(|e| e.presenters.len() == 1));
    assert!(statements > 0, "statements are counted");
    assert!(
        statements <= 3,
        "{statements} statements for 12 events: events, questions, presenters"
    );
}

/// `listen` hears an event even when another thread, with no subscriber of its own, meets the
/// event first. (With a single subscriber registered, tracing-core asked that thread's default,
/// marked the event unwanted for the whole process, and the listener heard nothing: how CI once
/// counted no SQL statements.)
#[tokio::test]
async fn a_listener_hears_an_event_another_thread_met_first() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use tracing_subscriber::layer::SubscriberExt;
    fn emit() {
        tracing::debug!(target: "atrium::probe", "probe");
    }
    #[derive(Clone, Default)]
    struct Heard(Arc<AtomicUsize>);
    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Heard {
        fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
            if event.metadata().target() == "atrium::probe" {
                self.0.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    let heard = Heard::default();
    let subscriber = tracing_subscriber::registry()
        .with(heard.clone())
        .with(tracing_subscriber::filter::LevelFilter::TRACE);
    let _listening = crate::common::listen(subscriber).await;
    std::thread::spawn(emit).join().unwrap();
    emit();
    assert_eq!(heard.0.load(Ordering::Relaxed), 1, "the listener hears its own thread's event");
}
