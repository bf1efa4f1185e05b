//! What organizers do to their events: create and edit drafts, publish, cancel, message the
//! registrants, copy. Each command is one transaction. Every function takes the signed-in
//! [`Organizer`] and only ever sees events of that organizer's organization: another
//! organization's event is indistinguishable from one that does not exist. What is checked
//! against other events reads the database; what each command writes goes through
//! [`EventWriter`] (its `*_in` half).

#[cfg(test)]
mod tests;
mod webinar;

pub use webinar::check_webinar_link;
use webinar::{webinar_link, webinar_taken, WebinarLink};

use super::input::{build, EventInput, ManageError, PresenterRecord, MAX_CONFIRMATION_MINUTES, MAX_TITLE};
use super::storage::EventWriter;
use super::store;
use super::{Event, NewEvent};
use crate::accounts::auth::Organizer;
use crate::jobs::email::{self, Mail};
use crate::store::Db;
use app::domain::{EventStatus, FieldError, PredefinedLabel, Question, QuestionKind, RegistrationStatus};

/// The organization's event with this slug, drafts included.
pub async fn event(db: &Db, org: &Organizer, slug: &str) -> Result<Event, ManageError> {
    store::of_organization(db, org, slug).await?.ok_or(ManageError::NotFound)
}

/// The organization's events, newest first, with counts.
pub async fn list(db: &Db, org: &Organizer) -> Result<Vec<Event>, ManageError> {
    Ok(store::list(db, org).await?)
}

fn slug_is_taken() -> ManageError {
    ManageError::Invalid(vec![FieldError::new("slug", "This address is taken; choose another.")])
}

/// The email-confirmation setting of the input, checked; `None` when the input has none.
fn confirmation_minutes(input: &EventInput) -> Result<Option<i64>, ManageError> {
    match input.email_confirmation_minutes {
        Some(m) if !(0..=MAX_CONFIRMATION_MINUTES).contains(&m) => Err(ManageError::Invalid(vec![FieldError::new(
            "emailConfirmationMinutes",
            format!("Give 0 (no confirmation) up to {MAX_CONFIRMATION_MINUTES} minutes (a week)."),
        )])),
        other => Ok(other),
    }
}

/// Creates a draft event, in one transaction.
pub async fn create(db: &Db, org: &Organizer, input: &EventInput) -> Result<Event, ManageError> {
    let (new, presenters) = build(None, input, org).map_err(ManageError::Invalid)?;
    let confirm = confirmation_minutes(input)?;
    if store::slug_taken(db, &new.slug, None).await? {
        return Err(slug_is_taken());
    }
    let now = db.now();
    let mut tx = db.begin_write().await?;
    let id = create_in(&mut tx, org, &new, input, presenters.as_deref(), confirm, now).await?;
    tx.commit().await?;
    store::by_id(db, &id).await?.ok_or(ManageError::NotFound)
}

async fn create_in(
    tx: &mut impl EventWriter,
    org: &Organizer,
    new: &NewEvent,
    input: &EventInput,
    presenters: Option<&[PresenterRecord]>,
    confirm: Option<i64>,
    now: i64,
) -> Result<String, sqlx::Error> {
    let id = tx.insert_event(new, now).await?;
    tx.add_organizer(&id, &org.id).await?;
    if let Some(teams_emails) = input.is_attendee_email_notification_enabled {
        tx.set_teams_emails(&id, teams_emails).await?;
    }
    if let Some(p) = presenters {
        tx.write_presenters(&id, p).await?;
    }
    if let Some(minutes) = confirm {
        tx.set_confirmation_minutes(&id, minutes).await?;
    }
    tx.add_entry(&org.organization_id, &org.email, "event.created", &new.slug, now)
        .await?;
    Ok(id)
}

/// Changes an event, in one transaction. A canceled event can no longer change; more capacity
/// lets people in from the waitlist at once.
pub async fn update(db: &Db, org: &Organizer, slug: &str, input: &EventInput) -> Result<Event, ManageError> {
    let current = event(db, org, slug).await?;
    if current.status == EventStatus::Canceled {
        return Err(ManageError::Conflict("A canceled event can't be changed.".into()));
    }
    let (new, presenters) = build(Some(&current), input, org).map_err(ManageError::Invalid)?;
    let confirm = confirmation_minutes(input)?;
    if new.slug != current.slug && store::slug_taken(db, &new.slug, Some(&current.id)).await? {
        return Err(slug_is_taken());
    }
    let link = match &input.teams_webinar_id {
        Some(link) => Some(webinar_link(db, &current, link.as_deref(), input.teams_webinar_checked_with.as_ref()).await?),
        None => None,
    };
    let now = db.now();
    let mut tx = db.begin_write().await?;
    let change = Change {
        new: &new,
        input,
        presenters: presenters.as_deref(),
        confirm,
        link,
    };
    update_in(&mut tx, org, &current, change, now).await?;
    tx.commit().await?;
    store::by_id(db, &current.id).await?.ok_or(ManageError::NotFound)
}

