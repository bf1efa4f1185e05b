//! Importing a Microsoft Bookings business through the API (Microsoft mode): what the
//! organizer sends, and the business with what came along and what was left out.

use super::businesses::{organizer_business, OrganizerBusinessJson};
use crate::accounts::tokens::ApiWriter;
use crate::api::doc::{Conflict, Invalid, JsonBodyErrors, NotFound, OrganizerErrors, ReadOnlyToken};
use crate::http::json_body::JsonBody;
use crate::http::problem::Problem;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// Where an imported business's hours are read, and its booking page's address.
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportRequest {
    /// IANA zone, such as America/New_York: Bookings keeps none for the business itself.
    time_zone: String,
    /// The booking page's address; made from the name when left out.
    #[serde(default)]
    slug: Option<String>,
}

/// An imported business, what else came with it, and what of Bookings' it did not bring over.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportedBusinessJson {
    #[serde(flatten)]
    business: OrganizerBusinessJson,
    /// How many custom questions and customers were brought over.
    custom_questions_imported: usize,
    customers_imported: usize,
    /// Custom questions of a kind Atrium does not ask (only text and radioButton): not brought
    /// over, and no longer asked by the services that asked them.
    custom_questions_left_out: Vec<LeftOutQuestionJson>,
    /// Customers not brought over, and why.
    customers_left_out: Vec<LeftOutCustomerJson>,
}

/// A Bookings custom question not brought over.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LeftOutQuestionJson {
    id: String,
    display_name: String,
    answer_input_type: String,
    /// Ids of the services that asked it.
    services: Vec<String>,
}

/// A Bookings customer not brought over.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LeftOutCustomerJson {
    id: String,
    display_name: String,
    reason: String,
}

/// Import a Microsoft Bookings business (Microsoft mode): its settings, services, staff
/// members, custom questions and customers (which all keep their Bookings ids; customers once
/// per email address) become an unpublished Atrium business, in one transaction. The answer
/// lists the questions and customers left out.
#[utoipa::path(post, path = "/organizer/bookingBusinesses/{bookingsId}/import", operation_id = "importBookingBusiness", tag = "organizer appointments",
    params(("bookingsId" = String, Path, description = "The Bookings business's id (it looks like an email address)")),
    request_body = ImportRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The business", body = ImportedBusinessJson),
        JsonBodyErrors, OrganizerErrors, ReadOnlyToken,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Invalid),
        (status = 502, response = crate::api::doc::MicrosoftFailed),
    ))]
pub(super) async fn import_booking_business(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(bookings_id): Path<String>,
    JsonBody(input): JsonBody<ImportRequest>,
) -> Response {
    use crate::microsoft::sync::{ImportRefusal, SyncError};
    let not_connected = || {
        Problem::new(StatusCode::CONFLICT, "microsoft-not-connected", "Connect Microsoft 365 first")
            .detail("Importing from Bookings needs Microsoft mode and your organization's connected Microsoft 365 account (the dashboard's Microsoft 365 page).")
            .into_response()
    };
    let Some(teams) = &state.teams else {
        return not_connected();
    };
    match teams
        .import_booking_business(&org, &bookings_id, &input.time_zone, input.slug.as_deref())
        .await
    {
        Ok((b, report)) => (
            StatusCode::CREATED,
            [(header::LOCATION, format!("/api/v1/organizer/businesses/{}", b.slug))],
            Json(ImportedBusinessJson {
                business: organizer_business(&state, &b),
                custom_questions_imported: report.questions_imported,
                customers_imported: report.customers_imported,
                custom_questions_left_out: report
                    .questions_left_out
                    .into_iter()
                    .map(|q| LeftOutQuestionJson {
                        id: q.id,
                        display_name: q.display_name,
                        answer_input_type: q.answer_input_type,
                        services: q.asked_by,
                    })
                    .collect(),
                customers_left_out: report
                    .customers_left_out
                    .into_iter()
                    .map(|c| LeftOutCustomerJson {
                        id: c.id,
                        display_name: c.display_name,
                        reason: c.reason,
                    })
                    .collect(),
            }),
        )
            .into_response(),
        Err(ImportRefusal::NotFound(id)) => Problem::new(StatusCode::NOT_FOUND, "not-found", "Bookings business not found")
            .detail(format!("Bookings has no business {id:?} that your connected account can see."))
            .into_response(),
        Err(ImportRefusal::Setup(e)) => e.into_response(),
        Err(ImportRefusal::Sync(SyncError::NotConfigured | SyncError::SignIn(_))) => not_connected(),
        Err(ImportRefusal::Sync(SyncError::Store(e))) => Problem::internal(&e).into_response(),
        Err(ImportRefusal::Sync(e)) => Problem::new(StatusCode::BAD_GATEWAY, "microsoft", "Bookings did not answer as expected")
            .detail(e.to_string())
            .into_response(),
    }
}
