//! An open document: rope text and its syntax tree, kept in step by incremental edits.

use super::{Encoding, LineCol};
use crate::syntax;
use ropey::Rope;
use std::sync::{Arc, OnceLock};
use tree_sitter::{InputEdit, Point, Tree};

/// One content change of `textDocument/didChange`: replace `range` (a whole-document
/// replacement when `None`) with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub range: Option<(LineCol, LineCol)>,
    pub text: String,
}

/// At most this many edits are kept to replay on an awaited tree.
const MAX_AWAITED_EDITS: usize = 10_000;

/// Rope text + tree-sitter tree + version.
///
/// Edits do not parse: they keep the last tree in step with the text (`Tree::edit`), and
/// the analysis re-parses (incrementally from that tree, or in full when there is none:
/// after an open, a whole-text replacement or a change of the parser directives) beside
/// the model and the rules (see `Snapshot::build`); the store then hands the new tree back
/// (`set_tree`). `tree()` parses on demand when nobody has.
#[derive(Clone)]
pub struct Document {
    /// Built from `text_cache` when first needed (an edit, a parse from it): an open's
    /// analysis reads the text as one string, and building a rope of a large text first
    /// (~0.5 M instructions for 170 KB) held its start back. Either this or `text_cache`
    /// is set.
    rope: OnceLock<Rope>,
    /// The syntax tree of the text, once parsed since the last edit.
    tree: OnceLock<Tree>,
    /// The last tree parsed, edited since to match the text: the base of the next
    /// (incremental) parse. `None` when that parse must be a full one.
    edited: Option<Tree>,
    version: i32,
    /// The text as one string, built on demand and dropped by every edit.
    text_cache: Option<Arc<str>>,
    /// While a tree of an earlier text is being parsed elsewhere (a document's first
    /// parse runs beside its first diagnostics), the edits made since, to replay on that
    /// tree when it comes (`adopt_late_tree`); `None` when there is none to wait for, or
    /// an edit made it useless (the whole text replaced, the directives changed).
    awaited: Option<Vec<InputEdit>>,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("version", &self.version)
            .field("len", &self.len())
            .finish()
    }
}

