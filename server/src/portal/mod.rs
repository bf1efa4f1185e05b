//! The public pages: event list, event page with the registration form, and the private
//! manage page. Forms post here as plain HTML forms, so everything works without JavaScript.

use crate::events::{self, Event};
use crate::http::client_addr::ClientAddr;
use crate::http::security::csp;
use crate::registrations::{self, Confirmed, Lookup, NewRegistration, RegisterError, Registered};
use crate::AppState;
use app::domain::{answer_field, AnswerInputType, EventStatus, FieldError, RawAnswer, RegistrationStatus};
use app::pages::{EventDetail, HomePage, ManageDetail, Problem};
use app::views::{EventCard, EventPage, FormSpec, FormValues, ManagePage, PresenterView, Times};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/healthz", get(healthz))
        .route("/events/{slug}", get(event_page).post(register_form))
        .route("/r/{token}", get(manage_page))
        .route("/r/{token}/cancel", post(cancel_form))
        .route("/r/{token}/invite.ics", get(invite))
        .route("/r/{token}/confirm", get(confirm_page).post(confirm_form))
}

pub(crate) fn html(
    state: &AppState,
    status: StatusCode,
    title: &str,
    interactive: bool,
    private: bool,
    body: impl IntoView + 'static,
) -> Response {
    let doc = app::render::document(&state.leptos, &state.config.site_name, title, interactive, move || body);
    let mut response = (status, doc.html).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_str(&csp(Some(&doc.nonce))).expect("valid header"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if private { "no-store" } else { "no-cache" }),
    );
    if private {
        h.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    }
    response
}

pub(crate) fn problem_page(state: &AppState, status: StatusCode, title: &str, detail: &str) -> Response {
    let (t, d) = (title.to_string(), detail.to_string());
    html(state, status, title, false, false, view! { <Problem title=t detail=d /> })
}

pub(crate) fn server_error(state: &AppState, error: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %error, "page failed");
    problem_page(
        state,
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "Please try again in a moment. If it keeps happening, contact the organizer.",
    )
}

pub async fn not_found(State(state): State<AppState>) -> Response {
    problem_page(
        &state,
        StatusCode::NOT_FOUND,
        "Page not found",
        "We couldn't find that page. It may have moved, or the link may be mistyped.",
    )
}

async fn healthz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], "ok").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CACHE_CONTROL, "no-store")],
            "database unreachable",
        )
            .into_response()
    }
}

/// The zone to show times in: `?tz=`, else the visitor's saved choice, else the event's own.
/// The second value says whether the visitor chose it.
fn display_zone(query: Option<&str>, headers: &HeaderMap, fallback: &str) -> (String, bool) {
    if let Some(z) = query.filter(|z| app::tz::parse_zone(z).is_ok()) {
        return (z.to_string(), true);
    }
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("atrium_tz=").map(|v| v.replace("%2F", "/")));
    match cookie.filter(|z| app::tz::parse_zone(z).is_ok()) {
        Some(z) => (z, true),
        None => (fallback.to_string(), false),
    }
}

fn times(event: &Event, zone: &str, chosen: bool) -> Times {
    let tz = app::tz::parse_zone(zone)
        .or_else(|_| app::tz::parse_zone(&event.time_zone))
        .unwrap_or(jiff::tz::TimeZone::UTC);
    Times {
        start_unix: event.start_at,
        end_unix: event.end_at,
        zone: zone.to_string(),
        text: app::tz::format_range(event.start_at, event.end_at, &tz),
        chosen,
    }
}

#[derive(Deserialize)]
struct ZoneQuery {
    tz: Option<String>,
}

async fn home(State(state): State<AppState>, Query(q): Query<ZoneQuery>, headers: HeaderMap) -> Response {
    let now = crate::clock::now();
    let list = match events::upcoming(&state.db, now).await {
        Ok(list) => list,
        Err(e) => return server_error(&state, &e),
    };
    let cards: Vec<EventCard> = list
        .iter()
        .map(|e| {
            let (zone, chosen) = display_zone(q.tz.as_deref(), &headers, &e.time_zone);
            EventCard {
                slug: e.slug.clone(),
                title: e.title.clone(),
                summary: e.summary.clone(),
                kind: e.kind,
                times: times(e, &zone, chosen),
                availability: e.availability(),
            }
        })
        .collect();
    html(&state, StatusCode::OK, "", true, false, view! { <HomePage events=cards /> })
}

fn submit_label(event: &Event) -> String {
    match event.seats().admit() {
        app::domain::Admission::Waitlisted => "Join the waitlist".into(),
        app::domain::Admission::PendingApproval => "Request to attend".into(),
        _ => "Register".into(),
    }
}

