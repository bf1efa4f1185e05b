//! A business and its staff's calendars in memory, implementing [`AppointmentWriter`], for the
//! unit tests of booking and moving appointments.

use super::model::{Branding, Business, ReminderJson, Service, Staff, WorkHoursJson, WorkTimeSlotJson};
use super::store;
use super::writer::AppointmentWriter;
use super::Catalog;
use crate::crypto::Sealer;
use crate::jobs::fake::ListJobs;
use crate::jobs::{JobWriter, NewJob};
use crate::limits::fake::MapCounters;
use crate::limits::Counters;
use app::booking::{Booked, Day, Policy, Span};
use std::collections::HashMap;

pub fn at(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>().unwrap().as_second()
}

/// Monday 7 December 2026, 08:00 UTC.
pub fn now() -> i64 {
    at("2026-12-07T08:00:00Z")
}

#[derive(Default)]
pub struct Calendars {
    /// (staff member, what occupies them, appointment id)
    pub appointments: Vec<(String, Booked, String)>,
    pub off: Vec<(String, Span)>,
    /// Appointment id → the customer's email address.
    pub customers: HashMap<String, String>,
    pub counters: MapCounters,
    pub jobs: ListJobs,
    /// How many times staff were held.
    pub locks: usize,
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
        let booked: Vec<(String, Booked)> = self.appointments.iter().map(|(s, b, _)| (s.clone(), b.clone())).collect();
        Ok(touching(&booked, staff, |b| (b.start, b.end), from, to))
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
            self.appointments.push((staff.clone(), booked, a.id.to_string()));
        }
        self.customers.insert(a.id.to_string(), a.customer_email.to_string());
        Ok(())
    }
    async fn move_if_booked_at(&mut self, id: &str, was: i64, start: i64, (duration, _, _): (i64, i64, i64)) -> Result<bool, sqlx::Error> {
        let mut moved = false;
        for (_, booked, _) in self.appointments.iter_mut().filter(|(_, b, of)| of == id && b.start == was) {
            (booked.start, booked.end) = (start, start + duration);
            moved = true;
        }
        Ok(moved)
    }
    async fn customer_email(&mut self, id: &str) -> Result<Option<String>, sqlx::Error> {
        Ok(self.customers.get(id).cloned())
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
pub fn catalog() -> Catalog {
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

pub fn sealer() -> Sealer {
    Sealer::from_base64("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=").unwrap()
}
