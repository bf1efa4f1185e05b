//! Typed configuration, read once from the environment at start-up with clear errors.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// A value that must never be printed or logged.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    /// Where the server listens (`LEPTOS_SITE_ADDR`, default 127.0.0.1:3000).
    pub addr: SocketAddr,
    /// The built site: `pkg/` with CSS, JS and wasm, and the public assets (`LEPTOS_SITE_ROOT`).
    pub site_root: PathBuf,
    /// `sqlite://…` or `postgres://…` (`DATABASE_URL`, default `sqlite://{data_dir}/atrium.db`).
    pub database_url: Secret,
    /// Where Atrium keeps its files; the email outbox folder lives below it (`ATRIUM_DATA_DIR`).
    pub data_dir: PathBuf,
    /// Seed demo content into an empty database (`ATRIUM_DEMO`, default off; never when an
    /// organizer exists or the public address is https).
    pub demo: bool,
    /// The address people reach Atrium at, for links in emails (`ATRIUM_PUBLIC_URL`).
    pub public_url: String,
    /// The organization's name shown in the header and emails (`ATRIUM_SITE_NAME`).
    pub site_name: String,
    /// Deliver email through SMTP instead of `.eml` files (`ATRIUM_SMTP_URL`, e.g. `smtp://user:pass@host:587`).
    pub smtp_url: Option<Secret>,
    /// The sender of Atrium's email (`ATRIUM_MAIL_FROM`).
    pub mail_from: String,
    /// Run the outbox worker in the background (tests deliver by hand instead).
    pub outbox_worker: bool,
    /// Microsoft Graph settings; `None` is standalone mode.
    pub graph: Option<GraphConfig>,
    /// Seals secrets at rest (`ATRIUM_SECRET_KEY`, base64 of 32 bytes); required in Microsoft mode
    /// and with PostgreSQL. Without it, a SQLite install keeps a generated key in its data folder.
    pub sealer: Option<crate::crypto::Sealer>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`ATRIUM_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Registrations one address may make in ten minutes (`ATRIUM_REGISTRATIONS_PER_ADDRESS`).
    pub registrations_per_address: i64,
    /// Days after an event ends that its manage links keep working (`ATRIUM_MANAGE_LINK_DAYS`).
    pub manage_link_days: i64,
}

#[derive(Debug, thiserror::Error)]
#[error("configuration error: {name} {problem}")]
pub struct ConfigError {
    pub name: &'static str,
    pub problem: String,
}

fn var(name: &'static str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn flag(name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match var(name).as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(ConfigError {
            name,
            problem: format!("must be 1 or 0, not {other:?}"),
        }),
    }
}

fn number(name: &'static str, default: i64, range: std::ops::RangeInclusive<i64>) -> Result<i64, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(ConfigError {
                name,
                problem: format!("must be a whole number from {} to {}, not {text:?}", range.start(), range.end()),
            }),
        },
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let addr: SocketAddr = var("LEPTOS_SITE_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .map_err(|e| ConfigError {
                name: "LEPTOS_SITE_ADDR",
                problem: format!("is not a socket address like 127.0.0.1:3000 ({e})"),
            })?;
        let site_root = PathBuf::from(var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()));
        let data_dir = PathBuf::from(var("ATRIUM_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = var("DATABASE_URL").unwrap_or_else(|| format!("sqlite://{}/atrium.db", data_dir.display()));
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError {
                name: "DATABASE_URL",
                problem: "must start with sqlite: or postgres://".into(),
            });
        }
        let public_url = var("ATRIUM_PUBLIC_URL").unwrap_or_else(|| format!("http://localhost:{}", addr.port()));
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError {
                name: "ATRIUM_PUBLIC_URL",
                problem: "must start with http:// or https://".into(),
            });
        }
        let smtp_url = var("ATRIUM_SMTP_URL");
        if let Some(url) = &smtp_url {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(ConfigError {
                    name: "ATRIUM_SMTP_URL",
                    problem: "must start with smtp:// or smtps://".into(),
                });
            }
        }
        let graph = GraphConfig::from_env()?;
        let sealer = match var("ATRIUM_SECRET_KEY") {
            Some(k) => Some(crate::crypto::Sealer::from_base64(&k).map_err(|problem| ConfigError {
                name: "ATRIUM_SECRET_KEY",
                problem: problem.to_string(),
            })?),
            None => None,
        };
        if database_url.starts_with("postgres") && sealer.is_none() {
            return Err(ConfigError {
                name: "ATRIUM_SECRET_KEY",
                problem: "is required with PostgreSQL (every instance must use the same key; it protects manage links and Microsoft tokens at rest): use `openssl rand -base64 32`".into(),
            });
        }
        if graph.is_some() && sealer.is_none() {
            return Err(ConfigError {
                name: "ATRIUM_SECRET_KEY",
                problem: "is required in Microsoft mode (it encrypts Microsoft tokens at rest): use `openssl rand -base64 32`".into(),
            });
        }
        let trusted_proxies = parse_trusted(&var("ATRIUM_TRUSTED_PROXIES").unwrap_or_default()).map_err(|problem| ConfigError {
            name: "ATRIUM_TRUSTED_PROXIES",
            problem,
        })?;
        let mail_from = var("ATRIUM_MAIL_FROM").unwrap_or_else(|| "Atrium <events@atrium.localhost>".into());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError {
                name: "ATRIUM_MAIL_FROM",
                problem: "is not an address like Events <events@example.com>".into(),
            });
        }
        Ok(Self {
            addr,
            site_root,
            database_url: Secret(database_url),
            data_dir,
            demo: flag("ATRIUM_DEMO", false)?,
            public_url: public_url.trim_end_matches('/').to_string(),
            site_name: var("ATRIUM_SITE_NAME").unwrap_or_else(|| "Atrium Events".into()),
            smtp_url: smtp_url.map(Secret),
            mail_from,
            outbox_worker: true,
            sealer,
            graph,
            trusted_proxies,
            registrations_per_address: number("ATRIUM_REGISTRATIONS_PER_ADDRESS", 20, 1..=1_000_000)?,
            manage_link_days: number("ATRIUM_MANAGE_LINK_DAYS", 30, 1..=3650)?,
        })
    }

    /// Whether people reach Atrium over https (then browsers are told to keep doing so).
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// A configuration for tests and tools: everything under `data_dir`, SQLite unless given.
    pub fn for_dir(data_dir: PathBuf, database_url: Option<String>) -> Self {
        let is_postgres = database_url.as_deref().is_some_and(|u| u.starts_with("postgres"));
        Self {
            addr: "127.0.0.1:0".parse().expect("valid address"),
            site_root: PathBuf::from("target/site"),
            database_url: Secret(database_url.unwrap_or_else(|| format!("sqlite://{}/atrium.db", data_dir.display()))),
            data_dir,
            demo: false,
            public_url: "http://localhost:3000".into(),
            site_name: "Atrium Events".into(),
            smtp_url: None,
            mail_from: "Atrium <events@atrium.localhost>".into(),
            outbox_worker: false,
            graph: None,
            // PostgreSQL needs a configured key (instances must share it); tests make one up.
            sealer: is_postgres.then(|| {
                use base64::Engine;
                crate::crypto::Sealer::from_base64(&base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 32]>()))
                    .expect("32 random bytes make a key")
            }),
            // Tests reach Atrium over loopback and say who they are with X-Forwarded-For.
            trusted_proxies: parse_trusted("127.0.0.1, ::1").expect("loopback parses"),
            registrations_per_address: 20,
            manage_link_days: 30,
        }
    }
}

/// Microsoft settings; all three credentials present means Microsoft mode.
#[derive(Clone, Debug)]
pub struct GraphConfig {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// `ATRIUM_GRAPH_BASE_URL`, default `https://graph.microsoft.com`.
    pub graph_base: String,
    /// `ATRIUM_LOGIN_BASE_URL`, default `https://login.microsoftonline.com`.
    pub login_base: String,
}

