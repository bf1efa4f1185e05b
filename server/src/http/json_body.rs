//! JSON request bodies: the body as the handler's type, or the problem+json saying why not.
//!
//! axum's own `Json` answers its refusals in plain text and accepts no `+json` media type, so the
//! REST API reads bodies through these extractors instead.

use super::problem::Problem;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// A JSON body of type `T`: 415 when it is not sent as JSON, 400 when it does not parse as `T`,
/// 413 when it is larger than the server takes. It reads the body, so it comes last among a
/// handler's arguments.
pub struct JsonBody<T>(pub T);

/// The body as it came, or 413 as problem+json when it is larger than the server takes.
pub struct BodyBytes(pub Bytes);

/// Like [`JsonBody`], but an empty body means `T::default()` (a cancel without a message, a token
/// without a requested scope).
pub struct JsonBodyOrEmpty<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let (content_type, bytes) = read(req, state).await?;
        parse_json(content_type.as_ref(), &bytes)
            .map(JsonBody)
            .map_err(IntoResponse::into_response)
    }
}

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for JsonBodyOrEmpty<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let (content_type, bytes) = read(req, state).await?;
        if bytes.is_empty() {
            return Ok(JsonBodyOrEmpty(T::default()));
        }
        parse_json(content_type.as_ref(), &bytes)
            .map(JsonBodyOrEmpty)
            .map_err(IntoResponse::into_response)
    }
}

impl<S: Send + Sync> FromRequest<S> for BodyBytes {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        read(req, state).await.map(|(_, bytes)| BodyBytes(bytes))
    }
}

/// The body, with the `Content-Type` it came with (the one header the parsers need).
async fn read<S: Send + Sync>(req: Request, state: &S) -> Result<(Option<HeaderValue>, Bytes), Response> {
    let content_type = req.headers().get(header::CONTENT_TYPE).cloned();
    let bytes = Bytes::from_request(req, state).await.map_err(|e| {
        let status = e.status();
        let kind = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "too-large"
        } else {
            "unreadable-body"
        };
        Problem::new(status, kind, "The body could not be read")
            .detail(e.body_text())
            .into_response()
    })?;
    Ok((content_type, bytes))
}

/// Parses a JSON body, turning every way it can be wrong into a 400 or 415 problem.
fn parse_json<T: DeserializeOwned>(content_type: Option<&HeaderValue>, body: &Bytes) -> Result<T, Problem> {
    let content_type = content_type.and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if mime != "application/json" && !mime.ends_with("+json") {
        return Err(
            Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Send JSON")
                .detail("Set Content-Type: application/json."),
        );
    }
    serde_json::from_slice(body).map_err(|e| Problem::malformed(format!("The body is not valid JSON for this request: {e}")))
}
