//! The edit → diagnostics pipeline on a 5,000-line Dockerfile: open (parse beside model
//! and rules, or after them as the server does) and a one-character edit (incremental re-parse, model updated from an older
//! snapshot's, rules). Target: under 2 ms per edit.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use dockerfile_ls::document::{Change, DocumentStore, Encoding, LineCol, Snapshot};
use dockerfile_ls::lsp::convert;
use std::str::FromStr;
use std::sync::Arc;
use tower_lsp_server::ls_types::Uri;

const BIG: &str = include_str!("../../tests/fixtures/bench/Dockerfile.big");
const NODE: &str = include_str!("../../tests/fixtures/bench/Dockerfile.node");

fn open(c: &mut Criterion) {
    c.bench_function("open Dockerfile.big → findings", |b| {
        b.iter(|| black_box(Snapshot::from_text(black_box(BIG)).findings.len()))
    });
    c.bench_function("open Dockerfile.node → findings", |b| {
        b.iter(|| black_box(Snapshot::from_text(black_box(NODE)).findings.len()))
    });
    // The store takes the text, the analysis parses beside the model and the rules, the
    // store keeps the snapshot and adopts its tree.
    let uri = "file:///bench/Dockerfile";
    let mut store = DocumentStore::new();
    c.bench_function("didOpen Dockerfile.big → findings (store)", |b| {
        b.iter(|| {
            store.open(uri, black_box(BIG), 1, None, Arc::new(Default::default()));
            black_box(store.snapshot(uri).map(|s| s.findings.len()))
        })
    });
    // As the server does on didOpen: the diagnostics go out once the model and the rules
    // are done; the full parse comes after (not timed here).
    c.bench_function(
        "didOpen Dockerfile.big → diagnostics (parse after)",
        |b| {
            let lsp_uri = Uri::from_str(uri).expect("uri");
            b.iter(|| {
                store.open(uri, black_box(BIG), 1, None, Arc::new(Default::default()));
                let (_, _, analysed) = store.pending(uri).expect("open").analyse();
                let body =
                    convert::publish_diagnostics(analysed.diagnosed(), &lsp_uri, Encoding::Utf16);
                black_box(body.len())
            })
        },
    );
}

/// The `k`-th of a series of edits at the start of `line`: four letters inserted, then
/// replaced by the next four. No version equals an earlier one, which the store's
/// recycled model is updated from or the rules' memo remembers (an edit undone would make
/// them free).
fn letter_change(line: u32, k: usize) -> Change {
    // Four letters naming `k`: no text repeats, so no remembered result answers for free.
    let word: String = (0..4)
        .map(|i| char::from(b'a' + ((k / 26usize.pow(i)) % 26) as u8))
        .collect();
    let end = if k == 0 { 0 } else { 4 };
    Change {
        range: Some((LineCol { line, col: 0 }, LineCol { line, col: end })),
        text: word,
    }
}

fn edit(c: &mut Criterion) {
    let uri = "file:///bench/Dockerfile";
    let mut store = DocumentStore::new();
    store.open(uri, BIG, 1, None, Arc::new(Default::default()));
    // A line in the middle of the file.
    let line = (BIG.lines().count() / 2) as u32;
    let mut k = 0;
    c.bench_function("1-char edit in Dockerfile.big → findings", |b| {
        b.iter(|| {
            let change = letter_change(line, k);
            k += 1;
            let _ = store.change(
                uri,
                k as i32 + 1,
                std::slice::from_ref(&change),
                Encoding::Utf16,
            );
            black_box(store.snapshot(uri).map(|s| s.findings.len()))
        })
    });
    let mut doc_only = dockerfile_ls::document::Document::new(BIG, 1);
    doc_only.tree();
    let mut k = 0;
    c.bench_function(
        "1-char edit in Dockerfile.big: rope + incremental parse only",
        |b| {
            b.iter(|| {
                let change = letter_change(line, k);
                k += 1;
                doc_only.apply_changes(std::slice::from_ref(&change), Encoding::Utf16);
                black_box(doc_only.tree().root_node().end_byte())
            })
        },
    );
}

/// Where an edit's time goes: the model and the rules, each on the whole file.
fn stages(c: &mut Criterion) {
    c.bench_function("Dockerfile.big: model::build", |b| {
        b.iter(|| {
            black_box(
                dockerfile_ls::model::build(black_box(BIG))
                    .instructions
                    .len(),
            )
        })
    });
    let model = dockerfile_ls::model::build(BIG);
    let options = dockerfile_ls::rules::CheckOptions::default();
    c.bench_function("Dockerfile.big: rules::check", |b| {
        b.iter(|| black_box(dockerfile_ls::rules::check(black_box(&model), BIG, &options).len()))
    });
    c.bench_function("Dockerfile.big: fresh parse", |b| {
        b.iter(|| {
            black_box(
                dockerfile_ls::syntax::parse(black_box(BIG), None)
                    .root_node()
                    .end_byte(),
            )
        })
    });
}

criterion_group!(benches, open, edit, stages);
criterion_main!(benches);
