//! The registration form posted without JavaScript: read, checked, queued, and answered with a page.

use super::event::{display_zone, event_not_found, event_view, public_event, render_event};
use super::{problem_page, server_error};
use crate::events::Event;
use crate::http::client_addr::ClientAddr;
use crate::registrations::{self, NewRegistration, RegisterError, Registered};
use crate::AppState;
use app::domain::{answer_field, AnswerInputType, FieldError, RawAnswer};
use app::views::FormValues;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

/// Reads a posted registration form into the API's request shape, and what to show again.
pub(super) fn read_form(event: &Event, pairs: &[(String, String)]) -> (NewRegistration, FormValues) {
    let one = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let mut values = FormValues {
        first_name: one("firstName"),
        last_name: one("lastName"),
        email: one("email"),
        answers: Vec::new(),
        accept_terms: one("acceptTerms") == "true",
    };
    let mut answers = Vec::new();
    for q in &event.questions {
        let field = answer_field(&q.id);
        let given: Vec<String> = pairs.iter().filter(|(k, _)| *k == field).map(|(_, v)| v.clone()).collect();
        let mut raw = RawAnswer {
            question_id: q.id.clone(),
            ..Default::default()
        };
        match q.answer_input_type {
            AnswerInputType::MultiChoice => raw.multi_choice_values = Some(given.clone()),
            AnswerInputType::Boolean => raw.boolean_value = Some(given.iter().any(|v| v == "true")),
            _ => raw.value = given.first().cloned().filter(|v| !v.is_empty()),
        }
        values.answers.push((q.id.clone(), given));
        answers.push(raw);
    }
    let input = NewRegistration {
        first_name: values.first_name.clone(),
        last_name: values.last_name.clone(),
        email: values.email.clone(),
        preferred_timezone: one("preferredTimezone"),
        preferred_language: None,
        answers,
        accept_terms: values.accept_terms,
        website: Some(one("website")).filter(|w| !w.is_empty()),
    };
    (input, values)
}

pub(super) fn accept_language(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let first = raw.split(',').next()?.split(';').next()?.trim();
    app::domain::parse_language(first).ok()
}

pub(super) async fn register_form(
    State(state): State<AppState>,
    client: ClientAddr,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let event = match public_event(&state, &slug).await {
        Ok(e) => e,
        Err(page) => return page,
    };
    let pairs: Vec<(String, String)> = match serde_urlencoded::from_bytes(&body) {
        Ok(p) => p,
        Err(_) => {
            return problem_page(
                StatusCode::BAD_REQUEST,
                "We couldn't read that form",
                "Please go back and try again.",
            )
        }
    };
    let (mut input, values) = read_form(&event, &pairs);
    input.preferred_language = accept_language(&headers);
    let zone = display_zone(None, &headers, &event.time_zone);
    let address = client.to_string();
    match registrations::register(&state.registrar, &slug, &input, None, Some(&address)).await {
        Ok(Registered::Created(summary)) | Ok(Registered::Replayed(summary)) => {
            state.after_write();
            match summary.manage_token {
                Some(token) => Redirect::to(&format!("/r/{token}?new=1")).into_response(),
                None => check_your_email(&event, &values.email),
            }
        }
        Ok(Registered::Existing { .. }) => {
            state.after_write();
            let notice = registrations::ALREADY_REGISTERED.to_string();
            render_event(
                StatusCode::OK,
                event_view(&event, zone, values, Vec::new(), Some(notice), state.db.now()),
                None,
            )
        }
        Err(RegisterError::Invalid(errors)) => render_event(
            StatusCode::UNPROCESSABLE_ENTITY,
            event_view(&event, zone, values, errors, None, state.db.now()),
            None,
        ),
        Err(RegisterError::Refused(refusal)) => {
            let errors = vec![FieldError::new("form", refusal.message())];
            render_event(
                StatusCode::CONFLICT,
                event_view(&event, zone, values, errors, None, state.db.now()),
                None,
            )
        }
        Err(RegisterError::Limited(wait)) => {
            let errors = vec![FieldError::new("form", limited_message(wait))];
            let mut r = render_event(
                StatusCode::TOO_MANY_REQUESTS,
                event_view(&event, zone, values, errors, None, state.db.now()),
                None,
            );
            r.headers_mut().insert(header::RETRY_AFTER, wait.into());
            r
        }
        // Forms send no Idempotency-Key.
        Err(RegisterError::KeyReused) => server_error(&"idempotency key on a form post"),
        Err(RegisterError::NotFound) => event_not_found(),
        Err(RegisterError::Db(e)) => server_error(&e),
    }
}

/// What to say to someone refused by the per-address limit.
pub(crate) fn limited_message(wait: i64) -> String {
    format!(
        "Too many registrations have come from your network. Please try again in {} minutes.",
        (wait + 59) / 60
    )
}

/// After registering for an event that asks people to confirm their email address.
pub(super) fn check_your_email(event: &Event, email: &str) -> Response {
    let detail = format!(
        "We've sent a link to {email}. Follow it within {} minutes to confirm your address and keep your place for {}. \
         If it doesn't arrive, check your spam folder.",
        event.confirm_hold_minutes, event.title
    );
    problem_page(StatusCode::OK, "Check your email", &detail)
}
