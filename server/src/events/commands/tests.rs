//! The commands' transactions against an event desk in memory: what an update rearms, tells
//! Teams and lets in from the waitlist; who owns a published event in Teams; who hears of a
//! cancellation or an announcement. (The same against SQLite and PostgreSQL, through the
//! dashboard and the API, is in the integration tests.)

use super::*;
use crate::accounts::audit::AuditLog;
use crate::accounts::auth::sample_organizer as organizer;
use crate::events::{sample, Counter, Seats};
use crate::jobs::fake::ListJobs;
use crate::jobs::{JobWriter, NewJob};
use app::domain::{PredefinedLabel, Question};
use std::collections::HashMap;

const NOW: i64 = 1_800_000_000;

/// Events, their registrants (event, id, email, status) in arrival order, and what was done.
#[derive(Default)]
struct Desk {
    events: HashMap<String, Event>,
    registrants: Vec<(String, String, String, RegistrationStatus)>,
    personal_account: Option<String>,
    jobs: ListJobs,
    audit: Vec<String>,
    /// Writes other than seats, as "what event-id detail".
    done: Vec<String>,
}

impl Desk {
    fn with(event: Event) -> Self {
        Desk {
            events: HashMap::from([(event.id.clone(), event)]),
            ..Desk::default()
        }
    }

    fn add(&mut self, id: &str, status: RegistrationStatus) {
        self.registrants.push(("e1".into(), id.into(), format!("{id}@example.com"), status));
        let e = self.events.get_mut("e1").unwrap();
        match status {
            RegistrationStatus::Registered => e.registered_count += 1,
            RegistrationStatus::Waitlisted => e.waitlisted_count += 1,
            _ => {}
        }
    }

    fn status(&self, id: &str) -> RegistrationStatus {
        self.registrants.iter().find(|r| r.1 == id).unwrap().3
    }

    fn labels(&self) -> Vec<&str> {
        self.jobs.jobs.iter().filter_map(|j| j.label.as_deref()).collect()
    }

    fn did(&self, what: &str) -> bool {
        self.done.iter().any(|d| d.starts_with(what))
    }
}

impl JobWriter for Desk {
    fn now_ms(&self) -> i64 {
        NOW * 1000
    }
    async fn add_job(&mut self, job: NewJob<'_>, due_ms: i64) -> Result<(), sqlx::Error> {
        self.jobs.add_job(job, due_ms).await
    }
}

impl AuditLog for Desk {
    async fn add_entry(&mut self, _organization_id: &str, _actor: &str, action: &str, target: &str, _now: i64) -> Result<(), sqlx::Error> {
        self.audit.push(format!("{action} {target}"));
        Ok(())
    }
}

impl Seats for Desk {
    async fn lock_event(&mut self, event_id: &str) -> Result<Event, sqlx::Error> {
        self.events.get(event_id).cloned().ok_or(sqlx::Error::RowNotFound)
    }
    async fn shift_counts(&mut self, event_id: &str, from: Option<Counter>, to: Option<Counter>, _now: i64) -> Result<(), sqlx::Error> {
        let e = self.events.get_mut(event_id).ok_or(sqlx::Error::RowNotFound)?;
        for (counter, by) in [(from, -1), (to, 1)] {
            match counter {
                Some(Counter::Registered) => e.registered_count += by,
                Some(Counter::Waitlisted) => e.waitlisted_count += by,
                Some(Counter::Pending) => e.pending_count += by,
                Some(Counter::Held) => e.held_count += by,
                None => {}
            }
        }
        Ok(())
    }
    async fn first_waitlisted(&mut self, event_id: &str) -> Result<Option<(String, String)>, sqlx::Error> {
        Ok(self
            .registrants
            .iter()
            .find(|r| r.0 == event_id && r.3 == RegistrationStatus::Waitlisted)
            .map(|r| (r.1.clone(), r.2.clone())))
    }
    async fn promote(&mut self, id: &str, _now: i64) -> Result<(), sqlx::Error> {
        let r = self.registrants.iter_mut().find(|r| r.1 == id).ok_or(sqlx::Error::RowNotFound)?;
        r.3 = RegistrationStatus::Registered;
        Ok(())
    }
}

