//! The rate limits' SQL: one counter row per subject and window in `rate_limits`.

use crate::store::{Db, WriteTx};
use std::collections::HashMap;

/// Counts one hit in the window `bucket` (ending at `expires_at`) and answers its hits so far,
/// this one included.
pub(super) async fn add_hit(tx: &mut WriteTx, bucket: &str, expires_at: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO rate_limits (bucket, hits, expires_at) VALUES ($1, 1, $2) \
         ON CONFLICT (bucket) DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits",
    )
    .bind(bucket)
    .bind(expires_at)
    .fetch_one(&mut *tx.tx)
    .await
}

/// Counts `hits` in each window of `buckets` (bucket, hits, expires at; each bucket once) with one
/// statement, and answers each bucket's total after it.
pub(super) async fn add_hits(tx: &mut WriteTx, buckets: &[(String, i64, i64)]) -> Result<HashMap<String, i64>, sqlx::Error> {
    if buckets.is_empty() {
        return Ok(HashMap::new());
    }
    let values: Vec<String> = (0..buckets.len())
        .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
        .collect();
    let sql = format!(
        "INSERT INTO rate_limits (bucket, hits, expires_at) VALUES {} \
         ON CONFLICT (bucket) DO UPDATE SET hits = rate_limits.hits + excluded.hits RETURNING bucket, hits",
        values.join(", ")
    );
    let mut q = sqlx::query_as::<_, (String, i64)>(&sql);
    for (bucket, hits, expires_at) in buckets {
        q = q.bind(bucket).bind(*hits).bind(*expires_at);
    }
    Ok(q.fetch_all(&mut *tx.tx).await?.into_iter().collect())
}

/// The hits counted in the window `bucket`, if it has a counter.
pub(super) async fn hits(db: &Db, bucket: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT hits FROM rate_limits WHERE bucket = $1")
        .bind(bucket)
        .fetch_optional(&db.pool)
        .await
}

/// Drops the counter of the window `bucket`.
pub(super) async fn delete(tx: &mut WriteTx, bucket: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM rate_limits WHERE bucket = $1")
        .bind(bucket)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// Takes one hit off the counter of the window `bucket`, never below zero.
pub(super) async fn take_back(tx: &mut WriteTx, bucket: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE rate_limits SET hits = hits - 1 WHERE bucket = $1 AND hits > 0")
        .bind(bucket)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// Removes the counters whose window ended at or before `now`, in a transaction of its own, and
/// answers how many.
pub(super) async fn delete_expired(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let n = sqlx::query("DELETE FROM rate_limits WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(n)
}
