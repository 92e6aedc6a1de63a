//! Print jobs: a bounded pool of workers, a bounded queue in front of it,
//! a time limit per job, and results kept for a while for their download.
//!
//! The workers and the queue belong to this instance. The jobs themselves
//! (where each stands, why it failed, the PDF it made) are kept in the
//! store, so that behind a load balancer any instance answers a job's
//! status and serves its PDF. The store knows a job by the SHA-256 of
//! its id only: the id is the only key to the PDF. A job whose instance
//! stopped before finishing it is reported failed once it has been
//! unchanged for longer than it could have waited and run.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use base64::Engine as _;
use numis_store::{PrintJobStatus, PrintJobStore, StoredPrintJob};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::config::PrintConfig;

/// Where a job stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for a worker.
    Queued,
    /// Being made.
    Running,
    /// Made: the PDF.
    Done(Bytes),
    /// Not made, and why.
    Failed(String),
}

/// Why a job was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// As many jobs wait as the queue holds: try again later.
    QueueFull,
    /// The system gave no randomness for the job's secret id.
    NoId,
    /// The store did not take the job.
    Store,
}

/// A place taken in the queue, given back when dropped: also when the
/// client that waits for it goes away.
struct Place(Arc<AtomicUsize>);

impl Drop for Place {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The print jobs of the server. Cheap to share (`Arc`).
pub struct PrintJobs {
    store: Arc<dyn PrintJobStore>,
    workers: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    queue: usize,
    job_time: Duration,
    keep: Duration,
}

impl PrintJobs {
    /// Jobs as `[print]` configures them, kept in `store`.
    pub fn new(config: &PrintConfig, store: Arc<dyn PrintJobStore>) -> Self {
        Self {
            store,
            workers: Arc::new(Semaphore::new(config.workers.max(1))),
            waiting: Arc::default(),
            queue: config.queue,
            job_time: Duration::from_secs_f64(if config.job_seconds.is_finite() {
                config.job_seconds.clamp(0.01, 3600.0)
            } else {
                60.0
            }),
            keep: Duration::from_secs(config.keep_minutes.saturating_mul(60)),
        }
    }

    /// How long one job may take.
    pub fn job_time(&self) -> Duration {
        self.job_time
    }

    /// Queues `work`, which is given the moment it must be done by and
    /// answers the PDF or why there is none; answers the job's id once the
    /// job is in the store. [`Refused::QueueFull`] when as many jobs wait
    /// as the queue holds.
    pub async fn submit<F>(self: &Arc<Self>, work: F) -> Result<String, Refused>
    where
        F: FnOnce(Instant) -> Result<Vec<u8>, String> + Send + 'static,
    {
        let place = self.take_place()?;
        let Some(id) = new_job_id() else {
            return Err(Refused::NoId);
        };
        let key = id_hash(&id);
        let created_at = unix_now();
        if let Err(e) = self
            .save(&key, created_at, PrintJobStatus::Queued, None, None)
            .await
        {
            tracing::warn!(error = %e, "print job not stored");
            return Err(Refused::Store);
        }
        let jobs = Arc::clone(self);
        tokio::spawn(async move {
            let result = jobs.work_on(place, work, Some((&key, created_at))).await;
            let saved = match result {
                Ok(pdf) => {
                    jobs.save(&key, created_at, PrintJobStatus::Done, None, Some(pdf))
                        .await
                }
                Err(reason) => {
                    jobs.save(&key, created_at, PrintJobStatus::Failed, Some(reason), None)
                        .await
                }
            };
            // The client asks again and learns the job is gone or failed
            // (see `state`); nothing else can be done here.
            if let Err(e) = saved {
                tracing::warn!(error = %e, "finished print job not stored");
            }
        });
        Ok(id)
    }

    /// Does `work` on a worker, under the same queue and time limit as a
    /// print job, and answers its result once it is done: for small
    /// results (an image of the view) the client waits for.
    pub async fn run_now<F>(&self, work: F) -> Result<Result<Vec<u8>, String>, Refused>
    where
        F: FnOnce(Instant) -> Result<Vec<u8>, String> + Send + 'static,
    {
        let place = self.take_place()?;
        Ok(self.work_on(place, work, None).await)
    }

