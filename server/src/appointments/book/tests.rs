//! The booking transaction against calendars in memory: staff chosen and then taken, times off
//! the grid or in time off refused, the address limit, and what is queued. (The same against
//! SQLite and PostgreSQL, with concurrent requests, is in the integration tests.)

use super::reserve::{reserve, Request, Reserved};
use super::*;
use crate::appointments::model::{Branding, ReminderJson, Staff, WorkHoursJson, WorkTimeSlotJson};
use crate::appointments::writer::AppointmentWriter;
use crate::jobs::fake::ListJobs;
use crate::jobs::{JobWriter, NewJob};
use crate::limits::fake::MapCounters;
use crate::limits::Counters;
use app::booking::{Booked, Day, Policy, Span};
use std::collections::HashMap;

fn at(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>().unwrap().as_second()
}

/// Monday 7 December 2026, 08:00 UTC.
fn now() -> i64 {
    at("2026-12-07T08:00:00Z")
}

#[derive(Default)]
struct Calendars {
    appointments: Vec<(String, Booked)>,
    off: Vec<(String, Span)>,
    counters: MapCounters,
    jobs: ListJobs,
    locks: usize,
}

impl JobWriter for Calendars {
    fn now_ms(&self) -> i64 {
        now() * 1000
    }
    async fn add_job(&mut self, job: NewJob<'_>, due_ms: i64) -> Result<(), sqlx::Error> {
        self.jobs.add_job(job, due_ms).await
    }
}

impl Counters for Calendars {
    async fn add_hit(&mut self, bucket: &str, expires_at: i64) -> Result<i64, sqlx::Error> {
        self.counters.add_hit(bucket, expires_at).await
    }
    async fn add_hits(&mut self, buckets: &[(String, i64, i64)]) -> Result<HashMap<String, i64>, sqlx::Error> {
        self.counters.add_hits(buckets).await
    }
    async fn delete(&mut self, bucket: &str) -> Result<(), sqlx::Error> {
        self.counters.delete(bucket).await
    }
    async fn take_back(&mut self, bucket: &str) -> Result<(), sqlx::Error> {
        self.counters.take_back(bucket).await
    }
}

fn touching<T: Clone>(rows: &[(String, T)], staff: &[String], span: impl Fn(&T) -> (i64, i64), from: i64, to: i64) -> Vec<(String, T)> {
    rows.iter()
        .filter(|(id, row)| staff.contains(id) && span(row).1 > from && span(row).0 < to)
        .cloned()
        .collect()
}

impl AppointmentWriter for Calendars {
    async fn lock_staff(&mut self, _ids: &[String]) -> Result<(), sqlx::Error> {
        self.locks += 1;
        Ok(())
    }
    async fn occupied(&mut self, staff: &[String], from: i64, to: i64) -> Result<Vec<(String, Booked)>, sqlx::Error> {
        Ok(touching(&self.appointments, staff, |b| (b.start, b.end), from, to))
    }
    async fn time_off(&mut self, staff: &[String], from: i64, to: i64) -> Result<Vec<(String, Span)>, sqlx::Error> {
        Ok(touching(&self.off, staff, |s| (s.start, s.end), from, to))
    }
    async fn insert_appointment(&mut self, a: &store::NewAppointment<'_>) -> Result<(), sqlx::Error> {
        for staff in a.staff_ids {
            let booked = Booked {
                service_id: a.service.id.clone(),
                start: a.start,
                end: a.start + a.service.duration,
                pre_buffer: a.service.pre_buffer,
                post_buffer: a.service.post_buffer,
                attendees: 1,
            };
            self.appointments.push((staff.clone(), booked));
        }
        Ok(())
    }
}

fn staff(id: &str, name: &str) -> Staff {
    Staff {
        id: id.into(),
        business_id: "b1".into(),
        display_name: name.into(),
        email_address: format!("{id}@contoso.example"),
        time_zone: "UTC".into(),
        use_business_hours: true,
        working_hours: Vec::new(),
    }
}

/// A business open 09:00–17:00 UTC every day, booking on the half hour up to 30 days ahead,
/// with a 30-minute service that two staff members give.
fn catalog() -> Catalog {
    let days = [
        Day::Monday,
        Day::Tuesday,
        Day::Wednesday,
        Day::Thursday,
        Day::Friday,
        Day::Saturday,
        Day::Sunday,
    ];
    let hours = days
        .into_iter()
        .map(|day| WorkHoursJson {
            day,
            time_slots: vec![WorkTimeSlotJson {
                start_time: "09:00:00.0000000".into(),
                end_time: "17:00:00.0000000".into(),
            }],
        })
        .collect();
    let mut service = Service::blank("s1".into(), "b1".into());
    service.display_name = "Consultation".into();
    service.duration = 1_800;
    service.staff_member_ids = vec!["ana".into(), "ben".into()];
    service.reminders = vec![ReminderJson {
        message: "See you tomorrow".into(),
        offset: "P1D".into(),
        recipients: "allAttendees".into(),
    }];
    Catalog {
        business: Business {
            id: "b1".into(),
            organization_id: "o1".into(),
            slug: "clinic".into(),
            display_name: "Clinic".into(),
            time_zone: "UTC".into(),
            business_hours: hours,
            policy: Policy {
                interval: 1_800,
                minimum_lead_time: 0,
                maximum_advance: 30 * 86_400,
            },
            allow_staff_selection: true,
            is_published: true,
            bookings_business_id: None,
            branding: Branding::default(),
        },
        services: vec![service],
        staff: vec![staff("ana", "Ana"), staff("ben", "Ben")],
        questions: Vec::new(),
    }
}

