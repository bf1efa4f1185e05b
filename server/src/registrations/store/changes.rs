//! The SQL of changes to existing registrations: the adapter for canceling and confirming
//! them ([`RegistrationChanges`] on `WriteTx`), mirroring registrations made in Teams, and
//! sealing manage links stored by earlier versions.

use super::super::storage::RegistrationChanges;
use super::super::{new_token, token_hash};
use crate::crypto::Sealer;
use crate::events::store::seats::{lock as lock_event, shift_counts};
use crate::events::Counter;
use crate::store::{Db, WriteTx};
use app::domain::{EmailAddress, RegistrationStatus};

/// The event of the registration `id`, if there is one.
pub async fn event_of(db: &Db, id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT event_id FROM registrations WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await
}

/// Registrations (id, event id) whose address was not confirmed by `now`, oldest first, at most 200.
pub async fn unconfirmed_due(db: &Db, now: i64) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, event_id FROM registrations WHERE status = 'unconfirmed' AND confirm_by < $1 ORDER BY confirm_by LIMIT 200")
        .bind(now)
        .fetch_all(&db.pool)
        .await
}

impl RegistrationChanges for WriteTx {
    async fn mark_canceled(&mut self, id: &str, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE registrations SET ics_sequence = ics_sequence + 1, status = 'canceled', waitlist_seq = NULL, confirm_by = NULL, canceled_at = $2, updated_at = $2 WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn mark_confirmed(&mut self, id: &str, status: RegistrationStatus, seq: Option<i64>, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE registrations SET ics_sequence = ics_sequence + 1, status = $2, waitlist_seq = $3, confirm_by = NULL, confirm_as = NULL, updated_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(status.as_str())
        .bind(seq)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn take_waitlist_number(&mut self, event_id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE events SET next_waitlist_seq = next_waitlist_seq + 1 WHERE id = $1")
            .bind(event_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
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
