//! What organizers do to their events: create and edit (drafts), publish, cancel, questions and
//! presenters, and registrant decisions. Every function takes the signed-in [`Organizer`] and
//! only ever sees events of that organizer's organization: another organization's event is
//! indistinguishable from one that does not exist.

use crate::accounts::auth::Organizer;
use crate::clock::now;
use crate::events::{self, event_from_row, Event, NewEvent, Presenter, EVENT_COLUMNS};
use crate::jobs::email::{self as outbox, Mail};
use crate::registrations;
use crate::store::{Db, WriteTx};
use app::domain::{
    parse_slug, parse_web_url, AnswerInputType, EventKind, EventStatus, FieldError, PredefinedLabel, Question, QuestionKind,
    RegistrationStatus,
};
use serde::Deserialize;
use sqlx::Row;

#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    #[error("not found")]
    NotFound,
    #[error("invalid")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// A question as an organizer defines it: a predefined `label`, or a custom one.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionInput {
    /// `predefined` or `custom` (default).
    #[serde(default)]
    pub kind: Option<String>,
    /// For predefined questions: street, city, state, postalCode, countryOrRegion, industry, jobTitle, organization.
    #[serde(default)]
    pub predefined_label: Option<String>,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub answer_input_type: Option<String>,
    #[serde(default)]
    pub choices: Vec<String>,
    #[serde(default)]
    pub is_required: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresenterInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub bio: String,
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub job_title: String,
    #[serde(default)]
    pub photo_url: Option<String>,
    #[serde(default)]
    pub linked_in_profile_web_url: Option<String>,
    #[serde(default)]
    pub personal_site_web_url: Option<String>,
    #[serde(default)]
    pub twitter_profile_web_url: Option<String>,
}

/// An event as an organizer submits it. On update, absent fields keep their value; `null`
/// clears an optional one.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventInput {
    pub slug: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub kind: Option<String>,
    /// RFC 3339 with an offset, or a wall-clock time (`2026-12-01T15:00`) in `timeZone`.
    pub start_date_time: Option<String>,
    pub end_date_time: Option<String>,
    pub time_zone: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub capacity: Option<Option<i64>>,
    pub is_waitlist_enabled: Option<bool>,
    pub is_manual_approval_enabled: Option<bool>,
    /// Microsoft mode: Teams emails webinar attendees their personal join links (the default);
    /// `false` leaves the emails to Atrium.
    pub is_attendee_email_notification_enabled: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    pub registration_opens_date_time: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub registration_closes_date_time: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub join_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub terms_url: Option<Option<String>>,
    pub questions: Option<Vec<QuestionInput>>,
    pub presenters: Option<Vec<PresenterInput>>,
    /// Links the event to an existing Teams webinar (Microsoft mode); `null` unlinks it.
    #[serde(default, deserialize_with = "double_option")]
    pub teams_webinar_id: Option<Option<String>>,
    /// The organization's connected Microsoft 365 account that was seen to organize or
    /// co-organize `teams_webinar_id` (see `TeamsSync::webinar_account`); it then owns the event
    /// in Teams. Never read from a request: a new link is refused without it.
    #[serde(skip)]
    pub teams_webinar_checked_with: Option<crate::microsoft::delegated::Account>,
    /// Registrants must confirm their email address within this many minutes (their seat is
    /// held meanwhile, then released); 0 turns confirmation off.
    pub email_confirmation_minutes: Option<i64>,
}

/// Longest time a seat may be held for an unconfirmed address: a week.
pub const MAX_CONFIRMATION_MINUTES: i64 = 7 * 24 * 60;

/// Stores the event's email-confirmation setting, when the input has one.
async fn write_confirmation(tx: &mut WriteTx, event_id: &str, input: &EventInput) -> Result<(), ManageError> {
    let Some(minutes) = input.email_confirmation_minutes else {
        return Ok(());
    };
    if !(0..=MAX_CONFIRMATION_MINUTES).contains(&minutes) {
        return Err(ManageError::Invalid(vec![FieldError::new(
            "emailConfirmationMinutes",
            format!("Give 0 (no confirmation) up to {MAX_CONFIRMATION_MINUTES} minutes (a week)."),
        )]));
    }
    sqlx::query("UPDATE events SET confirm_hold_minutes = $2 WHERE id = $1")
        .bind(event_id)
        .bind(minutes)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// Tells a missing field (`None`) from an explicit `null` (`Some(None)`).
fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

const MAX_TITLE: usize = 200;
const MAX_SUMMARY: usize = 300;
const MAX_DESCRIPTION: usize = 20_000;
const MAX_QUESTIONS: usize = 50;
const MAX_CHOICES: usize = 50;

fn text_len(errors: &mut Vec<FieldError>, field: &str, value: &str, min: usize, max: usize, what: &str) {
    let n = value.trim().chars().count();
    if n < min {
        errors.push(FieldError::new(field, format!("Please enter {what}.")));
    } else if n > max {
        errors.push(FieldError::new(field, format!("Please keep {what} under {max} characters.")));
    } else if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        errors.push(FieldError::new(field, format!("{what} contains characters that can't be used.")));
    }
}

