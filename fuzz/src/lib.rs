//! Checks shared by the fuzz targets. Each one panics (a fuzzer finding) when an
//! invariant of the library does not hold for the input.

use dockerfile_ls::document::{Change, DocumentStore, Encoding, LineCol, LineIndex, Snapshot};
use dockerfile_ls::lsp::framing::{Decoder, Frame};
use dockerfile_ls::model::{self, Span};
use dockerfile_ls::rules::{self, CheckOptions};
use dockerfile_ls::syntax;
use serde_json::Value;
use std::sync::Arc;

/// Every `Span { start: _, end: _ }` in a value's `Debug` output (the model has spans
/// nested at many levels; this finds them all without naming each field).
pub fn debug_spans(debug: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut rest = debug;
    while let Some(i) = rest.find("Span { start: ") {
        rest = &rest[i + "Span { start: ".len()..];
        let num = |s: &str| -> Option<(usize, usize)> {
            let n = s.bytes().take_while(u8::is_ascii_digit).count();
            Some((s.get(..n)?.parse().ok()?, n))
        };
        let Some((start, n)) = num(rest) else {
            continue;
        };
        let Some(after) = rest[n..].strip_prefix(", end: ") else {
            continue;
        };
        let Some((end, _)) = num(after) else { continue };
        out.push(Span { start, end });
    }
    out
}

fn assert_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} out of bounds (text length {})",
        text.len()
    );
}

fn assert_span_on_chars(text: &str, span: Span, what: &str) {
    assert_span(text, span, what);
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} splits a character"
    );
}

/// Model, grammar and rules over one text: nothing panics, every span is in bounds,
/// findings and their fixes lie on character boundaries, and applying a finding's fix
/// edits (sorted, non-overlapping) is possible.
pub fn check_text(text: &str) {
    let model = model::build(text);
    for span in debug_spans(&format!("{model:?}")) {
        assert_span(text, span, "model");
    }
    let tree = syntax::parse(text, None);
    assert_eq!(tree.root_node().end_byte().max(text.len()), text.len());
    for e in syntax::errors(&tree) {
        assert_span(text, e.span, "syntax error");
    }
    let findings = rules::check(&model, text, &CheckOptions::default());
    for f in &findings {
        assert_span_on_chars(text, f.span, f.rule);
        for r in &f.related {
            assert_span_on_chars(text, r.span, f.rule);
        }
        if let Some(fix) = &f.fix {
            let mut edits: Vec<_> = fix.edits.iter().collect();
            edits.sort_by_key(|e| (e.span.start, e.span.end));
            for e in &edits {
                assert_span_on_chars(text, e.span, f.rule);
            }
            for w in edits.windows(2) {
                assert!(
                    w[0].span.end <= w[1].span.start,
                    "{}: overlapping fix edits {:?} and {:?}",
                    f.rule,
                    w[0].span,
                    w[1].span
                );
            }
        }
    }
    let _ = model::dump(text);
}

/// One content change as the fuzzer makes it.
#[derive(Clone, Debug, arbitrary::Arbitrary)]
pub struct FuzzChange {
    pub full: bool,
    pub start: (u8, u8),
    pub end: (u8, u8),
    pub text: String,
}

#[derive(Clone, Debug, arbitrary::Arbitrary)]
pub struct EditScript {
    pub initial: String,
    pub encoding: u8,
    pub batches: Vec<Vec<FuzzChange>>,
}

fn encoding(n: u8) -> Encoding {
    match n % 3 {
        0 => Encoding::Utf8,
        1 => Encoding::Utf16,
        _ => Encoding::Utf32,
    }
}

/// The reference: a plain string edited with `LineIndex` offsets (an implementation
/// independent of the rope's).
fn apply_reference(text: &mut String, change: &Change, enc: Encoding) {
    let Some((a, b)) = change.range else {
        *text = change.text.clone();
        return;
    };
    let (a, b) = if b < a { (b, a) } else { (a, b) };
    let index = LineIndex::new(text);
    let start = index.offset(text, a, enc);
    let end = index.offset(text, b, enc).max(start);
    text.replace_range(start..end, &change.text);
}

