//! Print jobs: a bounded pool of workers, a bounded queue in front of it,
//! a time limit per job, and results kept for a while for their download.
//! Everything lives in memory: a job holds no more than the PDF it made,
//! and a restart forgets them all.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use base64::Engine as _;
use tokio::sync::Semaphore;

use crate::config::PrintConfig;

/// Where a job stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for a worker.
    Queued,
    /// Being made.
    Running,
    /// Made: the PDF (shared with every download, never copied).
    Done(Bytes),
    /// Not made, and why.
    Failed(String),
}

#[derive(Debug)]
struct Job {
    state: JobState,
    finished_at: Option<Instant>,
}

/// Why a job was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// As many jobs wait as the queue holds: try again later.
    QueueFull,
    /// The system gave no randomness for the job's secret id.
    NoId,
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
#[derive(Debug)]
pub struct PrintJobs {
    jobs: Mutex<HashMap<String, Job>>,
    workers: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    queue: usize,
    job_time: Duration,
    keep: Duration,
}

impl PrintJobs {
    /// Jobs as `[print]` configures them.
    pub fn new(config: &PrintConfig) -> Self {
        Self {
            jobs: Mutex::default(),
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
    /// answers the PDF or why there is none; answers the job's id.
    /// [`Refused::QueueFull`] when as many jobs wait as the queue holds.
    pub fn submit<F>(self: &Arc<Self>, work: F) -> Result<String, Refused>
    where
        F: FnOnce(Instant) -> Result<Vec<u8>, String> + Send + 'static,
    {
        self.purge();
        let place = self.take_place()?;
        let Some(id) = new_job_id() else {
            return Err(Refused::NoId);
        };
        self.set(&id, JobState::Queued);
        let jobs = Arc::clone(self);
        let job_id = id.clone();
        tokio::spawn(async move {
            let result = jobs.work_on(place, work, Some(&job_id)).await;
            let state = match result {
                Ok(pdf) => JobState::Done(Bytes::from(pdf)),
                Err(reason) => JobState::Failed(reason),
            };
            jobs.finish(&job_id, state);
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
    /// time limit; marks job `id` running when it starts.
    async fn work_on<F>(&self, place: Place, work: F, id: Option<&str>) -> Result<Vec<u8>, String>
    where
        F: FnOnce(Instant) -> Result<Vec<u8>, String> + Send + 'static,
    {
        let Ok(permit) = Arc::clone(&self.workers).acquire_owned().await else {
            return Err("the print service is shutting down".into());
        };
        drop(place);
        if let Some(id) = id {
            self.set(id, JobState::Running);
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

    /// The state of job `id`, if it exists (and was not purged).
    pub fn state(&self, id: &str) -> Option<JobState> {
        self.purge();
        let jobs = self.jobs.lock().ok()?;
        jobs.get(id).map(|job| job.state.clone())
    }

    /// Forgets the jobs that finished longer ago than they are kept.
    pub fn purge(&self) {
        if let Ok(mut jobs) = self.jobs.lock() {
            let keep = self.keep;
            jobs.retain(|_, job| job.finished_at.is_none_or(|at| at.elapsed() < keep));
        }
    }

    fn set(&self, id: &str, state: JobState) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.insert(
                id.to_owned(),
                Job {
                    state,
                    finished_at: None,
                },
            );
        }
    }

    fn finish(&self, id: &str, state: JobState) {
        if let Ok(mut jobs) = self.jobs.lock()
            && let Some(job) = jobs.get_mut(id)
            && job.finished_at.is_none()
        {
            job.state = state;
            job.finished_at = Some(Instant::now());
        }
    }
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

    fn jobs(workers: usize, queue: usize, job_seconds: f64) -> Arc<PrintJobs> {
        Arc::new(PrintJobs::new(&PrintConfig {
            workers,
            queue,
            job_seconds,
            ..PrintConfig::default()
        }))
    }

    async fn settled(jobs: &PrintJobs, id: &str) -> JobState {
        for _ in 0..400 {
            match jobs.state(id) {
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
        let jobs = jobs(1, 1, 5.0);
        let id = jobs.submit(|_| Ok(b"%PDF-1.7".to_vec())).unwrap();
        assert_eq!(id.len(), 22);
        assert_eq!(
            settled(&jobs, &id).await,
            JobState::Done(Bytes::from_static(b"%PDF-1.7"))
        );
        let failed = jobs.submit(|_| Err("no layer".into())).unwrap();
        assert_eq!(
            settled(&jobs, &failed).await,
            JobState::Failed("no layer".into())
        );
        assert_eq!(jobs.state("unknown"), None);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_refuses_and_a_slow_job_ends_at_its_limit() {
        let jobs = jobs(1, 1, 1.0);
        let slow = |_| {
            std::thread::sleep(Duration::from_millis(2500));
            Ok(Vec::new())
        };
        let first = jobs.submit(slow).unwrap();
        // Wait until the worker has it, then fill the queue.
        while jobs.state(&first) != Some(JobState::Running) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let second = jobs.submit(|_| Ok(Vec::new())).unwrap();
        assert_eq!(jobs.submit(|_| Ok(Vec::new())), Err(Refused::QueueFull));
        match settled(&jobs, &first).await {
            JobState::Failed(reason) => assert!(reason.contains("limit of 1 s"), "{reason}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(settled(&jobs, &second).await, JobState::Done(_)));
    }

    #[tokio::test]
    async fn finished_jobs_are_forgotten_after_their_time() {
        let jobs = Arc::new(PrintJobs::new(&PrintConfig {
            keep_minutes: 0,
            ..PrintConfig::default()
        }));
        let id = jobs.submit(|_| Ok(Vec::new())).unwrap();
        for _ in 0..200 {
            if jobs.state(&id).is_none() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the finished job was kept");
    }
}
