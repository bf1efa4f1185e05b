//! The rate limits' SQL adapter: one counter row per subject and window in `rate_limits`.

use super::{CounterStore, Counters};
use crate::store::{Db, WriteTx};
use std::collections::HashMap;

impl Counters for WriteTx {
    async fn add_hit(&mut self, bucket: &str, expires_at: i64) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "INSERT INTO rate_limits (bucket, hits, expires_at) VALUES ($1, 1, $2) \
             ON CONFLICT (bucket) DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits",
        )
        .bind(bucket)
        .bind(expires_at)
        .fetch_one(&mut *self.tx)
        .await
    }

    /// One statement however many buckets.
    async fn add_hits(&mut self, buckets: &[(String, i64, i64)]) -> Result<HashMap<String, i64>, sqlx::Error> {
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
        Ok(q.fetch_all(&mut *self.tx).await?.into_iter().collect())
    }

    async fn delete(&mut self, bucket: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM rate_limits WHERE bucket = $1")
            .bind(bucket)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn take_back(&mut self, bucket: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE rate_limits SET hits = hits - 1 WHERE bucket = $1 AND hits > 0")
            .bind(bucket)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

impl CounterStore for Db {
    async fn hits(&self, bucket: &str) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT hits FROM rate_limits WHERE bucket = $1")
            .bind(bucket)
            .fetch_optional(&self.pool)
            .await
    }

    /// In a transaction of its own.
    async fn delete_expired(&self, now: i64) -> Result<u64, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("DELETE FROM rate_limits WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(n)
    }
}
