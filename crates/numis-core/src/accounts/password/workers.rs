//! Where password hashing runs: on tokio's blocking pool, never on the
//! async workers that serve requests, and at most as many at a time as the
//! machine has cores. Each Argon2id call takes tens of milliseconds of one
//! core and 19 MiB; a burst of logins waits for a permit instead of
//! starving map requests or filling memory.

use std::sync::Arc;

use tokio::sync::Semaphore;

use super::{PasswordError, PasswordHasher};

/// Runs a [`PasswordHasher`] off the async runtime with bounded
/// concurrency. Cheap to clone; clones share the permits.
#[derive(Debug, Clone)]
pub struct PasswordWorkers {
    hasher: Arc<PasswordHasher>,
    permits: Arc<Semaphore>,
}

impl PasswordWorkers {
    /// As many hashings at a time as the machine has cores (one if that
    /// cannot be told).
    pub fn new(hasher: PasswordHasher) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::with_concurrency(hasher, cores)
    }

    /// At most `concurrency` hashings at a time (at least one).
    pub fn with_concurrency(hasher: PasswordHasher, concurrency: usize) -> Self {
        Self {
            hasher: Arc::new(hasher),
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    /// The hasher, for its parameters and [`PasswordHasher::needs_rehash`]
    /// (which does no hashing).
    pub fn hasher(&self) -> &PasswordHasher {
        &self.hasher
    }

    /// [`PasswordHasher::hash`] on the blocking pool.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        let hasher = Arc::clone(&self.hasher);
        self.run(move || hasher.hash(&password)).await?
    }

    /// [`PasswordHasher::verify`] on the blocking pool against the
    /// account's `phc`, or [`PasswordHasher::dummy_verify`] when there is
    /// no account: both cost the same, so the answer time does not tell
    /// whether the pseudonym exists.
    pub async fn verify(
        &self,
        password: String,
        phc: Option<String>,
    ) -> Result<bool, PasswordError> {
        let hasher = Arc::clone(&self.hasher);
        self.run(move || match phc {
            Some(phc) => hasher.verify(&password, &phc),
            None => hasher.dummy_verify(&password),
        })
        .await
    }

    /// Runs `work` on the blocking pool once a permit is free. The permit
    /// travels with the work, so it is held until the work ends even when
    /// the caller stops waiting.
    async fn run<T, F>(&self, work: F) -> Result<T, PasswordError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|e| PasswordError::Worker(e.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop(permit);
            result
        })
        .await
        .map_err(|e| PasswordError::Worker(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::super::HashParams;
    use super::*;

    fn cheap() -> PasswordHasher {
        PasswordHasher::with_params(HashParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap()
    }

    #[tokio::test]
    async fn hashing_and_verifying_round_trip_off_the_runtime() {
        let workers = PasswordWorkers::new(PasswordHasher::new());
        let phc = workers.hash("Wümme-Niederung".into()).await.unwrap();
        assert!(
            workers
                .verify("Wümme-Niederung".into(), Some(phc.clone()))
                .await
                .unwrap()
        );
        assert!(
            !workers
                .verify("Wumme-Niederung".into(), Some(phc))
                .await
                .unwrap()
        );
        assert!(
            !workers
                .verify("Wümme-Niederung".into(), None)
                .await
                .unwrap()
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_than_the_permitted_number_hash_at_once() {
        let workers = PasswordWorkers::with_concurrency(cheap(), 2);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (workers, running, most) =
                    (workers.clone(), Arc::clone(&running), Arc::clone(&most));
                tokio::spawn(async move {
                    workers
                        .run(move || {
                            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(now, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(30));
                            running.fetch_sub(1, Ordering::SeqCst);
                        })
                        .await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_panicking_worker_is_an_error_not_a_crash() {
        let workers = PasswordWorkers::with_concurrency(cheap(), 1);
        let result = workers.run(|| -> u8 { panic!("boom") }).await;
        assert!(matches!(result, Err(PasswordError::Worker(_))));
        // The permit came back: the next call runs.
        assert_eq!(workers.run(|| 7).await, Ok(7));
    }
}
