//! Registering, looking up, confirming and canceling registrations. Each change is one
//! transaction that also queues the emails it causes, so nothing is half-done and nothing is
//! lost.
//!
//! Manage links are secrets: only their SHA-256 is stored for lookups, plus a copy sealed with
//! the server's key so later emails (reminders, updates) can carry the link again. A copy of
//! the database without the key reveals no link.

mod changes;
mod decide;
mod decisions;
#[cfg(test)]
mod fake;
pub mod organizer;
mod registrar;
mod storage;
pub mod store;

pub use changes::{cancel_by_id, confirm, release_unconfirmed, CancelError, Confirmed};
pub use registrar::{register, Registrar};
pub use store::changes::{import_from_teams, seal_legacy_tokens};
pub use store::{by_id, by_ids, find, position_of, purge_idempotency_keys};

use crate::crypto::Sealer;
use crate::events::Event;
use app::domain::{Answer, FieldError, Refusal, RegistrationStatus};
use serde::{Deserialize, Serialize};

/// What someone registering an address that is already registered is told (the details and the
/// manage link go to that address, never to whoever asked).
pub const ALREADY_REGISTERED: &str =
    "This email address is already registered for this event. We've emailed the details and your private manage link to it again.";

/// Longest accepted `Idempotency-Key`.
pub const MAX_IDEMPOTENCY_KEY: usize = 200;

/// Whether `key` can serve as an idempotency key: 1 to [`MAX_IDEMPOTENCY_KEY`] printable ASCII
/// characters (the REST API's header and the server function's argument alike).
pub fn idempotency_key_is_valid(key: &str) -> bool {
    !key.is_empty() && key.len() <= MAX_IDEMPOTENCY_KEY && key.chars().all(|c| c.is_ascii_graphic())
}

/// An `Idempotency-Key` replays its first answer for this long, then is forgotten.
pub const IDEMPOTENCY_LIFETIME: i64 = 24 * 3600;

pub use app::rpc::NewRegistration;

/// What identifies a registration request for `Idempotency-Key` replays: the hash of its fields.
pub fn fingerprint(request: &NewRegistration) -> String {
    crate::crypto::sha256_hex(&serde_json::to_string(request).expect("a request serialises"))
}

/// The result of a registration, as answered (and replayed for a repeated `Idempotency-Key`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub id: String,
    pub status: RegistrationStatus,
    /// Withheld while the email address is unconfirmed: the link then only travels by email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manage_token: Option<String>,
    pub waitlist_position: Option<i64>,
}

#[derive(Debug)]
pub enum Registered {
    /// A new registration (or a canceled one made active again).
    Created(Summary),
    /// The same email was already registered: the existing registration, whose details were
    /// emailed to its owner again rather than handed to whoever asked.
    Existing {
        id: String,
        status: RegistrationStatus,
        waitlist_position: Option<i64>,
    },
    /// The same `Idempotency-Key` with the same request was used before: the first answer, again.
    Replayed(Summary),
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("event not found")]
    NotFound,
    #[error("invalid registration")]
    Invalid(Vec<FieldError>),
    #[error("registration refused")]
    Refused(Refusal),
    /// The `Idempotency-Key` came with a different request before.
    #[error("this key was used for a different request")]
    KeyReused,
    /// Too many registrations from this address: wait this many seconds.
    #[error("too many registrations from this address")]
    Limited(i64),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// A registration with its event, for the manage page and emails.
#[derive(Clone, Debug)]
pub struct Registration {
    pub id: String,
    pub event_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub status: RegistrationStatus,
    pub waitlist_seq: Option<i64>,
    pub preferred_timezone: String,
    pub preferred_language: Option<String>,
    pub answers: Vec<Answer>,
    /// The manage link's secret, sealed with the server's key.
    pub manage_token_sealed: Option<String>,
    pub created_at: i64,
    /// While unconfirmed: when the held place is released.
    pub confirm_by: Option<i64>,
    /// While unconfirmed: the status the registration takes once the address is confirmed.
    pub confirm_as: Option<RegistrationStatus>,
    /// How many times the registration's standing changed (see `notify::ics`).
    pub ics_sequence: i64,
}

impl Registration {
    /// The manage link's secret, opened with the server's key.
    pub fn manage_token(&self, sealer: &Sealer) -> Result<String, crate::crypto::SealError> {
        let sealed = self.manage_token_sealed.as_deref().ok_or(crate::crypto::SealError::Missing)?;
        sealer.open(sealed)
    }
}

/// A fresh manage-link secret: the token that goes into the link (128 random bits, URL-safe),
/// the hash that is stored and looked up, and the sealed copy for later emails.
pub struct NewToken {
    pub token: String,
    pub hash: String,
    pub sealed: String,
}

pub fn new_token(sealer: &Sealer) -> NewToken {
    use base64::Engine;
    let bytes: [u8; 18] = rand::random();
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    NewToken {
        hash: token_hash(&token),
        sealed: sealer.seal(&token),
        token,
    }
}

/// What is stored for a manage link and looked up by.
pub fn token_hash(token: &str) -> String {
    crate::crypto::sha256_hex(token)
}

/// What a manage link leads to.
pub enum Lookup {
    Found(Box<(Registration, Event)>),
    /// The link stopped working: its event ended more than the configured days ago.
    Expired {
        ended_at: i64,
    },
    Missing,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer() -> Sealer {
        Sealer::from_base64("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=").unwrap()
    }

    #[test]
    fn tokens_are_long_distinct_and_kept_only_as_hash_and_sealed() {
        let s = sealer();
        let a = new_token(&s);
        let b = new_token(&s);
        assert_eq!(a.token.len(), 24);
        assert_ne!(a.token, b.token);
        assert!(a.token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(a.hash, token_hash(&a.token));
        assert!(!a.hash.contains(&a.token) && !a.sealed.contains(&a.token));
        assert_eq!(s.open(&a.sealed).unwrap(), a.token);
    }

    #[test]
    fn fingerprints_tell_requests_apart() {
        let a = NewRegistration {
            email: "a@example.com".into(),
            ..Default::default()
        };
        let b = NewRegistration {
            email: "b@example.com".into(),
            ..Default::default()
        };
        assert_eq!(fingerprint(&a), fingerprint(&a.clone()));
        assert_ne!(fingerprint(&a), fingerprint(&b));
    }
}
