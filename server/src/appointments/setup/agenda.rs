//! What the front desk reads: a business's appointments for a range of days, its staff and
//! its customers, always for the organizer's own business.

use super::{business, SetupError};
use crate::accounts::auth::Organizer;
use crate::appointments::model::{Business, Service, Staff};
use crate::appointments::store::{self, AppointmentRow};
use crate::store::Db;

/// The business's appointments starting on the dates `[start, end)` in its zone (at most 62
/// days), with its services to name them.
pub async fn appointments(
    db: &Db,
    org: &Organizer,
    slug: &str,
    start: Option<&str>,
    end: Option<&str>,
) -> Result<(Business, Vec<Service>, Vec<AppointmentRow>), SetupError> {
    let b = business(db, org, slug).await?;
    let (services, rows) = appointments_of(db, org, &b, start, end).await?;
    Ok((b, services, rows))
}

/// The services and appointments of a business already read (so the dashboard's week asks for
/// it once), between the dates `start` and `end` in its zone. Another organization's business
/// is not found, as everywhere in this layer.
pub async fn appointments_of(
    db: &Db,
    org: &Organizer,
    b: &Business,
    start: Option<&str>,
    end: Option<&str>,
) -> Result<(Vec<Service>, Vec<AppointmentRow>), SetupError> {
    ours(org, b)?;
    let zone = app::tz::parse_zone(&b.time_zone).map_err(|e| SetupError::Db(sqlx::Error::Protocol(format!("the business's zone: {e}"))))?;
    let mut errors = Vec::new();
    let Some((from, to)) = crate::appointments::date_range(start, end, &zone, &mut errors) else {
        return Err(SetupError::Invalid(errors));
    };
    let rows = store::appointments_between(db, &b.id, from, to).await?;
    let services = store::all_services_of(db, &b.id).await?;
    Ok((services, rows))
}

/// The staff of a business already read, when it is the organizer's.
pub async fn staff_of(db: &Db, org: &Organizer, b: &Business) -> Result<Vec<Staff>, SetupError> {
    ours(org, b)?;
    Ok(store::staff_of(db, &b.id).await?)
}

fn ours(org: &Organizer, b: &Business) -> Result<(), SetupError> {
    if b.organization_id == org.organization_id {
        Ok(())
    } else {
        Err(SetupError::NotFound("Business"))
    }
}

/// The business's customers, most recent first (at most 1,000).
pub async fn customers(db: &Db, org: &Organizer, slug: &str) -> Result<(Business, Vec<store::CustomerRow>), SetupError> {
    let b = business(db, org, slug).await?;
    let list = store::customers_of(db, &b.id, db.now(), 1000).await?;
    Ok((b, list))
}
