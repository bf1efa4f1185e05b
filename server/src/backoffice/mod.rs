//! The organizer dashboard (`/dashboard`) and sign-in. Every page needs a session; every form
//! carries the session's CSRF token and is refused without it.

pub mod notice;

use crate::accounts::auth::{self, SignedIn};
use crate::backoffice::notice::{Notice, NoticeQuery};
use crate::events::Event;
use crate::events::{self as manage, EventInput, ManageError, PresenterInput, QuestionInput};
use crate::http::client_addr::ClientAddr;
use crate::microsoft::delegated::{Account, OidcPurpose};
use crate::portal::{html, problem_page, server_error};
use crate::registrations::organizer::Decision;
use crate::AppState;
use app::dashboard::{
    DashEventRow, DashNav, EventEditor, EventForm, EventOverview, EventOverviewPage, EventsList, LoginPage, PresenterRow, QuestionRow,
    RegistrantView, TokenView, TokensPage,
};
use app::domain::{FieldError, PredefinedLabel, QuestionKind, RegistrationStatus};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;
use serde::Deserialize;
use sqlx::Row;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/login/microsoft", get(microsoft_sign_in))
        .route("/login/microsoft/callback", get(microsoft_sign_in_callback))
        .route("/dashboard", get(events_page))
        .route("/dashboard/events/new", get(new_event_page))
        .route("/dashboard/events", post(create_event))
        .route("/dashboard/events/{slug}", get(overview))
        .route("/dashboard/events/{slug}/edit", get(edit_page).post(update_event))
        .route("/dashboard/events/{slug}/publish", post(publish))
        .route("/dashboard/events/{slug}/cancel", post(cancel))
        .route("/dashboard/events/{slug}/duplicate", post(duplicate))
        .route("/dashboard/events/{slug}/announce", post(announce))
        .route("/dashboard/events/{slug}/reminders", post(set_reminders))
        .route("/dashboard/events/{slug}/messages", get(messages))
        .route("/dashboard/events/{slug}/attendance", post(import_attendance))
        .route("/dashboard/events/{slug}/registrations.csv", get(csv))
        .route("/dashboard/events/{slug}/registrations/{id}/{action}", post(decide))
        .route("/dashboard/events/{slug}/organizers", post(set_organizers))
        .route("/dashboard/events/{slug}/preview", get(preview))
        .route("/dashboard/team", get(team_page).post(invite))
        .route("/invite/{token}", get(invitation_page).post(accept_invitation))
        .route("/dashboard/microsoft", get(microsoft_page))
        .route("/dashboard/microsoft/connect", post(microsoft_connect))
        .route("/dashboard/microsoft/callback", get(microsoft_callback))
        .route("/dashboard/microsoft/disconnect", post(microsoft_disconnect))
        .route("/dashboard/microsoft/link", post(microsoft_link))
        .route("/dashboard/microsoft/unlink", post(microsoft_unlink))
        .route("/dashboard/microsoft/check", post(microsoft_check))
        .route("/dashboard/microsoft/import", post(microsoft_import))
        .route("/dashboard/tokens", get(tokens_page).post(create_token))
        .route("/dashboard/activity", get(activity_page))
        .route("/dashboard/tokens/{id}/revoke", post(revoke_token))
}

type Form = Vec<(String, String)>;

