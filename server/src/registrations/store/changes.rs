//! Changes to existing registrations: cancel (the seat goes to the first person waiting),
//! confirm an email address, release places held for addresses never confirmed, and mirror
//! registrations made in Teams.

use super::super::{new_token, token_hash, Registration};
use super::writer::waitlist_position;
use super::{registration_from_row, REG_COLUMNS};
use crate::crypto::Sealer;
use crate::events::store::seats::{counter, lock as lock_event, promote_waitlisted, shift_counts, Counter};
use crate::jobs::email::{self, Mail};
use crate::store::{Db, WriteTx};
use app::domain::{Admission, EmailAddress, RegistrationStatus};

#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    #[error("registration not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

async fn reread(tx: &mut WriteTx, id: &str) -> Result<Registration, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {REG_COLUMNS} FROM registrations WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut *tx.tx)
        .await?;
    registration_from_row(&row)
}

/// Cancels a registration. A freed seat goes to the first person on the waitlist in the same
/// transaction, and both people are emailed. Canceling twice is harmless.
pub async fn cancel_by_id(db: &Db, id: &str) -> Result<Registration, CancelError> {
    let event_id: Option<String> = sqlx::query_scalar("SELECT event_id FROM registrations WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    let event_id = event_id.ok_or(CancelError::NotFound)?;
    let now = db.now();
    let mut tx = db.begin_write().await?;
    let event = lock_event(&mut tx, &event_id).await?;
    let reg = reread(&mut tx, id).await?;
    if !reg.status.can_become(RegistrationStatus::Canceled) {
        tx.commit().await?;
        return Ok(reg);
    }
    sqlx::query(
        "UPDATE registrations SET ics_sequence = ics_sequence + 1, status = 'canceled', waitlist_seq = NULL, confirm_by = NULL, canceled_at = $2, updated_at = $2 WHERE id = $1",
    )
    .bind(&reg.id)
    .bind(now)
    .execute(&mut *tx.tx)
    .await?;
    let freed = counter(reg.status, reg.confirm_as);
    shift_counts(&mut tx, &event.id, freed, None, now).await?;
    // An address never confirmed gets no more email.
    if reg.status != RegistrationStatus::Unconfirmed {
        email::enqueue(&mut tx, Mail::Canceled, &reg.id, &reg.email, None).await?;
    }
    if reg.status == RegistrationStatus::Registered {
        crate::jobs::teams::unregister(&mut tx, event.teams_webinar_id.is_some(), &event.id, &reg.id).await?;
    }
    if matches!(freed, Some(Counter::Registered | Counter::Held)) {
        promote_waitlisted(&mut tx, &event.id, now).await?;
    }
    tx.commit().await?;
    Ok(Registration {
        status: RegistrationStatus::Canceled,
        ..reg
    })
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

/// Confirms the email address of an unconfirmed registration: a held seat becomes the
/// person's, and one that was headed for the waitlist or approval is decided now.
pub async fn confirm(db: &Db, id: &str, now: i64) -> Result<Confirmed, CancelError> {
    let event_id: Option<String> = sqlx::query_scalar("SELECT event_id FROM registrations WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    let event_id = event_id.ok_or(CancelError::NotFound)?;
    let mut tx = db.begin_write().await?;
    let mut event = lock_event(&mut tx, &event_id).await?;
    let reg = reread(&mut tx, id).await?;
    if reg.status != RegistrationStatus::Unconfirmed {
        tx.commit().await?;
        return Ok(Confirmed::Already(reg.status));
    }
    if reg.confirm_by.is_none_or(|t| t < now) {
        tx.commit().await?;
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
        sqlx::query("UPDATE registrations SET ics_sequence = ics_sequence + 1, status = 'canceled', confirm_by = NULL, canceled_at = $2, updated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        return Ok(Confirmed::Full);
    };
    let seq = (status == RegistrationStatus::Waitlisted).then_some(event.next_waitlist_seq);
    sqlx::query(
        "UPDATE registrations SET ics_sequence = ics_sequence + 1, status = $2, waitlist_seq = $3, confirm_by = NULL, confirm_as = NULL, updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(seq)
    .bind(now)
    .execute(&mut *tx.tx)
    .await?;
    shift_counts(&mut tx, &event_id, held, counter(status, None), now).await?;
    if seq.is_some() {
        sqlx::query("UPDATE events SET next_waitlist_seq = next_waitlist_seq + 1 WHERE id = $1")
            .bind(&event_id)
            .execute(&mut *tx.tx)
            .await?;
        event.next_waitlist_seq += 1;
    }
    let position = waitlist_position(&mut tx, &event_id, seq).await?;
    let mail = match status {
        RegistrationStatus::Registered => Mail::Confirmation,
        RegistrationStatus::Waitlisted => Mail::Waitlisted,
        _ => Mail::PendingApproval,
    };
    email::enqueue(&mut tx, mail, id, &reg.email, position).await?;
    if status == RegistrationStatus::Registered {
        crate::jobs::teams::register(&mut tx, event.teams_webinar_id.is_some(), &event_id, id).await?;
    }
    tx.commit().await?;
    Ok(Confirmed::Now(status))
}

/// Releases the places of registrations whose address was not confirmed in time; a freed
/// seat goes to the first person waiting. Returns how many were released.
pub async fn release_unconfirmed(db: &Db, now: i64) -> Result<usize, sqlx::Error> {
    let due: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, event_id FROM registrations WHERE status = 'unconfirmed' AND confirm_by < $1 ORDER BY confirm_by LIMIT 200",
    )
    .bind(now)
    .fetch_all(&db.pool)
    .await?;
    let mut released = 0;
    for (id, event_id) in &due {
        let mut tx = db.begin_write().await?;
        lock_event(&mut tx, event_id).await?;
        let reg = reread(&mut tx, id).await?;
        if reg.status != RegistrationStatus::Unconfirmed || reg.confirm_by.is_none_or(|t| t >= now) {
            tx.commit().await?;
            continue;
        }
        sqlx::query("UPDATE registrations SET ics_sequence = ics_sequence + 1, status = 'canceled', confirm_by = NULL, canceled_at = $2, updated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
        let freed = counter(reg.status, reg.confirm_as);
        shift_counts(&mut tx, event_id, freed, None, now).await?;
        if freed.is_some() {
            promote_waitlisted(&mut tx, event_id, now).await?;
        }
        tx.commit().await?;
        released += 1;
    }
    Ok(released)
}

/// Mirrors a registration made directly in Teams: a registered seat in Atrium (Teams already
/// accepted the person, so capacity is not re-decided), already in sync, with no email from
/// Atrium (Teams sent its own), remembering its Teams id (`teams_id`) so a later cancellation in
/// Teams finds it. Nothing happens when the email is already registered: that Atrium
/// registration is someone's own and stays as it is.
#[allow(clippy::too_many_arguments)]
pub async fn import_from_teams(
    db: &Db,
    sealer: &Sealer,
    event_id: &str,
    teams_id: &str,
    email: &str,
    first_name: &str,
    last_name: &str,
    timezone: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let Ok(email) = EmailAddress::parse(email) else { return Ok(false) };
    let now = db.now();
    let token = new_token(sealer);
    let mut tx = db.begin_write().await?;
    let event = lock_event(&mut tx, event_id).await?;
    let timezone = timezone.filter(|z| app::tz::parse_zone(z).is_ok()).unwrap_or(&event.time_zone);
    let inserted = sqlx::query(
        "INSERT INTO registrations (id, event_id, email, first_name, last_name, status, waitlist_seq, preferred_timezone, preferred_language, \
         answers, manage_token_hash, manage_token_sealed, created_at, email_normalized, updated_at, teams_synced_at, teams_registration_id) \
         VALUES ($1, $2, $3, $4, $5, 'registered', NULL, $6, NULL, '[]', $7, $8, $9, $10, $9, $9, $11) ON CONFLICT (event_id, email_normalized) DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(event_id)
    .bind(email.as_str())
    .bind(if first_name.trim().is_empty() { "Teams" } else { first_name.trim() })
    .bind(if last_name.trim().is_empty() { "attendee" } else { last_name.trim() })
    .bind(timezone)
    .bind(&token.hash)
    .bind(&token.sealed)
    .bind(now)
    .bind(email.normalized())
    .bind(teams_id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected()
        == 1;
    if inserted {
        shift_counts(&mut tx, event_id, None, Some(Counter::Registered), now).await?;
    }
    tx.commit().await?;
    Ok(inserted)
}

/// Turns manage links stored in the clear by earlier versions into a hash and a sealed copy.
/// Safe to run on every start and from several instances at once.
pub async fn seal_legacy_tokens(db: &Db, sealer: &Sealer) -> Result<usize, sqlx::Error> {
    let mut done = 0;
    loop {
        let legacy: Vec<(String, String)> =
            sqlx::query_as("SELECT id, manage_token_hash FROM registrations WHERE manage_token_sealed IS NULL LIMIT 500")
                .fetch_all(&db.pool)
                .await?;
        if legacy.is_empty() {
            return Ok(done);
        }
        let mut tx = db.begin_write().await?;
        for (id, token) in &legacy {
            sqlx::query(
                "UPDATE registrations SET manage_token_hash = $2, manage_token_sealed = $3 WHERE id = $1 AND manage_token_sealed IS NULL",
            )
            .bind(id)
            .bind(token_hash(token))
            .bind(sealer.seal(token))
            .execute(&mut *tx.tx)
            .await?;
        }
        tx.commit().await?;
        done += legacy.len();
    }
}
