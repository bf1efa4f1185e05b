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

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

/// A registration question as shown to attendees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub label: String,
    pub answer_input_type: AnswerInputType,
    pub choices: Vec<String>,
    pub is_required: bool,
}

impl Question {
    /// A predefined question; its label and input type come from Graph's definition.
    pub fn predefined(id: impl Into<String>, label: PredefinedLabel, is_required: bool) -> Self {
        Self {
            id: id.into(),
            kind: QuestionKind::Predefined,
            label: label.display_name().to_string(),
            answer_input_type: AnswerInputType::Text,
            choices: Vec::new(),
            is_required,
        }
    }
}

/// One answer as submitted, before validation (Graph's `virtualEventRegistrationQuestionAnswer`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawAnswer {
    pub question_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boolean_value: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_choice_values: Option<Vec<String>>,
}

/// A validated answer to one question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    pub question_id: String,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boolean_value: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_choice_values: Option<Vec<String>>,
}

impl Answer {
    /// The answer as one line of text, for tables, emails and CSV.
    pub fn as_text(&self) -> String {
        if let Some(b) = self.boolean_value {
            return if b { "Yes".into() } else { "No".into() };
        }
        if let Some(v) = &self.multi_choice_values {
            return v.join("; ");
        }
        self.value.clone().unwrap_or_default()
    }
}

/// The form field name used for a question's answer.
pub fn answer_field(question_id: &str) -> String {
    format!("answers.{question_id}")
}

fn has_control_chars(text: &str, allow_newlines: bool) -> bool {
    text.chars()
        .any(|c| c.is_control() && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t')))
}

/// Validates every answer against the event's questions. Unknown question ids, answers of the
/// wrong type, choices that were not offered, over-long text and missing required answers are
/// each reported against the question's field.
pub fn validate_answers(questions: &[Question], raw: &[RawAnswer]) -> Result<Vec<Answer>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut answers = Vec::new();
    for (i, answer) in raw.iter().enumerate() {
        if !questions.iter().any(|q| q.id == answer.question_id) {
            errors.push(FieldError::new(
                format!("answers[{i}].questionId"),
                "This question is not part of the event.",
            ));
        }
        if raw[..i].iter().any(|a| a.question_id == answer.question_id) {
            errors.push(FieldError::new(
                format!("answers[{i}].questionId"),
                "This question was answered twice.",
            ));
        }
    }
    for q in questions {
        let field = answer_field(&q.id);
        let given = raw.iter().find(|a| a.question_id == q.id);
        let mut answer = Answer {
            question_id: q.id.clone(),
            display_name: q.label.clone(),
            value: None,
            boolean_value: None,
            multi_choice_values: None,
        };
        let present = match q.answer_input_type {
            AnswerInputType::Text | AnswerInputType::MultilineText => {
                let max = if q.answer_input_type == AnswerInputType::Text {
                    MAX_TEXT_ANSWER
                } else {
                    MAX_MULTILINE_ANSWER
                };
                let text = given.and_then(|a| a.value.as_deref()).map(str::trim).unwrap_or("");
                if text.chars().count() > max {
                    errors.push(FieldError::new(&field, format!("Please keep this under {max} characters.")));
                    continue;
                }
                if has_control_chars(text, q.answer_input_type == AnswerInputType::MultilineText) {
                    errors.push(FieldError::new(&field, "This answer contains characters that can't be used."));
                    continue;
                }
                if !text.is_empty() {
                    answer.value = Some(text.to_string());
                }
                !text.is_empty()
            }
            AnswerInputType::SingleChoice => {
                let text = given.and_then(|a| a.value.as_deref()).unwrap_or("");
                if !text.is_empty() && !q.choices.iter().any(|c| c == text) {
                    errors.push(FieldError::new(&field, "Please pick one of the options offered."));
                    continue;
                }
                if !text.is_empty() {
                    answer.value = Some(text.to_string());
                }
                !text.is_empty()
            }
            AnswerInputType::MultiChoice => {
                let picked = given.and_then(|a| a.multi_choice_values.clone()).unwrap_or_default();
                if let Some(bad) = picked.iter().find(|p| !q.choices.contains(p)) {
                    errors.push(FieldError::new(&field, format!("\"{bad}\" is not one of the options offered.")));
                    continue;
                }
                let mut unique: Vec<String> = Vec::new();
                for p in picked {
                    if !unique.contains(&p) {
                        unique.push(p);
                    }
                }
                let present = !unique.is_empty();
                if present {
                    answer.multi_choice_values = Some(unique);
                }
                present
            }
            AnswerInputType::Boolean => {
                let value = given.and_then(|a| a.boolean_value);
                answer.boolean_value = value;
                // A required yes/no question must be answered "yes" (like a checkbox that must be ticked).
                if q.is_required && value != Some(true) {
                    errors.push(FieldError::new(&field, "Please tick this box to continue."));
                    continue;
                }
                value.is_some()
            }
        };
        if q.is_required && !present {
            errors.push(FieldError::new(&field, "Please answer this question."));
            continue;
        }
        if present {
            answers.push(answer);
        }
    }
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err(errors)
    }
}

