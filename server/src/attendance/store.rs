//! The attendance table's SQL adapter: who attended an event and for how long.

use super::{AttendanceWriter, Attended};
use crate::store::{Db, WriteTx};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

impl AttendanceWriter for WriteTx {
    async fn registrations_by_email(&mut self, event_id: &str) -> Result<HashMap<String, String>, sqlx::Error> {
        Ok(
            sqlx::query_as::<_, (String, String)>("SELECT id, email_normalized FROM registrations WHERE event_id = $1")
                .bind(event_id)
                .fetch_all(&mut *self.tx)
                .await?
                .into_iter()
                .map(|(id, email)| (email, id))
                .collect(),
        )
    }

    async fn replace(&mut self, event_id: &str, rows: &[Attended], source: &str, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM attendance WHERE event_id = $1")
            .bind(event_id)
            .execute(&mut *self.tx)
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
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }
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
