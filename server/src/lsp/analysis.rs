//! The one thread every analysis runs on. The rules keep their caches (shell analyses,
//! memoized findings) in thread-locals: analyses on changing threads would miss them and
//! hold a copy per thread.

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
                warm_up();
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

/// Heap touched before the first job, in blocks below glibc's mmap threshold so that
/// they stay in the heap once freed: about what the open of a 5,000-line file touches.
const WARM_HEAP: usize = 8 << 20;
const WARM_BLOCK: usize = 64 << 10;

/// A small Dockerfile analysed before the first job: it brings in the code, the lazily
/// built tables and the thread-local state of the model and the rules.
const WARM_TEXT: &str = "\
# syntax=docker/dockerfile:1
ARG BASE=debian:bookworm-slim
FROM ${BASE} AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends gcc make \\
    && rm -rf /var/lib/apt/lists/*
COPY . .
RUN --mount=type=cache,target=/root/.cache make build
ENV PATH=/src/bin:$PATH
FROM ${BASE}
COPY --from=build /src/bin /usr/local/bin
USER 1000
CMD [\"app\"]
";

/// Run on the analysis thread before its first job, while the client is still busy with
/// `initialize`. A fresh process pays for every first touch of a heap page and every
/// first call of a piece of code, and the first document opened paid for all of it
/// (~1,600 page faults on the 5,000-line file). Touching the heap once here moves that
/// cost out of the open; the peak resident memory is unchanged (the open reuses it).
fn warm_up() {
    let mut blocks: Vec<Vec<u8>> = (0..WARM_HEAP / WARM_BLOCK)
        .map(|_| vec![1u8; WARM_BLOCK])
        .collect();
    std::hint::black_box(&mut blocks);
    drop(blocks);
    let model = crate::model::build(WARM_TEXT);
    let findings = crate::rules::check(&model, WARM_TEXT, &Default::default());
    std::hint::black_box(findings);
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
