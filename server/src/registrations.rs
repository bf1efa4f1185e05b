//! Registering, looking up and canceling registrations. Each change is one transaction that
//! also writes the emails it causes into the outbox, so nothing is half-done and nothing is lost.

use crate::db::{Db, WriteTx};
use crate::events::{self, event_from_row, Event, EVENT_COLUMNS};
use crate::outbox::{self, Mail};
use app::domain::{
    parse_language, parse_name, validate_answers, Admission, Answer, EmailAddress, FieldError, RawAnswer, Refusal, RegistrationStatus,
};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

/// Longest accepted `Idempotency-Key`.
pub const MAX_IDEMPOTENCY_KEY: usize = 200;
/// A registrant asking again for their details gets at most one email per this many seconds.
const RESEND_INTERVAL: i64 = 600;

/// A registration request as it arrives from the form or the API.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewRegistration {
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub preferred_timezone: String,
    #[serde(default)]
    pub preferred_language: Option<String>,
    #[serde(default)]
    pub answers: Vec<RawAnswer>,
    #[serde(default)]
    pub accept_terms: bool,
}

/// The result of a registration, as stored for idempotent replays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub id: String,
    pub status: RegistrationStatus,
    pub manage_token: String,
    pub waitlist_position: Option<i64>,
}

#[derive(Debug)]
pub enum Registered {
    /// A new registration (or a canceled one made active again).
    Created(Summary),
    /// The same email was already registered: the existing registration, whose details were
    /// emailed to its owner again rather than handed to whoever asked.
    Existing {
        id: String,
        status: RegistrationStatus,
        waitlist_position: Option<i64>,
    },
    /// The same `Idempotency-Key` was used before: the first answer, again.
    Replayed(Summary),
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("event not found")]
    NotFound,
    #[error("invalid registration")]
    Invalid(Vec<FieldError>),
    #[error("registration refused")]
    Refused(Refusal),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// A registration with its event, for the manage page and emails.
#[derive(Clone, Debug)]
pub struct Registration {
    pub id: String,
    pub event_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub status: RegistrationStatus,
    pub waitlist_seq: Option<i64>,
    pub preferred_timezone: String,
    pub preferred_language: Option<String>,
    pub answers: Vec<Answer>,
    pub manage_token: String,
    pub created_at: i64,
}

const REG_COLUMNS: &str = "id, event_id, email, first_name, last_name, status, waitlist_seq, preferred_timezone, preferred_language, answers, manage_token, created_at";

fn registration_from_row(row: &AnyRow) -> Result<Registration, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let answers: String = row.try_get("answers")?;
    Ok(Registration {
        id: row.try_get("id")?,
        event_id: row.try_get("event_id")?,
        email: row.try_get("email")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        status: RegistrationStatus::parse(&status).ok_or_else(|| events::decode_error("registration status", &status))?,
        waitlist_seq: row.try_get("waitlist_seq")?,
        preferred_timezone: row.try_get("preferred_timezone")?,
        preferred_language: row.try_get("preferred_language")?,
        answers: serde_json::from_str(&answers).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        manage_token: row.try_get("manage_token")?,
        created_at: row.try_get("created_at")?,
    })
}

pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// A fresh secret for a manage link: 128 random bits, URL-safe.
pub fn new_token() -> String {
    use base64::Engine;
    let bytes: [u8; 18] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The checked form of a request, before any seat is taken.
struct Checked {
    email: EmailAddress,
    first_name: String,
    last_name: String,
    timezone: String,
    language: Option<String>,
    answers: Vec<Answer>,
}

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

async fn lock_event(db: &Db, tx: &mut WriteTx, event_id: &str) -> Result<Event, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = $1{}", db.for_update()))
        .bind(event_id)
        .fetch_one(&mut *tx.tx)
        .await?;
    event_from_row(&row)
}