/// Reads a date-time: RFC 3339 with an offset, or wall-clock time in `zone`.
fn parse_when(text: &str, zone: &jiff::tz::TimeZone) -> Result<i64, String> {
    if let Ok(ts) = text.trim().parse::<jiff::Timestamp>() {
        return Ok(ts.as_second());
    }
    app::tz::parse_local_datetime(text, zone)
}

fn parse_questions(inputs: &[QuestionInput], errors: &mut Vec<FieldError>) -> Vec<(Question, Option<PredefinedLabel>)> {
    if inputs.len() > MAX_QUESTIONS {
        errors.push(FieldError::new(
            "questions",
            format!("An event can ask at most {MAX_QUESTIONS} questions."),
        ));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, q) in inputs.iter().enumerate() {
        let field = |name: &str| format!("questions[{i}].{name}");
        let kind = q.kind.as_deref().map(QuestionKind::parse).unwrap_or(Some(QuestionKind::Custom));
        match kind {
            Some(QuestionKind::Predefined) => {
                let Some(label) = q.predefined_label.as_deref().and_then(PredefinedLabel::parse) else {
                    errors.push(FieldError::new(field("predefinedLabel"), "Choose one of the predefined questions."));
                    continue;
                };
                if out.iter().any(|(_, p): &(Question, Option<PredefinedLabel>)| *p == Some(label)) {
                    errors.push(FieldError::new(field("predefinedLabel"), "This question is asked twice."));
                    continue;
                }
                out.push((Question::predefined("", label, q.is_required), Some(label)));
            }
            Some(QuestionKind::Custom) => {
                text_len(errors, &field("label"), &q.label, 1, 200, "the question");
                let Some(input) = q
                    .answer_input_type
                    .as_deref()
                    .map(AnswerInputType::parse)
                    .unwrap_or(Some(AnswerInputType::Text))
                else {
                    errors.push(FieldError::new(
                        field("answerInputType"),
                        "Use text, multilineText, singleChoice, multiChoice or boolean.",
                    ));
                    continue;
                };
                let choices: Vec<String> = q.choices.iter().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
                let needs_choices = matches!(input, AnswerInputType::SingleChoice | AnswerInputType::MultiChoice);
                if needs_choices && choices.len() < 2 {
                    errors.push(FieldError::new(field("choices"), "Offer at least two choices."));
                } else if choices.len() > MAX_CHOICES || choices.iter().any(|c| c.chars().count() > 200) {
                    errors.push(FieldError::new(
                        field("choices"),
                        format!("Offer at most {MAX_CHOICES} choices of up to 200 characters."),
                    ));
                } else if (1..choices.len()).any(|k| choices[..k].contains(&choices[k])) {
                    errors.push(FieldError::new(field("choices"), "Each choice must be different."));
                }
                out.push((
                    Question {
                        id: String::new(),
                        kind: QuestionKind::Custom,
                        label: q.label.trim().to_string(),
                        answer_input_type: input,
                        choices: if needs_choices { choices } else { Vec::new() },
                        is_required: q.is_required,
                    },
                    None,
                ));
            }
            None => errors.push(FieldError::new(field("kind"), "Use predefined or custom.")),
        }
    }
    out
}

fn optional_url(errors: &mut Vec<FieldError>, field: &str, value: &Option<String>) -> Option<String> {
    match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => parse_web_url(v).map_err(|m| errors.push(FieldError::new(field, m))).ok(),
    }
}

fn parse_presenters(inputs: &[PresenterInput], errors: &mut Vec<FieldError>) -> Vec<PresenterRecord> {
    inputs
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let field = |name: &str| format!("presenters[{i}].{name}");
            text_len(errors, &field("name"), &p.name, 1, 200, "the presenter's name");
            text_len(errors, &field("bio"), &p.bio, 0, 2000, "the bio");
            text_len(errors, &field("company"), &p.company, 0, 200, "the company");
            text_len(errors, &field("jobTitle"), &p.job_title, 0, 200, "the job title");
            let email = match p.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
                None => None,
                Some(e) => app::domain::EmailAddress::parse(e)
                    .map(|e| e.as_str().to_string())
                    .map_err(|m| errors.push(FieldError::new(field("email"), m)))
                    .ok(),
            };
            PresenterRecord {
                presenter: Presenter {
                    name: p.name.trim().into(),
                    company: p.company.trim().into(),
                    job_title: p.job_title.trim().into(),
                    bio: p.bio.trim().into(),
                    ..Default::default()
                },
                email,
                photo_url: optional_url(errors, &field("photoUrl"), &p.photo_url),
                linkedin_url: optional_url(errors, &field("linkedInProfileWebUrl"), &p.linked_in_profile_web_url),
                website_url: optional_url(errors, &field("personalSiteWebUrl"), &p.personal_site_web_url),
                x_url: optional_url(errors, &field("twitterProfileWebUrl"), &p.twitter_profile_web_url),
            }
        })
        .collect()
}

/// A presenter with everything Graph's `presenterDetails` holds.
#[derive(Clone, Debug)]
pub struct PresenterRecord {
    pub presenter: Presenter,
    pub email: Option<String>,
    pub photo_url: Option<String>,
    pub linkedin_url: Option<String>,
    pub website_url: Option<String>,
    pub x_url: Option<String>,
}

