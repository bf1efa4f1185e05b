//! Registrations and their events in memory, implementing the registration storage traits,
//! for the unit tests of deciding, canceling and confirming.

use super::decide::{Checked, Pending, Rules};
use super::storage::{OrganizerDecisions, RegistrationChanges, RegistrationStore, RegistrationWriter, Written};
use super::Registration;
use crate::accounts::audit::AuditLog;
use crate::crypto::Sealer;
use crate::events::{Counter, Event, Seats};
use crate::jobs::fake::ListJobs;
use crate::jobs::{JobWriter, NewJob};
use crate::limits::fake::MapCounters;
use crate::limits::{self, Counters, Limit};
use app::domain::{EmailAddress, RegistrationStatus};
use std::collections::HashMap;
use tokio::sync::oneshot;

pub const NOW: i64 = 1_800_000_000;

/// One registration row: the registration, its normalized email and when its details were resent.
pub type Row = (Registration, String, Option<i64>);

#[derive(Default)]
pub struct Tables {
    pub events: HashMap<String, Event>,
    pub registrations: Vec<Row>,
    pub keys: HashMap<(String, String), (String, String, i64)>,
    pub counters: MapCounters,
    pub jobs: ListJobs,
    /// How many times each event's counters were written.
    pub counts_saved: HashMap<String, usize>,
    /// The audit trail: (organization, actor, action, target).
    pub audit: Vec<(String, String, String, String)>,
}

impl JobWriter for Tables {
    fn now_ms(&self) -> i64 {
        NOW * 1000
    }
    async fn add_job(&mut self, job: NewJob<'_>, due_ms: i64) -> Result<(), sqlx::Error> {
        self.jobs.add_job(job, due_ms).await
    }
}

