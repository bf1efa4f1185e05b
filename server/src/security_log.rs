//! Security events: one structured log line each under the `atrium::security` target — failed
//! and throttled sign-ins, refused cross-site requests, tokens created and revoked, invitations
//! created and used, honeypot hits, throttled registrations, Microsoft accounts linked. Secrets
//! never go in here.

pub fn event(kind: &'static str, account: Option<&str>, address: Option<&str>, detail: &str) {
    tracing::info!(
        target: "atrium::security",
        event = kind,
        account = account.unwrap_or(""),
        address = address.unwrap_or(""),
        detail
    );
}
