//! Atrium's server: configuration, storage, the outbox worker, the REST API and the pages.

// Handlers return a ready `Response` as their error; boxing it would gain nothing.
#![allow(clippy::result_large_err)]

pub mod accounts;
pub mod api;
pub mod appointments;
pub mod attendance;
pub mod backoffice;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod demo;
pub mod events;
pub mod http;
pub mod jobs;
pub mod lifecycle;
pub mod limits;
pub mod microsoft;
pub mod notify;
pub mod portal;
pub mod registrations;
pub mod security_log;
pub mod store;
pub mod workers;

use axum::http::{HeaderName, Request};
use axum::Router;
use config::Config;
use leptos::config::LeptosOptions;
use notify::worker::Outbox;
use std::sync::Arc;
use store::Db;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Everything a request handler needs, behind one `Arc`: the router and each middleware clone
/// the state for every request, and one reference count is cheaper than one per service.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.0
    }
}

/// What [`AppState`] holds.
pub struct Services {
    pub db: Db,
    pub config: Arc<Config>,
    /// The job queue: what features queued, handed to the workers, who are woken through it.
    pub jobs: Arc<dyn jobs::JobQueue>,
    pub outbox: Outbox,
    pub registrar: registrations::Registrar,
    /// Checks passwords on a bounded pool of threads.
    pub hasher: accounts::passwords::Hasher,
    /// Seals manage links (and Microsoft tokens) at rest: `ATRIUM_SECRET_KEY`, or on a single
    /// SQLite install a key generated into the data folder.
    pub sealer: crypto::Sealer,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: http::client_addr::TrustedProxies,
    /// Teams, in Microsoft mode (queued work reaches it through the job queue).
    pub teams: Option<Arc<dyn microsoft::teams::Teams>>,
    /// The organization's connected Microsoft 365 account, in Microsoft mode.
    pub microsoft: Option<microsoft::delegated::Delegated>,
    pub leptos: Arc<LeptosOptions>,
    /// The background workers, and the signal that stops them.
    pub lifecycle: lifecycle::Lifecycle,
    /// Staff calendars read for showing free times, kept while current.
    pub calendars: appointments::CalendarCache,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("could not create the data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error("could not open the database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not update the database schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Mail(String),
    #[error("{0}")]
    Key(#[from] crypto::KeyError),
    #[error("could not listen on {0}: {1}")]
    Listen(String, std::io::Error),
}

fn leptos_options(config: &Config) -> LeptosOptions {
    let output_name = std::env::var("LEPTOS_OUTPUT_NAME")
        .ok()
        .or(option_env!("LEPTOS_OUTPUT_NAME").map(String::from))
        .unwrap_or_else(|| "atrium".into());
    LeptosOptions::builder()
        .output_name(output_name)
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build()
}

impl axum::extract::FromRef<AppState> for Db {
    fn from_ref(state: &AppState) -> Db {
        state.db.clone()
    }
}

impl axum::extract::FromRef<AppState> for http::client_addr::TrustedProxies {
    fn from_ref(state: &AppState) -> Self {
        state.trusted_proxies.clone()
    }
}

impl AppState {
    /// Wakes the workers after a write that queued email or Teams jobs.
    pub fn after_write(&self) {
        self.jobs.wake();
    }
}

/// Opens the database, applies migrations, seeds demo content when asked, and starts the
/// outbox worker.
pub async fn prepare(config: Config) -> Result<AppState, StartError> {
    prepare_with_clock(config, clock::system()).await
}

/// [`prepare`], with everything judged by `clock` (tests pass a [`clock::FakeClock`]).
pub async fn prepare_with_clock(config: Config, clock: Arc<dyn clock::Clock>) -> Result<AppState, StartError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| StartError::DataDir(config.data_dir.display().to_string(), e))?;
    let db = Db::connect(&config.database_url).await?.with_clock(clock);
    db.migrate().await?;
    let sealer = match &config.sealer {
        Some(s) => s.clone(),
        None => crypto::Sealer::load_or_create(&config.data_dir.join("secret.key"))?,
    };
    registrations::seal_legacy_tokens(&db, &sealer).await?;
    if config.demo {
        if config.is_https() {
            tracing::warn!("ATRIUM_DEMO is ignored: demo content is never seeded on an https site");
        } else {
            demo::seed_if_empty(&db, &sealer).await?;
        }
    }
    if db.backend == store::Backend::Sqlite && config.outbox_worker {
        jobs::release_leases_of_this_process(&db).await?;
    }
    let mailer = notify::mailer::from_config(&config).map_err(StartError::Mail)?;
    let config = Arc::new(config);
    let jobs: Arc<dyn jobs::JobQueue> = jobs::OutboxQueue::new(db.clone());
    let outbox = Outbox::new(db.clone(), config.clone(), sealer.clone(), mailer, jobs.clone());
    let lifecycle = lifecycle::Lifecycle::default();
    if config.outbox_worker {
        workers::spawn(db.clone(), outbox.clone(), &lifecycle);
    }
    let leptos = Arc::new(leptos_options(&config));
    let registrar = registrations::Registrar::start(db.clone(), sealer.clone(), config.registrations_per_address);
    if let Some(g) = &config.graph {
        // Connecting an account redirects a form to the identity platform.
        let origin: String = g.login_base.split('/').take(3).collect::<Vec<_>>().join("/");
        http::security::allow_form_target(&origin);
    }
    let microsoft = match (&config.graph, &config.sealer) {
        (Some(g), Some(s)) => Some(microsoft::delegated::Delegated::new(
            db.clone(),
            g.clone(),
            s.clone(),
            &config.public_url,
        )),
        _ => None,
    };
    let teams = config.graph.clone().map(|g| {
        let mut sync = microsoft::sync::TeamsSync::new(
            db.clone(),
            microsoft::client::GraphClient::new(g, Default::default()),
            sealer.clone(),
        )
        .with_public_url(&config.public_url)
        .with_queue(jobs.clone());
        if let Some(m) = &microsoft {
            sync = sync.with_delegated(m.clone());
        }
        if config.outbox_worker {
            sync.clone().spawn(&lifecycle);
        }
        Arc::new(sync) as Arc<dyn microsoft::teams::Teams>
    });
    let trusted_proxies = http::client_addr::TrustedProxies(Arc::new(config.trusted_proxies.clone()));
    Ok(AppState(Arc::new(Services {
        trusted_proxies,
        microsoft,
        teams,
        jobs,
        db,
        config,
        outbox,
        registrar,
        hasher: accounts::passwords::Hasher::for_this_machine(),
        sealer,
        leptos,
        lifecycle,
        calendars: appointments::CalendarCache::default(),
    })))
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    // Leptos renders pages on the Tokio runtime (a second call is a no-op).
    let _ = any_spawner::Executor::init_tokio();
    let request_id = HeaderName::from_static("x-request-id");
    let trace = TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
        let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
        // Paths can carry secrets (manage links, invitations): only their redacted form is logged.
        let path = http::security::redact_path(req.uri().path());
        tracing::info_span!("request", method = %req.method(), path = %path, request_id = %id)
    });
    Router::new()
        .merge(portal::routes())
        .merge(backoffice::routes())
        .merge(microsoft::webhooks::routes())
        .nest("/api/v1", api::routes())
        .merge(http::static_files::routes(&state.config.site_root))
        .fallback(portal::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), http::render::render_pages))
        .layer(axum::middleware::from_fn_with_state(
            http::security::Site {
                https: state.config.is_https(),
            },
            http::security::guard,
        ))
        .layer(CompressionLayer::new())
        .layer(axum::extract::DefaultBodyLimit::max(256 * 1024))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(trace)
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// Serves Atrium on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    serve_until(listener, state, std::future::pending()).await
}

/// Serves Atrium on `listener` until `stop` resolves; then stops accepting, finishes the
/// requests in flight, and waits (up to [`lifecycle::GRACE`]) for the workers' passes.
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    state: AppState,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let life = state.lifecycle.clone();
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        stop.await;
        tracing::info!("stopping: no new connections; finishing the requests in flight");
    })
    .await?;
    if life.stop(lifecycle::GRACE).await {
        tracing::info!("stopped: every worker finished its pass");
    } else {
        tracing::warn!("stopped: a worker was still busy; its claimed jobs are retried when their leases run out");
    }
    Ok(())
}
