//! A parse handed to another thread that its owner can take back while it has not started.
//!
//! Waiting for a helper to start costs more than the parse now and then: on this kind of
//! machine a sleeping worker usually woke at once but now and then 1–5 ms late, against
//! ~0.3 ms for an edit's incremental parse. So `join` parses on the calling thread when no
//! helper has begun, and waits only for a parse under way.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use tree_sitter::Tree;

/// Where the parse is.
enum State {
    /// Not started: the text and the tree to re-parse from.
    Waiting(Arc<str>, Option<Tree>),
    Running,
    /// Done; `None` when the helper's parse panicked (`join` parses again).
    Done(Option<Tree>),
    Joined,
}

struct Shared {
    state: Mutex<State>,
    done: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The helper's side: parse unless the owner took the job back.
    fn run(&self, before: impl FnOnce()) {
        let taken = {
            let mut state = self.lock();
            match std::mem::replace(&mut *state, State::Running) {
                State::Waiting(text, old) => Some((text, old)),
                other => {
                    *state = other;
                    None
                }
            }
        };
        let Some((text, old)) = taken else {
            return;
        };
        before();
        let tree = catch_unwind(AssertUnwindSafe(|| {
            crate::syntax::parse(&text, old.as_ref())
        }))
        .ok();
        *self.lock() = State::Done(tree);
        self.done.notify_all();
    }
}

/// A parse of a text (incrementally from an older tree, or from nothing).
pub struct ParseJob {
    shared: Arc<Shared>,
    /// The inputs again, for a parse on `join` after the helper's panicked.
    text: Arc<str>,
    old: Option<Tree>,
}

impl ParseJob {
    fn new(text: Arc<str>, old: Option<Tree>) -> ParseJob {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::Waiting(text.clone(), old.clone())),
            done: Condvar::new(),
        });
        ParseJob { shared, text, old }
    }

    /// Offered to rayon's pool: an edit's incremental parse, beside its analysis.
    pub fn in_pool(text: Arc<str>, old: Option<Tree>) -> ParseJob {
        let job = ParseJob::new(text, old);
        let shared = job.shared.clone();
        rayon::spawn(move || shared.run(|| ()));
        job
    }

    /// On a thread of its own at nice `nice`: a document's first, full parse, after its
    /// diagnostics. Without a thread, `join` parses.
    pub fn on_thread(text: Arc<str>, nice: i32) -> ParseJob {
        let job = ParseJob::new(text, None);
        let shared = job.shared.clone();
        let spawned = std::thread::Builder::new()
            .name("parse".into())
            .spawn(move || shared.run(|| crate::threads::lower_priority(nice)));
        if spawned.is_err() {
            tracing::debug!("no thread for a parse: it runs when joined");
        }
        job
    }

    /// Whether a helper is parsing or has not started yet.
    pub fn is_pending(&self) -> bool {
        matches!(*self.shared.lock(), State::Waiting(..) | State::Running)
    }

    /// The tree: the helper's, waited for while it parses, or parsed here when no helper
    /// has started (or the helper's parse panicked).
    pub fn join(self) -> Tree {
        let mut state = self.shared.lock();
        loop {
            match std::mem::replace(&mut *state, State::Joined) {
                State::Running => {
                    *state = State::Running;
                    state = self
                        .shared
                        .done
                        .wait(state)
                        .unwrap_or_else(|e| e.into_inner());
                }
                State::Done(Some(tree)) => return tree,
                State::Waiting(text, old) => {
                    drop(state);
                    return crate::syntax::parse(&text, old.as_ref());
                }
                State::Done(None) | State::Joined => {
                    drop(state);
                    return crate::syntax::parse(&self.text, self.old.as_ref());
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
        let helper = std::thread::spawn(move || shared.run(|| ()));
        helper.join().expect("helper ran");
        assert!(!job.is_pending());
        assert!(!job.join().root_node().has_error());
    }

    #[test]
    fn a_helper_after_join_finds_nothing_to_do() {
        let job = ParseJob::new(TEXT.into(), None);
        let shared = job.shared.clone();
        let _ = job.join();
        shared.run(|| panic!("the helper must not start a parse that was taken back"));
        assert!(matches!(*shared.lock(), State::Joined));
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
        let threaded = ParseJob::on_thread(new.into(), 10).join();
        assert_eq!(threaded.root_node().to_sexp(), fresh);
    }
}
