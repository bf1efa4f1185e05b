//! The decisions against tables in memory: seats in arrival order, repeats, idempotency keys,
//! the per-address limit and email confirmation. (The same paths against SQLite and PostgreSQL,
//! under concurrency, are in the integration tests.)

use super::*;
use crate::jobs::fake::ListJobs;
use crate::jobs::NewJob;
use crate::limits::fake::MapCounters;
use app::domain::{EventKind, EventStatus};

const NOW: i64 = 1_800_000_000;

/// One registration row: the registration, its normalized email and when its details were resent.
type Row = (Registration, String, Option<i64>);

#[derive(Default)]
struct Tables {
    events: HashMap<String, Event>,
    registrations: Vec<Row>,
    keys: HashMap<(String, String), (String, String, i64)>,
    counters: MapCounters,
    jobs: ListJobs,
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

fn registration_of(w: &Written<'_>) -> Registration {
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

impl RegistrationWriter for Tables {
    async fn lock_event(&mut self, event_id: &str) -> Result<Event, sqlx::Error> {
        self.events.get(event_id).cloned().ok_or(sqlx::Error::RowNotFound)
    }
    async fn save_counts(&mut self, event: &Event, _now: i64) -> Result<(), sqlx::Error> {
        self.events.insert(event.id.clone(), event.clone());
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
    async fn registration(&mut self, id: &str) -> Result<Option<Registration>, sqlx::Error> {
        Ok(self.registrations.iter().find(|(r, _, _)| r.id == id).map(|(r, _, _)| r.clone()))
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
        row.0 = registration_of(w);
        Ok(())
    }
    async fn mark_resent(&mut self, id: &str, now: i64) -> Result<(), sqlx::Error> {
        if let Some(row) = self.registrations.iter_mut().find(|(r, _, _)| r.id == id) {
            row.2 = Some(now);
        }
        Ok(())
    }
    async fn waitlist_position(&mut self, event_id: &str, seq: Option<i64>) -> Result<Option<i64>, sqlx::Error> {
        let Some(seq) = seq else { return Ok(None) };
        let ahead = self.registrations.iter().filter(|(r, _, _)| {
            r.event_id == event_id && r.status == RegistrationStatus::Waitlisted && r.waitlist_seq.is_some_and(|s| s <= seq)
        });
        Ok(Some(ahead.count() as i64))
    }
}

fn event(id: &str, capacity: Option<i64>, waitlist: bool) -> Event {
    Event {
        id: id.into(),
        organization_id: None,
        slug: id.into(),
        title: "Launch".into(),
        summary: String::new(),
        description: String::new(),
        kind: EventKind::Webinar,
        status: EventStatus::Published,
        start_at: NOW + 86_400,
        end_at: NOW + 90_000,
        time_zone: "UTC".into(),
        capacity,
        waitlist_enabled: waitlist,
        manual_approval: false,
        registration_opens_at: None,
        registration_closes_at: None,
        join_url: None,
        terms_url: None,
        registered_count: 0,
        waitlisted_count: 0,
        pending_count: 0,
        next_waitlist_seq: 1,
        held_count: 0,
        confirm_hold_minutes: 0,
        teams_webinar_id: None,
        teams_emails: false,
        teams_meeting_id: None,
        teams_join_url: None,
        teams_owner: None,
        ics_sequence: 0,
        questions: Vec::new(),
        presenters: Vec::new(),
    }
}

fn tables(events: impl IntoIterator<Item = Event>) -> Tables {
    Tables {
        events: events.into_iter().map(|e| (e.id.clone(), e)).collect(),
        ..Tables::default()
    }
}

fn rules(per_address: i64) -> Rules {
    Rules {
        sealer: Sealer::from_base64("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=").unwrap(),
        per_address: Limit {
            hits: per_address,
            ..limits::REGISTRATIONS
        },
    }
}

fn request(event_id: &str, email: &str, key: Option<(&str, &str)>, address: Option<&str>) -> Pending {
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

/// (status, waitlist position, a manage link was handed out) of each new registration.
fn created(outcomes: &[Outcome]) -> Vec<(RegistrationStatus, Option<i64>, bool)> {
    outcomes
        .iter()
        .map(|o| match o {
            Ok(Registered::Created(s)) => (s.status, s.waitlist_position, s.manage_token.is_some()),
            other => panic!("not created: {other:?}"),
        })
        .collect()
}

fn labels(t: &Tables) -> Vec<&str> {
    t.jobs.jobs.iter().filter_map(|j| j.label.as_deref()).collect()
}

#[tokio::test]
async fn seats_go_in_arrival_order_then_the_waitlist_and_counters_are_written_once() {
    let mut t = tables([event("e1", Some(2), true), event("e2", Some(1), false)]);
    let batch: Vec<Pending> = ["a@x.org", "b@x.org", "c@x.org", "d@x.org"]
        .iter()
        .map(|e| request("e1", e, None, None))
        .collect();
    let outcomes = decide_batch(&mut t, &rules(20), &batch, NOW).await.unwrap();
    use RegistrationStatus::{Registered as R, Waitlisted as W};
    assert_eq!(
        created(&outcomes),
        [(R, None, true), (R, None, true), (W, Some(1), true), (W, Some(2), true)]
    );
    let e1 = &t.events["e1"];
    assert_eq!((e1.registered_count, e1.waitlisted_count, e1.next_waitlist_seq), (2, 2, 3));
    assert_eq!(labels(&t), ["confirmation", "confirmation", "waitlisted", "waitlisted"]);

    // Without a waitlist, the one past capacity is refused and nothing is written for them.
    let batch = [request("e2", "a@x.org", None, None), request("e2", "b@x.org", None, None)];
    let outcomes = decide_batch(&mut t, &rules(20), &batch, NOW).await.unwrap();
    assert!(
        matches!(outcomes[1], Err(RegisterError::Refused(Refusal::Full))),
        "{:?}",
        outcomes[1]
    );
    assert_eq!(t.events["e2"].registered_count, 1);
    assert_eq!(t.registrations.iter().filter(|(r, _, _)| r.event_id == "e2").count(), 1);
}

#[tokio::test]
async fn the_same_address_again_gets_the_existing_registration_and_its_details_at_most_every_ten_minutes() {
    let mut t = tables([event("e1", Some(5), false)]);
    let batch = [request("e1", "ada@x.org", None, None), request("e1", "ADA@x.org", None, None)];
    let outcomes = decide_batch(&mut t, &rules(20), &batch, NOW).await.unwrap();
    let Ok(Registered::Existing { status, .. }) = &outcomes[1] else {
        panic!("{:?}", outcomes[1])
    };
    assert_eq!(*status, RegistrationStatus::Registered);
    assert_eq!(t.events["e1"].registered_count, 1, "one seat for one person");
    assert_eq!(labels(&t), ["confirmation", "details"]);
    let again = [request("e1", "ada@x.org", None, None)];
    decide_batch(&mut t, &rules(20), &again, NOW + RESEND_INTERVAL - 1).await.unwrap();
    assert_eq!(labels(&t).len(), 2, "no second resend within the interval");
    decide_batch(&mut t, &rules(20), &again, NOW + RESEND_INTERVAL).await.unwrap();
    assert_eq!(labels(&t), ["confirmation", "details", "details"]);
}

#[tokio::test]
async fn a_key_replays_its_first_answer_refuses_another_request_and_is_forgotten_after_a_day() {
    let mut t = tables([event("e1", Some(5), false)]);
    let first = decide_batch(&mut t, &rules(20), &[request("e1", "ada@x.org", Some(("k1", "fp1")), None)], NOW)
        .await
        .unwrap();
    let Ok(Registered::Created(summary)) = &first[0] else {
        panic!("{:?}", first[0])
    };
    let replayed = decide_batch(
        &mut t,
        &rules(20),
        &[request("e1", "ada@x.org", Some(("k1", "fp1")), None)],
        NOW + 60,
    )
    .await
    .unwrap();
    let Ok(Registered::Replayed(again)) = &replayed[0] else {
        panic!("{:?}", replayed[0])
    };
    assert_eq!(again, summary, "the same id, status and manage link");
    let reused = decide_batch(
        &mut t,
        &rules(20),
        &[request("e1", "bo@x.org", Some(("k1", "fp2")), None)],
        NOW + 60,
    )
    .await
    .unwrap();
    assert!(matches!(reused[0], Err(RegisterError::KeyReused)));
    assert_eq!(
        (t.events["e1"].registered_count, labels(&t).len()),
        (1, 1),
        "neither took a seat or sent mail"
    );
    let later = NOW + IDEMPOTENCY_LIFETIME;
    let fresh = decide_batch(&mut t, &rules(20), &[request("e1", "bo@x.org", Some(("k1", "fp2")), None)], later)
        .await
        .unwrap();
    assert!(matches!(fresh[0], Ok(Registered::Created(_))), "{:?}", fresh[0]);
}

#[tokio::test]
async fn past_the_per_address_limit_a_request_waits_and_takes_nothing() {
    let mut t = tables([event("e1", None, false)]);
    let batch: Vec<Pending> = ["a@x.org", "b@x.org", "c@x.org"]
        .iter()
        .map(|e| request("e1", e, None, Some("192.0.2.7")))
        .collect();
    let outcomes = decide_batch(&mut t, &rules(2), &batch, NOW).await.unwrap();
    assert!(
        matches!(outcomes[2], Err(RegisterError::Limited(wait)) if wait > 0),
        "{:?}",
        outcomes[2]
    );
    assert_eq!(t.registrations.len(), 2);
    // Another address is not held back by this one.
    let other = decide_batch(&mut t, &rules(2), &[request("e1", "d@x.org", None, Some("192.0.2.8"))], NOW)
        .await
        .unwrap();
    assert!(other[0].is_ok());
}

#[tokio::test]
async fn with_email_confirmation_a_seat_is_held_and_the_link_travels_only_by_email() {
    let mut e = event("e1", Some(1), true);
    e.confirm_hold_minutes = 30;
    e.teams_webinar_id = Some("w1".into());
    let mut t = tables([e]);
    let outcomes = decide_batch(
        &mut t,
        &rules(20),
        &[request("e1", "ada@x.org", None, None), request("e1", "bo@x.org", None, None)],
        NOW,
    )
    .await
    .unwrap();
    use RegistrationStatus::Unconfirmed as U;
    assert_eq!(created(&outcomes), [(U, None, false), (U, None, false)]);
    let (ada, bo) = (&t.registrations[0].0, &t.registrations[1].0);
    assert_eq!(
        (ada.confirm_as, ada.confirm_by),
        (Some(RegistrationStatus::Registered), Some(NOW + 1_800))
    );
    assert_eq!(
        bo.confirm_as,
        Some(RegistrationStatus::Waitlisted),
        "the seat is held for the first"
    );
    assert_eq!((t.events["e1"].held_count, t.events["e1"].registered_count), (1, 0));
    // Only confirmation requests: Teams hears of a registration once it is confirmed.
    assert_eq!(labels(&t), ["confirmAddress", "confirmAddress"]);
}

#[tokio::test]
async fn a_registrant_of_a_linked_webinar_is_queued_for_teams() {
    let mut e = event("e1", None, false);
    e.teams_webinar_id = Some("w1".into());
    let mut t = tables([e]);
    decide_batch(&mut t, &rules(20), &[request("e1", "ada@x.org", None, None)], NOW)
        .await
        .unwrap();
    assert_eq!(labels(&t), ["confirmation", crate::jobs::teams::TOPIC_REGISTER]);
}
