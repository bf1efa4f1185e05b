//! Signing in to the dashboard: email and password, or Microsoft (for a linked account), and signing out.

use super::*;
use crate::accounts::auth;
use crate::backoffice::notice::Notice;
use crate::http::client_addr::ClientAddr;
use crate::microsoft::delegated::OidcPurpose;
use crate::portal::{html, problem_page, server_error};
use crate::AppState;
use app::dashboard::LoginPage;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct NextQuery {
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

pub(super) async fn login_page(State(state): State<AppState>, Query(q): Query<NextQuery>) -> Response {
    let next = safe_next(q.next.as_deref());
    html(
        StatusCode::OK,
        "Sign in",
        false,
        true,
        move || view! { <LoginPage email=String::new() next=next error=None microsoft=state.microsoft.is_some() /> },
    )
}

/// Starts "Sign in with Microsoft".
pub(super) async fn microsoft_sign_in(State(state): State<AppState>, client: ClientAddr, Query(q): Query<NextQuery>) -> Response {
    let Some(m) = &state.microsoft else { return microsoft_off() };
    let next = safe_next(q.next.as_deref());
    // Each start stores a short-lived state: an address gets a bounded number of them.
    let limit = crate::limits::MICROSOFT_SIGN_IN;
    let counted = async {
        let mut tx = state.db.begin_write().await?;
        let count = crate::limits::hit(&mut tx, limit, &client.to_string(), state.db.now()).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(count)
    };
    match counted.await {
        Ok(count) => {
            if let Some(wait) = count.exceeded(limit) {
                let mut r = problem_page(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many sign-ins started",
                    &format!("Please try again in {} minutes.", (wait + 59) / 60),
                );
                r.headers_mut().insert(header::RETRY_AFTER, wait.into());
                return r;
            }
        }
        Err(e) => return server_error(&e),
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
        Err(e) => problem_page(StatusCode::BAD_GATEWAY, "Could not start the Microsoft sign-in", &e.to_string()),
    }
}

pub(super) async fn microsoft_sign_in_callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let Some(m) = &state.microsoft else { return microsoft_off() };
    let refuse = |message: &str| {
        let message = message.to_string();
        let mut r = html(
            StatusCode::BAD_REQUEST,
            "Sign in",
            false,
            true,
            move || view! { <LoginPage email=String::new() next="/dashboard".to_string() error=Some(message) microsoft=true /> },
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
    let from_this_browser = auth::cookie_value(&headers, auth::OIDC_COOKIE).is_some_and(|c| crate::crypto::same_secret(&c, &oauth_state));
    if !from_this_browser {
        return refuse("This sign-in was started in another browser; try again.");
    }
    let (user, purpose) = match m.finish_sign_in(&oauth_state, &code).await {
        Ok(found) => found,
        Err(crate::microsoft::delegated::DelegatedError::Db(e)) => return server_error(&e),
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
        Err(e) => return server_error(&e),
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
        Err(e) => server_error(&e),
    }
}

/// Completes "Link Microsoft account": only in the session that started it, and only for the
/// organizer who started it.
pub(super) async fn finish_microsoft_link(
    state: &AppState,
    headers: &HeaderMap,
    user: &crate::microsoft::delegated::MicrosoftUser,
    organizer_id: &str,
    session_hash: &str,
) -> Response {
    let not_linked = |message: &str| problem_page(StatusCode::BAD_REQUEST, "Microsoft account not linked", message);
    let secret = auth::cookie_value(headers, auth::SESSION_COOKIE)
        .filter(|s| crate::crypto::same_secret(&crate::crypto::sha256_hex(s), session_hash));
    let current = match &secret {
        Some(secret) => match auth::session(&state.db, secret).await {
            Ok(found) => found,
            Err(e) => return server_error(&e),
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
        Err(auth::AuthError::Invalid(m)) => problem_page(StatusCode::CONFLICT, "Microsoft account not linked", &m),
        Err(auth::AuthError::Db(e)) => server_error(&e),
    }
}

pub(super) async fn login(State(state): State<AppState>, client: ClientAddr, headers: HeaderMap, body: Bytes) -> Response {
    let form = parse_form(&body);
    let email = form_value(&form, "email");
    let password = form_value(&form, "password");
    let next = safe_next(Some(&form_value(&form, "next")));
    let address = client.to_string();
    let microsoft = state.microsoft.is_some();
    let fail = |status: StatusCode, message: String| {
        let (email, next) = (email.clone(), next.clone());
        html(
            status,
            "Sign in",
            false,
            true,
            move || view! { <LoginPage email=email next=next error=Some(message) microsoft=microsoft /> },
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
        Err(auth::SignInFailure::Db(e)) => return server_error(&e),
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
        Err(e) => server_error(&e),
    }
}

pub(super) async fn logout(State(state): State<AppState>, headers: HeaderMap, _: Posted) -> Response {
    if let Some(secret) = auth::cookie_value(&headers, auth::SESSION_COOKIE) {
        if let Err(e) = auth::end_session(&state.db, &secret).await {
            return server_error(&e);
        }
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&auth::clear_session_cookie()).expect("valid cookie"),
    );
    r
}
