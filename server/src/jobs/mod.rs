//! The durable job queue (the `outbox` table): work is written in the same transaction as the
//! change that causes it (an email to send, a registration to take to Teams) and done later by a
//! worker that survives restarts. Features queue work here instead of calling each other, so a
//! registration never waits for, or depends on, the code that delivers its consequences.

pub mod email;
mod queue;
mod store;
pub mod teams;

pub use queue::{JobQueue, OutboxQueue};
pub use store::{message_log, pending_graph_jobs_of_event, release_leases_of_this_process, LoggedMessage};

/// A queued item a worker now holds the lease on.
pub struct Claimed {
    pub id: String,
    pub payload: String,
    pub attempts: i64,
}

/// How long a claim lasts before another worker may take the item over.
pub const LEASE_MS: i64 = 120_000;

/// Delay before the next try after `attempts` failures: 5 s, 10 s, 20 s … at most an hour.
pub fn backoff_ms(attempts: i64) -> i64 {
    5_000i64.saturating_mul(1 << (attempts - 1).clamp(0, 10)).min(3_600_000)
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(super::backoff_ms(1), 5_000);
        assert_eq!(super::backoff_ms(2), 10_000);
        assert_eq!(super::backoff_ms(11), 3_600_000);
        assert_eq!(super::backoff_ms(500), 3_600_000);
    }
}
