//! An immutable, analysed view of one document version: what every request reads.

use super::parse_job::ParseJob;
use super::{Encoding, LineCol, LineIndex};
use crate::model::{self, Model, Span};
use crate::rules::{self, CheckOptions, Finding, Remembering};
use std::path::PathBuf;
use std::sync::Arc;
use tree_sitter::Tree;

/// Everything needed to analyse one version (cheap to take under a lock; the analysis
/// itself runs outside it).
#[derive(Clone)]
pub struct SnapshotInput {
    pub version: i32,
    pub text: Arc<str>,
    /// The syntax tree of `text`; `None` to parse it during the analysis.
    pub tree: Option<Tree>,
    /// For that parse: an older tree edited to match `text`, to re-parse incrementally.
    pub old_tree: Option<Tree>,
    pub options: Arc<CheckOptions>,
    pub path: Option<PathBuf>,
    /// An older snapshot of the same document that nobody may need any more: its model is
    /// updated to `text` (`model::rebuild`) instead of built anew, when this is its last
    /// reference by then.
    pub base: Option<Arc<Snapshot>>,
}

/// One analysed version of a document. Shared as `Arc<Snapshot>`; never mutated.
pub struct Snapshot {
    pub version: i32,
    pub text: Arc<str>,
    pub line_index: LineIndex,
    pub tree: Tree,
    pub model: Model,
    /// The rule engine's findings for this version, with `options` applied.
    pub findings: Vec<Finding>,
    /// The file on disk, when the document has one.
    pub path: Option<PathBuf>,
    /// Configuration, build args and `.dockerignore` the findings were computed with.
    pub options: Arc<CheckOptions>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("version", &self.version)
            .field("path", &self.path)
            .field("len", &self.text.len())
            .field("findings", &self.findings.len())
            .finish()
    }
}

impl Snapshot {
    /// Parse and analyse a text with default options (tests, benches, simple callers).
    pub fn from_text(text: &str) -> Snapshot {
        Snapshot::from_text_with(text, Arc::new(CheckOptions::default()), None)
    }

    /// Parse and analyse a text with the given options (the CLI).
    pub fn from_text_with(
        text: &str,
        options: Arc<CheckOptions>,
        path: Option<PathBuf>,
    ) -> Snapshot {
        Snapshot::build(SnapshotInput {
            version: 0,
            text: Arc::from(text),
            tree: None,
            old_tree: None,
            options,
            path,
            base: None,
        })
    }

    /// Build the model and run the rules; parse meanwhile, on another thread, when the
    /// input has no tree (the rules read the model and the text, not the tree).
    pub fn build(input: SnapshotInput) -> Snapshot {
        Analysed::run(input, true).finish().0
    }

    /// What the diagnostics of this version are made of.
    pub fn diagnosed(&self) -> Diagnosed<'_> {
        Diagnosed {
            version: self.version,
            text: &self.text,
            line_index: &self.line_index,
            findings: &self.findings,
        }
    }

    /// The model and the line index (with the text they were read from) for the next
    /// analysis to update, when this is the last reference to the snapshot; the rest of it
    /// is dropped.
    fn recycle(self: Arc<Self>) -> Option<Recycled> {
        let Snapshot {
            text,
            model,
            line_index,
            ..
        } = Arc::try_unwrap(self).ok()?;
        Some(Recycled {
            text,
            model,
            line_index,
        })
    }

    /// Byte offset → line/column in `enc`.
    pub fn position(&self, offset: usize, enc: Encoding) -> LineCol {
        self.line_index.position(&self.text, offset, enc)
    }

    /// Line/column in `enc` → byte offset (clamped).
    pub fn offset(&self, pos: LineCol, enc: Encoding) -> usize {
        self.line_index.offset(&self.text, pos, enc)
    }

    /// A span as a pair of line/columns in `enc`.
    pub fn range(&self, span: Span, enc: Encoding) -> (LineCol, LineCol) {
        self.line_index.range(&self.text, span, enc)
    }

    /// The text of a span (empty when the span is out of range or splits a character).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or_default()
    }
}

/// A version's model, findings and line index, its tree still to be parsed unless it
/// was given or parsed beside them: its diagnostics can go out before the parse ends.
pub struct Analysed {
    version: i32,
    text: Arc<str>,
    line_index: LineIndex,
    model: Model,
    findings: Vec<Finding>,
    path: Option<PathBuf>,
    options: Arc<CheckOptions>,
    tree: Option<Tree>,
    /// An edit's incremental parse, offered to rayon's pool, joined by `finish`.
    beside: Option<ParseJob>,
    /// A document's first, full parse, on a thread of its own, joined by `finish`.
    parsing: Option<ParseJob>,
    /// The text that parse is of, once `advance` moved the analysis past it.
    opened: Option<Arc<str>>,
    /// What the rules keep of this check for the next one, once the findings are out.
    remembering: Option<Remembering>,
}