impl Counters for Tables {
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

pub fn registration_of(w: &Written<'_>) -> Registration {
    Registration {
        id: w.id.into(),
        event_id: w.event_id.into(),
        email: w.checked.email.as_str().into(),
        first_name: w.checked.first_name.clone(),
        last_name: w.checked.last_name.clone(),
        status: w.status,
        waitlist_seq: w.waitlist_seq,
        preferred_timezone: w.checked.timezone.clone(),
        preferred_language: w.checked.language.clone(),
        answers: w.checked.answers.clone(),
        manage_token_sealed: Some(w.token_sealed.into()),
        created_at: w.now,
        confirm_by: w.confirm_by,
        confirm_as: w.confirm_as,
        ics_sequence: 0,
    }
}

impl Seats for Tables {
    async fn lock_event(&mut self, event_id: &str) -> Result<Event, sqlx::Error> {
        self.events.get(event_id).cloned().ok_or(sqlx::Error::RowNotFound)
    }
    async fn shift_counts(&mut self, event_id: &str, from: Option<Counter>, to: Option<Counter>, _now: i64) -> Result<(), sqlx::Error> {
        let event = self.events.get_mut(event_id).ok_or(sqlx::Error::RowNotFound)?;
        if let Some(c) = from {
            *count_of(event, c) -= 1;
        }
        if let Some(c) = to {
            *count_of(event, c) += 1;
        }
        Ok(())
    }
    async fn first_waitlisted(&mut self, event_id: &str) -> Result<Option<(String, String)>, sqlx::Error> {
        let first = self
            .registrations
            .iter()
            .filter(|(r, _, _)| r.event_id == event_id && r.status == RegistrationStatus::Waitlisted)
            .min_by_key(|(r, _, _)| r.waitlist_seq);
        Ok(first.map(|(r, _, _)| (r.id.clone(), r.email.clone())))
    }
    async fn promote(&mut self, id: &str, _now: i64) -> Result<(), sqlx::Error> {
        let r = self.registration_mut(id).ok_or(sqlx::Error::RowNotFound)?;
        (r.status, r.waitlist_seq) = (RegistrationStatus::Registered, None);
        r.ics_sequence += 1;
        Ok(())
    }
}

impl RegistrationStore for Tables {
    async fn registration(&mut self, id: &str) -> Result<Option<Registration>, sqlx::Error> {
        Ok(self.row(id).map(|(r, _, _)| r.clone()))
    }
    async fn waitlist_position(&mut self, event_id: &str, seq: Option<i64>) -> Result<Option<i64>, sqlx::Error> {
        let Some(seq) = seq else { return Ok(None) };
        let ahead = self.registrations.iter().filter(|(r, _, _)| {
            r.event_id == event_id && r.status == RegistrationStatus::Waitlisted && r.waitlist_seq.is_some_and(|s| s <= seq)
        });
        Ok(Some(ahead.count() as i64))
    }
}

impl RegistrationWriter for Tables {
    async fn save_counts(&mut self, event: &Event, _now: i64) -> Result<(), sqlx::Error> {
        let stored = self.events.get_mut(&event.id).ok_or(sqlx::Error::RowNotFound)?;
        stored.registered_count = event.registered_count;
        stored.waitlisted_count = event.waitlisted_count;
        stored.pending_count = event.pending_count;
        stored.next_waitlist_seq = event.next_waitlist_seq;
        stored.held_count = event.held_count;
        *self.counts_saved.entry(event.id.clone()).or_default() += 1;
        Ok(())
    }
    async fn remembered_key(&mut self, event_id: &str, key: &str) -> Result<Option<(String, String, i64)>, sqlx::Error> {
        Ok(self.keys.get(&(event_id.into(), key.into())).cloned())
    }
    async fn forget_key(&mut self, event_id: &str, key: &str) -> Result<(), sqlx::Error> {
        self.keys.remove(&(event_id.into(), key.into()));
        Ok(())
    }
    async fn remember_key(&mut self, event_id: &str, key: &str, body: &str, fingerprint: &str, now: i64) -> Result<(), sqlx::Error> {
        self.keys
            .insert((event_id.into(), key.into()), (fingerprint.into(), body.into(), now));
        Ok(())
    }
    async fn by_email(&mut self, event_id: &str, email: &str) -> Result<Option<(Registration, Option<i64>)>, sqlx::Error> {
        Ok(self
            .registrations
            .iter()
            .find(|(r, e, _)| r.event_id == event_id && e == email)
            .map(|(r, _, at)| (r.clone(), *at)))
    }
    async fn insert(&mut self, w: &Written<'_>) -> Result<bool, sqlx::Error> {
        let email = w.checked.email.normalized();
        if self.by_email(w.event_id, &email).await?.is_some() {
            return Ok(false);
        }
        self.registrations.push((registration_of(w), email, None));
        Ok(true)
    }
    async fn revive(&mut self, w: &Written<'_>) -> Result<(), sqlx::Error> {
        let row = self
            .registrations
            .iter_mut()
            .find(|(r, _, _)| r.id == w.id)
            .expect("a row to revive");
        let sequence = row.0.ics_sequence + 1;
        row.0 = Registration {
            ics_sequence: sequence,
            ..registration_of(w)
        };
        Ok(())
    }
    async fn mark_resent(&mut self, id: &str, now: i64) -> Result<(), sqlx::Error> {
        if let Some(row) = self.registrations.iter_mut().find(|(r, _, _)| r.id == id) {
            row.2 = Some(now);
        }
        Ok(())
    }
}

pub fn event(id: &str, capacity: Option<i64>, waitlist: bool) -> Event {
    crate::events::sample(id, capacity, waitlist, NOW)
}

pub fn tables(events: impl IntoIterator<Item = Event>) -> Tables {
    Tables {
        events: events.into_iter().map(|e| (e.id.clone(), e)).collect(),
        ..Tables::default()
    }
}

pub fn rules(per_address: i64) -> Rules {
    Rules {
        sealer: Sealer::from_base64("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=").unwrap(),
        per_address: Limit {
            hits: per_address,
            ..limits::REGISTRATIONS
        },
    }
}

pub fn request(event_id: &str, email: &str, key: Option<(&str, &str)>, address: Option<&str>) -> Pending {
    Pending {
        event_id: event_id.into(),
        checked: Checked {
            email: EmailAddress::parse(email).unwrap(),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            timezone: "UTC".into(),
            language: None,
            answers: Vec::new(),
        },
        key: key.map(|(k, f)| (k.into(), f.into())),
        address: address.map(str::to_string),
        reply: oneshot::channel().0,
    }
}

impl Tables {
    pub fn row(&self, id: &str) -> Option<&Row> {
        self.registrations.iter().find(|(r, _, _)| r.id == id)
    }