impl EventWriter for Desk {
    async fn insert_event(&mut self, new: &NewEvent, _now: i64) -> Result<String, sqlx::Error> {
        self.done.push(format!("insert {}", new.slug));
        Ok(format!("id-of-{}", new.slug))
    }
    async fn add_organizer(&mut self, event_id: &str, organizer_id: &str) -> Result<(), sqlx::Error> {
        self.done.push(format!("organizer {event_id} {organizer_id}"));
        Ok(())
    }
    async fn set_teams_emails(&mut self, event_id: &str, teams_emails: bool) -> Result<(), sqlx::Error> {
        self.done.push(format!("teams_emails {event_id} {teams_emails}"));
        Ok(())
    }
    async fn write_presenters(&mut self, event_id: &str, presenters: &[PresenterRecord]) -> Result<(), sqlx::Error> {
        self.done.push(format!("presenters {event_id} {}", presenters.len()));
        Ok(())
    }
    async fn set_confirmation_minutes(&mut self, event_id: &str, minutes: i64) -> Result<(), sqlx::Error> {
        self.done.push(format!("confirmation {event_id} {minutes}"));
        Ok(())
    }
    async fn update_fields(&mut self, event_id: &str, new: &NewEvent, _now: i64) -> Result<(), sqlx::Error> {
        let e = self.events.get_mut(event_id).ok_or(sqlx::Error::RowNotFound)?;
        (e.title, e.start_at, e.end_at, e.capacity) = (new.title.clone(), new.start_at, new.end_at, new.capacity);
        self.done.push(format!("fields {event_id}"));
        Ok(())
    }
    async fn write_questions(&mut self, event_id: &str, questions: &[(Question, Option<PredefinedLabel>)]) -> Result<(), sqlx::Error> {
        self.done.push(format!("questions {event_id} {}", questions.len()));
        Ok(())
    }
    async fn link_webinar(&mut self, event_id: &str, webinar: &str, owner: &str) -> Result<(), sqlx::Error> {
        self.done.push(format!("link {event_id} {webinar} {owner}"));
        Ok(())
    }
    async fn unlink_webinar(&mut self, event_id: &str) -> Result<(), sqlx::Error> {
        self.done.push(format!("unlink {event_id}"));
        Ok(())
    }
    async fn rearm_reminders(&mut self, event_id: &str, start_at: i64, _now: i64) -> Result<(), sqlx::Error> {
        self.done.push(format!("rearm {event_id} {start_at}"));
        Ok(())
    }
    async fn bump_teams_version(&mut self, event_id: &str) -> Result<(), sqlx::Error> {
        self.done.push(format!("bump {event_id}"));
        Ok(())
    }
    async fn set_status(&mut self, event_id: &str, status: EventStatus, _now: i64) -> Result<(), sqlx::Error> {
        let e = self.events.get_mut(event_id).ok_or(sqlx::Error::RowNotFound)?;
        // As the adapter: only a draft is published.
        if status != EventStatus::Published || e.status == EventStatus::Draft {
            e.status = status;
        }
        Ok(())
    }
    async fn personal_microsoft_account(&mut self, _organizer_id: &str) -> Result<Option<String>, sqlx::Error> {
        Ok(self.personal_account.clone())
    }
    async fn set_teams_owner(&mut self, event_id: &str, owner: &str) -> Result<(), sqlx::Error> {
        self.done.push(format!("owner {event_id} {owner}"));
        Ok(())
    }
    async fn registrants_with(&mut self, event_id: &str, statuses: &[RegistrationStatus]) -> Result<Vec<(String, String)>, sqlx::Error> {
        Ok(self
            .registrants
            .iter()
            .filter(|r| r.0 == event_id && statuses.contains(&r.3))
            .map(|r| (r.1.clone(), r.2.clone()))
            .collect())
    }
}

/// Updates `e1` on the desk with `input`, as the dashboard's form would.
async fn update(desk: &mut Desk, input: EventInput) -> Result<(), ManageError> {
    let current = desk.events["e1"].clone();
    let (new, presenters) = build(Some(&current), &input, &organizer()).map_err(ManageError::Invalid)?;
    let change = Change {
        new: &new,
        input: &input,
        presenters: presenters.as_deref(),
        confirm: None,
        link: None,
    };
    update_in(desk, &organizer(), &current, change, NOW).await
}

