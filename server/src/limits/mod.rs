//! Rate limits kept in the database, so they hold across every instance sharing it and under
//! any concurrency: each limit counts hits per subject in fixed windows, and a hit is counted
//! by one atomic upsert before the work it guards is done.
//!
//! Written here rather than taken from `tower_governor`: that crate counts in process memory,
//! which neither survives a restart nor is shared by instances.

mod store;

use crate::store::{Db, WriteTx};
use std::collections::HashMap;

/// How many hits a subject may make per window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub name: &'static str,
    pub hits: i64,
    /// Window length in seconds.
    pub window: i64,
}

/// Sign-in attempts from one address for one account.
pub const SIGN_IN_PAIR: Limit = Limit {
    name: "signin-pair",
    hits: 5,
    window: 15 * 60,
};
/// Sign-in attempts from one address, whatever the account.
pub const SIGN_IN_ADDRESS: Limit = Limit {
    name: "signin-address",
    hits: 30,
    window: 15 * 60,
};
/// Failed sign-ins of one account from anywhere: past a few, each attempt is slowed down
/// (never refused, so the owner can still sign in while someone else hammers).
pub const SIGN_IN_ACCOUNT_FAILURES: Limit = Limit {
    name: "signin-account",
    hits: 10,
    window: 15 * 60,
};
/// Registrations (new or repeated) from one address, all events together.
pub const REGISTRATIONS: Limit = Limit {
    name: "register",
    hits: 20,
    window: 10 * 60,
};
/// Appointment bookings from one address, all businesses together.
pub const BOOKINGS: Limit = Limit {
    name: "book",
    hits: 20,
    window: 10 * 60,
};
/// Emails that resend someone's details or confirmation link, per requesting address.
pub const RESENDS: Limit = Limit {
    name: "resend",
    hits: 5,
    window: 60 * 60,
};
/// "Sign in with Microsoft" starts from one address (each stores a short-lived state).
pub const MICROSOFT_SIGN_IN: Limit = Limit {
    name: "microsoft-signin",
    hits: 20,
    window: 15 * 60,
};

/// The answer to one counted hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    /// Hits in the current window, this one included.
    pub hits: i64,
    /// Seconds until the window ends.
    pub resets_in: i64,
}

impl Count {
    /// Seconds to wait when this hit was over the limit.
    pub fn exceeded(&self, limit: Limit) -> Option<i64> {
        (self.hits > limit.hits).then_some(self.resets_in.max(1))
    }
}

fn bucket(limit: Limit, subject: &str, now: i64) -> (String, i64) {
    let start = now - now.rem_euclid(limit.window);
    // Subjects are addresses and email addresses; cap them so a hostile one can't bloat rows.
    let subject: String = subject.chars().take(300).collect();
    (format!("{}:{}:{start}", limit.name, subject), start + limit.window)
}

/// Counts one hit for `subject` inside the caller's transaction.
pub async fn hit(tx: &mut WriteTx, limit: Limit, subject: &str, now: i64) -> Result<Count, sqlx::Error> {
    let (key, expires_at) = bucket(limit, subject, now);
    let hits = store::add_hit(tx, &key, expires_at).await?;
    Ok(Count {
        hits,
        resets_in: expires_at - now,
    })
}

/// Counts one hit for each subject in `subjects` (a subject may appear several times) with one
/// statement, and answers, for each in order, the count as it stood after that hit. For a batch
/// of requests decided together, so that counting costs one statement per batch.
pub async fn hit_many(tx: &mut WriteTx, limit: Limit, subjects: &[&str], now: i64) -> Result<Vec<Count>, sqlx::Error> {
    if subjects.is_empty() {
        return Ok(Vec::new());
    }
    // One row per distinct subject: PostgreSQL refuses to update one row twice in a statement.
    let mut distinct: Vec<(String, i64, i64)> = Vec::new();
    let keys: Vec<String> = subjects
        .iter()
        .map(|s| {
            let (key, expires_at) = bucket(limit, s, now);
            match distinct.iter_mut().find(|(k, _, _)| *k == key) {
                Some(entry) => entry.1 += 1,
                None => distinct.push((key.clone(), 1, expires_at)),
            }
            key
        })
        .collect();
    let totals = store::add_hits(tx, &distinct).await?;
    // The batch's hits of one subject were the last ones counted, in order.
    let mut seen: HashMap<&str, i64> = HashMap::new();
    Ok(keys
        .iter()
        .map(|key| {
            let (_, n, expires_at) = distinct.iter().find(|(k, _, _)| k == key).expect("counted above");
            let before_batch = totals.get(key).copied().unwrap_or(*n) - n;
            let nth = seen.entry(key.as_str()).or_insert(0);
            *nth += 1;
            Count {
                hits: before_batch + *nth,
                resets_in: expires_at - now,
            }
        })
        .collect())
}

/// Hits counted so far for `subject` in the current window, without counting one.
pub async fn peek(db: &Db, limit: Limit, subject: &str, now: i64) -> Result<i64, sqlx::Error> {
    let (key, _) = bucket(limit, subject, now);
    Ok(store::hits(db, &key).await?.unwrap_or(0))
}

/// Forgets the current window's hits for `subject` (after a successful sign-in, say).
pub async fn clear(tx: &mut WriteTx, limit: Limit, subject: &str, now: i64) -> Result<(), sqlx::Error> {
    let (key, _) = bucket(limit, subject, now);
    store::delete(tx, &key).await
}

/// Takes back one hit counted for `subject` in this window (the attempt turned out fine).
pub async fn refund(tx: &mut WriteTx, limit: Limit, subject: &str, now: i64) -> Result<(), sqlx::Error> {
    let (key, _) = bucket(limit, subject, now);
    store::take_back(tx, &key).await
}

/// Removes counters whose window has ended.
pub async fn purge(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    store::delete_expired(db, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_aligned_and_subjects_bounded() {
        let (a, end) = bucket(REGISTRATIONS, "192.0.2.1", 1_000);
        assert_eq!(a, "register:192.0.2.1:600");
        assert_eq!(end, 1_200);
        let (b, _) = bucket(REGISTRATIONS, "192.0.2.1", 1_199);
        assert_eq!(a, b, "same window");
        let (c, _) = bucket(REGISTRATIONS, "192.0.2.1", 1_200);
        assert_ne!(a, c, "next window");
        let (long, _) = bucket(REGISTRATIONS, &"x".repeat(10_000), 0);
        assert!(long.len() < 400);
    }

    #[test]
    fn exceeded_only_past_the_limit() {
        let at = |hits| Count { hits, resets_in: 30 };
        assert_eq!(at(5).exceeded(SIGN_IN_PAIR), None);
        assert_eq!(at(6).exceeded(SIGN_IN_PAIR), Some(30));
        assert_eq!(Count { hits: 9, resets_in: 0 }.exceeded(SIGN_IN_PAIR), Some(1));
    }
}
