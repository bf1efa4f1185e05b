//! The SQL of appointments themselves: writing one with the staff it occupies, finding one by
//! its manage token or idempotency key, moving and cancelling it.

use super::super::model::Service;
use crate::store::{Db, WriteTx};
use sqlx::Row;

/// A new appointment, as written.
pub struct NewAppointment<'a> {
    pub id: &'a str,
    pub business_id: &'a str,
    pub service: &'a Service,
    pub start: i64,
    pub staff_ids: &'a [String],
    pub customer_name: &'a str,
    pub customer_email: &'a str,
    pub customer_phone: Option<&'a str>,
    pub customer_time_zone: &'a str,
    pub answers: &'a str,
    pub token_hash: &'a str,
    pub token_sealed: &'a str,
    pub idempotency: Option<(&'a str, &'a str)>,
}

pub async fn insert_appointment(tx: &mut WriteTx, a: &NewAppointment<'_>) -> Result<(), sqlx::Error> {
    let now = tx.now_ms() / 1000;
    let end = a.start + a.service.duration;
    sqlx::query(
        "INSERT INTO appointments (id, business_id, service_id, start_at, end_at, pre_buffer, post_buffer, status, customer_name, \
         customer_email, customer_phone, customer_time_zone, answers, manage_token_hash, manage_token_sealed, idempotency_key, \
         request_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'booked', $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)",
    )
    .bind(a.id)
    .bind(a.business_id)
    .bind(&a.service.id)
    .bind(a.start)
    .bind(end)
    .bind(a.service.pre_buffer)
    .bind(a.service.post_buffer)
    .bind(a.customer_name)
    .bind(a.customer_email)
    .bind(a.customer_phone)
    .bind(a.customer_time_zone)
    .bind(a.answers)
    .bind(a.token_hash)
    .bind(a.token_sealed)
    .bind(a.idempotency.map(|(k, _)| k))
    .bind(a.idempotency.map(|(_, h)| h))
    .bind(now)
    .execute(&mut *tx.tx)
    .await?;
    super::bump_calendars(tx, a.staff_ids).await?;
    for staff in a.staff_ids {
        sqlx::query("INSERT INTO appointment_staff (appointment_id, staff_id, start_at, end_at) VALUES ($1, $2, $3, $4)")
            .bind(a.id)
            .bind(staff)
            .bind(a.start - a.service.pre_buffer)
            .bind(end + a.service.post_buffer)
            .execute(&mut *tx.tx)
            .await?;
    }
    Ok(())
}

/// An appointment as its manage link and the API show it.
#[derive(Clone, Debug)]
pub struct AppointmentRow {
    pub id: String,
    pub business_id: String,
    pub service_id: String,
    pub start: i64,
    pub end: i64,
    pub status: String,
    pub customer_name: String,
    pub customer_email: String,
    pub customer_phone: Option<String>,
    pub customer_time_zone: String,
    pub token_sealed: String,
    pub request_hash: Option<String>,
    pub staff_ids: Vec<String>,
    /// The calendar entry's revision, raised on every move and on cancelling.
    pub sequence: i64,
    /// The appointment's Teams meeting (Microsoft mode), once made.
    pub teams_meeting_id: Option<String>,
    /// Where staff join in Teams.
    pub teams_join_url: Option<String>,
    /// Where the customer joins in the browser, without a Teams client.
    pub join_url: Option<String>,
    /// The appointment in Microsoft Bookings, for a business imported from there.
    pub bookings_appointment_id: Option<String>,
    /// The `sequence` Bookings last heard of.
    pub bookings_sequence: Option<i64>,
    /// The customer's answers to the service's questions.
    pub answers: Vec<super::super::model::Answer>,
}

pub(super) async fn appointment_where(
    conn: &mut sqlx::AnyConnection,
    condition: &str,
    a: &str,
    b: Option<&str>,
) -> Result<Option<AppointmentRow>, sqlx::Error> {
    let sql = format!("SELECT * FROM appointments WHERE {condition}");
    let mut q = sqlx::query(&sql).bind(a);
    if let Some(b) = b {
        q = q.bind(b);
    }
    let Some(r) = q.fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    let id: String = r.try_get("id")?;
    let staff_ids: Vec<String> = sqlx::query_scalar("SELECT staff_id FROM appointment_staff WHERE appointment_id = $1 ORDER BY staff_id")
        .bind(&id)
        .fetch_all(&mut *conn)
        .await?;
    row_from(&r, staff_ids).map(Some)
}

