//! The one thread every analysis runs on. The rules keep their caches (shell analyses,
//! memoized findings) in thread-locals: analyses on changing threads would miss them and
//! hold a copy per thread. It works alone (`threads::work_alone`): a large file's model and
//! cold check are not split over rayon's pool.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};
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

/// Rung on every edit, so that an analysis busy with something else between its jobs (a
/// document's first full parse, during which it analyses the edits itself) hears of them
/// at once rather than at its next look.
#[derive(Default)]
pub struct Doorbell {
    rung: Mutex<u64>,
    bell: Condvar,
}

impl Doorbell {
    /// How many times it has rung: pass it to `wait_past` after looking for work.
    pub fn count(&self) -> u64 {
        *self.rung.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn ring(&self) {
        *self.rung.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.bell.notify_all();
    }

    /// Wait until it has rung more than `heard` times, or `timeout` has passed.
    pub fn wait_past(&self, heard: u64, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let mut rung = self.rung.lock().unwrap_or_else(|e| e.into_inner());
        while *rung == heard {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            rung = match self.bell.wait_timeout(rung, left) {
                Ok((guard, _)) => guard,
                Err(e) => e.into_inner().0,
            };
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

    #[test]
    fn a_ring_ends_the_wait_and_silence_times_out() {
        let bell = std::sync::Arc::new(Doorbell::default());
        let heard = bell.count();
        let ringer = {
            let bell = bell.clone();
            std::thread::spawn(move || bell.ring())
        };
        // A ring before the wait began counts too: the count is past `heard`.
        bell.wait_past(heard, Duration::from_secs(60));
        ringer.join().expect("rang");
        assert_eq!(bell.count(), heard + 1);
        let start = Instant::now();
        bell.wait_past(heard + 1, Duration::from_millis(5));
        assert!(start.elapsed() >= Duration::from_millis(5));
    }
}
