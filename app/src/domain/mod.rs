//! Atrium's domain model: events, questions, registrations and the rules between them.
//!
//! Plain Rust with no I/O, shared by the server and the browser islands. The shapes follow
//! Microsoft Graph's virtual events (`virtualEventWebinar`, `virtualEventRegistration`,
//! `virtualEventRegistrationQuestionBase`) so that Microsoft mode maps onto them one to one.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest accepted single-line answer, in characters.
pub const MAX_TEXT_ANSWER: usize = 1_000;
/// Longest accepted multi-line answer, in characters.
pub const MAX_MULTILINE_ANSWER: usize = 4_000;
/// Longest accepted first or last name, in characters.
pub const MAX_NAME: usize = 100;

/// A problem with one named field of a request, in words a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Why a value someone typed was refused, in words for that person. It becomes the message of
/// the field's [`FieldError`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid(pub String);

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Invalid {}

impl From<&str> for Invalid {
    fn from(message: &str) -> Self {
        Invalid(message.to_string())
    }
}

impl From<String> for Invalid {
    fn from(message: String) -> Self {
        Invalid(message)
    }
}

impl From<Invalid> for String {
    fn from(invalid: Invalid) -> Self {
        invalid.0
    }
}

impl PartialEq<&str> for Invalid {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the wire spelling, ignoring ASCII case as Graph payloads vary in casing.
            pub fn parse(text: &str) -> Option<Self> {
                $(if text.eq_ignore_ascii_case($text) { return Some($name::$variant); })+
                None
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

string_enum!(
    /// Webinars are joined through Teams on the web; meetings can be joined embedded in Atrium.
    EventKind { Webinar => "webinar", Meeting => "meeting" }
);

string_enum!(
    /// Lifecycle of an event, as Graph's `virtualEventStatus`. `Canceled` is terminal.
    EventStatus { Draft => "draft", Published => "published", Canceled => "canceled" }
);

string_enum!(
    /// Status of a registration, as Graph's `virtualEventAttendeeRegistrationStatus`.
    RegistrationStatus {
        Registered => "registered",
        Waitlisted => "waitlisted",
        PendingApproval => "pendingApproval",
        RejectedByOrganizer => "rejectedByOrganizer",
        Canceled => "canceled",
        // Atrium's own: waiting for the person to confirm their email address (double opt-in).
        Unconfirmed => "unconfirmed",
    }
);

string_enum!(
    /// The predefined registration questions Graph offers (`virtualEventRegistrationPredefinedQuestionLabel`).
    PredefinedLabel {
        Street => "street",
        City => "city",
        State => "state",
        PostalCode => "postalCode",
        CountryOrRegion => "countryOrRegion",
        Industry => "industry",
        JobTitle => "jobTitle",
        Organization => "organization",
    }
);

string_enum!(
    /// How a question is answered (`virtualEventRegistrationQuestionAnswerInputType`).
    AnswerInputType {
        Text => "text",
        MultilineText => "multilineText",
        SingleChoice => "singleChoice",
        MultiChoice => "multiChoice",
        Boolean => "boolean",
    }
);

string_enum!(
    /// Whether a question is one of Graph's predefined ones or the organizer's own.
    QuestionKind { Predefined => "predefined", Custom => "custom" }
);

impl PredefinedLabel {
    /// The label a person sees for a predefined question.
    pub fn display_name(self) -> &'static str {
        match self {
            PredefinedLabel::Street => "Street address",
            PredefinedLabel::City => "City",
            PredefinedLabel::State => "State or province",
            PredefinedLabel::PostalCode => "Postal code",
            PredefinedLabel::CountryOrRegion => "Country or region",
            PredefinedLabel::Industry => "Industry",
            PredefinedLabel::JobTitle => "Job title",
            PredefinedLabel::Organization => "Organization",
        }
    }
}

impl RegistrationStatus {
    /// Whether a registration in this status may move to `next`.
    pub fn can_become(self, next: RegistrationStatus) -> bool {
        use RegistrationStatus::*;
        matches!(
            (self, next),
            (Registered, Canceled)
                | (Waitlisted, Canceled)
                | (PendingApproval, Canceled)
                | (Waitlisted, Registered)
                | (PendingApproval, Registered)
                | (PendingApproval, RejectedByOrganizer)
                | (PendingApproval, Waitlisted)
                | (Canceled, Registered)
                | (Canceled, Waitlisted)
                | (Canceled, PendingApproval)
                | (RejectedByOrganizer, PendingApproval)
                | (Unconfirmed, Registered)
                | (Unconfirmed, Waitlisted)
                | (Unconfirmed, PendingApproval)
                | (Unconfirmed, Canceled)
                | (Canceled, Unconfirmed)
        )
    }

    /// Statuses a person still holds or awaits a place with.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            RegistrationStatus::Registered
                | RegistrationStatus::Waitlisted
                | RegistrationStatus::PendingApproval
                | RegistrationStatus::Unconfirmed
        )
    }

    /// A short sentence for the attendee about what this status means.
    pub fn describe(self) -> &'static str {
        match self {
            RegistrationStatus::Registered => "You're registered.",
            RegistrationStatus::Waitlisted => "You're on the waitlist.",
            RegistrationStatus::PendingApproval => "Your registration is awaiting the organizer's approval.",
            RegistrationStatus::RejectedByOrganizer => "The organizer could not accept this registration.",
            RegistrationStatus::Canceled => "This registration is canceled.",
            RegistrationStatus::Unconfirmed => "Please confirm your email address: we've sent you a link.",
        }
    }
}

mod fields;
mod questions;
mod seats;
#[cfg(test)]
mod tests;

pub use fields::*;
pub use questions::*;
pub use seats::*;