fn tree_nodes(tree: &tree_sitter::Tree) -> Vec<(String, usize, usize, bool, bool)> {
    let mut out = Vec::new();
    let mut cursor = tree.walk();
    'walk: loop {
        let n = cursor.node();
        out.push((
            n.kind().to_string(),
            n.start_byte(),
            n.end_byte(),
            n.is_error(),
            n.is_missing(),
        ));
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    out
}

/// Edit sequences through the document store agree with a fresh open of the final text:
/// same text as the reference, same syntax tree, same model and findings.
pub fn check_edits(script: &EditScript) {
    let enc = encoding(script.encoding);
    let uri = "file:///fuzz/Dockerfile";
    let mut store = DocumentStore::new();
    store.open(
        uri,
        &script.initial,
        1,
        None,
        Arc::new(CheckOptions::default()),
    );
    let mut reference = script.initial.clone();
    for (i, batch) in script.batches.iter().enumerate() {
        let changes: Vec<Change> = batch
            .iter()
            .map(|c| Change {
                range: (!c.full).then(|| {
                    (
                        LineCol {
                            line: c.start.0 as u32,
                            col: c.start.1 as u32,
                        },
                        LineCol {
                            line: c.end.0 as u32,
                            col: c.end.1 as u32,
                        },
                    )
                }),
                text: c.text.clone(),
            })
            .collect();
        for c in &changes {
            apply_reference(&mut reference, c, enc);
        }
        store
            .change(uri, i as i32 + 2, &changes, enc)
            .expect("the document is open");
        // Snapshots in between exercise whatever the store caches across revisions.
        if i % 2 == 1 {
            let _ = store.snapshot(uri);
        }
    }
    let doc = store.document(uri).expect("open");
    assert_eq!(
        doc.rope().to_string(),
        reference,
        "text differs from the reference"
    );
    let fresh = syntax::parse(&reference, None);
    assert_eq!(
        tree_nodes(doc.tree()),
        tree_nodes(&fresh),
        "incremental tree differs from a fresh parse"
    );
    let snap = store.snapshot(uri).expect("open");
    let fresh = Snapshot::from_text(&reference);
    assert_eq!(&*snap.text, reference.as_str());
    assert!(
        snap.model == fresh.model,
        "model differs from a fresh build"
    );
    assert_eq!(snap.findings, fresh.findings, "findings differ");
}

/// All frames of `bytes` fed in chunks of the given sizes (cycled).
pub fn decode(bytes: &[u8], chunks: &[usize]) -> Vec<Frame> {
    let mut d = Decoder::new();
    let mut out = Vec::new();
    let mut i = 0;
    let mut k = 0;
    while i < bytes.len() {
        let n = chunks
            .get(k % chunks.len().max(1))
            .copied()
            .unwrap_or(bytes.len())
            .max(1);
        let end = (i + n).min(bytes.len());
        d.push(&bytes[i..end]);
        i = end;
        k += 1;
        while let Some(f) = d.next_frame() {
            out.push(f);
        }
    }
    while let Some(f) = d.next_frame() {
        out.push(f);
    }
    out
}

/// What the decoder forwards is JSON-RPC; replies are JSON-RPC errors.
pub fn check_frames(frames: &[Frame]) {
    for f in frames {
        match f {
            Frame::Message(body) => {
                let v: Value = serde_json::from_slice(body).expect("forwarded invalid JSON");
                assert_eq!(v["jsonrpc"], "2.0", "forwarded {v}");
            }
            Frame::Reply(v) => {
                assert_eq!(v["jsonrpc"], "2.0");
                assert!(v["error"]["code"].is_i64(), "{v}");
            }
        }
    }
}

pub fn messages(frames: Vec<Frame>) -> Vec<Vec<u8>> {
    frames
        .into_iter()
        .filter_map(|f| match f {
            Frame::Message(m) => Some(m),
            Frame::Reply(_) => None,
        })
        .collect()
}

/// The ids of the MethodNotFound replies among `frames`, in order.
pub fn method_not_found_ids(frames: &[Frame]) -> Vec<i64> {
    frames
        .iter()
        .filter_map(|f| match f {
            Frame::Reply(v) if v["error"]["code"] == -32601 => v["id"].as_i64(),
            _ => None,
        })
        .collect()
}
