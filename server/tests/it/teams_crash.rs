//! The crash test with a real process: Atrium in Microsoft mode is killed (SIGKILL) while a
//! batch of registrations is on its way to Teams, then started again. Afterwards Teams holds
//! exactly one webinar and one registration per person, and each person got exactly one
//! confirmation email.

use graphsim::{Fault, Sim};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
const PASSWORD: &str = "crash-test-password-1";

/// A running server, killed when dropped (also when the test fails).
struct Running(Child);

impl Running {
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill();
    }
}

struct Atrium {
    dir: std::path::PathBuf,
    port: u16,
    sim: Sim,
}

impl Atrium {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_server"));
        c.args(args)
            .env("ATRIUM_DATA_DIR", &self.dir)
            .env_remove("DATABASE_URL")
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", self.port))
            .env("ATRIUM_PUBLIC_URL", format!("http://localhost:{}", self.port))
            .env("ATRIUM_DEMO", "0")
            .env("ATRIUM_GRAPH_TENANT_ID", graphsim::TENANT)
            .env("ATRIUM_GRAPH_CLIENT_ID", graphsim::CLIENT_ID)
            .env("ATRIUM_GRAPH_CLIENT_SECRET", graphsim::CLIENT_SECRET)
            .env("ATRIUM_GRAPH_BASE_URL", &self.sim.base)
            .env("ATRIUM_LOGIN_BASE_URL", &self.sim.base)
            .env("ATRIUM_SECRET_KEY", KEY)
            .env("RUST_LOG", "warn");
        c
    }

    async fn start(&self) -> Running {
        let child = Running(self.command(&[]).spawn().expect("the server starts"));
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if client.get(self.url("/healthz")).send().await.is_ok_and(|r| r.status() == 200) {
                return child;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server did not come up");
    }

    fn url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }
}

async fn until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn confirmations(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir.join("outbox"))
        .map(|rd| {
            rd.flatten()
                .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m.contains("Subject: You're registered"))
        .collect()
}

#[tokio::test]
async fn killing_the_server_mid_sync_loses_and_duplicates_nothing() {
    let sim = Sim::start().await;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let atrium = Atrium {
        dir: dir.path().to_path_buf(),
        port,
        sim: sim.clone(),
    };
    let out = atrium
        .command(&[
            "create-organizer",
            "--email",
            "crash@example.com",
            "--organization",
            "Crash Org",
            "--password",
            PASSWORD,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The service account, connected earlier.
    let refresh = "sim-refresh-crash".to_string();
    sim.state.lock().unwrap().refresh_tokens.push(refresh.clone());
    {
        let url = server::config::Secret::new(format!("sqlite://{}/atrium.db", dir.path().display()));
        let db = server::store::Db::connect(&url).await.unwrap();
        let sealed = server::crypto::Sealer::from_base64(KEY).unwrap().seal(&refresh);
        sqlx::query(
            "INSERT INTO microsoft_accounts (organization_id, connected_by, user_principal_name, refresh_token_sealed, connected_at, refreshed_at) \
             SELECT organization_id, id, 'svc@contoso.example', $1, 0, 0 FROM organizers",
        )
        .bind(sealed)
        .execute(&db.pool)
        .await
        .unwrap();
        db.pool.close().await;
    }

    let mut server = atrium.start().await;
    let client = reqwest::Client::new();
    let token: serde_json::Value = client
        .post(atrium.url("/api/v1/tokens"))
        .basic_auth("crash@example.com", Some(PASSWORD))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = token["token"].as_str().unwrap().to_string();
    let start = jiff::Timestamp::now().as_second() + 10 * 86_400;
    let iso = |t: i64| jiff::Timestamp::from_second(t).unwrap().to_string();
    let created = client
        .post(atrium.url("/api/v1/events"))
        .bearer_auth(&bearer)
        .json(
            &serde_json::json!({"slug": "crash-webinar", "title": "Crash webinar", "kind": "webinar",
            "startDateTime": iso(start), "endDateTime": iso(start + 3600), "timeZone": "UTC"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let published = client
        .post(atrium.url("/api/v1/events/crash-webinar/publish"))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), 200);
    // Published, and its session's join link read: Teams is quiet until someone registers.
    until("the webinar in Teams", || {
        let s = sim.state.lock().unwrap();
        s.webinars.values().any(|w| w["status"] == "published") && s.log.iter().any(|(_, m, p)| m == "GET" && p.ends_with("/sessions"))
    })
    .await;

    // Teams will take five seconds to answer the next request: the first batch of registrations.
    sim.inject([Fault::Slow(Duration::from_secs(5))]);
    for n in 0..5 {
        let r = client
            .post(atrium.url("/api/v1/events/crash-webinar/registrations"))
            .json(&crate::common::person(n))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    until("a batch on its way to Teams", || {
        sim.state.lock().unwrap().bodies.iter().any(|(_, path, _)| path == "/$batch")
    })
    .await;
    // The process dies with that batch in flight and the rest still queued. Teams registers the
    // people in the batch (it got the request), but Atrium never hears back.
    server.kill();
    let webinar = sim.state.lock().unwrap().webinars.keys().next().unwrap().clone();
    until("Teams to finish the batch", || {
        sim.state.lock().unwrap().registrations.get(&webinar).is_some_and(|r| !r.is_empty())
    })
    .await;
    let before_restart = sim.state.lock().unwrap().registrations[&webinar].len();
    assert!(before_restart < 5, "some registrations had not been sent when the process died");

    let mut server = atrium.start().await;
    // After the restart the jobs run again, find everyone already registered, and finish.
    let url = server::config::Secret::new(format!("sqlite://{}/atrium.db", dir.path().display()));
    let db = server::store::Db::connect(&url).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let synced: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM registrations WHERE teams_synced_at IS NOT NULL")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        if synced == 5 && confirmations(dir.path()).len() == 5 {
            break;
        }
        assert!(Instant::now() < deadline, "only {synced} registrations confirmed in sync");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    server.kill();

    let s = sim.state.lock().unwrap();
    assert_eq!(s.webinars.len(), 1, "one webinar");
    let mut emails: Vec<String> = s.registrations[&webinar]
        .iter()
        .map(|r| r["email"].as_str().unwrap().to_string())
        .collect();
    emails.sort();
    emails.dedup();
    assert_eq!(emails.len(), 5, "one registration in Teams per person");
    assert_eq!(s.registrations[&webinar].len(), 5);
    drop(s);
    let mut to: Vec<String> = confirmations(dir.path())
        .iter()
        .map(|m| m.lines().find(|l| l.starts_with("To: ")).unwrap_or("").to_string())
        .collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 5, "one confirmation per person");
}
