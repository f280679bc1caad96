//! Document symbols on a 5,000-line Dockerfile (target: under 2 ms), plus the other
//! structure features on the same input for comparison.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use dockerfile_ls::document::{Encoding, Snapshot};
use dockerfile_ls::features::{inlay_hints, links, navigation, symbols};
use dockerfile_ls::model::Span;
use std::time::{Duration, Instant};

fn big() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/bench/Dockerfile.big"
    );
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn structure(c: &mut Criterion) {
    let text = big();
    let snap = Snapshot::from_text(&text);
    let text: &str = &snap.text;
    c.bench_function("document_symbols/Dockerfile.big", |b| {
        b.iter(|| {
            symbols::document_symbols(
                black_box(&snap.model),
                text,
                &snap.line_index,
                Encoding::Utf16,
            )
        })
    });
    c.bench_function("outline/Dockerfile.big", |b| {
        b.iter(|| symbols::outline(black_box(&snap.model), text))
    });
    c.bench_function("workspace_symbols/Dockerfile.big", |b| {
        b.iter(|| symbols::workspace_symbols(black_box(&snap.model), text, "build"))
    });
    c.bench_function("document_links/Dockerfile.big", |b| {
        b.iter(|| links::document_links(black_box(&snap.model), text, &[]))
    });
    c.bench_function("inlay_hints/Dockerfile.big", |b| {
        b.iter(|| {
            inlay_hints::inlay_hints(black_box(&snap.model), text, Span::new(0, text.len()), &[])
        })
    });
    // references of the last stage's name, or of the first variable
    let offset = snap
        .model
        .stages
        .iter()
        .rev()
        .find_map(|s| s.name.as_ref().map(|n| n.span.start))
        .or_else(|| snap.model.vars.first().map(|v| v.name_span.start))
        .unwrap_or(0);
    c.bench_function("references/Dockerfile.big", |b| {
        b.iter(|| navigation::references(black_box(&snap.model), text, offset, true))
    });
}

/// The fastest of `runs` single runs: on a shared, loaded machine the mean measures the
/// other processes as much as the code; the minimum is the run nobody interrupted.
fn fastest<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn fastest_runs(_: &mut Criterion) {
    let text = big();
    let snap = Snapshot::from_text(&text);
    let text: &str = &snap.text;
    let symbols = fastest(300, || {
        symbols::document_symbols(&snap.model, text, &snap.line_index, Encoding::Utf16)
    });
    let links = fastest(300, || links::document_links(&snap.model, text, &[]));
    let hints = fastest(300, || {
        inlay_hints::inlay_hints(&snap.model, text, Span::new(0, text.len()), &[])
    });
    println!(
        "fastest of 300 on Dockerfile.big ({} lines): document_symbols {symbols:?}, document_links {links:?}, inlay_hints {hints:?}",
        snap.line_index.line_count()
    );
}

criterion_group!(benches, fastest_runs, structure);
criterion_main!(benches);
