//! Graph change notifications: `POST /webhooks/graph` and `/webhooks/graph/lifecycle`.
//! The validation handshake echoes the URL-decoded `validationToken` as text/plain; every
//! notification must carry the `clientState` of a subscription Atrium created, or it is ignored;
//! accepted ones are stored and answered with 202 at once, and processed from the queue later.

use crate::crypto::sha256_hex;
use crate::http::problem::Problem;
use crate::microsoft::models::NotificationCollection;
use crate::microsoft::store;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhooks/graph", post(changes))
        .route("/webhooks/graph/lifecycle", post(lifecycle))
}

#[derive(Deserialize)]
struct Validation {
    #[serde(rename = "validationToken")]
    validation_token: Option<String>,
}

/// The validation handshake: the token, decoded, as plain text, within Graph's 10 seconds.
fn echo(token: String) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], token).into_response()
}

async fn changes(State(state): State<AppState>, Query(q): Query<Validation>, body: Bytes) -> Response {
    if let Some(token) = q.validation_token {
        return echo(token);
    }
    receive(&state, &body, "change").await
}

async fn lifecycle(State(state): State<AppState>, Query(q): Query<Validation>, body: Bytes) -> Response {
    if let Some(token) = q.validation_token {
        return echo(token);
    }
    receive(&state, &body, "lifecycle").await
}

async fn receive(state: &AppState, body: &Bytes, kind: &str) -> Response {
    let Ok(batch) = serde_json::from_slice::<NotificationCollection>(body) else {
        return Problem::malformed("The body is not a Graph notification collection.").into_response();
    };
    let ids: Vec<String> = batch.value.iter().filter_map(|n| n.subscription_id.clone()).collect();
    let mut known = std::collections::HashMap::new();
    for id in ids.iter().collect::<std::collections::BTreeSet<_>>() {
        match store::subscriptions::client_state(&state.db, id).await {
            Ok(Some(secret)) => {
                known.insert(id.clone(), secret);
            }
            Ok(None) => {}
            Err(e) => return Problem::internal(&e).into_response(),
        }
    }
    let now = state.db.now();
    let accepted: Vec<_> = batch
        .value
        .iter()
        .filter(|n| {
            let secret = n.subscription_id.as_ref().and_then(|id| known.get(id));
            matches!((secret, &n.client_state), (Some(s), Some(c)) if crate::crypto::same_secret(s, c))
        })
        .collect();
    let ignored = batch.value.len() - accepted.len();
    if ignored > 0 {
        tracing::warn!(
            ignored,
            "Graph notifications with an unknown subscription or wrong clientState were ignored"
        );
    }
    if !accepted.is_empty() {
        let result: Result<(), sqlx::Error> = async {
            let mut tx = state.db.begin_write().await?;
            for n in &accepted {
                // The same notification delivered twice is stored once.
                let id = sha256_hex(&serde_json::to_string(n).unwrap_or_default());
                store::notifications::insert(&mut tx, &id, n, kind, now).await?;
            }
            tx.commit().await
        }
        .await;
        if let Err(e) = result {
            // 5xx asks Graph to deliver again later.
            return Problem::internal(&e).into_response();
        }
    }
    StatusCode::ACCEPTED.into_response()
}