async fn waitlist_position(tx: &mut WriteTx, event_id: &str, seq: Option<i64>) -> Result<Option<i64>, sqlx::Error> {
    let Some(seq) = seq else { return Ok(None) };
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM registrations WHERE event_id = $1 AND status = 'waitlisted' AND waitlist_seq <= $2")
            .bind(event_id)
            .bind(seq)
            .fetch_one(&mut *tx.tx)
            .await?;
    Ok(Some(n))
}

/// Moves the event's counters for a registration leaving `from` and entering `to`.
async fn shift_counts(
    tx: &mut WriteTx,
    event_id: &str,
    from: Option<RegistrationStatus>,
    to: Option<RegistrationStatus>,
    now: i64,
) -> Result<(), sqlx::Error> {
    fn column(s: RegistrationStatus) -> Option<&'static str> {
        match s {
            RegistrationStatus::Registered => Some("registered_count"),
            RegistrationStatus::Waitlisted => Some("waitlisted_count"),
            RegistrationStatus::PendingApproval => Some("pending_count"),
            _ => None,
        }
    }
    let mut sets = vec!["updated_at = $2".to_string()];
    if let Some(c) = from.and_then(column) {
        sets.push(format!("{c} = {c} - 1"));
    }
    if let Some(c) = to.and_then(column) {
        sets.push(format!("{c} = {c} + 1"));
    }
    if to == Some(RegistrationStatus::Waitlisted) {
        sets.push("next_waitlist_seq = next_waitlist_seq + 1".into());
    }
    sqlx::query(&format!("UPDATE events SET {} WHERE id = $1", sets.join(", ")))
        .bind(event_id)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

fn mail_for(status: RegistrationStatus) -> Mail {
    match status {
        RegistrationStatus::Registered => Mail::Confirmation,
        RegistrationStatus::Waitlisted => Mail::Waitlisted,
        _ => Mail::PendingApproval,
    }
}

