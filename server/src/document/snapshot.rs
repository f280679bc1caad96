//! An immutable, analysed view of one document version: what every request reads.

use super::parse_job::ParseJob;
use super::{Coming, Encoding, LineCol, LineIndex, TreeSlot};
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
    /// Without either: a full parse of an earlier text still under way, whose tree the
    /// snapshot's will be made from (see `TreeSlot`).
    pub coming: Option<Coming>,
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
    /// The syntax tree, perhaps still coming: read it with [`Snapshot::tree`].
    pub tree: TreeSlot,
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
            coming: None,
            options,
            path,
            base: None,
        })
    }

    /// The syntax tree of the text: parsed now if the document's first parse has not
    /// finished (nothing but selection ranges and tests ask for it).
    pub fn tree(&self) -> &Tree {
        self.tree.get(&self.text)
    }

    /// The parse this snapshot's tree still waits for, if any.
    pub fn awaited_tree(&self) -> Option<Coming> {
        self.tree.awaited()
    }

    /// The tree, if it is there already (never parses).
    pub fn parsed_tree(&self) -> Option<&Tree> {
        self.tree.parsed()
    }

    /// Build the model and run the rules; parse meanwhile, on another thread, when the
    /// input has no tree (the rules read the model and the text, not the tree).
    pub fn build(input: SnapshotInput) -> Snapshot {
        Analysed::run(input, true).finish()
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
    /// A full parse in idle time (this document's first, or an earlier version's still
    /// under way), which the snapshot's tree will be made from.
    coming: Option<Coming>,
    /// What the rules keep of this check for the next one, once the findings are out.
    remembering: Option<Remembering>,
}

impl Analysed {
    /// Build the model and run the rules. A missing tree is parsed: incrementally, beside
    /// them in rayon's pool, joined by `finish` (so the diagnostics need not wait for it);
    /// in full, beside them and joined before this returns when `parse_full_beside`,
    /// otherwise (a document's first full parse, in the server) after them, in idle time
    /// once `parse_in_background` is called (the server calls it when the diagnostics
    /// are out), else by `finish`. Not beside: on two cores the parse took one from the
    /// model and rules, and the open's diagnostics came ~40 % later. With a full parse of
    /// an earlier text still under way (`coming`), nothing is parsed: the snapshot's tree
    /// will be made from that one.
    pub fn run(input: SnapshotInput, parse_full_beside: bool) -> Analysed {
        let SnapshotInput {
            version,
            text,
            tree,
            old_tree,
            coming,
            options,
            path,
            base,
        } = input;
        let work = || analyse(&text, base.and_then(Snapshot::recycle), &options);
        let beside = match (&tree, old_tree) {
            (None, Some(old)) => Some(ParseJob::in_pool(text.clone(), Some(old))),
            _ => None,
        };
        let coming = coming.filter(|_| tree.is_none() && beside.is_none());
        let full_beside =
            tree.is_none() && beside.is_none() && coming.is_none() && parse_full_beside;
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
            coming,
            remembering,
        }
    }

    /// Have the rules remember this check's findings for the next check (on this thread):
    /// left until the diagnostics are out (`finish`).
    fn remember(&mut self) {
        if let Some(r) = self.remembering.take() {
            r.finish(&self.model, &self.text, &self.options);
        }
    }

    /// Start the full parse this analysis left for later, in idle time on a thread of its
    /// own. Nothing to do when the tree is there or already coming.
    pub fn parse_in_background(&mut self) {
        if self.tree.is_some() || self.beside.is_some() || self.coming.is_some() {
            return;
        }
        self.coming = Some(Coming {
            job: ParseJob::in_idle_time(self.text.clone()),
            text: self.text.clone(),
        });
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

    /// The snapshot: its tree given, parsed beside (joined here), coming from a full
    /// parse in idle time (not waited for), or else parsed here.
    pub fn finish(mut self) -> Snapshot {
        self.remember();
        let tree = match (self.tree, self.beside, self.coming) {
            (Some(tree), _, _) => TreeSlot::ready(tree),
            (None, Some(job), _) => TreeSlot::ready(job.join()),
            (None, None, Some(coming)) => TreeSlot::coming(coming, &self.text),
            (None, None, None) => TreeSlot::ready(crate::syntax::parse(&self.text, None)),
        };
        Snapshot {
            version: self.version,
            text: self.text,
            line_index: self.line_index,
            tree,
            model: self.model,
            findings: self.findings,
            path: self.path,
            options: self.options,
        }
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
            coming: None,
            options: Arc::new(CheckOptions::default()),
            path: None,
            base: None,
        }
    }

    /// The open's parse runs in idle time and nobody waits for it: a later version
    /// analysed meanwhile takes its tree from that parse, equal to a fresh one.
    #[test]
    fn snapshots_made_while_the_first_parse_runs_equal_fresh_ones() {
        let first = "FROM alpine AS base\nRUN apk add curl\nENV A=1\nFROM base\nCMD run\n";
        let second =
            "# é\r\nFROM alpine AS base\nRUN apk add curl wget\nENV A=1\nFROM bas\nCMD run\n";
        let mut analysed = Analysed::run(input(first), false);
        analysed.parse_in_background();
        let opened = analysed.finish();
        // Unless that parse has finished already, the later snapshot waits for it.
        let coming = opened.awaited_tree();
        let later = Snapshot::build(SnapshotInput {
            coming,
            ..input(second)
        });
        let fresh = Snapshot::build(input(second));
        assert_eq!(later.model, fresh.model);
        assert_eq!(later.findings, fresh.findings);
        assert_eq!(later.line_index, fresh.line_index);
        for (snap, text) in [(&later, second), (&opened, first)] {
            assert_eq!(
                snap.tree().root_node().to_sexp(),
                crate::syntax::parse(text, None).root_node().to_sexp()
            );
        }
    }

    /// Built with a parse beside (the CLI, tests), a snapshot has its tree at once.
    #[test]
    fn a_built_snapshot_has_its_tree() {
        let text = "FROM alpine\nRUN echo hi\n";
        let snap = Snapshot::build(input(text));
        assert!(snap.awaited_tree().is_none());
        let tree = snap.parsed_tree().expect("parsed beside");
        assert_eq!(
            tree.root_node().to_sexp(),
            crate::syntax::parse(text, None).root_node().to_sexp()
        );
    }
}
