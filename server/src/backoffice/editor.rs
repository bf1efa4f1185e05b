//! The event editor: creating and changing an event with all its fields, questions and presenters.

use super::*;
use crate::accounts::auth::SignedIn;
use crate::events::{self as manage, EventInput, ManageError, PresenterInput, QuestionInput};
use crate::portal::server_error;
use crate::AppState;
use app::dashboard::{EventEditor, EventForm, PresenterRow, QuestionRow};
use app::domain::{FieldError, PredefinedLabel, QuestionKind};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;

pub(super) fn editor(
    state: &AppState,
    signed: &SignedIn,
    status: StatusCode,
    form: EventForm,
    errors: Vec<FieldError>,
    action: String,
    is_new: bool,
) -> Response {
    let csrf = signed.csrf.clone();
    let zones = app::tz::zone_names().to_vec();
    let title = if is_new { "New event" } else { "Edit event" };
    let microsoft = state.microsoft.is_some();
    dash(
        signed,
        status,
        title,
        move || view! { <EventEditor form=form errors=errors csrf=csrf action=action zones=zones is_new=is_new microsoft=microsoft /> },
    )
}

pub(super) async fn new_event_page(State(state): State<AppState>, signed: SignedIn) -> Response {
    let form = EventForm {
        time_zone: "Europe/Berlin".into(),
        kind: "webinar".into(),
        waitlist: true,
        teams_emails: true,
        confirm_minutes: "0".into(),
        ..Default::default()
    };
    editor(&state, &signed, StatusCode::OK, form, Vec::new(), "/dashboard/events".into(), true)
}

