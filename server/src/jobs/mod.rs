//! The durable job queue (the `outbox` table): work is written in the same transaction as the
//! change that causes it (an email to send, a registration to take to Teams) and done later by a
//! worker that survives restarts. Features queue work here instead of calling each other, so a
//! registration never waits for, or depends on, the code that delivers its consequences.

pub mod email;
mod queue;
mod store;
pub mod teams;

pub use queue::{JobQueue, OutboxQueue};
use std::future::Future;
pub use store::{message_log, pending_graph_jobs_of_event, release_leases_of_this_process, LoggedMessage};

/// What a feature needs to queue work: a job written inside its own write transaction, so a
/// change and its consequences commit together. The SQL adapter ([`store`]) implements it on
/// `WriteTx` (the `outbox` table); the tests of [`email`] and [`teams`] use a list.
pub trait JobWriter: Send {
    /// Unix milliseconds now, by the transaction's clock.
    fn now_ms(&self) -> i64;

    /// Writes `job`, due at `due_ms` (Unix milliseconds).
    fn add_job(&mut self, job: NewJob<'_>, due_ms: i64) -> impl Future<Output = Result<(), sqlx::Error>> + Send;

    /// Writes `job`, due at once.
    fn queue(&mut self, job: NewJob<'_>) -> impl Future<Output = Result<(), sqlx::Error>> + Send {
        let now = self.now_ms();
        self.add_job(job, now)
    }
}

/// A job to write: its topic and payload, whom it goes to (an email address, or empty), what it
/// concerns, and the label it is logged under (`confirmation`, `graph.register` …).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewJob<'a> {
    pub topic: &'a str,
    pub payload: String,
    pub recipient: &'a str,
    pub registration_id: Option<&'a str>,
    pub event_id: Option<&'a str>,
    pub label: Option<&'a str>,
}

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

/// A [`JobWriter`] that keeps what it is given in a list, for the unit tests of the features
/// that queue work.
#[cfg(test)]
pub(crate) mod fake {
    use super::{JobWriter, NewJob};

    /// One job as the fake kept it.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Queued {
        pub topic: String,
        pub payload: serde_json::Value,
        pub recipient: String,
        pub registration_id: Option<String>,
        pub event_id: Option<String>,
        pub label: Option<String>,
        pub due_ms: i64,
    }

    /// The jobs written so far, by a clock that stands at `now_ms`.
    #[derive(Default)]
    pub struct ListJobs {
        pub now_ms: i64,
        pub jobs: Vec<Queued>,
    }

    impl JobWriter for ListJobs {
        fn now_ms(&self) -> i64 {
            self.now_ms
        }

        async fn add_job(&mut self, job: NewJob<'_>, due_ms: i64) -> Result<(), sqlx::Error> {
            self.jobs.push(Queued {
                topic: job.topic.to_string(),
                payload: serde_json::from_str(&job.payload).expect("a job's payload is JSON"),
                recipient: job.recipient.to_string(),
                registration_id: job.registration_id.map(str::to_string),
                event_id: job.event_id.map(str::to_string),
                label: job.label.map(str::to_string),
                due_ms,
            });
            Ok(())
        }
    }
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
