//! Microsoft Bookings: a Bookings business read through the organization's connected account
//! (`/solutions/bookingBusinesses/{id}` with its services, staff members, custom questions and
//! customers) and made an Atrium business. Graph's JSON is read into the same inputs the
//! organizer API takes, so the same rules check it.

use super::*;
use crate::accounts::auth::Organizer;
use crate::appointments::model::Business;
use crate::appointments::setup::{self, BusinessInput, FromBookings, ImportReport, ServiceInput, StaffInput};
use crate::microsoft::client::GraphError;
use reqwest::Method;
use serde_json::Value;

/// Graph's path for the Bookings business `id` (ids look like email addresses).
pub(super) fn business_path(id: &str) -> String {
    let id = percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC);
    format!("/solutions/bookingBusinesses/{id}")
}

/// Why a Bookings business could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportRefusal {
    #[error("Bookings has no business {0:?} that the connected account can see")]
    NotFound(String),
    #[error(transparent)]
    Setup(#[from] crate::appointments::setup::SetupError),
    #[error(transparent)]
    Sync(#[from] SyncError),
}

impl TeamsSync {
    /// Makes an unpublished Atrium business of the Bookings business `bookings_id`, its hours
    /// read in `time_zone` (Bookings keeps no zone for the business itself).
    pub async fn import_booking_business(
        &self,
        organizer: &Organizer,
        bookings_id: &str,
        time_zone: &str,
        slug: Option<&str>,
    ) -> Result<(Business, ImportReport), ImportRefusal> {
        let (token, mailbox) = self.organization_token(&organizer.organization_id).await?;
        let base = business_path(bookings_id);
        let get = |path: String| {
            let (token, mailbox) = (token.clone(), mailbox.clone());
            async move { self.client.request_as(&token, Method::GET, &path, None, &mailbox).await }
        };
        let business = match get(base.clone()).await {
            Ok((_, body)) => body,
            Err(GraphError::Http { status: 404, .. }) => return Err(ImportRefusal::NotFound(bookings_id.into())),
            Err(e) => return Err(SyncError::from(e).into()),
        };
        let (_, services) = get(format!("{base}/services")).await.map_err(SyncError::from)?;
        let (_, staff) = get(format!("{base}/staffMembers")).await.map_err(SyncError::from)?;
        // Customers come a page at a time.
        let all = |path: String| {
            let (token, mailbox) = (token.clone(), mailbox.clone());
            async move { self.client.get_all_as::<Value>(&token, &path, &mailbox).await }
        };
        let questions = all(format!("{base}/customQuestions")).await.map_err(SyncError::from)?;
        let customers = all(format!("{base}/customers")).await.map_err(SyncError::from)?;
        let mut business: BusinessInput = serde_json::from_value(business).map_err(SyncError::from)?;
        business.time_zone = Some(time_zone.to_string());
        business.slug = slug.map(str::to_string);
        let items = |list: &serde_json::Value| list["value"].as_array().cloned().unwrap_or_default();
        let mut from = FromBookings {
            bookings_id: bookings_id.to_string(),
            business,
            services: Vec::new(),
            staff: Vec::new(),
            questions: with_ids(questions, "custom question")?,
            customers: with_ids(customers, "customer")?,
        };
        for s in items(&staff) {
            let id = s["id"]
                .as_str()
                .ok_or(SyncError::from("Bookings gave a staff member without an id"))?
                .to_string();
            let mut input: StaffInput = serde_json::from_value(s).map_err(SyncError::from)?;
            // Bookings may name the zone the Windows way, or leave it empty for the business's.
            input.time_zone = input
                .time_zone
                .filter(|z| !z.trim().is_empty())
                .map(|z| bodies::iana_zone(z.trim()).unwrap_or(z));
            from.staff.push((id, input));
        }
        for s in items(&services) {
            let id = s["id"]
                .as_str()
                .ok_or(SyncError::from("Bookings gave a service without an id"))?
                .to_string();
            let input: ServiceInput = serde_json::from_value(s).map_err(SyncError::from)?;
            from.services.push((id, input));
        }
        Ok(setup::import_business(&self.db, organizer, from).await?)
    }
}

/// Graph's items of one kind read into Atrium's input for it, each with its Bookings id.
fn with_ids<T: serde::de::DeserializeOwned>(items: Vec<Value>, what: &str) -> Result<Vec<(String, T)>, SyncError> {
    items
        .into_iter()
        .map(|item| {
            let id = item["id"]
                .as_str()
                .filter(|id| !id.is_empty())
                .ok_or_else(|| SyncError::from(format!("Bookings gave a {what} without an id")))?
                .to_string();
            Ok((id, serde_json::from_value(item).map_err(SyncError::from)?))
        })
        .collect()
}
