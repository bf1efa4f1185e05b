//! The notices the dashboard shows after an action ("Published", "Message queued for 12
//! people"). They travel in the redirect as a code with checked parameters, never as text, so
//! a crafted link cannot make the dashboard print words of someone else's choosing.

use app::domain::RegistrationStatus;
use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    Saved,
    Published,
    Canceled,
    Duplicated,
    Announced(i64),
    Status(RegistrationStatus),
    Reminders,
    Organizers,
    Imported(i64),
    Connected,
    Disconnected,
    /// A Microsoft account was linked for signing in.
    Linked,
    Unlinked,
}

/// The notice part of a dashboard address: `done`, and `n` or `to` where the notice has them.
#[derive(Debug, Default, Deserialize)]
pub struct NoticeQuery {
    pub done: Option<String>,
    pub n: Option<String>,
    pub to: Option<String>,
}

impl Notice {
    /// The query string that carries this notice.
    pub fn query(self) -> String {
        match self {
            Notice::Announced(n) => format!("done=announced&n={n}"),
            Notice::Imported(n) => format!("done=imported&n={n}"),
            Notice::Status(s) => format!("done=status&to={}", s.as_str()),
            other => format!("done={}", other.code()),
        }
    }

    fn code(self) -> &'static str {
        match self {
            Notice::Saved => "saved",
            Notice::Published => "published",
            Notice::Canceled => "canceled",
            Notice::Duplicated => "duplicated",
            Notice::Announced(_) => "announced",
            Notice::Status(_) => "status",
            Notice::Reminders => "reminders",
            Notice::Organizers => "organizers",
            Notice::Imported(_) => "imported",
            Notice::Connected => "connected",
            Notice::Disconnected => "disconnected",
            Notice::Linked => "linked",
            Notice::Unlinked => "unlinked",
        }
    }

    /// Reads a notice back from an address; anything unknown or malformed shows nothing.
    pub fn parse(q: &NoticeQuery) -> Option<Notice> {
        let count = || q.n.as_deref()?.parse::<i64>().ok().filter(|n| (0..=10_000_000).contains(n));
        Some(match q.done.as_deref()? {
            "saved" => Notice::Saved,
            "published" => Notice::Published,
            "canceled" => Notice::Canceled,
            "duplicated" => Notice::Duplicated,
            "announced" => Notice::Announced(count()?),
            "status" => Notice::Status(RegistrationStatus::parse(q.to.as_deref()?)?),
            "reminders" => Notice::Reminders,
            "organizers" => Notice::Organizers,
            "imported" => Notice::Imported(count()?),
            "connected" => Notice::Connected,
            "disconnected" => Notice::Disconnected,
            "linked" => Notice::Linked,
            "unlinked" => Notice::Unlinked,
            _ => return None,
        })
    }

    pub fn text(self) -> String {
        match self {
            Notice::Saved => "Saved.".into(),
            Notice::Published => "Published: registration is open.".into(),
            Notice::Canceled => "Canceled. Everyone registered is being told.".into(),
            Notice::Duplicated => "This is a copy, saved as a draft.".into(),
            Notice::Announced(n) => format!("Message queued for {n} people."),
            Notice::Status(s) => format!("The registration is now {}.", s.as_str()),
            Notice::Reminders => "Reminders saved.".into(),
            Notice::Organizers => "Organizers saved.".into(),
            Notice::Imported(n) => format!("Imported from Teams with {n} registrations."),
            Notice::Connected => "Connected.".into(),
            Notice::Disconnected => "Disconnected.".into(),
            Notice::Linked => "Linked: you can now sign in with this Microsoft account.".into(),
            Notice::Unlinked => "Unlinked: sign in with your password from now on.".into(),
        }
    }
}

/// The text for a notice in an address, if it is one the dashboard sent.
pub fn from_query(q: &NoticeQuery) -> Option<String> {
    Notice::parse(q).map(Notice::text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(text: &str) -> NoticeQuery {
        serde_urlencoded::from_str(text).unwrap()
    }

    #[test]
    fn notices_round_trip() {
        for n in [
            Notice::Saved,
            Notice::Announced(12),
            Notice::Status(RegistrationStatus::Registered),
            Notice::Imported(0),
            Notice::Disconnected,
        ] {
            assert_eq!(Notice::parse(&query(&n.query())), Some(n));
        }
        assert_eq!(from_query(&query("done=announced&n=3")).unwrap(), "Message queued for 3 people.");
    }

    #[test]
    fn made_up_text_is_not_shown() {
        for text in [
            "done=Your+account+is+locked.+Call+555-0100",
            "done=announced",
            "done=announced&n=lots",
            "done=status&to=<script>",
            "n=5",
        ] {
            assert_eq!(from_query(&query(text)), None, "{text}");
        }
    }
}
