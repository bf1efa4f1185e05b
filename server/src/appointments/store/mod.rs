//! The SQL of appointments: businesses, staff, services, time off and what occupies the staff;
//! appointments themselves in `appointments.rs`, customers in `customers.rs`.

mod appointments;
mod bookings;
mod customers;
mod questions;
mod setup;

pub use appointments::*;
pub use bookings::*;
pub use customers::*;
pub use questions::*;
pub use setup::*;

use super::model::{Business, Service, Staff, WorkHoursJson};
use crate::store::{placeholders, Db, WriteTx};
use app::booking::{Booked, Policy, Span};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

fn json_error(e: serde_json::Error) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

fn hours(text: &str) -> Result<Vec<WorkHoursJson>, sqlx::Error> {
    serde_json::from_str(text).map_err(json_error)
}

fn business_from(r: &AnyRow) -> Result<Business, sqlx::Error> {
    Ok(Business {
        id: r.try_get("id")?,
        organization_id: r.try_get("organization_id")?,
        slug: r.try_get("slug")?,
        display_name: r.try_get("display_name")?,
        time_zone: r.try_get("time_zone")?,
        business_hours: hours(&r.try_get::<String, _>("business_hours")?)?,
        policy: Policy {
            interval: r.try_get("time_slot_interval")?,
            minimum_lead_time: r.try_get("minimum_lead_time")?,
            maximum_advance: r.try_get("maximum_advance")?,
        },
        allow_staff_selection: r.try_get::<i64, _>("allow_staff_selection")? != 0,
        is_published: r.try_get::<i64, _>("is_published")? != 0,
        bookings_business_id: r.try_get("bookings_business_id")?,
        branding: super::model::Branding {
            logo_url: r.try_get("logo_url")?,
            brand_color: r.try_get("brand_color")?,
            currency: r.try_get("default_currency_iso")?,
        },
    })
}

fn service_from(r: &AnyRow) -> Result<Service, sqlx::Error> {
    let own: Option<String> = r.try_get("service_hours")?;
    Ok(Service {
        id: r.try_get("id")?,
        business_id: r.try_get("business_id")?,
        display_name: r.try_get("display_name")?,
        duration: r.try_get("default_duration")?,
        pre_buffer: r.try_get("pre_buffer")?,
        post_buffer: r.try_get("post_buffer")?,
        maximum_attendees: r.try_get("maximum_attendees")?,
        is_location_online: r.try_get::<i64, _>("is_location_online")? != 0,
        staff_member_ids: serde_json::from_str(&r.try_get::<String, _>("staff_member_ids")?).map_err(json_error)?,
        service_hours: own.as_deref().map(hours).transpose()?,
        reminders: serde_json::from_str(&r.try_get::<String, _>("reminders")?).map_err(json_error)?,
        price: r.try_get("default_price")?,
        price_type: r.try_get("default_price_type")?,
        questions: serde_json::from_str(&r.try_get::<String, _>("custom_questions")?).map_err(json_error)?,
    })
}

fn staff_from(r: &AnyRow) -> Result<Staff, sqlx::Error> {
    Ok(Staff {
        id: r.try_get("id")?,
        business_id: r.try_get("business_id")?,
        display_name: r.try_get("display_name")?,
        email_address: r.try_get("email_address")?,
        time_zone: r.try_get("time_zone")?,
        use_business_hours: r.try_get::<i64, _>("use_business_hours")? != 0,
        working_hours: hours(&r.try_get::<String, _>("working_hours")?)?,
    })
}

pub async fn insert_business(tx: &mut WriteTx, b: &Business) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO businesses (id, organization_id, slug, display_name, time_zone, business_hours, time_slot_interval, \
         minimum_lead_time, maximum_advance, allow_staff_selection, is_published, created_at, bookings_business_id, logo_url, \
         brand_color, default_currency_iso) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(&b.id)
    .bind(&b.organization_id)
    .bind(&b.slug)
    .bind(&b.display_name)
    .bind(&b.time_zone)
    .bind(serde_json::to_string(&b.business_hours).map_err(json_error)?)
    .bind(b.policy.interval)
    .bind(b.policy.minimum_lead_time)
    .bind(b.policy.maximum_advance)
    .bind(b.allow_staff_selection as i64)
    .bind(b.is_published as i64)
    .bind(tx.now_ms() / 1000)
    .bind(&b.bookings_business_id)
    .bind(&b.branding.logo_url)
    .bind(&b.branding.brand_color)
    .bind(&b.branding.currency)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

