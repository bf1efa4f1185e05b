//! Deciding registrations: requests that arrived together are decided one after another in
//! arrival order, each against the seats the ones before it took, in one write transaction.
//! Idempotency keys, the per-address limit and email confirmation are decided in the same
//! transaction; the limit is counted for the whole batch at once. What this needs from storage
//! is [`RegistrationWriter`], implemented on `WriteTx` by the SQL adapter (`store::writer`).

#[cfg(test)]
mod tests;

use super::storage::{RegistrationWriter, Written};
use super::{new_token, RegisterError, Registered, Summary, IDEMPOTENCY_LIFETIME};
use crate::crypto::Sealer;
use crate::events::{counter, Counter, Event};
use crate::jobs::email::{self, Mail};
use crate::limits::{self, Limit};
use crate::store::Db;
use app::domain::{Admission, Answer, EmailAddress, FieldError, Refusal, RegistrationStatus};
use std::collections::HashMap;
use tokio::sync::oneshot;

/// A registrant asking again for their details gets at most one email per this many seconds.
const RESEND_INTERVAL: i64 = 600;

/// The checked form of a request, before any seat is taken.
pub struct Checked {
    pub email: EmailAddress,
    pub first_name: String,
    pub last_name: String,
    pub timezone: String,
    pub language: Option<String>,
    pub answers: Vec<Answer>,
}

/// A request waiting for its batch, and where its answer goes.
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

fn mail_for(status: RegistrationStatus) -> Mail {
    match status {
        RegistrationStatus::Registered => Mail::Confirmation,
        RegistrationStatus::Waitlisted => Mail::Waitlisted,
        RegistrationStatus::Unconfirmed => Mail::ConfirmAddress,
        _ => Mail::PendingApproval,
    }
}

/// Decides a batch of registrations in one transaction of `db`.
pub(in crate::registrations) async fn write_batch(db: &Db, rules: &Rules, batch: &[Pending]) -> Result<Vec<Outcome>, sqlx::Error> {
    let now = db.now();
    let mut tx = db.begin_write().await?;
    let outcomes = decide_batch(&mut tx, rules, batch, now).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// Decides a batch of registrations. Every event involved is locked once and its counters
/// written once, at the end.
async fn decide_batch(tx: &mut impl RegistrationWriter, rules: &Rules, batch: &[Pending], now: i64) -> Result<Vec<Outcome>, sqlx::Error> {
    let mut locked: HashMap<String, (Event, Event)> = HashMap::new();
    let mut outcomes = Vec::with_capacity(batch.len());
    // Every request with an address counts against it, with one statement for the batch.
    let addresses: Vec<&str> = batch.iter().filter_map(|p| p.address.as_deref()).collect();
    let mut counts = limits::hit_many(tx, rules.per_address, &addresses, now).await?.into_iter();
    for item in batch {
        let count = match item.address {
            Some(_) => counts.next(),
            None => None,
        };
        if !locked.contains_key(&item.event_id) {
            let event = tx.lock_event(&item.event_id).await?;
            locked.insert(item.event_id.clone(), (event.clone(), event));
        }
        let (_, current) = locked.get_mut(&item.event_id).expect("locked above");
        outcomes.push(register_one(tx, rules, current, item, count, now).await?);
    }
    let counts = |e: &Event| {
        (
            e.registered_count,
            e.waitlisted_count,
            e.pending_count,
            e.next_waitlist_seq,
            e.held_count,
        )
    };
    for (before, after) in locked.values() {
        if counts(before) != counts(after) {
            tx.save_counts(after, now).await?;
        }
    }
    Ok(outcomes)
}

/// The first answer to this `Idempotency-Key` on this event, if it is still remembered; a key
/// reused with a different request is refused.
async fn replay(
    tx: &mut impl RegistrationWriter,
    rules: &Rules,
    event_id: &str,
    key: &str,
    fingerprint: &str,
    now: i64,
) -> Result<Option<Outcome>, sqlx::Error> {
    let Some((hash, body, created_at)) = tx.remembered_key(event_id, key).await? else {
        return Ok(None);
    };
    if now - created_at >= IDEMPOTENCY_LIFETIME {
        tx.forget_key(event_id, key).await?;
        return Ok(None);
    }
    if hash != fingerprint {
        return Ok(Some(Err(RegisterError::KeyReused)));
    }
    let mut summary: Summary = serde_json::from_str(&body).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    if let Some(reg) = tx.registration(&summary.id).await? {
        if reg.status != RegistrationStatus::Unconfirmed {
            summary.manage_token = reg.manage_token(&rules.sealer).ok();
        }
    }
    Ok(Some(Ok(Registered::Replayed(summary))))
}

/// Decides one registration inside the batch's transaction. `current` is the locked event with
/// the seats taken so far in this batch, and is updated for the next request.
async fn register_one(
    tx: &mut impl RegistrationWriter,
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
    let new_id = uuid::Uuid::now_v7().to_string();
    let written = |id, status| Written {
        id,
        event_id: &event_id,
        checked,
        status,
        waitlist_seq: seq,
        answers: &answers,
        token_hash: &token.hash,
        token_sealed: &token.sealed,
        now,
        confirm_by,
        confirm_as,
    };

    // The common case is one statement: a new row, unless this email already has one.
    let inserted = match status {
        Some(status) => tx.insert(&written(&new_id, status)).await?,
        None => false,
    };
    let id = if inserted {
        new_id
    } else {
        let Some((reg, resent_at)) = tx.by_email(&event_id, &checked.email.normalized()).await? else {
            return Ok(Err(RegisterError::Refused(Refusal::Full)));
        };
        match reg.status {
            s if s.is_active() => {
                let position = tx
                    .waitlist_position(&event_id, reg.waitlist_seq.filter(|_| s == RegistrationStatus::Waitlisted))
                    .await?;
                if resent_at.is_none_or(|t| now - t >= RESEND_INTERVAL) {
                    if let Some(address) = &item.address {
                        let count = limits::hit(tx, limits::RESENDS, address, now).await?;
                        if let Some(wait) = count.exceeded(limits::RESENDS) {
                            return Ok(Err(RegisterError::Limited(wait)));
                        }
                    }
                    tx.mark_resent(&reg.id, now).await?;
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
        tx.revive(&written(&reg.id, status)).await?;
        reg.id
    };
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
        let body = serde_json::to_string(&summary).expect("summary serialises");
        tx.remember_key(&event_id, key, &body, fingerprint, now).await?;
    }
    if status != RegistrationStatus::Unconfirmed {
        summary.manage_token = Some(token.token);
    }
    Ok(Ok(Registered::Created(summary)))
}
