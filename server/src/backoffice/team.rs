//! The team: members, invitations, and joining through an invitation link.

use super::*;
use crate::accounts::auth::{self, SignedIn};
use crate::portal::{html, problem_page, server_error};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;

pub(super) async fn team_view(state: &AppState, signed: &SignedIn, status: StatusCode, invite_link: Option<String>) -> Response {
    let (members, pending) = match (
        crate::accounts::team::members(&state.db, &signed.organizer).await,
        crate::accounts::team::pending(&state.db, &signed.organizer).await,
    ) {
        (Ok(m), Ok(p)) => (m, p),
        (Err(e), _) | (_, Err(e)) => return server_error(&e),
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
        signed,
        status,
        "Team",
        move || view! { <app::dashboard::TeamPage members=members pending=pending invite_link=invite_link csrf=csrf /> },
    )
}

pub(super) async fn team_page(State(state): State<AppState>, signed: SignedIn) -> Response {
    team_view(&state, &signed, StatusCode::OK, None).await
}

pub(super) async fn invite(State(state): State<AppState>, Posted { signed, form }: Posted) -> Response {
    match crate::accounts::team::invite(&state.db, &signed.organizer, &form_value(&form, "email")).await {
        Ok(secret) => {
            let link = format!("{}/invite/{secret}", state.config.public_url);
            team_view(&state, &signed, StatusCode::OK, Some(link)).await
        }
        Err(e) => manage_error(e.into()),
    }
}

pub(super) fn invitation_gone() -> Response {
    problem_page(
        StatusCode::NOT_FOUND,
        "Invitation not found",
        "This invitation has expired or was already used. Ask for a new one.",
    )
}

pub(super) async fn invitation_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match crate::accounts::team::invitation(&state.db, &token).await {
        Ok(Some(crate::accounts::team::Invitation {
            organization_name: organization,
            email,
            ..
        })) => {
            let action = format!("/invite/{token}");
            html(
                StatusCode::OK,
                "Join",
                false,
                true,
                move || view! { <app::dashboard::InvitePage organization=organization email=email error=None action=action /> },
            )
        }
        Ok(None) => invitation_gone(),
        Err(e) => server_error(&e),
    }
}

pub(super) async fn accept_invitation(State(state): State<AppState>, Path(token): Path<String>, body: Bytes) -> Response {
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
            Err(e) => server_error(&e),
        },
        Err(auth::AuthError::Invalid(message)) => match crate::accounts::team::invitation(&state.db, &token).await {
            Ok(Some(crate::accounts::team::Invitation {
                organization_name: organization,
                email,
                ..
            })) => {
                let action = format!("/invite/{token}");
                html(StatusCode::UNPROCESSABLE_ENTITY, "Join", false, true, move || {
                    view! {
                        <app::dashboard::InvitePage organization=organization email=email error=Some(message) action=action />
                    }
                })
            }
            Ok(None) => invitation_gone(),
            Err(e) => server_error(&e),
        },
        Err(auth::AuthError::Db(e)) => server_error(&e),
    }
}