fn sealer() -> Sealer {
    Sealer::from_base64("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=").unwrap()
}

/// Books the catalog's service at `start` for `email`, from `address`.
async fn book_at(tx: &mut Calendars, catalog: &Catalog, start: i64, address: Option<&str>, teams: bool) -> Reserved {
    let service = &catalog.services[0];
    let staff: Vec<&Staff> = catalog.staff.iter().collect();
    let checked = Checked {
        service,
        start,
        name: "Cy Customer".into(),
        email: "cy@example.com".into(),
        phone: None,
        time_zone: "UTC".into(),
        answers: Vec::new(),
    };
    let rules = service.rules(&catalog.business).unwrap();
    let request = Request {
        catalog,
        checked: &checked,
        staff: &staff,
        rules: &rules,
        key: None,
        hash: "h",
        address,
        teams,
    };
    reserve(tx, &sealer(), &request).await.unwrap()
}

fn booked(reserved: Reserved) -> Booking {
    match reserved {
        Reserved::Booked(b) => b,
        other => panic!("not booked: {other:?}"),
    }
}

#[tokio::test]
async fn one_time_goes_to_each_free_staff_member_once_and_is_then_taken() {
    let (catalog, mut tx) = (catalog(), Calendars::default());
    let ten = at("2026-12-08T10:00:00Z");
    let first = booked(book_at(&mut tx, &catalog, ten, None, false).await);
    let second = booked(book_at(&mut tx, &catalog, ten, None, false).await);
    assert_eq!(
        (first.staff_ids.as_slice(), second.staff_ids.as_slice()),
        (&["ana".to_string()][..], &["ben".to_string()][..])
    );
    assert_eq!((first.end - first.start, first.status.as_str()), (1_800, "booked"));
    assert!(matches!(
        book_at(&mut tx, &catalog, ten, None, false).await,
        Reserved::Refused(SlotRefusal::Taken)
    ));
    // The next half hour is free again.
    booked(book_at(&mut tx, &catalog, ten + 1_800, None, false).await);
    assert_eq!(tx.appointments.len(), 3);
}

#[tokio::test]
async fn a_time_off_the_grid_in_time_off_or_too_far_ahead_is_refused() {
    let (catalog, mut tx) = (catalog(), Calendars::default());
    let ten = at("2026-12-08T10:00:00Z");
    let refused = |r: Reserved| match r {
        Reserved::Refused(why) => why,
        other => panic!("not refused: {other:?}"),
    };
    assert_eq!(
        refused(book_at(&mut tx, &catalog, ten + 600, None, false).await),
        SlotRefusal::NotOffered
    );
    assert_eq!(
        refused(book_at(&mut tx, &catalog, now() + 31 * 86_400, None, false).await),
        SlotRefusal::TooFarAhead
    );
    for id in ["ana", "ben"] {
        tx.off.push((id.into(), Span::new(ten - 3_600, ten + 3_600)));
    }
    assert_eq!(refused(book_at(&mut tx, &catalog, ten, None, false).await), SlotRefusal::Taken);
    assert!(tx.appointments.is_empty() && tx.jobs.jobs.is_empty(), "a refusal writes nothing");
}

#[tokio::test]
async fn past_the_address_limit_nothing_is_read_or_written() {
    let (catalog, mut tx) = (catalog(), Calendars::default());
    let nine = at("2026-12-08T09:00:00Z");
    for i in 0..crate::limits::BOOKINGS.hits {
        booked(book_at(&mut tx, &catalog, nine + (i / 2) * 1_800, Some("192.0.2.9"), false).await);
    }
    let locks = tx.locks;
    let Reserved::Limited(wait) = book_at(&mut tx, &catalog, at("2026-12-08T16:00:00Z"), Some("192.0.2.9"), false).await else {
        panic!("not limited")
    };
    assert!(wait > 0);
    assert_eq!(tx.locks, locks, "no staff held for a refused request");
    booked(book_at(&mut tx, &catalog, at("2026-12-08T16:00:00Z"), Some("192.0.2.10"), false).await);
}

#[tokio::test]
async fn a_booking_queues_its_emails_reminders_and_what_microsoft_must_learn() {
    let (mut catalog, mut tx) = (catalog(), Calendars::default());
    catalog.business.bookings_business_id = Some("contoso@contoso.example".into());
    let start = at("2026-12-10T10:00:00Z");
    let booking = booked(book_at(&mut tx, &catalog, start, None, true).await);
    let jobs: Vec<_> = tx
        .jobs
        .jobs
        .iter()
        .map(|j| (j.label.as_deref().unwrap_or(""), j.recipient.as_str(), j.due_ms))
        .collect();
    let staff = format!("{}@contoso.example", booking.staff_ids[0]);
    let (now_ms, reminder_ms) = (now() * 1000, (start - 86_400) * 1000);
    assert_eq!(
        jobs,
        [
            ("appointmentBooked", "cy@example.com", now_ms),
            ("appointmentBooked", staff.as_str(), now_ms),
            ("appointmentReminder", "cy@example.com", reminder_ms),
            ("appointmentReminder", staff.as_str(), reminder_ms),
            (crate::jobs::teams::TOPIC_BOOKINGS, "", now_ms),
        ]
    );
}
