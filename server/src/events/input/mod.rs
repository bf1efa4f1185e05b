//! What an organizer sends to create or change an event, and how it is checked: every field at
//! once, each problem against its field (one pass reports every problem of a request).

mod presenters;
mod questions;

pub use super::error::ManageError;
use presenters::{optional_url, parse_presenters};
pub use presenters::{PresenterInput, PresenterRecord};
use questions::parse_questions;
pub use questions::QuestionInput;

use super::{Event, NewEvent};
use crate::accounts::auth::Organizer;
use app::domain::{parse_slug, EventKind, EventStatus, FieldError, PredefinedLabel, QuestionKind};
use serde::Deserialize;

/// An event as an organizer submits it. On update, absent fields keep their value; `null`
/// clears an optional one.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
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
    #[serde(default, deserialize_with = "crate::http::patch::double_option")]
    #[schema(value_type = Option<i64>, nullable)]
    pub capacity: Option<Option<i64>>,
    pub is_waitlist_enabled: Option<bool>,
    pub is_manual_approval_enabled: Option<bool>,
    /// Microsoft mode: Teams emails webinar attendees their personal join links (the default);
    /// `false` leaves the emails to Atrium.
    pub is_attendee_email_notification_enabled: Option<bool>,
    #[serde(default, deserialize_with = "crate::http::patch::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub registration_opens_date_time: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::patch::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub registration_closes_date_time: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::patch::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub join_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::patch::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub terms_url: Option<Option<String>>,
    pub questions: Option<Vec<QuestionInput>>,
    pub presenters: Option<Vec<PresenterInput>>,
    /// Links the event to an existing Teams webinar (Microsoft mode); `null` unlinks it.
    #[serde(default, deserialize_with = "crate::http::patch::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub teams_webinar_id: Option<Option<String>>,
    /// The organization's connected Microsoft 365 account that was seen to organize or
    /// co-organize `teams_webinar_id` (see `TeamsSync::webinar_account`); it then owns the event
    /// in Teams. Never read from a request: a new link is refused without it.
    #[serde(skip)]
    pub teams_webinar_checked_with: Option<crate::accounts::MicrosoftAccount>,
    /// Registrants must confirm their email address within this many minutes (their seat is
    /// held meanwhile, then released); 0 turns confirmation off.
    pub email_confirmation_minutes: Option<i64>,
}

/// Longest time a seat may be held for an unconfirmed address: a week.
pub const MAX_CONFIRMATION_MINUTES: i64 = 7 * 24 * 60;

pub const MAX_TITLE: usize = 200;

const MAX_SUMMARY: usize = 300;

const MAX_DESCRIPTION: usize = 20_000;

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
fn parse_when(text: &str, zone: &jiff::tz::TimeZone) -> Result<i64, app::domain::Invalid> {
    if let Ok(ts) = text.trim().parse::<jiff::Timestamp>() {
        return Ok(ts.as_second());
    }
    app::tz::parse_local_datetime(text, zone)
}

/// Checks a whole event definition, starting from `base` (the stored event, on update).
pub fn build(
    base: Option<&Event>,
    input: &EventInput,
    org: &Organizer,
) -> Result<(NewEvent, Option<Vec<PresenterRecord>>), Vec<FieldError>> {
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
