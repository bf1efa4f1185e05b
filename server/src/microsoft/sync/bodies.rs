//! What Atrium sends to Graph about an event (webinar and meeting bodies, questions, presenters)
//! and the conversions between Atrium's times and Graph's.

use crate::events::Event;
use crate::microsoft::models::Registration;

/// Graph's `dateTimeTimeZone` in UTC for a Unix time.
pub(super) fn utc(t: i64) -> crate::microsoft::models::DateTimeTimeZone {
    crate::microsoft::models::DateTimeTimeZone {
        date_time: jiff::Timestamp::from_second(t)
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S").to_string())
            .unwrap_or_default(),
        time_zone: "UTC".into(),
    }
}

/// An RFC 3339 UTC time (Graph's `DateTimeOffset`).
pub(super) fn offset(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// What Atrium tells Teams about a webinar, on create and on every update.
pub(super) fn webinar_body(event: &Event) -> crate::microsoft::models::Webinar {
    use crate::microsoft::models::{Description, ItemBody, Webinar, WebinarSettings};
    Webinar {
        display_name: event.title.clone(),
        description: Some(Description::Body(ItemBody {
            content_type: "text".into(),
            content: event.description.clone(),
        })),
        start_date_time: Some(utc(event.start_at)),
        end_date_time: Some(utc(event.end_at)),
        settings: Some(WebinarSettings {
            is_attendee_email_notification_enabled: Some(event.teams_emails),
        }),
        ..Default::default()
    }
}

/// What Atrium tells Teams about a meeting-kind event.
pub(super) fn meeting_body(event: &Event) -> serde_json::Value {
    serde_json::json!({
        "subject": event.title,
        "startDateTime": offset(event.start_at),
        "endDateTime": offset(event.end_at),
    })
}

/// A time Graph sent that Atrium cannot place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphTimeError {
    #[error("Teams gave the time {0:?}, which is not a date and time.")]
    DateTime(String),
    #[error("Teams gave the time zone {0:?}, which is neither an IANA nor a Windows time zone Atrium knows.")]
    Zone(String),
    #[error("The time {0} does not exist in the time zone {1}.")]
    Civil(String, String),
}

/// A Graph `dateTimeTimeZone` as a Unix time, with the IANA zone for showing it. Windows zone
/// names (what Outlook and Teams send) are mapped with CLDR's table; an unknown zone is an
/// error, never silently UTC.
pub fn graph_time(t: &crate::microsoft::models::DateTimeTimeZone) -> Result<(i64, String), GraphTimeError> {
    let text = t.date_time.trim().trim_end_matches('Z');
    let civil: jiff::civil::DateTime = text.parse().map_err(|_| GraphTimeError::DateTime(text.to_string()))?;
    let zone = iana_zone(t.time_zone.trim()).ok_or_else(|| GraphTimeError::Zone(t.time_zone.clone()))?;
    let tz = jiff::tz::TimeZone::get(&zone).map_err(|_| GraphTimeError::Zone(zone.clone()))?;
    let ts = civil
        .to_zoned(tz)
        .map_err(|_| GraphTimeError::Civil(text.to_string(), zone.clone()))?
        .timestamp()
        .as_second();
    Ok((ts, zone))
}

/// The IANA name of a zone Graph names by its IANA or Windows name.
pub(super) fn iana_zone(name: &str) -> Option<String> {
    match name {
        "" | "UTC" | "Etc/UTC" | "tzone://Microsoft/Utc" => return Some("UTC".into()),
        _ => {}
    }
    if app::tz::parse_zone(name).is_ok() {
        return Some(name.to_string());
    }
    use strum::IntoEnumIterator;
    // A Windows zone id ("Pacific Standard Time"), or its display name ("(UTC-08:00) Pacific Time
    // (US & Canada)"), which Bookings' staff availability answers with.
    name.parse::<windows_timezones::WindowsTimezone>()
        .ok()
        .or_else(|| windows_timezones::WindowsTimezone::iter().find(|w| w.description() == name))
        .map(|w| w.tzdb_id().to_string())
}

/// Text of an HTML description, for Atrium's plain-text description.
pub(super) fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The registration questions Atrium asks, as Teams webinar questions.
pub(super) fn question_bodies(event: &Event) -> Vec<serde_json::Value> {
    event
        .questions
        .iter()
        .map(|q| match q.kind {
            app::domain::QuestionKind::Predefined => {
                let label = app::domain::PredefinedLabel::ALL
                    .iter()
                    .find(|l| l.display_name() == q.label)
                    .map(|l| l.as_str())
                    .unwrap_or("organization");
                serde_json::json!({"@odata.type": "#microsoft.graph.virtualEventRegistrationPredefinedQuestion", "label": label})
            }
            app::domain::QuestionKind::Custom => serde_json::json!({
                "@odata.type": "#microsoft.graph.virtualEventRegistrationCustomQuestion",
                "displayName": q.label, "answerInputType": q.answer_input_type.as_str(),
                "answerChoices": q.choices, "isRequired": q.is_required
            }),
        })
        .collect()
}

