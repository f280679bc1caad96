//! Incremental re-parsing gives exactly the tree of a fresh parse.
//!
//! A proptest applies random edit sequences to Dockerfile-like documents: after each edit
//! the old tree is edited (`Tree::edit`) and re-parsed with the new text, and the result is
//! compared with a fresh parse, node by node (kind, byte range, missing/error flags),
//! anonymous nodes included.

use proptest::prelude::*;
use tree_sitter::{InputEdit, Node, Parser, Point, Tree};

fn parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_dockerfile::LANGUAGE.into())
        .expect("grammar ABI is supported by the runtime");
    parser
}

/// Lines the documents are made of: every construct the scanner keeps state for.
const LINES: &[&str] = &[
    "# syntax=docker/dockerfile:1\n",
    "# escape=`\n",
    "# escape=\\\n",
    "# check=skip=all\n",
    "# a comment\n",
    "\n",
    "   \n",
    "ARG BASE=alpine:3.20\n",
    "FROM --platform=$BUILDPLATFORM docker.io/library/golang:1.22@sha256:abc AS build\n",
    "FROM ${BASE} AS final\n",
    "from scratch\n",
    "RUN apt-get update && \\\n    apt-get install -y curl\n",
    "RUN echo `\n    backtick\n",
    "RUN --mount=type=cache,target=/root/.cache \\\n    # inner comment\n\n    go build ./...\n",
    "RUN <<EOF\necho hello\nEOF\n",
    "RUN cat <<A <<-\"B\" > /x\na body\nA\n\tb body\n\tB\n",
    "COPY <<EOF /etc/conf\nkey=value\nEOF\n",
    "COPY --from=build --chmod=755 /out/app /usr/local/bin/\n",
    "ADD [\"a b\", \"/c\"]\n",
    "ENV A=1 B=\"two three\" C=${X:-default}\n",
    "ENV LEGACY value with spaces\n",
    "LABEL \"com.example\"=\"v\" x=y \\\n      z='q'\n",
    "CMD [\"echo\", \"hi\"]\n",
    "CMD ['not', json]\n",
    "ENTRYPOINT echo hi\n",
    "EXPOSE 80/tcp 443\n",
    "USER app:group\n",
    "WORKDIR /app\n",
    "ONBUILD RUN echo on\n",
    "HEALTHCHECK --interval=5s CMD curl -f http://x/ || exit 1\n",
    "HEALTHCHECK NONE\n",
    "SHELL [\"/bin/sh\", \"-c\"]\n",
    "VOLUME /data\n",
    "MAINTAINER me <me@example.com>\n",
    "RUNN echo\n",
    "COPY\n",
    "ENV A=\"unterminated\n",
    "RUN x \\\r\n  y\r\n",
];

/// Snippets inserted by edits: fragments that change how the text around them is read.
const SNIPPETS: &[&str] = &[
    "\n",
    "\\",
    "\\\n",
    "`",
    "`\n",
    "#",
    "# ",
    "\"",
    "'",
    "$",
    "${",
    "}",
    "[",
    "]",
    ",",
    "=",
    "--",
    "<<",
    "<<EOF",
    "<<-EOF",
    "EOF",
    "EOF\n",
    "\t",
    " ",
    "\r\n",
    "RUN ",
    "FROM a\n",
    "COPY ",
    "ENV ",
    "AS ",
    "ONBUILD ",
    "# escape=`\n",
    "# syntax=x\n",
    "--mount=type=bind ",
    "[\"a\"]",
    "\u{e9}",
    "\0",
];

#[derive(Debug, Clone)]
enum EditOp {
    Insert {
        at: usize,
        snippet: usize,
    },
    Delete {
        at: usize,
        len: usize,
    },
    Replace {
        at: usize,
        len: usize,
        snippet: usize,
    },
}