/// Reads the editor's fields into the API's input, and what to show again on error.
pub(super) fn read_editor(form: &Form) -> (EventInput, EventForm) {
    let v = |n: &str| form_value(form, n);
    let checked = |n: &str| v(n) == "true";
    let optional = |n: &str| Some(Some(v(n)).filter(|s| !s.trim().is_empty()));
    let predefined: Vec<(PredefinedLabel, bool)> = PredefinedLabel::ALL
        .iter()
        .filter(|l| checked(&format!("predefined.{}", l.as_str())))
        .map(|l| (*l, checked(&format!("predefined.{}.required", l.as_str()))))
        .collect();
    let mut custom: Vec<(i64, usize, QuestionRow)> = (0..100)
        .filter(|i| form.iter().any(|(k, _)| k == &format!("q.{i}.label")))
        .map(|i| {
            let row = QuestionRow {
                label: v(&format!("q.{i}.label")),
                answer_input_type: v(&format!("q.{i}.type")),
                choices: v(&format!("q.{i}.choices")),
                is_required: checked(&format!("q.{i}.required")),
            };
            (v(&format!("q.{i}.position")).parse().unwrap_or(i as i64 + 1), i, row)
        })
        .filter(|(_, _, r)| !r.label.trim().is_empty())
        .collect();
    custom.sort_by_key(|(p, i, _)| (*p, *i));
    let custom: Vec<QuestionRow> = custom.into_iter().map(|(_, _, r)| r).collect();
    let presenters: Vec<PresenterRow> = (0..50)
        .filter(|i| form.iter().any(|(k, _)| k == &format!("p.{i}.name")))
        .map(|i| PresenterRow {
            name: v(&format!("p.{i}.name")),
            company: v(&format!("p.{i}.company")),
            job_title: v(&format!("p.{i}.jobTitle")),
            bio: v(&format!("p.{i}.bio")),
            linkedin: v(&format!("p.{i}.linkedin")),
            website: v(&format!("p.{i}.website")),
            x: v(&format!("p.{i}.x")),
            email: v(&format!("p.{i}.email")),
            photo: v(&format!("p.{i}.photo")),
        })
        .filter(|p| !p.name.trim().is_empty())
        .collect();
    let mut questions: Vec<QuestionInput> = predefined
        .iter()
        .map(|(l, r)| QuestionInput {
            kind: Some("predefined".into()),
            predefined_label: Some(l.as_str().into()),
            is_required: *r,
            ..Default::default()
        })
        .collect();
    questions.extend(custom.iter().map(|q| {
        QuestionInput {
            kind: Some("custom".into()),
            label: q.label.clone(),
            answer_input_type: Some(q.answer_input_type.clone()),
            choices: q
                .choices
                .split(';')
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect(),
            is_required: q.is_required,
            ..Default::default()
        }
    }));
    let input = EventInput {
        slug: Some(v("slug")).filter(|s| !s.trim().is_empty()),
        title: Some(v("title")),
        summary: Some(v("summary")),
        description: Some(v("description")),
        kind: Some(v("kind")),
        start_date_time: Some(v("startDateTime")),
        end_date_time: Some(v("endDateTime")),
        time_zone: Some(v("timeZone")),
        capacity: Some(v("capacity").trim().parse::<i64>().ok())
            .filter(|_| v("capacity").trim().parse::<i64>().is_ok() || v("capacity").trim().is_empty()),
        is_waitlist_enabled: Some(checked("isWaitlistEnabled")),
        is_manual_approval_enabled: Some(checked("isManualApprovalEnabled")),
        // Only when the editor offered the choice (Microsoft mode).
        is_attendee_email_notification_enabled: (v("teamsEmailsShown") == "1").then(|| checked("isAttendeeEmailNotificationEnabled")),
        registration_opens_date_time: optional("registrationOpensDateTime"),
        registration_closes_date_time: optional("registrationClosesDateTime"),
        join_url: optional("joinUrl"),
        terms_url: optional("termsUrl"),
        questions: Some(questions),
        teams_webinar_id: None,
        email_confirmation_minutes: match v("emailConfirmationMinutes").trim() {
            "" => Some(0),
            m => Some(m.parse::<i64>().unwrap_or(-1)),
        },
        teams_webinar_checked_with: None,
        presenters: Some(
            presenters
                .iter()
                .map(|p| PresenterInput {
                    name: p.name.clone(),
                    company: p.company.clone(),
                    job_title: p.job_title.clone(),
                    bio: p.bio.clone(),
                    linked_in_profile_web_url: Some(p.linkedin.clone()),
                    personal_site_web_url: Some(p.website.clone()),
                    twitter_profile_web_url: Some(p.x.clone()),
                    email: Some(p.email.clone()),
                    photo_url: Some(p.photo.clone()),
                })
                .collect(),
        ),
    };
    let shown = EventForm {
        slug: v("slug"),
        title: v("title"),
        summary: v("summary"),
        description: v("description"),
        kind: v("kind"),
        start: v("startDateTime"),
        end: v("endDateTime"),
        time_zone: v("timeZone"),
        capacity: v("capacity"),
        waitlist: checked("isWaitlistEnabled"),
        approval: checked("isManualApprovalEnabled"),
        teams_emails: checked("isAttendeeEmailNotificationEnabled"),
        confirm_minutes: v("emailConfirmationMinutes"),
        opens: v("registrationOpensDateTime"),
        closes: v("registrationClosesDateTime"),
        join_url: v("joinUrl"),
        terms_url: v("termsUrl"),
        predefined,
        questions: custom,
        presenters,
    };
    (input, shown)
}

pub(super) fn capacity_error(form: &Form) -> Option<FieldError> {
    let c = form_value(form, "capacity");
    (!c.trim().is_empty() && c.trim().parse::<i64>().is_err())
        .then(|| FieldError::new("capacity", "Use a whole number, or leave it empty for no limit."))
}

pub(super) async fn create_event(State(state): State<AppState>, Posted { signed, form }: Posted) -> Response {
    let (input, shown) = read_editor(&form);
    if let Some(e) = capacity_error(&form) {
        return editor(
            &state,
            &signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            shown,
            vec![e],
            "/dashboard/events".into(),
            true,
        );
    }
    match manage::create(&state.db, &signed.organizer, &input).await {
        Ok(e) => Redirect::to(&format!("/dashboard/events/{}", e.slug)).into_response(),
        Err(ManageError::Invalid(errors)) => editor(
            &state,
            &signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            shown,
            errors,
            "/dashboard/events".into(),
            true,
        ),
        Err(e) => manage_error(e),
    }
}