    /// A place in the queue, or [`Refused::QueueFull`].
    fn take_place(&self) -> Result<Place, Refused> {
        let waiting = self.waiting.fetch_add(1, Ordering::SeqCst);
        let place = Place(Arc::clone(&self.waiting));
        // A free worker takes a job at once: only jobs beyond the free
        // workers wait in the queue.
        if waiting >= self.queue + self.workers.available_permits() {
            return Err(Refused::QueueFull);
        }
        Ok(place)
    }

    /// Waits for a worker, gives up `place` and does `work` within the
    /// time limit; marks the job (its id's hash and creation time) running
    /// when it starts.
    async fn work_on<F>(
        &self,
        place: Place,
        work: F,
        job: Option<(&[u8], i64)>,
    ) -> Result<Vec<u8>, String>
    where
        F: FnOnce(Instant) -> Result<Vec<u8>, String> + Send + 'static,
    {
        let Ok(permit) = Arc::clone(&self.workers).acquire_owned().await else {
            return Err("the print service is shutting down".into());
        };
        drop(place);
        if let Some((key, created_at)) = job
            && let Err(e) = self
                .save(key, created_at, PrintJobStatus::Running, None, None)
                .await
        {
            tracing::warn!(error = %e, "print job state not stored");
        }
        let deadline = Instant::now() + self.job_time;
        // The worker is free only when the work has really ended, even if
        // the job was given up on at its time limit.
        let handle = tokio::task::spawn_blocking(move || {
            let result = work(deadline);
            drop(permit);
            result
        });
        let limit = self.job_time + Duration::from_secs(1);
        match tokio::time::timeout(limit, handle).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err("the print failed".into()),
            Err(_) => Err(format!(
                "the print took longer than its time limit of {} s",
                self.job_time.as_secs_f64()
            )),
        }
    }

    /// The state of job `id`, if it exists (and was not purged). A job
    /// unchanged for longer than it could have waited and run counts as
    /// failed: the instance that had it stopped.
    pub async fn state(&self, id: &str) -> numis_store::Result<Option<JobState>> {
        let Some(job) = self.store.print_job(&id_hash(id)).await? else {
            return Ok(None);
        };
        let state = match job.status {
            PrintJobStatus::Done => JobState::Done(Bytes::from(job.pdf.unwrap_or_default())),
            PrintJobStatus::Failed => JobState::Failed(job.error.unwrap_or_default()),
            _ if job.updated_at < unix_now() - self.longest_wait() => {
                JobState::Failed("the print server stopped before the print was made".into())
            }
            PrintJobStatus::Queued => JobState::Queued,
            PrintJobStatus::Running => JobState::Running,
        };
        Ok(Some(state))
    }

    /// Deletes the jobs that finished longer ago than they are kept, and
    /// those their instance left unfinished; returns how many.
    pub async fn purge(&self) -> numis_store::Result<u64> {
        let now = unix_now();
        let keep = i64::try_from(self.keep.as_secs()).unwrap_or(i64::MAX);
        self.store
            .purge_print_jobs(now.saturating_sub(keep), now - self.longest_wait() - keep)
            .await
    }

    /// Seconds a job can stay unchanged while its instance lives: waiting
    /// behind a full queue, then running to its limit.
    fn longest_wait(&self) -> i64 {
        let jobs = u32::try_from(self.queue)
            .unwrap_or(u32::MAX)
            .saturating_add(2);
        i64::try_from((self.job_time * jobs).as_secs()).unwrap_or(i64::MAX) + 60
    }

    async fn save(
        &self,
        key: &[u8],
        created_at: i64,
        status: PrintJobStatus,
        error: Option<String>,
        pdf: Option<Vec<u8>>,
    ) -> numis_store::Result<()> {
        let now = unix_now();
        let finished = matches!(status, PrintJobStatus::Done | PrintJobStatus::Failed);
        self.store
            .save_print_job(&StoredPrintJob {
                id_hash: key.to_vec(),
                status,
                error,
                pdf,
                created_at,
                updated_at: now,
                finished_at: finished.then_some(now),
            })
            .await
    }
}

