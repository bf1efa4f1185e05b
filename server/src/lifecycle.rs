//! Stopping cleanly: on SIGTERM or Ctrl-C Atrium stops accepting connections, finishes the
//! requests in flight, lets each background worker finish the pass it is in (so the jobs it
//! claimed are recorded as done or due again), and then exits 0.

use std::future::Future;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How long the workers get to finish their pass once the server has drained; a worker still
/// busy after this leaves its leases to run out (on SQLite the next start releases them).
pub const GRACE: Duration = Duration::from_secs(30);

/// The background tasks of one running Atrium and the signal that tells them to stop.
#[derive(Clone, Default)]
pub struct Lifecycle {
    stop: CancellationToken,
    tasks: TaskTracker,
}

impl Lifecycle {
    /// Runs a background worker that is waited for when Atrium stops.
    pub fn spawn<F>(&self, work: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.tasks.spawn(work);
    }

    pub fn is_stopping(&self) -> bool {
        self.stop.is_cancelled()
    }

    /// Waits `pause`, or less when Atrium begins to stop; says whether to go on working.
    pub async fn rest(&self, pause: Duration) -> bool {
        tokio::select! {
            _ = self.stop.cancelled() => false,
            _ = tokio::time::sleep(pause) => true,
        }
    }

    /// Resolves once Atrium begins to stop.
    pub async fn stopping(&self) {
        self.stop.cancelled().await
    }

    /// Tells the workers to stop and waits up to `grace` for them; says whether all finished.
    pub async fn stop(&self, grace: Duration) -> bool {
        self.stop.cancel();
        self.tasks.close();
        tokio::time::timeout(grace, self.tasks.wait()).await.is_ok()
    }
}

/// Resolves on SIGTERM (what service managers and container runtimes send) or Ctrl-C.
pub async fn signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stop_waits_for_a_worker_to_finish_its_pass() {
        let life = Lifecycle::default();
        let finished = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (flag, worker) = (finished.clone(), life.clone());
        life.spawn(async move {
            while worker.rest(Duration::from_secs(3600)).await {}
            // The pass in progress when the stop came: it completes before stop() returns.
            tokio::time::sleep(Duration::from_millis(50)).await;
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        assert!(life.stop(Duration::from_secs(10)).await);
        assert!(finished.load(std::sync::atomic::Ordering::SeqCst));
    }

    #[tokio::test]
    async fn stop_gives_up_on_a_worker_that_overruns_its_grace() {
        let life = Lifecycle::default();
        life.spawn(std::future::pending());
        assert!(!life.stop(Duration::from_millis(20)).await);
    }
}
