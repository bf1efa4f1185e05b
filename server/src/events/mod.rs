//! Events with their questions and presenters: the model, the organizer's commands (create,
//! edit, publish, cancel, copy), reminder settings and who organizes each event.

pub mod commands;
mod error;
pub mod input;
pub mod organizers;
pub mod reminders;
pub mod seats;
mod storage;
pub mod store;

pub use commands::{announce, cancel, check_webinar_link, create, duplicate, event, list, publish, update};
pub use input::{EventInput, ManageError, PresenterInput, PresenterRecord, QuestionInput};
pub use seats::{counter, promote_waitlisted, Counter, Seats};
pub use store::{by_id, for_registration, insert, presenter_records, public_by_slug, upcoming};

use app::domain::{EventKind, EventStatus, PredefinedLabel, Question, RegistrationWindow, SeatState};

#[derive(Clone, Debug, Default)]
pub struct Presenter {
    pub name: String,
    pub company: String,
    pub job_title: String,
    pub bio: String,
    pub photo_url: Option<String>,
    /// ("LinkedIn", url), ("Website", url), ("X", url) — the ones given.
    pub links: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct Event {
    pub id: String,
    pub organization_id: Option<String>,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub kind: EventKind,
    pub status: EventStatus,
    pub start_at: i64,
    pub end_at: i64,
    pub time_zone: String,
    pub capacity: Option<i64>,
    pub waitlist_enabled: bool,
    pub manual_approval: bool,
    pub registration_opens_at: Option<i64>,
    pub registration_closes_at: Option<i64>,
    pub join_url: Option<String>,
    pub terms_url: Option<String>,
    pub registered_count: i64,
    pub waitlisted_count: i64,
    pub pending_count: i64,
    pub next_waitlist_seq: i64,
    /// Seats held for registrants who have not confirmed their email address yet.
    pub held_count: i64,
    /// Registrants confirm their email address within this many minutes before their seat is
    /// theirs (double opt-in); 0 when not asked.
    pub confirm_hold_minutes: i64,
    /// The Teams webinar this event is linked to, in Microsoft mode.
    pub teams_webinar_id: Option<String>,
    /// Teams (not Atrium) emails attendees their personal join links.
    pub teams_emails: bool,
    /// The Teams meeting of a meeting-kind event.
    pub teams_meeting_id: Option<String>,
    /// The join link Graph gave for the event's meeting or webinar session.
    pub teams_join_url: Option<String>,
    /// The organizer whose own Microsoft 365 account owns the event in Teams (None: the
    /// organization's service account).
    pub teams_owner: Option<String>,
    /// How many times the event changed in ways its calendar entries show (see `notify::ics`).
    pub ics_sequence: i64,
    pub questions: Vec<Question>,
    pub presenters: Vec<Presenter>,
}

impl Event {
    /// The Microsoft 365 account that owns the event in Teams: its organizer's own, or the
    /// organization's service account.
    pub fn teams_account(&self) -> Option<crate::accounts::MicrosoftAccount> {
        match &self.teams_owner {
            Some(owner) => Some(crate::accounts::MicrosoftAccount::Personal(owner.clone())),
            None => self.organization_id.clone().map(crate::accounts::MicrosoftAccount::Service),
        }
    }

    /// Where registered attendees join: the organizer's own link if they set one, else the
    /// one Teams gave.
    /// When Teams emails personal links for a webinar, Atrium shows only a link the organizer
    /// set themselves.
    pub fn join_link(&self) -> Option<&str> {
        if self.teams_sends_links() {
            return self.join_url.as_deref();
        }
        self.join_url.as_deref().or(self.teams_join_url.as_deref())
    }

    /// Whether the event lives in Teams (a linked webinar or a created meeting).
    pub fn in_teams(&self) -> bool {
        self.teams_webinar_id.is_some() || self.teams_meeting_id.is_some()
    }

    /// Teams sends this webinar's attendees their personal join links by email.
    pub fn teams_sends_links(&self) -> bool {
        self.teams_webinar_id.is_some() && self.teams_emails
    }
}

impl Event {
    pub fn window(&self) -> RegistrationWindow {
        RegistrationWindow {
            status: self.status,
            opens_at: self.registration_opens_at,
            closes_at: self.registration_closes_at,
            ends_at: self.end_at,
        }
    }