impl Analysed {
    /// Build the model and run the rules. A missing tree is parsed: incrementally, beside
    /// them in rayon's pool, joined by `finish` (so the diagnostics need not wait for it);
    /// in full, beside them and joined before this returns when `parse_full_beside`,
    /// otherwise (a document's first full parse, in the server) after them: on a thread
    /// of its own once `parse_in_background` is called (the server calls it when the
    /// diagnostics are out), else by `finish`. Not beside: on two cores the parse took
    /// one from the model and rules, and the open's diagnostics came ~40 % later.
    pub fn run(input: SnapshotInput, parse_full_beside: bool) -> Analysed {
        let SnapshotInput {
            version,
            text,
            tree,
            old_tree,
            options,
            path,
            base,
        } = input;
        let work = || analyse(&text, base.and_then(Snapshot::recycle), &options);
        let beside = match (&tree, old_tree) {
            (None, Some(old)) => Some(ParseJob::in_pool(text.clone(), Some(old))),
            _ => None,
        };
        let full_beside = tree.is_none() && beside.is_none() && parse_full_beside;
        let (tree, (model, findings, line_index, remembering)) = if full_beside {
            let (tree, result) = parse_beside(&text, work);
            (Some(tree), result)
        } else {
            (tree, work())
        };
        Analysed {
            version,
            text,
            line_index,
            model,
            findings,
            path,
            options,
            tree,
            beside,
            parsing: None,
            opened: None,
            remembering,
        }
    }

    /// Have the rules remember this check's findings for the next check (on this thread):
    /// left until the diagnostics are out.
    pub fn remember(&mut self) {
        if let Some(r) = self.remembering.take() {
            r.finish(&self.model, &self.text, &self.options);
        }
    }

    /// Start the full parse this analysis left for later on a thread of its own, joined
    /// by `finish`. Nothing to do when the tree is there or already being parsed.
    pub fn parse_in_background(&mut self) {
        if self.tree.is_some() || self.parsing.is_some() || self.beside.is_some() {
            return;
        }
        // At nice 10: the edits analysed meanwhile come first, and none waits for the
        // tree (`advance`); only the first requests after an open wait for it.
        self.parsing = Some(ParseJob::on_thread(self.text.clone(), 10));
    }

    /// Whether this analysis's full parse is still running (or about to) on its own thread.
    pub fn parsing(&self) -> bool {
        self.parsing.as_ref().is_some_and(ParseJob::is_pending)
    }

    /// Move this analysis on to `text`, a later version of its text, while its full parse
    /// runs: the model and line index are updated in place and the rules run again, so
    /// that an edit arriving meanwhile gets its diagnostics without waiting for the tree
    /// (and without copying the model). `finish` then brings the tree up to `text`.
    pub fn advance(&mut self, version: i32, text: Arc<str>, options: Arc<CheckOptions>) {
        self.remember();
        if self.opened.is_none() {
            self.opened = Some(self.text.clone());
        }
        let base = Recycled {
            text: self.text.clone(),
            model: std::mem::take(&mut self.model),
            line_index: std::mem::take(&mut self.line_index),
        };
        (self.model, self.findings, self.line_index, self.remembering) =
            analyse(&text, Some(base), &options);
        self.version = version;
        self.text = text;
        self.options = options;
    }

    /// What the diagnostics of this version are made of.
    pub fn diagnosed(&self) -> Diagnosed<'_> {
        Diagnosed {
            version: self.version,
            text: &self.text,
            line_index: &self.line_index,
            findings: &self.findings,
        }
    }

    /// The snapshot, once the parse is done (on this thread if nobody parsed). After an
    /// `advance`, also the tree of the text the analysis began with (the snapshot's is
    /// re-parsed from it incrementally).
    pub fn finish(mut self) -> (Snapshot, Option<Tree>) {
        self.remember();
        let tree = self.tree.or_else(|| self.beside.map(ParseJob::join));
        let parsed = self.parsing.map(ParseJob::join);
        let opened = self.opened.as_deref();
        let (tree, opened_tree) = match (tree, parsed, opened) {
            (None, Some(tree), Some(opened)) => {
                let mut edited = tree.clone();
                edited.edit(&crate::syntax::edit_between(opened, &self.text));
                (crate::syntax::parse(&self.text, Some(&edited)), Some(tree))
            }
            (Some(tree), _, _) | (None, Some(tree), _) => (tree, None),
            // Nothing was parsed (`parse_in_background` was not called).
            (None, None, opened) => (
                crate::syntax::parse(&self.text, None),
                opened.map(|t| crate::syntax::parse(t, None)),
            ),
        };
        let snapshot = Snapshot {
            version: self.version,
            text: self.text,
            line_index: self.line_index,
            tree,
            model: self.model,
            findings: self.findings,
            path: self.path,
            options: self.options,
        };
        (snapshot, opened_tree)
    }
}

