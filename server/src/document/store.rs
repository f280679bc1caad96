//! Open documents keyed by URI, each with the newest analysed snapshot.

use super::{Analysed, Change, Coming, Document, Encoding, Snapshot, SnapshotInput};
use crate::rules::CheckOptions;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// An open document and what is known about it.
#[derive(Debug)]
struct Entry {
    doc: Document,
    path: Option<PathBuf>,
    options: Arc<CheckOptions>,
    /// Bumped by every edit and every change of options; unique across the store (a
    /// closed and re-opened document never reuses one).
    revision: u64,
    /// The snapshot of `revision`, once built.
    snapshot: Option<(u64, Arc<Snapshot>)>,
    /// The last snapshot replaced (or built too late to be kept): the base of the next
    /// analysis, which updates its model instead of building one (see `SnapshotInput`).
    spare: Option<Arc<Snapshot>>,
    /// The document's first, full parse while it runs in idle time: the next analyses
    /// make their snapshots' trees from it, and the document adopts it once it has
    /// finished (`Document::adopt_late_tree`).
    coming: Option<Coming>,
}

/// Work order for an analysis: the input and the revision it belongs to.
#[derive(Clone)]
pub struct Pending {
    pub uri: String,
    pub revision: u64,
    pub input: SnapshotInput,
}

impl Pending {
    pub fn build(self) -> (String, u64, Arc<Snapshot>) {
        (
            self.uri,
            self.revision,
            Arc::new(Snapshot::build(self.input)),
        )
    }

    /// The model and the findings; when the document's first analysis needs a full parse,
    /// it runs in idle time once the server has published the diagnostics, and nobody
    /// waits for it (`TreeSlot`). A later full parse (the whole text replaced, the
    /// directives changed) runs beside them.
    pub fn analyse(self) -> (String, u64, Analysed) {
        let first = self.input.base.is_none();
        (self.uri, self.revision, Analysed::run(self.input, !first))
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum StoreError {
    NotOpen,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::NotOpen => f.write_str("document is not open"),
        }
    }
}

#[derive(Debug, Default)]
pub struct DocumentStore {
    docs: HashMap<String, Entry>,
    last_revision: u64,
}