pub async fn insert_staff(tx: &mut WriteTx, s: &Staff) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO booking_staff (id, business_id, display_name, email_address, time_zone, use_business_hours, working_hours, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&s.id)
    .bind(&s.business_id)
    .bind(&s.display_name)
    .bind(&s.email_address)
    .bind(&s.time_zone)
    .bind(s.use_business_hours as i64)
    .bind(serde_json::to_string(&s.working_hours).map_err(json_error)?)
    .bind(tx.now_ms() / 1000)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

pub async fn insert_service(tx: &mut WriteTx, s: &Service) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO booking_services (id, business_id, display_name, default_duration, pre_buffer, post_buffer, maximum_attendees, \
         is_location_online, staff_member_ids, service_hours, created_at, reminders, default_price, default_price_type, \
         custom_questions) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&s.id)
    .bind(&s.business_id)
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
    .bind(tx.now_ms() / 1000)
    .bind(serde_json::to_string(&s.reminders).map_err(json_error)?)
    .bind(s.price)
    .bind(&s.price_type)
    .bind(serde_json::to_string(&s.questions).map_err(json_error)?)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

pub async fn business_by_slug(db: &Db, slug: &str) -> Result<Option<Business>, sqlx::Error> {
    let row = sqlx::query("SELECT * FROM businesses WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(business_from).transpose()
}

pub async fn business_by_id(db: &Db, id: &str) -> Result<Option<Business>, sqlx::Error> {
    let row = sqlx::query("SELECT * FROM businesses WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(business_from).transpose()
}

pub async fn published_businesses(db: &Db) -> Result<Vec<Business>, sqlx::Error> {
    let rows = sqlx::query("SELECT * FROM businesses WHERE is_published = 1 ORDER BY display_name, id")
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(business_from).collect()
}

pub async fn count_businesses(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM businesses").fetch_one(&db.pool).await
}

pub async fn services_of(db: &Db, business_id: &str) -> Result<Vec<Service>, sqlx::Error> {
    let rows = sqlx::query("SELECT * FROM booking_services WHERE business_id = $1 AND removed_at IS NULL ORDER BY display_name, id")
        .bind(business_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(service_from).collect()
}

pub async fn staff_of(db: &Db, business_id: &str) -> Result<Vec<Staff>, sqlx::Error> {
    let rows = sqlx::query("SELECT * FROM booking_staff WHERE business_id = $1 AND removed_at IS NULL ORDER BY display_name, id")
        .bind(business_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(staff_from).collect()
}

/// The calendar version of each of `ids` (raised by every change of their appointments).
pub async fn calendar_versions(db: &Db, ids: &[String]) -> Result<Vec<(String, i64)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, calendar_version FROM booking_staff WHERE id IN ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(id);
    }
    let rows = q.fetch_all(&db.pool).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("calendar_version")?)))
        .collect()
}

/// Marks the calendars of `ids` changed. Every write of appointments or time off calls this in
/// its transaction, so that no cached reading of them is used again.
pub async fn bump_calendars(tx: &mut WriteTx, ids: &[String]) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE booking_staff SET calendar_version = calendar_version + 1 WHERE id IN ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(id);
    }
    q.execute(&mut *tx.tx).await?;
    Ok(())
}

/// Locks the staff members' rows until the transaction ends (PostgreSQL), in id order so that
/// two bookings never wait on each other; SQLite's single writer already serializes.
pub async fn lock_staff(tx: &mut WriteTx, ids: &[String]) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut sorted = ids.to_vec();
    sorted.sort();
    let sql = format!(
        "SELECT id FROM booking_staff WHERE id IN ({}) ORDER BY id{}",
        placeholders(1, sorted.len()),
        tx.for_update()
    );
    let mut q = sqlx::query(&sql);
    for id in &sorted {
        q = q.bind(id);
    }
    q.fetch_all(&mut *tx.tx).await?;
    Ok(())
}

