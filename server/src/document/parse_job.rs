//! A parse handed to another thread that its owner can take back while it has not started.
//!
//! Waiting for a helper to start costs more than the parse now and then: on this kind of
//! machine a sleeping worker usually woke at once but now and then 1–5 ms late, against
//! ~0.3 ms for an edit's incremental parse. So `join` parses on the calling thread when no
//! helper has begun, and waits only for a parse under way.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use tree_sitter::Tree;

/// What a parse reads: the text and the tree to re-parse it from.
type Input = (Arc<str>, Option<Tree>);

/// Where the parse is.
enum State {
    Waiting(Input),
    /// A helper parses, or the owner took the job back.
    Running,
    /// Done; the input back when the helper's parse panicked or was given up (`join`
    /// parses again).
    Done(Result<Tree, Input>),
}

struct Shared {
    state: Mutex<State>,
    done: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The helper's side: parse unless the owner took the job back. A full parse
    /// `in_idle_time` steps aside while the server works (`threads::wait_for_quiet`) and
    /// is given up when nobody holds the job any more (its document closed, its snapshots
    /// gone): then it ends as a failed parse.
    fn run(self: &Arc<Self>, before: impl FnOnce(), in_idle_time: bool) {
        let taken = {
            let mut state = self.lock();
            match std::mem::replace(&mut *state, State::Running) {
                State::Waiting(input) => Some(input),
                other => {
                    *state = other;
                    None
                }
            }
        };
        let Some(input) = taken else {
            return;
        };
        before();
        let abandoned = || Arc::strong_count(self) == 1;
        let tree = catch_unwind(AssertUnwindSafe(|| match &input {
            (text, None) if in_idle_time => {
                crate::syntax::parse_pausing(text, || crate::threads::wait_for_quiet(abandoned))
            }
            _ => Some(parse(&input)),
        }));
        *self.lock() = State::Done(match tree {
            Ok(Some(tree)) => Ok(tree),
            _ => Err(input),
        });
        self.done.notify_all();
    }
}

fn parse((text, old): &Input) -> Tree {
    crate::syntax::parse(text, old.as_ref())
}

/// A parse of a text (incrementally from an older tree, or from nothing). A copy is the
/// same job.
#[derive(Clone)]
pub struct ParseJob {
    shared: Arc<Shared>,
}

