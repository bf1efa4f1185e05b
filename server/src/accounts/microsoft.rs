//! Which Microsoft 365 account acts for Atrium: the organization's service account, or an
//! organizer's own.

/// A connected account: the organization's service account (by organization id), or an
/// organizer's own (by organizer id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MicrosoftAccount {
    Service(String),
    Personal(String),
}

impl MicrosoftAccount {
    /// The database table of such accounts, its key column and this account's key.
    pub fn table(&self) -> (&'static str, &'static str, &str) {
        match self {
            MicrosoftAccount::Service(org) => ("microsoft_accounts", "organization_id", org),
            MicrosoftAccount::Personal(organizer) => ("personal_microsoft_accounts", "organizer_id", organizer),
        }
    }

    /// What a sign-in in progress is for: `service` or `personal`.
    pub fn purpose(&self) -> &'static str {
        match self {
            MicrosoftAccount::Service(_) => "service",
            MicrosoftAccount::Personal(_) => "personal",
        }
    }

    /// The key Graph calls are throttled under (at most four at a time per mailbox).
    pub fn mailbox(&self) -> String {
        match self {
            MicrosoftAccount::Service(org) => format!("org:{org}"),
            MicrosoftAccount::Personal(organizer) => format!("user:{organizer}"),
        }
    }
}