fn edit_op() -> impl Strategy<Value = EditOp> {
    prop_oneof![
        (any::<usize>(), 0..SNIPPETS.len())
            .prop_map(|(at, snippet)| EditOp::Insert { at, snippet }),
        (any::<usize>(), 1usize..12).prop_map(|(at, len)| EditOp::Delete { at, len }),
        (any::<usize>(), 1usize..6, 0..SNIPPETS.len())
            .prop_map(|(at, len, snippet)| EditOp::Replace { at, len, snippet }),
    ]
}

fn document() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(0..LINES.len(), 1..14).prop_map(|lines| {
        lines
            .into_iter()
            .flat_map(|i| LINES[i].bytes())
            .collect::<Vec<u8>>()
    })
}

fn point_at(text: &[u8], byte: usize) -> Point {
    let before = &text[..byte];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count();
    Point::new(row, column)
}

/// Applies `op` to `text` and returns the matching `InputEdit`.
fn apply(text: &mut Vec<u8>, op: &EditOp) -> InputEdit {
    let len = text.len();
    let (at, removed, inserted): (usize, usize, &[u8]) = match *op {
        EditOp::Insert { at, snippet } => (at % (len + 1), 0, SNIPPETS[snippet].as_bytes()),
        EditOp::Delete { at, len: n } => {
            let at = at % (len + 1);
            (at, n.min(len - at), &[])
        }
        EditOp::Replace {
            at,
            len: n,
            snippet,
        } => {
            let at = at % (len + 1);
            (at, n.min(len - at), SNIPPETS[snippet].as_bytes())
        }
    };
    let start_position = point_at(text, at);
    let old_end_position = point_at(text, at + removed);
    text.splice(at..at + removed, inserted.iter().copied());
    let new_end_position = point_at(text, at + inserted.len());
    InputEdit {
        start_byte: at,
        old_end_byte: at + removed,
        new_end_byte: at + inserted.len(),
        start_position,
        old_end_position,
        new_end_position,
    }
}

