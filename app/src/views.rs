//! What each page shows, prepared by the server and rendered by [`crate::pages`].

use crate::domain::{EventKind, FieldError, Question, RegistrationStatus};
use serde::{Deserialize, Serialize};

/// An event's times as rendered on the server, with what the browser needs to re-render them in
/// the visitor's own time zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Times {
    pub start_unix: i64,
    pub end_unix: i64,
    /// The IANA zone `text` is written in.
    pub zone: String,
    pub text: String,
    /// True when the visitor chose `zone` (query or cookie); the browser then leaves it alone.
    pub chosen: bool,
}

/// Something to choose from a list: its value, its label, and whether it is the current choice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub chosen: bool,
}

/// Everything the booking page's day-and-times island needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickerSpec {
    /// The business.
    pub slug: String,
    /// The chosen service.
    pub service: String,
    /// Staff to choose from ("anyone" first), when the business lets customers choose.
    pub staff: Option<Vec<Choice>>,
    pub zones: Vec<Choice>,
    /// True when the customer chose the zone; the browser's own is shown otherwise.
    pub zone_chosen: bool,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The day's free times (value: RFC 3339 start; label: local time).
    pub times: Vec<Choice>,
    /// Said above the times: nothing free that day, or why a time was refused.
    pub notice: Option<String>,
    /// Where the chosen time (and the details) are posted.
    pub action: String,
    /// Moving an existing appointment (its manage token).
    pub moving: Option<String>,
    pub start_error: Option<String>,
}

impl PickerSpec {
    /// What the day-and-times island is given: the choices made, not the lists they were made
    /// from (those are in the page's own day form).
    pub fn times(&self) -> TimesSpec {
        let chosen = |list: &[Choice]| list.iter().find(|c| c.chosen).map(|c| c.value.clone()).unwrap_or_default();
        TimesSpec {
            slug: self.slug.clone(),
            service: self.service.clone(),
            staff: self.staff.as_deref().map(chosen).unwrap_or_default(),
            zone: chosen(&self.zones),
            zone_chosen: self.zone_chosen,
            date: self.date.clone(),
            times: self.times.clone(),
            notice: self.notice.clone(),
            action: self.action.clone(),
            start_error: self.start_error.clone(),
        }
    }
}

/// The booking page's day-and-times island: what is chosen and the day's free times.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimesSpec {
    pub slug: String,
    pub service: String,
    /// The chosen staff member's id; anyone available when empty.
    pub staff: String,
    /// The IANA zone the times are shown in.
    pub zone: String,
    /// True when the customer chose the zone; the browser's own is shown otherwise.
    pub zone_chosen: bool,
    pub date: String,
    pub times: Vec<Choice>,
    pub notice: Option<String>,
    pub action: String,
    pub start_error: Option<String>,
}

/// One event in the list on the home page.
#[derive(Clone, Debug)]
pub struct EventCard {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub kind: EventKind,
    pub times: Times,
    pub availability: String,
}

/// A presenter shown on the event page.
#[derive(Clone, Debug)]
pub struct PresenterView {
    pub name: String,
    pub title_line: String,
    pub bio: String,
    pub photo_url: Option<String>,
    pub links: Vec<(String, String)>,
}

/// What the registration form was filled with, to show it again after an error.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormValues {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// Answers by question id; several values for multi-choice questions.
    pub answers: Vec<(String, Vec<String>)>,
    pub accept_terms: bool,
}

impl FormValues {
    pub fn answer(&self, question_id: &str) -> &[String] {
        self.answers
            .iter()
            .find(|(id, _)| id == question_id)
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[])
    }
}

/// Everything the registration form shows: its fields, what was typed and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormSpec {
    pub slug: String,
    pub questions: Vec<Question>,
    pub terms_url: Option<String>,
    pub preferred_timezone: String,
    /// What the button says: "Register", "Join the waitlist" or "Request to attend".
    pub submit_label: String,
    pub values: FormValues,
    pub errors: Vec<FieldError>,
    /// A message about the last submission that is not an error.
    pub notice: Option<String>,
}

impl FormSpec {
    /// What the registration form's island is given: not the fields (the server renders them),
    /// only what submitting in place needs.
    pub fn submit_spec(&self) -> SubmitSpec {
        SubmitSpec {
            slug: self.slug.clone(),
            questions: self.questions.iter().map(|q| (q.id.clone(), q.answer_input_type)).collect(),
            submit_label: self.submit_label.clone(),
            general_error: self.errors.iter().find(|e| e.field == "form").map(|e| e.message.clone()),
            notice: self.notice.clone(),
        }
    }
}

/// The registration form's island: where it posts, how each answer is read from the form, what
/// the button says, and the messages about the form as a whole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubmitSpec {
    pub slug: String,
    /// Each question's id and how its answer is read.
    pub questions: Vec<(String, crate::domain::AnswerInputType)>,
    pub submit_label: String,
    pub general_error: Option<String>,
    pub notice: Option<String>,
}

impl SubmitSpec {
    /// The names of the form's fields that can be at fault (each has its error next to it).
    pub fn fields(&self) -> Vec<String> {
        let mut names: Vec<String> = ["firstName", "lastName", "email", "acceptTerms"].map(String::from).to_vec();
        names.extend(self.questions.iter().map(|(id, _)| crate::domain::answer_field(id)));
        names
    }
}

/// The public page of one event.
#[derive(Clone, Debug)]
pub struct EventPage {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub kind: EventKind,
    pub canceled: bool,
    pub times: Times,
    pub availability: String,
    /// Why registering is not possible now, if it is not.
    pub closed_reason: Option<String>,
    pub form: FormSpec,
    pub presenters: Vec<PresenterView>,
    pub zones: Vec<String>,
}

/// The private page behind a registration's manage link.
#[derive(Clone, Debug)]
pub struct ManagePage {
    pub token: String,
    pub just_registered: bool,
    pub just_canceled: bool,
    pub event_slug: String,
    pub event_title: String,
    pub event_kind: EventKind,
    pub event_canceled: bool,
    pub times: Times,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub status: RegistrationStatus,
    pub waitlist_position: Option<i64>,
    pub join_url: Option<String>,
    /// Microsoft Teams emails the attendee a personal join link.
    pub teams_sends_link: bool,
    pub answers: Vec<(String, String)>,
    pub can_cancel: bool,
}
