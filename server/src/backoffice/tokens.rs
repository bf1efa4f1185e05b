//! API tokens: created (shown once) and revoked from the dashboard.

use super::*;
use crate::accounts::auth::{self, SignedIn};
use crate::events::ManageError;
use crate::portal::{problem_page, server_error};
use crate::AppState;
use app::dashboard::{TokenView, TokensPage};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;

pub(super) async fn tokens_view(state: &AppState, signed: &SignedIn, new_token: Option<String>) -> Response {
    let tokens = match crate::accounts::tokens::list(&state.db, &signed.organizer).await {
        Ok(t) => t,
        Err(e) => return server_error(&e),
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
                (None, Some(e)) if e <= state.db.now() => "Expired".into(),
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
        signed,
        StatusCode::OK,
        "API tokens",
        move || view! { <TokensPage tokens=rows new_token=new_token csrf=csrf /> },
    )
}

pub(super) async fn tokens_page(State(state): State<AppState>, signed: SignedIn) -> Response {
    tokens_view(&state, &signed, None).await
}

pub(super) async fn create_token(State(state): State<AppState>, Posted { signed, form }: Posted) -> Response {
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
        Err(auth::AuthError::Invalid(m)) => problem_page(StatusCode::UNPROCESSABLE_ENTITY, "Please check the form", &m),
        Err(auth::AuthError::Db(e)) => server_error(&e),
    }
}

pub(super) async fn revoke_token(State(state): State<AppState>, Path(id): Path<String>, Posted { signed, .. }: Posted) -> Response {
    match crate::accounts::tokens::revoke(&state.db, &signed.organizer, &id).await {
        Ok(true) => Redirect::to("/dashboard/tokens").into_response(),
        Ok(false) => manage_error(ManageError::NotFound),
        Err(e) => server_error(&e),
    }
}
