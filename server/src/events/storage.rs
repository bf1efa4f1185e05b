//! What the organizer's event commands need from storage inside their one write transaction
//! ([`EventWriter`], besides the seats and the audit trail). The SQL adapter
//! (`store::writes`) implements it on `WriteTx`; the commands' unit tests use tables in memory.

use super::input::PresenterRecord;
use super::seats::Seats;
use super::NewEvent;
use crate::accounts::audit::AuditLog;
use app::domain::{EventStatus, PredefinedLabel, Question, RegistrationStatus};
use std::future::Future;

type Done<T = ()> = Result<T, sqlx::Error>;

pub trait EventWriter: Seats + AuditLog {
    /// Stores a new event with its questions, presenters and default reminders; answers its id.
    fn insert_event(&mut self, new: &NewEvent, now: i64) -> impl Future<Output = Done<String>> + Send;
    fn add_organizer(&mut self, event_id: &str, organizer_id: &str) -> impl Future<Output = Done> + Send;
    /// Whether Teams (rather than Atrium) emails the webinar's attendees their links.
    fn set_teams_emails(&mut self, event_id: &str, teams_emails: bool) -> impl Future<Output = Done> + Send;
    /// Makes `presenters` the event's, in this order.
    fn write_presenters(&mut self, event_id: &str, presenters: &[PresenterRecord]) -> impl Future<Output = Done> + Send;
    /// Minutes registrants have to confirm their address (0: not asked).
    fn set_confirmation_minutes(&mut self, event_id: &str, minutes: i64) -> impl Future<Output = Done> + Send;
    /// Writes the event's own fields as `new` has them, its calendar entries' sequence raised.
    fn update_fields(&mut self, event_id: &str, new: &NewEvent, now: i64) -> impl Future<Output = Done> + Send;
    /// Makes `questions` the event's; questions that stay keep their ids.
    fn write_questions(&mut self, event_id: &str, questions: &[(Question, Option<PredefinedLabel>)]) -> impl Future<Output = Done> + Send;
    /// Links the event to a Teams webinar owned by `owner` ("" for the service account). A
    /// unique violation means another event holds the webinar.
    fn link_webinar(&mut self, event_id: &str, webinar: &str, owner: &str) -> impl Future<Output = Done> + Send;
    fn unlink_webinar(&mut self, event_id: &str) -> impl Future<Output = Done> + Send;
    /// After the event moved to `start_at`, reminders whose moment is still ahead are due again.
    fn rearm_reminders(&mut self, event_id: &str, start_at: i64, now: i64) -> impl Future<Output = Done> + Send;
    /// Marks that Teams must be brought up to date with the event.
    fn bump_teams_version(&mut self, event_id: &str) -> impl Future<Output = Done> + Send;
    /// Publishes a draft (only a draft) or cancels the event.
    fn set_status(&mut self, event_id: &str, status: EventStatus, now: i64) -> impl Future<Output = Done> + Send;
    /// The organizer's own connected Microsoft 365 account, if they connected one.
    fn personal_microsoft_account(&mut self, organizer_id: &str) -> impl Future<Output = Done<Option<String>>> + Send;
    /// Who owns the event in Teams: an organizer id, or "" for the organization's service account.
    fn set_teams_owner(&mut self, event_id: &str, owner: &str) -> impl Future<Output = Done> + Send;
    /// The event's registrations in one of `statuses`: (id, email).
    fn registrants_with(
        &mut self,
        event_id: &str,
        statuses: &[RegistrationStatus],
    ) -> impl Future<Output = Done<Vec<(String, String)>>> + Send;
}