fn form_value(form: &Form, name: &str) -> String {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

fn parse_form(body: &Bytes) -> Form {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

/// The form's CSRF token must match the session's, compared in constant time.
fn check_csrf(state: &AppState, signed: &SignedIn, form: &Form) -> Result<(), Response> {
    let given = form_value(form, "csrf");
    let ok = given.len() == signed.csrf.len() && given.bytes().zip(signed.csrf.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if ok {
        Ok(())
    } else {
        Err(problem_page(
            state,
            StatusCode::FORBIDDEN,
            "This form has expired",
            "Go back, reload the page and try again.",
        ))
    }
}

fn dash(state: &AppState, signed: &SignedIn, status: StatusCode, title: &str, body: impl IntoView + 'static) -> Response {
    let nav_org = signed.organizer.organization_name.clone();
    let nav_email = signed.organizer.email.clone();
    let csrf = signed.csrf.clone();
    html(
        state,
        status,
        title,
        false,
        true,
        view! {
            <DashNav organization=nav_org email=nav_email csrf=csrf />
            {body}
        },
    )
}

fn manage_error(state: &AppState, error: ManageError) -> Response {
    match error {
        ManageError::NotFound => problem_page(
            state,
            StatusCode::NOT_FOUND,
            "Not found",
            "There is no such event or registration in your organization.",
        ),
        ManageError::Conflict(m) => problem_page(state, StatusCode::CONFLICT, "Not possible now", &m),
        ManageError::Invalid(errors) => problem_page(
            state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Please check the form",
            &errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" "),
        ),
        ManageError::Db(e) => server_error(state, &e),
    }
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Where to go after signing in: only a path on this site, so the sign-in page can't send
/// people elsewhere. It must start with one `/` and hold no control character or whitespace
/// (browsers drop tabs and line breaks, so `/\t/evil.example` would become `//evil.example`),
/// no backslash, no `//` and nothing a URL parser reads otherwise; else the dashboard.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    const HOME: &str = "/dashboard";
    let Some(n) = next else { return HOME.into() };
    let ok = n.starts_with('/')
        && n.len() <= 2_000
        && !n.contains("//")
        && !n.contains('\\')
        && !n.chars().any(|c| c.is_control() || c.is_whitespace())
        && n.parse::<axum::http::uri::PathAndQuery>().is_ok_and(|p| p.as_str() == n);
    if ok {
        n.to_string()
    } else {
        HOME.into()
    }
}

async fn login_page(State(state): State<AppState>, Query(q): Query<NextQuery>) -> Response {
    let next = safe_next(q.next.as_deref());
    html(
        &state,
        StatusCode::OK,
        "Sign in",
        false,
        true,
        view! { <LoginPage email=String::new() next=next error=None microsoft=state.microsoft.is_some() /> },
    )
}

/// Starts "Sign in with Microsoft".
async fn microsoft_sign_in(State(state): State<AppState>, client: ClientAddr, Query(q): Query<NextQuery>) -> Response {
    let Some(m) = &state.microsoft else { return microsoft_off(&state) };
    let next = safe_next(q.next.as_deref());
    // Each start stores a short-lived state: an address gets a bounded number of them.
    let limit = crate::limits::MICROSOFT_SIGN_IN;
    let counted = async {
        let mut tx = state.db.begin_write().await?;
        let count = crate::limits::hit(&mut tx, limit, &client.to_string(), crate::clock::now()).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(count)
    };
    match counted.await {
        Ok(count) => {
            if let Some(wait) = count.exceeded(limit) {
                let mut r = problem_page(
                    &state,
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many sign-ins started",
                    &format!("Please try again in {} minutes.", (wait + 59) / 60),
                );
                r.headers_mut().insert(header::RETRY_AFTER, wait.into());
                return r;
            }
        }
        Err(e) => return server_error(&state, &e),
    }
    match m.sign_in_url(&next).await {
        Ok((url, oauth_state)) => {
            // The state travels in the URL; the same value in a cookie proves this browser began it.
            let mut r = Redirect::to(&url).into_response();
            r.headers_mut().insert(
                header::SET_COOKIE,
                HeaderValue::from_str(&auth::oidc_cookie(&oauth_state, 600)).expect("valid cookie"),
            );
            r
        }
        Err(e) => problem_page(
            &state,
            StatusCode::BAD_GATEWAY,
            "Could not start the Microsoft sign-in",
            &e.to_string(),
        ),
    }
}

async fn microsoft_sign_in_callback(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<CallbackQuery>) -> Response {
    let Some(m) = &state.microsoft else { return microsoft_off(&state) };
    let refuse = |message: &str| {
        let message = message.to_string();
        let mut r = html(
            &state,
            StatusCode::BAD_REQUEST,
            "Sign in",
            false,
            true,
            view! { <LoginPage email=String::new() next="/dashboard".to_string() error=Some(message) microsoft=true /> },
        );
        r.headers_mut().insert(
            header::SET_COOKIE,
            HeaderValue::from_str(&auth::oidc_cookie("", 0)).expect("valid cookie"),
        );
        r
    };
    if let Some(error) = q.error {
        let detail = q.error_description.unwrap_or(error);
        return refuse(&format!("Microsoft did not sign you in: {}", detail.lines().next().unwrap_or("")));
    }
    let (Some(code), Some(oauth_state)) = (q.code, q.state) else {
        return refuse("Incomplete answer from Microsoft; try again.");
    };
    if auth::cookie_value(&headers, auth::OIDC_COOKIE).as_deref() != Some(oauth_state.as_str()) {
        return refuse("This sign-in was started in another browser; try again.");
    }
    let (user, purpose) = match m.finish_sign_in(&oauth_state, &code).await {
        Ok(found) => found,
        Err(crate::microsoft::delegated::DelegatedError::Db(e)) => return server_error(&state, &e),
        Err(e) => return refuse(&e.to_string()),
    };
    let next = match purpose {
        OidcPurpose::SignIn { next } => next,
        OidcPurpose::Link {
            organizer_id,
            session_hash,
        } => {
            let mut r = finish_microsoft_link(&state, &headers, &user, &organizer_id, &session_hash).await;
            r.headers_mut().append(
                header::SET_COOKIE,
                HeaderValue::from_str(&auth::oidc_cookie("", 0)).expect("valid cookie"),
            );
            return r;
        }
    };
    // Only an organizer who linked this Microsoft account (object id and tenant) while signed
    // in; never one found by the account's email, which is neither fixed nor verified.
    let organizer = match auth::organizer_for_microsoft(&state.db, &user.oid, &user.tid).await {
        Ok(Some(o)) => o,
        Ok(None) => {
            tracing::info!(
                target: "atrium::security",
                event = "microsoft_sign_in_unlinked",
                microsoft_oid = %user.oid,
                microsoft_tid = %user.tid,
                "sign-in with a Microsoft account no organizer linked"
            );
            return refuse(&format!(
                "The Microsoft account {} is not linked to an organizer account here. Sign in with your email and password, then link your Microsoft account on the dashboard's Microsoft 365 page.",
                if user.email.is_empty() {
                    "you signed in with"
                } else {
                    user.email.as_str()
                }
            ));
        }
        Err(e) => return server_error(&state, &e),
    };
    if let Some(old) = auth::cookie_value(&headers, auth::SESSION_COOKIE) {
        let _ = auth::end_session(&state.db, &old).await;
    }
    match auth::start_session(&state.db, &organizer).await {
        Ok(secret) => {
            let mut r = Redirect::to(&safe_next(Some(&next))).into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                HeaderValue::from_str(&auth::session_cookie(&secret)).expect("valid cookie"),
            );
            r.headers_mut().append(
                header::SET_COOKIE,
                HeaderValue::from_str(&auth::oidc_cookie("", 0)).expect("valid cookie"),
            );
            r
        }
        Err(e) => server_error(&state, &e),
    }
}

/// Completes "Link Microsoft account": only in the session that started it, and only for the
/// organizer who started it.
async fn finish_microsoft_link(
    state: &AppState,
    headers: &HeaderMap,
    user: &crate::microsoft::delegated::MicrosoftUser,
    organizer_id: &str,
    session_hash: &str,
) -> Response {
    let not_linked = |message: &str| problem_page(state, StatusCode::BAD_REQUEST, "Microsoft account not linked", message);
    let secret = auth::cookie_value(headers, auth::SESSION_COOKIE).filter(|s| crate::crypto::sha256_hex(s) == session_hash);
    let current = match &secret {
        Some(secret) => match auth::session(&state.db, secret).await {
            Ok(found) => found,
            Err(e) => return server_error(state, &e),
        },
        None => None,
    };
    let Some((organizer, _)) = current.filter(|(o, _)| o.id == organizer_id) else {
        return not_linked("This link was started in another session. Sign in, then start it again from the Microsoft 365 page.");
    };
    let shown = [&user.email, &user.name, &user.oid]
        .into_iter()
        .find(|s| !s.is_empty())
        .cloned()
        .unwrap_or_default();
    match auth::link_microsoft(&state.db, &organizer, &user.oid, &user.tid, &shown).await {
        Ok(()) => Redirect::to(&format!("/dashboard/microsoft?{}", Notice::Linked.query())).into_response(),
        Err(auth::AuthError::Invalid(m)) => problem_page(state, StatusCode::CONFLICT, "Microsoft account not linked", &m),
        Err(auth::AuthError::Db(e)) => server_error(state, &e),
    }
}

async fn login(State(state): State<AppState>, client: ClientAddr, headers: HeaderMap, body: Bytes) -> Response {
    let form = parse_form(&body);
    let email = form_value(&form, "email");
    let password = form_value(&form, "password");
    let next = safe_next(Some(&form_value(&form, "next")));
    let address = client.to_string();
    let fail = |status: StatusCode, message: String| {
        let (email, next) = (email.clone(), next.clone());
        html(
            &state,
            status,
            "Sign in",
            false,
            true,
            view! { <LoginPage email=email next=next error=Some(message) microsoft=state.microsoft.is_some() /> },
        )
    };
    let organizer = match auth::sign_in_with_password(&state.db, &state.hasher, &email, &password, &address).await {
        Ok(o) => o,
        Err(auth::SignInFailure::Limited(wait)) => {
            let mut r = fail(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Too many sign-in attempts from your network. Try again in {} minutes.",
                    (wait + 59) / 60
                ),
            );
            r.headers_mut().insert(header::RETRY_AFTER, wait.into());
            return r;
        }
        Err(auth::SignInFailure::Busy) => {
            let mut r = fail(
                StatusCode::SERVICE_UNAVAILABLE,
                "The server is busy right now. Please try again in a moment.".into(),
            );
            r.headers_mut().insert(header::RETRY_AFTER, 2.into());
            return r;
        }
        Err(auth::SignInFailure::Wrong) => return fail(StatusCode::UNAUTHORIZED, "Wrong email or password.".into()),
        Err(auth::SignInFailure::Db(e)) => return server_error(&state, &e),
    };
    // A fresh session at every sign-in; any session this browser had ends.
    if let Some(old) = auth::cookie_value(&headers, auth::SESSION_COOKIE) {
        let _ = auth::end_session(&state.db, &old).await;
    }
    match auth::start_session(&state.db, &organizer).await {
        Ok(secret) => {
            let mut r = Redirect::to(&next).into_response();
            r.headers_mut().insert(
                header::SET_COOKIE,
                HeaderValue::from_str(&auth::session_cookie(&secret)).expect("valid cookie"),
            );
            r
        }
        Err(e) => server_error(&state, &e),
    }
}

