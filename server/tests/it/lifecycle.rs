//! Stopping cleanly, against the real process: SIGTERM lets the request in flight finish, new
//! connections are refused, the workers finish their pass, and the process exits 0.

use crate::process::Running;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_the_request_in_flight_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Running::start(dir.path()).await;
    let slug = "building-for-teams-2026";
    let event: serde_json::Value = reqwest::get(server.url(&format!("/api/v1/events/{slug}")))
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
    let body = serde_json::json!({
        "firstName": "Late", "lastName": "Arrival", "email": "late@example.com", "acceptTerms": true, "answers": answers
    })
    .to_string();

    // A registration whose body is still on its way when the signal comes.
    let mut conn = tokio::net::TcpStream::connect(("127.0.0.1", server.port)).await.unwrap();
    let head = format!(
        "POST /api/v1/events/{slug}/registrations HTTP/1.1\r\nHost: localhost:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        server.port,
        body.len()
    );
    let (first, rest) = body.split_at(body.len() / 2);
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(first.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.terminate();

    // Once stopping, the server takes no new connections.
    let mut refused = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", server.port)).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(refused, "new connections are refused after SIGTERM");

    // The one in flight is still answered, and its registration is kept.
    conn.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert!(answer.contains("\"manageToken\""), "{answer}");

    let status = server
        .exit_status(Duration::from_secs(60))
        .await
        .expect("the process ends by itself");
    assert!(status.success(), "exit status {status:?}");
    let logs = server.logs();
    assert!(logs.contains("every worker finished its pass"), "{logs}");
}
