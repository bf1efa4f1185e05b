//! Test support: starts Atrium on port 0 with a fresh SQLite or PostgreSQL database.
#![allow(dead_code)]

/// The Microsoft simulator's tenant as Atrium's Graph configuration.
pub trait SimConfig {
    fn config(&self) -> server::microsoft::client::GraphConfig;
}

impl SimConfig for graphsim::Sim {
    fn config(&self) -> server::microsoft::client::GraphConfig {
        let c = self.credentials();
        server::microsoft::client::GraphConfig {
            tenant_id: c.tenant_id,
            client_id: c.client_id,
            client_secret: server::config::Secret::new(&c.client_secret),
            graph_base: c.base.clone(),
            login_base: c.base,
        }
    }
}

use app::domain::{AnswerInputType, EventKind, EventStatus, PredefinedLabel, Question, QuestionKind};
use server::config::Config;
use server::events::{NewEvent, Presenter};
use server::AppState;
use sqlx::Connection;

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    /// An organizer of the organization that owns the events this app's helpers create.
    pub owner: server::accounts::auth::Organizer,
    pub owner_password: String,
    pub state: AppState,
    /// The time the app goes by: it stands still until a test moves it.
    pub clock: server::clock::FakeClock,
    pub dir: tempfile::TempDir,
    pub client: reqwest::Client,
    pub database_url: Option<String>,
}

