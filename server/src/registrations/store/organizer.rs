//! What organizers see and decide, in SQL: the registrant list, the event's registration
//! figures, and the adapter for a decision on one registration ([`OrganizerDecisions`]).

use super::super::organizer::RegistrantRow;
use super::super::storage::OrganizerDecisions;
use crate::events::{Event, ManageError};
use crate::store::{decode_error, Db, WriteTx};
use app::domain::RegistrationStatus;
use sqlx::Row;

/// How many of the event's registrations there are in each status that has any: (status, count).
pub async fn count_by_status(db: &Db, event_id: &str) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT status, COUNT(*) AS n FROM registrations WHERE event_id = $1 GROUP BY status")
        .bind(event_id)
        .fetch_all(&db.pool)
        .await
}

/// When each of the event's registrations made at or after `since` was made (Unix seconds).
pub async fn created_since(db: &Db, event_id: &str, since: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT created_at FROM registrations WHERE event_id = $1 AND created_at >= $2")
        .bind(event_id)
        .bind(since)
        .fetch_all(&db.pool)
        .await
}

/// Registrants of an event, filtered by status and a search over name and email, newest first.
pub async fn list(
    db: &Db,
    current: &Event,
    status: Option<RegistrationStatus>,
    search: Option<&str>,
    page: (i64, i64),
) -> Result<(Vec<RegistrantRow>, i64), ManageError> {
    let mut filter = String::from("event_id = $1");
    if status.is_some() {
        filter.push_str(" AND status = $2");
    }
    let search = search
        .map(|s| format!("%{}%", s.trim().to_lowercase().replace(['%', '_'], "")))
        .filter(|s| s.len() > 2);
    if search.is_some() {
        filter.push_str(&format!(
            " AND (email_normalized LIKE ${n} OR LOWER(first_name) LIKE ${n} OR LOWER(last_name) LIKE ${n})",
            n = if status.is_some() { 3 } else { 2 }
        ));
    }
    fn bind_filter<'q>(
        mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
        event_id: &'q str,
        status: Option<RegistrationStatus>,
        search: Option<&'q str>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        q = q.bind(event_id);
        if let Some(s) = status {
            q = q.bind(s.as_str());
        }
        if let Some(s) = search {
            q = q.bind(s);
        }
        q
    }
    let count_sql = format!("SELECT COUNT(*) AS n FROM registrations WHERE {filter}");
    let total: i64 = bind_filter(sqlx::query(&count_sql), &current.id, status, search.as_deref())
        .fetch_one(&db.pool)
        .await?
        .try_get("n")?;
    let (limit, offset) = page;
    let rows_sql = format!(
        "SELECT id, status, first_name, last_name, email, preferred_timezone, preferred_language, created_at, answers \
         FROM registrations WHERE {filter} ORDER BY created_at DESC, id LIMIT {limit} OFFSET {offset}"
    );
    let rows = bind_filter(sqlx::query(&rows_sql), &current.id, status, search.as_deref())
        .fetch_all(&db.pool)
        .await?;
    Ok((registrant_rows(rows)?, total))
}

/// Where an export page starts: after the registration made at this time with this id.
pub type ExportCursor = (i64, String);

/// Up to `limit` registrants of the event in the order they registered, after `after`; the
/// cursor of the last one comes back for the next page. Paging by key, not offset, so people
/// who register during an export neither repeat nor push others out of it.
pub async fn export_page(
    db: &Db,
    event_id: &str,
    after: Option<&ExportCursor>,
    limit: i64,
) -> Result<(Vec<RegistrantRow>, Option<ExportCursor>), ManageError> {
    let (at, id) = after.cloned().unwrap_or((i64::MIN, String::new()));
    let rows = sqlx::query(
        "SELECT id, status, first_name, last_name, email, preferred_timezone, preferred_language, created_at, answers \
         FROM registrations WHERE event_id = $1 AND (created_at > $2 OR (created_at = $2 AND id > $3)) \
         ORDER BY created_at, id LIMIT $4",
    )
    .bind(event_id)
    .bind(at)
    .bind(id)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    let cursor = match rows.last() {
        Some(last) => Some((last.try_get("created_at")?, last.try_get("id")?)),
        None => None,
    };
    Ok((registrant_rows(rows)?, cursor))
}

fn registrant_rows(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<RegistrantRow>, sqlx::Error> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let status: String = r.try_get("status")?;
        let answers: String = r.try_get("answers")?;
        out.push(RegistrantRow {
            id: r.try_get("id")?,
            status: RegistrationStatus::parse(&status).ok_or_else(|| decode_error("status", &status))?,
            first_name: r.try_get("first_name")?,
            last_name: r.try_get("last_name")?,
            email: r.try_get("email")?,
            preferred_timezone: r.try_get("preferred_timezone")?,
            preferred_language: r.try_get("preferred_language")?,
            registration_date_time: jiff::Timestamp::from_second(r.try_get("created_at")?)
                .map(|t| t.to_string())
                .unwrap_or_default(),
            registration_question_answers: serde_json::from_str(&answers).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        });
    }
    Ok(out)
}

impl OrganizerDecisions for WriteTx {
    async fn set_status(&mut self, id: &str, status: RegistrationStatus, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE registrations SET ics_sequence = ics_sequence + 1, status = $2, waitlist_seq = NULL, updated_at = $3, \
             canceled_at = CASE WHEN $2 = 'canceled' THEN $3 ELSE canceled_at END WHERE id = $1",
        )
        .bind(id)
        .bind(status.as_str())
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}
