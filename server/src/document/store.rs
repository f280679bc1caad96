//! Open documents keyed by URI, each with the newest analysed snapshot.

use super::{Change, Document, Encoding, Snapshot, SnapshotInput};
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
    /// rebuilt on next use.
    pub fn set_options(&mut self, uri: &str, options: Arc<CheckOptions>) -> Option<u64> {
        let revision = self.next_revision();
        let entry = self.docs.get_mut(uri)?;
        entry.options = options;
        entry.revision = revision;
        Some(revision)
    }

    /// The snapshot of the current revision, if it has been built.
    pub fn current(&self, uri: &str) -> Option<Arc<Snapshot>> {
        let entry = self.docs.get(uri)?;
        match &entry.snapshot {
            Some((rev, snap)) if *rev == entry.revision => Some(snap.clone()),
            _ => None,
        }
    }

    /// The newest snapshot built, even if edits have arrived since.
    pub fn latest(&self, uri: &str) -> Option<Arc<Snapshot>> {
        self.docs
            .get(uri)?
            .snapshot
            .as_ref()
            .map(|(_, s)| s.clone())
    }

    /// What to analyse for the current revision (`None` when not open).
    pub fn pending(&mut self, uri: &str) -> Option<Pending> {
        let entry = self.docs.get_mut(uri)?;
        let input = SnapshotInput {
            version: entry.doc.version(),
            text: entry.doc.text(),
            tree: entry.doc.tree().clone(),
            options: entry.options.clone(),
            path: entry.path.clone(),
        };
        Some(Pending {
            uri: uri.to_string(),
            revision: entry.revision,
            input,
        })
    }

    /// Keep a built snapshot if it is still the current revision; returns whether it was.
    /// A snapshot of an older revision is dropped (a newer analysis will follow).
    pub fn offer(&mut self, uri: &str, revision: u64, snapshot: Arc<Snapshot>) -> bool {
        let Some(entry) = self.docs.get_mut(uri) else {
            return false;
        };
        if entry.revision != revision {
            return false;
        }
        entry.snapshot = Some((revision, snapshot));
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
