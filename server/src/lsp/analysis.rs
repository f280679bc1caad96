//! The one thread every analysis runs on. The rules keep their caches (shell analyses,
//! memoized findings) in thread-locals: analyses on changing threads would miss them and
//! hold a copy per thread. It works alone (`threads::work_alone`): a large file's model and
//! cold check are not split over rayon's pool.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::Mutex;
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// A job's outcome when it did not return: it panicked, or the thread is gone.
#[derive(Debug, PartialEq, Eq)]
pub struct Failed(pub &'static str);

/// The analysis thread, fed in order. It ends when this is dropped.
pub struct AnalysisThread {
    jobs: Mutex<mpsc::Sender<Job>>,
}

impl AnalysisThread {
    pub fn start() -> AnalysisThread {
        let (tx, rx) = mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new()
            .name("analysis".to_string())
            .spawn(move || {
                crate::threads::work_alone();
                for job in rx {
                    let _busy = crate::threads::Foreground::start();
                    job();
                }
            });
        if let Err(e) = spawned {
            // Jobs then fail (their sender is dropped), and requests answer with an error.
            tracing::error!("cannot start the analysis thread: {e}");
        }
        AnalysisThread {
            jobs: Mutex::new(tx),
        }
    }

    /// Run `f` on the analysis thread, after the jobs queued before it.
    pub fn run<R, F>(&self, f: F) -> impl Future<Output = Result<R, Failed>> + Send
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let outcome = catch_unwind(AssertUnwindSafe(f)).map_err(|_| Failed("panicked"));
            let _ = tx.send(outcome);
        });
        let queued = self
            .jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send(job)
            .is_ok();
        async move {
            if !queued {
                return Err(Failed("not running"));
            }
            rx.await.unwrap_or(Err(Failed("not running")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_in_order_on_one_thread_and_a_panic_is_contained() {
        let thread = AnalysisThread::start();
        let first = thread.run(|| std::thread::current().id());
        let boom = thread.run(|| -> u32 { panic!("a rule bug") });
        let after = thread.run(|| std::thread::current().id());
        let first = first.await.expect("ran");
        assert_eq!(boom.await, Err(Failed("panicked")));
        assert_eq!(after.await, Ok(first));
        assert_ne!(first, std::thread::current().id());
    }
}
