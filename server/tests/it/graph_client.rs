//! The Graph client over real HTTP against the local simulator: tokens, throttling, paging,
//! batching and errors.

use crate::common::SimConfig;
use graphsim::{Fault, Sim};
use reqwest::Method;
use serde_json::{json, Value};
use server::microsoft::client::{GraphClient, GraphError, RetryPolicy};
use server::microsoft::models::{BatchRequestItem, Registration};
use std::time::{Duration, Instant};

fn quick() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_secs(5),
        timeout: Duration::from_secs(5),
    }
}

fn person(n: usize) -> Value {
    serde_json::to_value(Registration {
        first_name: Some(format!("P{n}")),
        last_name: Some("Sim".into()),
        email: Some(format!("p{n}@example.com")),
        preferred_timezone: Some("UTC".into()),
        preferred_language: Some("en-US".into()),
        ..Default::default()
    })
    .unwrap()
}

#[tokio::test]
async fn tokens_are_fetched_once_and_reused() {
    let sim = Sim::start().await;
    let client = GraphClient::new(sim.config(), quick());
    let id = sim.webinar();
    for n in 0..5 {
        let (status, body) = client
            .request(
                Method::POST,
                &format!("/solutions/virtualEvents/webinars/{id}/registrations"),
                Some(&person(n)),
                "o",
            )
            .await
            .unwrap();
        assert_eq!(status, 204);
        assert_eq!(body, Value::Null, "anonymous registration returns no body");
    }
    assert_eq!(sim.state.lock().unwrap().token_requests, 1);
    // Creating webinars needs a delegated token: the application token is refused, clearly.
    let body = json!({"displayName": "x"});
    let refused = client
        .request(Method::POST, "/solutions/virtualEvents/webinars", Some(&body), "o")
        .await
        .unwrap_err();
    assert!(matches!(refused, GraphError::Http { status: 403, .. }), "{refused:?}");

    let mut wrong = sim.config();
    wrong.client_secret = server::config::Secret::new("nope");
    let bad = GraphClient::new(wrong, quick());
    match bad.app_token().await {
        Err(GraphError::Auth(m)) => assert!(m.contains("Invalid client secret"), "{m}"),
        other => panic!("expected an auth error, got {other:?}"),
    }
}