/// The findings of one version with what places them in the text: what diagnostics are
/// made of, with or without a syntax tree.
#[derive(Clone, Copy)]
pub struct Diagnosed<'a> {
    pub version: i32,
    pub text: &'a str,
    pub line_index: &'a LineIndex,
    pub findings: &'a [Finding],
}

impl Diagnosed<'_> {
    /// A span as a pair of line/columns in `enc`.
    pub fn range(&self, span: Span, enc: Encoding) -> (LineCol, LineCol) {
        self.line_index.range(self.text, span, enc)
    }
}

/// What an analysis updates of an older snapshot's.
struct Recycled {
    text: Arc<str>,
    model: Model,
    line_index: LineIndex,
}

/// The model of `text`, the findings, the line index and what the rules keep of the check
/// for the next one; the model and the line index are updated from `base`'s when there is
/// one.
fn analyse(
    text: &str,
    base: Option<Recycled>,
    options: &CheckOptions,
) -> (Model, Vec<Finding>, LineIndex, Option<Remembering>) {
    let (model, line_index) = match base {
        Some(old) => (
            model::rebuild(old.model, &old.text, text),
            old.line_index.rebuild(&old.text, text),
        ),
        None => (model::build(text), LineIndex::new(text)),
    };
    let (findings, remembering) = rules::check_then_remember(&model, text, options);
    (model, findings, line_index, remembering)
}

/// Parse `text` in rayon's pool while `work` runs on this thread: the rules keep
/// per-thread caches. Inside the pool (the CLI checks files in parallel) a thread waiting
/// for the parse runs other jobs meanwhile.
fn parse_beside<R>(text: &str, work: impl FnOnce() -> R) -> (Tree, R) {
    let mut tree = None;
    let result = rayon::in_place_scope(|scope| {
        scope.spawn(|_| tree = Some(crate::syntax::parse(text, None)));
        work()
    });
    let tree = tree.unwrap_or_else(|| crate::syntax::parse(text, None));
    (tree, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(text: &str) -> SnapshotInput {
        SnapshotInput {
            version: 1,
            text: text.into(),
            tree: None,
            old_tree: None,
            options: Arc::new(CheckOptions::default()),
            path: None,
            base: None,
        }
    }

    /// An analysis moved on to later texts while its parse runs ends as the snapshot of
    /// the last text, equal to a fresh one, and hands back the tree of the first text.
    #[test]
    fn advanced_analysis_equals_a_fresh_one() {
        let first = "FROM alpine AS base\nRUN apk add curl\nENV A=1\nFROM base\nCMD run\n";
        let second = "FROM alpine AS base\nRUN apk add curl wget\nENV A=1\nFROM base\nCMD run\n";
        let third =
            "# é\r\nFROM alpine AS base\nRUN apk add curl wget\nENV A=1\nFROM bas\nCMD run\n";
        let mut analysed = Analysed::run(input(first), false);
        analysed.parse_in_background();
        let options = Arc::new(CheckOptions::default());
        analysed.advance(2, second.into(), options.clone());
        analysed.advance(3, third.into(), options);
        assert_eq!(analysed.diagnosed().version, 3);
        let (snap, opened_tree) = analysed.finish();
        let fresh = Snapshot::build(input(third));
        assert_eq!(&*snap.text, third);
        assert_eq!(snap.model, fresh.model);
        assert_eq!(snap.findings, fresh.findings);
        assert_eq!(snap.line_index, fresh.line_index);
        assert_eq!(
            snap.tree.root_node().to_sexp(),
            fresh.tree.root_node().to_sexp()
        );
        let opened_tree = opened_tree.expect("the tree of the first text");
        assert_eq!(
            opened_tree.root_node().to_sexp(),
            crate::syntax::parse(first, None).root_node().to_sexp()
        );
    }

    /// Without an advance, the parse left for later is the snapshot's tree.
    #[test]
    fn deferred_parse_without_advance() {
        let text = "FROM alpine\nRUN echo hi\n";
        let mut analysed = Analysed::run(input(text), false);
        analysed.parse_in_background();
        let (snap, opened_tree) = analysed.finish();
        assert!(opened_tree.is_none());
        assert_eq!(
            snap.tree.root_node().to_sexp(),
            crate::syntax::parse(text, None).root_node().to_sexp()
        );
    }
}
