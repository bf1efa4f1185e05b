//! The dashboard's form posts: taken only from a signed-in organizer whose form carries the
//! session's CSRF token.

use super::{check_csrf, parse_form, Form};
use crate::accounts::auth::SignedIn;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};

/// A form posted from a dashboard page, with who posted it. Extracting it sends a visitor
/// without a session to sign in, and answers 403 ("This form has expired") when the form's
/// `csrf` field does not match the session's token (compared in constant time), so a handler
/// taking `Posted` runs only for a real, same-site post. It reads the body, so it comes last
/// among a handler's arguments.
pub(super) struct Posted {
    pub signed: SignedIn,
    pub form: Form,
}

impl FromRequest<AppState> for Posted {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let signed = SignedIn::from_request_parts(&mut parts, state).await?;
        let body = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let form = parse_form(&body);
        check_csrf(&signed, &form)?;
        Ok(Posted { signed, form })
    }
}