    pub fn seats(&self) -> SeatState {
        SeatState {
            capacity: self.capacity,
            registered: self.registered_count,
            held: self.held_count,
            waitlisted: self.waitlisted_count,
            waitlist_enabled: self.waitlist_enabled,
            manual_approval: self.manual_approval,
        }
    }

    /// "12 of 50 places left", "Full — join the waitlist", and so on.
    pub fn availability(&self) -> String {
        match self.seats().seats_left() {
            None => "Open to everyone".into(),
            Some(0) if self.waitlist_enabled => "Full — you can join the waitlist".into(),
            Some(0) => "Full".into(),
            Some(_) if self.waitlisted_count > 0 => "Full — you can join the waitlist".into(),
            Some(1) => "1 place left".into(),
            Some(n) if n <= 10 => format!("Only {n} places left"),
            Some(n) => format!("{n} places left"),
        }
    }
}

/// A new event with its questions and presenters, as the organizer defines it.
#[derive(Clone, Debug)]
pub struct NewEvent {
    /// The organization that owns the event.
    pub organization_id: String,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub kind: EventKind,
    pub status: EventStatus,
    pub start_at: i64,
    pub end_at: i64,
    pub time_zone: String,
    pub capacity: Option<i64>,
    pub waitlist_enabled: bool,
    pub manual_approval: bool,
    pub registration_opens_at: Option<i64>,
    pub registration_closes_at: Option<i64>,
    pub join_url: Option<String>,
    pub terms_url: Option<String>,
    /// Predefined questions carry their label in `predefined`.
    pub questions: Vec<(Question, Option<PredefinedLabel>)>,
    pub presenters: Vec<Presenter>,
}

/// Checks the form of a Teams (virtual-event) webinar id before it goes anywhere near a URL.
/// Graph's ids look like `{guid}@{tenant guid}` (see the webinar examples in the Graph docs);
/// only ASCII letters, digits, `-` and `@` are accepted, so an id can never add a path segment,
/// a query or a fragment to a Graph request.
pub fn check_webinar_id(id: &str) -> Result<(), NotAWebinarId> {
    let safe = !id.is_empty()
        && id.len() <= 200
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'@')
        && id.bytes().any(|b| b.is_ascii_alphanumeric());
    if safe {
        Ok(())
    } else {
        Err(NotAWebinarId)
    }
}

/// A text that does not have the form of a Teams webinar id.
#[derive(Debug, thiserror::Error)]
#[error("This is not a Teams webinar id: it looks like 7b7e1acd-a3e0-4533-8c1d-c1a4ca0b2e2b@77229959-e479-4a73-b6e0-ddac27be315c.")]
pub struct NotAWebinarId;

/// A published event `id` starting a day after `now`, for the unit tests of the features that
/// decide seats.
#[cfg(test)]
pub(crate) fn sample(id: &str, capacity: Option<i64>, waitlist: bool, now: i64) -> Event {
    Event {
        id: id.into(),
        organization_id: None,
        slug: format!("{id}-launch"),
        title: "Launch".into(),
        summary: String::new(),
        description: String::new(),
        kind: EventKind::Webinar,
        status: EventStatus::Published,
        start_at: now + 86_400,
        end_at: now + 90_000,
        time_zone: "UTC".into(),
        capacity,
        waitlist_enabled: waitlist,
        manual_approval: false,
        registration_opens_at: None,
        registration_closes_at: None,
        join_url: None,
        terms_url: None,
        registered_count: 0,
        waitlisted_count: 0,
        pending_count: 0,
        next_waitlist_seq: 1,
        held_count: 0,
        confirm_hold_minutes: 0,
        teams_webinar_id: None,
        teams_emails: false,
        teams_meeting_id: None,
        teams_join_url: None,
        teams_owner: None,
        ics_sequence: 0,
        questions: Vec::new(),
        presenters: Vec::new(),
    }
}
