//! The Microsoft 365 page: connecting accounts, checking the settings, importing webinars, linking Microsoft sign-in, and what is still on its way to Teams.

use super::*;
use crate::accounts::auth::{self, SignedIn};
use crate::backoffice::notice::{Notice, NoticeQuery};
use crate::microsoft::delegated::Account;
use crate::portal::{problem_page, server_error};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct MicrosoftQuery {
    import: Option<String>,
    #[serde(flatten)]
    notice: NoticeQuery,
}

pub(super) fn since(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// The account a form names: the organization's service account or the organizer's own.
pub(super) fn chosen_account(organizer: &auth::Organizer, kind: &str) -> Account {
    if kind == "personal" {
        Account::Personal(organizer.id.clone())
    } else {
        Account::Service(organizer.organization_id.clone())
    }
}

pub(super) async fn microsoft_view(state: &AppState, signed: &SignedIn) -> Result<app::dashboard::MicrosoftView, sqlx::Error> {
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

pub(super) async fn microsoft_page(State(state): State<AppState>, signed: SignedIn, Query(q): Query<MicrosoftQuery>) -> Response {
    let mut view = match microsoft_view(&state, &signed).await {
        Ok(v) => v,
        Err(e) => return server_error(&e),
    };
    view.notice = crate::backoffice::notice::from_query(&q.notice);
    if let (Some(kind), Some(teams)) = (q.import.as_deref(), &state.teams) {
        let account = chosen_account(&signed.organizer, kind);
        view.import_account = if kind == "personal" { "personal" } else { "service" }.into();
        view.importable = Some(
            teams
                .importable_webinars(&account)
                .await
                .map(|list| {
                    list.into_iter()
                        .filter_map(|w| {
                            let when = match w.start_date_time.as_ref().map(crate::microsoft::sync::graph_time) {
                                Some(Ok((t, zone))) => app::tz::parse_zone(&zone)
                                    .map(|zone| app::tz::format_range(t, t, &zone))
                                    .unwrap_or_default(),
                                Some(Err(e)) => e.to_string(),
                                None => String::new(),
                            };
                            Some((w.id?, w.display_name, when))
                        })
                        .collect()
                })
                .map_err(|e| e.to_string()),
        );
    }
    show_microsoft(&signed, view)
}

pub(super) fn show_microsoft(signed: &SignedIn, view: app::dashboard::MicrosoftView) -> Response {
    let csrf = signed.csrf.clone();
    dash(
        signed,
        StatusCode::OK,
        "Microsoft 365",
        move || view! { <app::dashboard::MicrosoftPage view=view csrf=csrf /> },
    )
}

/// Runs the settings check and shows what is missing.
pub(super) async fn microsoft_check(State(state): State<AppState>, Posted { signed, .. }: Posted) -> Response {
    let Some(graph) = state.config.graph.clone() else {
        return microsoft_off();
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
        Err(e) => return server_error(&e),
    };
    view.checks = Some((report.ok, report.lines));
    show_microsoft(&signed, view)
}

/// Imports a Teams webinar (and its registrations) as an Atrium event.
pub(super) async fn microsoft_import(State(state): State<AppState>, Posted { signed, form }: Posted) -> Response {
    let Some(teams) = &state.teams else { return microsoft_off() };
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
        Err(e) => problem_page(StatusCode::BAD_GATEWAY, "Could not import the webinar", &e.to_string()),
    }
}

pub(super) fn microsoft_off() -> Response {
    problem_page(
        StatusCode::CONFLICT,
        "Microsoft mode is off",
        "Configure the Microsoft settings first (see the README).",
    )
}

pub(super) async fn microsoft_connect(State(state): State<AppState>, Posted { signed, form }: Posted) -> Response {
    let Some(m) = &state.microsoft else { return microsoft_off() };
    let account = chosen_account(&signed.organizer, &form_value(&form, "account"));
    match m.authorize_url(&signed.organizer, &account).await {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => problem_page(StatusCode::BAD_GATEWAY, "Could not start the Microsoft sign-in", &e.to_string()),
    }
}

#[derive(Deserialize)]
pub(super) struct CallbackQuery {
    pub(super) code: Option<String>,
    pub(super) state: Option<String>,
    pub(super) error: Option<String>,
    pub(super) error_description: Option<String>,
}

pub(super) async fn microsoft_callback(State(state): State<AppState>, signed: SignedIn, Query(q): Query<CallbackQuery>) -> Response {
    let Some(m) = &state.microsoft else { return microsoft_off() };
    if let Some(error) = q.error {
        let detail = q.error_description.unwrap_or(error);
        return problem_page(
            StatusCode::BAD_REQUEST,
            "Microsoft did not connect the account",
            detail.lines().next().unwrap_or(""),
        );
    }
    let (Some(code), Some(oauth_state)) = (q.code, q.state) else {
        return problem_page(
            StatusCode::BAD_REQUEST,
            "Incomplete answer from Microsoft",
            "Start the connection again.",
        );
    };
    match m.complete(&signed.organizer, &oauth_state, &code).await {
        Ok(_) => Redirect::to(&format!("/dashboard/microsoft?{}", Notice::Connected.query())).into_response(),
        Err(crate::microsoft::delegated::DelegatedError::Db(e)) => server_error(&e),
        Err(e) => problem_page(StatusCode::BAD_REQUEST, "Microsoft did not connect the account", &e.to_string()),
    }
}

pub(super) async fn microsoft_disconnect(State(state): State<AppState>, Posted { signed, form }: Posted) -> Response {
    let Some(m) = &state.microsoft else { return microsoft_off() };
    match m
        .disconnect(&chosen_account(&signed.organizer, &form_value(&form, "account")))
        .await
    {
        Ok(()) => Redirect::to(&format!("/dashboard/microsoft?{}", Notice::Disconnected.query())).into_response(),
        Err(e) => server_error(&e),
    }
}

/// Starts "Link Microsoft account": the OpenID Connect round trip, bound to this session.
pub(super) async fn microsoft_link(State(state): State<AppState>, headers: HeaderMap, Posted { signed, .. }: Posted) -> Response {
    let Some(m) = &state.microsoft else { return microsoft_off() };
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
        Err(crate::microsoft::delegated::DelegatedError::Db(e)) => server_error(&e),
        Err(e) => problem_page(StatusCode::BAD_GATEWAY, "Could not start the Microsoft sign-in", &e.to_string()),
    }
}

/// Unlinks the organizer's Microsoft account from "Sign in with Microsoft".
pub(super) async fn microsoft_unlink(State(state): State<AppState>, Posted { signed, .. }: Posted) -> Response {
    match auth::unlink_microsoft(&state.db, &signed.organizer).await {
        Ok(_) => Redirect::to(&format!("/dashboard/microsoft?{}", Notice::Unlinked.query())).into_response(),
        Err(e) => server_error(&e),
    }
}
