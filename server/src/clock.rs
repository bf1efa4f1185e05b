//! What time it is, as a seam: everything that decides by the time (registration windows,
//! expiries, retries, reminders, rate-limit windows) asks the [`Clock`] the store handle carries,
//! so tests move a [`FakeClock`] forward instead of rewriting rows.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

pub trait Clock: Send + Sync {
    /// Unix milliseconds now.
    fn now_ms(&self) -> i64;

    /// Unix seconds now.
    fn now(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }
}

/// The machine's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        jiff::Timestamp::now().as_millisecond()
    }
}

/// A clock that stands still until told to move: for tests.
#[derive(Clone)]
pub struct FakeClock(Arc<AtomicI64>);

impl FakeClock {
    /// A clock showing the machine's time now, which then stands still.
    pub fn starting_now() -> Self {
        Self(Arc::new(AtomicI64::new(SystemClock.now_ms())))
    }

    pub fn advance_secs(&self, seconds: i64) {
        self.0.fetch_add(seconds * 1000, Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The clock the process runs on by default.
pub fn system() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fake_clock_moves_only_when_told() {
        let clock = FakeClock::starting_now();
        let start = clock.now();
        assert_eq!(clock.now(), start);
        clock.advance_secs(90);
        assert_eq!(clock.now(), start + 90);
        assert_eq!(clock.clone().now_ms() / 1000, start + 90);
    }
}