impl GraphConfig {
    /// `None` in standalone mode (no Microsoft settings); an error when only some are set.
    pub fn from_env() -> Result<Option<Self>, ConfigError> {
        let get = |n: &'static str| std::env::var(n).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let (tenant, client, secret) = (
            get("ATRIUM_GRAPH_TENANT_ID"),
            get("ATRIUM_GRAPH_CLIENT_ID"),
            get("ATRIUM_GRAPH_CLIENT_SECRET"),
        );
        match (tenant, client, secret) {
            (None, None, None) => Ok(None),
            (Some(tenant_id), Some(client_id), Some(secret)) => Ok(Some(Self {
                tenant_id,
                client_id,
                client_secret: Secret::new(secret),
                graph_base: get("ATRIUM_GRAPH_BASE_URL")
                    .unwrap_or_else(|| "https://graph.microsoft.com".into())
                    .trim_end_matches('/')
                    .into(),
                login_base: get("ATRIUM_LOGIN_BASE_URL")
                    .unwrap_or_else(|| "https://login.microsoftonline.com".into())
                    .trim_end_matches('/')
                    .into(),
            })),
            (t, c, s) => {
                let missing: Vec<&str> = [
                    ("ATRIUM_GRAPH_TENANT_ID", t.is_none()),
                    ("ATRIUM_GRAPH_CLIENT_ID", c.is_none()),
                    ("ATRIUM_GRAPH_CLIENT_SECRET", s.is_none()),
                ]
                .iter()
                .filter(|(_, m)| *m)
                .map(|(n, _)| *n)
                .collect();
                Err(ConfigError {
                    name: "ATRIUM_GRAPH_*",
                    problem: format!("is incomplete: also set {}", missing.join(", ")),
                })
            }
        }
    }
}

/// Parses `ATRIUM_TRUSTED_PROXIES`: addresses or networks, separated by commas or spaces.
pub fn parse_trusted(text: &str) -> Result<Vec<ipnet::IpNet>, String> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("{p:?} is not an address or network like 10.0.0.0/8"))
        })
        .collect()
}
