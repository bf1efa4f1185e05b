//! The SQL of setting a business up: changing businesses, services and staff, removing the
//! latter two, staff time off, and the business's appointments over a range.

use super::super::model::{Business, Service, Staff};
use super::{business_from, json_error, service_from, staff_from, AppointmentRow};
use crate::store::{Db, WriteTx};
use app::booking::Span;
use sqlx::Row;

/// The organization's businesses, published or not.
pub async fn businesses_of(db: &Db, organization_id: &str) -> Result<Vec<Business>, sqlx::Error> {
    let rows = sqlx::query("SELECT * FROM businesses WHERE organization_id = $1 ORDER BY display_name, id")
        .bind(organization_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(business_from).collect()
}

/// How many services and staff members (not removed) each of the organization's businesses
/// has, by business id.
pub async fn setup_counts(db: &Db, organization_id: &str) -> Result<Vec<(String, i64, i64)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT b.id, \
         (SELECT COUNT(*) FROM booking_services s WHERE s.business_id = b.id AND s.removed_at IS NULL) AS services, \
         (SELECT COUNT(*) FROM booking_staff t WHERE t.business_id = b.id AND t.removed_at IS NULL) AS staff \
         FROM businesses b WHERE b.organization_id = $1",
    )
    .bind(organization_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("services")?, r.try_get("staff")?)))
        .collect()
}

pub async fn slug_taken(tx: &mut WriteTx, slug: &str, other_than: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM businesses WHERE slug = $1 AND id <> $2")
        .bind(slug)
        .bind(other_than)
        .fetch_one(&mut *tx.tx)
        .await?;
    Ok(n > 0)
}

/// The business `id`, read inside `tx` and locked until it ends (PostgreSQL; SQLite's single
/// writer already serializes), so that a change is made to what it changes.
pub async fn business_for_update(db: &Db, tx: &mut WriteTx, id: &str) -> Result<Option<Business>, sqlx::Error> {
    let sql = format!("SELECT * FROM businesses WHERE id = $1{}", db.for_update());
    let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *tx.tx).await?;
    row.as_ref().map(business_from).transpose()
}

/// Locks the service `id` until `tx` ends (PostgreSQL), so that a change is made to what it
/// changes.
pub async fn lock_service(db: &Db, tx: &mut WriteTx, id: &str) -> Result<(), sqlx::Error> {
    let sql = format!("SELECT id FROM booking_services WHERE id = $1{}", db.for_update());
    sqlx::query(&sql).bind(id).fetch_optional(&mut *tx.tx).await?;
    Ok(())
}

/// Opens or closes the business's booking page, touching nothing else.
pub async fn set_published(tx: &mut WriteTx, id: &str, published: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE businesses SET is_published = $2 WHERE id = $1")
        .bind(id)
        .bind(published as i64)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

pub async fn update_business(tx: &mut WriteTx, b: &Business) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE businesses SET slug = $2, display_name = $3, time_zone = $4, business_hours = $5, time_slot_interval = $6, \
         minimum_lead_time = $7, maximum_advance = $8, allow_staff_selection = $9, is_published = $10, logo_url = $11, \
         brand_color = $12, default_currency_iso = $13 WHERE id = $1",
    )
    .bind(&b.id)
    .bind(&b.slug)
    .bind(&b.display_name)
    .bind(&b.time_zone)
    .bind(serde_json::to_string(&b.business_hours).map_err(json_error)?)
    .bind(b.policy.interval)
    .bind(b.policy.minimum_lead_time)
    .bind(b.policy.maximum_advance)
    .bind(b.allow_staff_selection as i64)
    .bind(b.is_published as i64)
    .bind(&b.branding.logo_url)
    .bind(&b.branding.brand_color)
    .bind(&b.branding.currency)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

pub async fn update_service(tx: &mut WriteTx, s: &Service) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE booking_services SET display_name = $2, default_duration = $3, pre_buffer = $4, post_buffer = $5, \
         maximum_attendees = $6, is_location_online = $7, staff_member_ids = $8, service_hours = $9, reminders = $10, \
         default_price = $11, default_price_type = $12, custom_questions = $13 WHERE id = $1",
    )
    .bind(&s.id)
    .bind(&s.display_name)
    .bind(s.duration)
    .bind(s.pre_buffer)
    .bind(s.post_buffer)
    .bind(s.maximum_attendees)
    .bind(s.is_location_online as i64)
    .bind(serde_json::to_string(&s.staff_member_ids).map_err(json_error)?)
    .bind(match &s.service_hours {
        Some(h) => Some(serde_json::to_string(h).map_err(json_error)?),
        None => None,
    })
    .bind(serde_json::to_string(&s.reminders).map_err(json_error)?)
    .bind(s.price)
    .bind(&s.price_type)
    .bind(serde_json::to_string(&s.questions).map_err(json_error)?)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

pub async fn update_staff(tx: &mut WriteTx, s: &Staff) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE booking_staff SET display_name = $2, email_address = $3, time_zone = $4, use_business_hours = $5, \
         working_hours = $6 WHERE id = $1",
    )
    .bind(&s.id)
    .bind(&s.display_name)
    .bind(&s.email_address)
    .bind(&s.time_zone)
    .bind(s.use_business_hours as i64)
    .bind(serde_json::to_string(&s.working_hours).map_err(json_error)?)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// The business's services (not removed), read inside `tx`.