async fn logout(State(state): State<AppState>, signed: SignedIn, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = check_csrf(&state, &signed, &parse_form(&body)) {
        return r;
    }
    if let Some(secret) = auth::cookie_value(&headers, auth::SESSION_COOKIE) {
        if let Err(e) = auth::end_session(&state.db, &secret).await {
            return server_error(&state, &e);
        }
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&auth::clear_session_cookie()).expect("valid cookie"),
    );
    r
}

fn when(e: &Event) -> String {
    let zone = app::tz::parse_zone(&e.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    app::tz::format_range(e.start_at, e.end_at, &zone)
}

async fn events_page(State(state): State<AppState>, signed: SignedIn) -> Response {
    let list = match manage::list(&state.db, &signed.organizer).await {
        Ok(l) => l,
        Err(e) => return manage_error(&state, e),
    };
    let rows = list
        .iter()
        .map(|e| DashEventRow {
            slug: e.slug.clone(),
            title: e.title.clone(),
            status: e.status.as_str().into(),
            when: when(e),
            registered: e.registered_count,
            capacity: e.capacity,
            waitlisted: e.waitlisted_count,
            pending: e.pending_count,
        })
        .collect();
    dash(&state, &signed, StatusCode::OK, "Events", view! { <EventsList rows=rows /> })
}

fn editor(
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
        state,
        signed,
        status,
        title,
        view! { <EventEditor form=form errors=errors csrf=csrf action=action zones=zones is_new=is_new microsoft=microsoft /> },
    )
}

