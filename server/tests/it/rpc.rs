//! The server functions islands call (`/rpc/…`): the registration form's submission answers in
//! the same terms as the form post and the REST API, behind the same cross-site guard; the
//! booking page's day of free times.

use crate::appointments::{at, book, booking, next_monday, shop};
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

async fn free_times(app: &TestApp, query: Value) -> reqwest::Response {
    app.client
        .post(app.url("/rpc/free_times"))
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap()
}

// The booking page's island asks for a day's times through a server function: the same times
// as the page and the API, in the zone asked for; a time booked since is gone; bad input answers
// with a sentence and a 4xx.
both_backends!(the_free_times_function_answers_like_the_page, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let shop = shop(&app).await;
    let monday = next_monday(&app);
    let query = |zone: &str, staff: &str| json!({"slug": shop.slug, "serviceId": shop.one_to_one, "staffId": staff, "date": monday.to_string(), "timeZone": zone});
    let r = free_times(&app, query("America/New_York", &shop.ada)).await;
    assert_eq!(r.status(), 200);
    let day: Value = r.json().await.unwrap();
    let times = day["times"].as_array().unwrap();
    assert_eq!(times.first().unwrap()["label"], "09:00");
    assert_eq!(times.last().unwrap()["label"], "16:30");
    assert_eq!(times.first().unwrap()["value"], at(monday, 9, 0));
    assert!(day["notice"].is_null());

    // In Berlin the same Monday shows New York's afternoon hours of that Berlin day.
    let berlin: Value = free_times(&app, query("Europe/Berlin", "")).await.json().await.unwrap();
    assert_eq!(berlin["times"][0]["label"], "15:00", "{berlin}");
    assert!(berlin["times"][0]["value"].as_str().unwrap().ends_with("+01:00"));

    assert_eq!(
        book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &at(monday, 9, 0), 1))
            .await
            .status(),
        201
    );
    let after: Value = free_times(&app, query("America/New_York", &shop.ada)).await.json().await.unwrap();
    assert_eq!(after["times"][0]["label"], "09:30", "Ada's 09:00 is taken: {after}");

    let sunday = monday.yesterday().unwrap().to_string();
    let closed: Value = free_times(
        &app,
        json!({"slug": shop.slug, "serviceId": shop.one_to_one, "staffId": "", "date": sunday, "timeZone": "America/New_York"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(closed["times"], json!([]));
    assert_eq!(closed["notice"], "No times are free on this day. Please choose another day.");

    for (bad, status) in [
        (query("Mars/Olympus", ""), 422),
        (
            json!({"slug": shop.slug, "serviceId": "nope", "date": monday.to_string(), "timeZone": "UTC"}),
            422,
        ),
        (
            json!({"slug": shop.slug, "serviceId": shop.one_to_one, "date": "soon", "timeZone": "UTC"}),
            422,
        ),
        (
            json!({"slug": "no-such-business", "serviceId": "x", "date": monday.to_string(), "timeZone": "UTC"}),
            404,
        ),
    ] {
        let r = free_times(&app, bad.clone()).await;
        assert_eq!(r.status(), status, "{bad}");
        let failure: Value = r.json().await.unwrap();
        assert_eq!(failure["kind"], "invalid", "{bad}: {failure}");
        assert!(!failure["message"].as_str().unwrap().is_empty());
    }
    // A staff member who does not give the service: said in place of times.
    let wrong: Value = free_times(
        &app,
        json!({"slug": shop.slug, "serviceId": shop.group, "staffId": shop.bo, "date": monday.to_string(), "timeZone": "UTC"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(wrong["times"], json!([]));
    assert_eq!(wrong["notice"], "This staff member does not give this service.");
});
