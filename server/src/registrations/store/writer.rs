//! The registration writer's transaction: requests that arrived together are decided one after
//! another in arrival order, each against the seats the ones before it took. Idempotency keys,
//! the per-address limit and email confirmation are decided in the same transaction; the limit
//! is counted for the whole batch with one statement.

use super::super::{new_token, RegisterError, Registered, Summary, IDEMPOTENCY_LIFETIME};
use super::{registration_from_row, REG_COLUMNS};
use crate::crypto::Sealer;
use crate::events::store::seats::{counter, lock as lock_event, Counter};
use crate::events::Event;
use crate::jobs::email::{self, Mail};
use crate::limits::{self, Limit};
use crate::store::{Db, WriteTx};
use app::domain::{Admission, Answer, EmailAddress, FieldError, Refusal, RegistrationStatus};
use sqlx::Row;
use std::collections::HashMap;
use tokio::sync::oneshot;

/// A registrant asking again for their details gets at most one email per this many seconds.
const RESEND_INTERVAL: i64 = 600;

/// The checked form of a request, before any seat is taken.
pub(in crate::registrations) struct Checked {
    pub(in crate::registrations) email: EmailAddress,
    pub(in crate::registrations) first_name: String,
    pub(in crate::registrations) last_name: String,
    pub(in crate::registrations) timezone: String,
    pub(in crate::registrations) language: Option<String>,
    pub(in crate::registrations) answers: Vec<Answer>,
}

pub(super) async fn waitlist_position(tx: &mut WriteTx, event_id: &str, seq: Option<i64>) -> Result<Option<i64>, sqlx::Error> {
    let Some(seq) = seq else { return Ok(None) };
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM registrations WHERE event_id = $1 AND status = 'waitlisted' AND waitlist_seq <= $2")
            .bind(event_id)
            .bind(seq)
            .fetch_one(&mut *tx.tx)
            .await?;
    Ok(Some(n))
}

fn mail_for(status: RegistrationStatus) -> Mail {
    match status {
        RegistrationStatus::Registered => Mail::Confirmation,
        RegistrationStatus::Waitlisted => Mail::Waitlisted,
        RegistrationStatus::Unconfirmed => Mail::ConfirmAddress,
        _ => Mail::PendingApproval,
    }
}

pub(in crate::registrations) struct Pending {
    pub(in crate::registrations) event_id: String,
    pub(in crate::registrations) checked: Checked,
    /// The `Idempotency-Key` and the fingerprint of the request it came with.
    pub(in crate::registrations) key: Option<(String, String)>,
    pub(in crate::registrations) address: Option<String>,
    pub(in crate::registrations) reply: oneshot::Sender<Result<Registered, RegisterError>>,
}

pub(in crate::registrations) type Outcome = Result<Registered, RegisterError>;

/// What the writer needs besides the database.
#[derive(Clone)]
pub(in crate::registrations) struct Rules {
    pub(in crate::registrations) sealer: Sealer,
    pub(in crate::registrations) per_address: Limit,
}

