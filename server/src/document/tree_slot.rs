//! A snapshot's syntax tree: there from the start, or still coming from a document's
//! first, full parse, which runs in idle time after the first diagnostics.
//!
//! Diagnostics, completion, hover and the other requests read the model, not the tree, so
//! a snapshot is offered as soon as its findings are in, and the tree is resolved only
//! when something asks for it (selection ranges, tests): from the finished parse, edited
//! and re-parsed incrementally to the snapshot's text if edits came meanwhile, or parsed
//! here when the parse has not finished.

use std::sync::{Arc, Mutex, OnceLock};
use tree_sitter::Tree;

use super::parse_job::ParseJob;

/// A full parse under way and the text it parses.
#[derive(Clone)]
pub struct Coming {
    pub job: ParseJob,
    pub text: Arc<str>,
}

impl std::fmt::Debug for Coming {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Coming")
            .field("len", &self.text.len())
            .field("finished", &!self.job.is_pending())
            .finish()
    }
}

impl Coming {
    /// The tree of `text` from the parse, if it has finished: its own, or re-parsed
    /// from it after one edit spanning what changed since.
    fn tree_of(&self, text: &str) -> Option<Tree> {
        let tree = self.job.finished()?;
        if *self.text == *text {
            return Some(tree);
        }
        let mut edited = tree;
        edited.edit(&crate::syntax::edit_between(&self.text, text));
        Some(crate::syntax::parse(text, Some(&edited)))
    }
}

/// See the module documentation.
pub struct TreeSlot {
    tree: OnceLock<Tree>,
    coming: Mutex<Option<Coming>>,
}

impl TreeSlot {
    pub fn ready(tree: Tree) -> TreeSlot {
        TreeSlot {
            tree: OnceLock::from(tree),
            coming: Mutex::new(None),
        }
    }

    /// The tree will come from `coming` (see [`TreeSlot::get`]); taken now if that parse
    /// has finished and is of the same text.
    pub fn coming(coming: Coming, text: &str) -> TreeSlot {
        if *coming.text == *text {
            if let Some(tree) = coming.job.finished() {
                return TreeSlot::ready(tree);
            }
        }
        TreeSlot {
            tree: OnceLock::new(),
            coming: Mutex::new(Some(coming)),
        }
    }

    /// The tree of `text` (the snapshot's): the one given, else the awaited parse's when
    /// it has finished, else parsed here in full (the parse runs only in idle time and
    /// may be far from done on a busy machine).
    pub fn get(&self, text: &str) -> &Tree {
        self.tree.get_or_init(|| {
            let coming = self.coming.lock().unwrap_or_else(|e| e.into_inner()).take();
            coming
                .and_then(|c| c.tree_of(text))
                .unwrap_or_else(|| crate::syntax::parse(text, None))
        })
    }

    /// The tree if it is there (never parses).
    pub fn parsed(&self) -> Option<&Tree> {
        self.tree.get()
    }

    /// The parse this tree is still waiting for, if any.
    pub fn awaited(&self) -> Option<Coming> {
        if self.tree.get().is_some() {
            return None;
        }
        self.coming
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait_for(job: &ParseJob) {
        while job.finished().is_none() {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    #[test]
    fn a_coming_tree_is_resolved_to_the_snapshots_text() {
        let opened = "FROM alpine AS a\nRUN echo hi\n";
        let later = "# é\r\nFROM alpine AS a\nRUN echo hello\nCOPY --from=a / /\n";
        let job = ParseJob::in_idle_time(opened.into());
        let coming = Coming {
            job: job.clone(),
            text: opened.into(),
        };
        let slot = TreeSlot::coming(coming.clone(), later);
        wait_for(&job);
        assert!(slot.parsed().is_none() && slot.awaited().is_some());
        let fresh = crate::syntax::parse(later, None).root_node().to_sexp();
        assert_eq!(slot.get(later).root_node().to_sexp(), fresh);
        assert!(slot.parsed().is_some() && slot.awaited().is_none());
        // Same text, parse finished: ready at once.
        let same = TreeSlot::coming(coming, opened);
        assert!(same.parsed().is_some());
    }

    #[test]
    fn an_unfinished_parse_is_not_waited_for() {
        let text = "FROM alpine\nRUN echo hi\n";
        // A job nobody runs: it never finishes.
        let coming = Coming {
            job: ParseJob::unstarted(text.into()),
            text: text.into(),
        };
        let slot = TreeSlot::coming(coming, text);
        assert!(slot.parsed().is_none());
        let fresh = crate::syntax::parse(text, None).root_node().to_sexp();
        assert_eq!(slot.get(text).root_node().to_sexp(), fresh);
    }
}