/// The SHA-256 of a job's id: what the store knows it by.
fn id_hash(id: &str) -> Vec<u8> {
    Sha256::digest(id.as_bytes()).to_vec()
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// 128 random bits, URL-safe: a job's id is the only key to its PDF.
fn new_job_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Jobs over a fresh SQLite store (kept alive by the directory).
    async fn jobs(
        workers: usize,
        queue: usize,
        job_seconds: f64,
        keep_minutes: u64,
    ) -> (tempfile::TempDir, Arc<PrintJobs>) {
        let dir = tempfile::tempdir().unwrap();
        let store = numis_store::SqlStore::open_sqlite(dir.path())
            .await
            .unwrap();
        let config = PrintConfig {
            workers,
            queue,
            job_seconds,
            keep_minutes,
            ..PrintConfig::default()
        };
        (dir, Arc::new(PrintJobs::new(&config, Arc::new(store))))
    }

    async fn settled(jobs: &PrintJobs, id: &str) -> JobState {
        for _ in 0..400 {
            match jobs.state(id).await.unwrap() {
                Some(JobState::Queued | JobState::Running) | None => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                Some(done) => return done,
            }
        }
        panic!("job {id} did not finish");
    }

    #[tokio::test]
    async fn a_job_is_made_and_kept_for_its_download() {
        let (_dir, jobs) = jobs(1, 1, 5.0, 60).await;
        let id = jobs.submit(|_| Ok(b"%PDF-1.7".to_vec())).await.unwrap();
        assert_eq!(id.len(), 22);
        assert_eq!(
            settled(&jobs, &id).await,
            JobState::Done(Bytes::from_static(b"%PDF-1.7"))
        );
        let failed = jobs.submit(|_| Err("no layer".into())).await.unwrap();
        assert_eq!(
            settled(&jobs, &failed).await,
            JobState::Failed("no layer".into())
        );
        assert_eq!(jobs.state("unknown").await.unwrap(), None);
        assert_eq!(jobs.purge().await.unwrap(), 0, "both are kept an hour");
    }

    #[tokio::test]
    async fn another_instance_on_the_same_store_answers_the_job() {
        let (dir, jobs) = jobs(1, 1, 5.0, 60).await;
        let id = jobs.submit(|_| Ok(b"%PDF-1.7".to_vec())).await.unwrap();
        settled(&jobs, &id).await;
        let store = numis_store::SqlStore::open_sqlite(dir.path())
            .await
            .unwrap();
        let other = PrintJobs::new(&PrintConfig::default(), Arc::new(store));
        assert_eq!(
            other.state(&id).await.unwrap(),
            Some(JobState::Done(Bytes::from_static(b"%PDF-1.7")))
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_refuses_and_a_slow_job_ends_at_its_limit() {
        let (_dir, jobs) = jobs(1, 1, 1.0, 60).await;
        let slow = |_| {
            std::thread::sleep(Duration::from_millis(2500));
            Ok(Vec::new())
        };
        let first = jobs.submit(slow).await.unwrap();
        // Wait until the worker has it, then fill the queue.
        while jobs.state(&first).await.unwrap() != Some(JobState::Running) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let second = jobs.submit(|_| Ok(Vec::new())).await.unwrap();
        assert_eq!(
            jobs.submit(|_| Ok(Vec::new())).await,
            Err(Refused::QueueFull)
        );
        match settled(&jobs, &first).await {
            JobState::Failed(reason) => assert!(reason.contains("limit of 1 s"), "{reason}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(settled(&jobs, &second).await, JobState::Done(_)));
    }

    #[tokio::test]
    async fn finished_jobs_are_forgotten_after_their_time() {
        let (_dir, jobs) = jobs(1, 1, 5.0, 0).await;
        let id = jobs.submit(|_| Ok(Vec::new())).await.unwrap();
        settled(&jobs, &id).await;
        // Finished "now"; kept 0 minutes: gone once a second has passed.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(jobs.purge().await.unwrap(), 1);
        assert_eq!(jobs.state(&id).await.unwrap(), None);
    }
}