/// Registers someone for the event with `slug`. Capacity is decided inside one write
/// transaction that serialises on the event, so it can never be exceeded.
pub async fn register(db: &Db, slug: &str, input: &NewRegistration, idempotency_key: Option<&str>) -> Result<Registered, RegisterError> {
    let event = events::for_registration(db, slug).await?.ok_or(RegisterError::NotFound)?;
    let now = now();
    // Fail fast on a closed event, before reading the fields.
    event.window().check(now).map_err(RegisterError::Refused)?;
    let checked = check(&event, input).map_err(RegisterError::Invalid)?;

    let mut tx = db.begin_write().await?;
    if let Some(key) = idempotency_key {
        let stored: Option<String> = sqlx::query_scalar("SELECT body FROM idempotency_keys WHERE event_id = $1 AND idem_key = $2")
            .bind(&event.id)
            .bind(key)
            .fetch_optional(&mut *tx.tx)
            .await?;
        if let Some(body) = stored {
            let summary: Summary = serde_json::from_str(&body).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            return Ok(Registered::Replayed(summary));
        }
    }
    let current = lock_event(db, &mut tx, &event.id).await?;
    current.window().check(now).map_err(RegisterError::Refused)?;

    let status = match current.seats().admit() {
        Admission::Registered => Some(RegistrationStatus::Registered),
        Admission::PendingApproval => Some(RegistrationStatus::PendingApproval),
        Admission::Waitlisted => Some(RegistrationStatus::Waitlisted),
        Admission::Full => None,
    };
    let seq = (status == Some(RegistrationStatus::Waitlisted)).then_some(current.next_waitlist_seq);
    let token = new_token();
    let answers = serde_json::to_string(&checked.answers).expect("answers serialise");

    // The common case is one statement: a new row, unless this email already has one.
    let mut id = uuid::Uuid::now_v7().to_string();
    let inserted = match status {
        Some(status) => {
            sqlx::query(&format!(
                "INSERT INTO registrations ({REG_COLUMNS}, email_normalized, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $12) \
                 ON CONFLICT (event_id, email_normalized) DO NOTHING"
            ))
            .bind(&id)
            .bind(&event.id)
            .bind(checked.email.as_str())
            .bind(&checked.first_name)
            .bind(&checked.last_name)
            .bind(status.as_str())
            .bind(seq)
            .bind(&checked.timezone)
            .bind(&checked.language)
            .bind(&answers)
            .bind(&token)
            .bind(now)
            .bind(checked.email.normalized())
            .execute(&mut *tx.tx)
            .await?
            .rows_affected()
                == 1
        }
        None => false,
    };
    if !inserted {
        let existing = sqlx::query(&format!(
            "SELECT {REG_COLUMNS}, reminded_at FROM registrations WHERE event_id = $1 AND email_normalized = $2"
        ))
        .bind(&event.id)
        .bind(checked.email.normalized())
        .fetch_optional(&mut *tx.tx)
        .await?;
        let Some(row) = existing else {
            return Err(RegisterError::Refused(Refusal::Full));
        };
        let reg = registration_from_row(&row)?;
        match reg.status {
            s if s.is_active() => {
                let reminded_at: Option<i64> = row.try_get("reminded_at")?;
                let position =
                    waitlist_position(&mut tx, &event.id, reg.waitlist_seq.filter(|_| s == RegistrationStatus::Waitlisted)).await?;
                if reminded_at.is_none_or(|t| now - t >= RESEND_INTERVAL) {
                    sqlx::query("UPDATE registrations SET reminded_at = $2 WHERE id = $1")
                        .bind(&reg.id)
                        .bind(now)
                        .execute(&mut *tx.tx)
                        .await?;
                    outbox::enqueue(&mut tx, Mail::Details, &reg.id, &reg.email, position).await?;
                }
                tx.commit().await?;
                return Ok(Registered::Existing {
                    id: reg.id,
                    status: s,
                    waitlist_position: position,
                });
            }
            RegistrationStatus::RejectedByOrganizer => {
                return Err(RegisterError::Invalid(vec![FieldError::new(
                    "email",
                    "The organizer has declined a registration from this email address.",
                )]));
            }
            _ => {}
        }
        // A canceled registration comes back to life with a fresh link.
        let status = status.ok_or(RegisterError::Refused(Refusal::Full))?;
        sqlx::query(
            "UPDATE registrations SET email = $2, first_name = $3, last_name = $4, status = $5, waitlist_seq = $6, preferred_timezone = $7, \
             preferred_language = $8, answers = $9, manage_token = $10, updated_at = $11, canceled_at = NULL WHERE id = $1",
        )
        .bind(&reg.id)
        .bind(checked.email.as_str())
        .bind(&checked.first_name)
        .bind(&checked.last_name)
        .bind(status.as_str())
        .bind(seq)
        .bind(&checked.timezone)
        .bind(&checked.language)
        .bind(&answers)
        .bind(&token)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
        id = reg.id;
    }
    let status = status.expect("a seat decision was made for a new registration");
    // Everyone already waiting is ahead of a newcomer.
    let position = seq.map(|_| current.waitlisted_count + 1);
    shift_counts(&mut tx, &event.id, None, Some(status), now).await?;
    outbox::enqueue(&mut tx, mail_for(status), &id, checked.email.as_str(), position).await?;
    let summary = Summary {
        id,
        status,
        manage_token: token,
        waitlist_position: position,
    };
    if let Some(key) = idempotency_key {
        sqlx::query("INSERT INTO idempotency_keys (event_id, idem_key, status_code, body, created_at) VALUES ($1, $2, 201, $3, $4)")
            .bind(&event.id)
            .bind(key)
            .bind(serde_json::to_string(&summary).expect("summary serialises"))
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Registered::Created(summary))
}