pub(super) async fn edit_page(State(state): State<AppState>, signed: SignedIn, Path(slug): Path<String>) -> Response {
    let event = match manage::event(&state.db, &signed.organizer, &slug).await {
        Ok(e) => e,
        Err(e) => return manage_error(e),
    };
    let presenters = match manage::presenter_records(&state.db, &event.id).await {
        Ok(p) => p,
        Err(e) => return server_error(&e),
    };
    let zone = app::tz::parse_zone(&event.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let local = |t: i64| app::tz::local_datetime(t, &zone)[..16].to_string();
    let form = EventForm {
        slug: event.slug.clone(),
        title: event.title.clone(),
        summary: event.summary.clone(),
        description: event.description.clone(),
        kind: event.kind.as_str().into(),
        start: local(event.start_at),
        end: local(event.end_at),
        time_zone: event.time_zone.clone(),
        capacity: event.capacity.map(|c| c.to_string()).unwrap_or_default(),
        waitlist: event.waitlist_enabled,
        approval: event.manual_approval,
        teams_emails: event.teams_emails,
        opens: event.registration_opens_at.map(local).unwrap_or_default(),
        closes: event.registration_closes_at.map(local).unwrap_or_default(),
        join_url: event.join_url.clone().unwrap_or_default(),
        terms_url: event.terms_url.clone().unwrap_or_default(),
        confirm_minutes: event.confirm_hold_minutes.to_string(),
        predefined: event
            .questions
            .iter()
            .filter(|q| q.kind == QuestionKind::Predefined)
            .filter_map(|q| {
                PredefinedLabel::ALL
                    .iter()
                    .find(|l| l.display_name() == q.label)
                    .map(|l| (*l, q.is_required))
            })
            .collect(),
        questions: event
            .questions
            .iter()
            .filter(|q| q.kind == QuestionKind::Custom)
            .map(|q| QuestionRow {
                label: q.label.clone(),
                answer_input_type: q.answer_input_type.as_str().into(),
                choices: q.choices.join("; "),
                is_required: q.is_required,
            })
            .collect(),
        presenters: presenters
            .into_iter()
            .map(|p| PresenterRow {
                name: p.presenter.name,
                company: p.presenter.company,
                job_title: p.presenter.job_title,
                bio: p.presenter.bio,
                linkedin: p.linkedin_url.unwrap_or_default(),
                website: p.website_url.unwrap_or_default(),
                x: p.x_url.unwrap_or_default(),
                email: p.email.unwrap_or_default(),
                photo: p.photo_url.unwrap_or_default(),
            })
            .collect(),
    };
    editor(
        &state,
        &signed,
        StatusCode::OK,
        form,
        Vec::new(),
        format!("/dashboard/events/{slug}/edit"),
        false,
    )
}

pub(super) async fn update_event(State(state): State<AppState>, Path(slug): Path<String>, Posted { signed, form }: Posted) -> Response {
    let (input, shown) = read_editor(&form);
    let action = format!("/dashboard/events/{slug}/edit");
    if let Some(e) = capacity_error(&form) {
        return editor(&state, &signed, StatusCode::UNPROCESSABLE_ENTITY, shown, vec![e], action, false);
    }
    match manage::update(&state.db, &signed.organizer, &slug, &input).await {
        Ok(e) => {
            state.after_write();
            Redirect::to(&format!("/dashboard/events/{}?saved=1", e.slug)).into_response()
        }
        Err(ManageError::Invalid(errors)) => editor(&state, &signed, StatusCode::UNPROCESSABLE_ENTITY, shown, errors, action, false),
        Err(e) => manage_error(e),
    }
}