pub async fn services_in(tx: &mut WriteTx, business_id: &str) -> Result<Vec<Service>, sqlx::Error> {
    let rows = sqlx::query("SELECT * FROM booking_services WHERE business_id = $1 AND removed_at IS NULL ORDER BY display_name, id")
        .bind(business_id)
        .fetch_all(&mut *tx.tx)
        .await?;
    rows.iter().map(service_from).collect()
}

/// The business's staff (not removed), read inside `tx`.
pub async fn staff_in(tx: &mut WriteTx, business_id: &str) -> Result<Vec<Staff>, sqlx::Error> {
    let rows = sqlx::query("SELECT * FROM booking_staff WHERE business_id = $1 AND removed_at IS NULL ORDER BY display_name, id")
        .bind(business_id)
        .fetch_all(&mut *tx.tx)
        .await?;
    rows.iter().map(staff_from).collect()
}

/// Appointments not canceled that end after `now`, of the service or of the staff member.
pub async fn upcoming_count(tx: &mut WriteTx, column: Upcoming, id: &str, now: i64) -> Result<i64, sqlx::Error> {
    let sql = match column {
        Upcoming::Service => "SELECT COUNT(*) FROM appointments WHERE service_id = $1 AND status <> 'canceled' AND end_at > $2",
        Upcoming::Staff => {
            "SELECT COUNT(*) FROM appointment_staff s JOIN appointments a ON a.id = s.appointment_id \
             WHERE s.staff_id = $1 AND a.status <> 'canceled' AND a.end_at > $2"
        }
    };
    sqlx::query_scalar(sql).bind(id).bind(now).fetch_one(&mut *tx.tx).await
}

/// Whose upcoming appointments [`upcoming_count`] counts.
#[derive(Clone, Copy)]
pub enum Upcoming {
    Service,
    Staff,
}

pub async fn remove_service(tx: &mut WriteTx, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE booking_services SET removed_at = $2 WHERE id = $1")
        .bind(id)
        .bind(tx.now_ms() / 1000)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

pub async fn remove_staff(tx: &mut WriteTx, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE booking_staff SET removed_at = $2 WHERE id = $1")
        .bind(id)
        .bind(tx.now_ms() / 1000)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// A stretch of time a staff member does not work.
#[derive(Clone, Debug)]
pub struct TimeOff {
    pub id: String,
    pub staff_id: String,
    pub span: Span,
}

pub async fn insert_time_off(tx: &mut WriteTx, t: &TimeOff) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO booking_time_off (id, staff_id, start_at, end_at) VALUES ($1, $2, $3, $4)")
        .bind(&t.id)
        .bind(&t.staff_id)
        .bind(t.span.start)
        .bind(t.span.end)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// Deletes the staff member's time off `id`; false when they have none by that id.
pub async fn delete_time_off(tx: &mut WriteTx, staff_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM booking_time_off WHERE id = $1 AND staff_id = $2")
        .bind(id)
        .bind(staff_id)
        .execute(&mut *tx.tx)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The staff member's time off ending after `from`, earliest first.
pub async fn time_off_of(db: &Db, staff_id: &str, from: i64) -> Result<Vec<TimeOff>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, staff_id, start_at, end_at FROM booking_time_off WHERE staff_id = $1 AND end_at > $2 ORDER BY start_at, id",
    )
    .bind(staff_id)
    .bind(from)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TimeOff {
                id: r.try_get("id")?,
                staff_id: r.try_get("staff_id")?,
                span: Span::new(r.try_get("start_at")?, r.try_get("end_at")?),
            })
        })
        .collect()
}

/// The business's appointments starting in `[from, to)`, canceled ones included, by start: two
/// statements however many there are.
pub async fn appointments_between(db: &Db, business_id: &str, from: i64, to: i64) -> Result<Vec<AppointmentRow>, sqlx::Error> {
    const RANGE: &str = "a.business_id = $1 AND a.start_at >= $2 AND a.start_at < $3";
    let rows = sqlx::query(&format!("SELECT a.* FROM appointments a WHERE {RANGE} ORDER BY a.start_at, a.id"))
        .bind(business_id)
        .bind(from)
        .bind(to)
        .fetch_all(&db.pool)
        .await?;
    let pairs = sqlx::query(&format!(
        "SELECT s.appointment_id, s.staff_id FROM appointment_staff s JOIN appointments a ON a.id = s.appointment_id \
         WHERE {RANGE} ORDER BY s.staff_id"
    ))
    .bind(business_id)
    .bind(from)
    .bind(to)
    .fetch_all(&db.pool)
    .await?;
    let mut staff: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    for p in &pairs {
        staff.entry(p.try_get("appointment_id")?).or_default().push(p.try_get("staff_id")?);
    }
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("id")?;
            super::row_from(r, staff.remove(&id).unwrap_or_default())
        })
        .collect()
}

/// The business's services, removed ones included (past appointments still name them).
pub async fn all_services_of(db: &Db, business_id: &str) -> Result<Vec<Service>, sqlx::Error> {
    let rows = sqlx::query("SELECT * FROM booking_services WHERE business_id = $1 ORDER BY display_name, id")
        .bind(business_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(service_from).collect()
}

/// The business imported from the Bookings business `bookings_id`, read inside `tx`.
pub async fn business_by_bookings_id(tx: &mut WriteTx, bookings_id: &str) -> Result<Option<Business>, sqlx::Error> {
    let row = sqlx::query("SELECT * FROM businesses WHERE bookings_business_id = $1")
        .bind(bookings_id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    row.as_ref().map(business_from).transpose()
}

/// Whether a staff member with this id exists in any business.
pub async fn staff_exists(tx: &mut WriteTx, id: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM booking_staff WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx.tx)
        .await?;
    Ok(n > 0)
}
