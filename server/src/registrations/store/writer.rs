//! The registration writer's SQL adapter: [`RegistrationStore`] and [`RegistrationWriter`] on a
//! write transaction.

use super::super::storage::{RegistrationStore, RegistrationWriter, Written};
use super::super::Registration;
use super::{registration_from_row, REG_COLUMNS};
use crate::events::Event;
use crate::store::WriteTx;
use sqlx::Row;

/// The place in the event's waitlist of the entry with sequence number `seq`.
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

impl RegistrationStore for WriteTx {
    async fn registration(&mut self, id: &str) -> Result<Option<Registration>, sqlx::Error> {
        let row = sqlx::query(&format!("SELECT {REG_COLUMNS} FROM registrations WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(registration_from_row).transpose()
    }

    async fn waitlist_position(&mut self, event_id: &str, seq: Option<i64>) -> Result<Option<i64>, sqlx::Error> {
        waitlist_position(self, event_id, seq).await
    }
}

impl RegistrationWriter for WriteTx {
    async fn save_counts(&mut self, event: &Event, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE events SET registered_count = $2, waitlisted_count = $3, pending_count = $4, next_waitlist_seq = $5, \
             held_count = $6, updated_at = $7 WHERE id = $1",
        )
        .bind(&event.id)
        .bind(event.registered_count)
        .bind(event.waitlisted_count)
        .bind(event.pending_count)
        .bind(event.next_waitlist_seq)
        .bind(event.held_count)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn remembered_key(&mut self, event_id: &str, key: &str) -> Result<Option<(String, String, i64)>, sqlx::Error> {
        sqlx::query_as("SELECT request_hash, body, created_at FROM idempotency_keys WHERE event_id = $1 AND idem_key = $2")
            .bind(event_id)
            .bind(key)
            .fetch_optional(&mut *self.tx)
            .await
    }

    async fn forget_key(&mut self, event_id: &str, key: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM idempotency_keys WHERE event_id = $1 AND idem_key = $2")
            .bind(event_id)
            .bind(key)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn remember_key(&mut self, event_id: &str, key: &str, body: &str, fingerprint: &str, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO idempotency_keys (event_id, idem_key, status_code, body, created_at, request_hash) VALUES ($1, $2, 201, $3, $4, $5)",
        )
        .bind(event_id)
        .bind(key)
        .bind(body)
        .bind(now)
        .bind(fingerprint)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn by_email(&mut self, event_id: &str, email_normalized: &str) -> Result<Option<(Registration, Option<i64>)>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {REG_COLUMNS}, reminded_at FROM registrations WHERE event_id = $1 AND email_normalized = $2"
        ))
        .bind(event_id)
        .bind(email_normalized)
        .fetch_optional(&mut *self.tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some((registration_from_row(&row)?, row.try_get("reminded_at")?)))
    }

    async fn insert(&mut self, r: &Written<'_>) -> Result<bool, sqlx::Error> {
        let inserted = sqlx::query(
            "INSERT INTO registrations (id, event_id, email, first_name, last_name, status, waitlist_seq, preferred_timezone, \
             preferred_language, answers, manage_token_hash, manage_token_sealed, created_at, updated_at, email_normalized, confirm_by, confirm_as) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15, $16) \
             ON CONFLICT (event_id, email_normalized) DO NOTHING",
        )
        .bind(r.id)
        .bind(r.event_id)
        .bind(r.checked.email.as_str())
        .bind(&r.checked.first_name)
        .bind(&r.checked.last_name)
        .bind(r.status.as_str())
        .bind(r.waitlist_seq)
        .bind(&r.checked.timezone)
        .bind(&r.checked.language)
        .bind(r.answers)
        .bind(r.token_hash)
        .bind(r.token_sealed)
        .bind(r.now)
        .bind(r.checked.email.normalized())
        .bind(r.confirm_by)
        .bind(r.confirm_as.map(|s| s.as_str()))
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    async fn revive(&mut self, r: &Written<'_>) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE registrations SET ics_sequence = ics_sequence + 1, email = $2, first_name = $3, last_name = $4, status = $5, waitlist_seq = $6, preferred_timezone = $7, \
             preferred_language = $8, answers = $9, manage_token_hash = $10, manage_token_sealed = $11, updated_at = $12, canceled_at = NULL, \
             confirm_by = $13, confirm_as = $14 WHERE id = $1",
        )
        .bind(r.id)
        .bind(r.checked.email.as_str())
        .bind(&r.checked.first_name)
        .bind(&r.checked.last_name)
        .bind(r.status.as_str())
        .bind(r.waitlist_seq)
        .bind(&r.checked.timezone)
        .bind(&r.checked.language)
        .bind(r.answers)
        .bind(r.token_hash)
        .bind(r.token_sealed)
        .bind(r.now)
        .bind(r.confirm_by)
        .bind(r.confirm_as.map(|s| s.as_str()))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn mark_resent(&mut self, id: &str, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE registrations SET reminded_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}
