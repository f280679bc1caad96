//! Semantic tokens (full, and a 100-line range) on the 5,000-line Dockerfile.big, from an
//! analysed snapshot, delta-encoded as the server sends them. Target: under 2 ms for the
//! whole file. Also folding ranges and whole-file formatting edits for scale.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use dockerfile_ls::config::FormatOptions;
use dockerfile_ls::document::{Encoding, Snapshot};
use dockerfile_ls::features::{folding, format, semantic_tokens};
use dockerfile_ls::model::Span;

const BIG: &str = include_str!("../../tests/fixtures/bench/Dockerfile.big");

fn tokens(c: &mut Criterion) {
    let snap = Snapshot::from_text(BIG);
    for (name, enc) in [("utf-16", Encoding::Utf16), ("utf-8", Encoding::Utf8)] {
        c.bench_function(
            &format!("semantic tokens full, Dockerfile.big ({name})"),
            |b| {
                b.iter(|| {
                    let t = semantic_tokens::tokens(
                        &snap.text,
                        &snap.line_index,
                        &snap.model,
                        None,
                        enc,
                    );
                    black_box(semantic_tokens::encode(&t).len())
                })
            },
        );
    }
    let mid = snap.line_index.line_start(2500);
    let end = snap.line_index.line_start(2600);
    c.bench_function("semantic tokens range (100 lines), Dockerfile.big", |b| {
        b.iter(|| {
            let t = semantic_tokens::tokens(
                &snap.text,
                &snap.line_index,
                &snap.model,
                Some(Span::new(mid, end)),
                Encoding::Utf16,
            );
            black_box(semantic_tokens::encode(&t).len())
        })
    });
    c.bench_function("folding ranges, Dockerfile.big", |b| {
        b.iter(|| black_box(folding::folds(&snap.line_index, &snap.model).len()))
    });
    let opts = FormatOptions::default();
    c.bench_function("formatting edits, Dockerfile.big", |b| {
        b.iter(|| {
            black_box(
                format::text_edits(
                    &snap.text,
                    &snap.line_index,
                    &snap.model,
                    &opts,
                    None,
                    Encoding::Utf16,
                )
                .len(),
            )
        })
    });
}

criterion_group!(benches, tokens);
criterion_main!(benches);