/// An update, checked: the event as it will be, and what else changes with it.
struct Change<'a> {
    new: &'a NewEvent,
    input: &'a EventInput,
    presenters: Option<&'a [PresenterRecord]>,
    confirm: Option<i64>,
    link: Option<WebinarLink>,
}

async fn update_in(tx: &mut impl EventWriter, org: &Organizer, current: &Event, change: Change<'_>, now: i64) -> Result<(), ManageError> {
    let new = change.new;
    tx.lock_event(&current.id).await?;
    tx.update_fields(&current.id, new, now).await?;
    if change.input.questions.is_some() {
        tx.write_questions(&current.id, &new.questions).await?;
    }
    match change.link {
        Some(WebinarLink::To(id, owner)) => tx.link_webinar(&current.id, &id, &owner).await.map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => webinar_taken(),
            e => ManageError::Db(e),
        })?,
        Some(WebinarLink::Unlink) => tx.unlink_webinar(&current.id).await?,
        Some(WebinarLink::Same) | None => {}
    }
    if let Some(p) = change.presenters {
        tx.write_presenters(&current.id, p).await?;
    }
    if let Some(teams_emails) = change.input.is_attendee_email_notification_enabled {
        tx.set_teams_emails(&current.id, teams_emails).await?;
    }
    if new.start_at != current.start_at {
        tx.rearm_reminders(&current.id, new.start_at, now).await?;
    }
    // What Teams shows follows: title, description, times, who emails attendees. Each change
    // bumps the event's version; the worker sends the newest state once.
    if current.in_teams() {
        tx.bump_teams_version(&current.id).await?;
        crate::jobs::teams::update_event(tx, &current.id).await?;
    }
    if let Some(minutes) = change.confirm {
        tx.set_confirmation_minutes(&current.id, minutes).await?;
    }
    super::seats::promote_waitlisted(tx, &current.id, now).await?;
    tx.add_entry(&org.organization_id, &org.email, "event.updated", &new.slug, now)
        .await?;
    Ok(())
}

