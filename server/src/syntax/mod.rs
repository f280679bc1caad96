//! The tree-sitter parser wrapper: parsing (fresh or incremental) and the syntax errors
//! found in a tree (`ERROR` and `MISSING` nodes).
//!
//! Nothing here panics on document input: a parse that fails (it cannot, with a language
//! set and no time limit, but the API says it may) falls back to a fresh parse, then to the
//! parse of an empty text.

use crate::model::Span;
use std::cell::RefCell;
use tree_sitter::{Language, Node, Parser, Tree};

pub use tree_sitter::{InputEdit, Point};

/// The Dockerfile grammar.
pub fn language() -> Language {
    Language::new(tree_sitter_dockerfile::LANGUAGE)
}

/// A new parser set to the Dockerfile grammar.
pub fn parser() -> Parser {
    let mut parser = Parser::new();
    if let Err(err) = parser.set_language(&language()) {
        // Only a grammar built for an incompatible tree-sitter ABI gets here.
        tracing::error!("cannot load the Dockerfile grammar: {err}");
    }
    parser
}

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new(parser());
}

/// The edit that turns `old` into `new`: the bytes between their common prefix and suffix.
pub fn edit_between(old: &str, new: &str) -> InputEdit {
    let (prefix, suffix) = crate::model::common_ends(old.as_bytes(), new.as_bytes());
    let point = |text: &str, offset: usize| {
        let before = &text.as_bytes()[..offset];
        let row = memchr::memchr_iter(b'\n', before).count();
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |nl| nl + 1);
        Point::new(row, offset - line_start)
    };
    let (old_end, new_end) = (old.len() - suffix, new.len() - suffix);
    let inserted = &new.as_bytes()[prefix..new_end];
    input_edit(
        prefix,
        old_end,
        point(old, prefix),
        point(old, old_end),
        inserted,
    )
}

/// The `InputEdit` of replacing `start..end` (from `start_position` to `old_end_position`)
/// with the bytes `inserted`.
pub fn input_edit(
    start: usize,
    end: usize,
    start_position: Point,
    old_end_position: Point,
    inserted: &[u8],
) -> InputEdit {
    let new_end_position = match memchr::memrchr(b'\n', inserted) {
        Some(nl) => Point {
            row: start_position.row + memchr::memchr_iter(b'\n', inserted).count(),
            column: inserted.len() - nl - 1,
        },
        None => Point {
            row: start_position.row,
            column: start_position.column + inserted.len(),
        },
    };
    InputEdit {
        start_byte: start,
        old_end_byte: end,
        new_end_byte: start + inserted.len(),
        start_position,
        old_end_position,
        new_end_position,
    }
}

/// Parse `text`; with `old` (already `edit`ed to match `text`), incrementally.
pub fn parse(text: &str, old: Option<&Tree>) -> Tree {
    parse_with(
        &mut |offset, _| text.as_bytes().get(offset..).unwrap_or_default(),
        old,
    )
}

/// Parse text provided in chunks: `input(offset, point)` returns the bytes from `offset`
/// (any non-empty prefix of the rest of the text; empty at the end).
pub fn parse_with<T: AsRef<[u8]>, F: FnMut(usize, Point) -> T>(
    input: &mut F,
    old: Option<&Tree>,
) -> Tree {
    with_parser(|parser| parse_using(parser, input, old))
}

/// Run `f` with this thread's parser, or a parser of its own on re-entrant use.
fn with_parser<R>(f: impl FnOnce(&mut Parser) -> R) -> R {
    PARSER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut parser) => f(&mut parser),
        Err(_) => f(&mut parser()),
    })
}

/// A full parse of `text` that asks `go_on` now and then (every few hundred parsing
/// steps) whether to go on, and gives up (`None`) when it says no: work left to idle time
/// steps aside in it, and stops when nobody wants its result any more.
pub fn parse_pausing(text: &str, mut go_on: impl FnMut() -> bool) -> Option<Tree> {
    let mut input = |offset: usize, _: Point| text.as_bytes().get(offset..).unwrap_or_default();
    let mut progress = |_: &tree_sitter::ParseState| !go_on();
    let options = tree_sitter::ParseOptions::new().progress_callback(&mut progress);
    with_parser(|parser| {
        let parsed = parser.parse_with_options(&mut input, None, Some(options));
        if parsed.is_none() {
            // Given up: the parser would resume this parse on its next call.
            parser.reset();
        }
        parsed
    })
}

