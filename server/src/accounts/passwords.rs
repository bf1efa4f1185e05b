//! Password hashing (argon2id) on a fixed pool of threads, one per core. Each check allocates
//! about 19 MiB; running them on a bounded set of threads keeps memory bounded under a flood
//! of sign-ins (the allocator reuses each thread's block), and a request that cannot get a
//! thread within a short wait is refused as busy instead of queueing without end.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, Semaphore};

/// All hashing threads stayed busy for the whole wait: try again shortly.
#[derive(Debug, thiserror::Error)]
#[error("the server is busy checking passwords; try again in a moment")]
pub struct Busy;

enum Job {
    Hash(String, oneshot::Sender<String>),
    Verify(String, String, oneshot::Sender<bool>),
}

/// Hashes and checks passwords on `threads` dedicated threads.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    jobs: mpsc::Sender<Job>,
    wait: Duration,
}

impl Hasher {
    /// One thread per core; a request waits at most `wait` for one.
    pub fn new(threads: usize, wait: Duration) -> Self {
        let threads = threads.max(1);
        let (jobs, inbox) = mpsc::channel::<Job>(threads);
        let inbox = Arc::new(std::sync::Mutex::new(inbox));
        for n in 0..threads {
            let inbox = inbox.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || loop {
                    let job = inbox.lock().expect("hasher inbox").blocking_recv();
                    match job {
                        Some(Job::Hash(password, reply)) => {
                            let _ = reply.send(hash_password(&password));
                        }
                        Some(Job::Verify(hash, password, reply)) => {
                            let _ = reply.send(verify_password(&hash, &password));
                        }
                        None => return,
                    }
                })
                .expect("start a hashing thread");
        }
        Self {
            permits: Arc::new(Semaphore::new(threads)),
            jobs,
            wait,
        }
    }

    /// Sized to this machine's cores, waiting up to two seconds.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Self::new(cores, Duration::from_secs(2))
    }

    async fn run<T>(&self, job: impl FnOnce(oneshot::Sender<T>) -> Job) -> Result<T, Busy> {
        let _permit = tokio::time::timeout(self.wait, self.permits.acquire())
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)?;
        let (reply, answer) = oneshot::channel();
        self.jobs.send(job(reply)).await.map_err(|_| Busy)?;
        answer.await.map_err(|_| Busy)
    }

    pub async fn verify(&self, hash: &str, password: &str) -> Result<bool, Busy> {
        let (hash, password) = (hash.to_string(), password.to_string());
        self.run(|reply| Job::Verify(hash, password, reply)).await
    }

    pub async fn hash(&self, password: &str) -> Result<String, Busy> {
        let password = password.to_string();
        self.run(|reply| Job::Hash(password, reply)).await
    }
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password")
        .to_string()
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A real hash of no one's password, checked for unknown accounts so they take as long as
/// known ones.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a real password at all"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_and_verifies_on_the_pool() {
        let h = Hasher::new(1, Duration::from_secs(30));
        let hash = h.hash("correct horse battery staple").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(h.verify(&hash, "correct horse battery staple").await.unwrap());
        assert!(!h.verify(&hash, "correct horse battery stapler").await.unwrap());
        assert!(!h.verify("not a hash", "x").await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_full_pool_answers_busy_after_the_wait() {
        let h = Hasher::new(1, Duration::from_millis(1));
        let hash = hash_password("some password here");
        let attempts: Vec<_> = (0..8)
            .map(|_| {
                let (h, hash) = (h.clone(), hash.clone());
                tokio::spawn(async move { h.verify(&hash, "wrong").await })
            })
            .collect();
        let mut busy = 0;
        for a in attempts {
            if a.await.unwrap().is_err() {
                busy += 1;
            }
        }
        assert!(busy > 0, "one thread cannot take eight checks within a millisecond");
    }
}