impl DocumentStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn next_revision(&mut self) -> u64 {
        self.last_revision += 1;
        self.last_revision
    }

    /// Open (or re-open, replacing) a document.
    pub fn open(
        &mut self,
        uri: &str,
        text: &str,
        version: i32,
        path: Option<PathBuf>,
        options: Arc<CheckOptions>,
    ) {
        let revision = self.next_revision();
        let doc = Document::new(text, version);
        self.docs.insert(
            uri.to_string(),
            Entry {
                doc,
                path,
                options,
                revision,
                snapshot: None,
                spare: None,
                coming: None,
            },
        );
    }

    /// Apply a `didChange`: the changes in order, then the new version.
    pub fn change(
        &mut self,
        uri: &str,
        version: i32,
        changes: &[Change],
        enc: Encoding,
    ) -> Result<u64, StoreError> {
        let revision = self.next_revision();
        let entry = self.docs.get_mut(uri).ok_or(StoreError::NotOpen)?;
        entry.doc.apply_changes(changes, enc);
        entry.doc.set_version(version);
        entry.revision = revision;
        Ok(revision)
    }

    pub fn close(&mut self, uri: &str) -> bool {
        self.docs.remove(uri).is_some()
    }

    pub fn is_open(&self, uri: &str) -> bool {
        self.docs.contains_key(uri)
    }

    pub fn uris(&self) -> Vec<String> {
        self.docs.keys().cloned().collect()
    }

    pub fn version(&self, uri: &str) -> Option<i32> {
        self.docs.get(uri).map(|e| e.doc.version())
    }

    pub fn revision(&self, uri: &str) -> Option<u64> {
        self.docs.get(uri).map(|e| e.revision)
    }

    pub fn path(&self, uri: &str) -> Option<PathBuf> {
        self.docs.get(uri).and_then(|e| e.path.clone())
    }

    pub fn document(&self, uri: &str) -> Option<&Document> {
        self.docs.get(uri).map(|e| &e.doc)
    }

    pub fn options(&self, uri: &str) -> Option<Arc<CheckOptions>> {
        self.docs.get(uri).map(|e| e.options.clone())
    }

    /// Replace a document's options (configuration, `.dockerignore`); its snapshot is
    /// rebuilt on next use. `None` when not open or when the options are the same (a
    /// client's configuration sent again changes nothing).
    pub fn set_options(&mut self, uri: &str, options: Arc<CheckOptions>) -> Option<u64> {
        if self.docs.get(uri)?.options == options {
            return None;
        }
        let revision = self.next_revision();
        let entry = self.docs.get_mut(uri)?;
        entry.options = options;
        entry.revision = revision;
        Some(revision)
    }

    /// Set the options of a document opened without them (read from disk after didOpen),
    /// keeping its revision when nothing was analysed yet: that revision is then the first
    /// one analysed. Returns the document's revision.
    pub fn set_opened_options(&mut self, uri: &str, options: Arc<CheckOptions>) -> Option<u64> {
        let unanalysed = self
            .docs
            .get(uri)
            .is_some_and(|e| e.snapshot.is_none() && e.spare.is_none());
        if !unanalysed {
            return self
                .set_options(uri, options)
                .or_else(|| self.revision(uri));
        }
        let entry = self.docs.get_mut(uri)?;
        entry.options = options;
        Some(entry.revision)
    }

    /// The snapshot of the current revision, if it has been built.
    pub fn current(&self, uri: &str) -> Option<Arc<Snapshot>> {
        let entry = self.docs.get(uri)?;
        match &entry.snapshot {
            Some((rev, snap)) if *rev == entry.revision => Some(snap.clone()),
            _ => None,
        }
    }

    /// The newest snapshot built, even if edits have arrived since (tests: the server's
    /// requests wait for the current revision's instead).
    #[cfg(test)]
    pub fn latest(&self, uri: &str) -> Option<Arc<Snapshot>> {
        self.docs
            .get(uri)?
            .snapshot
            .as_ref()
            .map(|(_, s)| s.clone())
    }

    /// What to analyse for the current revision (`None` when not open). Without an
    /// up-to-date tree (after an edit or an open), the analysis parses, unless the
    /// document's first parse is still under way.
    pub fn pending(&mut self, uri: &str) -> Option<Pending> {
        let entry = self.docs.get_mut(uri)?;
        if let Some(coming) = entry.coming.take_if(|c| !c.job.is_pending()) {
            // Finished (or panicked: then the next parse is a full one).
            if let Some(tree) = coming.job.finished() {
                entry.doc.adopt_late_tree(tree);
            }
        }
        let tree = entry.doc.parsed_tree().cloned();
        let old_tree = entry.doc.edited_tree().cloned();
        let coming = match (&tree, &old_tree) {
            (None, None) => entry.coming.clone(),
            _ => None,
        };
        let input = SnapshotInput {
            version: entry.doc.version(),
            text: entry.doc.text(),
            tree,
            old_tree,
            coming,
            options: entry.options.clone(),
            path: entry.path.clone(),
            // The snapshot replaced last, else the current one if it is out of date (the
            // first edit after an open): requests wait for the newer revision anyway.
            base: entry.spare.take().or_else(|| match &entry.snapshot {
                Some((rev, _)) if *rev != entry.revision => entry.snapshot.take().map(|(_, s)| s),
                _ => None,
            }),
        };
        if input.base.is_none()
            && input.tree.is_none()
            && input.old_tree.is_none()
            && input.coming.is_none()
        {
            // A full parse without a base: the analysis leaves it to idle time after the
            // first diagnostics, and the edits made meanwhile are replayed on its tree when
            // the document adopts it.
            entry.doc.await_tree();
        }
        Some(Pending {
            uri: uri.to_string(),
            revision: entry.revision,
            input,
        })
    }

    /// Keep a built snapshot if it is still the current revision; returns whether it was.
    /// A snapshot of an older revision is not kept (a newer analysis will follow) but
    /// serves as the next analysis's base, as does the snapshot a newer one replaces. The
    /// document adopts the snapshot's tree when it has none, or the parse that tree waits
    /// for.
    pub fn offer(&mut self, uri: &str, revision: u64, snapshot: Arc<Snapshot>) -> bool {
        let Some(entry) = self.docs.get_mut(uri) else {
            return false;
        };
        match (snapshot.parsed_tree(), snapshot.awaited_tree()) {
            (_, Some(coming)) => {
                entry.coming.get_or_insert(coming);
            }
            (Some(tree), None) if entry.revision != revision => {
                entry.doc.adopt_late_tree(tree.clone());
            }
            // Same revision, same text.
            (Some(tree), None) if entry.doc.parsed_tree().is_none() => {
                entry.doc.set_tree(tree.clone());
            }
            _ => {}
        }
        if entry.revision != revision {
            entry.spare = Some(snapshot);
            return false;
        }
        // An opened document's rope, built now rather than by its first edit (the open's
        // diagnostics did not wait for it).
        let _ = entry.doc.rope();
        if let Some((_, replaced)) = entry.snapshot.replace((revision, snapshot)) {
            entry.spare = Some(replaced);
        }
        true
    }

    /// The snapshot of the current revision, built here if needed (tests, CLI; the
    /// server builds outside its lock with `pending` + `offer`).
    pub fn snapshot(&mut self, uri: &str) -> Option<Arc<Snapshot>> {
        if let Some(snap) = self.current(uri) {
            return Some(snap);
        }
        let pending = self.pending(uri)?;
        let (_, revision, snap) = pending.build();
        self.offer(uri, revision, snap.clone());
        Some(snap)
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_job::ParseJob;
    use super::*;
    use crate::document::LineCol;

    const URI: &str = "file:///p/Dockerfile";

    fn store_with(text: &str) -> DocumentStore {
        let mut store = DocumentStore::new();
        store.open(URI, text, 1, None, Arc::new(CheckOptions::default()));
        store
    }

    fn insert(store: &mut DocumentStore, version: i32, line: u32, text: &str) {
        let at = LineCol { line, col: 0 };
        let change = Change {
            range: Some((at, at)),
            text: text.into(),
        };
        let changed = store.change(URI, version, &[change], Encoding::Utf16);
        assert!(changed.is_ok());
    }

    #[test]
    fn the_first_analysis_parses_and_hands_the_tree_to_the_document() {
        let mut store = store_with("FROM a\nRUN b\n");
        assert!(store
            .document(URI)
            .and_then(Document::parsed_tree)
            .is_none());
        let pending = store.pending(URI).expect("open");
        assert!(pending.input.tree.is_none());
        let (uri, revision, snap) = pending.build();
        assert!(store.offer(&uri, revision, snap.clone()));
        let doc = store.document(URI).expect("open");
        let tree = doc.parsed_tree().map(|t| t.root_node().to_sexp());
        assert_eq!(tree, Some(snap.tree().root_node().to_sexp()));
        // The next analysis re-parses incrementally: the document keeps the tree, edited.
        insert(&mut store, 2, 1, "ENV X=1\n");
        let pending = store.pending(URI).expect("open");
        assert!(pending.input.tree.is_none() && pending.input.old_tree.is_some());
        let (uri, revision, snap) = pending.build();
        let fresh = crate::syntax::parse(&snap.text, None);
        assert_eq!(
            snap.tree().root_node().to_sexp(),
            fresh.root_node().to_sexp()
        );
        assert!(store.offer(&uri, revision, snap));
        assert!(store.pending(URI).is_some_and(|p| p.input.tree.is_some()));
    }

    #[test]
    fn replaced_and_late_snapshots_become_the_next_base() {
        let mut store = store_with("FROM a\nRUN b\n");
        let first = store.snapshot(URI).expect("open");
        insert(&mut store, 2, 1, "ENV X=1\n");
        // The out-of-date snapshot is the base of the next analysis.
        let pending = store.pending(URI).expect("open");
        assert!(pending
            .input
            .base
            .as_ref()
            .is_some_and(|b| Arc::ptr_eq(b, &first)));
        let (uri, revision, second) = pending.build();
        assert!(store.offer(&uri, revision, second.clone()));
        // A snapshot offered after an edit is not kept, but is the next base.
        let late = store.pending(URI).expect("open");
        insert(&mut store, 3, 0, "ARG V\n");
        let (uri, revision, snap) = late.build();
        assert!(!store.offer(&uri, revision, snap.clone()));
        assert!(store.current(URI).is_none());
        assert!(Arc::ptr_eq(&store.latest(URI).expect("open"), &second));
        let base = store.pending(URI).expect("open").input.base;
        assert!(base.is_some_and(|b| Arc::ptr_eq(&b, &snap)));
    }

    #[test]
    fn options_read_after_open_keep_the_revision_until_something_was_analysed() {
        let mut store = store_with("FROM a\n");
        let opened = store.revision(URI);
        let options = Arc::new(CheckOptions::default());
        assert_eq!(store.set_opened_options(URI, options.clone()), opened);
        assert!(Arc::ptr_eq(&store.options(URI).expect("open"), &options));
        store.snapshot(URI);
        // The same options again (a client resending its configuration): nothing changes.
        assert_eq!(store.set_opened_options(URI, Arc::default()), opened);
        assert!(store.current(URI).is_some());
        let other = Arc::new(CheckOptions {
            build_args: vec![("A".into(), "1".into())],
            ..CheckOptions::default()
        });
        let again = store.set_opened_options(URI, other);
        assert!(again.is_some() && again != opened);
        assert!(store.current(URI).is_none());
        assert_eq!(store.set_opened_options("file:///other", options), None);
    }

    #[test]
    fn the_first_edit_after_the_open_recycles_the_opens_snapshot() {
        let mut store = store_with("FROM a\nRUN b\n");
        let opened = store.snapshot(URI).expect("open");
        insert(&mut store, 2, 1, "ENV X=1\n");
        // No snapshot was replaced yet: the out-of-date current one is the base.
        let base = store.pending(URI).expect("open").input.base;
        assert!(base.is_some_and(|b| Arc::ptr_eq(&b, &opened)));
    }

    #[test]
    fn edits_during_the_first_parse_are_replayed_on_its_tree() {
        let mut store = store_with("# syntax=docker/dockerfile:1\nFROM a AS b\nRUN x\n");
        let open = store.pending(URI).expect("open");
        // Edits arrive while the open's analysis (and its parse) runs.
        insert(&mut store, 2, 2, "ARG V=1\n");
        insert(&mut store, 3, 4, "RUN echo $V\n");
        let (uri, revision, snap) = open.build();
        assert!(!store.offer(&uri, revision, snap));
        let pending = store.pending(URI).expect("open");
        assert!(pending.input.old_tree.is_some(), "the late tree, edited");
        let (_, _, snap) = pending.build();
        let fresh = crate::syntax::parse(&snap.text, None);
        assert_eq!(
            snap.tree().root_node().to_sexp(),
            fresh.root_node().to_sexp()
        );
        // A change of the directives while waiting: the next parse is a full one.
        let mut store = store_with("# escape=`\nFROM a\n");
        let open = store.pending(URI).expect("open");
        insert(&mut store, 2, 0, "# escape=\\\n");
        let (uri, revision, snap) = open.build();
        assert!(!store.offer(&uri, revision, snap));
        assert!(store
            .pending(URI)
            .is_some_and(|p| p.input.old_tree.is_none()));
    }

    /// The server's path: the open's snapshot is kept while its full parse still runs (in
    /// idle time); the analyses meanwhile parse nothing and make their trees from it; once
    /// it has finished, the document adopts it with the edits made since replayed and
    /// parses incrementally again.
    #[test]
    fn the_opens_parse_is_awaited_by_nobody_and_adopted_once_done() {
        let mut store = store_with("FROM a AS b\nRUN x\n");
        let open = store.pending(URI).expect("open");
        let job = ParseJob::unstarted(open.input.text.clone());
        let coming = Coming {
            job: job.clone(),
            text: open.input.text.clone(),
        };
        let input = SnapshotInput {
            coming: Some(coming),
            ..open.input
        };
        let opened = Analysed::run(input, false).finish();
        assert!(opened.awaited_tree().is_some());
        assert!(store.offer(URI, open.revision, Arc::new(opened)));
        let check = |snap: &Snapshot| {
            let fresh = crate::syntax::parse(&snap.text, None);
            assert_eq!(
                snap.tree().root_node().to_sexp(),
                fresh.root_node().to_sexp()
            );
        };
        insert(&mut store, 2, 1, "ARG V=1\n");
        let pending = store.pending(URI).expect("open");
        assert!(pending.input.coming.is_some() && pending.input.old_tree.is_none());
        let (uri, revision, snap) = pending.build();
        assert!(snap.awaited_tree().is_some(), "nothing parsed");
        check(&snap);
        assert!(store.offer(&uri, revision, snap));
        job.run_here();
        insert(&mut store, 3, 3, "RUN echo $V\n");
        let pending = store.pending(URI).expect("open");
        assert!(pending.input.coming.is_none());
        assert!(
            pending.input.old_tree.is_some(),
            "the open's tree, edited twice"
        );
        let (uri, revision, snap) = pending.build();
        check(&snap);
        assert!(store.offer(&uri, revision, snap));
        assert!(store.pending(URI).is_some_and(|p| p.input.tree.is_some()));
    }

    #[test]
    fn a_recycled_model_equals_a_fresh_one() {
        let mut store = store_with("FROM a AS b\nRUN x\n");
        for (version, line) in [(2, 1), (3, 2), (4, 0), (5, 3)] {
            let snap = store.snapshot(URI).expect("open");
            drop(snap);
            insert(&mut store, version, line, "ARG V=1\nRUN echo $V\n");
        }
        let snap = store.snapshot(URI).expect("open");
        assert_eq!(snap.model, crate::model::build(&snap.text));
        let fresh = crate::syntax::parse(&snap.text, None);
        assert_eq!(
            snap.tree().root_node().to_sexp(),
            fresh.root_node().to_sexp()
        );
    }
}
