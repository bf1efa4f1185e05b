//! The server functions' endpoint (`/rpc/…`) and the services behind them: an island's call is
//! handled by Leptos (`leptos_axum`), whose function body asks the service provided here. The
//! same registration and slot code as the form posts, the pages and the REST API runs; only the
//! answer's shape differs.

use crate::appointments;
use crate::http::client_addr::ClientAddr;
use crate::registrations::{self, RegisterError, Registered as Outcome};
use crate::AppState;
use app::domain::FieldError;
use app::rpc::{Bookings, DayQuery, DayTimes, NewRegistration, RegisterFailure, Registered, Registrations, TimesFailure};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use leptos::prelude::provide_context;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub fn routes() -> Router<AppState> {
    Router::new().route("/rpc/{*name}", post(handle))
}

async fn handle(State(state): State<AppState>, client: ClientAddr, request: Request) -> impl IntoResponse {
    let portal = Arc::new(Portal {
        state,
        address: client.to_string(),
    });
    let registrations: Arc<dyn Registrations> = portal.clone();
    let bookings: Arc<dyn Bookings> = portal;
    let provide = move || {
        provide_context(registrations.clone());
        provide_context(bookings.clone());
    };
    leptos_axum::handle_server_fns_with_context(provide, request).await
}

/// Registrations and bookings for one caller, whose address counts against the per-address
/// limits.
struct Portal {
    state: AppState,
    address: String,
}

/// Sets the HTTP status (and `Retry-After`) of the server function's answer; every `/rpc`
/// endpoint's service uses it.
pub(crate) fn answer_with(status: StatusCode, retry_after: Option<i64>) {
    if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(status);
        if let Some(wait) = retry_after {
            options.insert_header(header::RETRY_AFTER, HeaderValue::from(wait));
        }
    }
}

fn refused(status: StatusCode, message: impl Into<String>) -> RegisterFailure {
    answer_with(status, None);
    RegisterFailure::Refused { message: message.into() }
}

impl Registrations for Portal {
    fn register(
        &self,
        slug: String,
        registration: NewRegistration,
        idempotency_key: Option<String>,
    ) -> Pin<Box<dyn Future<Output = Result<Registered, RegisterFailure>> + Send + '_>> {
        Box::pin(async move {
            let key = idempotency_key.map(|k| k.trim().to_string()).filter(|k| !k.is_empty());
            if key.as_deref().is_some_and(|k| !registrations::idempotency_key_is_valid(k)) {
                answer_with(StatusCode::BAD_REQUEST, None);
                return Err(RegisterFailure::Invalid {
                    errors: vec![FieldError::new("form", "This form is out of date. Reload the page and try again.")],
                });
            }
            let outcome = registrations::register(&self.state.registrar, &slug, &registration, key.as_deref(), Some(&self.address)).await;
            match outcome {
                Ok(Outcome::Created(s)) | Ok(Outcome::Replayed(s)) => {
                    self.state.after_write();
                    Ok(match s.manage_token {
                        Some(manage_token) => Registered::Created { manage_token },
                        None => Registered::Existing {
                            message: "Check your email: we've sent a link to confirm your address. Your place is held until then.".into(),
                        },
                    })
                }
                Ok(Outcome::Existing { .. }) => {
                    self.state.after_write();
                    Ok(Registered::Existing {
                        message: registrations::ALREADY_REGISTERED.into(),
                    })
                }
                Err(RegisterError::Invalid(errors)) => {
                    answer_with(StatusCode::UNPROCESSABLE_ENTITY, None);
                    Err(RegisterFailure::Invalid { errors })
                }
                Err(RegisterError::NotFound) => Err(refused(StatusCode::NOT_FOUND, "This event is not open for registration.")),
                Err(RegisterError::Refused(refusal)) => Err(refused(StatusCode::CONFLICT, refusal.message())),
                Err(RegisterError::KeyReused) => Err(refused(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "This form was already used for another registration. Reload the page to register someone else.",
                )),
                Err(RegisterError::Limited(wait)) => {
                    answer_with(StatusCode::TOO_MANY_REQUESTS, Some(wait));
                    Err(RegisterFailure::Refused {
                        message: crate::portal::limited_message(wait),
                    })
                }
                Err(RegisterError::Db(e)) => {
                    tracing::error!(error = %e, "registration through the form failed");
                    answer_with(StatusCode::INTERNAL_SERVER_ERROR, None);
                    Err(RegisterFailure::Transport {
                        message: "Something went wrong on our side. Please try again in a moment.".into(),
                    })
                }
            }
        })
    }
}

impl Bookings for Portal {
    fn day_times(&self, query: DayQuery) -> Pin<Box<dyn Future<Output = Result<DayTimes, TimesFailure>> + Send + '_>> {
        Box::pin(async move {
            let invalid = |message: &str| {
                answer_with(StatusCode::UNPROCESSABLE_ENTITY, None);
                TimesFailure::Invalid { message: message.into() }
            };
            let catalog = match appointments::Catalog::load(&self.state.db, query.slug.trim()).await {
                Ok(c) => c,
                Err(appointments::AppointmentError::NotFound) => {
                    answer_with(StatusCode::NOT_FOUND, None);
                    return Err(TimesFailure::Invalid {
                        message: "This business does not take bookings here.".into(),
                    });
                }
                Err(e) => return Err(failed(&e)),
            };
            let service = catalog
                .service(query.service_id.trim())
                .ok_or_else(|| invalid("Choose one of this business's services."))?;
            let date = query
                .date
                .trim()
                .parse::<jiff::civil::Date>()
                .map_err(|_| invalid("Choose a day."))?;
            let zone = app::tz::parse_zone(query.time_zone.trim()).map_err(|e| invalid(&e.0))?;
            let staff = Some(query.staff_id.trim().to_string()).filter(|s| !s.is_empty());
            super::book::times_of_day(&self.state, &catalog, service, staff, date, &zone)
                .await
                .map_err(|e| failed(&e))
        })
    }
}

fn failed(e: &dyn std::fmt::Display) -> TimesFailure {
    tracing::error!(error = %e, "a day's times could not be read");
    answer_with(StatusCode::INTERNAL_SERVER_ERROR, None);
    TimesFailure::Transport {
        message: "The times could not be shown right now. Please try again in a moment.".into(),
    }
}
