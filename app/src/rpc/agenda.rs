//! The dashboard agenda's server function: a business's week asked for again while the page is
//! open, answered only when it changed, so a booking that arrives shows up in place.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// One appointment in the agenda.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgendaItem {
    pub id: String,
    pub time: String,
    pub service: String,
    pub customer: String,
    pub email: String,
    pub staff: String,
    pub status: String,
    pub can_cancel: bool,
    pub can_no_show: bool,
    /// Not started yet: it can be moved to another time.
    pub can_move: bool,
}

/// A day of the agenda with its appointments.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgendaDay {
    pub label: String,
    pub items: Vec<AgendaItem>,
}

/// Which week of which business, for everyone or one staff member, and what the page shows now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgendaQuery {
    pub slug: String,
    /// The week's Monday, `YYYY-MM-DD`.
    pub week: String,
    /// A staff member's id; everyone's when empty.
    #[serde(default)]
    pub staff: String,
    /// The fingerprint of the week the page shows.
    #[serde(default)]
    pub fingerprint: String,
}

/// A week's agenda and its fingerprint (changes whenever anything shown changes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgendaWeek {
    pub fingerprint: String,
    pub days: Vec<AgendaDay>,
}

/// Why the agenda could not be asked for again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AgendaFailure {
    /// The session ended; the page must be loaded again to sign in.
    SignedOut { message: String },
    /// No such business (or week) for this organizer.
    Invalid { message: String },
    /// The request did not get through (network, server error); asked again later.
    Transport { message: String },
}

impl AgendaFailure {
    pub fn message(self) -> String {
        match self {
            Self::SignedOut { message } | Self::Invalid { message } | Self::Transport { message } => message,
        }
    }
}

impl FromServerFnError for AgendaFailure {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(_: ServerFnErrorErr) -> Self {
        Self::Transport {
            message: "The agenda could not be brought up to date; it is tried again shortly.".into(),
        }
    }
}

/// What the server does to read an organizer's agenda; provided to the server function as
/// context, bound to the signed-in organizer (or to none).
#[cfg(feature = "ssr")]
pub trait Agendas: Send + Sync {
    fn week(
        &self,
        query: AgendaQuery,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Option<AgendaWeek>, AgendaFailure>> + Send + '_>>;
}

/// The week's agenda when it differs from `query.fingerprint`; `None` when the page is current.
#[server(prefix = "/rpc", endpoint = "agenda_week", input = Json, output = Json)]
pub async fn fresh_agenda(query: AgendaQuery) -> Result<Option<AgendaWeek>, AgendaFailure> {
    let agendas = use_context::<std::sync::Arc<dyn Agendas>>().ok_or_else(|| AgendaFailure::Transport {
        message: "The agenda is not available right now.".into(),
    })?;
    agendas.week(query).await
}
