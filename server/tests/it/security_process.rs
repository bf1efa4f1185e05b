//! Security checks against the real server process: memory stays bounded under a flood of
//! sign-ins, and the logs carry security events but never a manage link's secret.

use crate::process::Running;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_parallel_sign_ins_stay_under_256_mib() {
    let dir = tempfile::tempdir().unwrap();
    let server = Running::start(dir.path()).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let before = server.resident_mib();
    let attempts: Vec<_> = (0..200)
        .map(|n| {
            let (client, url) = (client.clone(), server.url("/login"));
            tokio::spawn(async move {
                client
                    .post(url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("x-forwarded-for", format!("10.9.{}.{}", n / 250, n % 250 + 1))
                    .body("email=organizer%40example.com&password=not-the-demo-password")
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            })
        })
        .collect();
    let mut peak = before;
    let mut statuses = Vec::new();
    for a in attempts {
        while !a.is_finished() {
            peak = peak.max(server.resident_mib());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        statuses.push(a.await.unwrap().expect("every request is answered"));
    }
    peak = peak.max(server.resident_mib());
    assert!(statuses.iter().all(|s| [401, 503].contains(s)), "{statuses:?}");
    assert!(statuses.contains(&401), "some passwords were checked");
    assert!(peak < 256, "resident memory peaked at {peak} MiB (started at {before} MiB)");
    eprintln!("resident memory: {before} MiB before, {peak} MiB at peak under 200 parallel sign-ins");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_carry_security_events_and_no_link_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let server = Running::start(dir.path()).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let event: serde_json::Value = client
        .get(server.url("/api/v1/events/building-for-teams-2026"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let answers: Vec<serde_json::Value> = event["questions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["isRequired"] == true)
        .map(|q| serde_json::json!({"questionId": q["id"], "value": "Contoso"}))
        .collect();
    let r = client
        .post(server.url("/api/v1/events/building-for-teams-2026/registrations"))
        .json(&serde_json::json!({
            "firstName": "Log", "lastName": "Check", "email": "log@example.com", "acceptTerms": true, "answers": answers
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let token = r.json::<serde_json::Value>().await.unwrap()["manageToken"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(client.get(server.url(&format!("/r/{token}"))).send().await.unwrap().status(), 200);
    client.get(server.url(&format!("/r/{token}/invite.ics"))).send().await.unwrap();
    let wrong = client
        .post(server.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("email=organizer%40example.com&password=wrong-password-here")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let cross = client
        .post(server.url("/login"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    let logs = server.stop_and_read_logs();
    assert!(!logs.contains(&token), "a manage link's secret reached the logs");
    assert!(logs.contains("/r/…"), "requests to manage links are logged, redacted");
    for event in ["\"event\":\"sign_in_failed\"", "\"event\":\"cross_site_request_refused\""] {
        assert!(logs.contains(event), "{event} missing from:\n{logs}");
    }
}
