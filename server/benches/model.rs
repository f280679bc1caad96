//! `model::build` on the bench inputs: the 5,000-line synthetic file and a 60-line real one.
//! Run with `cargo bench -p dockerfile-ls --bench model`.
//!
//! Profiling (instruction counts, repeatable on a loaded machine): with
//! `DFLS_PROFILE=<what>` set, the bench binary skips criterion and runs one workload
//! `DFLS_PROFILE_N` times (default 1), so that
//! `valgrind --tool=callgrind target/release/deps/model-<hash>` counts exactly it:
//! * `build`: `model::build` on Dockerfile.big (the model dropped too);
//! * `open`: `Snapshot::from_text` on Dockerfile.big (parse, model, rules, line index);
//! * `edit`: open Dockerfile.big in a `DocumentStore` (not counted when
//!   `--toggle-collect=model::edit_loop` is given), then one-character edits in the middle,
//!   each followed by the snapshot (incremental parse, model, rules) and the conversion of
//!   the findings to LSP diagnostics, as the server's analysis worker does;
//! * `update`: `model::update` after a one-character edit in the middle of Dockerfile.big
//!   (alternately inserted and removed), the first build not counted with
//!   `--toggle-collect=model::update_loop`;
//! * `rules`: `rules::check` on a model of Dockerfile.big.

use criterion::{black_box, criterion_group, BatchSize, Criterion};
use dockerfile_ls::document::{Change, DocumentStore, Encoding, LineCol, Snapshot};
use dockerfile_ls::model;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

fn input(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/bench")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn bench(c: &mut Criterion) {
    let big = input("Dockerfile.big");
    let node = input("Dockerfile.node");
    // The model is dropped outside the measurement (an old snapshot is dropped off the
    // request path); the second figure includes the drop.
    c.bench_function("model::build Dockerfile.big (5,000 lines)", |b| {
        b.iter_with_large_drop(|| model::build(black_box(&big)))
    });
    c.bench_function("model::build + drop Dockerfile.big", |b| {
        b.iter(|| model::build(black_box(&big)))
    });
    c.bench_function("model::build Dockerfile.node (60 lines)", |b| {
        b.iter_with_large_drop(|| model::build(black_box(&node)))
    });
    // The incremental update after a one-character edit in the middle of the file, from
    // a model of the text before it (the model is consumed: cloned outside the timing).
    let (a, b) = edited(&big);
    let ma = model::build(&a);
    c.bench_function(
        "model::rebuild after a 1-char edit, Dockerfile.big",
        |bench| {
            bench.iter_batched(
                || ma.clone(),
                |m| model::rebuild(m, black_box(&a), black_box(&b)),
                BatchSize::LargeInput,
            )
        },
    );
    let m = model::build(&big);
    let offset = big.len() / 2;
    c.bench_function("Model::vars_in_scope mid Dockerfile.big", |b| {
        b.iter(|| m.vars_in_scope(black_box(offset)).len())
    });
    c.bench_function("Model::resolve every use in Dockerfile.big", |b| {
        b.iter(|| {
            m.var_uses
                .iter()
                .filter_map(|u| m.resolve(&u.name, u.span.start, &[]))
                .count()
        })
    });
}

/// The text and the text with one character inserted at the start of its middle line.
fn edited(text: &str) -> (String, String) {
    let mid = text.lines().count() / 2;
    let at: usize = text.split_inclusive('\n').take(mid).map(str::len).sum();
    let mut b = text.to_string();
    b.insert(at, ' ');
    (text.to_string(), b)
}

/// `n` updates, alternately from `a` to `b` and back.
#[inline(never)]
fn update_loop(m: &mut model::Model, a: &str, b: &str, n: usize) {
    for k in 0..n {
        let (from, to) = if k % 2 == 0 { (a, b) } else { (b, a) };
        model::update(m, from, to);
        black_box(&*m);
    }
}

/// One-character edits in the middle of the big file, each analysed and converted to
/// diagnostics (what the server does between `didChange` and `publishDiagnostics`).
#[inline(never)]
fn edit_loop(store: &mut DocumentStore, uri: &str, line: u32, n: usize) -> usize {
    let lsp_uri = tower_lsp_server::ls_types::Uri::from_str(uri).expect("uri");
    let mut total = 0;
    for k in 0..n {
        let change = if k % 2 == 0 {
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
        let _ = store.change(
            uri,
            k as i32 + 2,
            std::slice::from_ref(&change),
            Encoding::Utf16,
        );
        if let Some(snap) = store.snapshot(uri) {
            let diags = dockerfile_ls::lsp::convert::diagnostics(&snap, &lsp_uri, Encoding::Utf16);
            total += black_box(diags).len();
        }
    }
    total
}

fn profile(what: &str) {
    let n: usize = std::env::var("DFLS_PROFILE_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let big = input("Dockerfile.big");
    match what {
        "build" => {
            for _ in 0..n {
                black_box(model::build(black_box(&big)));
            }
        }
        "open" => {
            for _ in 0..n {
                black_box(Snapshot::from_text(black_box(&big)).findings.len());
            }
        }
        "edit" => {
            let uri = "file:///bench/Dockerfile";
            let mut store = DocumentStore::new();
            store.open(uri, &big, 1, None, Arc::new(Default::default()));
            black_box(store.snapshot(uri));
            let line = (big.lines().count() / 2) as u32;
            black_box(edit_loop(&mut store, uri, line, n));
        }
        "update" => {
            let (a, b) = edited(&big);
            let mut m = model::build(&a);
            update_loop(&mut m, &a, &b, n);
        }
        "rules" => {
            let m = model::build(&big);
            let opts = dockerfile_ls::rules::CheckOptions::default();
            for _ in 0..n {
                black_box(dockerfile_ls::rules::check(&m, &big, &opts).len());
            }
        }
        other => panic!("DFLS_PROFILE={other}: expected build, open, edit, update or rules"),
    }
}

criterion_group!(benches, bench);

fn main() {
    if let Ok(what) = std::env::var("DFLS_PROFILE") {
        profile(&what);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
