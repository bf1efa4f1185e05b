//! Rate limits kept in the database, so they hold across every instance sharing it and under
//! any concurrency: each limit counts hits per subject in fixed windows, and a hit is counted
//! by one atomic upsert before the work it guards is done.
//!
//! Written here rather than taken from `tower_governor`: that crate counts in process memory,
//! which neither survives a restart nor is shared by instances.

mod store;

use std::collections::HashMap;
use std::future::Future;

/// What rate limits need from storage inside the caller's write transaction: one counter per
/// subject and window. The SQL adapter ([`store`]) implements it on `WriteTx`, so a hit commits
/// or rolls back with the work it guards; the tests below use a map.
pub trait Counters: Send {
    /// Counts one hit in the window `bucket` (ending at `expires_at`) and answers its hits so
    /// far, this one included.
    fn add_hit(&mut self, bucket: &str, expires_at: i64) -> impl Future<Output = Result<i64, sqlx::Error>> + Send;
    /// Counts `hits` in each window of `buckets` (bucket, hits, expires at; each bucket once)
    /// together, and answers each bucket's total after it.
    fn add_hits(&mut self, buckets: &[(String, i64, i64)]) -> impl Future<Output = Result<HashMap<String, i64>, sqlx::Error>> + Send;
    /// Drops the counter of the window `bucket`.
    fn delete(&mut self, bucket: &str) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
    /// Takes one hit off the counter of the window `bucket`, never below zero.
    fn take_back(&mut self, bucket: &str) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
}

/// What reading and tidying the counters need outside a transaction: the SQL adapter
/// implements it on `Db`.
pub trait CounterStore: Sync {
    /// The hits counted in the window `bucket`, if it has a counter.
    fn hits(&self, bucket: &str) -> impl Future<Output = Result<Option<i64>, sqlx::Error>> + Send;
    /// Removes the counters whose window ended at or before `now`, and answers how many.
    fn delete_expired(&self, now: i64) -> impl Future<Output = Result<u64, sqlx::Error>> + Send;
}

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
pub async fn hit(tx: &mut impl Counters, limit: Limit, subject: &str, now: i64) -> Result<Count, sqlx::Error> {
    let (key, expires_at) = bucket(limit, subject, now);
    let hits = tx.add_hit(&key, expires_at).await?;
    Ok(Count {
        hits,
        resets_in: expires_at - now,
    })
}

/// Counts one hit for each subject in `subjects` (a subject may appear several times) with one
/// statement, and answers, for each in order, the count as it stood after that hit. For a batch
/// of requests decided together, so that counting costs one statement per batch.
pub async fn hit_many(tx: &mut impl Counters, limit: Limit, subjects: &[&str], now: i64) -> Result<Vec<Count>, sqlx::Error> {
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
    let totals = tx.add_hits(&distinct).await?;
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
pub async fn peek(db: &impl CounterStore, limit: Limit, subject: &str, now: i64) -> Result<i64, sqlx::Error> {
    let (key, _) = bucket(limit, subject, now);
    Ok(db.hits(&key).await?.unwrap_or(0))
}

/// Forgets the current window's hits for `subject` (after a successful sign-in, say).
pub async fn clear(tx: &mut impl Counters, limit: Limit, subject: &str, now: i64) -> Result<(), sqlx::Error> {
    let (key, _) = bucket(limit, subject, now);
    tx.delete(&key).await
}

/// Takes back one hit counted for `subject` in this window (the attempt turned out fine).
pub async fn refund(tx: &mut impl Counters, limit: Limit, subject: &str, now: i64) -> Result<(), sqlx::Error> {
    let (key, _) = bucket(limit, subject, now);
    tx.take_back(&key).await
}

/// Removes counters whose window has ended.
pub async fn purge(db: &impl CounterStore, now: i64) -> Result<u64, sqlx::Error> {
    db.delete_expired(now).await
}

/// [`Counters`] in a map, for the unit tests of the features that count.
#[cfg(test)]
pub(crate) mod fake {
    use super::Counters;
    use std::collections::HashMap;

    /// The counters in a map, as the SQL adapter keeps them in rows.
    #[derive(Default)]
    pub struct MapCounters(pub HashMap<String, i64>);

    impl Counters for MapCounters {
        async fn add_hit(&mut self, bucket: &str, _expires_at: i64) -> Result<i64, sqlx::Error> {
            let n = self.0.entry(bucket.to_string()).or_default();
            *n += 1;
            Ok(*n)
        }
        async fn add_hits(&mut self, buckets: &[(String, i64, i64)]) -> Result<HashMap<String, i64>, sqlx::Error> {
            let mut totals = HashMap::new();
            for (bucket, hits, _) in buckets {
                let n = self.0.entry(bucket.clone()).or_default();
                *n += hits;
                totals.insert(bucket.clone(), *n);
            }
            Ok(totals)
        }
        async fn delete(&mut self, bucket: &str) -> Result<(), sqlx::Error> {
            self.0.remove(bucket);
            Ok(())
        }
        async fn take_back(&mut self, bucket: &str) -> Result<(), sqlx::Error> {
            if let Some(n) = self.0.get_mut(bucket) {
                *n = (*n - 1).max(0);
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fake::MapCounters;
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

    #[tokio::test]
    async fn a_batch_counts_as_the_same_hits_one_after_another() {
        let batches: [&[&str]; 4] = [&["a"], &["a", "b", "a", "a", "c", "b"], &["c", "c"], &[]];
        let (mut together, mut one_by_one) = (MapCounters::default(), MapCounters::default());
        for batch in batches {
            let counted = hit_many(&mut together, RESENDS, batch, 7_200).await.unwrap();
            let mut expected = Vec::new();
            for subject in batch {
                expected.push(hit(&mut one_by_one, RESENDS, subject, 7_200).await.unwrap());
            }
            assert_eq!(counted, expected, "batch {batch:?}");
        }
        assert_eq!(together.0, one_by_one.0);
        let a = hit(&mut together, RESENDS, "a", 7_200).await.unwrap();
        assert_eq!(a.hits, 5, "four hits of a before this one");
        assert_eq!(a.exceeded(RESENDS), None);
        assert_eq!(
            hit(&mut together, RESENDS, "a", 7_200).await.unwrap().exceeded(RESENDS),
            Some(3_600)
        );
    }

    #[tokio::test]
    async fn a_refund_never_goes_below_zero_and_a_clear_starts_over() {
        let mut counters = MapCounters::default();
        for _ in 0..3 {
            hit(&mut counters, SIGN_IN_PAIR, "ip|user", 100).await.unwrap();
        }
        for _ in 0..5 {
            refund(&mut counters, SIGN_IN_PAIR, "ip|user", 100).await.unwrap();
        }
        assert_eq!(hit(&mut counters, SIGN_IN_PAIR, "ip|user", 100).await.unwrap().hits, 1);
        clear(&mut counters, SIGN_IN_PAIR, "ip|user", 100).await.unwrap();
        assert_eq!(hit(&mut counters, SIGN_IN_PAIR, "ip|user", 100).await.unwrap().hits, 1);
        let next_window = hit(&mut counters, SIGN_IN_PAIR, "ip|user", 900).await.unwrap();
        assert_eq!(next_window, Count { hits: 1, resets_in: 900 });
    }
}
