//! The job queue as a seam. Features write their jobs in their own write transaction (see
//! [`super::email`] and [`super::teams`]) so that a change and its consequences commit together;
//! everything else a worker or a feature asks of the queue goes through [`JobQueue`]: handing
//! due jobs out under a lease, recording how they went, and waking the workers after a commit.

use super::Claimed;
use crate::store::Db;
use async_trait::async_trait;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

#[async_trait]
pub trait JobQueue: Send + Sync {
    /// Leases up to `limit` due jobs of `topic`, oldest first.
    async fn claim(&self, topic: &str, limit: i64) -> Result<Vec<Claimed>, sqlx::Error>;
    /// Marks `sent` done, and schedules each of `failed` (id, attempts so far, reason) for
    /// another try with back-off.
    async fn settle(&self, sent: &[String], failed: &[(String, i64, String)]) -> Result<(), sqlx::Error>;
    /// Gives up on jobs that can never succeed (id, reason); they stay for the message log.
    async fn give_up(&self, items: &[(String, String)]) -> Result<(), sqlx::Error>;
    /// A worker's doorbell: it rings whenever [`JobQueue::wake`] is called.
    fn subscribe(&self) -> Arc<Notify>;
    /// Wakes every worker, after a commit that queued work.
    fn wake(&self);
}

/// The queue kept in Atrium's own database (the `outbox` table), shared by every instance.
pub struct OutboxQueue {
    db: Db,
    doorbells: Mutex<Vec<Arc<Notify>>>,
}

impl OutboxQueue {
    pub fn new(db: Db) -> Arc<Self> {
        Arc::new(Self {
            db,
            doorbells: Mutex::default(),
        })
    }
}

#[async_trait]
impl JobQueue for OutboxQueue {
    async fn claim(&self, topic: &str, limit: i64) -> Result<Vec<Claimed>, sqlx::Error> {
        super::store::claim(&self.db, topic, limit).await
    }

    async fn settle(&self, sent: &[String], failed: &[(String, i64, String)]) -> Result<(), sqlx::Error> {
        super::store::settle(&self.db, sent, failed).await
    }

    async fn give_up(&self, items: &[(String, String)]) -> Result<(), sqlx::Error> {
        super::store::give_up(&self.db, items).await
    }

    fn subscribe(&self) -> Arc<Notify> {
        let bell = Arc::new(Notify::new());
        self.doorbells.lock().expect("doorbells lock").push(bell.clone());
        bell
    }

    fn wake(&self) {
        // `notify_one` keeps a permit for a worker that is busy right now, so a wake-up during a
        // pass is not lost.
        for bell in self.doorbells.lock().expect("doorbells lock").iter() {
            bell.notify_one();
        }
    }
}