/// An email address that passed Atrium's checks: ASCII only, one `@`, a plausible local part,
/// and a domain of dot-separated labels (internationalised domains in their `xn--` form). Compared case-insensitively through [`EmailAddress::normalized`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, String> {
        let email = input.trim();
        if email.is_empty() {
            return Err("Please enter your email address.".into());
        }
        if email.len() > 254 {
            return Err("This email address is too long.".into());
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Err("Please enter an email address like name@example.com.".into());
        };
        // Mail servers need extensions (SMTPUTF8) for anything else, which many lack: such an
        // address would be accepted here and then never delivered.
        if !email.is_ascii() {
            return Err("Please use an email address made of Latin letters (a–z), digits and punctuation: addresses with other characters can't be delivered.".into());
        }
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
        if !local_ok || !domain_ok {
            return Err("Please enter an email address like name@example.com.".into());
        }
        Ok(Self(email.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form two registrations are compared by: the whole address in lower case.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A person's first or last name: trimmed, 1–100 characters, no control characters.
pub fn parse_name(input: &str, what: &str) -> Result<String, String> {
    let name = input.trim();
    if name.is_empty() {
        return Err(format!("Please enter your {what}."));
    }
    if name.chars().count() > MAX_NAME {
        return Err(format!("Please keep your {what} under {MAX_NAME} characters."));
    }
    if has_control_chars(name, false) {
        return Err(format!("Your {what} contains characters that can't be used."));
    }
    Ok(name.to_string())
}

/// A BCP 47 language tag such as `en-US`: letters, digits and hyphens, at most 35 characters.
pub fn parse_language(input: &str) -> Result<String, String> {
    let tag = input.trim();
    let ok = !tag.is_empty()
        && tag.len() <= 35
        && tag
            .split('-')
            .all(|part| !part.is_empty() && part.len() <= 8 && part.chars().all(|c| c.is_ascii_alphanumeric()))
        && tag
            .split('-')
            .next()
            .is_some_and(|p| p.len() >= 2 && p.chars().all(|c| c.is_ascii_alphabetic()));
    if ok {
        Ok(tag.to_string())
    } else {
        Err("Please give a language tag such as en-US.".into())
    }
}

/// What an event's registration rules decide for a new registrant, given the seats taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    Registered,
    Waitlisted,
    PendingApproval,
    /// Full with no waitlist: the registration is refused.
    Full,
}

/// The seat-related settings and counts of one event at the moment of a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeatState {
    /// `None` means unlimited.
    pub capacity: Option<i64>,
    pub registered: i64,
    /// Seats held for people who have not confirmed their email address yet.
    pub held: i64,
    /// People already waiting; a newcomer never jumps ahead of them.
    pub waitlisted: i64,
    pub waitlist_enabled: bool,
    pub manual_approval: bool,
}