/// A fresh, empty PostgreSQL database on the server named by `ATRIUM_TEST_POSTGRES_URL`.
pub async fn postgres_database() -> String {
    let admin = match std::env::var("ATRIUM_TEST_POSTGRES_URL") {
        Ok(url) => url,
        Err(_) => panic!("ATRIUM_TEST_POSTGRES_URL is not set: run the tests with the README's test command, which starts PostgreSQL"),
    };
    sqlx::any::install_default_drivers();
    let name = format!("atrium_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::AnyConnection::connect(&admin)
        .await
        .expect("connect to the test PostgreSQL server");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let (base, _) = admin.rsplit_once('/').expect("the URL names a database");
    format!("{base}/{name}")
}

pub async fn config_for(backend: Backend, dir: &tempfile::TempDir) -> Config {
    let url = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(postgres_database().await),
    };
    Config::for_dir(dir.path().to_path_buf(), url)
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = config_for(backend, &dir).await;
        Self::spawn_with(config, dir).await
    }

    pub async fn spawn_with(config: Config, dir: tempfile::TempDir) -> TestApp {
        let database_url = if config.database_url.expose().starts_with("postgres") {
            Some(config.database_url.expose().to_string())
        } else {
            None
        };
        let clock = server::clock::FakeClock::starting_now();
        let state = server::prepare_with_clock(config, std::sync::Arc::new(clock.clone()))
            .await
            .expect("Atrium starts");
        let email = format!("owner-{}@example.com", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let (owner, owner_password) = server::accounts::auth::create_organizer(&state.db, &email, "Owner Org", None)
            .await
            .expect("create the owner organizer");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
        tokio::spawn(server::serve(listener, state.clone()));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        TestApp {
            clock,
            base,
            owner,
            owner_password,
            state,
            dir,
            client,
            database_url,
        }
    }

    /// Signs in to the dashboard as `email`; returns the session cookie and the CSRF token.
    pub async fn sign_in_as(&self, email: &str, password: &str) -> (String, String) {
        let r = self
            .client
            .post(self.url("/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string([("email", email), ("password", password)]).unwrap())
            .send()
            .await
            .unwrap();
        let cookie = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        let html = self
            .client
            .get(self.url("/dashboard"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        (cookie, csrf)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Stores an event with sensible defaults, adjusted by `f`, and returns its slug.
    pub async fn event(&self, f: impl FnOnce(&mut NewEvent)) -> String {
        let now = jiff::Timestamp::now().as_second();
        let mut e = NewEvent {
            organization_id: self.owner.organization_id.clone(),
            slug: format!("event-{}", &uuid::Uuid::new_v4().simple().to_string()[..10]),
            title: "Test webinar".into(),
            summary: "A test".into(),
            description: "First paragraph.\n\nSecond paragraph.".into(),
            kind: EventKind::Webinar,
            status: EventStatus::Published,
            start_at: now + 86_400,
            end_at: now + 90_000,
            time_zone: "Europe/Berlin".into(),
            capacity: Some(100),
            waitlist_enabled: true,
            manual_approval: false,
            registration_opens_at: None,
            registration_closes_at: None,
            join_url: Some("https://teams.microsoft.com/l/meetup-join/test".into()),
            terms_url: None,
            questions: Vec::new(),
            presenters: vec![Presenter {
                name: "Pat Presenter".into(),
                company: "Contoso".into(),
                job_title: "Engineer".into(),
                bio: "Talks.".into(),
                ..Default::default()
            }],
        };
        f(&mut e);
        let slug = e.slug.clone();
        server::events::insert(&self.state.db, &e).await.expect("insert event");
        slug
    }

    /// The event as the API shows it.
    pub async fn event_json(&self, slug: &str) -> serde_json::Value {
        self.client
            .get(self.url(&format!("/api/v1/events/{slug}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The id of the event's question with this label.
    pub async fn question_id(&self, slug: &str, label: &str) -> String {
        let event = self.event_json(slug).await;
        event["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["label"] == label)
            .expect("question exists")["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Registers through the API, each call from its own client address (behind the loopback
    /// proxy the tests are trusted as), so the per-address limit stays out of the way.
    pub async fn register(&self, slug: &str, body: serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/v1/events/{slug}/registrations")))
            .header("x-forwarded-for", next_address())
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// The text of the page at `path`, fetched with the session `cookie` when given.
    pub async fn page(&self, path: &str, cookie: Option<&str>) -> String {
        let mut request = self.client.get(self.url(path));
        if let Some(c) = cookie {
            request = request.header("cookie", c);
        }
        request.send().await.expect("request").text().await.expect("page text")
    }

    /// Posts a dashboard form with the session `cookie`.
    pub async fn post_form(&self, path: &str, cookie: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(fields).expect("form encodes"))
            .send()
            .await
            .expect("request")
    }

    /// The manage-link token of the registration with this email (the database keeps it only
    /// sealed; the server's key opens it).
    pub async fn manage_token_of(&self, email: &str) -> String {
        let sealed: String = sqlx::query_scalar("SELECT manage_token_sealed FROM registrations WHERE email = $1")
            .bind(email)
            .fetch_one(&self.state.db.pool)
            .await
            .expect("a registration with this email");
        self.state.sealer.open(&sealed).expect("the server's key opens it")
    }

    /// A fresh organizer API token for the owner.
    pub async fn owner_token(&self) -> String {
        let r = self
            .client
            .post(self.url("/api/v1/tokens"))
            .basic_auth(&self.owner.email, Some(&self.owner_password))
            .send()
            .await
            .expect("request");
        assert_eq!(r.status(), 201);
        r.json::<serde_json::Value>().await.expect("JSON")["token"]
            .as_str()
            .expect("a token")
            .to_string()
    }

    /// Delivers everything due in the outbox now and returns the `.eml` files written so far.
    pub async fn flush_outbox(&self) -> Vec<String> {
        while self.state.outbox.deliver_due().await.expect("outbox pass") > 0 {}
        emails(&self.dir)
    }
}

/// A client address no other call of this test process used.
pub fn next_address() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::net::Ipv4Addr::from(0x0a00_0000 | n).to_string()
}

pub fn emails(dir: &tempfile::TempDir) -> Vec<String> {
    let outbox = dir.path().join("outbox");
    let mut files: Vec<_> = std::fs::read_dir(&outbox)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
}

pub fn person(n: usize) -> serde_json::Value {
    serde_json::json!({
        "firstName": format!("Person{n}"),
        "lastName": "Tester",
        "email": format!("person{n}@example.com"),
        "preferredTimezone": "Europe/Berlin",
    })
}

pub fn question(label: &str, kind: AnswerInputType, required: bool, choices: &[&str]) -> (Question, Option<PredefinedLabel>) {
    (
        Question {
            id: format!(
                "q-{}-{}",
                label.to_lowercase().replace(' ', "-"),
                &uuid::Uuid::new_v4().simple().to_string()[..8]
            ),
            kind: QuestionKind::Custom,
            label: label.into(),
            answer_input_type: kind,
            choices: choices.iter().map(|c| c.to_string()).collect(),
            is_required: required,
        },
        None,
    )
}

/// Runs an async test body once against SQLite and once against PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                ($body)($crate::common::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                ($body)($crate::common::Backend::Postgres).await;
            }
        }
    };
}

/// The decoded HTML and text bodies of an email.
pub fn bodies(eml: &str) -> (String, String) {
    let message = mail_parser::MessageParser::default()
        .parse(eml.as_bytes())
        .expect("a parsable email");
    let html = message.body_html(0).map(|b| b.to_string()).unwrap_or_default();
    let text = message.body_text(0).map(|b| b.to_string()).unwrap_or_default();
    (html, text)
}

/// Installs `subscriber` for the calling thread until the returned guard drops, one test at a
/// time (tracing keeps one process-wide cache of which events anyone listens to; the tests that
/// listen take turns so each sees the cache built with its own subscriber).
///
/// A second subscriber that hears nothing stays registered for the whole run. While only one
/// subscriber is registered, tracing-core decides whether an event is wanted from the default
/// subscriber of whichever thread meets the event first; a query of another test, on another
/// thread with no subscriber, could then mark sqlx's statement event as unwanted for everyone
/// and the listening test would count none. With two registered, the decision asks both, and
/// each thread's own subscriber has the last word.
pub async fn listen<S>(subscriber: S) -> Listening
where
    S: tracing::Subscriber + Send + Sync + 'static,
{
    static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    static DEAF: std::sync::OnceLock<tracing::Dispatch> = std::sync::OnceLock::new();
    DEAF.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
    let turn = TURN.lock().await;
    let default = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();
    Listening {
        _default: default,
        _turn: turn,
    }
}

/// A subscriber installed by [`listen`]; dropping it lets the next test listen.
pub struct Listening {
    // Declared first so it drops first: the subscriber goes before the turn passes on.
    _default: tracing::subscriber::DefaultGuard,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}