fn parse_using<T: AsRef<[u8]>, F: FnMut(usize, Point) -> T>(
    parser: &mut Parser,
    input: &mut F,
    old: Option<&Tree>,
) -> Tree {
    if let Some(tree) = parser.parse_with_options(input, old, None) {
        return tree;
    }
    parser.reset();
    if old.is_some() {
        if let Some(tree) = parser.parse_with_options(input, None, None) {
            return tree;
        }
        parser.reset();
    }
    tracing::error!("tree-sitter failed to parse; using an empty tree");
    empty_tree(parser)
}

fn empty_tree(parser: &mut Parser) -> Tree {
    if let Some(tree) = parser.parse("", None) {
        return tree;
    }
    let mut fresh = self::parser();
    match fresh.parse("", None) {
        Some(tree) => tree,
        // Unreachable with a grammar whose ABI tree-sitter accepts: `parse` only fails
        // without a language, with a timeout or with a cancellation flag.
        None => panic!("the Dockerfile grammar cannot be loaded by this tree-sitter version"),
    }
}

/// The byte span of a node.
pub fn span(node: Node) -> Span {
    Span::new(node.start_byte(), node.end_byte().max(node.start_byte()))
}

/// What kind of syntax error a node is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    /// Text the grammar could not place (an `ERROR` node).
    Unexpected,
    /// A token the grammar expected and inserted (a zero-width `MISSING` node), by kind.
    Missing(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub kind: SyntaxErrorKind,
}

/// Every `ERROR` and `MISSING` node of the tree, in document order. Inner errors of an
/// `ERROR` node are not listed separately.
pub fn errors(tree: &Tree) -> Vec<SyntaxError> {
    let mut out = Vec::new();
    let root = tree.root_node();
    if !root.has_error() {
        return out;
    }
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        let mut descend = node.has_error();
        if node.is_error() {
            out.push(SyntaxError {
                span: span(node),
                kind: SyntaxErrorKind::Unexpected,
            });
            descend = false;
        } else if node.is_missing() {
            out.push(SyntaxError {
                span: span(node),
                kind: SyntaxErrorKind::Missing(node.kind().to_string()),
            });
            descend = false;
        }
        if descend && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

/// The `ERROR` nodes of the tree (outermost ones only).
pub fn error_nodes(tree: &Tree) -> Vec<Node<'_>> {
    collect(tree, |n| n.is_error())
}

/// The `MISSING` nodes of the tree.
pub fn missing_nodes(tree: &Tree) -> Vec<Node<'_>> {
    collect(tree, |n| n.is_missing())
}

fn collect<'t>(tree: &'t Tree, want: impl Fn(&Node) -> bool) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    let root = tree.root_node();
    if !root.has_error() {
        return out;
    }
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        let hit = want(&node);
        if hit {
            out.push(node);
        }
        if !hit && node.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

/// The smallest named node covering `span` (for selection, hover and the like).
pub fn named_node_at(tree: &Tree, span: Span) -> Option<Node<'_>> {
    tree.root_node()
        .named_descendant_for_byte_range(span.start, span.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_reports_no_errors_on_a_simple_file() {
        let tree = parse("FROM alpine\nRUN echo hi\n", None);
        assert_eq!(tree.root_node().end_byte(), 24);
        assert!(errors(&tree).is_empty(), "{}", tree.root_node().to_sexp());
    }

    #[test]
    fn never_panics_on_odd_input() {
        for text in [
            "",
            "\\",
            "FROM",
            "\u{0}\u{ffff}",
            "RUN <<EOF\n",
            "# escape=`\nRUN a `\n",
        ] {
            let tree = parse(text, None);
            let _ = errors(&tree);
        }
    }
}
