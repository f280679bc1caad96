//! An immutable, analysed view of one document version: what every request reads.

use super::{Encoding, LineCol, LineIndex};
use crate::model::{self, Model, Span};
use crate::rules::{self, CheckOptions, Finding};
use std::path::PathBuf;
use std::sync::Arc;
use tree_sitter::Tree;

/// Everything needed to analyse one version (cheap to take under a lock; the analysis
/// itself runs outside it).
#[derive(Clone)]
pub struct SnapshotInput {
    pub version: i32,
    pub text: Arc<str>,
    pub tree: Tree,
    pub options: Arc<CheckOptions>,
    pub path: Option<PathBuf>,
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
        let tree = crate::syntax::parse(text, None);
        Snapshot::build(SnapshotInput {
            version: 0,
            text: Arc::from(text),
            tree,
            options,
            path,
        })
    }

    /// Build the model and run the rules.
    pub fn build(input: SnapshotInput) -> Snapshot {
        let SnapshotInput {
            version,
            text,
            tree,
            options,
            path,
        } = input;
        let model = model::build(&text);
        let findings = rules::check(&model, &text, &options);
        let line_index = LineIndex::new(&text);
        Snapshot {
            version,
            text,
            line_index,
            tree,
            model,
            findings,
            path,
            options,
        }
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
