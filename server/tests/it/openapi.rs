//! The OpenAPI document against the running router: every documented operation is served, and
//! every answer it gives to good and bad requests has a status the document lists for it, with
//! a problem+json body for every error.

use crate::common::{person, TestApp};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// What each operation is probed with: (content type, body).
fn bad_bodies() -> Vec<(&'static str, &'static str)> {
    // Over the server's 256 KiB limit: answered 413 as problem+json, where a body is read.
    static TOO_LARGE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let too_large = TOO_LARGE.get_or_init(|| format!("[{}0]", "0,".repeat(150_000)));
    vec![
        ("application/json", too_large.as_str()),
        ("text/plain", "hello"),
        ("application/json", "{"),
        ("application/json", "[]"),
        ("application/json", "{}"),
        ("application/json", "[{}]"),
        (
            "application/json",
            r#"{"slug":"Not A Slug","title":"","startDateTime":"soon","timeZone":"Mars/Olympus","capacity":-1}"#,
        ),
    ]
}

struct Probe {
    method: String,
    path: String,
    documented: BTreeSet<u16>,
    secured: bool,
}

fn operations(doc: &Value) -> Vec<Probe> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let documented = op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .map(|s| s.parse::<u16>().unwrap())
                .collect();
            out.push(Probe {
                method: method.to_uppercase(),
                path: path.clone(),
                documented,
                secured: op["security"].as_array().is_some_and(|s| !s.is_empty()),
            });
        }
    }
    out
}

#[tokio::test]
async fn every_error_in_the_document_is_a_problem() {
    let doc: Value = serde_json::from_str(&server::api::document().to_json().unwrap()).unwrap();
    let responses = &doc["components"]["responses"];
    let mut errors = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, response) in op["responses"].as_object().unwrap() {
                if status.as_str() < "400" {
                    continue;
                }
                errors += 1;
                let resolved = match response["$ref"].as_str() {
                    Some(r) => &responses[r.rsplit('/').next().unwrap()],
                    None => response,
                };
                let schema = resolved["content"]["application/problem+json"]["schema"]["$ref"]
                    .as_str()
                    .unwrap_or_default();
                // A problem, or a problem with members of its own (RFC 9457 extensions).
                let named = &doc["components"]["schemas"][schema.rsplit('/').next().unwrap()];
                let extends = named["allOf"]
                    .as_array()
                    .is_some_and(|parts| parts.iter().any(|p| p["$ref"] == "#/components/schemas/Problem"));
                assert!(
                    schema == "#/components/schemas/Problem" || extends,
                    "{method} {path} {status}: {resolved}"
                );
                assert!(
                    resolved["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{method} {path} {status}"
                );
            }
        }
    }
    assert!(errors > 100, "{errors} error responses documented");
    assert_eq!(
        doc["components"]["schemas"]["Problem"]["required"],
        json!(["type", "title", "status"])
    );
}

#[tokio::test]
async fn the_served_document_is_the_generated_one() {
    let app = TestApp::spawn(crate::common::Backend::Sqlite).await;
    let served: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let generated: Value = serde_json::from_str(&server::api::document().to_json().unwrap()).unwrap();
    assert_eq!(served, generated);
    assert_eq!(served["servers"][0]["url"], "/api/v1");
}

