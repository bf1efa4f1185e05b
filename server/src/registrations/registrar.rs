//! The registration writer: requests that arrive together are decided in one transaction
//! (group commit) by [`super::decide`]; this side checks the fields and queues.

use super::decide::{write_batch, Checked, Pending, Rules};
use super::{NewRegistration, RegisterError, Registered};
use crate::crypto::Sealer;
use crate::events::{self, Event};
use crate::limits::{self, Limit};
use crate::store::Db;
use app::domain::{parse_language, parse_name, validate_answers, EmailAddress, FieldError};
use tokio::sync::{mpsc, oneshot};

/// Most registrations decided in one transaction.
const MAX_BATCH: usize = 64;

/// Checks every field and reports every problem at once, each against its field name.
fn check(event: &Event, input: &NewRegistration) -> Result<Checked, Vec<FieldError>> {
    let mut errors = Vec::new();
    let first_name = parse_name(&input.first_name, "first name")
        .map_err(|m| errors.push(FieldError::new("firstName", m)))
        .ok();
    let last_name = parse_name(&input.last_name, "last name")
        .map_err(|m| errors.push(FieldError::new("lastName", m)))
        .ok();
    let email = EmailAddress::parse(&input.email)
        .map_err(|m| errors.push(FieldError::new("email", m)))
        .ok();
    let tz = if input.preferred_timezone.trim().is_empty() {
        event.time_zone.clone()
    } else {
        input.preferred_timezone.trim().to_string()
    };
    let timezone = app::tz::parse_zone(&tz)
        .map(|_| tz)
        .map_err(|m| errors.push(FieldError::new("preferredTimezone", m)))
        .ok();
    let language = match input.preferred_language.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        None => None,
        Some(l) => parse_language(l)
            .map_err(|m| errors.push(FieldError::new("preferredLanguage", m)))
            .ok(),
    };
    let answers = validate_answers(&event.questions, &input.answers)
        .map_err(|e| errors.extend(e))
        .ok();
    if event.terms_url.is_some() && !input.accept_terms {
        errors.push(FieldError::new("acceptTerms", "Please accept the terms to register."));
    }
    match (first_name, last_name, email, timezone, answers) {
        (Some(first_name), Some(last_name), Some(email), Some(timezone), Some(answers)) if errors.is_empty() => Ok(Checked {
            email,
            first_name,
            last_name,
            timezone,
            language,
            answers,
        }),
        _ => Err(errors),
    }
}

/// Registers someone for the event with `slug`. The fields are checked here; the seat is then
/// decided by the [`Registrar`]'s writer inside a transaction that holds the event, so capacity
/// can never be exceeded. `address` is the client's network address, for the per-address limit.
pub async fn register(
    registrar: &Registrar,
    slug: &str,
    input: &NewRegistration,
    idempotency_key: Option<&str>,
    address: Option<&str>,
) -> Result<Registered, RegisterError> {
    let event = events::for_registration(&registrar.db, slug)
        .await?
        .ok_or(RegisterError::NotFound)?;
    // Fail fast on a closed event, before reading the fields.
    event.window().check(registrar.db.now()).map_err(RegisterError::Refused)?;
    if input.website.as_deref().is_some_and(|w| !w.trim().is_empty()) {
        crate::security_log::event("registration_honeypot", None, address, &event.slug);
        return Err(RegisterError::Invalid(vec![FieldError::new(
            "form",
            "We couldn't accept this registration. If you're a person, please leave the hidden \"website\" field empty.",
        )]));
    }
    let checked = check(&event, input).map_err(RegisterError::Invalid)?;
    let (reply, answer) = oneshot::channel();
    let pending = Pending {
        event_id: event.id,
        checked,
        key: idempotency_key.map(|k| (k.to_string(), super::fingerprint(input))),
        address: address.map(str::to_string),
        reply,
    };
    registrar
        .queue
        .send(pending)
        .await
        .map_err(|_| RegisterError::Db(sqlx::Error::PoolClosed))?;
    answer.await.map_err(|_| RegisterError::Db(sqlx::Error::PoolClosed))?
}

/// Writes registrations, one transaction per batch of requests that arrived together.
#[derive(Clone)]
pub struct Registrar {
    db: Db,
    queue: mpsc::Sender<Pending>,
}

impl Registrar {
    /// Starts the writer task for `db`. `per_address` registrations are allowed per address
    /// in ten minutes.
    pub fn start(db: Db, sealer: Sealer, per_address: i64) -> Self {
        let rules = Rules {
            sealer,
            per_address: Limit {
                hits: per_address,
                ..limits::REGISTRATIONS
            },
        };
        let (queue, mut inbox) = mpsc::channel::<Pending>(4096);
        let writer_db = db.clone();
        tokio::spawn(async move {
            while let Some(first) = inbox.recv().await {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match inbox.try_recv() {
                        Ok(p) => batch.push(p),
                        Err(_) => break,
                    }
                }
                match write_batch(&writer_db, &rules, &batch).await {
                    Ok(outcomes) => {
                        for (p, outcome) in batch.into_iter().zip(outcomes) {
                            let _ = p.reply.send(outcome);
                        }
                    }
                    // One bad apple must not spoil the rest: retry each on its own.
                    Err(_) if batch.len() > 1 => {
                        for p in batch {
                            let outcome = match write_batch(&writer_db, &rules, std::slice::from_ref(&p)).await {
                                Ok(mut o) => o.pop().expect("one outcome per request"),
                                Err(e) => Err(RegisterError::Db(e)),
                            };
                            let _ = p.reply.send(outcome);
                        }
                    }
                    Err(e) => {
                        let p = batch.pop().expect("a batch has a request");
                        let _ = p.reply.send(Err(RegisterError::Db(e)));
                    }
                }
            }
        });
        Self { db, queue }
    }
}