impl super::writer::AppointmentWriter for WriteTx {
    async fn lock_staff(&mut self, ids: &[String]) -> Result<(), sqlx::Error> {
        lock_staff(self, ids).await
    }

    async fn occupied(&mut self, staff: &[String], from: i64, to: i64) -> Result<Vec<(String, Booked)>, sqlx::Error> {
        occupied(&mut *self.tx, staff, from, to).await
    }

    async fn time_off(&mut self, staff: &[String], from: i64, to: i64) -> Result<Vec<(String, Span)>, sqlx::Error> {
        time_off(&mut *self.tx, staff, from, to).await
    }

    async fn insert_appointment(&mut self, a: &NewAppointment<'_>) -> Result<(), sqlx::Error> {
        insert_appointment(self, a).await
    }

    async fn move_if_booked_at(&mut self, id: &str, was: i64, start: i64, lengths: (i64, i64, i64)) -> Result<bool, sqlx::Error> {
        move_if_booked_at(self, id, was, start, lengths).await
    }

    async fn customer_email(&mut self, id: &str) -> Result<Option<String>, sqlx::Error> {
        Ok(by_id_in(&mut self.tx, id).await?.map(|row| row.customer_email))
    }
}

/// The rows of `select` (whose `WHERE` ends in `… staff_id IN (`, with `$1`/`$2` the span) for
/// `staff` during `[from, to)`.
async fn during<'e, E: Executor<'e, Database = Any>>(
    exec: E,
    select: &str,
    staff: &[String],
    from: i64,
    to: i64,
) -> Result<Vec<AnyRow>, sqlx::Error> {
    if staff.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{select}{})", placeholders(3, staff.len()));
    let mut q = sqlx::query(&sql).bind(from).bind(to);
    for id in staff {
        q = q.bind(id);
    }
    q.fetch_all(exec).await
}

/// The appointments (not canceled) that occupy any of `staff` during `[from, to)`, by staff id.
pub async fn occupied<'e, E: Executor<'e, Database = Any>>(
    exec: E,
    staff: &[String],
    from: i64,
    to: i64,
) -> Result<Vec<(String, Booked)>, sqlx::Error> {
    let rows = during(
        exec,
        "SELECT s.staff_id, a.service_id, a.start_at, a.end_at, a.pre_buffer, a.post_buffer FROM appointment_staff s \
         JOIN appointments a ON a.id = s.appointment_id \
         WHERE a.status <> 'canceled' AND s.end_at > $1 AND s.start_at < $2 AND s.staff_id IN (",
        staff,
        from,
        to,
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("staff_id")?,
                Booked {
                    service_id: r.try_get("service_id")?,
                    start: r.try_get("start_at")?,
                    end: r.try_get("end_at")?,
                    pre_buffer: r.try_get("pre_buffer")?,
                    post_buffer: r.try_get("post_buffer")?,
                    attendees: 1,
                },
            ))
        })
        .collect()
}

/// Time off of any of `staff` touching `[from, to)`, by staff id, with the times they are busy
/// outside Atrium (their own calendar, for a business imported from Bookings).
pub async fn time_off<'e, E: Executor<'e, Database = Any>>(
    exec: E,
    staff: &[String],
    from: i64,
    to: i64,
) -> Result<Vec<(String, Span)>, sqlx::Error> {
    let rows = during(
        exec,
        "SELECT staff_id, start_at, end_at FROM (SELECT staff_id, start_at, end_at FROM booking_time_off \
         UNION ALL SELECT staff_id, start_at, end_at FROM booking_external_busy) busy \
         WHERE end_at > $1 AND start_at < $2 AND staff_id IN (",
        staff,
        from,
        to,
    )
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("staff_id")?, Span::new(r.try_get("start_at")?, r.try_get("end_at")?))))
        .collect()
}
