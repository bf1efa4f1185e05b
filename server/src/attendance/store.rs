//! The attendance table: who attended an event and for how long.

use crate::store::{Db, WriteTx};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

/// One person's attendance as stored.
pub struct Attended {
    pub email: String,
    pub name: String,
    pub registration_id: Option<String>,
    pub seconds: i64,
}

/// The event's registrations by normalized email: email → registration id.
pub async fn registrations_by_email(tx: &mut WriteTx, event_id: &str) -> Result<HashMap<String, String>, sqlx::Error> {
    Ok(
        sqlx::query_as::<_, (String, String)>("SELECT id, email_normalized FROM registrations WHERE event_id = $1")
            .bind(event_id)
            .fetch_all(&mut *tx.tx)
            .await?
            .into_iter()
            .map(|(id, email)| (email, id))
            .collect(),
    )
}

/// Makes `rows` the event's attendance, from `source` (`teamsReport` or `graph`).
pub async fn replace(tx: &mut WriteTx, event_id: &str, rows: &[Attended], source: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM attendance WHERE event_id = $1")
        .bind(event_id)
        .execute(&mut *tx.tx)
        .await?;
    for r in rows {
        sqlx::query(
            "INSERT INTO attendance (event_id, email_normalized, display_name, registration_id, seconds, source, imported_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(event_id)
        .bind(&r.email)
        .bind(&r.name)
        .bind(&r.registration_id)
        .bind(r.seconds)
        .bind(source)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    }
    Ok(())
}

/// Seconds attended per normalized email.
pub async fn by_email(db: &Db, event_id: &str) -> Result<BTreeMap<String, i64>, sqlx::Error> {
    let rows = sqlx::query("SELECT email_normalized, seconds FROM attendance WHERE event_id = $1")
        .bind(event_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("email_normalized")?, r.try_get("seconds")?)))
        .collect()
}