impl Document {
    /// A document without a tree yet (parsed on first use of `tree()`, or by the
    /// analysis).
    pub fn new(text: &str, version: i32) -> Self {
        Document {
            rope: OnceLock::new(),
            tree: OnceLock::new(),
            edited: None,
            version,
            text_cache: Some(Arc::from(text)),
            awaited: None,
        }
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    pub fn set_version(&mut self, version: i32) {
        self.version = version;
    }

    pub fn rope(&self) -> &Rope {
        self.rope
            .get_or_init(|| Rope::from_str(self.text_cache.as_deref().unwrap_or_default()))
    }

    /// The rope, to edit: built first if need be, while the text it is built from is there.
    fn rope_mut(&mut self) -> &mut Rope {
        self.rope();
        self.rope
            .get_mut()
            .expect("rope(), just called, initialises the rope")
    }

    /// The syntax tree of the current text, parsed now when nobody has since the last edit.
    pub fn tree(&self) -> &Tree {
        self.tree
            .get_or_init(|| parse_rope(self.rope(), self.edited.as_ref()))
    }

    /// The syntax tree, if one is up to date with the text (never parses).
    pub fn parsed_tree(&self) -> Option<&Tree> {
        self.tree.get()
    }

    /// Without an up-to-date tree: the older tree, edited to match the text, to re-parse
    /// incrementally (`None`: parse in full).
    pub fn edited_tree(&self) -> Option<&Tree> {
        match self.tree.get() {
            Some(_) => None,
            None => self.edited.as_ref(),
        }
    }

    /// Adopt a tree parsed from the current text elsewhere (the analysis), unless the
    /// document already has one.
    pub fn set_tree(&mut self, tree: Tree) {
        self.awaited = None;
        if self.tree.set(tree).is_ok() {
            self.edited = None;
        }
    }

    /// A tree of the current text, without one to keep in step, is being parsed elsewhere:
    /// keep the edits from now on for [`Document::adopt_late_tree`].
    pub fn await_tree(&mut self) {
        self.awaited = Some(Vec::new());
    }

    /// Adopt the tree awaited since [`Document::await_tree`], now out of date: the edits
    /// made since are replayed on it, and the next parse is incremental from it.
    pub fn adopt_late_tree(&mut self, mut tree: Tree) {
        let Some(edits) = self.awaited.take() else {
            return;
        };
        if self.tree.get().is_some() || self.edited.is_some() {
            return;
        }
        for edit in &edits {
            tree.edit(edit);
        }
        self.edited = Some(tree);
    }

    pub fn len(&self) -> usize {
        match &self.text_cache {
            Some(text) => text.len(),
            None => self.rope().len_bytes(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole text (shared; rebuilt once after each edit).
    pub fn text(&mut self) -> Arc<str> {
        if let Some(text) = &self.text_cache {
            return text.clone();
        }
        let rope = self.rope();
        let mut text = String::with_capacity(rope.len_bytes());
        for chunk in rope.chunks() {
            text.push_str(chunk);
        }
        let text: Arc<str> = Arc::from(text);
        self.text_cache = Some(text.clone());
        text
    }

    /// Apply one change (see `apply_changes`).
    pub fn apply_change(&mut self, range: Option<(LineCol, LineCol)>, text: &str, enc: Encoding) {
        let Some((a, b)) = range else {
            // The new text as one string; its rope when first needed.
            self.text_cache = Some(Arc::from(text));
            self.rope = OnceLock::new();
            self.forget_trees();
            self.awaited = None;
            return;
        };
        // The rope is built (if need be) from the text before the text is dropped.
        self.rope();
        self.text_cache = None;
        let rope = self.rope();
        let (a, b) = if b < a { (b, a) } else { (a, b) };
        let start = offset_of(rope, a, enc);
        let end = offset_of(rope, b, enc).max(start);
        let old = match self.tree.take() {
            Some(tree) => Some(tree),
            None => self.edited.take(),
        };
        if old.is_none() && self.awaited.is_none() {
            // No tree to keep in step, none awaited: the next parse is a full one anyway.
            replace(self.rope_mut(), start, end, text);
            return;
        }
        let rope = self.rope();
        let old_header = header_end(rope);
        let start_position = point_of(rope, start);
        let old_end_position = point_of(rope, end);
        replace(self.rope_mut(), start, end, text);
        let edit = syntax::input_edit(
            start,
            end,
            start_position,
            old_end_position,
            text.as_bytes(),
        );
        // A change of the directive block (`# escape=` changes the meaning of the whole
        // file) needs a full parse: no tree, in hand or awaited, is kept.
        let keeps_tree = start > old_header && start > header_end(self.rope());
        match old {
            Some(mut tree) => {
                self.edited = None;
                tree.edit(&edit);
                if keeps_tree {
                    self.edited = Some(tree);
                }
            }
            // The edit is replayed on the awaited tree when it comes; past a bound (edits
            // sent without pause while that parse waits for quiet time), a full parse
            // later is cheaper than keeping them.
            None => match &mut self.awaited {
                Some(edits) if keeps_tree && edits.len() < MAX_AWAITED_EDITS => edits.push(edit),
                _ => self.awaited = None,
            },
        }
    }

    /// Apply changes in order, each against the result of the previous one. The tree is
    /// re-parsed later, once (by the analysis, or `tree()`).
    pub fn apply_changes<'a>(
        &mut self,
        changes: impl IntoIterator<Item = &'a Change>,
        enc: Encoding,
    ) {
        for change in changes {
            self.apply_change(change.range, &change.text, enc);
        }
    }

    fn forget_trees(&mut self) {
        self.tree = OnceLock::new();
        self.edited = None;
    }
}

/// Replace the bytes `start..end` (character boundaries) of the rope with `text`.
fn replace(rope: &mut Rope, start: usize, end: usize, text: &str) {
    let char_start = rope.byte_to_char(start);
    let char_end = rope.byte_to_char(end);
    if char_end > char_start {
        rope.remove(char_start..char_end);
    }
    if !text.is_empty() {
        rope.insert(char_start, text);
    }
}

/// Parse the rope's text chunk by chunk; incrementally with `old` (edited to match).
fn parse_rope(rope: &Rope, old: Option<&Tree>) -> Tree {
    let mut input = |offset: usize, _: Point| -> &[u8] {
        if offset >= rope.len_bytes() {
            return &[];
        }
        let (chunk, chunk_start, _, _) = rope.chunk_at_byte(offset);
        chunk
            .as_bytes()
            .get(offset - chunk_start..)
            .unwrap_or_default()
    };
    syntax::parse_with(&mut input, old)
}

/// Line/column (in `enc`) → byte offset in the rope, clamped like `LineIndex::offset`: a
/// column past the end of a line gives the end of its content (before `\r\n`), a line
/// past the end gives the end of the text, and a column inside a character snaps to its
/// start.
pub(crate) fn offset_of(rope: &Rope, pos: LineCol, enc: Encoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let start = rope.line_to_byte(line);
    let slice = rope.line(line);
    let mut content_end = start + slice.len_bytes();
    let n = slice.len_bytes();
    if n > 0 && slice.byte(n - 1) == b'\n' {
        content_end -= 1;
        if n > 1 && slice.byte(n - 2) == b'\r' {
            content_end -= 1;
        }
    }
    let want = pos.col as usize;
    let mut units = 0usize;
    let mut byte = start;
    for ch in slice.chars() {
        if units >= want || byte >= content_end {
            return byte.min(content_end);
        }
        units += match enc {
            Encoding::Utf8 => ch.len_utf8(),
            Encoding::Utf16 => ch.len_utf16(),
            Encoding::Utf32 => 1,
        };
        if units > want {
            return byte;
        }
        byte += ch.len_utf8();
    }
    byte.min(content_end)
}

fn point_of(rope: &Rope, offset: usize) -> Point {
    let offset = offset.min(rope.len_bytes());
    let row = rope.byte_to_line(offset);
    Point {
        row,
        column: offset - rope.line_to_byte(row),
    }
}

/// Where the leading block of comment and blank lines ends (the start of the first other
/// line, or the end of the text). Parser directives live in that block.
pub(crate) fn header_end(rope: &Rope) -> usize {
    let mut offset = 0usize;
    for line in rope.lines() {
        let mut chars = line.chars().skip_while(|c| *c == ' ' || *c == '\t');
        match chars.next() {
            None | Some('#') | Some('\n') | Some('\r') => offset += line.len_bytes(),
            Some(_) => return offset,
        }
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lc(line: u32, col: u32) -> LineCol {
        LineCol { line, col }
    }

    #[test]
    fn offsets_clamp_and_snap() {
        let rope = Rope::from_str("FROM a\r\nRUN é😀x\n");
        assert_eq!(offset_of(&rope, lc(0, 99), Encoding::Utf16), 6);
        assert_eq!(offset_of(&rope, lc(1, 4), Encoding::Utf16), 12);
        assert_eq!(offset_of(&rope, lc(1, 5), Encoding::Utf16), 14);
        // inside the surrogate pair: snaps to the emoji's start
        assert_eq!(offset_of(&rope, lc(1, 6), Encoding::Utf16), 14);
        assert_eq!(offset_of(&rope, lc(1, 7), Encoding::Utf16), 18);
        assert_eq!(offset_of(&rope, lc(1, 6), Encoding::Utf32), 18);
        assert_eq!(offset_of(&rope, lc(1, 7), Encoding::Utf8), 14);
        assert_eq!(offset_of(&rope, lc(9, 0), Encoding::Utf8), rope.len_bytes());
        assert_eq!(offset_of(&rope, lc(2, 5), Encoding::Utf8), rope.len_bytes());
    }

    #[test]
    fn edits_awaiting_a_tree_are_kept_up_to_a_bound() {
        for (edits, kept) in [(3, true), (MAX_AWAITED_EDITS + 1, false)] {
            let text = "FROM a\nRUN b\n";
            let mut doc = Document::new(text, 1);
            doc.await_tree();
            for _ in 0..edits {
                doc.apply_change(Some((lc(1, 4), lc(1, 4))), "", Encoding::Utf8);
                doc.apply_change(Some((lc(1, 4), lc(1, 5))), "c", Encoding::Utf8);
            }
            doc.adopt_late_tree(crate::syntax::parse(text, None));
            assert_eq!(doc.edited_tree().is_some(), kept, "{edits} edits");
        }
    }

    #[test]
    fn edits_apply_and_clamp() {
        let mut doc = Document::new("FROM a\nRUN b\n", 1);
        doc.apply_change(Some((lc(1, 4), lc(1, 5))), "c d", Encoding::Utf16);
        assert_eq!(&*doc.text(), "FROM a\nRUN c d\n");
        // reversed and past the end
        doc.apply_change(Some((lc(99, 0), lc(1, 99))), "", Encoding::Utf16);
        assert_eq!(&*doc.text(), "FROM a\nRUN c d");
        doc.apply_change(None, "FROM x\n", Encoding::Utf16);
        assert_eq!(&*doc.text(), "FROM x\n");
        let fresh = syntax::parse("FROM x\n", None);
        assert_eq!(
            doc.tree().root_node().to_sexp(),
            fresh.root_node().to_sexp()
        );
    }

    #[test]
    fn the_tree_is_parsed_on_demand_then_kept_in_step() {
        let sexp = |text: &str| syntax::parse(text, None).root_node().to_sexp();
        let mut doc = Document::new("FROM a\nRUN b\n", 1);
        assert!(doc.parsed_tree().is_none() && doc.edited_tree().is_none());
        // Without a tree, an edit only changes the text.
        doc.apply_change(Some((lc(1, 4), lc(1, 5))), "c", Encoding::Utf16);
        assert!(doc.parsed_tree().is_none() && doc.edited_tree().is_none());
        assert_eq!(doc.tree().root_node().to_sexp(), sexp("FROM a\nRUN c\n"));
        // With one, an edit below the directives keeps it in step for an incremental parse.
        doc.apply_change(Some((lc(1, 0), lc(1, 5))), "COPY x y", Encoding::Utf16);
        doc.apply_change(Some((lc(2, 0), lc(2, 0))), "ENV é=😀\n", Encoding::Utf16);
        assert!(doc.parsed_tree().is_none() && doc.edited_tree().is_some());
        let text = "FROM a\nCOPY x y\nENV é=😀\n";
        let incremental = doc.edited_tree().map(|old| syntax::parse(text, Some(old)));
        let incremental = incremental.map(|t| t.root_node().to_sexp());
        assert_eq!(incremental, Some(sexp(text)));
        assert_eq!(doc.tree().root_node().to_sexp(), sexp(text));
        assert!(doc.edited_tree().is_none());
        // An edit of the directive block leaves a full parse to do.
        doc.apply_change(Some((lc(0, 0), lc(0, 0))), "# escape=`\n", Encoding::Utf16);
        assert!(doc.parsed_tree().is_none() && doc.edited_tree().is_none());
        let text = "# escape=`\nFROM a\nCOPY x y\nENV é=😀\n";
        assert_eq!(doc.tree().root_node().to_sexp(), sexp(text));
        // A tree parsed elsewhere is adopted only when there is none.
        let mut other = Document::new(text, 2);
        other.set_tree(syntax::parse(text, None));
        other.set_tree(syntax::parse("", None));
        assert_eq!(other.tree().root_node().to_sexp(), sexp(text));
    }

    #[test]
    fn header_end_covers_comments_and_blank_lines() {
        assert_eq!(
            header_end(&Rope::from_str("# escape=`\n\n  # x\nFROM a\n")),
            18
        );
        assert_eq!(header_end(&Rope::from_str("FROM a\n")), 0);
        assert_eq!(header_end(&Rope::from_str("# only\n")), 7);
    }
}