/// Checks a whole event definition, starting from `base` (the stored event, on update).
fn build(base: Option<&Event>, input: &EventInput, org: &Organizer) -> Result<(NewEvent, Option<Vec<PresenterRecord>>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let pick = |new: &Option<String>, old: Option<&str>| new.clone().or(old.map(str::to_string)).unwrap_or_default();
    let slug = pick(&input.slug, base.map(|b| b.slug.as_str()));
    let slug = if slug.is_empty() && base.is_none() {
        // A slug from the title when none is given.
        let from_title: String = input
            .title
            .as_deref()
            .unwrap_or("")
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        from_title
            .split('-')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-")
            .chars()
            .take(60)
            .collect()
    } else {
        slug
    };
    let slug = parse_slug(&slug)
        .map_err(|m| errors.push(FieldError::new("slug", m)))
        .unwrap_or_default();
    let title = pick(&input.title, base.map(|b| b.title.as_str()));
    text_len(&mut errors, "title", &title, 1, MAX_TITLE, "a title");
    let summary = pick(&input.summary, base.map(|b| b.summary.as_str()));
    text_len(&mut errors, "summary", &summary, 0, MAX_SUMMARY, "the summary");
    let description = pick(&input.description, base.map(|b| b.description.as_str()));
    text_len(&mut errors, "description", &description, 0, MAX_DESCRIPTION, "the description");
    let kind_text = pick(&input.kind, base.map(|b| b.kind.as_str()));
    let kind = EventKind::parse(if kind_text.is_empty() { "webinar" } else { &kind_text })
        .ok_or_else(|| errors.push(FieldError::new("kind", "Use webinar or meeting.")))
        .unwrap_or(EventKind::Webinar);
    let zone_name = pick(&input.time_zone, base.map(|b| b.time_zone.as_str()));
    let zone = app::tz::parse_zone(&zone_name)
        .map_err(|m| errors.push(FieldError::new("timeZone", m)))
        .ok();
    let when = |field: &str, new: &Option<String>, old: Option<i64>, errors: &mut Vec<FieldError>| -> Option<i64> {
        match (new, &zone) {
            (Some(text), Some(zone)) => parse_when(text, zone).map_err(|m| errors.push(FieldError::new(field, m))).ok(),
            (Some(_), None) => None,
            (None, _) => {
                if old.is_none() {
                    errors.push(FieldError::new(field, "Please give a date and time."));
                }
                old
            }
        }
    };
    let start_at = when("startDateTime", &input.start_date_time, base.map(|b| b.start_at), &mut errors);
    let end_at = when("endDateTime", &input.end_date_time, base.map(|b| b.end_at), &mut errors);
    if let (Some(s), Some(e)) = (start_at, end_at) {
        if e <= s {
            errors.push(FieldError::new("endDateTime", "The event must end after it starts."));
        } else if e - s > 7 * 86_400 {
            errors.push(FieldError::new("endDateTime", "An event can last at most 7 days."));
        }
    }
    let optional_when = |field: &str, new: &Option<Option<String>>, old: Option<i64>, errors: &mut Vec<FieldError>| -> Option<i64> {
        match (new, &zone) {
            (Some(Some(text)), Some(zone)) if !text.trim().is_empty() => {
                parse_when(text, zone).map_err(|m| errors.push(FieldError::new(field, m))).ok()
            }
            (Some(_), _) => None,
            (None, _) => old,
        }
    };
    let opens = optional_when(
        "registrationOpensDateTime",
        &input.registration_opens_date_time,
        base.and_then(|b| b.registration_opens_at),
        &mut errors,
    );
    let closes = optional_when(
        "registrationClosesDateTime",
        &input.registration_closes_date_time,
        base.and_then(|b| b.registration_closes_at),
        &mut errors,
    );
    if let (Some(o), Some(c)) = (opens, closes) {
        if c <= o {
            errors.push(FieldError::new(
                "registrationClosesDateTime",
                "Registration must close after it opens.",
            ));
        }
    }
    if let (Some(c), Some(e)) = (closes, end_at) {
        if c > e {
            errors.push(FieldError::new(
                "registrationClosesDateTime",
                "Registration must close before the event ends.",
            ));
        }
    }
    let capacity = match input.capacity {
        Some(c) => c,
        None => base.and_then(|b| b.capacity),
    };
    if capacity.is_some_and(|c| !(0..=1_000_000).contains(&c)) {
        errors.push(FieldError::new(
            "capacity",
            "Use a number from 0 to 1,000,000, or leave it empty for no limit.",
        ));
    }
    let join_url = match &input.join_url {
        Some(v) => optional_url(&mut errors, "joinUrl", v),
        None => base.and_then(|b| b.join_url.clone()),
    };
    let terms_url = match &input.terms_url {
        Some(v) => optional_url(&mut errors, "termsUrl", v),
        None => base.and_then(|b| b.terms_url.clone()),
    };
    let questions = match &input.questions {
        Some(q) => parse_questions(q, &mut errors),
        None => base
            .map(|b| {
                b.questions
                    .iter()
                    .map(|q| {
                        let label = (q.kind == QuestionKind::Predefined)
                            .then(|| PredefinedLabel::ALL.iter().copied().find(|p| p.display_name() == q.label))
                            .flatten();
                        (q.clone(), label)
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    let presenters = input.presenters.as_ref().map(|p| parse_presenters(p, &mut errors));
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((
        NewEvent {
            organization_id: org.organization_id.clone(),
            slug,
            title: title.trim().to_string(),
            summary: summary.trim().to_string(),
            description: description.trim().to_string(),
            kind,
            status: base.map(|b| b.status).unwrap_or(EventStatus::Draft),
            start_at: start_at.unwrap_or_default(),
            end_at: end_at.unwrap_or_default(),
            time_zone: zone_name,
            capacity,
            waitlist_enabled: input.is_waitlist_enabled.or(base.map(|b| b.waitlist_enabled)).unwrap_or(false),
            manual_approval: input
                .is_manual_approval_enabled
                .or(base.map(|b| b.manual_approval))
                .unwrap_or(false),
            registration_opens_at: opens,
            registration_closes_at: closes,
            join_url,
            terms_url,
            questions,
            presenters: Vec::new(),
        },
        presenters,
    ))
}

/// The organization's event with this slug, drafts included.
pub async fn event(db: &Db, org: &Organizer, slug: &str) -> Result<Event, ManageError> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM events WHERE slug = $1 AND organization_id = $2")
        .bind(slug)
        .bind(&org.organization_id)
        .fetch_optional(&db.pool)
        .await?;
    let id = id.ok_or(ManageError::NotFound)?;
    events::by_id(db, &id).await?.ok_or(ManageError::NotFound)
}

/// The organization's events, soonest first, with counts.
pub async fn list(db: &Db, org: &Organizer) -> Result<Vec<Event>, ManageError> {
    let rows = sqlx::query(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE organization_id = $1 ORDER BY start_at DESC, slug LIMIT 500"
    ))
    .bind(&org.organization_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(event_from_row).collect::<Result<_, _>>()?)
}

async fn slug_taken(db: &Db, slug: &str, except: Option<&str>) -> Result<bool, sqlx::Error> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM events WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&db.pool)
        .await?;
    Ok(id.is_some_and(|id| Some(id.as_str()) != except))
}

async fn write_presenters(tx: &mut WriteTx, event_id: &str, presenters: &[PresenterRecord]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM presenters WHERE event_id = $1")
        .bind(event_id)
        .execute(&mut *tx.tx)
        .await?;
    for (position, p) in presenters.iter().enumerate() {
        sqlx::query(
            "INSERT INTO presenters (id, event_id, position, name, email, bio, company, job_title, photo_url, linkedin_url, website_url, x_url) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(event_id)
        .bind(position as i64)
        .bind(&p.presenter.name)
        .bind(&p.email)
        .bind(&p.presenter.bio)
        .bind(&p.presenter.company)
        .bind(&p.presenter.job_title)
        .bind(&p.photo_url)
        .bind(&p.linkedin_url)
        .bind(&p.website_url)
        .bind(&p.x_url)
        .execute(&mut *tx.tx)
        .await?;
    }
    Ok(())
}

async fn write_questions(tx: &mut WriteTx, event_id: &str, questions: &[(Question, Option<PredefinedLabel>)]) -> Result<(), sqlx::Error> {
    // Keep the ids of questions that stay, so answers already given still line up.
    let existing: Vec<(String, String, String)> = sqlx::query_as("SELECT id, label, answer_input_type FROM questions WHERE event_id = $1")
        .bind(event_id)
        .fetch_all(&mut *tx.tx)
        .await?;
    sqlx::query("DELETE FROM questions WHERE event_id = $1")
        .bind(event_id)
        .execute(&mut *tx.tx)
        .await?;
    for (position, (q, predefined)) in questions.iter().enumerate() {
        let id = existing
            .iter()
            .find(|(_, label, input)| *label == q.label && input == q.answer_input_type.as_str())
            .map(|(id, _, _)| id.clone())
            .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        sqlx::query(
            "INSERT INTO questions (id, event_id, position, kind, predefined_label, label, answer_input_type, choices, is_required) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(event_id)
        .bind(position as i64)
        .bind(q.kind.as_str())
        .bind(predefined.map(|p| p.as_str()))
        .bind(&q.label)
        .bind(q.answer_input_type.as_str())
        .bind(serde_json::to_string(&q.choices).expect("choices serialise"))
        .bind(q.is_required as i64)
        .execute(&mut *tx.tx)
        .await?;
    }
    Ok(())
}

/// Creates a draft event.
pub async fn create(db: &Db, org: &Organizer, input: &EventInput) -> Result<Event, ManageError> {
    let (new, presenters) = build(None, input, org).map_err(ManageError::Invalid)?;
    if slug_taken(db, &new.slug, None).await? {
        return Err(ManageError::Invalid(vec![FieldError::new(
            "slug",
            "This address is taken; choose another.",
        )]));
    }
    let id = events::insert(db, &new).await?;
    let mut tx = db.begin_write().await?;
    sqlx::query("INSERT INTO event_organizers (event_id, organizer_id) VALUES ($1, $2)")
        .bind(&id)
        .bind(&org.id)
        .execute(&mut *tx.tx)
        .await?;
    if let Some(teams_emails) = input.is_attendee_email_notification_enabled {
        sqlx::query("UPDATE events SET teams_emails = $2 WHERE id = $1")
            .bind(&id)
            .bind(teams_emails as i64)
            .execute(&mut *tx.tx)
            .await?;
    }
    if let Some(p) = presenters {
        write_presenters(&mut tx, &id, &p).await?;
    }
    write_confirmation(&mut tx, &id, input).await?;
    crate::accounts::audit::record(&mut tx, &org.organization_id, &org.email, "event.created", &new.slug, now()).await?;
    tx.commit().await?;
    events::by_id(db, &id).await?.ok_or(ManageError::NotFound)
}

/// Changes an event. A canceled event can no longer change; more capacity lets people in from
/// the waitlist at once.
pub async fn update(db: &Db, org: &Organizer, slug: &str, input: &EventInput) -> Result<Event, ManageError> {
    let current = event(db, org, slug).await?;
    if current.status == EventStatus::Canceled {
        return Err(ManageError::Conflict("A canceled event can't be changed.".into()));
    }
    let (new, presenters) = build(Some(&current), input, org).map_err(ManageError::Invalid)?;
    if new.slug != current.slug && slug_taken(db, &new.slug, Some(&current.id)).await? {
        return Err(ManageError::Invalid(vec![FieldError::new(
            "slug",
            "This address is taken; choose another.",
        )]));
    }
    let now = now();
    let mut tx = db.begin_write().await?;
    sqlx::query(&format!("SELECT id FROM events WHERE id = $1{}", db.for_update()))
        .bind(&current.id)
        .fetch_one(&mut *tx.tx)
        .await?;
    sqlx::query(
        "UPDATE events SET slug = $2, title = $3, summary = $4, description = $5, kind = $6, start_at = $7, end_at = $8, time_zone = $9, \
         capacity = $10, waitlist_enabled = $11, manual_approval = $12, registration_opens_at = $13, registration_closes_at = $14, \
         join_url = $15, terms_url = $16, updated_at = $17 WHERE id = $1",
    )
    .bind(&current.id)
    .bind(&new.slug)
    .bind(&new.title)
    .bind(&new.summary)
    .bind(&new.description)
    .bind(new.kind.as_str())
    .bind(new.start_at)
    .bind(new.end_at)
    .bind(&new.time_zone)
    .bind(new.capacity)
    .bind(new.waitlist_enabled as i64)
    .bind(new.manual_approval as i64)
    .bind(new.registration_opens_at)
    .bind(new.registration_closes_at)
    .bind(&new.join_url)
    .bind(&new.terms_url)
    .bind(now)
    .execute(&mut *tx.tx)
    .await?;
    if input.questions.is_some() {
        write_questions(&mut tx, &current.id, &new.questions).await?;
    }
    if let Some(link) = &input.teams_webinar_id {
        let link = link.as_deref().map(str::trim).filter(|l| !l.is_empty());
        match link {
            Some(id) if current.teams_webinar_id.as_deref() != Some(id) => {
                check_webinar_link(db, &current, id).await?;
                let Some(account) = &input.teams_webinar_checked_with else {
                    return Err(ManageError::Conflict(
                        "A Teams webinar can only be linked after checking, with your organization's connected Microsoft 365 account, that this account organizes it.".into(),
                    ));
                };
                let owner = match account {
                    crate::microsoft::delegated::Account::Personal(organizer) => organizer.clone(),
                    crate::microsoft::delegated::Account::Service(_) => String::new(),
                };
                sqlx::query("UPDATE events SET teams_webinar_id = $2, teams_owner = $3 WHERE id = $1")
                    .bind(&current.id)
                    .bind(id)
                    .bind(owner)
                    .execute(&mut *tx.tx)
                    .await
                    .map_err(|e| match e {
                        sqlx::Error::Database(d) if d.is_unique_violation() => taken(),
                        e => ManageError::Db(e),
                    })?;
            }
            Some(_) => {}
            None => {
                sqlx::query("UPDATE events SET teams_webinar_id = NULL WHERE id = $1")
                    .bind(&current.id)
                    .execute(&mut *tx.tx)
                    .await?;
            }
        }
    }
    if let Some(p) = presenters {
        write_presenters(&mut tx, &current.id, &p).await?;
    }
    if let Some(teams_emails) = input.is_attendee_email_notification_enabled {
        sqlx::query("UPDATE events SET teams_emails = $2 WHERE id = $1")
            .bind(&current.id)
            .bind(teams_emails as i64)
            .execute(&mut *tx.tx)
            .await?;
    }
    if new.start_at != current.start_at {
        crate::events::reminders::rearm(&mut tx, &current.id, new.start_at, now).await?;
    }
    // What Teams shows follows: title, description, times, who emails attendees.
    if current.in_teams() {
        // Each change bumps the event's version; the worker sends the newest state once.
        sqlx::query("UPDATE events SET teams_version = teams_version + 1 WHERE id = $1")
            .bind(&current.id)
            .execute(&mut *tx.tx)
            .await?;
        crate::jobs::teams::update_event(&mut tx, &current.id).await?;
    }
    write_confirmation(&mut tx, &current.id, input).await?;
    registrations::promote_waitlisted(db, &mut tx, &current.id, now).await?;
    crate::accounts::audit::record(&mut tx, &org.organization_id, &org.email, "event.updated", &new.slug, now).await?;
    tx.commit().await?;
    events::by_id(db, &current.id).await?.ok_or(ManageError::NotFound)
}

fn taken() -> ManageError {
    ManageError::Conflict("This Teams webinar is already linked to another event; a webinar can be linked to one event only.".into())
}

/// Whether `event` may be linked to the Teams webinar `id`: the id has a webinar id's form
/// (422 naming `teamsWebinarId` otherwise) and no other event holds it (409). Whether the
/// organization's Microsoft 365 account organizes the webinar is checked in Teams, by
/// `TeamsSync::webinar_account`.
pub async fn check_webinar_link(db: &Db, event: &Event, id: &str) -> Result<(), ManageError> {
    crate::microsoft::check_webinar_id(id).map_err(|m| ManageError::Invalid(vec![FieldError::new("teamsWebinarId", m)]))?;
    let holder: Option<String> = sqlx::query_scalar("SELECT id FROM events WHERE teams_webinar_id = $1 AND id <> $2")
        .bind(id)
        .bind(&event.id)
        .fetch_optional(&db.pool)
        .await?;
    match holder {
        Some(_) => Err(taken()),
        None => Ok(()),
    }
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
    if current.end_at <= now() {
        return Err(ManageError::Conflict(
            "This event is already over; change its dates before publishing.".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE events SET status = 'published', updated_at = $2 WHERE id = $1 AND status = 'draft'")
        .bind(&current.id)
        .bind(now())
        .execute(&mut *tx.tx)
        .await?;
    if to_teams && !current.in_teams() {
        // An organizer who connected their own Microsoft 365 account owns the event in Teams;
        // otherwise the organization's service account does.
        let personal: Option<String> = sqlx::query_scalar("SELECT organizer_id FROM personal_microsoft_accounts WHERE organizer_id = $1")
            .bind(&org.id)
            .fetch_optional(&mut *tx.tx)
            .await?;
        sqlx::query("UPDATE events SET teams_owner = $2 WHERE id = $1")
            .bind(&current.id)
            .bind(personal.unwrap_or_default())
            .execute(&mut *tx.tx)
            .await?;
        crate::jobs::teams::create_event(&mut tx, &current.id).await?;
    }
    crate::accounts::audit::record(&mut tx, &org.organization_id, &org.email, "event.published", &current.slug, now()).await?;
    tx.commit().await?;
    events::by_id(db, &current.id).await?.ok_or(ManageError::NotFound)
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
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE events SET status = 'canceled', updated_at = $2 WHERE id = $1")
        .bind(&current.id)
        .bind(now())
        .execute(&mut *tx.tx)
        .await?;
    let recipients: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, email FROM registrations WHERE event_id = $1 AND status IN ('registered', 'waitlisted', 'pendingApproval')",
    )
    .bind(&current.id)
    .fetch_all(&mut *tx.tx)
    .await?;
    let text = message.unwrap_or("We're sorry, this event will not take place.");
    outbox::enqueue_many(&mut tx, Mail::EventCanceled, &recipients, Some(text)).await?;
    if current.in_teams() {
        crate::jobs::teams::cancel_event(&mut tx, &current.id).await?;
    }
    crate::accounts::audit::record(&mut tx, &org.organization_id, &org.email, "event.canceled", &current.slug, now()).await?;
    tx.commit().await?;
    events::by_id(db, &current.id).await?.ok_or(ManageError::NotFound)
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
    let placeholders: Vec<String> = (0..statuses.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT id, email FROM registrations WHERE event_id = $1 AND status IN ({})",
        placeholders.join(", ")
    );
    let mut tx = db.begin_write().await?;
    let mut q = sqlx::query_as::<_, (String, String)>(&sql).bind(&current.id);
    for s in &statuses {
        q = q.bind(s.as_str());
    }
    let recipients = q.fetch_all(&mut *tx.tx).await?;
    outbox::enqueue_many(&mut tx, Mail::Announcement, &recipients, Some(message)).await?;
    crate::accounts::audit::record(&mut tx, &org.organization_id, &org.email, "event.announced", &current.slug, now()).await?;
    tx.commit().await?;
    Ok(recipients.len())
}

/// One row of the organizer's registrant table.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrantRow {
    pub id: String,
    pub status: RegistrationStatus,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub preferred_timezone: String,
    pub preferred_language: Option<String>,
    pub registration_date_time: String,
    pub registration_question_answers: Vec<app::domain::Answer>,
}

/// The highest page number a registrant list accepts (at 500 a page, far beyond any event).
pub const MAX_PAGE: i64 = 100_000;

/// Registrants of an event, filtered by status and a search over name and email, newest first.
pub async fn registrants(
    db: &Db,
    org: &Organizer,
    slug: &str,
    status: Option<RegistrationStatus>,
    search: Option<&str>,
    page: (i64, i64),
) -> Result<(Vec<RegistrantRow>, i64), ManageError> {
    let current = event(db, org, slug).await?;
    let mut filter = String::from("event_id = $1");
    if status.is_some() {
        filter.push_str(" AND status = $2");
    }
    let search = search
        .map(|s| format!("%{}%", s.trim().to_lowercase().replace(['%', '_'], "")))
        .filter(|s| s.len() > 2);
    if search.is_some() {
        filter.push_str(&format!(
            " AND (email_normalized LIKE ${n} OR LOWER(first_name) LIKE ${n} OR LOWER(last_name) LIKE ${n})",
            n = if status.is_some() { 3 } else { 2 }
        ));
    }
    fn bind_filter<'q>(
        mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
        event_id: &'q str,
        status: Option<RegistrationStatus>,
        search: Option<&'q str>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        q = q.bind(event_id);
        if let Some(s) = status {
            q = q.bind(s.as_str());
        }
        if let Some(s) = search {
            q = q.bind(s);
        }
        q
    }
    let count_sql = format!("SELECT COUNT(*) AS n FROM registrations WHERE {filter}");
    let total: i64 = bind_filter(sqlx::query(&count_sql), &current.id, status, search.as_deref())
        .fetch_one(&db.pool)
        .await?
        .try_get("n")?;
    let (limit, offset) = page;
    let rows_sql = format!(
        "SELECT id, status, first_name, last_name, email, preferred_timezone, preferred_language, created_at, answers \
         FROM registrations WHERE {filter} ORDER BY created_at DESC, id LIMIT {limit} OFFSET {offset}"
    );
    let rows = bind_filter(sqlx::query(&rows_sql), &current.id, status, search.as_deref())
        .fetch_all(&db.pool)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let status: String = r.try_get("status")?;
        let answers: String = r.try_get("answers")?;
        out.push(RegistrantRow {
            id: r.try_get("id")?,
            status: RegistrationStatus::parse(&status).ok_or_else(|| events::decode_error("status", &status))?,
            first_name: r.try_get("first_name")?,
            last_name: r.try_get("last_name")?,
            email: r.try_get("email")?,
            preferred_timezone: r.try_get("preferred_timezone")?,
            preferred_language: r.try_get("preferred_language")?,
            registration_date_time: jiff::Timestamp::from_second(r.try_get("created_at")?)
                .map(|t| t.to_string())
                .unwrap_or_default(),
            registration_question_answers: serde_json::from_str(&answers).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        });
    }
    Ok((out, total))
}

/// What starts a formula in some spreadsheet: neutralised in every cell.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell's text made inert for spreadsheets: a `'` before a leading formula character, and
/// before one following a `;` (spreadsheets in locales that split on `;` start a new cell
/// there).
fn inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    let mut at_start = true;
    for c in text.chars() {
        if at_start && FORMULA_START.contains(&c) {
            out.push('\'');
        }
        out.push(c);
        at_start = c == ';';
    }
    out
}

/// Rows as CSV with every cell quoted and inert.
pub(crate) fn to_csv(rows: &[Vec<String>]) -> String {
    let mut writer = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(row.iter().map(|c| inert(c)))
            .expect("writing to memory cannot fail");
    }
    String::from_utf8(writer.into_inner().expect("writing to memory cannot fail")).expect("CSV of strings is UTF-8")
}

