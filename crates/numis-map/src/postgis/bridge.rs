//! A small runtime of its own on which the database's asynchronous client
//! runs, so that the synchronous engine can wait for a query from any
//! thread: a rendering thread of the server, `numis check`, a test.

use std::future::Future;
use std::sync::mpsc;

use tokio::runtime::{Builder, Runtime};

/// Runs futures on a dedicated thread and hands their results back.
#[derive(Debug)]
pub(crate) struct Bridge {
    /// `None` only while being dropped.
    runtime: Option<Runtime>,
}

impl Bridge {
    /// One worker thread: the queries wait on the database, not on CPU.
    pub(crate) fn new() -> Result<Self, String> {
        let runtime = Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("numis-postgis")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the database client: {e}"))?;
        Ok(Self {
            runtime: Some(runtime),
        })
    }

    /// Runs `work` to its end and returns its result. The calling thread
    /// blocks on a channel, never on a runtime of its own, so this works
    /// inside another runtime's blocking threads too.
    pub(crate) fn run<T, F>(&self, work: F) -> Result<T, String>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, String>> + Send + 'static,
    {
        let runtime = self
            .runtime
            .as_ref()
            .ok_or("the database client has stopped")?;
        let (sender, receiver) = mpsc::sync_channel(1);
        runtime.spawn(async move {
            // The receiver only goes when the caller gave up waiting.
            let _ = sender.send(work.await);
        });
        receiver
            .recv()
            .map_err(|_| "the database client stopped during a query".to_owned())?
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        // A catalogue replaced by a reload may be dropped on an async
        // thread, where waiting for the runtime's threads is not allowed.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_and_errors_come_back() {
        let bridge = Bridge::new().unwrap();
        assert_eq!(bridge.run(async { Ok(6 * 7) }), Ok(42));
        assert_eq!(
            bridge.run(async { Err::<(), _>("no".to_owned()) }),
            Err("no".to_owned())
        );
    }

    #[tokio::test]
    async fn it_runs_inside_another_runtime_and_drops_there() {
        let bridge = Bridge::new().unwrap();
        let answer = tokio::task::spawn_blocking(move || {
            let answer = bridge.run(async { Ok("from the database thread") });
            (answer, bridge)
        })
        .await
        .unwrap();
        assert_eq!(answer.0, Ok("from the database thread"));
        // Dropped here, in async code: must not panic.
        drop(answer.1);
    }
}
