//! Microsoft Graph and the identity platform, spoken directly over HTTP (no SDK).

pub mod check;
pub mod client;
pub mod delegated;
pub mod models;
pub mod subscriptions;

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
