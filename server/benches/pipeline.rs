//! The edit → diagnostics pipeline on a 5,000-line Dockerfile: open (parse, model,
//! rules) and a one-character edit (incremental re-parse, model, rules). Target: under
//! 2 ms per edit.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use dockerfile_ls::document::{Change, DocumentStore, Encoding, LineCol, Snapshot};
use std::sync::Arc;

const BIG: &str = include_str!("../../tests/fixtures/bench/Dockerfile.big");
const NODE: &str = include_str!("../../tests/fixtures/bench/Dockerfile.node");

fn open(c: &mut Criterion) {
    c.bench_function("open Dockerfile.big → findings", |b| {
        b.iter(|| black_box(Snapshot::from_text(black_box(BIG)).findings.len()))
    });
    c.bench_function("open Dockerfile.node → findings", |b| {
        b.iter(|| black_box(Snapshot::from_text(black_box(NODE)).findings.len()))
    });
}

fn edit(c: &mut Criterion) {
    let uri = "file:///bench/Dockerfile";
    let mut store = DocumentStore::new();
    store.open(uri, BIG, 1, None, Arc::new(Default::default()));
    // A line in the middle of the file.
    let line = (BIG.lines().count() / 2) as u32;
    let mut version = 1;
    let mut insert = true;
    c.bench_function("1-char edit in Dockerfile.big → findings", |b| {
        b.iter(|| {
            version += 1;
            // Alternately insert and delete one character, so the text stays the same size.
            let change = if insert {
                Change {
                    range: Some((LineCol { line, col: 0 }, LineCol { line, col: 0 })),
                    text: " ".into(),
                }
            } else {
                Change {
                    range: Some((LineCol { line, col: 0 }, LineCol { line, col: 1 })),
                    text: String::new(),
                }
            };
            insert = !insert;
            let _ = store.change(uri, version, std::slice::from_ref(&change), Encoding::Utf16);
            black_box(store.snapshot(uri).map(|s| s.findings.len()))
        })
    });
    let mut doc_only = dockerfile_ls::document::Document::new(BIG, 1);
    let mut insert = true;
    c.bench_function(
        "1-char edit in Dockerfile.big: rope + incremental parse only",
        |b| {
            b.iter(|| {
                let (range, text) = if insert {
                    ((LineCol { line, col: 0 }, LineCol { line, col: 0 }), " ")
                } else {
                    ((LineCol { line, col: 0 }, LineCol { line, col: 1 }), "")
                };
                insert = !insert;
                doc_only.apply_change(Some(range), text, Encoding::Utf16);
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
