//! The SQL of keeping appointments in Microsoft Bookings: their Bookings ids, the `sequence`
//! Bookings last heard of, the businesses whose calendars are read back, and the appointments
//! found there.

use super::super::model::Business;
use super::{business_from, AppointmentRow};
use crate::store::{Db, WriteTx};
use sqlx::Row;

/// Businesses imported from Bookings, whose calendars are read back from there.
pub async fn bookings_businesses(db: &Db) -> Result<Vec<Business>, sqlx::Error> {
    let rows = sqlx::query("SELECT * FROM businesses WHERE bookings_business_id IS NOT NULL ORDER BY id")
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(business_from).collect()
}

/// Records that Bookings holds the appointment as `bookings_id` at its `sequence`, with its join
/// links.
pub async fn set_bookings_id(
    db: &Db,
    id: &str,
    bookings_id: &str,
    sequence: i64,
    teams_join_url: Option<&str>,
    join_url: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE appointments SET bookings_appointment_id = $2, bookings_sequence = $3, teams_join_url = $4, join_url = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(bookings_id)
    .bind(sequence)
    .bind(teams_join_url)
    .bind(join_url)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Records that Bookings has heard of the appointment's change `sequence`.
pub async fn set_bookings_sequence(db: &Db, id: &str, sequence: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE appointments SET bookings_sequence = $2 WHERE id = $1 AND (bookings_sequence IS NULL OR bookings_sequence < $2)")
        .bind(id)
        .bind(sequence)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// [`set_bookings_id`] for an appointment read from Bookings, inside the transaction that
/// writes it; a join link Bookings did not give keeps the one held.
pub async fn set_bookings_id_in(
    tx: &mut WriteTx,
    id: &str,
    bookings_id: &str,
    teams_join_url: Option<&str>,
    join_url: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE appointments SET bookings_appointment_id = $2, bookings_sequence = sequence, \
         teams_join_url = COALESCE($3, teams_join_url), join_url = COALESCE($4, join_url) WHERE id = $1",
    )
    .bind(id)
    .bind(bookings_id)
    .bind(teams_join_url)
    .bind(join_url)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// The appointment Bookings holds as `bookings_id`, if Atrium has it.
pub async fn by_bookings_id(db: &Db, bookings_id: &str) -> Result<Option<AppointmentRow>, sqlx::Error> {
    super::appointment_where(&mut *db.pool.acquire().await?, "bookings_appointment_id = $1", bookings_id, None).await
}

/// A booked appointment Bookings does not hold yet with this service, start and customer
/// address: one whose making in Bookings was not recorded (a crash), to be matched, not doubled.
pub async fn unheld_match(
    db: &Db,
    business_id: &str,
    service_id: &str,
    start: i64,
    email: &str,
) -> Result<Option<AppointmentRow>, sqlx::Error> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT id FROM appointments WHERE business_id = $1 AND service_id = $2 AND start_at = $3 AND LOWER(customer_email) = LOWER($4) \
         AND status = 'booked' AND bookings_appointment_id IS NULL ORDER BY created_at LIMIT 1",
    )
    .bind(business_id)
    .bind(service_id)
    .bind(start)
    .bind(email)
    .fetch_optional(&db.pool)
    .await?;
    match id {
        Some(id) => super::by_id(db, &id).await,
        None => Ok(None),
    }
}

/// Replaces the times `staff_id` is busy outside Atrium that start in `[from, to)` with
/// `spans`; their calendar is marked changed only when something did. True when it did.
pub async fn replace_external_busy(db: &Db, staff_id: &str, from: i64, to: i64, spans: &[app::booking::Span]) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let rows = sqlx::query(
        "SELECT start_at, end_at FROM booking_external_busy WHERE staff_id = $1 AND start_at >= $2 AND start_at < $3 ORDER BY start_at, end_at",
    )
    .bind(staff_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *tx.tx)
    .await?;
    let held: Vec<(i64, i64)> = rows
        .iter()
        .map(|r| Ok((r.try_get("start_at")?, r.try_get("end_at")?)))
        .collect::<Result<_, sqlx::Error>>()?;
    let mut wanted: Vec<(i64, i64)> = spans
        .iter()
        .filter(|s| s.start >= from && s.start < to)
        .map(|s| (s.start, s.end))
        .collect();
    wanted.sort();
    wanted.dedup();
    if held == wanted {
        return Ok(false);
    }
    sqlx::query("DELETE FROM booking_external_busy WHERE staff_id = $1 AND start_at >= $2 AND start_at < $3")
        .bind(staff_id)
        .bind(from)
        .bind(to)
        .execute(&mut *tx.tx)
        .await?;
    for (start, end) in &wanted {
        sqlx::query("INSERT INTO booking_external_busy (staff_id, start_at, end_at) VALUES ($1, $2, $3)")
            .bind(staff_id)
            .bind(start)
            .bind(end)
            .execute(&mut *tx.tx)
            .await?;
    }
    super::bump_calendars(&mut tx, &[staff_id.to_string()]).await?;
    tx.commit().await?;
    Ok(true)
}