    fn registration_mut(&mut self, id: &str) -> Option<&mut Registration> {
        self.registrations.iter_mut().find(|(r, _, _)| r.id == id).map(|(r, _, _)| r)
    }

    /// Adds a registration as it stands, counted in its event.
    pub fn add(&mut self, event_id: &str, id: &str, status: RegistrationStatus, confirm: Option<(RegistrationStatus, i64)>) {
        let email = format!("{id}@example.com");
        let event = self.events.get_mut(event_id).expect("the event exists");
        let waitlist_seq = (status == RegistrationStatus::Waitlisted).then(|| {
            event.next_waitlist_seq += 1;
            event.next_waitlist_seq - 1
        });
        if let Some(c) = crate::events::counter(status, confirm.map(|(s, _)| s)) {
            *count_of(event, c) += 1;
        }
        let registration = Registration {
            id: id.into(),
            event_id: event_id.into(),
            email: email.clone(),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            status,
            waitlist_seq,
            preferred_timezone: "UTC".into(),
            preferred_language: None,
            answers: Vec::new(),
            manage_token_sealed: None,
            created_at: NOW,
            confirm_by: confirm.map(|(_, by)| by),
            confirm_as: confirm.map(|(s, _)| s),
            ics_sequence: 0,
        };
        self.registrations.push((registration, email, None));
    }
}

fn count_of(event: &mut Event, counter: Counter) -> &mut i64 {
    match counter {
        Counter::Registered => &mut event.registered_count,
        Counter::Waitlisted => &mut event.waitlisted_count,
        Counter::Pending => &mut event.pending_count,
        Counter::Held => &mut event.held_count,
    }
}

impl RegistrationChanges for Tables {
    async fn mark_canceled(&mut self, id: &str, _now: i64) -> Result<(), sqlx::Error> {
        let r = self.registration_mut(id).ok_or(sqlx::Error::RowNotFound)?;
        (r.status, r.waitlist_seq, r.confirm_by) = (RegistrationStatus::Canceled, None, None);
        Ok(())
    }
    async fn mark_confirmed(&mut self, id: &str, status: RegistrationStatus, seq: Option<i64>, _now: i64) -> Result<(), sqlx::Error> {
        let r = self.registration_mut(id).ok_or(sqlx::Error::RowNotFound)?;
        (r.status, r.waitlist_seq, r.confirm_by, r.confirm_as) = (status, seq, None, None);
        Ok(())
    }
    async fn take_waitlist_number(&mut self, event_id: &str) -> Result<(), sqlx::Error> {
        self.events.get_mut(event_id).ok_or(sqlx::Error::RowNotFound)?.next_waitlist_seq += 1;
        Ok(())
    }
}

/// The labels of the jobs queued so far.
pub fn labels(t: &Tables) -> Vec<&str> {
    t.jobs.jobs.iter().filter_map(|j| j.label.as_deref()).collect()
}

impl AuditLog for Tables {
    async fn add_entry(&mut self, organization_id: &str, actor: &str, action: &str, target: &str, _now: i64) -> Result<(), sqlx::Error> {
        self.audit
            .push((organization_id.into(), actor.into(), action.into(), target.into()));
        Ok(())
    }
}

impl OrganizerDecisions for Tables {
    async fn set_status(&mut self, id: &str, status: RegistrationStatus, _now: i64) -> Result<(), sqlx::Error> {
        let r = self.registration_mut(id).ok_or(sqlx::Error::RowNotFound)?;
        (r.status, r.waitlist_seq) = (status, None);
        Ok(())
    }
}