#[tokio::test]
async fn every_documented_operation_answers_only_documented_statuses() {
    let app = TestApp::spawn(crate::common::Backend::Sqlite).await;
    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .basic_auth(&app.owner.email, Some(&app.owner_password))
        .send()
        .await
        .unwrap();
    let bearer = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string();
    let doc: Value = serde_json::from_str(&server::api::document().to_json().unwrap()).unwrap();
    let probes = operations(&doc);
    assert_eq!(probes.len(), 54, "every operation of the API");
    let mut seen = BTreeSet::new();
    for probe in &probes {
        // A fresh event with one registrant for each operation, so that what one probe changes
        // (a cancel, a publish) does not decide what another sees.
        let slug = app.event(|e| e.capacity = Some(5)).await;
        let created: Value = app.register(&slug, person(1)).await.json().await.unwrap();
        let token = created["manageToken"].as_str().unwrap().to_string();
        let id = created["id"].as_str().unwrap().to_string();
        // Operations on businesses get a published business of their own, with a staff member,
        // the service they give and their time off.
        let business = if probe.path.contains("businesses/{slug}") {
            Some(business_fixture(&app, &bearer).await)
        } else {
            None
        };
        let (slug, id) = match &business {
            Some(b) if probe.path.contains("/services/") => (b.slug.clone(), b.service.clone()),
            Some(b) => (b.slug.clone(), b.staff.clone()),
            None => (slug, id),
        };
        let time_off = business.as_ref().map(|b| b.time_off.clone()).unwrap_or_default();
        for (real, auth) in [(false, false), (false, true), (true, true), (true, false)] {
            let path = probe
                .path
                .replace("{slug}", if real { &slug } else { "no-such-event" })
                .replace("{manageToken}", if real { &token } else { "no-such-token" })
                .replace("{id}", if real { &id } else { "no-such-registration" })
                .replace("{timeOffId}", if real { &time_off } else { "no-such-time-off" })
                .replace("{action}", "approve");
            let mut bodies: Vec<(Option<&str>, &str)> = vec![(None, "")];
            if probe.method != "GET" {
                bodies.extend(bad_bodies().into_iter().map(|(t, b)| (Some(t), b)));
            }
            for (content_type, body) in bodies {
                let method = reqwest::Method::from_bytes(probe.method.as_bytes()).unwrap();
                let mut request = app.client.request(method, app.url(&format!("/api/v1{path}")));
                if auth && probe.path == "/tokens" {
                    request = request.basic_auth(&app.owner.email, Some(&app.owner_password));
                } else if auth {
                    request = request.bearer_auth(&bearer);
                }
                if let Some(t) = content_type {
                    request = request.header("content-type", t).body(body.to_string());
                }
                let r = request.send().await.unwrap();
                let status = r.status().as_u16();
                let kind = r
                    .headers()
                    .get("content-type")
                    .map(|v| v.to_str().unwrap().to_string())
                    .unwrap_or_default();
                assert!(
                    probe.documented.contains(&status),
                    "{} {} answered {status} (documented: {:?}) to {content_type:?} {:?} ({} bytes): {}",
                    probe.method,
                    probe.path,
                    probe.documented,
                    &body[..body.len().min(60)],
                    body.len(),
                    r.text().await.unwrap()
                );
                if status >= 400 {
                    assert_eq!(kind, "application/problem+json", "{} {} {status}", probe.method, probe.path);
                }
                if !auth && probe.secured {
                    assert_eq!(status, 401, "{} {} without credentials", probe.method, probe.path);
                }
                seen.insert(status);
            }
        }
    }
    // The probes reach the answers that matter, not only one kind.
    for status in [200, 201, 400, 401, 404, 413, 415, 422] {
        assert!(seen.contains(&status), "some probe answered {status}: {seen:?}");
    }
}

struct BusinessFixture {
    slug: String,
    staff: String,
    service: String,
    time_off: String,
}

/// A published business made through the API, with one staff member, their time off and the
/// service they give.
async fn business_fixture(app: &TestApp, bearer: &str) -> BusinessFixture {
    let post = |path: String, body: Value| async move {
        let r = app
            .client
            .post(app.url(&format!("/api/v1{path}")))
            .bearer_auth(bearer)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json::<Value>().await.unwrap()
    };
    let slug = format!("probe-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    post(
        "/businesses".into(),
        json!({"displayName": "Probe", "timeZone": "UTC", "slug": slug}),
    )
    .await;
    let staff = post(format!("/businesses/{slug}/staffMembers"), json!({"displayName": "Pat"})).await;
    let staff = staff["id"].as_str().unwrap().to_string();
    let service = post(
        format!("/businesses/{slug}/services"),
        json!({"displayName": "Call", "defaultDuration": "PT30M", "staffMemberIds": [staff]}),
    )
    .await;
    let off = post(
        format!("/businesses/{slug}/staffMembers/{staff}/timeOff"),
        json!({"startDateTime": {"dateTime": "2030-01-01T00:00:00"}, "endDateTime": {"dateTime": "2030-01-02T00:00:00"}}),
    )
    .await;
    post(format!("/businesses/{slug}/publish"), json!({})).await;
    BusinessFixture {
        slug,
        staff,
        service: service["id"].as_str().unwrap().to_string(),
        time_off: off["id"].as_str().unwrap().to_string(),
    }
}

#[tokio::test]
async fn what_the_api_does_not_serve_is_a_problem() {
    let app = TestApp::spawn(crate::common::Backend::Sqlite).await;
    let r = app.client.get(app.url("/api/v1/no/such/thing")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}