/// Decides a batch of registrations in one transaction. Every event involved is locked once and
/// its counters written once, at the end.
pub(in crate::registrations) async fn write_batch(db: &Db, rules: &Rules, batch: &[Pending]) -> Result<Vec<Outcome>, sqlx::Error> {
    let now = db.now();
    let mut tx = db.begin_write().await?;
    let mut locked: HashMap<String, (Event, Event)> = HashMap::new();
    let mut outcomes = Vec::with_capacity(batch.len());
    // Every request with an address counts against it, with one statement for the batch.
    let addresses: Vec<&str> = batch.iter().filter_map(|p| p.address.as_deref()).collect();
    let mut counts = limits::hit_many(&mut tx, rules.per_address, &addresses, now).await?.into_iter();
    for item in batch {
        let count = match item.address {
            Some(_) => counts.next(),
            None => None,
        };
        if !locked.contains_key(&item.event_id) {
            let event = lock_event(db, &mut tx, &item.event_id).await?;
            locked.insert(item.event_id.clone(), (event.clone(), event));
        }
        let (_, current) = locked.get_mut(&item.event_id).expect("locked above");
        outcomes.push(register_one(&mut tx, rules, current, item, count, now).await?);
    }
    for (id, (before, after)) in &locked {
        let counts = |e: &Event| {
            (
                e.registered_count,
                e.waitlisted_count,
                e.pending_count,
                e.next_waitlist_seq,
                e.held_count,
            )
        };
        if counts(before) != counts(after) {
            sqlx::query(
                "UPDATE events SET registered_count = $2, waitlisted_count = $3, pending_count = $4, next_waitlist_seq = $5, \
                 held_count = $6, updated_at = $7 WHERE id = $1",
            )
            .bind(id)
            .bind(after.registered_count)
            .bind(after.waitlisted_count)
            .bind(after.pending_count)
            .bind(after.next_waitlist_seq)
            .bind(after.held_count)
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// The first answer to this `Idempotency-Key` on this event, if it is still remembered; a key
/// reused with a different request is refused.
async fn replay(
    tx: &mut WriteTx,
    rules: &Rules,
    event_id: &str,
    key: &str,
    fingerprint: &str,
    now: i64,
) -> Result<Option<Outcome>, sqlx::Error> {
    let stored: Option<(String, String, i64)> =
        sqlx::query_as("SELECT request_hash, body, created_at FROM idempotency_keys WHERE event_id = $1 AND idem_key = $2")
            .bind(event_id)
            .bind(key)
            .fetch_optional(&mut *tx.tx)
            .await?;
    let Some((hash, body, created_at)) = stored else { return Ok(None) };
    if now - created_at >= IDEMPOTENCY_LIFETIME {
        sqlx::query("DELETE FROM idempotency_keys WHERE event_id = $1 AND idem_key = $2")
            .bind(event_id)
            .bind(key)
            .execute(&mut *tx.tx)
            .await?;
        return Ok(None);
    }
    if hash != fingerprint {
        return Ok(Some(Err(RegisterError::KeyReused)));
    }
    let mut summary: Summary = serde_json::from_str(&body).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    let row = sqlx::query(&format!("SELECT {REG_COLUMNS} FROM registrations WHERE id = $1"))
        .bind(&summary.id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    if let Some(reg) = row.as_ref().map(registration_from_row).transpose()? {
        if reg.status != RegistrationStatus::Unconfirmed {
            summary.manage_token = reg.manage_token(&rules.sealer).ok();
        }
    }
    Ok(Some(Ok(Registered::Replayed(summary))))
}

/// Decides one registration inside the batch's transaction. `current` is the locked event with
/// the seats taken so far in this batch, and is updated for the next request.
async fn register_one(
    tx: &mut WriteTx,
    rules: &Rules,
    current: &mut Event,
    item: &Pending,
    count: Option<limits::Count>,
    now: i64,
) -> Result<Outcome, sqlx::Error> {
    let checked = &item.checked;
    let event_id = current.id.clone();
    if let Some((key, fingerprint)) = &item.key {
        if let Some(outcome) = replay(tx, rules, &event_id, key, fingerprint, now).await? {
            return Ok(outcome);
        }
    }
    if let (Some(address), Some(count)) = (&item.address, count) {
        if let Some(wait) = count.exceeded(rules.per_address) {
            if count.hits == rules.per_address.hits + 1 {
                crate::security_log::event("registrations_throttled", None, Some(address), &current.slug);
            }
            return Ok(Err(RegisterError::Limited(wait)));
        }
    }
    if let Err(refusal) = current.window().check(now) {
        return Ok(Err(RegisterError::Refused(refusal)));
    }
    let decision = match current.seats().admit() {
        Admission::Registered => Some(RegistrationStatus::Registered),
        Admission::PendingApproval => Some(RegistrationStatus::PendingApproval),
        Admission::Waitlisted => Some(RegistrationStatus::Waitlisted),
        Admission::Full => None,
    };
    // With email confirmation on, the decided status waits until the address is confirmed;
    // a seat is held meanwhile, a waitlist place is taken only once confirmed.
    let (status, confirm_as, confirm_by) = match decision {
        Some(s) if current.confirm_hold_minutes > 0 => (
            Some(RegistrationStatus::Unconfirmed),
            Some(s),
            Some(now + current.confirm_hold_minutes * 60),
        ),
        other => (other, None, None),
    };
    let seq = (status == Some(RegistrationStatus::Waitlisted)).then_some(current.next_waitlist_seq);
    let token = new_token(&rules.sealer);
    let answers = serde_json::to_string(&checked.answers).expect("answers serialise");

    // The common case is one statement: a new row, unless this email already has one.
    let mut id = uuid::Uuid::now_v7().to_string();
    let inserted = match status {
        Some(status) => {
            sqlx::query(
                "INSERT INTO registrations (id, event_id, email, first_name, last_name, status, waitlist_seq, preferred_timezone, \
                 preferred_language, answers, manage_token_hash, manage_token_sealed, created_at, updated_at, email_normalized, confirm_by, confirm_as) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15, $16) \
                 ON CONFLICT (event_id, email_normalized) DO NOTHING",
            )
            .bind(&id)
            .bind(&event_id)
            .bind(checked.email.as_str())
            .bind(&checked.first_name)
            .bind(&checked.last_name)
            .bind(status.as_str())
            .bind(seq)
            .bind(&checked.timezone)
            .bind(&checked.language)
            .bind(&answers)
            .bind(&token.hash)
            .bind(&token.sealed)
            .bind(now)
            .bind(checked.email.normalized())
            .bind(confirm_by)
            .bind(confirm_as.map(|s| s.as_str()))
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
        .bind(&event_id)
        .bind(checked.email.normalized())
        .fetch_optional(&mut *tx.tx)
        .await?;
        let Some(row) = existing else {
            return Ok(Err(RegisterError::Refused(Refusal::Full)));
        };
        let reg = registration_from_row(&row)?;
        match reg.status {
            s if s.is_active() => {
                let reminded_at: Option<i64> = row.try_get("reminded_at")?;
                let position = waitlist_position(tx, &event_id, reg.waitlist_seq.filter(|_| s == RegistrationStatus::Waitlisted)).await?;
                if reminded_at.is_none_or(|t| now - t >= RESEND_INTERVAL) {
                    if let Some(address) = &item.address {
                        let count = limits::hit(tx, limits::RESENDS, address, now).await?;
                        if let Some(wait) = count.exceeded(limits::RESENDS) {
                            return Ok(Err(RegisterError::Limited(wait)));
                        }
                    }
                    sqlx::query("UPDATE registrations SET reminded_at = $2 WHERE id = $1")
                        .bind(&reg.id)
                        .bind(now)
                        .execute(&mut *tx.tx)
                        .await?;
                    let mail = if s == RegistrationStatus::Unconfirmed {
                        Mail::ConfirmAddress
                    } else {
                        Mail::Details
                    };
                    email::enqueue(tx, mail, &reg.id, &reg.email, position).await?;
                }
                return Ok(Ok(Registered::Existing {
                    id: reg.id,
                    status: s,
                    waitlist_position: position,
                }));
            }
            RegistrationStatus::RejectedByOrganizer => {
                return Ok(Err(RegisterError::Invalid(vec![FieldError::new(
                    "email",
                    "The organizer has declined a registration from this email address.",
                )])));
            }
            _ => {}
        }
        // A canceled registration comes back to life with a fresh link.
        let Some(status) = status else {
            return Ok(Err(RegisterError::Refused(Refusal::Full)));
        };
        sqlx::query(
            "UPDATE registrations SET ics_sequence = ics_sequence + 1, email = $2, first_name = $3, last_name = $4, status = $5, waitlist_seq = $6, preferred_timezone = $7, \
             preferred_language = $8, answers = $9, manage_token_hash = $10, manage_token_sealed = $11, updated_at = $12, canceled_at = NULL, \
             confirm_by = $13, confirm_as = $14 WHERE id = $1",
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
        .bind(&token.hash)
        .bind(&token.sealed)
        .bind(now)
        .bind(confirm_by)
        .bind(confirm_as.map(|s| s.as_str()))
        .execute(&mut *tx.tx)
        .await?;
        id = reg.id;
    }
    let status = status.expect("a seat decision was made for a new registration");
    // Everyone already waiting is ahead of a newcomer.
    let position = seq.map(|_| current.waitlisted_count + 1);
    match counter(status, confirm_as) {
        Some(Counter::Registered) => current.registered_count += 1,
        Some(Counter::Waitlisted) => {
            current.waitlisted_count += 1;
            current.next_waitlist_seq += 1;
        }
        Some(Counter::Pending) => current.pending_count += 1,
        Some(Counter::Held) => current.held_count += 1,
        None => {}
    }
    email::enqueue(tx, mail_for(status), &id, checked.email.as_str(), position).await?;
    if status == RegistrationStatus::Registered {
        crate::jobs::teams::register(tx, current.teams_webinar_id.is_some(), &current.id, &id).await?;
    }
    let mut summary = Summary {
        id,
        status,
        manage_token: None,
        waitlist_position: position,
    };
    if let Some((key, fingerprint)) = &item.key {
        sqlx::query(
            "INSERT INTO idempotency_keys (event_id, idem_key, status_code, body, created_at, request_hash) VALUES ($1, $2, 201, $3, $4, $5)",
        )
        .bind(&event_id)
        .bind(key)
        .bind(serde_json::to_string(&summary).expect("summary serialises"))
        .bind(now)
        .bind(fingerprint)
        .execute(&mut *tx.tx)
        .await?;
    }
    if status != RegistrationStatus::Unconfirmed {
        summary.manage_token = Some(token.token);
    }
    Ok(Ok(Registered::Created(summary)))
}