pub(crate) fn event_view(
    event: &Event,
    zone: (String, bool),
    values: FormValues,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> EventPage {
    let now = crate::clock::now();
    let closed_reason = match event.window().check(now) {
        Err(refusal) => Some(refusal.message()),
        Ok(()) if event.seats().admit() == app::domain::Admission::Full => Some("This event is full.".into()),
        Ok(()) => None,
    };
    EventPage {
        slug: event.slug.clone(),
        title: event.title.clone(),
        description: event.description.clone(),
        kind: event.kind,
        canceled: event.status == EventStatus::Canceled,
        times: times(event, &zone.0, zone.1),
        availability: event.availability(),
        closed_reason,
        form: FormSpec {
            slug: event.slug.clone(),
            questions: event.questions.clone(),
            terms_url: event.terms_url.clone(),
            preferred_timezone: zone.0.clone(),
            submit_label: submit_label(event),
            values,
            errors,
            notice,
        },
        presenters: event
            .presenters
            .iter()
            .map(|p| PresenterView {
                name: p.name.clone(),
                title_line: [p.job_title.as_str(), p.company.as_str()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", "),
                bio: p.bio.clone(),
                photo_url: p.photo_url.clone(),
                links: p.links.clone(),
            })
            .collect(),
        zones: app::tz::zone_names().to_vec(),
    }
}

fn render_event(state: &AppState, status: StatusCode, page: EventPage, set_zone_cookie: Option<&str>) -> Response {
    let title = page.title.clone();
    let mut response = html(state, status, &title, true, false, view! { <EventDetail page=page /> });
    if let Some(zone) = set_zone_cookie {
        let cookie = format!("atrium_tz={}; Path=/; Max-Age=31536000; SameSite=Lax", zone.replace('/', "%2F"));
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

fn event_not_found(state: &AppState) -> Response {
    problem_page(
        state,
        StatusCode::NOT_FOUND,
        "Event not found",
        "This event doesn't exist or isn't published yet.",
    )
}

/// A published or canceled event with everything its page shows, or the page to send instead.
async fn public_event(state: &AppState, slug: &str) -> Result<Event, Response> {
    match events::public_by_slug(&state.db, slug).await {
        Ok(Some(e)) => Ok(e),
        Ok(None) => Err(event_not_found(state)),
        Err(e) => Err(server_error(state, &e)),
    }
}

async fn event_page(State(state): State<AppState>, Path(slug): Path<String>, Query(q): Query<ZoneQuery>, headers: HeaderMap) -> Response {
    let event = match public_event(&state, &slug).await {
        Ok(e) => e,
        Err(page) => return page,
    };
    let zone = display_zone(q.tz.as_deref(), &headers, &event.time_zone);
    let chosen_now = q.tz.as_deref().filter(|z| app::tz::parse_zone(z).is_ok()).map(str::to_string);
    let page = event_view(&event, zone, FormValues::default(), Vec::new(), None);
    render_event(&state, StatusCode::OK, page, chosen_now.as_deref())
}

/// Reads a posted registration form into the API's request shape, and what to show again.
fn read_form(event: &Event, pairs: &[(String, String)]) -> (NewRegistration, FormValues) {
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

fn accept_language(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let first = raw.split(',').next()?.split(';').next()?.trim();
    app::domain::parse_language(first).ok()
}

async fn register_form(
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
                &state,
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
                None => check_your_email(&state, &event, &values.email),
            }
        }
        Ok(Registered::Existing { .. }) => {
            state.after_write();
            let notice =
                "This email address is already registered for this event. We've emailed the details and your private link to it again."
                    .to_string();
            render_event(
                &state,
                StatusCode::OK,
                event_view(&event, zone, values, Vec::new(), Some(notice)),
                None,
            )
        }
        Err(RegisterError::Invalid(errors)) => render_event(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            event_view(&event, zone, values, errors, None),
            None,
        ),
        Err(RegisterError::Refused(refusal)) => {
            let errors = vec![FieldError::new("form", refusal.message())];
            render_event(&state, StatusCode::CONFLICT, event_view(&event, zone, values, errors, None), None)
        }
        Err(RegisterError::Limited(wait)) => {
            let errors = vec![FieldError::new("form", limited_message(wait))];
            let mut r = render_event(
                &state,
                StatusCode::TOO_MANY_REQUESTS,
                event_view(&event, zone, values, errors, None),
                None,
            );
            r.headers_mut().insert(header::RETRY_AFTER, wait.into());
            r
        }
        // Forms send no Idempotency-Key.
        Err(RegisterError::KeyReused) => server_error(&state, &"idempotency key on a form post"),
        Err(RegisterError::NotFound) => event_not_found(&state),
        Err(RegisterError::Db(e)) => server_error(&state, &e),
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
fn check_your_email(state: &AppState, event: &Event, email: &str) -> Response {
    let detail = format!(
        "We've sent a link to {email}. Follow it within {} minutes to confirm your address and keep your place for {}. \
         If it doesn't arrive, check your spam folder.",
        event.confirm_hold_minutes, event.title
    );
    problem_page(state, StatusCode::OK, "Check your email", &detail)
}

#[derive(Deserialize)]
struct ManageQuery {
    new: Option<String>,
    canceled: Option<String>,
    tz: Option<String>,
}

/// The registration and event behind a manage link, or the page to show instead.
async fn load_manage(state: &AppState, token: &str) -> Result<(registrations::Registration, Event), Response> {
    match registrations::find(&state.db, token, state.config.manage_link_days, crate::clock::now()).await {
        Ok(Lookup::Found(found)) => Ok(*found),
        Ok(Lookup::Expired { ended_at }) => Err(expired(state, ended_at)),
        Ok(Lookup::Missing) => Err(gone(state)),
        Err(e) => Err(server_error(state, &e)),
    }
}

fn gone(state: &AppState) -> Response {
    problem_page(
        state,
        StatusCode::NOT_FOUND,
        "Registration not found",
        "This link doesn't match a registration. Check that you copied the whole link from your email.",
    )
}

fn expired(state: &AppState, ended_at: i64) -> Response {
    let ended = jiff::Timestamp::from_second(ended_at)
        .map(|t| t.strftime("%B %-d, %Y").to_string())
        .unwrap_or_default();
    problem_page(
        state,
        StatusCode::GONE,
        "This link has expired",
        &format!(
            "Links to manage a registration stop working {} days after the event. This event ended on {ended}.",
            state.config.manage_link_days
        ),
    )
}

async fn manage_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<ManageQuery>,
    headers: HeaderMap,
) -> Response {
    let (reg, event) = match load_manage(&state, &token).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let position = match registrations::position_of(&state.db, &reg).await {
        Ok(p) => p,
        Err(e) => return server_error(&state, &e),
    };
    let (zone, chosen) = display_zone(q.tz.as_deref(), &headers, &reg.preferred_timezone);
    let page = ManagePage {
        token: token.clone(),
        just_registered: q.new.is_some(),
        just_canceled: q.canceled.is_some(),
        event_slug: event.slug.clone(),
        event_title: event.title.clone(),
        event_kind: event.kind,
        event_canceled: event.status == EventStatus::Canceled,
        times: times(&event, &zone, chosen),
        first_name: reg.first_name.clone(),
        last_name: reg.last_name.clone(),
        email: reg.email.clone(),
        status: reg.status,
        waitlist_position: position,
        join_url: event
            .join_link()
            .map(str::to_string)
            .filter(|_| reg.status == RegistrationStatus::Registered),
        teams_sends_link: event.teams_sends_links(),
        answers: reg.answers.iter().map(|a| (a.display_name.clone(), a.as_text())).collect(),
        can_cancel: reg.status.can_become(RegistrationStatus::Canceled)
            && event.status != EventStatus::Canceled
            && event.end_at > crate::clock::now(),
    };
    let title = format!("Your registration: {}", event.title);
    html(&state, StatusCode::OK, &title, true, true, view! { <ManageDetail page=page /> })
}

async fn cancel_form(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let (reg, _) = match load_manage(&state, &token).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    match registrations::cancel_by_id(&state.db, &reg.id).await {
        Ok(_) => {
            state.after_write();
            Redirect::to(&format!("/r/{token}?canceled=1")).into_response()
        }
        Err(registrations::CancelError::NotFound) => gone(&state),
        Err(registrations::CancelError::Db(e)) => server_error(&state, &e),
    }
}

/// The page an email-confirmation link opens: a button, so that mail scanners that follow
/// links do not confirm on the person's behalf.
async fn confirm_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let (reg, event) = match load_manage(&state, &token).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    if reg.status != RegistrationStatus::Unconfirmed {
        return Redirect::to(&format!("/r/{token}")).into_response();
    }
    let page = app::pages::ConfirmAddress {
        action: format!("/r/{token}/confirm"),
        event_title: event.title.clone(),
        email: reg.email.clone(),
    };
    html(
        &state,
        StatusCode::OK,
        "Confirm your email address",
        false,
        true,
        view! { <app::pages::ConfirmAddressPage page=page /> },
    )
}

async fn confirm_form(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let (reg, _) = match load_manage(&state, &token).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    match registrations::confirm(&state.db, &reg.id, crate::clock::now()).await {
        Ok(Confirmed::Now(_)) => {
            state.after_write();
            Redirect::to(&format!("/r/{token}?new=1")).into_response()
        }
        Ok(Confirmed::Already(_)) => Redirect::to(&format!("/r/{token}")).into_response(),
        Ok(Confirmed::Expired) => problem_page(
            &state,
            StatusCode::GONE,
            "This confirmation link has expired",
            "Your place was released because the address wasn't confirmed in time. You can register again from the event page.",
        ),
        Ok(Confirmed::Full) => problem_page(
            &state,
            StatusCode::CONFLICT,
            "The event filled up",
            "Your address is confirmed, but the event filled up in the meantime and has no waitlist.",
        ),
        Err(registrations::CancelError::NotFound) => gone(&state),
        Err(registrations::CancelError::Db(e)) => server_error(&state, &e),
    }
}

async fn invite(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let (reg, event) = match load_manage(&state, &token).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let ics = crate::notify::mail::invite(&state.config, &event, &reg, &token, reg.status == RegistrationStatus::Canceled);
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"invite.ics\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        ics,
    )
        .into_response()
}
