//! The registrations' SQL: looking registrations up (by manage link, id, many ids), the
//! waitlist position, and the transactions that change them.

pub mod changes;
pub mod organizer;
pub(super) mod writer;

use super::{token_hash, Lookup, Registration, IDEMPOTENCY_LIFETIME};
use crate::events;
use crate::store::{decode_error, Db};
use app::domain::RegistrationStatus;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

pub(crate) const REG_COLUMNS: &str = "id, event_id, email, first_name, last_name, status, waitlist_seq, preferred_timezone, \
     preferred_language, answers, manage_token_sealed, created_at, confirm_by, confirm_as, ics_sequence";

pub(crate) fn registration_from_row(row: &AnyRow) -> Result<Registration, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let answers: String = row.try_get("answers")?;
    let confirm_as: Option<String> = row.try_get("confirm_as")?;
    Ok(Registration {
        id: row.try_get("id")?,
        event_id: row.try_get("event_id")?,
        email: row.try_get("email")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        status: RegistrationStatus::parse(&status).ok_or_else(|| decode_error("registration status", &status))?,
        waitlist_seq: row.try_get("waitlist_seq")?,
        preferred_timezone: row.try_get("preferred_timezone")?,
        preferred_language: row.try_get("preferred_language")?,
        answers: serde_json::from_str(&answers).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        manage_token_sealed: row.try_get("manage_token_sealed")?,
        created_at: row.try_get("created_at")?,
        confirm_by: row.try_get("confirm_by")?,
        confirm_as: confirm_as.as_deref().and_then(RegistrationStatus::parse),
        ics_sequence: row.try_get("ics_sequence")?,
    })
}

/// The registration behind a manage link, with its event, unless the link has expired:
/// links work until `link_days` after the event ends.
pub async fn find(db: &Db, token: &str, link_days: i64, now: i64) -> Result<Lookup, sqlx::Error> {
    if token.is_empty() || token.len() > 64 {
        return Ok(Lookup::Missing);
    }
    let row = sqlx::query(&format!("SELECT {REG_COLUMNS} FROM registrations WHERE manage_token_hash = $1"))
        .bind(token_hash(token))
        .fetch_optional(&db.pool)
        .await?;
    let Some(reg) = row.as_ref().map(registration_from_row).transpose()? else {
        return Ok(Lookup::Missing);
    };
    let Some(event) = events::by_id(db, &reg.event_id).await? else {
        return Ok(Lookup::Missing);
    };
    if now > event.end_at.saturating_add(link_days.saturating_mul(86_400)) {
        return Ok(Lookup::Expired { ended_at: event.end_at });
    }
    Ok(Lookup::Found(Box::new((reg, event))))
}

/// A registration by id.
pub async fn by_id(db: &Db, id: &str) -> Result<Option<Registration>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {REG_COLUMNS} FROM registrations WHERE id = $1"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(registration_from_row).transpose()
}

/// Registrations by id, in one query per hundred, keyed by id. Unknown ids are left out.
pub async fn by_ids(db: &Db, ids: &[String]) -> Result<HashMap<String, Registration>, sqlx::Error> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(100) {
        let sql = format!(
            "SELECT {REG_COLUMNS} FROM registrations WHERE id IN ({})",
            crate::store::placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        for row in q.fetch_all(&db.pool).await? {
            let reg = registration_from_row(&row)?;
            found.insert(reg.id.clone(), reg);
        }
    }
    Ok(found)
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

/// Forgets `Idempotency-Key`s older than their lifetime.
pub async fn purge_idempotency_keys(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let n = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(now - IDEMPOTENCY_LIFETIME)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(n)
}