/// A registration by its manage token.
pub async fn by_token(db: &Db, token: &str) -> Result<Option<Registration>, sqlx::Error> {
    if token.is_empty() || token.len() > 64 {
        return Ok(None);
    }
    let row = sqlx::query(&format!("SELECT {REG_COLUMNS} FROM registrations WHERE manage_token = $1"))
        .bind(token)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(registration_from_row).transpose()
}

/// A registration by id.
pub async fn by_id(db: &Db, id: &str) -> Result<Option<Registration>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {REG_COLUMNS} FROM registrations WHERE id = $1"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(registration_from_row).transpose()
}

/// The place of a waitlisted registration in the queue, counting from 1.
pub async fn position_of(db: &Db, reg: &Registration) -> Result<Option<i64>, sqlx::Error> {
    if reg.status != RegistrationStatus::Waitlisted {
        return Ok(None);
    }
    let Some(seq) = reg.waitlist_seq else { return Ok(None) };
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM registrations WHERE event_id = $1 AND status = 'waitlisted' AND waitlist_seq <= $2")
            .bind(&reg.event_id)
            .bind(seq)
            .fetch_one(&db.pool)
            .await?;
    Ok(Some(n))
}

#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    #[error("registration not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Cancels the registration behind `token`. A freed seat goes to the first person on the
/// waitlist in the same transaction, and both people are emailed. Canceling twice is harmless.
pub async fn cancel(db: &Db, token: &str) -> Result<Registration, CancelError> {
    let reg = by_token(db, token).await?.ok_or(CancelError::NotFound)?;
    let now = now();
    let mut tx = db.begin_write().await?;
    let event = lock_event(db, &mut tx, &reg.event_id).await?;
    let row = sqlx::query(&format!("SELECT {REG_COLUMNS} FROM registrations WHERE id = $1"))
        .bind(&reg.id)
        .fetch_one(&mut *tx.tx)
        .await?;
    let reg = registration_from_row(&row)?;
    if !reg.status.can_become(RegistrationStatus::Canceled) {
        tx.commit().await?;
        return Ok(reg);
    }
    sqlx::query("UPDATE registrations SET status = 'canceled', waitlist_seq = NULL, canceled_at = $2, updated_at = $2 WHERE id = $1")
        .bind(&reg.id)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    shift_counts(&mut tx, &event.id, Some(reg.status), None, now).await?;
    outbox::enqueue(&mut tx, Mail::Canceled, &reg.id, &reg.email, None).await?;
    if reg.status == RegistrationStatus::Registered {
        promote_waitlisted(db, &mut tx, &event.id, now).await?;
    }
    tx.commit().await?;
    Ok(Registration {
        status: RegistrationStatus::Canceled,
        ..reg
    })
}

/// Gives free seats to people on the waitlist, first come first served, and tells them.
async fn promote_waitlisted(db: &Db, tx: &mut WriteTx, event_id: &str, now: i64) -> Result<(), sqlx::Error> {
    loop {
        let event = lock_event(db, tx, event_id).await?;
        if event.status != app::domain::EventStatus::Published || !event.seats().can_promote() {
            return Ok(());
        }
        let next =
            sqlx::query("SELECT id, email FROM registrations WHERE event_id = $1 AND status = 'waitlisted' ORDER BY waitlist_seq LIMIT 1")
                .bind(event_id)
                .fetch_optional(&mut *tx.tx)
                .await?;
        let Some(next) = next else { return Ok(()) };
        let id: String = next.try_get("id")?;
        let email: String = next.try_get("email")?;
        sqlx::query("UPDATE registrations SET status = 'registered', waitlist_seq = NULL, updated_at = $2 WHERE id = $1")
            .bind(&id)
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
        shift_counts(
            tx,
            event_id,
            Some(RegistrationStatus::Waitlisted),
            Some(RegistrationStatus::Registered),
            now,
        )
        .await?;
        outbox::enqueue(tx, Mail::Promoted, &id, &email, None).await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), 24);
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}
