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

/// A Graph `dateTimeTimeZone` as a Unix time, with an IANA zone for showing it (UTC when the
/// zone is a Windows name Atrium does not know).
pub fn graph_time(t: &crate::microsoft::models::DateTimeTimeZone) -> Option<(i64, String)> {
    let civil: jiff::civil::DateTime = t.date_time.trim().trim_end_matches('Z').parse().ok()?;
    let zone = match t.time_zone.trim() {
        "" | "UTC" | "Etc/UTC" | "tzone://Microsoft/Utc" => "UTC".to_string(),
        name => match app::tz::parse_zone(name) {
            Ok(_) => name.to_string(),
            Err(_) => windows_zone(name).unwrap_or("UTC").to_string(),
        },
    };
    let tz = jiff::tz::TimeZone::get(&zone).ok()?;
    let ts = civil.to_zoned(tz).ok()?.timestamp().as_second();
    Some((ts, zone))
}

/// The IANA zone for the Windows time-zone names Outlook and Teams use most.
pub(super) fn windows_zone(name: &str) -> Option<&'static str> {
    const ZONES: [(&str, &str); 24] = [
        ("Pacific Standard Time", "America/Los_Angeles"),
        ("Mountain Standard Time", "America/Denver"),
        ("Central Standard Time", "America/Chicago"),
        ("Eastern Standard Time", "America/New_York"),
        ("Atlantic Standard Time", "America/Halifax"),
        ("Alaskan Standard Time", "America/Anchorage"),
        ("Hawaiian Standard Time", "Pacific/Honolulu"),
        ("GMT Standard Time", "Europe/London"),
        ("Greenwich Standard Time", "Atlantic/Reykjavik"),
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("Romance Standard Time", "Europe/Paris"),
        ("Central Europe Standard Time", "Europe/Budapest"),
        ("Central European Standard Time", "Europe/Warsaw"),
        ("E. Europe Standard Time", "Europe/Chisinau"),
        ("FLE Standard Time", "Europe/Kiev"),
        ("GTB Standard Time", "Europe/Bucharest"),
        ("Russian Standard Time", "Europe/Moscow"),
        ("India Standard Time", "Asia/Kolkata"),
        ("China Standard Time", "Asia/Shanghai"),
        ("Singapore Standard Time", "Asia/Singapore"),
        ("Tokyo Standard Time", "Asia/Tokyo"),
        ("AUS Eastern Standard Time", "Australia/Sydney"),
        ("New Zealand Standard Time", "Pacific/Auckland"),
        ("E. South America Standard Time", "America/Sao_Paulo"),
    ];
    ZONES.iter().find(|(w, _)| w.eq_ignore_ascii_case(name)).map(|(_, i)| *i)
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