/// Publishes a draft, opening it for registration. With `to_teams`, a webinar is also created
/// and published in Teams, by the worker, with the organization's Microsoft 365 account.
pub async fn publish(db: &Db, org: &Organizer, slug: &str, to_teams: bool) -> Result<Event, ManageError> {
    let current = event(db, org, slug).await?;
    match current.status {
        EventStatus::Published => return Ok(current),
        EventStatus::Canceled => return Err(ManageError::Conflict("A canceled event can't be published again.".into())),
        EventStatus::Draft => {}
    }
    let now = db.now();
    if current.end_at <= now {
        return Err(ManageError::Conflict(
            "This event is already over; change its dates before publishing.".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    publish_in(&mut tx, org, &current, to_teams, now).await?;
    tx.commit().await?;
    store::by_id(db, &current.id).await?.ok_or(ManageError::NotFound)
}

async fn publish_in(tx: &mut impl EventWriter, org: &Organizer, current: &Event, to_teams: bool, now: i64) -> Result<(), sqlx::Error> {
    tx.set_status(&current.id, EventStatus::Published, now).await?;
    if to_teams && !current.in_teams() {
        // An organizer who connected their own Microsoft 365 account owns the event in Teams;
        // otherwise the organization's service account does.
        let owner = tx.personal_microsoft_account(&org.id).await?;
        tx.set_teams_owner(&current.id, &owner.unwrap_or_default()).await?;
        crate::jobs::teams::create_event(tx, &current.id).await?;
    }
    tx.add_entry(&org.organization_id, &org.email, "event.published", &current.slug, now)
        .await
}

/// Cancels an event for good and tells everyone still registered, waiting or pending, with the
/// organizer's message.
pub async fn cancel(db: &Db, org: &Organizer, slug: &str, message: Option<&str>) -> Result<Event, ManageError> {
    let current = event(db, org, slug).await?;
    if current.status == EventStatus::Canceled {
        return Ok(current);
    }
    let message = message.map(str::trim).filter(|m| !m.is_empty());
    if message.is_some_and(|m| m.chars().count() > 5000) {
        return Err(ManageError::Invalid(vec![FieldError::new(
            "message",
            "Please keep the message under 5000 characters.",
        )]));
    }
    let now = db.now();
    let mut tx = db.begin_write().await?;
    cancel_in(&mut tx, org, &current, message, now).await?;
    tx.commit().await?;
    store::by_id(db, &current.id).await?.ok_or(ManageError::NotFound)
}

async fn cancel_in(
    tx: &mut impl EventWriter,
    org: &Organizer,
    current: &Event,
    message: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    tx.set_status(&current.id, EventStatus::Canceled, now).await?;
    let statuses = [
        RegistrationStatus::Registered,
        RegistrationStatus::Waitlisted,
        RegistrationStatus::PendingApproval,
    ];
    let recipients = tx.registrants_with(&current.id, &statuses).await?;
    let text = message.unwrap_or("We're sorry, this event will not take place.");
    email::enqueue_many(tx, Mail::EventCanceled, &recipients, Some(text)).await?;
    if current.in_teams() {
        crate::jobs::teams::cancel_event(tx, &current.id).await?;
    }
    tx.add_entry(&org.organization_id, &org.email, "event.canceled", &current.slug, now)
        .await
}

/// Sends the organizer's message to the event's registrants with one of `statuses`.
pub async fn announce(db: &Db, org: &Organizer, slug: &str, statuses: &[RegistrationStatus], message: &str) -> Result<usize, ManageError> {
    let current = event(db, org, slug).await?;
    let message = message.trim();
    if message.is_empty() || message.chars().count() > 5000 {
        return Err(ManageError::Invalid(vec![FieldError::new(
            "message",
            "Write a message of up to 5000 characters.",
        )]));
    }
    // Addresses nobody confirmed get no messages.
    let statuses: Vec<RegistrationStatus> = statuses.iter().copied().filter(|s| *s != RegistrationStatus::Unconfirmed).collect();
    if statuses.is_empty() {
        return Err(ManageError::Invalid(vec![FieldError::new(
            "statuses",
            "Choose who receives the message.",
        )]));
    }
    let now = db.now();
    let mut tx = db.begin_write().await?;
    let sent = announce_in(&mut tx, org, &current, &statuses, message, now).await?;
    tx.commit().await?;
    Ok(sent)
}

async fn announce_in(
    tx: &mut impl EventWriter,
    org: &Organizer,
    current: &Event,
    statuses: &[RegistrationStatus],
    message: &str,
    now: i64,
) -> Result<usize, sqlx::Error> {
    let recipients = tx.registrants_with(&current.id, statuses).await?;
    email::enqueue_many(tx, Mail::Announcement, &recipients, Some(message)).await?;
    tx.add_entry(&org.organization_id, &org.email, "event.announced", &current.slug, now)
        .await?;
    Ok(recipients.len())
}

/// A draft copy of an event with its questions and presenters, at a new address, in one
/// transaction.
pub async fn duplicate(db: &Db, org: &Organizer, slug: &str) -> Result<Event, ManageError> {
    let source = event(db, org, slug).await?;
    let mut n = 1;
    let new_slug = loop {
        let candidate = if n == 1 {
            format!("{}-copy", source.slug)
        } else {
            format!("{}-copy-{n}", source.slug)
        };
        let candidate: String = candidate.chars().take(80).collect();
        if !store::slug_taken(db, &candidate, None).await? {
            break candidate;
        }
        n += 1;
    };
    let questions = source
        .questions
        .iter()
        .map(|q| {
            let label = (q.kind == QuestionKind::Predefined)
                .then(|| PredefinedLabel::ALL.iter().copied().find(|p| p.display_name() == q.label))
                .flatten();
            (
                Question {
                    id: String::new(),
                    ..q.clone()
                },
                label,
            )
        })
        .collect();
    let copy = NewEvent {
        organization_id: org.organization_id.clone(),
        slug: new_slug,
        title: format!("Copy of {}", source.title).chars().take(MAX_TITLE).collect(),
        summary: source.summary.clone(),
        description: source.description.clone(),
        kind: source.kind,
        status: EventStatus::Draft,
        start_at: source.start_at,
        end_at: source.end_at,
        time_zone: source.time_zone.clone(),
        capacity: source.capacity,
        waitlist_enabled: source.waitlist_enabled,
        manual_approval: source.manual_approval,
        registration_opens_at: source.registration_opens_at,
        registration_closes_at: source.registration_closes_at,
        join_url: source.join_url.clone(),
        terms_url: source.terms_url.clone(),
        questions,
        presenters: Vec::new(),
    };
    let presenters = store::presenter_records(db, &source.id).await?;
    let now = db.now();
    let mut tx = db.begin_write().await?;
    let id = copy_in(&mut tx, org, &source, &copy, &presenters, now).await?;
    tx.commit().await?;
    store::by_id(db, &id).await?.ok_or(ManageError::NotFound)
}

async fn copy_in(
    tx: &mut impl EventWriter,
    org: &Organizer,
    source: &Event,
    copy: &NewEvent,
    presenters: &[PresenterRecord],
    now: i64,
) -> Result<String, sqlx::Error> {
    let id = tx.insert_event(copy, now).await?;
    tx.add_organizer(&id, &org.id).await?;
    tx.write_presenters(&id, presenters).await?;
    tx.add_entry(&org.organization_id, &org.email, "event.duplicated", &source.slug, now)
        .await?;
    Ok(id)
}