impl ParseJob {
    fn new(text: Arc<str>, old: Option<Tree>) -> ParseJob {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::Waiting((text, old))),
            done: Condvar::new(),
        });
        ParseJob { shared }
    }

    /// Offered to rayon's pool: an edit's incremental parse, beside its analysis.
    pub fn in_pool(text: Arc<str>, old: Option<Tree>) -> ParseJob {
        let job = ParseJob::new(text, old);
        let shared = job.shared.clone();
        rayon::spawn(move || shared.run(|| (), false));
        job
    }

    /// On a thread of its own that runs only when a CPU would otherwise idle: a
    /// document's first, full parse, after its diagnostics. Nothing waits for it: the
    /// snapshots made meanwhile take the tree when it is there (`finished`) and parse
    /// themselves if asked for one before (see `TreeSlot`). Without a thread, it parses
    /// here.
    pub fn in_idle_time(text: Arc<str>) -> ParseJob {
        let job = ParseJob::new(text, None);
        let shared = job.shared.clone();
        let spawned = std::thread::Builder::new()
            .name("parse".into())
            .spawn(move || shared.run(crate::threads::idle_priority, true));
        if spawned.is_err() {
            tracing::debug!("no thread for a parse: parsing now");
            job.shared.run(|| (), false);
        }
        job
    }

    /// A job that no helper is given (tests).
    #[cfg(test)]
    pub fn unstarted(text: Arc<str>) -> ParseJob {
        ParseJob::new(text, None)
    }

    /// Run the job here, as its helper would (tests).
    #[cfg(test)]
    pub fn run_here(&self) {
        self.shared.run(|| (), false);
    }

    /// The tree, if the parse has ended (a copy: the job may be asked again). `None`
    /// while it runs, and for good if it panicked.
    pub fn finished(&self) -> Option<Tree> {
        match &*self.shared.lock() {
            State::Done(Ok(tree)) => Some(tree.clone()),
            _ => None,
        }
    }

    /// Whether a helper is parsing or has not started yet.
    pub fn is_pending(&self) -> bool {
        matches!(*self.shared.lock(), State::Waiting(_) | State::Running)
    }

    /// The tree: the helper's, waited for while it parses, or parsed here when no helper
    /// has started (or the helper's parse panicked).
    pub fn join(self) -> Tree {
        let mut state = self.shared.lock();
        loop {
            // `Running` marks the job as taken: a helper coming later leaves it alone.
            match std::mem::replace(&mut *state, State::Running) {
                State::Running => {
                    state = self
                        .shared
                        .done
                        .wait(state)
                        .unwrap_or_else(|e| e.into_inner());
                }
                State::Done(Ok(tree)) => return tree,
                State::Waiting(input) | State::Done(Err(input)) => {
                    drop(state);
                    return parse(&input);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "FROM alpine\nRUN echo hi\n";

    #[test]
    fn a_job_no_helper_started_is_parsed_by_join() {
        // Not offered to anyone: `join` takes it back.
        let job = ParseJob::new(TEXT.into(), None);
        assert!(job.is_pending());
        let tree = job.join();
        assert_eq!(
            tree.root_node().to_sexp(),
            crate::syntax::parse(TEXT, None).root_node().to_sexp()
        );
    }

    #[test]
    fn a_helper_that_took_the_job_is_waited_for() {
        let job = ParseJob::new(TEXT.into(), None);
        let shared = job.shared.clone();
        let helper = std::thread::spawn(move || shared.run(|| (), false));
        helper.join().expect("helper ran");
        assert!(!job.is_pending());
        assert!(!job.join().root_node().has_error());
    }

    #[test]
    fn a_helper_after_join_finds_nothing_to_do() {
        let job = ParseJob::new(TEXT.into(), None);
        let shared = job.shared.clone();
        let _ = job.join();
        shared.run(
            || panic!("the helper must not start a parse that was taken back"),
            false,
        );
        assert!(matches!(*shared.lock(), State::Running));
    }

    #[test]
    fn incremental_and_threaded_parses_equal_a_fresh_one() {
        let old = crate::syntax::parse(TEXT, None);
        let new = "FROM alpine\nRUN echo hello\n";
        let mut edited = old.clone();
        edited.edit(&crate::syntax::edit_between(TEXT, new));
        let fresh = crate::syntax::parse(new, None).root_node().to_sexp();
        let pooled = ParseJob::in_pool(new.into(), Some(edited)).join();
        assert_eq!(pooled.root_node().to_sexp(), fresh);
        let idle = ParseJob::in_idle_time(new.into());
        let threaded = loop {
            match idle.finished() {
                Some(tree) => break tree,
                None => std::thread::sleep(std::time::Duration::from_millis(1)),
            }
        };
        assert_eq!(threaded.root_node().to_sexp(), fresh);
        assert!(
            idle.finished().is_some(),
            "a finished job keeps its tree for every asker"
        );
    }

    #[test]
    fn an_idle_time_parse_nobody_holds_is_given_up() {
        let text = include_str!("../../../tests/fixtures/bench/Dockerfile.big");
        // The server is busy throughout: the parse can only wait, or give up.
        let _busy = crate::threads::Foreground::start();
        let job = ParseJob::in_idle_time(text.into());
        let helper = Arc::downgrade(&job.shared);
        assert!(job.is_pending());
        drop(job);
        // The helper lets go of the job once it sees nobody else holds it.
        let start = std::time::Instant::now();
        while helper.upgrade().is_some() {
            assert!(
                start.elapsed() < std::time::Duration::from_secs(60),
                "not given up"
            );
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }
}