impl SeatState {
    pub fn seats_left(&self) -> Option<i64> {
        self.capacity.map(|c| (c - self.registered - self.held).max(0))
    }

    /// Decides what happens to one more registrant. Seats are only ever handed out while
    /// `registered + held < capacity`, and never ahead of people already on the waitlist.
    pub fn admit(&self) -> Admission {
        let has_seat = match self.capacity {
            None => true,
            Some(c) => self.registered + self.held < c && self.waitlisted == 0,
        };
        if has_seat {
            if self.manual_approval {
                Admission::PendingApproval
            } else {
                Admission::Registered
            }
        } else if self.waitlist_enabled {
            Admission::Waitlisted
        } else {
            Admission::Full
        }
    }

    /// Whether a seat freed by a cancellation can go to the first person on the waitlist.
    pub fn can_promote(&self) -> bool {
        self.waitlisted > 0 && self.capacity.is_none_or(|c| self.registered + self.held < c)
    }
}

/// Why a registration is refused before its details are even looked at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotPublished,
    Canceled,
    NotOpenYet { opens_at: i64 },
    Closed,
    Ended,
    Full,
}

impl Refusal {
    pub fn message(&self) -> String {
        match self {
            Refusal::NotPublished => "This event is not open for registration.".into(),
            Refusal::Canceled => "This event has been canceled.".into(),
            Refusal::NotOpenYet { .. } => "Registration for this event has not opened yet.".into(),
            Refusal::Closed => "Registration for this event has closed.".into(),
            Refusal::Ended => "This event has already ended.".into(),
            Refusal::Full => "This event is full.".into(),
        }
    }
}

/// When registration is possible, in Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegistrationWindow {
    pub status: EventStatus,
    pub opens_at: Option<i64>,
    pub closes_at: Option<i64>,
    pub ends_at: i64,
}

impl RegistrationWindow {
    pub fn check(&self, now: i64) -> Result<(), Refusal> {
        match self.status {
            EventStatus::Draft => return Err(Refusal::NotPublished),
            EventStatus::Canceled => return Err(Refusal::Canceled),
            EventStatus::Published => {}
        }
        if now >= self.ends_at {
            return Err(Refusal::Ended);
        }
        if let Some(opens_at) = self.opens_at {
            if now < opens_at {
                return Err(Refusal::NotOpenYet { opens_at });
            }
        }
        if let Some(closes_at) = self.closes_at {
            if now >= closes_at {
                return Err(Refusal::Closed);
            }
        }
        Ok(())
    }
}

/// A URL-safe event slug: lower-case letters, digits and single hyphens, 3–80 characters.
pub fn parse_slug(input: &str) -> Result<String, String> {
    let slug = input.trim();
    let ok = (3..=80).contains(&slug.len())
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    if ok {
        Ok(slug.to_string())
    } else {
        Err("Use 3–80 lower-case letters, digits and single hyphens.".into())
    }
}

