//! The booking page's server function: the free times of one day, asked for again whenever the
//! customer changes the day, the staff member or the time zone, without a page load.

use crate::views::Choice;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// Which day's times, for what.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DayQuery {
    /// The business.
    pub slug: String,
    pub service_id: String,
    /// A chosen staff member; anyone available when empty.
    #[serde(default)]
    pub staff_id: String,
    /// `YYYY-MM-DD`, in `time_zone`.
    pub date: String,
    /// IANA zone the times are shown in.
    pub time_zone: String,
}

/// A day's free times: each choice's value is the start (RFC 3339, in the zone asked for) and
/// its label the local time; `notice` says why there are none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DayTimes {
    pub times: Vec<Choice>,
    pub notice: Option<String>,
}

/// Why the times could not be shown, said so a person understands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum TimesFailure {
    /// The day, staff member, service or zone is not one that can be asked for.
    Invalid { message: String },
    /// The request did not get through (network, server error).
    Transport { message: String },
}

impl TimesFailure {
    pub fn message(self) -> String {
        match self {
            Self::Invalid { message } | Self::Transport { message } => message,
        }
    }
}

impl FromServerFnError for TimesFailure {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(e: ServerFnErrorErr) -> Self {
        let message = match e {
            ServerFnErrorErr::Request(_) => "We couldn't reach the server to show the times. Check your connection and try again.",
            _ => "The times could not be shown right now. Please try again in a moment.",
        };
        Self::Transport { message: message.into() }
    }
}

/// What the server does to find a day's times; provided to the server functions as context.
#[cfg(feature = "ssr")]
pub trait Bookings: Send + Sync {
    fn day_times(
        &self,
        query: DayQuery,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<DayTimes, TimesFailure>> + Send + '_>>;
}

/// The free times of one day at a business.
#[server(prefix = "/rpc", endpoint = "free_times", input = Json, output = Json)]
pub async fn free_times(query: DayQuery) -> Result<DayTimes, TimesFailure> {
    let service = use_context::<std::sync::Arc<dyn Bookings>>().ok_or_else(|| TimesFailure::Transport {
        message: "Booking is not available right now.".into(),
    })?;
    service.day_times(query).await
}
