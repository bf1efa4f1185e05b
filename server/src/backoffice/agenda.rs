//! A business's week of appointments as the dashboard shows it (everyone's or one staff
//! member's), with a fingerprint that changes whenever anything shown changes; and the
//! `fresh_agenda` server function's endpoint, which answers the open page only when it changed.

use super::*;
use crate::appointments::model::{Business, Staff};
use crate::appointments::setup::{self, SetupError};
use crate::portal::answer_with;
use app::dashboard::{AgendaDay, AgendaItem};
use app::rpc::{AgendaFailure, AgendaQuery, AgendaWeek, Agendas};
use axum::extract::{Request, State};
use axum::response::IntoResponse;
use sha2::{Digest, Sha256};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A business's week.
pub(super) struct Week {
    pub business: Business,
    pub monday: jiff::civil::Date,
    pub staff: Vec<Staff>,
    /// The staff member whose agenda it is; everyone's when none.
    pub chosen: Option<String>,
    pub days: Vec<AgendaDay>,
}

impl Week {
    /// Changes whenever anything the agenda shows changes (a new, moved or canceled
    /// appointment, a name, what can be done to one as time passes).
    pub fn fingerprint(&self) -> String {
        let json = serde_json::to_vec(&self.days).unwrap_or_default();
        let digest = Sha256::digest(json);
        digest[..12].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The week starting on the Monday of `week` (this week when none or unreadable) at the
/// organizer's business `slug`, for the staff member `staff` when they are one of its own.
pub(super) async fn week(
    state: &AppState,
    signed: &SignedIn,
    slug: &str,
    week: Option<&str>,
    staff: Option<&str>,
) -> Result<Week, SetupError> {
    let org = &signed.organizer;
    let business = setup::business(&state.db, org, slug).await?;
    let zone = app::tz::parse_zone(&business.time_zone)
        .map_err(|_| SetupError::Conflict(format!("The business's zone {:?} does not read.", business.time_zone)))?;
    let now = state.db.now();
    let today = jiff::Timestamp::from_second(now).unwrap_or_default().to_zoned(zone.clone()).date();
    let asked = week.and_then(|w| w.parse::<jiff::civil::Date>().ok()).unwrap_or(today);
    let monday = asked
        .checked_sub(jiff::Span::new().days(asked.weekday().to_monday_zero_offset() as i64))
        .unwrap_or(asked);
    let next = monday.checked_add(jiff::Span::new().days(7)).unwrap_or(monday);
    let staff_list = setup::staff_of(&state.db, org, &business).await?;
    let (services, rows) = setup::appointments_of(&state.db, org, &business, Some(&monday.to_string()), Some(&next.to_string())).await?;
    let chosen = staff.filter(|id| staff_list.iter().any(|s| s.id == *id)).map(str::to_string);
    let mut days: Vec<AgendaDay> = (0..7)
        .filter_map(|n| monday.checked_add(jiff::Span::new().days(n)).ok())
        .map(|d| AgendaDay {
            label: d.strftime("%A %-d %B %Y").to_string(),
            items: Vec::new(),
        })
        .collect();
    for a in rows.into_iter().filter(|a| chosen.as_ref().is_none_or(|c| a.staff_ids.contains(c))) {
        let start = jiff::Timestamp::from_second(a.start).unwrap_or_default().to_zoned(zone.clone());
        let end = jiff::Timestamp::from_second(a.end).unwrap_or_default().to_zoned(zone.clone());
        let index = (start.date() - monday).get_days().clamp(0, 6) as usize;
        days[index].items.push(AgendaItem {
            time: format!("{}–{}", start.strftime("%H:%M"), end.strftime("%H:%M")),
            service: services
                .iter()
                .find(|s| s.id == a.service_id)
                .map(|s| s.display_name.clone())
                .unwrap_or_default(),
            customer: a.customer_name.clone(),
            email: a.customer_email.clone(),
            staff: staff_names(&staff_list, &a.staff_ids),
            can_cancel: a.status == "booked" && a.end > now,
            can_no_show: a.status == "booked" && a.start <= now,
            can_move: a.status == "booked" && a.start > now,
            status: a.status,
            id: a.id,
        });
    }
    Ok(Week {
        business,
        monday,
        staff: staff_list,
        chosen,
        days,
    })
}

/// The names of the staff members `ids`, "(removed)" for one no longer there.
pub(super) fn staff_names(staff: &[Staff], ids: &[String]) -> String {
    ids.iter()
        .map(|id| {
            staff
                .iter()
                .find(|s| s.id == *id)
                .map(|s| s.display_name.as_str())
                .unwrap_or("(removed)")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `/rpc/agenda_week`: the server function, given the agenda of whoever is signed in (or none).
pub(super) async fn rpc(State(state): State<AppState>, request: Request) -> Response {
    let signed = match SignedIn::peek(&state.db, request.headers()).await {
        Ok(signed) => signed,
        Err(e) => return crate::http::problem::Problem::internal(&e).into_response(),
    };
    let agendas: Arc<dyn Agendas> = Arc::new(Desk { state, signed });
    let mut response = leptos_axum::handle_server_fns_with_context(move || leptos::prelude::provide_context(agendas.clone()), request)
        .await
        .into_response();
    // Customers' names and addresses: never kept by a cache.
    response
        .headers_mut()
        .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    response
}

struct Desk {
    state: AppState,
    signed: Option<SignedIn>,
}

impl Agendas for Desk {
    fn week(&self, query: AgendaQuery) -> Pin<Box<dyn Future<Output = Result<Option<AgendaWeek>, AgendaFailure>> + Send + '_>> {
        Box::pin(async move {
            let Some(signed) = &self.signed else {
                answer_with(StatusCode::UNAUTHORIZED, None);
                return Err(AgendaFailure::SignedOut {
                    message: "Your session has ended. Reload the page to sign in again.".into(),
                });
            };
            let staff = Some(query.staff.trim()).filter(|s| !s.is_empty());
            match week(&self.state, signed, query.slug.trim(), Some(query.week.trim()), staff).await {
                Ok(w) => {
                    let fingerprint = w.fingerprint();
                    Ok((fingerprint != query.fingerprint).then_some(AgendaWeek { fingerprint, days: w.days }))
                }
                Err(SetupError::Invalid(errors)) => {
                    answer_with(StatusCode::UNPROCESSABLE_ENTITY, None);
                    Err(AgendaFailure::Invalid {
                        message: errors
                            .first()
                            .map(|e| e.message.clone())
                            .unwrap_or_else(|| "Choose another week.".into()),
                    })
                }
                Err(SetupError::NotFound(what)) => {
                    answer_with(StatusCode::NOT_FOUND, None);
                    Err(AgendaFailure::Invalid {
                        message: format!("{what} not found in your organization."),
                    })
                }
                Err(e) => {
                    tracing::error!(error = %e, "the agenda could not be read");
                    answer_with(StatusCode::INTERNAL_SERVER_ERROR, None);
                    Err(AgendaFailure::Transport {
                        message: "The agenda could not be brought up to date; it is tried again shortly.".into(),
                    })
                }
            }
        })
    }
}
