//! Where email goes, behind the [`Mailer`] seam: `.eml` files in the outbox folder (keyed by the
//! message's id, so delivering the same message twice writes the same file), or an SMTP server.
//! Tests can put their own mailer in its place.

use crate::config::Config;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

/// Why a message was not delivered this time.
#[derive(Debug)]
pub enum Failure {
    /// Worth trying again later (a server down, a full disk).
    Transient(String),
    /// Never deliverable (a refused address, a message that cannot be built).
    Permanent(String),
}

impl Failure {
    pub fn text(&self) -> &str {
        match self {
            Failure::Transient(t) | Failure::Permanent(t) => t,
        }
    }
}

/// Sends one message; `id` is the queue item's id, stable across retries.
pub trait Mailer: Send + Sync {
    fn send<'a>(&'a self, id: &'a str, message: lettre::Message) -> Pin<Box<dyn Future<Output = Result<(), Failure>> + Send + 'a>>;
}

/// Writes each message to `<dir>/<id>.eml` (atomically, by renaming a temporary file).
pub struct FolderMailer(pub PathBuf);

impl Mailer for FolderMailer {
    fn send<'a>(&'a self, id: &'a str, message: lettre::Message) -> Pin<Box<dyn Future<Output = Result<(), Failure>> + Send + 'a>> {
        Box::pin(async move {
            let transient = |e: std::io::Error| Failure::Transient(e.to_string());
            tokio::fs::create_dir_all(&self.0).await.map_err(transient)?;
            let final_path = self.0.join(format!("{id}.eml"));
            let tmp = self.0.join(format!(".{id}.eml.tmp"));
            tokio::fs::write(&tmp, message.formatted()).await.map_err(transient)?;
            tokio::fs::rename(&tmp, &final_path).await.map_err(transient)
        })
    }
}

/// Hands each message to an SMTP server.
pub struct SmtpMailer(pub AsyncSmtpTransport<Tokio1Executor>);

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, _id: &'a str, message: lettre::Message) -> Pin<Box<dyn Future<Output = Result<(), Failure>> + Send + 'a>> {
        Box::pin(async move {
            self.0.send(message).await.map(|_| ()).map_err(|e| {
                // A 5xx answer (no such mailbox, address refused) will not change on a retry.
                if e.is_permanent() {
                    Failure::Permanent(e.to_string())
                } else {
                    Failure::Transient(e.to_string())
                }
            })
        })
    }
}

/// The mailer the configuration asks for: SMTP when `ATRIUM_SMTP_URL` is set, else files.
pub fn from_config(config: &Config) -> Result<std::sync::Arc<dyn Mailer>, String> {
    match &config.smtp_url {
        Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
            .map(|b| std::sync::Arc::new(SmtpMailer(b.build())) as std::sync::Arc<dyn Mailer>)
            .map_err(|e| format!("ATRIUM_SMTP_URL could not be used: {e}")),
        None => Ok(std::sync::Arc::new(FolderMailer(config.data_dir.join("outbox")))),
    }
}
