//! The database: one connection pool for SQLite or PostgreSQL, the shared migrations, and write
//! transactions that serialise correctly on both.

use crate::config::Secret;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// SQLite allows one writer at a time; writers queue here instead of meeting `SQLITE_BUSY`.
    writer: Arc<Mutex<()>>,
    /// The time everything stored is stamped and judged by (a fake one in tests).
    pub clock: Arc<dyn crate::clock::Clock>,
}

/// A write transaction, holding the SQLite writer slot while it lives.
pub struct WriteTx {
    pub tx: sqlx::Transaction<'static, sqlx::Any>,
    _slot: Option<OwnedMutexGuard<()>>,
    /// The clock of the handle that began it.
    pub clock: Arc<dyn crate::clock::Clock>,
    /// The database it runs on.
    pub backend: Backend,
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::Transaction<'static, sqlx::Any>;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl WriteTx {
    /// Unix milliseconds now, by the clock of the handle that began this transaction.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    /// `FOR UPDATE` where the database has row locks; SQLite's single writer makes it moot there.
    pub fn for_update(&self) -> &'static str {
        for_update(self.backend)
    }
}

impl Db {
    pub async fn connect(url: &Secret) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let url = url.expose();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let mut url = url.to_string();
        if backend == Backend::Sqlite && !url.contains("mode=") {
            url.push_str(if url.contains('?') { "&mode=rwc" } else { "?mode=rwc" });
        }
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Self {
            pool,
            backend,
            writer: Arc::new(Mutex::new(())),
            clock: crate::clock::system(),
        })
    }

    /// The same database judged by another clock.
    pub fn with_clock(mut self, clock: Arc<dyn crate::clock::Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Unix seconds now, by this handle's clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Unix milliseconds now, by this handle's clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        sqlx::migrate!("./migrations").run(&self.pool).await
    }

    /// Starts a write transaction. On SQLite it first takes the process's writer slot.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let slot = match self.backend {
            Backend::Sqlite => Some(self.writer.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        let tx = self.pool.begin().await?;
        Ok(WriteTx {
            tx,
            _slot: slot,
            clock: self.clock.clone(),
            backend: self.backend,
        })
    }

    /// `FOR UPDATE` where the database has row locks; SQLite's single writer makes it moot there.
    pub fn for_update(&self) -> &'static str {
        for_update(self.backend)
    }

    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

pub fn decode_error(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unexpected {column} {value:?} in the database").into())
}

fn for_update(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE",
    }
}

/// `$first, $first+1, …` for `n` values, for an `IN (…)` list. Written by hand because sqlx's
/// `QueryBuilder` writes `?` placeholders for the Any driver, which PostgreSQL does not accept.
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}
