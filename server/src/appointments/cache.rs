//! Staff calendars read for showing free times, kept while they are current. Each staff member's
//! row carries a calendar version that every write of their appointments raises in the same
//! transaction; a reading tagged with the version seen *before* it was read is used only while
//! that version is still the current one, so a change committed on any instance is seen by the
//! next request. Bookings never use it: they read calendars again under their locks.

use super::store;
use crate::store::Db;
use app::booking::{Booked, Span};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One staff member's calendar over `[from, to)` as of `version`.
struct Reading {
    version: i64,
    from: i64,
    to: i64,
    booked: Arc<Vec<Booked>>,
    off: Arc<Vec<Span>>,
}

/// The cache of calendar readings, one per staff member, held in the app state.
#[derive(Clone)]
pub struct CalendarCache {
    readings: Arc<Mutex<HashMap<String, Reading>>>,
    /// False for a one-off reading that reads just what is asked and keeps nothing.
    keep: bool,
}

impl Default for CalendarCache {
    fn default() -> Self {
        Self {
            readings: Arc::default(),
            keep: true,
        }
    }
}

/// Appointments and time off by staff id, as the slot engine takes them.
pub type Calendars = (Vec<(String, Booked)>, Vec<(String, Span)>);

impl CalendarCache {
    /// No cache: every reading goes to the database for just the span asked (used right after
    /// a refused booking, when the calendars have just changed anyway).
    pub fn none() -> Self {
        Self {
            readings: Arc::default(),
            keep: false,
        }
    }

    /// The appointments and time off of `staff` touching `[from, to)`; what is not cached (or
    /// changed since) is read over `[from, horizon)` and kept.
    pub async fn read(&self, db: &Db, staff: &[String], from: i64, to: i64, horizon: i64) -> Result<Calendars, sqlx::Error> {
        if !self.keep {
            return Ok((
                store::occupied(&db.pool, staff, from, to).await?,
                store::time_off(&db.pool, staff, from, to).await?,
            ));
        }
        let versions = store::calendar_versions(db, staff).await?;
        let (mut occupied, mut off, mut missing) = (Vec::new(), Vec::new(), Vec::new());
        {
            let readings = self.readings.lock().expect("calendar cache");
            for (id, version) in &versions {
                match readings.get(id) {
                    Some(r) if r.version == *version && r.from <= from && r.to >= to => {
                        within(id, &r.booked, &r.off, (from, to), (&mut occupied, &mut off));
                    }
                    _ => missing.push((id.clone(), *version)),
                }
            }
        }
        if missing.is_empty() {
            return Ok((occupied, off));
        }
        let ids: Vec<String> = missing.iter().map(|(id, _)| id.clone()).collect();
        let until = horizon.max(to);
        let read_booked = store::occupied(&db.pool, &ids, from, until).await?;
        let read_off = store::time_off(&db.pool, &ids, from, until).await?;
        let mut readings = self.readings.lock().expect("calendar cache");
        for (id, version) in missing {
            let booked: Vec<Booked> = read_booked.iter().filter(|(s, _)| *s == id).map(|(_, b)| b.clone()).collect();
            let spans: Vec<Span> = read_off.iter().filter(|(s, _)| *s == id).map(|(_, span)| *span).collect();
            within(&id, &booked, &spans, (from, to), (&mut occupied, &mut off));
            readings.insert(
                id,
                Reading {
                    version,
                    from,
                    to: until,
                    booked: Arc::new(booked),
                    off: Arc::new(spans),
                },
            );
        }
        Ok((occupied, off))
    }
}

/// Where [`within`] adds what it finds: appointments and time off by staff id.
type Found<'a> = (&'a mut Vec<(String, Booked)>, &'a mut Vec<(String, Span)>);

/// Adds what of staff member `id`'s appointments (with their buffers) and time off touches
/// `[from, to)` to `out`.
fn within(id: &str, booked: &[Booked], off: &[Span], (from, to): (i64, i64), out: Found<'_>) {
    let touches = |start: i64, end: i64| start < to && end > from;
    out.0.extend(
        booked
            .iter()
            .filter(|b| touches(b.start - b.pre_buffer, b.end + b.post_buffer))
            .map(|b| (id.to_string(), b.clone())),
    );
    out.1
        .extend(off.iter().filter(|s| touches(s.start, s.end)).map(|s| (id.to_string(), *s)));
}
