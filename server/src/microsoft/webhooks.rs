//! Graph change notifications: `POST /webhooks/graph` and `/webhooks/graph/lifecycle`.
//! The validation handshake echoes the URL-decoded `validationToken` as text/plain; every
//! notification must carry the `clientState` of a subscription Atrium created, or it is ignored;
//! accepted ones are stored and answered with 202 at once, and processed from the queue later.

use crate::crypto::sha256_hex;
use crate::http::problem::Problem;
use crate::microsoft::models::NotificationCollection;
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

/// Constant-time comparison for the shared secret.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn receive(state: &AppState, body: &Bytes, kind: &str) -> Response {
    let Ok(batch) = serde_json::from_slice::<NotificationCollection>(body) else {
        return Problem::malformed("The body is not a Graph notification collection.").into_response();
    };
    let ids: Vec<String> = batch.value.iter().filter_map(|n| n.subscription_id.clone()).collect();
    let mut known = std::collections::HashMap::new();
    for id in ids.iter().collect::<std::collections::BTreeSet<_>>() {
        match sqlx::query_scalar::<_, String>("SELECT client_state FROM graph_subscriptions WHERE id = $1")
            .bind(id)
            .fetch_optional(&state.db.pool)
            .await
        {
            Ok(Some(secret)) => {
                known.insert(id.clone(), secret);
            }
            Ok(None) => {}
            Err(e) => return Problem::internal(&e).into_response(),
        }
    }
    let now = crate::clock::now();
    let accepted: Vec<_> = batch
        .value
        .iter()
        .filter(|n| {
            let secret = n.subscription_id.as_ref().and_then(|id| known.get(id));
            matches!((secret, &n.client_state), (Some(s), Some(c)) if same(s, c))
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
                let sql =
                    "INSERT INTO graph_notifications (id, subscription_id, kind, change_type, resource, lifecycle_event, received_at) \
                           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING";
                sqlx::query(sql)
                    .bind(id)
                    .bind(n.subscription_id.as_deref().unwrap_or(""))
                    .bind(kind)
                    .bind(&n.change_type)
                    .bind(&n.resource)
                    .bind(&n.lifecycle_event)
                    .bind(now)
                    .execute(&mut *tx.tx)
                    .await?;
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
