//! Microsoft Graph and the identity platform, spoken directly over HTTP (no SDK).

pub mod check;

pub mod client;

pub mod delegated;

pub mod models;

pub(crate) mod store;

pub mod subscriptions;

pub mod sync;
/// The seam the rest of Atrium talks to Teams through.
pub mod teams;

pub mod webhooks;

/// The claims of a JSON Web Token, read without checking its signature: for reading what a
/// token Atrium itself just received says about its own permissions (`roles`, `scp`), never
/// for trusting someone's identity.
pub fn token_claims(token: &str) -> Option<serde_json::Value> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok().filter(|v: &serde_json::Value| v.is_object())
}

/// The Graph path of a webinar, for an id whose form is checked first.
pub fn webinar_path(id: &str) -> Result<String, crate::events::NotAWebinarId> {
    crate::events::check_webinar_id(id)?;
    Ok(format!("/solutions/virtualEvents/webinars/{id}"))
}

/// Application permissions Atrium uses, and what for.
pub const APP_PERMISSIONS: [(&str, &str); 3] = [
    (
        "VirtualEventRegistration-Anon.ReadWrite.All",
        "registering attendees in Teams webinars",
    ),
    ("VirtualEvent.Read.All", "reading webinars, their registrations and sessions"),
    ("OnlineMeetingArtifact.Read.All", "reading attendance reports"),
];

/// Delegated permissions the connected accounts need, and what for.
pub const DELEGATED_PERMISSIONS: [(&str, &str); 3] = [
    ("VirtualEvent.ReadWrite", "creating, updating and canceling webinars"),
    ("OnlineMeetings.ReadWrite", "creating meetings for meeting-kind events"),
    ("OnlineMeetingArtifact.Read.All", "reading meeting attendance"),
];

/// The permissions of `required` a token's claim (`roles` list or `scp` string) lacks; None
/// when the token is not readable.
pub fn missing_permissions<'a>(token: &str, required: &'a [(&'a str, &'a str)]) -> Option<Vec<(&'a str, &'a str)>> {
    let claims = token_claims(token)?;
    let granted: Vec<String> = match (&claims["roles"], &claims["scp"]) {
        (serde_json::Value::Array(roles), _) => roles.iter().filter_map(|r| r.as_str().map(str::to_lowercase)).collect(),
        (_, serde_json::Value::String(scp)) => scp.split(' ').map(str::to_lowercase).collect(),
        _ => Vec::new(),
    };
    // A broader ReadWrite permission covers the Read one.
    let has = |p: &str| {
        let p = p.to_lowercase();
        granted.contains(&p) || granted.contains(&p.replace(".read.", ".readwrite."))
    };
    Some(required.iter().copied().filter(|(p, _)| !has(p)).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn webinar_ids_are_checked_before_they_reach_a_path() {
        for good in [
            "a57082a9-7629-4f74-8da0-8d621aab4d2d@4aa05bcc-1cac-4a83-a9ae-0db84b88f4ba",
            "88b245ac-b0b2-f1aa-e34a-c81c27abdac2@f9448ec4-804b-46af-b810-62085248da33",
        ] {
            assert_eq!(
                super::webinar_path(good).unwrap(),
                format!("/solutions/virtualEvents/webinars/{good}")
            );
        }
        for bad in [
            "",
            "x/../../users?$top=999#",
            "..",
            "---",
            "a b",
            "a%2Fb",
            "a?b",
            "a#b",
            "a\\b",
            "a.b",
            "é@x",
            &"a".repeat(201),
        ] {
            assert!(crate::events::check_webinar_id(bad).is_err(), "{bad:?}");
        }
    }
}