/// Every registrant of the event with their answers, as CSV.
pub async fn registrants_csv(db: &Db, org: &Organizer, slug: &str) -> Result<String, ManageError> {
    let current = event(db, org, slug).await?;
    let (rows, _) = registrants(db, org, slug, None, None, (1_000_000, 0)).await?;
    let mut header = vec![
        "id",
        "status",
        "firstName",
        "lastName",
        "email",
        "preferredTimezone",
        "preferredLanguage",
        "registrationDateTime",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    header.extend(current.questions.iter().map(|q| q.label.clone()));
    let mut table = vec![header];
    for r in rows {
        let mut cells = vec![
            r.id.clone(),
            r.status.as_str().to_string(),
            r.first_name.clone(),
            r.last_name.clone(),
            r.email.clone(),
            r.preferred_timezone.clone(),
            r.preferred_language.clone().unwrap_or_default(),
            r.registration_date_time.clone(),
        ];
        for q in &current.questions {
            cells.push(
                r.registration_question_answers
                    .iter()
                    .find(|a| a.question_id == q.id)
                    .map(|a| a.as_text())
                    .unwrap_or_default(),
            );
        }
        table.push(cells);
    }
    crate::accounts::audit::record_now(db, &org.organization_id, &org.email, "registrations.exported", &current.slug).await?;
    Ok(to_csv(&table))
}

/// What an organizer can decide about one registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    Promote,
    Cancel,
}