/// A presenter as a Teams webinar guest presenter; None without an email address, which
/// Teams needs to invite them.
pub(super) fn presenter_body(p: &crate::events::PresenterRecord) -> Option<serde_json::Value> {
    let email = p.email.as_deref().map(str::trim).filter(|e| !e.is_empty())?;
    let mut details = serde_json::Map::new();
    if !p.presenter.bio.is_empty() {
        details.insert("bio".into(), serde_json::json!({"contentType": "text", "content": p.presenter.bio}));
    }
    for (key, value) in [
        ("company", Some(&p.presenter.company).filter(|c| !c.is_empty())),
        ("jobTitle", Some(&p.presenter.job_title).filter(|c| !c.is_empty())),
        ("linkedInProfileWebUrl", p.linkedin_url.as_ref()),
        ("personalSiteWebUrl", p.website_url.as_ref()),
        ("twitterProfileWebUrl", p.x_url.as_ref()),
    ] {
        if let Some(v) = value {
            details.insert(key.into(), serde_json::json!(v));
        }
    }
    Some(serde_json::json!({
        "identity": {"@odata.type": "#microsoft.graph.communicationsGuestIdentity", "displayName": p.presenter.name, "email": email},
        "presenterDetails": details,
    }))
}

/// Whether a Teams registration carries Atrium's registration id `registration_id`.
pub(super) fn carries_id(reg: &Registration, registration_id: &str) -> bool {
    reg.external_registration_information
        .as_ref()
        .and_then(|x| x.registration_id.as_deref())
        == Some(registration_id)
}

/// An id Graph gave, made safe as one segment of a path (percent-encoded beyond the characters
/// ids are made of).
pub(super) fn path_segment(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'@' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::microsoft::models::DateTimeTimeZone;

    fn at(date_time: &str, time_zone: &str) -> Result<(i64, String), GraphTimeError> {
        graph_time(&DateTimeTimeZone {
            date_time: date_time.into(),
            time_zone: time_zone.into(),
        })
    }

    #[test]
    fn windows_zone_names_map_through_the_cldr_table() {
        // 09:00 in Berlin in winter is 08:00 UTC: 2026-12-01T08:00:00Z.
        assert_eq!(
            at("2026-12-01T09:00:00.0000000", "W. Europe Standard Time"),
            Ok((1_796_112_000, "Europe/Berlin".into()))
        );
        // Names the old 24-entry table did not have.
        assert_eq!(at("2026-12-01T09:00:00", "Yukon Standard Time").unwrap().1, "America/Whitehorse");
        assert_eq!(at("2026-12-01T09:00:00", "South Sudan Standard Time").unwrap().1, "Africa/Juba");
        assert_eq!(at("2026-12-01T09:00:00", "Nepal Standard Time").unwrap().1, "Asia/Katmandu");
        // Display names, as Bookings' staff availability writes them; summer time applies.
        assert_eq!(
            at("2026-07-01T09:00:00", "(UTC-08:00) Pacific Time (US & Canada)").unwrap(),
            at("2026-07-01T16:00:00Z", "UTC")
                .map(|(t, _)| (t, "America/Los_Angeles".to_string()))
                .unwrap()
        );
    }

    #[test]
    fn iana_names_and_utc_spellings_are_taken_as_they_are() {
        assert_eq!(at("2026-12-01T09:00:00", "America/Chicago").unwrap().1, "America/Chicago");
        for utc in ["UTC", "", "tzone://Microsoft/Utc"] {
            assert_eq!(at("2026-12-01T08:00:00Z", utc), Ok((1_796_112_000, "UTC".into())), "{utc:?}");
        }
    }

    #[test]
    fn an_unknown_zone_is_an_error_not_utc() {
        let e = at("2026-12-01T09:00:00", "Atlantis Standard Time").unwrap_err();
        assert_eq!(e, GraphTimeError::Zone("Atlantis Standard Time".into()));
        assert!(e.to_string().contains("Atlantis Standard Time"));
        assert!(matches!(at("next tuesday", "UTC"), Err(GraphTimeError::DateTime(_))));
    }
}
