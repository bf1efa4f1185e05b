//! Test support: Atrium as a real process (the `server` binary cargo built for the tests) on a
//! free port, with the demo content and its logs in a file.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server, killed when dropped (also when the test fails). Its logs go to a file, not
/// a pipe: a pipe nobody reads fills up and stalls the server.
pub struct Running {
    pub child: Child,
    pub port: u16,
    log: std::path::PathBuf,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    pub async fn start(dir: &std::path::Path) -> Running {
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

    pub fn url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }

    /// Resident memory of the process, in MiB.
    pub fn resident_mib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS is reported");
        kb / 1024
    }

    /// Everything the process logged, once stopped.
    pub fn stop_and_read_logs(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.log).unwrap()
    }
    /// Sends SIGTERM, as a service manager does to stop a service.
    pub fn terminate(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM delivered");
    }

    /// Waits for the process to end by itself; its exit status, or None after `patience`.
    pub async fn exit_status(&mut self, patience: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + patience;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }

    /// Everything the process logged so far.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap()
    }
}