impl Decision {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "approve" => Some(Decision::Approve),
            "reject" => Some(Decision::Reject),
            "promote" => Some(Decision::Promote),
            "cancel" => Some(Decision::Cancel),
            _ => None,
        }
    }
}

/// Applies an organizer's decision to a registration of their event, in one transaction, and
/// emails the registrant. Approving or promoting needs a free seat.
pub async fn decide(
    db: &Db,
    org: &Organizer,
    slug: &str,
    registration_id: &str,
    decision: Decision,
) -> Result<RegistrationStatus, ManageError> {
    let current = event(db, org, slug).await?;
    let now = now();
    let mut tx = db.begin_write().await?;
    let row = sqlx::query(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = $1{}", db.for_update()))
        .bind(&current.id)
        .fetch_one(&mut *tx.tx)
        .await?;
    let locked = event_from_row(&row)?;
    let reg: Option<(String, String, Option<String>)> =
        sqlx::query_as("SELECT status, email, confirm_as FROM registrations WHERE id = $1 AND event_id = $2")
            .bind(registration_id)
            .bind(&current.id)
            .fetch_optional(&mut *tx.tx)
            .await?;
    let (status, email, confirm_as) = reg.ok_or(ManageError::NotFound)?;
    let confirm_as = confirm_as.as_deref().and_then(RegistrationStatus::parse);
    let from = RegistrationStatus::parse(&status).ok_or_else(|| events::decode_error("status", &status))?;
    let (to, mail) = match decision {
        Decision::Approve if from == RegistrationStatus::PendingApproval => (RegistrationStatus::Registered, Mail::Approved),
        Decision::Reject if from == RegistrationStatus::PendingApproval => (RegistrationStatus::RejectedByOrganizer, Mail::Rejected),
        Decision::Promote if from == RegistrationStatus::Waitlisted => (RegistrationStatus::Registered, Mail::Promoted),
        Decision::Cancel if from.can_become(RegistrationStatus::Canceled) => (RegistrationStatus::Canceled, Mail::Canceled),
        _ => {
            return Err(ManageError::Conflict(format!(
                "A registration that is {} can't be changed that way.",
                from.as_str()
            )))
        }
    };
    if to == RegistrationStatus::Registered && locked.capacity.is_some_and(|c| locked.registered_count + locked.held_count >= c) {
        return Err(ManageError::Conflict("There is no free seat. Raise the capacity first.".into()));
    }
    sqlx::query(
        "UPDATE registrations SET status = $2, waitlist_seq = NULL, updated_at = $3, \
         canceled_at = CASE WHEN $2 = 'canceled' THEN $3 ELSE canceled_at END WHERE id = $1",
    )
    .bind(registration_id)
    .bind(to.as_str())
    .bind(now)
    .execute(&mut *tx.tx)
    .await?;
    let freed = registrations::counter(from, confirm_as);
    registrations::shift_counts(&mut tx, &current.id, freed, registrations::counter(to, None), now).await?;
    // An address never confirmed gets no email.
    if from != RegistrationStatus::Unconfirmed {
        outbox::enqueue(&mut tx, mail, registration_id, &email, None).await?;
    }
    if to == RegistrationStatus::Registered {
        crate::jobs::teams::register(&mut tx, locked.teams_webinar_id.is_some(), registration_id).await?;
    }
    if from == RegistrationStatus::Registered && to == RegistrationStatus::Canceled {
        crate::jobs::teams::unregister(&mut tx, locked.teams_webinar_id.is_some(), registration_id).await?;
    }
    if matches!(freed, Some(registrations::Counter::Registered | registrations::Counter::Held)) {
        registrations::promote_waitlisted(db, &mut tx, &current.id, now).await?;
    }
    let action = match decision {
        Decision::Approve => "registration.approved",
        Decision::Reject => "registration.rejected",
        Decision::Promote => "registration.promoted",
        Decision::Cancel => "registration.canceled",
    };
    crate::accounts::audit::record(&mut tx, &org.organization_id, &org.email, action, &current.slug, now).await?;
    tx.commit().await?;
    Ok(to)
}

/// Everything stored about an event's presenters, in order.
pub async fn presenter_records(db: &Db, event_id: &str) -> Result<Vec<PresenterRecord>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT name, email, bio, company, job_title, photo_url, linkedin_url, website_url, x_url FROM presenters WHERE event_id = $1 ORDER BY position",
    )
    .bind(event_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PresenterRecord {
                presenter: Presenter {
                    name: r.try_get("name")?,
                    company: r.try_get("company")?,
                    job_title: r.try_get("job_title")?,
                    bio: r.try_get("bio")?,
                    ..Default::default()
                },
                email: r.try_get("email")?,
                photo_url: r.try_get("photo_url")?,
                linkedin_url: r.try_get("linkedin_url")?,
                website_url: r.try_get("website_url")?,
                x_url: r.try_get("x_url")?,
            })
        })
        .collect()
}