async fn new_event_page(State(state): State<AppState>, signed: SignedIn) -> Response {
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
fn read_editor(form: &Form) -> (EventInput, EventForm) {
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

fn capacity_error(form: &Form) -> Option<FieldError> {
    let c = form_value(form, "capacity");
    (!c.trim().is_empty() && c.trim().parse::<i64>().is_err())
        .then(|| FieldError::new("capacity", "Use a whole number, or leave it empty for no limit."))
}

async fn create_event(State(state): State<AppState>, signed: SignedIn, body: Bytes) -> Response {
    let form = parse_form(&body);
    if let Err(r) = check_csrf(&state, &signed, &form) {
        return r;
    }
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
        Err(e) => manage_error(&state, e),
    }
}

async fn edit_page(State(state): State<AppState>, signed: SignedIn, Path(slug): Path<String>) -> Response {
    let event = match manage::event(&state.db, &signed.organizer, &slug).await {
        Ok(e) => e,
        Err(e) => return manage_error(&state, e),
    };
    let presenters = match manage::presenter_records(&state.db, &event.id).await {
        Ok(p) => p,
        Err(e) => return server_error(&state, &e),
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

async fn update_event(State(state): State<AppState>, signed: SignedIn, Path(slug): Path<String>, body: Bytes) -> Response {
    let form = parse_form(&body);
    if let Err(r) = check_csrf(&state, &signed, &form) {
        return r;
    }
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
        Err(e) => manage_error(&state, e),
    }
}

#[derive(Deserialize)]
struct OverviewQuery {
    status: Option<String>,
    q: Option<String>,
    page: Option<String>,
    saved: Option<String>,
    #[serde(flatten)]
    notice: NoticeQuery,
}

const PAGE_SIZE: i64 = 25;

async fn overview(State(state): State<AppState>, signed: SignedIn, Path(slug): Path<String>, Query(q): Query<OverviewQuery>) -> Response {
    let event = match manage::event(&state.db, &signed.organizer, &slug).await {
        Ok(e) => e,
        Err(e) => return manage_error(&state, e),
    };
    let status = q.status.as_deref().and_then(RegistrationStatus::parse);
    // Anything but a sensible page number shows the first page.
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| (1..=crate::registrations::organizer::MAX_PAGE).contains(p))
        .unwrap_or(1);
    let (rows, total) = match crate::registrations::organizer::registrants(
        &state.db,
        &signed.organizer,
        &slug,
        status,
        q.q.as_deref(),
        (PAGE_SIZE, (page - 1) * PAGE_SIZE),
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return manage_error(&state, e),
    };
    let stats = match registration_stats(&state, &event).await {
        Ok(s) => s,
        Err(e) => return server_error(&state, &e),
    };
    let zone = app::tz::parse_zone(&event.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let reminders = match crate::events::reminders::list(&state.db, &event.id).await {
        Ok(r) => r,
        Err(e) => return server_error(&state, &e),
    };
    let attended = match crate::attendance::by_email(&state.db, &event.id).await {
        Ok(a) => a,
        Err(e) => return server_error(&state, &e),
    };
    let local = |t: i64| app::tz::zoned(t, &zone).strftime("%Y-%m-%d %H:%M %Z").to_string();
    let reminder_hours = reminders
        .iter()
        .map(|r| format_hours(r.offset_minutes))
        .collect::<Vec<_>>()
        .join(", ");
    let reminders = reminders
        .iter()
        .map(|r| {
            let state = match r.sent_at {
                Some(t) => format!("sent {}", local(t)),
                None => format!("scheduled for {}", local(event.start_at - r.offset_minutes * 60)),
            };
            (format!("{} before", crate::events::reminders::describe(r.offset_minutes)), state)
        })
        .collect();
    let attendance = (!attended.is_empty()).then(|| crate::attendance::histogram(attended.values().copied()));
    let (members, organizing) = match (
        crate::accounts::team::members(&state.db, &signed.organizer).await,
        crate::events::organizers::event_organizers(&state.db, &signed.organizer, &slug).await,
    ) {
        (Ok(m), Ok(o)) => (m, o),
        (Err(e), _) => return server_error(&state, &e),
        (_, Err(e)) => return manage_error(&state, e),
    };
    let organizers = members
        .into_iter()
        .map(|m| {
            let on = organizing.iter().any(|o| o.id == m.id);
            (m.id, m.email, on)
        })
        .collect();
    let teams = if state.teams.is_some() {
        match teams_status(&state, &event).await {
            Ok(t) => t,
            Err(e) => return server_error(&state, &e),
        }
    } else {
        None
    };
    let page_data = EventOverview {
        teams,
        organizers,
        attendance,
        reminders,
        reminder_hours,
        slug: event.slug.clone(),
        title: event.title.clone(),
        status: event.status.as_str().into(),
        when: when(&event),
        public_url: format!("/events/{}", event.slug),
        counts: stats.0,
        per_day: stats.1,
        registrants: rows
            .into_iter()
            .map(|r| RegistrantView {
                attended: attended
                    .get(&r.email.to_lowercase())
                    .map(|s| format!("{} min", (s + 30) / 60))
                    .unwrap_or_else(|| "—".into()),
                id: r.id,
                name: format!("{} {}", r.first_name, r.last_name),
                email: r.email,
                status: r.status,
                registered_at: r
                    .registration_date_time
                    .parse::<jiff::Timestamp>()
                    .map(|t| t.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
                answers: r
                    .registration_question_answers
                    .iter()
                    .map(|a| format!("{}: {}", a.display_name, a.as_text()))
                    .collect::<Vec<_>>()
                    .join(" · "),
            })
            .collect(),
        total,
        page,
        pages: (total + PAGE_SIZE - 1) / PAGE_SIZE,
        filter_status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        search: q.q.clone().unwrap_or_default(),
        notice: q
            .saved
            .map(|_| Notice::Saved.text())
            .or_else(|| crate::backoffice::notice::from_query(&q.notice)),
        error: None,
    };
    let csrf = signed.csrf.clone();
    let title = event.title.clone();
    dash(
        &state,
        &signed,
        StatusCode::OK,
        &title,
        view! { <EventOverviewPage page=page_data csrf=csrf /> },
    )
}

type Stats = (Vec<(String, i64)>, Vec<(String, i64)>);

/// Registrations by status, and new registrations per day over the last two weeks in the
/// event's time zone.
async fn registration_stats(state: &AppState, event: &Event) -> Result<Stats, sqlx::Error> {
    let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM registrations WHERE event_id = $1 GROUP BY status")
        .bind(&event.id)
        .fetch_all(&state.db.pool)
        .await?;
    let mut by_status = Vec::new();
    for s in RegistrationStatus::ALL {
        let n = rows
            .iter()
            .find(|r| r.try_get::<String, _>("status").ok().as_deref() == Some(s.as_str()))
            .map(|r| r.try_get::<i64, _>("n"))
            .transpose()?
            .unwrap_or(0);
        by_status.push((s.as_str().to_string(), n));
    }
    let zone = app::tz::parse_zone(&event.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let today = jiff::Timestamp::now().to_zoned(zone.clone()).date();
    let days: Vec<jiff::civil::Date> = (0..14)
        .rev()
        .filter_map(|d| today.checked_sub(jiff::Span::new().days(d)).ok())
        .collect();
    let since = days[0].to_zoned(zone.clone()).map(|z| z.timestamp().as_second()).unwrap_or(0);
    let created: Vec<i64> = sqlx::query_scalar("SELECT created_at FROM registrations WHERE event_id = $1 AND created_at >= $2")
        .bind(&event.id)
        .bind(since)
        .fetch_all(&state.db.pool)
        .await?;
    let mut per_day: Vec<(String, i64)> = days.iter().map(|d| (d.strftime("%b %-d").to_string(), 0)).collect();
    for t in created {
        let day = app::tz::zoned(t, &zone).date();
        if let Some(i) = days.iter().position(|d| *d == day) {
            per_day[i].1 += 1;
        }
    }
    Ok((by_status, per_day))
}

async fn simple_action(state: &AppState, signed: &SignedIn, slug: &str, body: &Bytes, action: &str) -> Response {
    let form = parse_form(body);
    if let Err(r) = check_csrf(state, signed, &form) {
        return r;
    }
    let org = &signed.organizer;
    let result = match action {
        "publish" => manage::publish(&state.db, org, slug, state.microsoft.is_some())
            .await
            .map(|e| (e.slug, Notice::Published)),
        "cancel" => {
            let message = form_value(&form, "message");
            manage::cancel(&state.db, org, slug, Some(&message))
                .await
                .map(|e| (e.slug, Notice::Canceled))
        }
        "duplicate" => manage::duplicate(&state.db, org, slug).await.map(|e| (e.slug, Notice::Duplicated)),
        "announce" => {
            let statuses: Vec<RegistrationStatus> = form
                .iter()
                .filter(|(k, _)| k == "status")
                .filter_map(|(_, v)| RegistrationStatus::parse(v))
                .collect();
            manage::announce(&state.db, org, slug, &statuses, &form_value(&form, "message"))
                .await
                .map(|n| (slug.to_string(), Notice::Announced(n as i64)))
        }
        _ => Err(ManageError::NotFound),
    };
    match result {
        Ok((slug, notice)) => {
            state.after_write();
            Redirect::to(&format!("/dashboard/events/{slug}?{}", notice.query())).into_response()
        }
        Err(e) => manage_error(state, e),
    }
}

async fn publish(State(state): State<AppState>, signed: SignedIn, Path(slug): Path<String>, body: Bytes) -> Response {
    simple_action(&state, &signed, &slug, &body, "publish").await
}

async fn cancel(State(state): State<AppState>, signed: SignedIn, Path(slug): Path<String>, body: Bytes) -> Response {
    simple_action(&state, &signed, &slug, &body, "cancel").await
}

async fn duplicate(State(state): State<AppState>, signed: SignedIn, Path(slug): Path<String>, body: Bytes) -> Response {
    simple_action(&state, &signed, &slug, &body, "duplicate").await
}

async fn announce(State(state): State<AppState>, signed: SignedIn, Path(slug): Path<String>, body: Bytes) -> Response {
    simple_action(&state, &signed, &slug, &body, "announce").await
}

async fn decide(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((slug, id, action)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let form = parse_form(&body);
    if let Err(r) = check_csrf(&state, &signed, &form) {
        return r;
    }
    let Some(decision) = Decision::parse(&action) else {
        return manage_error(&state, ManageError::NotFound);
    };
    match crate::registrations::organizer::decide(&state.db, &signed.organizer, &slug, &id, decision).await {
        Ok(status) => {
            state.after_write();
            Redirect::to(&format!("/dashboard/events/{slug}?{}", Notice::Status(status).query())).into_response()
        }
        Err(e) => manage_error(&state, e),
    }
}

async fn csv(State(state): State<AppState>, signed: SignedIn, Path(slug): Path<String>) -> Response {
    match crate::registrations::organizer::registrants_csv(&state.db, &signed.organizer, &slug).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{slug}-registrations.csv\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            csv,
        )
            .into_response(),
        Err(e) => manage_error(&state, e),
    }
}

async fn tokens_view(state: &AppState, signed: &SignedIn, new_token: Option<String>) -> Response {
    let tokens = match crate::accounts::tokens::list(&state.db, &signed.organizer).await {
        Ok(t) => t,
        Err(e) => return server_error(state, &e),
    };
    let fmt = |t: i64| {
        jiff::Timestamp::from_second(t)
            .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default()
    };
    let rows = tokens
        .into_iter()
        .map(|t| TokenView {
            id: t.id,
            name: t.name,
            created_by: t.created_by,
            created: fmt(t.created_at),
            last_used: t.last_used_at.map(fmt).unwrap_or_else(|| "never".into()),
            state: match (t.revoked_at, t.expires_at) {
                (Some(_), _) => "Revoked".into(),
                (None, Some(e)) if e <= crate::clock::now() => "Expired".into(),
                _ => "Active".into(),
            },
            expires: t.expires_at.map(fmt).unwrap_or_else(|| "never".into()),
            scope: match t.scope {
                crate::accounts::tokens::Scope::Read => "Read only".into(),
                crate::accounts::tokens::Scope::Write => "Read and write".into(),
            },
        })
        .collect();
    let csrf = signed.csrf.clone();
    dash(
        state,
        signed,
        StatusCode::OK,
        "API tokens",
        view! { <TokensPage tokens=rows new_token=new_token csrf=csrf /> },
    )
}

async fn tokens_page(State(state): State<AppState>, signed: SignedIn) -> Response {
    tokens_view(&state, &signed, None).await
}

async fn create_token(State(state): State<AppState>, signed: SignedIn, body: Bytes) -> Response {
    let form = parse_form(&body);
    if let Err(r) = check_csrf(&state, &signed, &form) {
        return r;
    }
    let spec = crate::accounts::tokens::NewToken {
        name: form_value(&form, "name"),
        expires_in_days: match form_value(&form, "expires").as_str() {
            "never" => None,
            days => Some(days.parse().unwrap_or(90)),
        },
        scope: if form_value(&form, "scope") == "read" {
            crate::accounts::tokens::Scope::Read
        } else {
            crate::accounts::tokens::Scope::Write
        },
    };
    match crate::accounts::tokens::create(&state.db, &signed.organizer, &spec).await {
        Ok((_, token)) => tokens_view(&state, &signed, Some(token)).await,
        Err(auth::AuthError::Invalid(m)) => problem_page(&state, StatusCode::UNPROCESSABLE_ENTITY, "Please check the form", &m),
        Err(auth::AuthError::Db(e)) => server_error(&state, &e),
    }
}

async fn revoke_token(State(state): State<AppState>, signed: SignedIn, Path(id): Path<String>, body: Bytes) -> Response {
    if let Err(r) = check_csrf(&state, &signed, &parse_form(&body)) {
        return r;
    }
    match crate::accounts::tokens::revoke(&state.db, &signed.organizer, &id).await {
        Ok(true) => Redirect::to("/dashboard/tokens").into_response(),
        Ok(false) => manage_error(&state, ManageError::NotFound),
        Err(e) => server_error(&state, &e),
    }
}

/// The organization's audit trail (its own only).
async fn activity_page(State(state): State<AppState>, signed: SignedIn) -> Response {
    let entries = match crate::accounts::audit::recent(&state.db, &signed.organizer.organization_id, 500).await {
        Ok(e) => e,
        Err(e) => return server_error(&state, &e),
    };
    let rows = entries
        .into_iter()
        .map(|e| app::dashboard::ActivityRow {
            when: jiff::Timestamp::from_second(e.at)
                .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default(),
            who: e.actor,
            what: crate::accounts::audit::describe(&e.action).to_string(),
            target: e.target,
        })
        .collect();
    dash(
        &state,
        &signed,
        StatusCode::OK,
        "Activity",
        view! { <app::dashboard::ActivityPage rows=rows /> },
    )
}

/// Minutes as hours for the reminder form: 1440 → "24", 90 → "1.5".
fn format_hours(minutes: i64) -> String {
    if minutes % 60 == 0 {
        (minutes / 60).to_string()
    } else {
        format!("{}", minutes as f64 / 60.0)
    }
}

async fn set_reminders(State(state): State<AppState>, signed: SignedIn, Path(slug): Path<String>, body: Bytes) -> Response {
    let form = parse_form(&body);
    if let Err(r) = check_csrf(&state, &signed, &form) {
        return r;
    }
    let text = form_value(&form, "hours");
    let parsed: Result<Vec<i64>, ()> = text
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(|h| h.parse::<f64>().map(|h| (h * 60.0).round() as i64).map_err(|_| ()))
        .collect();
    let Ok(offsets) = parsed else {
        return problem_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Please check the reminders",
            "Give hours before the start as numbers separated by commas, like 24, 1.",
        );
    };
    match crate::events::reminders::set(&state.db, &signed.organizer, &slug, &offsets).await {
        Ok(_) => Redirect::to(&format!("/dashboard/events/{slug}?{}", Notice::Reminders.query())).into_response(),
        Err(e) => manage_error(&state, e),
    }
}

async fn messages(State(state): State<AppState>, signed: SignedIn, Path(slug): Path<String>) -> Response {
    let event = match manage::event(&state.db, &signed.organizer, &slug).await {
        Ok(e) => e,
        Err(e) => return manage_error(&state, e),
    };
    let rows = match sqlx::query(
        "SELECT o.recipient, o.mail, o.created_at, o.sent_at, o.attempts, o.last_error, o.failed_at FROM outbox o \
         JOIN registrations r ON r.id = o.registration_id WHERE r.event_id = $1 ORDER BY o.created_at DESC LIMIT 1000",
    )
    .bind(&event.id)
    .fetch_all(&state.db.pool)
    .await
    {
        Ok(r) => r,
        Err(e) => return server_error(&state, &e),
    };
    let fmt = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_default()
    };
    let rows = rows
        .iter()
        .map(|r| {
            let sent: Option<i64> = r.try_get("sent_at").ok().flatten();
            let attempts: i64 = r.try_get("attempts").unwrap_or(0);
            let error: Option<String> = r.try_get("last_error").ok().flatten();
            let failed: Option<i64> = r.try_get("failed_at").ok().flatten();
            app::dashboard::MessageRow {
                recipient: r.try_get("recipient").unwrap_or_default(),
                kind: r.try_get::<Option<String>, _>("mail").ok().flatten().unwrap_or_default(),
                queued: fmt(r.try_get("created_at").unwrap_or(0)),
                state: match (sent, failed, error) {
                    (Some(t), _, _) => format!("sent {}", fmt(t)),
                    (None, Some(_), e) => format!("failed after {attempts} attempts: {}", e.unwrap_or_default()),
                    (None, None, Some(e)) => format!("retrying (attempt {attempts}): {e}"),
                    (None, None, None) => "queued".into(),
                },
            }
        })
        .collect();
    let title = event.title.clone();
    dash(
        &state,
        &signed,
        StatusCode::OK,
        "Emails",
        view! { <app::dashboard::MessagesPage title=title slug=slug rows=rows /> },
    )
}

async fn import_attendance(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(slug): Path<String>,
    mut multipart: axum::extract::Multipart,
) -> Response {
    let mut csrf = String::new();
    let mut report = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                match field.bytes().await {
                    Ok(bytes) if name == "csrf" => csrf = String::from_utf8_lossy(&bytes).to_string(),
                    Ok(bytes) if name == "report" => report = Some(bytes),
                    Ok(_) => {}
                    Err(_) => {
                        return problem_page(
                            &state,
                            StatusCode::BAD_REQUEST,
                            "The upload failed",
                            "Please try again with a smaller file.",
                        )
                    }
                }
            }
            Ok(None) => break,
            Err(_) => return problem_page(&state, StatusCode::BAD_REQUEST, "The upload failed", "Please try again."),
        }
    }
    if let Err(r) = check_csrf(&state, &signed, &vec![("csrf".to_string(), csrf)]) {
        return r;
    }
    let Some(report) = report else {
        return problem_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "No file",
            "Choose the attendance report to import.",
        );
    };
    match crate::attendance::import(&state.db, &signed.organizer, &slug, &report).await {
        // The result is a page of its own: the list of people not registered can be long.
        Ok(summary) => {
            let title = match manage::event(&state.db, &signed.organizer, &slug).await {
                Ok(e) => e.title,
                Err(e) => return manage_error(&state, e),
            };
            dash(
                &state,
                &signed,
                StatusCode::OK,
                "Attendance imported",
                view! {
                    <app::dashboard::AttendanceResultPage
                        title=title
                        slug=slug
                        attendees=summary.attendees
                        matched=summary.matched
                        unmatched=summary.unmatched
                    />
                },
            )
        }
        Err(e) => manage_error(&state, e),
    }
}

