//! Signing in with a password: the attempt counted before the password is checked, per account and address and per address, and accounts slowed down rather than locked.

use super::auth::Organizer;
use super::passwords::Hasher;
use crate::limits;
use crate::store::Db;

/// How someone proves they are an organizer.
pub enum Credential<'a> {
    Password { email: &'a str, password: &'a str },
}

/// Checks a credential on the hashing pool. Unknown accounts cost the same time as wrong
/// passwords.
pub async fn authenticate(db: &Db, hasher: &Hasher, credential: Credential<'_>) -> Result<Option<Organizer>, SignInFailure> {
    match credential {
        Credential::Password { email, password } => {
            let found = super::store::organizers::with_password_hash(db, email).await?;
            let (organizer, hash) = match found {
                Some((organizer, Some(hash))) => (Some(organizer), hash),
                _ => (None, super::passwords::dummy_hash().to_string()),
            };
            let ok = hasher.verify(&hash, password).await.map_err(|_| SignInFailure::Busy)?;
            Ok(organizer.filter(|_| ok))
        }
    }
}

/// Why a password sign-in did not succeed.
#[derive(Debug)]
pub enum SignInFailure {
    /// Too many attempts from this address (for this account, or at all): wait this many
    /// seconds.
    Limited(i64),
    /// Every password-checking thread stayed busy: try again shortly.
    Busy,
    Wrong,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for SignInFailure {
    fn from(e: sqlx::Error) -> Self {
        SignInFailure::Db(e)
    }
}

/// How long to hold back a check of an account that failed `failures` times in the current
/// window from anywhere: nothing at first, then 250 ms doubling up to 8 s. The account is
/// slowed down, never locked, so its owner still gets in while someone else guesses.
pub fn account_delay(failures: i64) -> std::time::Duration {
    let over = failures - limits::SIGN_IN_ACCOUNT_FAILURES.hits;
    if over < 0 {
        return std::time::Duration::ZERO;
    }
    std::time::Duration::from_millis(250u64.saturating_mul(1 << over.min(5)).min(8_000))
}

/// A password sign-in, shared by the dashboard and the API. The attempt is counted before the
/// password is checked (so parallel guesses cannot slip past the limit), per account and
/// address and per address, in the database (so every instance sees the same counts).
pub async fn sign_in_with_password(
    db: &Db,
    hasher: &Hasher,
    email: &str,
    password: &str,
    address: &str,
) -> Result<Organizer, SignInFailure> {
    let account = email.trim().to_lowercase();
    let pair = format!("{account}|{address}");
    let now = db.now();
    let mut tx = db.begin_write().await?;
    let by_pair = limits::hit(&mut tx, limits::SIGN_IN_PAIR, &pair, now).await?;
    let by_address = limits::hit(&mut tx, limits::SIGN_IN_ADDRESS, address, now).await?;
    tx.commit().await?;
    if let Some(wait) = by_pair
        .exceeded(limits::SIGN_IN_PAIR)
        .max(by_address.exceeded(limits::SIGN_IN_ADDRESS))
    {
        crate::security_log::event("sign_in_throttled", Some(&account), Some(address), "");
        return Err(SignInFailure::Limited(wait));
    }
    let failures = limits::peek(db, limits::SIGN_IN_ACCOUNT_FAILURES, &account, now).await?;
    let delay = account_delay(failures);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    match authenticate(db, hasher, Credential::Password { email, password }).await? {
        // A sign-in that worked does not count against the address or the account and address.
        Some(organizer) => {
            let mut tx = db.begin_write().await?;
            limits::clear(&mut tx, limits::SIGN_IN_PAIR, &pair, now).await?;
            limits::refund(&mut tx, limits::SIGN_IN_ADDRESS, address, now).await?;
            tx.commit().await?;
            Ok(organizer)
        }
        None => {
            let mut tx = db.begin_write().await?;
            limits::hit(&mut tx, limits::SIGN_IN_ACCOUNT_FAILURES, &account, now).await?;
            tx.commit().await?;
            crate::security_log::event("sign_in_failed", Some(&account), Some(address), "");
            Err(SignInFailure::Wrong)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_slow_down_progressively_and_boundedly() {
        let at = |n| account_delay(limits::SIGN_IN_ACCOUNT_FAILURES.hits + n).as_millis();
        assert_eq!(account_delay(0).as_millis(), 0);
        assert_eq!(at(-1), 0);
        assert_eq!(at(0), 250);
        assert_eq!(at(1), 500);
        assert_eq!(at(5), 8_000);
        assert_eq!(at(1_000_000), 8_000);
    }
}