/// A draft copy of an event with its questions and presenters, at a new address.
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
        if !slug_taken(db, &candidate, None).await? {
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
    let presenters = presenter_records(db, &source.id).await?;
    let id = events::insert(db, &copy).await?;
    let mut tx = db.begin_write().await?;
    sqlx::query("INSERT INTO event_organizers (event_id, organizer_id) VALUES ($1, $2)")
        .bind(&id)
        .bind(&org.id)
        .execute(&mut *tx.tx)
        .await?;
    write_presenters(&mut tx, &id, &presenters).await?;
    crate::accounts::audit::record(&mut tx, &org.organization_id, &org.email, "event.duplicated", &source.slug, now()).await?;
    tx.commit().await?;
    events::by_id(db, &id).await?.ok_or(ManageError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_inert_in_every_locale() {
        let csv = to_csv(&[
            vec!["plain".into(), "a,b".into(), "say \"hi\"".into()],
            vec!["=HYPERLINK(\"x\")".into(), "-1".into(), "@SUM(A1)".into()],
            vec!["ok;=cmd|' /C calc'!A0".into(), "\tx".into(), "a;b;+c".into()],
        ]);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], r#""plain","a,b","say ""hi""""#);
        assert_eq!(lines[1], r#""'=HYPERLINK(""x"")","'-1","'@SUM(A1)""#);
        assert_eq!(lines[2], "\"ok;'=cmd|' /C calc'!A0\",\"'\tx\",\"a;b;'+c\"");
        assert_eq!(lines[3], "", "every row ends with CRLF");
    }
}