/// An `http`/`https` URL suitable for a link shown to people (join links, terms, presenter sites).
pub fn parse_web_url(input: &str) -> Result<String, String> {
    let url = input.trim();
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest)
            if !rest.is_empty()
                && url.len() <= 2048
                && !url
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>') =>
        {
            Ok(url.to_string())
        }
        _ => Err("Please enter a web address starting with https://.".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn q(id: &str, t: AnswerInputType, required: bool, choices: &[&str]) -> Question {
        Question {
            id: id.into(),
            kind: QuestionKind::Custom,
            label: format!("Question {id}"),
            answer_input_type: t,
            choices: choices.iter().map(|s| s.to_string()).collect(),
            is_required: required,
        }
    }

    fn text(id: &str, v: &str) -> RawAnswer {
        RawAnswer {
            question_id: id.into(),
            value: Some(v.into()),
            ..Default::default()
        }
    }

    #[test]
    fn enums_round_trip_their_wire_names_in_any_case() {
        for s in RegistrationStatus::ALL {
            assert_eq!(RegistrationStatus::parse(s.as_str()), Some(*s));
            assert_eq!(RegistrationStatus::parse(&s.as_str().to_uppercase()), Some(*s));
        }
        assert_eq!(PredefinedLabel::parse("postalcode"), Some(PredefinedLabel::PostalCode));
        assert_eq!(AnswerInputType::parse("multilineText"), Some(AnswerInputType::MultilineText));
        assert_eq!(EventKind::parse("townhall"), None);
        assert_eq!(PredefinedLabel::ALL.len(), 8);
    }

    #[test]
    fn emails_are_checked_and_normalized() {
        for good in ["a@b.co", "first.last+tag@sub.example.org", "x_y@a-b.io", "ANNE@xn--r8jz45g.jp"] {
            assert!(EmailAddress::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a b@c.com",
            "a@b..com",
            "a@-b.com",
            "a@b.c",
            ".a@b.com",
            "a..b@c.com",
            "a@b.123",
            "tést@exämple.com",
            "anne@例え.jp",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(EmailAddress::parse("  Ann@Example.COM ").unwrap().normalized(), "ann@example.com");
    }

    #[test]
    fn names_and_languages() {
        assert_eq!(parse_name("  Ada ", "first name").unwrap(), "Ada");
        assert!(parse_name("   ", "first name").unwrap_err().contains("first name"));
        assert!(parse_name(&"x".repeat(101), "last name").is_err());
        assert!(parse_name("a\u{0}b", "last name").is_err());
        assert!(parse_language("en-US").is_ok());
        assert!(parse_language("zh-Hant-TW").is_ok());
        assert!(parse_language("e").is_err());
        assert!(parse_language("en_US").is_err());
    }

    #[test]
    fn answers_validate_each_type() {
        let qs = vec![
            q("t", AnswerInputType::Text, true, &[]),
            q("s", AnswerInputType::SingleChoice, false, &["A", "B"]),
            q("m", AnswerInputType::MultiChoice, false, &["X", "Y", "Z"]),
            q("b", AnswerInputType::Boolean, false, &[]),
        ];
        let ok = validate_answers(
            &qs,
            &[
                text("t", "  hello "),
                text("s", "B"),
                RawAnswer {
                    question_id: "m".into(),
                    multi_choice_values: Some(vec!["Y".into(), "X".into(), "Y".into()]),
                    ..Default::default()
                },
                RawAnswer {
                    question_id: "b".into(),
                    boolean_value: Some(false),
                    ..Default::default()
                },
            ],
        )
        .unwrap();
        assert_eq!(ok.len(), 4);
        assert_eq!(ok[0].value.as_deref(), Some("hello"));
        assert_eq!(ok[2].multi_choice_values.as_ref().unwrap(), &vec!["Y".to_string(), "X".to_string()]);
        assert_eq!(ok[3].as_text(), "No");

        let errs = validate_answers(&qs, &[text("s", "C"), text("zzz", "?")]).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"answers.t"), "{fields:?}");
        assert!(fields.contains(&"answers.s"));
        assert!(fields.contains(&"answers[1].questionId"));

        let long = "x".repeat(MAX_TEXT_ANSWER + 1);
        let errs = validate_answers(&qs, &[text("t", &long)]).unwrap_err();
        assert!(errs[0].message.contains("under"));
    }

    #[test]
    fn required_boolean_means_ticked() {
        let qs = vec![q("c", AnswerInputType::Boolean, true, &[])];
        assert!(validate_answers(&qs, &[]).is_err());
        assert!(validate_answers(
            &qs,
            &[RawAnswer {
                question_id: "c".into(),
                boolean_value: Some(false),
                ..Default::default()
            }]
        )
        .is_err());
        assert!(validate_answers(
            &qs,
            &[RawAnswer {
                question_id: "c".into(),
                boolean_value: Some(true),
                ..Default::default()
            }]
        )
        .is_ok());
    }

    #[test]
    fn window_refuses_outside_registration_period() {
        let w = RegistrationWindow {
            status: EventStatus::Published,
            opens_at: Some(100),
            closes_at: Some(200),
            ends_at: 300,
        };
        assert_eq!(w.check(99), Err(Refusal::NotOpenYet { opens_at: 100 }));
        assert_eq!(w.check(100), Ok(()));
        assert_eq!(w.check(200), Err(Refusal::Closed));
        assert_eq!(w.check(300), Err(Refusal::Ended));
        assert_eq!(
            RegistrationWindow {
                status: EventStatus::Canceled,
                ..w
            }
            .check(150),
            Err(Refusal::Canceled)
        );
        assert_eq!(
            RegistrationWindow {
                status: EventStatus::Draft,
                ..w
            }
            .check(150),
            Err(Refusal::NotPublished)
        );
    }

    #[test]
    fn status_transitions() {
        use RegistrationStatus::*;
        assert!(Registered.can_become(Canceled));
        assert!(Waitlisted.can_become(Registered));
        assert!(!Registered.can_become(Waitlisted));
        assert!(!RejectedByOrganizer.can_become(Registered));
        assert!(!Canceled.can_become(Canceled));
        assert!(Unconfirmed.can_become(Registered));
        assert!(!Unconfirmed.can_become(RejectedByOrganizer));
        assert!(Unconfirmed.is_active());
    }

    #[test]
    fn slugs_and_urls() {
        assert!(parse_slug("rust-in-production-2026").is_ok());
        assert!(parse_slug("Bad Slug").is_err());
        assert!(parse_slug("a--b").is_err());
        assert!(parse_web_url("https://teams.microsoft.com/l/meetup-join/x").is_ok());
        assert!(parse_web_url("javascript:alert(1)").is_err());
        assert!(parse_web_url("https://x\" onmouseover=\"y").is_err());
    }

    proptest! {
        /// Admitting people one at a time never registers more than the capacity, never lets a
        /// newcomer jump the waitlist, and refuses only when full without a waitlist.
        #[test]
        fn admissions_never_exceed_capacity(capacity in proptest::option::of(0i64..50), waitlist in any::<bool>(), approval in any::<bool>(), confirm in any::<bool>(), arrivals in 0usize..200, cancel_every in 0usize..7) {
            let mut s = SeatState { capacity, registered: 0, held: 0, waitlisted: 0, waitlist_enabled: waitlist, manual_approval: approval };
            let mut pending = 0i64;
            for i in 0..arrivals {
                match s.admit() {
                    // With email confirmation on, the seat is held until the address is confirmed.
                    Admission::Registered if confirm => s.held += 1,
                    Admission::Registered => s.registered += 1,
                    Admission::PendingApproval => pending += 1,
                    Admission::Waitlisted => s.waitlisted += 1,
                    Admission::Full => prop_assert!(!waitlist && capacity.is_some_and(|c| s.registered + s.held >= c)),
                }
                // Every other held seat is confirmed, the rest run out and are released.
                if s.held > 0 && i % 2 == 0 {
                    s.held -= 1;
                    if i % 4 == 0 { s.registered += 1; }
                    while s.can_promote() { s.waitlisted -= 1; s.registered += 1; }
                }
                if cancel_every > 0 && i % cancel_every == 0 && s.registered > 0 {
                    s.registered -= 1;
                    while s.can_promote() { s.waitlisted -= 1; s.registered += 1; }
                }
                if let Some(c) = capacity { prop_assert!(s.registered + s.held <= c); }
                if !waitlist { prop_assert_eq!(s.waitlisted, 0); }
                if approval { prop_assert_eq!(s.registered + s.held, 0); }
            }
            prop_assert!(pending >= 0);
        }

        /// Any string either fails email parsing or yields an address whose normalized form is
        /// stable under a second parse.
        #[test]
        fn email_parse_is_idempotent(input in "\\PC{0,40}") {
            if let Ok(e) = EmailAddress::parse(&input) {
                let again = EmailAddress::parse(e.as_str()).unwrap();
                prop_assert_eq!(again.normalized(), e.normalized());
            }
        }
    }
}
