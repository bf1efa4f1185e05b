//! Server functions: how islands talk to the server. Each is a Leptos `#[server]` function under
//! `/rpc` (JSON in and out, so it never clashes with the REST API under `/api/v1`); its body is
//! thin — it hands the arguments to a service the server provides and returns the outcome.

mod agenda;
mod booking;

pub use agenda::*;
pub use booking::*;

use crate::domain::{FieldError, RawAnswer};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// A registration request as it arrives from the form (with or without JavaScript) or the API.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewRegistration {
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(required = true, max_length = 100))]
    pub first_name: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(required = true, max_length = 100))]
    pub last_name: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(required = true, format = "email"))]
    pub email: String,
    /// IANA time zone; defaults to the event's.
    #[serde(default)]
    pub preferred_timezone: String,
    /// BCP 47 tag such as `en-US`.
    #[serde(default)]
    pub preferred_language: Option<String>,
    #[serde(default)]
    pub answers: Vec<RawAnswer>,
    #[serde(default)]
    pub accept_terms: bool,
    /// Leave empty. A hidden form field that only robots fill in; a value is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
}

/// What a registration came to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Registered {
    /// A new registration (or the replay of one): its manage link's secret.
    #[serde(rename_all = "camelCase")]
    Created { manage_token: String },
    /// The address was already registered; the details went to it again.
    Existing { message: String },
}

/// Why a registration was not taken, said so a person understands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum RegisterFailure {
    /// Fields to correct, each against its field (`form` for the form as a whole).
    Invalid { errors: Vec<FieldError> },
    /// Not possible now (closed, full, too many tries, no such event).
    Refused { message: String },
    /// The request did not get through (network, server error).
    Transport { message: String },
}

impl FromServerFnError for RegisterFailure {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(e: ServerFnErrorErr) -> Self {
        let message = match e {
            ServerFnErrorErr::Request(_) => "We couldn't reach Atrium. Check your connection and try again; nothing was lost.",
            _ => "Something went wrong on our side. Please try again in a moment.",
        };
        Self::Transport { message: message.into() }
    }
}

impl RegisterFailure {
    /// The errors to show on the form.
    pub fn field_errors(self) -> Vec<FieldError> {
        match self {
            Self::Invalid { errors } => errors,
            Self::Refused { message } | Self::Transport { message } => vec![FieldError::new("form", message)],
        }
    }
}

/// What the server does with a registration; provided to the server functions as context.
#[cfg(feature = "ssr")]
pub trait Registrations: Send + Sync {
    fn register(
        &self,
        slug: String,
        registration: NewRegistration,
        idempotency_key: Option<String>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Registered, RegisterFailure>> + Send + '_>>;
}

/// Registers for the event `slug`. The idempotency key (random per form load) makes a retried
/// submission count once.
#[server(prefix = "/rpc", endpoint = "register", input = Json, output = Json)]
pub async fn register(slug: String, registration: NewRegistration, idempotency_key: Option<String>) -> Result<Registered, RegisterFailure> {
    let service = use_context::<std::sync::Arc<dyn Registrations>>().ok_or_else(|| RegisterFailure::Transport {
        message: "Registration is not available right now.".into(),
    })?;
    service.register(slug, registration, idempotency_key).await
}
