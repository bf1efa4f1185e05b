//! Changes to existing registrations: cancel (the seat goes to the first person waiting),
//! confirm an email address, and release places held for addresses never confirmed. Each is one
//! write transaction over [`RegistrationChanges`] that also queues the emails and Teams work.

#[cfg(test)]
mod tests;

use super::storage::RegistrationChanges;
use super::store::changes as store;
use super::Registration;
use crate::events::{counter, Counter};
use crate::jobs::email::{self, Mail};
use crate::store::Db;
use app::domain::{Admission, RegistrationStatus};

#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    #[error("registration not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// What following an email-confirmation link did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirmed {
    /// The address is confirmed; the registration now has this status.
    Now(RegistrationStatus),
    /// It was confirmed (or otherwise decided) before: nothing changed.
    Already(RegistrationStatus),
    /// The place was held too long and has been released.
    Expired,
    /// The event filled up while the address was unconfirmed.
    Full,
}

/// Cancels a registration. A freed seat goes to the first person on the waitlist in the same
/// transaction, and both people are emailed. Canceling twice is harmless.
pub async fn cancel_by_id(db: &Db, id: &str) -> Result<Registration, CancelError> {
    let event_id = store::event_of(db, id).await?.ok_or(CancelError::NotFound)?;
    let now = db.now();
    let mut tx = db.begin_write().await?;
    let reg = cancel(&mut tx, &event_id, id, now).await?;
    tx.commit().await?;
    Ok(reg)
}

async fn cancel(tx: &mut impl RegistrationChanges, event_id: &str, id: &str, now: i64) -> Result<Registration, CancelError> {
    let event = tx.lock_event(event_id).await?;
    let reg = tx.registration(id).await?.ok_or(CancelError::NotFound)?;
    if !reg.status.can_become(RegistrationStatus::Canceled) {
        return Ok(reg);
    }
    tx.mark_canceled(&reg.id, now).await?;
    let freed = counter(reg.status, reg.confirm_as);
    tx.shift_counts(&event.id, freed, None, now).await?;
    // An address never confirmed gets no more email.
    if reg.status != RegistrationStatus::Unconfirmed {
        email::enqueue(tx, Mail::Canceled, &reg.id, &reg.email, None).await?;
    }
    if reg.status == RegistrationStatus::Registered {
        crate::jobs::teams::unregister(tx, event.teams_webinar_id.is_some(), &event.id, &reg.id).await?;
    }
    if matches!(freed, Some(Counter::Registered | Counter::Held)) {
        crate::events::promote_waitlisted(tx, &event.id, now).await?;
    }
    Ok(Registration {
        status: RegistrationStatus::Canceled,
        ..reg
    })
}

/// Confirms the email address of an unconfirmed registration: a held seat becomes the
/// person's, and one that was headed for the waitlist or approval is decided now.
pub async fn confirm(db: &Db, id: &str, now: i64) -> Result<Confirmed, CancelError> {
    let event_id = store::event_of(db, id).await?.ok_or(CancelError::NotFound)?;
    let mut tx = db.begin_write().await?;
    let confirmed = confirm_in(&mut tx, &event_id, id, now).await?;
    tx.commit().await?;
    Ok(confirmed)
}

async fn confirm_in(tx: &mut impl RegistrationChanges, event_id: &str, id: &str, now: i64) -> Result<Confirmed, CancelError> {
    let event = tx.lock_event(event_id).await?;
    let reg = tx.registration(id).await?.ok_or(CancelError::NotFound)?;
    if reg.status != RegistrationStatus::Unconfirmed {
        return Ok(Confirmed::Already(reg.status));
    }
    if reg.confirm_by.is_none_or(|t| t < now) {
        return Ok(Confirmed::Expired);
    }
    let held = counter(reg.status, reg.confirm_as);
    let status = if held == Some(Counter::Held) {
        Some(RegistrationStatus::Registered)
    } else {
        match event.seats().admit() {
            Admission::Registered => Some(RegistrationStatus::Registered),
            Admission::PendingApproval => Some(RegistrationStatus::PendingApproval),
            Admission::Waitlisted => Some(RegistrationStatus::Waitlisted),
            Admission::Full => None,
        }
    };
    let Some(status) = status else {
        tx.mark_canceled(id, now).await?;
        return Ok(Confirmed::Full);
    };
    let seq = (status == RegistrationStatus::Waitlisted).then_some(event.next_waitlist_seq);
    tx.mark_confirmed(id, status, seq, now).await?;
    tx.shift_counts(event_id, held, counter(status, None), now).await?;
    if seq.is_some() {
        tx.take_waitlist_number(event_id).await?;
    }
    let position = tx.waitlist_position(event_id, seq).await?;
    let mail = match status {
        RegistrationStatus::Registered => Mail::Confirmation,
        RegistrationStatus::Waitlisted => Mail::Waitlisted,
        _ => Mail::PendingApproval,
    };
    email::enqueue(tx, mail, id, &reg.email, position).await?;
    if status == RegistrationStatus::Registered {
        crate::jobs::teams::register(tx, event.teams_webinar_id.is_some(), event_id, id).await?;
    }
    Ok(Confirmed::Now(status))
}

/// Releases the places of registrations whose address was not confirmed in time; a freed
/// seat goes to the first person waiting. Returns how many were released.
pub async fn release_unconfirmed(db: &Db, now: i64) -> Result<usize, sqlx::Error> {
    let mut released = 0;
    for (id, event_id) in store::unconfirmed_due(db, now).await? {
        let mut tx = db.begin_write().await?;
        if release(&mut tx, &event_id, &id, now).await? {
            released += 1;
        }
        tx.commit().await?;
    }
    Ok(released)
}

/// Releases one registration's place if its address is still unconfirmed past its time.
async fn release(tx: &mut impl RegistrationChanges, event_id: &str, id: &str, now: i64) -> Result<bool, sqlx::Error> {
    tx.lock_event(event_id).await?;
    let Some(reg) = tx.registration(id).await? else { return Ok(false) };
    if reg.status != RegistrationStatus::Unconfirmed || reg.confirm_by.is_none_or(|t| t >= now) {
        return Ok(false);
    }
    tx.mark_canceled(id, now).await?;
    let freed = counter(reg.status, reg.confirm_as);
    tx.shift_counts(event_id, freed, None, now).await?;
    if freed.is_some() {
        crate::events::promote_waitlisted(tx, event_id, now).await?;
    }
    Ok(true)
}
