//! Security checks against the real server process: memory stays bounded under a flood of
//! sign-ins, and the logs carry security events but never a manage link's secret.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server, killed when dropped (also when the test fails). Its logs go to a file, not
/// a pipe: a pipe nobody reads fills up and stalls the server.
struct Running {
    child: Child,
    port: u16,
    log: std::path::PathBuf,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    async fn start(dir: &std::path::Path) -> Running {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log = dir.join("server.log");
        let file = std::fs::File::create(&log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .env("ATRIUM_DATA_DIR", dir)
            .env_remove("DATABASE_URL")
            .env_remove("ATRIUM_SECRET_KEY")
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("ATRIUM_PUBLIC_URL", format!("http://localhost:{port}"))
            .env("ATRIUM_DEMO", "1")
            .env("ATRIUM_TRUSTED_PROXIES", "127.0.0.1")
            .env("ATRIUM_LOG_FORMAT", "json")
            .env("RUST_LOG", "info,tower_http=debug")
            .stdout(Stdio::from(file.try_clone().unwrap()))
            .stderr(Stdio::from(file))
            .spawn()
            .expect("the server starts");
        let running = Running { child, port, log };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if client.get(running.url("/healthz")).send().await.is_ok_and(|r| r.status() == 200) {
                return running;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server did not come up");
    }

    fn url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }

    /// Resident memory of the process, in MiB.
    fn resident_mib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS is reported");
        kb / 1024
    }

    /// Everything the process logged, once stopped.
    fn stop_and_read_logs(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.log).unwrap()
    }
}

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