#[tokio::test]
async fn throttling_waits_for_retry_after_and_backs_off_without_it() {
    let sim = Sim::start().await;
    let client = GraphClient::new(sim.config(), quick());
    let id = sim.webinar();
    sim.inject([Fault::Throttle(Some(1)), Fault::Unavailable, Fault::Throttle(None)]);
    let (status, _) = client
        .request(
            Method::POST,
            &format!("/solutions/virtualEvents/webinars/{id}/registrations"),
            Some(&person(1)),
            "o",
        )
        .await
        .unwrap();
    assert_eq!(status, 204);
    let log = sim.state.lock().unwrap().log.clone();
    let tries: Vec<Instant> = log
        .iter()
        .filter(|(_, m, p)| m == "POST" && p.ends_with("/registrations"))
        .map(|(t, _, _)| *t)
        .collect();
    assert_eq!(tries.len(), 4, "three refusals, then success");
    assert!(
        tries[1] - tries[0] >= Duration::from_secs(1),
        "no request before Retry-After: {:?}",
        tries[1] - tries[0]
    );
    assert!(tries[2] - tries[1] >= Duration::from_millis(50));
    assert!(tries[3] - tries[2] >= Duration::from_millis(100), "exponential back-off");
    assert_eq!(client.stats.retries.load(std::sync::atomic::Ordering::Relaxed), 3);
    assert_eq!(sim.state.lock().unwrap().registrations[&id].len(), 1, "one registration, not four");

    // A storm longer than the policy allows ends in a clear error the outbox can retry later.
    sim.inject((0..5).map(|_| Fault::Throttle(Some(0))));
    let err = client
        .request(
            Method::POST,
            &format!("/solutions/virtualEvents/webinars/{id}/registrations"),
            Some(&person(2)),
            "o",
        )
        .await
        .unwrap_err();
    assert!(matches!(err, GraphError::Throttled { attempts: 5 }), "{err:?}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn paging_follows_next_links_and_errors_are_readable() {
    let sim = Sim::start().await;
    let client = GraphClient::new(sim.config(), quick());
    let id = sim.webinar();
    for n in 0..5 {
        client
            .request(
                Method::POST,
                &format!("/solutions/virtualEvents/webinars/{id}/registrations"),
                Some(&person(n)),
                "o",
            )
            .await
            .unwrap();
    }
    let all: Vec<Registration> = client
        .get_all(&format!("/solutions/virtualEvents/webinars/{id}/registrations"), "o")
        .await
        .unwrap();
    assert_eq!(all.len(), 5, "three pages of two, two and one");
    assert_eq!(all[4].email.as_deref(), Some("p4@example.com"));

    let missing = client
        .request(
            Method::POST,
            "/solutions/virtualEvents/webinars/nope/registrations",
            Some(&person(9)),
            "o",
        )
        .await
        .unwrap_err();
    match missing {
        GraphError::Http {
            status: 404,
            code,
            message,
        } => {
            assert_eq!(code, "NotFound");
            assert!(message.contains("deleted in Teams"));
        }
        other => panic!("{other:?}"),
    }
    sim.inject([Fault::Malformed]);
    let bad = client
        .get_all::<Registration>(&format!("/solutions/virtualEvents/webinars/{id}/registrations"), "o")
        .await
        .unwrap_err();
    assert!(matches!(bad, GraphError::Decode(_)), "{bad:?}");
}

/// A listener that is not Graph: records each request's path and Authorization header, and
/// answers with an empty page.
async fn recorder() -> (String, std::sync::Arc<std::sync::Mutex<Vec<(String, Option<String>)>>>) {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let log = log.clone();
        async move {
            let auth = request
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            log.lock().unwrap().push((request.uri().to_string(), auth));
            axum::Json(json!({"value": []}))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, seen)
}

#[tokio::test]
async fn next_links_off_graph_are_refused_and_get_no_token() {
    let sim = Sim::start().await;
    let client = GraphClient::new(sim.config(), quick());
    let id = sim.webinar();
    sim.register_in_teams(&id, "someone@example.com");
    let (elsewhere, seen) = recorder().await;
    let sim_port = sim.base.rsplit(':').next().unwrap().to_string();
    for link in [
        // Another host (here: the same machine on another port).
        format!("{elsewhere}/v1.0/solutions/virtualEvents/webinars/{id}/registrations?$skiptoken=2"),
        // Graph's host and port written with a user name in front of another host.
        format!("http://127.0.0.1:{sim_port}@{}/v1.0/x", elsewhere.trim_start_matches("http://")),
        // Another scheme on Graph's own host and port.
        format!("https://127.0.0.1:{sim_port}/v1.0/solutions/virtualEvents/webinars/{id}/registrations"),
    ] {
        sim.state.lock().unwrap().next_link_override = Some(link.clone());
        let err = client
            .get_all::<Registration>(&format!("/solutions/virtualEvents/webinars/{id}/registrations"), "o")
            .await
            .unwrap_err();
        assert!(matches!(err, GraphError::Untrusted(_)), "{link}: {err:?}");
        assert!(!err.is_transient(), "not retried later either");
    }
    assert!(
        seen.lock().unwrap().is_empty(),
        "the other host was never called, so never saw the token: {:?}",
        seen.lock().unwrap()
    );
    // Links on Graph's own address are still followed.
    sim.state.lock().unwrap().next_link_override = None;
    let all: Vec<Registration> = client
        .get_all(&format!("/solutions/virtualEvents/webinars/{id}/registrations"), "o")
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
}

#[tokio::test]
async fn batches_retry_only_the_items_that_failed() {
    let sim = Sim::start().await;
    let client = GraphClient::new(sim.config(), quick());
    let id = sim.webinar();
    let items: Vec<BatchRequestItem> = (0..25)
        .map(|n| BatchRequestItem {
            id: format!("r{n}"),
            method: "POST".into(),
            url: format!("/solutions/virtualEvents/webinars/{id}/registrations"),
            headers: Some(serde_json::Map::from_iter([(
                "Content-Type".to_string(),
                json!("application/json"),
            )])),
            body: Some(person(n)),
            depends_on: Vec::new(),
        })
        .collect();
    sim.state.lock().unwrap().batch_item_faults = vec!["r3".into(), "r21".into()];
    let answers = client.batch(items, "o").await.unwrap();
    assert_eq!(answers.len(), 25);
    assert!(answers.iter().all(|a| a.status == 204), "every item ends up registered");
    assert_eq!(answers[3].id, "r3", "answers come back in request order");
    let s = sim.state.lock().unwrap();
    assert_eq!(s.registrations[&id].len(), 25, "no item registered twice");
    let batches = s.log.iter().filter(|(_, _, p)| p == "/$batch").count();
    assert_eq!(batches, 4, "20 + 5 items, and one retry round for each chunk's throttled item");
}

#[tokio::test]
async fn check_microsoft_says_what_is_missing() {
    let sim = Sim::start().await;
    let report = server::microsoft::check::run(sim.config()).await;
    assert!(report.ok, "{:?}", report.lines);
    assert!(report.lines.iter().any(|l| l.contains("✓ webinars can be read")));
    assert!(report.lines.iter().any(|l| l.contains("✓ the app has its application permissions")));

    // Consent given for reads only: the missing registration permission is named.
    sim.state.lock().unwrap().app_roles = Some(vec!["VirtualEvent.Read.All".into(), "OnlineMeetingArtifact.Read.All".into()]);
    let report = server::microsoft::check::run(sim.config()).await;
    assert!(!report.ok);
    assert!(
        report
            .lines
            .iter()
            .any(|l| l.contains("lacks the application permission VirtualEventRegistration-Anon.ReadWrite.All")),
        "{:?}",
        report.lines
    );
    sim.state.lock().unwrap().app_roles = None;

    sim.state.lock().unwrap().no_access_policy = true;
    let report = server::microsoft::check::run(sim.config()).await;
    assert!(!report.ok);
    assert!(
        report.lines.iter().any(|l| l.contains("application access policy")),
        "{:?}",
        report.lines
    );

    let mut wrong = sim.config();
    wrong.client_secret = server::config::Secret::new("expired");
    let report = server::microsoft::check::run(wrong).await;
    assert!(
        report.lines.iter().any(|l| l.contains("client secret is wrong or expired")),
        "{:?}",
        report.lines
    );
    let mut tenant = sim.config();
    tenant.tenant_id = "not-a-tenant".into();
    let report = server::microsoft::check::run(tenant).await;
    assert!(
        report.lines.iter().any(|l| l.contains("tenant does not exist")),
        "{:?}",
        report.lines
    );
}

#[tokio::test]
async fn slow_and_dropped_answers_are_tried_again() {
    let sim = Sim::start().await;
    let client = GraphClient::new(
        sim.config(),
        RetryPolicy {
            timeout: Duration::from_millis(400),
            ..quick()
        },
    );
    let id = sim.webinar();
    // Too slow for the client's timeout, then a connection that breaks mid-answer.
    sim.inject([Fault::Slow(Duration::from_secs(2)), Fault::Drop]);
    let all: Vec<Value> = client.get_all("/solutions/virtualEvents/webinars", "o").await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["id"], id.as_str());
    assert_eq!(client.stats.retries.load(std::sync::atomic::Ordering::Relaxed), 2);
    // A slow answer within the timeout is simply waited for.
    sim.inject([Fault::Slow(Duration::from_millis(100))]);
    let all: Vec<Value> = client.get_all("/solutions/virtualEvents/webinars", "o").await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(client.stats.retries.load(std::sync::atomic::Ordering::Relaxed), 2);
}

#[tokio::test]
async fn retry_after_holds_even_beyond_the_retry_cap_and_across_calls() {
    let sim = Sim::start().await;
    let client = GraphClient::new(
        sim.config(),
        RetryPolicy {
            max_attempts: 2,
            max_delay: Duration::from_millis(100),
            ..quick()
        },
    );
    sim.webinar();
    sim.inject([Fault::Throttle(Some(1)), Fault::Throttle(Some(1))]);
    let first = client.request(Method::GET, "/solutions/virtualEvents/webinars", None, "o").await;
    assert!(matches!(first, Err(GraphError::Throttled { attempts: 2 })), "{first:?}");
    // The caller gives up, and asks again at once: the client still waits out Graph's 1 s.
    client
        .request(Method::GET, "/solutions/virtualEvents/webinars", None, "o")
        .await
        .unwrap();
    let log = sim.state.lock().unwrap().log.clone();
    assert_eq!(log.len(), 3);
    for pair in log.windows(2) {
        assert!(pair[1].0 - pair[0].0 >= Duration::from_millis(990), "{:?}", pair[1].0 - pair[0].0);
    }
}