/// An appointment's row, with the staff it occupies.
pub(super) fn row_from(r: &sqlx::any::AnyRow, staff_ids: Vec<String>) -> Result<AppointmentRow, sqlx::Error> {
    Ok(AppointmentRow {
        id: r.try_get("id")?,
        business_id: r.try_get("business_id")?,
        service_id: r.try_get("service_id")?,
        start: r.try_get("start_at")?,
        end: r.try_get("end_at")?,
        status: r.try_get("status")?,
        customer_name: r.try_get("customer_name")?,
        customer_email: r.try_get("customer_email")?,
        customer_phone: r.try_get("customer_phone")?,
        customer_time_zone: r.try_get("customer_time_zone")?,
        token_sealed: r.try_get("manage_token_sealed")?,
        request_hash: r.try_get("request_hash")?,
        staff_ids,
        sequence: r.try_get("sequence")?,
        teams_meeting_id: r.try_get("teams_meeting_id")?,
        teams_join_url: r.try_get("teams_join_url")?,
        join_url: r.try_get("join_url")?,
        bookings_appointment_id: r.try_get("bookings_appointment_id")?,
        bookings_sequence: r.try_get("bookings_sequence")?,
        // Appointments booked before questions were checked may hold other shapes: none then.
        answers: serde_json::from_str(&r.try_get::<String, _>("answers")?).unwrap_or_default(),
    })
}

/// Records the appointment's Teams meeting and its join links.
pub async fn set_meeting(
    db: &Db,
    id: &str,
    meeting_id: &str,
    teams_join_url: Option<&str>,
    join_url: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE appointments SET teams_meeting_id = $2, teams_join_url = $3, join_url = $4 WHERE id = $1")
        .bind(id)
        .bind(meeting_id)
        .bind(teams_join_url)
        .bind(join_url)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub async fn by_token_hash(db: &Db, hash: &str) -> Result<Option<AppointmentRow>, sqlx::Error> {
    appointment_where(&mut *db.pool.acquire().await?, "manage_token_hash = $1", hash, None).await
}

pub async fn by_id(db: &Db, id: &str) -> Result<Option<AppointmentRow>, sqlx::Error> {
    appointment_where(&mut *db.pool.acquire().await?, "id = $1", id, None).await
}

/// [`by_id`] inside a transaction.
pub async fn by_id_in(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Option<AppointmentRow>, sqlx::Error> {
    appointment_where(conn, "id = $1", id, None).await
}

pub async fn by_idempotency_key(db: &Db, business_id: &str, key: &str) -> Result<Option<AppointmentRow>, sqlx::Error> {
    appointment_where(
        &mut *db.pool.acquire().await?,
        "business_id = $1 AND idempotency_key = $2",
        business_id,
        Some(key),
    )
    .await
}

/// Moves an appointment (and the time it occupies its staff) to `start`.
pub async fn move_to(tx: &mut WriteTx, id: &str, start: i64, duration: i64, pre: i64, post: i64) -> Result<(), sqlx::Error> {
    moving(tx, id, None, start, (duration, pre, post)).await.map(|_| ())
}

/// Moves the appointment `id` only while it is still booked at `was` (a cancel or another move
/// that committed first wins); false when it no longer is.
pub async fn move_if_booked_at(tx: &mut WriteTx, id: &str, was: i64, start: i64, lengths: (i64, i64, i64)) -> Result<bool, sqlx::Error> {
    moving(tx, id, Some(was), start, lengths).await
}

async fn moving(
    tx: &mut WriteTx,
    id: &str,
    was: Option<i64>,
    start: i64,
    (duration, pre, post): (i64, i64, i64),
) -> Result<bool, sqlx::Error> {
    let now = tx.now_ms() / 1000;
    let moved = sqlx::query(
        "UPDATE appointments SET start_at = $2, end_at = $3, updated_at = $4, sequence = sequence + 1 \
         WHERE id = $1 AND ($5 IS NULL OR (status = 'booked' AND start_at = $5))",
    )
    .bind(id)
    .bind(start)
    .bind(start + duration)
    .bind(now)
    .bind(was)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected()
        > 0;
    if !moved {
        return Ok(false);
    }
    bump_of(tx, id).await?;
    sqlx::query("UPDATE appointment_staff SET start_at = $2, end_at = $3 WHERE appointment_id = $1")
        .bind(id)
        .bind(start - pre)
        .bind(start + duration + post)
        .execute(&mut *tx.tx)
        .await?;
    Ok(true)
}

pub async fn cancel(tx: &mut WriteTx, id: &str) -> Result<bool, sqlx::Error> {
    let now = tx.now_ms() / 1000;
    let done = sqlx::query(
        "UPDATE appointments SET status = 'canceled', updated_at = $2, sequence = sequence + 1 WHERE id = $1 AND status <> 'canceled'",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 1 {
        bump_of(tx, id).await?;
    }
    Ok(done.rows_affected() == 1)
}

/// Marks the calendars of the appointment's staff members changed.
async fn bump_of(tx: &mut WriteTx, appointment_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE booking_staff SET calendar_version = calendar_version + 1 \
         WHERE id IN (SELECT staff_id FROM appointment_staff WHERE appointment_id = $1)",
    )
    .bind(appointment_id)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// Marks a booked appointment that has started as a no-show; false when it is not one.
pub async fn mark_no_show(tx: &mut WriteTx, id: &str) -> Result<bool, sqlx::Error> {
    let now = tx.now_ms() / 1000;
    let done =
        sqlx::query("UPDATE appointments SET status = 'noShow', updated_at = $2 WHERE id = $1 AND status = 'booked' AND start_at <= $2")
            .bind(id)
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
    Ok(done.rows_affected() == 1)
}
