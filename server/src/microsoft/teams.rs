//! The Teams seam: what the rest of Atrium asks of Microsoft Teams while an organizer waits
//! (reading attendance now, checking who may link a webinar, listing and importing webinars,
//! importing a Bookings business).
//! Work that can wait never goes through here: features queue it in the job queue, and the
//! [`TeamsSync`] worker, which also implements this trait, does it later.

use super::delegated::Account;
use super::models::Webinar;
use super::sync::{ImportRefusal, LinkRefusal, SyncError, TeamsSync};
use crate::accounts::auth::Organizer;
use crate::appointments::model::Business;
use crate::appointments::setup::ImportReport;
use crate::attendance::ImportSummary;
use crate::events::Event;
use async_trait::async_trait;

#[async_trait]
pub trait Teams: Send + Sync {
    /// Reads the event's attendance from Teams now and records it.
    async fn read_attendance(&self, event: &Event) -> Result<ImportSummary, SyncError>;
    /// The connected account that organizes the webinar `webinar_id`, which the organizer may
    /// then link to an event.
    async fn webinar_account(&self, organizer: &Organizer, webinar_id: &str) -> Result<Account, LinkRefusal>;
    /// Webinars `account` organizes in Teams that no event is linked to yet.
    async fn importable_webinars(&self, account: &Account) -> Result<Vec<Webinar>, SyncError>;
    /// Makes an event of the webinar `webinar_id`, with the registrations Teams holds; returns
    /// the event and how many registrations came with it.
    async fn import_webinar(&self, organizer: &Organizer, account: &Account, webinar_id: &str) -> Result<(Event, usize), SyncError>;
    /// Makes an unpublished business of the Microsoft Bookings business `bookings_id`, with its
    /// services, staff, custom questions and customers; its hours are read in `time_zone`.
    async fn import_booking_business(
        &self,
        organizer: &Organizer,
        bookings_id: &str,
        time_zone: &str,
        slug: Option<&str>,
    ) -> Result<(Business, ImportReport), ImportRefusal>;
}

#[async_trait]
impl Teams for TeamsSync {
    async fn read_attendance(&self, event: &Event) -> Result<ImportSummary, SyncError> {
        TeamsSync::read_attendance(self, event).await
    }

    async fn webinar_account(&self, organizer: &Organizer, webinar_id: &str) -> Result<Account, LinkRefusal> {
        TeamsSync::webinar_account(self, organizer, webinar_id).await
    }

    async fn importable_webinars(&self, account: &Account) -> Result<Vec<Webinar>, SyncError> {
        TeamsSync::importable_webinars(self, account).await
    }

    async fn import_webinar(&self, organizer: &Organizer, account: &Account, webinar_id: &str) -> Result<(Event, usize), SyncError> {
        TeamsSync::import_webinar(self, organizer, account, webinar_id).await
    }

    async fn import_booking_business(
        &self,
        organizer: &Organizer,
        bookings_id: &str,
        time_zone: &str,
        slug: Option<&str>,
    ) -> Result<(Business, ImportReport), ImportRefusal> {
        TeamsSync::import_booking_business(self, organizer, bookings_id, time_zone, slug).await
    }
}
