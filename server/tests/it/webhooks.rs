//! Graph webhooks: the validation handshake, clientState checks, lifecycle events, and a burst.

use crate::common::SimConfig;
use crate::common::{Backend, TestApp};
use serde_json::json;

async fn subscription(app: &TestApp, id: &str, secret: &str) {
    sqlx::query("INSERT INTO graph_subscriptions (id, resource, change_type, client_state, expires_at, created_at) VALUES ($1, $2, 'created,updated', $3, $4, $4)")
        .bind(id)
        .bind("solutions/virtualEvents/webinars/w1/registrations")
        .bind(secret)
        .bind(jiff::Timestamp::now().as_second() + 86_000)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
}

fn notification(sub: &str, state: &str, n: usize) -> serde_json::Value {
    json!({
        "subscriptionId": sub, "clientState": state, "changeType": "created", "tenantId": "t",
        "subscriptionExpirationDateTime": "2031-01-01T00:00:00Z",
        "resource": format!("solutions/virtualEvents/webinars/w1/registrations/r{n}"),
        "resourceData": {"@odata.type": "#microsoft.graph.virtualEventRegistration", "@odata.id": format!("solutions/virtualEvents/webinars/w1/registrations/r{n}"), "id": format!("r{n}")}
    })
}

async fn stored(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM graph_notifications")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn validation_echoes_the_decoded_token_as_text() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for path in ["/webhooks/graph", "/webhooks/graph/lifecycle"] {
        let url = format!("{}?validationToken=Validation%3A%20Testing%20client%20application%20reachability%20for%20subscription%20Request-Id%3A%20abc%2B1", app.url(path));
        let r = app.client.post(url).header("content-type", "text/plain").send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
        assert_eq!(
            r.text().await.unwrap(),
            "Validation: Testing client application reachability for subscription Request-Id: abc+1"
        );
    }
}

