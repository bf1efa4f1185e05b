//! What time it is. Everything that decides by the time (registration windows, expiries,
//! retries, reminders) asks here, so tests can set the time instead of rewriting rows.

/// Unix seconds now.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}