#[tokio::test]
async fn more_seats_let_the_waitlist_in_and_an_unmoved_event_keeps_its_reminders() {
    let mut desk = Desk::with(sample("e1", Some(1), true, NOW));
    desk.add("r1", RegistrationStatus::Registered);
    desk.add("w1", RegistrationStatus::Waitlisted);
    desk.add("w2", RegistrationStatus::Waitlisted);
    update(
        &mut desk,
        EventInput {
            capacity: Some(Some(2)),
            ..EventInput::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (desk.status("w1"), desk.status("w2")),
        (RegistrationStatus::Registered, RegistrationStatus::Waitlisted)
    );
    assert_eq!(desk.labels(), ["promoted"]);
    assert!(!desk.did("rearm") && !desk.did("bump"), "{:?}", desk.done);
    assert_eq!(desk.audit, ["event.updated e1-launch"]);
}

#[tokio::test]
async fn moving_an_event_in_teams_rearms_its_reminders_and_updates_teams() {
    let mut event = sample("e1", None, false, NOW);
    event.teams_webinar_id = Some("w".into());
    let mut desk = Desk::with(event);
    let start = "2027-03-01T10:00:00Z";
    let input = EventInput {
        start_date_time: Some(start.into()),
        end_date_time: Some("2027-03-01T11:00:00Z".into()),
        ..EventInput::default()
    };
    update(&mut desk, input).await.unwrap();
    let at = start.parse::<jiff::Timestamp>().unwrap().as_second();
    assert!(desk.did(&format!("rearm e1 {at}")), "{:?}", desk.done);
    assert!(desk.did("bump e1"));
    assert_eq!(desk.labels(), [crate::jobs::teams::TOPIC_UPDATE]);
}

#[tokio::test]
async fn publishing_to_teams_gives_the_event_an_owner_and_queues_the_webinar() {
    for (personal, owner) in [(Some("o-ada"), "o-ada"), (None, "")] {
        let mut event = sample("e1", None, false, NOW);
        event.status = EventStatus::Draft;
        let mut desk = Desk::with(event.clone());
        desk.personal_account = personal.map(str::to_string);
        publish_in(&mut desk, &organizer(), &event, true, NOW).await.unwrap();
        assert_eq!(desk.events["e1"].status, EventStatus::Published);
        assert_eq!(desk.done, [format!("owner e1 {owner}")]);
        assert_eq!(desk.labels(), [crate::jobs::teams::TOPIC_WEBINAR]);
    }
    // Without Teams, or already in Teams, nothing goes to Teams.
    let mut event = sample("e1", None, false, NOW);
    event.teams_webinar_id = Some("w".into());
    let mut desk = Desk::with(event.clone());
    publish_in(&mut desk, &organizer(), &event, true, NOW).await.unwrap();
    assert!(desk.labels().is_empty() && desk.done.is_empty());
    assert_eq!(desk.audit, ["event.published e1-launch"]);
}

#[tokio::test]
async fn a_cancellation_reaches_everyone_holding_or_awaiting_a_place_with_the_message() {
    let mut event = sample("e1", Some(5), true, NOW);
    event.teams_meeting_id = Some("m".into());
    let mut desk = Desk::with(event.clone());
    for (id, status) in [
        ("r1", RegistrationStatus::Registered),
        ("w1", RegistrationStatus::Waitlisted),
        ("p1", RegistrationStatus::PendingApproval),
        ("c1", RegistrationStatus::Canceled),
        ("u1", RegistrationStatus::Unconfirmed),
    ] {
        desk.add(id, status);
    }
    cancel_in(&mut desk, &organizer(), &event, None, NOW).await.unwrap();
    let mails: Vec<_> = desk
        .jobs
        .jobs
        .iter()
        .filter(|j| j.label.as_deref() == Some("eventCanceled"))
        .collect();
    let to: Vec<_> = mails.iter().map(|j| j.recipient.as_str()).collect();
    assert_eq!(to, ["r1@example.com", "w1@example.com", "p1@example.com"]);
    assert_eq!(mails[0].payload["message"], "We're sorry, this event will not take place.");
    assert_eq!(desk.labels().last(), Some(&crate::jobs::teams::TOPIC_WEBINAR_CANCEL));
    assert_eq!(desk.events["e1"].status, EventStatus::Canceled);
}

#[tokio::test]
async fn an_announcement_goes_to_the_statuses_chosen_and_says_how_many() {
    let event = sample("e1", Some(5), true, NOW);
    let mut desk = Desk::with(event.clone());
    desk.add("r1", RegistrationStatus::Registered);
    desk.add("w1", RegistrationStatus::Waitlisted);
    let sent = announce_in(
        &mut desk,
        &organizer(),
        &event,
        &[RegistrationStatus::Waitlisted],
        "Doors at 9",
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(sent, 1);
    assert_eq!(
        (desk.jobs.jobs[0].recipient.as_str(), &desk.jobs.jobs[0].payload["message"]),
        ("w1@example.com", &serde_json::json!("Doors at 9"))
    );
    assert_eq!(desk.audit, ["event.announced e1-launch"]);
}