/// Every node, anonymous ones included, as (depth, kind, range, missing, error, extra).
fn flatten(tree: &Tree) -> Vec<String> {
    fn walk(node: Node, depth: usize, out: &mut Vec<String>) {
        out.push(format!(
            "{}{} {}..{} {:?}-{:?}{}{}{}",
            " ".repeat(depth),
            node.kind(),
            node.start_byte(),
            node.end_byte(),
            node.start_position(),
            node.end_position(),
            if node.is_missing() { " MISSING" } else { "" },
            if node.is_error() { " ERROR" } else { "" },
            if node.is_extra() { " extra" } else { "" },
        ));
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            walk(child, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(tree.root_node(), 0, &mut out);
    out
}

/// Applies `ops` one by one, re-parsing incrementally after each, then undoes them all.
///
/// When the fresh parse of the edited text has no error, the incremental tree must be
/// identical to it, node for node. When the text has syntax errors, tree-sitter does not
/// promise the same error recovery on both paths (its own fuzzer does not either), so the
/// incremental tree must then have an error too and cover the whole text. After the edits
/// are undone, the incremental tree must again equal the fresh parse of the original.
fn check_sequence(original: Vec<u8>, ops: &[EditOp]) -> Result<(), TestCaseError> {
    let mut parser = parser();
    let mut text = original.clone();
    let mut tree = parser.parse(&text, None).expect("parse");
    let mut undo = Vec::new();
    for (step, op) in ops.iter().enumerate() {
        let before = text.clone();
        let edit = apply(&mut text, op);
        undo.push((before, edit));
        tree.edit(&edit);
        let incremental = parser.parse(&text, Some(&tree)).expect("incremental parse");
        compare(
            &mut parser,
            &text,
            &incremental,
            &format!("step {step} ({op:?})"),
        )?;
        tree = incremental;
    }
    // Undo the edits, newest first: the inverse of each edit swaps old and new ends.
    while let Some((before, edit)) = undo.pop() {
        tree.edit(&InputEdit {
            start_byte: edit.start_byte,
            old_end_byte: edit.new_end_byte,
            new_end_byte: edit.old_end_byte,
            start_position: edit.start_position,
            old_end_position: edit.new_end_position,
            new_end_position: edit.old_end_position,
        });
        text = before;
        tree = parser.parse(&text, Some(&tree)).expect("incremental parse");
        compare(&mut parser, &text, &tree, "undo")?;
    }
    prop_assert_eq!(&text, &original);
    Ok(())
}

fn compare(
    parser: &mut Parser,
    text: &[u8],
    incremental: &Tree,
    what: &str,
) -> Result<(), TestCaseError> {
    let fresh = parser.parse(text, None).expect("fresh parse");
    prop_assert_eq!(incremental.root_node().end_byte(), text.len());
    prop_assert_eq!(fresh.root_node().end_byte(), text.len());
    if fresh.root_node().has_error() {
        prop_assert!(
            incremental.root_node().has_error(),
            "{}: the fresh parse of {:?} has an error, the incremental one has none: {}",
            what,
            String::from_utf8_lossy(text),
            incremental.root_node().to_sexp()
        );
        return Ok(());
    }
    let (a, b) = (flatten(incremental), flatten(&fresh));
    if a != b {
        let first = a
            .iter()
            .zip(b.iter())
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len()));
        return Err(TestCaseError::fail(format!(
            "{what} on {:?}:\nfirst difference at node {first}:\n  incremental: {:?}\n  fresh:       {:?}\nincremental sexp: {}\nfresh sexp:       {}",
            String::from_utf8_lossy(text),
            a.get(first),
            b.get(first),
            incremental.root_node().to_sexp(),
            fresh.root_node().to_sexp(),
        )));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn incremental_reparse_matches_fresh_parse(
        text in document(),
        ops in prop::collection::vec(edit_op(), 1..10),
    ) {
        check_sequence(text, &ops)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Editors hand the text over in chunks (a rope): the tree must not depend on them.
    #[test]
    fn chunked_input_gives_the_same_tree(
        text in document(),
        ops in prop::collection::vec(edit_op(), 0..4),
        chunk in 1usize..9,
    ) {
        let mut text = text;
        for op in &ops {
            apply(&mut text, op);
        }
        let mut parser = parser();
        let whole = parser.parse(&text, None).expect("parse");
        let chunked = parser
            .parse_with_options(
                &mut |offset: usize, _: Point| -> &[u8] {
                    // Chunks end on character boundaries, as a rope's do.
                    let mut end = text.len().min(offset.saturating_add(chunk));
                    while end < text.len() && text[end] & 0xC0 == 0x80 {
                        end += 1;
                    }
                    text.get(offset..end).unwrap_or_default()
                },
                None,
                None,
            )
            .expect("chunked parse");
        prop_assert_eq!(
            flatten(&whole),
            flatten(&chunked),
            "{:?} in chunks of {}",
            String::from_utf8_lossy(&text),
            chunk
        );
    }
}

#[test]
fn escape_directive_change_reparses_the_whole_file() {
    // Turning `\` into the escape character's off-switch changes every continuation below.
    let text = b"# escape=\\\nFROM a\nRUN a \\\n  b\nENV A=1 \\\n  B=2\n".to_vec();
    let at = text
        .iter()
        .position(|&b| b == b'\\')
        .expect("escape directive");
    check_sequence(
        text,
        &[EditOp::Replace {
            at,
            len: 1,
            snippet: SNIPPETS.iter().position(|s| *s == "`").expect("backtick"),
        }],
    )
    .expect("incremental matches fresh");
}

#[test]
fn closing_a_heredoc_reparses_its_body() {
    let text = b"RUN <<EOF\necho one\nRUN echo two\n".to_vec();
    let at = text.len();
    check_sequence(
        text,
        &[EditOp::Insert {
            at,
            snippet: SNIPPETS.iter().position(|s| *s == "EOF\n").expect("EOF"),
        }],
    )
    .expect("incremental matches fresh");
}