async fn set_organizers(State(state): State<AppState>, signed: SignedIn, Path(slug): Path<String>, body: Bytes) -> Response {
    let form = parse_form(&body);
    if let Err(r) = check_csrf(&state, &signed, &form) {
        return r;
    }
    let ids: Vec<String> = form.iter().filter(|(k, _)| k == "organizer").map(|(_, v)| v.clone()).collect();
    match crate::events::organizers::set_event_organizers(&state.db, &signed.organizer, &slug, &ids).await {
        Ok(()) => Redirect::to(&format!("/dashboard/events/{slug}?{}", Notice::Organizers.query())).into_response(),
        Err(e) => manage_error(&state, e),
    }
}

async fn team_view(state: &AppState, signed: &SignedIn, status: StatusCode, invite_link: Option<String>) -> Response {
    let (members, pending) = match (
        crate::accounts::team::members(&state.db, &signed.organizer).await,
        crate::accounts::team::pending(&state.db, &signed.organizer).await,
    ) {
        (Ok(m), Ok(p)) => (m, p),
        (Err(e), _) | (_, Err(e)) => return server_error(state, &e),
    };
    let members = members.into_iter().map(|m| (m.email, m.display_name)).collect();
    let pending = pending
        .into_iter()
        .map(|(email, until)| {
            (
                email,
                jiff::Timestamp::from_second(until)
                    .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let csrf = signed.csrf.clone();
    dash(
        state,
        signed,
        status,
        "Team",
        view! { <app::dashboard::TeamPage members=members pending=pending invite_link=invite_link csrf=csrf /> },
    )
}

async fn team_page(State(state): State<AppState>, signed: SignedIn) -> Response {
    team_view(&state, &signed, StatusCode::OK, None).await
}

async fn invite(State(state): State<AppState>, signed: SignedIn, body: Bytes) -> Response {
    let form = parse_form(&body);
    if let Err(r) = check_csrf(&state, &signed, &form) {
        return r;
    }
    match crate::accounts::team::invite(&state.db, &signed.organizer, &form_value(&form, "email")).await {
        Ok(secret) => {
            let link = format!("{}/invite/{secret}", state.config.public_url);
            team_view(&state, &signed, StatusCode::OK, Some(link)).await
        }
        Err(e) => manage_error(&state, e.into()),
    }
}

fn invitation_gone(state: &AppState) -> Response {
    problem_page(
        state,
        StatusCode::NOT_FOUND,
        "Invitation not found",
        "This invitation has expired or was already used. Ask for a new one.",
    )
}

async fn invitation_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match crate::accounts::team::invitation(&state.db, &token).await {
        Ok(Some(crate::accounts::team::Invitation {
            organization_name: organization,
            email,
            ..
        })) => {
            let action = format!("/invite/{token}");
            html(
                &state,
                StatusCode::OK,
                "Join",
                false,
                true,
                view! { <app::dashboard::InvitePage organization=organization email=email error=None action=action /> },
            )
        }
        Ok(None) => invitation_gone(&state),
        Err(e) => server_error(&state, &e),
    }
}

async fn accept_invitation(State(state): State<AppState>, Path(token): Path<String>, body: Bytes) -> Response {
    let form = parse_form(&body);
    match crate::accounts::team::accept(&state.db, &state.hasher, &token, &form_value(&form, "password")).await {
        Ok(organizer) => match auth::start_session(&state.db, &organizer).await {
            Ok(secret) => {
                let mut r = Redirect::to("/dashboard").into_response();
                r.headers_mut().insert(
                    header::SET_COOKIE,
                    HeaderValue::from_str(&auth::session_cookie(&secret)).expect("valid cookie"),
                );
                r
            }
            Err(e) => server_error(&state, &e),
        },
        Err(auth::AuthError::Invalid(message)) => match crate::accounts::team::invitation(&state.db, &token).await {
            Ok(Some(crate::accounts::team::Invitation {
                organization_name: organization,
                email,
                ..
            })) => {
                let action = format!("/invite/{token}");
                html(
                    &state,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Join",
                    false,
                    true,
                    view! {
                        <app::dashboard::InvitePage organization=organization email=email error=Some(message) action=action />
                    },
                )
            }
            Ok(None) => invitation_gone(&state),
            Err(e) => server_error(&state, &e),
        },
        Err(auth::AuthError::Db(e)) => server_error(&state, &e),
    }
}

/// The public page as attendees will see it, for any status; registering is switched off.
async fn preview(State(state): State<AppState>, signed: SignedIn, Path(slug): Path<String>) -> Response {
    let event = match manage::event(&state.db, &signed.organizer, &slug).await {
        Ok(e) => e,
        Err(e) => return manage_error(&state, e),
    };
    let mut page = crate::portal::event_view(&event, (event.time_zone.clone(), false), Default::default(), Vec::new(), None);
    page.closed_reason = Some(format!(
        "Preview of a {} event: the registration form appears here once it is published.",
        event.status.as_str()
    ));
    let back = format!("/dashboard/events/{slug}");
    let title = format!("Preview: {}", event.title);
    html(
        &state,
        StatusCode::OK,
        &title,
        false,
        true,
        view! {
            <p class="banner" role="status">"Preview — only organizers see this page. " <a href=back>"Back to the dashboard"</a></p>
            <app::pages::EventDetail page=page />
        },
    )
}

/// Where an event stands in Teams, for its overview.
async fn teams_status(state: &AppState, event: &crate::events::Event) -> Result<Option<String>, sqlx::Error> {
    let (stage, waiting): (Option<String>, i64) = sqlx::query_as(
        "SELECT teams_stage, (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND topic LIKE 'graph.%' AND payload LIKE '%' || $1 || '%') \
         FROM events WHERE id = $1",
    )
    .bind(&event.id)
    .fetch_one(&state.db.pool)
    .await?;
    let emails = if event.teams_emails {
        "Teams emails attendees their personal join links"
    } else {
        "Atrium emails attendees the join link"
    };
    Ok(match (&event.teams_meeting_id, &event.teams_webinar_id, stage.as_deref()) {
        (Some(_), _, _) => Some(format!(
            "In Teams: meeting created. Join link: {}",
            event.teams_join_url.as_deref().unwrap_or("not given")
        )),
        (None, Some(_), Some("published") | None) => Some(format!("In Teams: webinar published. {emails}.")),
        (None, Some(_), Some(_)) => Some("In Teams: the webinar is being set up…".into()),
        (None, None, _) if waiting > 0 => Some("In Teams: being created…".into()),
        (None, None, _) if event.status == app::domain::EventStatus::Published => {
            Some("Not in Teams: connect a Microsoft 365 account, then publish a draft to create it there.".into())
        }
        _ => None,
    })
}

#[derive(Deserialize)]
struct MicrosoftQuery {
    import: Option<String>,
    #[serde(flatten)]
    notice: NoticeQuery,
}

fn since(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// The account a form names: the organization's service account or the organizer's own.
fn chosen_account(organizer: &auth::Organizer, kind: &str) -> Account {
    if kind == "personal" {
        Account::Personal(organizer.id.clone())
    } else {
        Account::Service(organizer.organization_id.clone())
    }
}

async fn microsoft_view(state: &AppState, signed: &SignedIn) -> Result<app::dashboard::MicrosoftView, sqlx::Error> {
    let mut view = app::dashboard::MicrosoftView {
        enabled: state.microsoft.is_some(),
        ..Default::default()
    };
    if let Some(m) = &state.microsoft {
        view.service = m
            .status(&chosen_account(&signed.organizer, "service"))
            .await?
            .map(|(upn, t)| (upn, since(t)));
        view.personal = m
            .status(&chosen_account(&signed.organizer, "personal"))
            .await?
            .map(|(upn, t)| (upn, since(t)));
        let b = crate::microsoft::sync::backlog(&state.db, &signed.organizer.organization_id).await?;
        let problem = b.last_error.map(|(next_ms, error)| (since(next_ms / 1000), error));
        view.backlog = Some((b.registrations, b.event_steps, problem));
        view.refused = crate::microsoft::sync::refused(&state.db, &signed.organizer.organization_id, 20).await?;
        view.sign_in = Some(auth::microsoft_link(&state.db, &signed.organizer).await?);
    }
    Ok(view)
}

async fn microsoft_page(State(state): State<AppState>, signed: SignedIn, Query(q): Query<MicrosoftQuery>) -> Response {
    let mut view = match microsoft_view(&state, &signed).await {
        Ok(v) => v,
        Err(e) => return server_error(&state, &e),
    };
    view.notice = crate::backoffice::notice::from_query(&q.notice);
    if let (Some(kind), Some(teams)) = (q.import.as_deref(), &state.teams) {
        let account = chosen_account(&signed.organizer, kind);
        view.import_account = if kind == "personal" { "personal" } else { "service" }.into();
        view.importable = Some(teams.importable_webinars(&account).await.map(|list| {
            list.into_iter()
                .filter_map(|w| {
                    let when = w
                        .start_date_time
                        .as_ref()
                        .and_then(crate::microsoft::sync::graph_time)
                        .and_then(|(t, zone)| {
                            let zone = app::tz::parse_zone(&zone).ok()?;
                            Some(app::tz::format_range(t, t, &zone))
                        })
                        .unwrap_or_default();
                    Some((w.id?, w.display_name, when))
                })
                .collect()
        }));
    }
    show_microsoft(&state, &signed, view)
}

fn show_microsoft(state: &AppState, signed: &SignedIn, view: app::dashboard::MicrosoftView) -> Response {
    let csrf = signed.csrf.clone();
    dash(
        state,
        signed,
        StatusCode::OK,
        "Microsoft 365",
        view! { <app::dashboard::MicrosoftPage view=view csrf=csrf /> },
    )
}

/// Runs the settings check and shows what is missing.
async fn microsoft_check(State(state): State<AppState>, signed: SignedIn, body: Bytes) -> Response {
    if let Err(r) = check_csrf(&state, &signed, &parse_form(&body)) {
        return r;
    }
    let Some(graph) = state.config.graph.clone() else {
        return microsoft_off(&state);
    };
    let mut report = crate::microsoft::check::run(graph).await;
    crate::microsoft::check::local(&state.config, &mut report);
    if let Some(m) = &state.microsoft {
        let account = chosen_account(&signed.organizer, "service");
        match m.access_token(&account).await {
            Ok(token) => {
                report
                    .lines
                    .push("✓ the service account is connected and its sign-in is still valid".into());
                for (permission, why) in
                    crate::microsoft::missing_permissions(&token, &crate::microsoft::DELEGATED_PERMISSIONS).unwrap_or_default()
                {
                    report.ok = false;
                    report.lines.push(format!(
                        "✗ the service account's sign-in lacks the delegated permission {permission} (for {why}): add it to the app registration, grant consent, then connect the account again"
                    ));
                }
            }
            Err(crate::microsoft::delegated::DelegatedError::NotConnected) => {
                report.ok = false;
                report
                    .lines
                    .push("✗ no service account is connected: use Connect Microsoft 365 above (or `server connect-microsoft`)".into());
            }
            Err(e) => {
                report.ok = false;
                report.lines.push(format!(
                    "✗ the service account's sign-in no longer works ({e}): disconnect and connect it again"
                ));
            }
        }
    }
    let mut view = match microsoft_view(&state, &signed).await {
        Ok(v) => v,
        Err(e) => return server_error(&state, &e),
    };
    view.checks = Some((report.ok, report.lines));
    show_microsoft(&state, &signed, view)
}

/// Imports a Teams webinar (and its registrations) as an Atrium event.
async fn microsoft_import(State(state): State<AppState>, signed: SignedIn, body: Bytes) -> Response {
    let form = parse_form(&body);
    if let Err(r) = check_csrf(&state, &signed, &form) {
        return r;
    }
    let Some(teams) = &state.teams else { return microsoft_off(&state) };
    let account = chosen_account(&signed.organizer, &form_value(&form, "account"));
    match teams
        .import_webinar(&signed.organizer, &account, form_value(&form, "webinar").trim())
        .await
    {
        Ok((event, added)) => {
            state.after_write();
            Redirect::to(&format!(
                "/dashboard/events/{}?{}",
                event.slug,
                Notice::Imported(added as i64).query()
            ))
            .into_response()
        }
        Err(e) => problem_page(&state, StatusCode::BAD_GATEWAY, "Could not import the webinar", &e),
    }
}

fn microsoft_off(state: &AppState) -> Response {
    problem_page(
        state,
        StatusCode::CONFLICT,
        "Microsoft mode is off",
        "Configure the Microsoft settings first (see the README).",
    )
}

async fn microsoft_connect(State(state): State<AppState>, signed: SignedIn, body: Bytes) -> Response {
    let form = parse_form(&body);
    if let Err(r) = check_csrf(&state, &signed, &form) {
        return r;
    }
    let Some(m) = &state.microsoft else { return microsoft_off(&state) };
    let account = chosen_account(&signed.organizer, &form_value(&form, "account"));
    match m.authorize_url(&signed.organizer, &account).await {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => problem_page(
            &state,
            StatusCode::BAD_GATEWAY,
            "Could not start the Microsoft sign-in",
            &e.to_string(),
        ),
    }
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

async fn microsoft_callback(State(state): State<AppState>, signed: SignedIn, Query(q): Query<CallbackQuery>) -> Response {
    let Some(m) = &state.microsoft else { return microsoft_off(&state) };
    if let Some(error) = q.error {
        let detail = q.error_description.unwrap_or(error);
        return problem_page(
            &state,
            StatusCode::BAD_REQUEST,
            "Microsoft did not connect the account",
            detail.lines().next().unwrap_or(""),
        );
    }
    let (Some(code), Some(oauth_state)) = (q.code, q.state) else {
        return problem_page(
            &state,
            StatusCode::BAD_REQUEST,
            "Incomplete answer from Microsoft",
            "Start the connection again.",
        );
    };
    match m.complete(&signed.organizer, &oauth_state, &code).await {
        Ok(_) => Redirect::to(&format!("/dashboard/microsoft?{}", Notice::Connected.query())).into_response(),
        Err(crate::microsoft::delegated::DelegatedError::Db(e)) => server_error(&state, &e),
        Err(e) => problem_page(
            &state,
            StatusCode::BAD_REQUEST,
            "Microsoft did not connect the account",
            &e.to_string(),
        ),
    }
}

async fn microsoft_disconnect(State(state): State<AppState>, signed: SignedIn, body: Bytes) -> Response {
    let form = parse_form(&body);
    if let Err(r) = check_csrf(&state, &signed, &form) {
        return r;
    }
    let Some(m) = &state.microsoft else { return microsoft_off(&state) };
    match m
        .disconnect(&chosen_account(&signed.organizer, &form_value(&form, "account")))
        .await
    {
        Ok(()) => Redirect::to(&format!("/dashboard/microsoft?{}", Notice::Disconnected.query())).into_response(),
        Err(e) => server_error(&state, &e),
    }
}

/// Starts "Link Microsoft account": the OpenID Connect round trip, bound to this session.
async fn microsoft_link(State(state): State<AppState>, signed: SignedIn, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = check_csrf(&state, &signed, &parse_form(&body)) {
        return r;
    }
    let Some(m) = &state.microsoft else { return microsoft_off(&state) };
    let Some(secret) = auth::cookie_value(&headers, auth::SESSION_COOKIE) else {
        return Redirect::to("/login").into_response();
    };
    match m.link_url(&signed.organizer, &secret).await {
        Ok((url, oauth_state)) => {
            let mut r = Redirect::to(&url).into_response();
            r.headers_mut().insert(
                header::SET_COOKIE,
                HeaderValue::from_str(&auth::oidc_cookie(&oauth_state, 600)).expect("valid cookie"),
            );
            r
        }
        Err(crate::microsoft::delegated::DelegatedError::Db(e)) => server_error(&state, &e),
        Err(e) => problem_page(
            &state,
            StatusCode::BAD_GATEWAY,
            "Could not start the Microsoft sign-in",
            &e.to_string(),
        ),
    }
}

/// Unlinks the organizer's Microsoft account from "Sign in with Microsoft".
async fn microsoft_unlink(State(state): State<AppState>, signed: SignedIn, body: Bytes) -> Response {
    if let Err(r) = check_csrf(&state, &signed, &parse_form(&body)) {
        return r;
    }
    match auth::unlink_microsoft(&state.db, &signed.organizer).await {
        Ok(_) => Redirect::to(&format!("/dashboard/microsoft?{}", Notice::Unlinked.query())).into_response(),
        Err(e) => server_error(&state, &e),
    }
}