#[tokio::test]
async fn only_notifications_with_our_client_state_are_kept() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    subscription(&app, "sub-1", "s3cret-state").await;
    let post = |body: serde_json::Value| app.client.post(app.url("/webhooks/graph")).json(&body).send();
    let r = post(json!({"value": [notification("sub-1", "wrong", 1), notification("sub-unknown", "s3cret-state", 2)]}))
        .await
        .unwrap();
    assert_eq!(r.status(), 202, "always acknowledged");
    assert_eq!(stored(&app).await, 0, "but nothing forged is kept");
    let r = post(json!({"value": [notification("sub-1", "s3cret-state", 3)]})).await.unwrap();
    assert_eq!(r.status(), 202);
    assert_eq!(stored(&app).await, 1);
    // Graph retrying the same delivery does not double it.
    post(json!({"value": [notification("sub-1", "s3cret-state", 3)]})).await.unwrap();
    assert_eq!(stored(&app).await, 1);
    let bad = app
        .client
        .post(app.url("/webhooks/graph"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    let lifecycle = json!({"value": [{"subscriptionId": "sub-1", "clientState": "s3cret-state", "lifecycleEvent": "reauthorizationRequired", "tenantId": "t", "subscriptionExpirationDateTime": "2031-01-01T00:00:00Z"}]});
    assert_eq!(
        app.client
            .post(app.url("/webhooks/graph/lifecycle"))
            .json(&lifecycle)
            .send()
            .await
            .unwrap()
            .status(),
        202
    );
    let event: String = sqlx::query_scalar("SELECT lifecycle_event FROM graph_notifications WHERE kind = 'lifecycle'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(event, "reauthorizationRequired");
}

#[tokio::test]
async fn a_burst_of_a_thousand_notifications_is_acknowledged_and_kept() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    subscription(&app, "sub-burst", "burst-state").await;
    let started = std::time::Instant::now();
    let tasks: Vec<_> = (0..1000)
        .map(|n| {
            let req = app
                .client
                .post(app.url("/webhooks/graph"))
                .json(&json!({"value": [notification("sub-burst", "burst-state", n)]}));
            tokio::spawn(async move {
                let t = std::time::Instant::now();
                let r = req.send().await.unwrap();
                (r.status().as_u16(), t.elapsed())
            })
        })
        .collect();
    let mut slowest = std::time::Duration::ZERO;
    for t in tasks {
        let (status, took) = t.await.unwrap();
        assert_eq!(status, 202);
        slowest = slowest.max(took);
    }
    eprintln!(
        "1,000 concurrent notifications: all 202 in {:?} overall; slowest answer {:?} (debug build)",
        started.elapsed(),
        slowest
    );
    assert_eq!(stored(&app).await, 1000);
}

#[tokio::test]
async fn subscriptions_are_created_once_validated_renewed_and_recreated() {
    let sim = graphsim::Sim::start().await;
    let app = TestApp::spawn(Backend::Sqlite).await;
    let webinar = sim.webinar();
    let slug = app.event(|_| {}).await;
    let link = server::events::EventInput {
        teams_webinar_id: Some(Some(webinar.clone())),
        // As the API does after checking in Teams that the service account organizes it.
        teams_webinar_checked_with: Some(server::microsoft::delegated::Account::Service(app.owner.organization_id.clone())),
        ..Default::default()
    };
    server::events::update(&app.state.db, &app.owner, &slug, &link).await.unwrap();
    let client = server::microsoft::client::GraphClient::new(sim.config(), Default::default());
    let ensure = || server::microsoft::subscriptions::ensure(&app.state.db, &client, &app.base);

    let first = ensure().await.unwrap();
    assert_eq!(
        (first.created, first.renewed),
        (3, 0),
        "registrations, sessions, attendance reports"
    );
    let validated = sim.state.lock().unwrap().validated.clone();
    assert_eq!(
        validated[..2],
        [app.url("/webhooks/graph"), app.url("/webhooks/graph/lifecycle")],
        "Graph's handshake passed on both URLs"
    );
    assert_eq!(validated.len(), 6);
    let resources: Vec<String> = sim
        .state
        .lock()
        .unwrap()
        .subscriptions
        .values()
        .map(|s| format!("{} {}", s["resource"].as_str().unwrap(), s["changeType"].as_str().unwrap()))
        .collect();
    for expected in [
        format!("solutions/virtualEvents/webinars/{webinar}/sessions created,updated"),
        format!("solutions/virtualEvents/webinars/{webinar}/getAttendanceReports created"),
    ] {
        assert!(resources.contains(&expected), "{expected} in {resources:?}");
    }
    let (id, secret): (String, String) =
        sqlx::query_as("SELECT id, client_state FROM graph_subscriptions WHERE resource LIKE '%/registrations'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    let at_graph = sim.state.lock().unwrap().subscriptions[&id].clone();
    assert_eq!(at_graph["clientState"], secret.as_str());
    assert_eq!(
        at_graph["resource"],
        format!("solutions/virtualEvents/webinars/{webinar}/registrations")
    );
    // A notification with that secret is kept.
    let n = json!({"value": [notification(&id, &secret, 1)]});
    assert_eq!(
        app.client.post(app.url("/webhooks/graph")).json(&n).send().await.unwrap().status(),
        202
    );
    assert_eq!(stored(&app).await, 1);

    // Start-up reconciliation: nothing new while the subscription is fresh.
    assert_eq!(ensure().await.unwrap(), Default::default());
    assert_eq!(sim.state.lock().unwrap().subscriptions.len(), 3);
    // Close to expiry it is renewed, not duplicated.
    sqlx::query("UPDATE graph_subscriptions SET expires_at = $1")
        .bind(jiff::Timestamp::now().as_second() + 600)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let renewed = ensure().await.unwrap();
    assert_eq!((renewed.created, renewed.renewed), (0, 3));
    assert_eq!(sim.state.lock().unwrap().renewals, 3);
    // Removed at Graph: a new one replaces it.
    sim.state.lock().unwrap().subscriptions.clear();
    sqlx::query("UPDATE graph_subscriptions SET expires_at = $1")
        .bind(jiff::Timestamp::now().as_second() + 600)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let recreated = ensure().await.unwrap();
    assert_eq!((recreated.created, recreated.renewed), (3, 0));
    let (rows, resources): (i64, i64) = sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT resource) FROM graph_subscriptions")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!((rows, resources), (3, 3), "never two subscriptions for one resource");
}

both_backends!(
    two_instances_subscribing_at_once_keep_one_subscription_per_resource,
    |backend| async move {
        let sim = graphsim::Sim::start().await;
        let app = TestApp::spawn(backend).await;
        let webinar = sim.webinar();
        let slug = app.event(|_| {}).await;
        let link = server::events::EventInput {
            teams_webinar_id: Some(Some(webinar.clone())),
            // As the API does after checking in Teams that the service account organizes it.
            teams_webinar_checked_with: Some(server::microsoft::delegated::Account::Service(app.owner.organization_id.clone())),
            ..Default::default()
        };
        server::events::update(&app.state.db, &app.owner, &slug, &link).await.unwrap();
        // Two servers on one database run their subscription pass at the same moment.
        let one = server::microsoft::client::GraphClient::new(sim.config(), Default::default());
        let two = server::microsoft::client::GraphClient::new(sim.config(), Default::default());
        let (a, b) = tokio::join!(
            server::microsoft::subscriptions::ensure(&app.state.db, &one, &app.base),
            server::microsoft::subscriptions::ensure(&app.state.db, &two, &app.base)
        );
        a.unwrap();
        b.unwrap();
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM graph_subscriptions")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(rows, 3);
        assert_eq!(
            sim.state.lock().unwrap().subscriptions.len(),
            3,
            "the losing copies were withdrawn at Graph"
        );
    }
);
