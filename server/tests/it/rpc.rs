//! The server functions islands call (`/rpc/…`): the registration form's submission answers in
//! the same terms as the form post and the REST API, behind the same cross-site guard.

use crate::common::{next_address, person, TestApp};
use serde_json::{json, Value};

async fn call(app: &TestApp, body: Value, origin: Option<&str>) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/rpc/register"))
        .header("x-forwarded-for", next_address())
        .json(&body);
    if let Some(o) = origin {
        request = request.header("origin", o).header("sec-fetch-site", "cross-site");
    }
    request.send().await.unwrap()
}

both_backends!(the_register_function_takes_replays_and_explains, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let slug = app.event(|e| e.capacity = Some(10)).await;

    let body = json!({"slug": slug, "registration": person(1), "idempotency_key": "form-load-1"});
    let first = call(&app, body.clone(), None).await;
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["kind"], "created", "{first}");
    let token = first["manageToken"].as_str().unwrap().to_string();
    assert!(app.page(&format!("/r/{token}"), None).await.contains("Person1"));

    // A retried submission of the same form load counts once.
    let again: Value = call(&app, body, None).await.json().await.unwrap();
    assert_eq!(again["manageToken"], token.as_str());
    let seats = app.event_json(&slug).await;
    assert_eq!(seats["registeredCount"], 1, "{seats}");

    // Every field's problem comes back against its field, with 422.
    let mut bad = person(2);
    bad["email"] = json!("not-an-address");
    bad["firstName"] = json!("");
    let r = call(&app, json!({"slug": slug, "registration": bad, "idempotency_key": null}), None).await;
    assert_eq!(r.status(), 422);
    let failure: Value = r.json().await.unwrap();
    assert_eq!(failure["kind"], "invalid", "{failure}");
    let fields: Vec<&str> = failure["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"email") && fields.contains(&"firstName"), "{fields:?}");

    // No such event: refused with a sentence, not a crash.
    let r = call(
        &app,
        json!({"slug": "no-such-event", "registration": person(3), "idempotency_key": null}),
        None,
    )
    .await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["kind"], "refused");

    // Another site cannot make a visitor's browser register them.
    let r = call(
        &app,
        json!({"slug": slug, "registration": person(4), "idempotency_key": null}),
        Some("https://evil.example"),
    )
    .await;
    assert_eq!(r.status(), 403);
    let people: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM registrations")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(people, 1, "only the first person is registered");
});
