//! `model::build` on the bench inputs: the 5,000-line synthetic file and a 60-line real one.
//! Run with `cargo bench -p dockerfile-ls --bench model`.
//!
//! Profiling (instruction counts, repeatable on a loaded machine): with
//! `DFLS_PROFILE=<what>` set, the bench binary skips criterion and runs one workload
//! `DFLS_PROFILE_N` times (default 1), so that
//! `valgrind --tool=callgrind target/release/deps/model-<hash>` counts exactly it:
//! * `build`: `model::build` on Dockerfile.big (the model dropped too);
//! * `open`: Dockerfile.big opened in a `DocumentStore` and analysed, as on `didOpen`
//!   (the parse runs on a second thread beside the model, rules and line index: give
//!   callgrind no `--toggle-collect`, or `--toggle-collect=model::open_loop` with
//!   `--separate-threads=yes` for the main thread alone);
//! * `edit`: open Dockerfile.big in a `DocumentStore` (not counted when
//!   `--toggle-collect=model::edit_loop` is given), then one-character edits at the start
//!   of its middle line (four letters inserted, then replaced by the next four: no text
//!   repeats, so no remembered result answers for free), each
//!   followed by the analysis (incremental parse beside model and rules), the findings
//!   serialized as a `publishDiagnostics` notification, and the snapshot kept, as the
//!   server's analysis worker does;
//! * `update`: `model::update` after a one-character edit in the middle of Dockerfile.big
//!   (alternately inserted and removed), the first build not counted with
//!   `--toggle-collect=model::update_loop`;
//! * `steps`: the same edits as `edit`, through a `Document`, with every stage of the
//!   analysis in its own function (`step_*`, never inlined, so that callgrind's inclusive
//!   counts give the breakdown; the re-parse, which the store's analysis runs on another
//!   thread, is `step_parse`), the snapshot assembled as `Snapshot::build` does, and the
//!   model and line index of the snapshot before the previous one updated
//!   (`model::rebuild`, `LineIndex::rebuild`), as the document store does;
//! * `rules`: `rules::check` on a model of Dockerfile.big.

use criterion::{black_box, criterion_group, BatchSize, Criterion};
use dockerfile_ls::document::{
    Change, Document, DocumentStore, Encoding, LineCol, LineIndex, Snapshot, TreeSlot,
};
use dockerfile_ls::lsp::convert;
use dockerfile_ls::model;
use dockerfile_ls::rules::{self, CheckOptions, Finding};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use tower_lsp_server::ls_types::Uri;

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

/// One-character edits in the middle of the big file, each analysed and its diagnostics
/// serialized (what the server does between `didChange` and `publishDiagnostics`).
#[inline(never)]
fn edit_loop(store: &mut DocumentStore, uri: &str, line: u32, n: usize) -> usize {
    let lsp_uri = Uri::from_str(uri).expect("uri");
    let mut total = 0;
    for k in 0..n {
        // Insert four letters, then replace them with the next four: no version repeats the
        // one two edits before it (which an incremental update could start from).
        let change = letter_change(line, k);
        let _ = store.change(
            uri,
            k as i32 + 2,
            std::slice::from_ref(&change),
            Encoding::Utf16,
        );
        // As the server's analysis: findings, their publication, then the snapshot kept.
        let Some(pending) = store.pending(uri) else {
            continue;
        };
        let (key, revision, analysed) = pending.analyse();
        let body = convert::publish_diagnostics(analysed.diagnosed(), &lsp_uri, Encoding::Utf16);
        total += black_box(body).len();
        store.offer(&key, revision, Arc::new(analysed.finish()));
    }
    total
}

/// `n` opens of `text` in `store`, each analysed (what the server does between `didOpen`
/// and `publishDiagnostics`, but the conversion).
#[inline(never)]
fn open_loop(store: &mut DocumentStore, text: &str, n: usize) -> usize {
    let uri = "file:///bench/Dockerfile";
    let mut total = 0;
    for _ in 0..n {
        store.open(uri, text, 1, None, Arc::new(Default::default()));
        total += store
            .snapshot(uri)
            .map_or(0, |s| black_box(s.findings.len()));
    }
    total
}

/// The edit of `edit_loop`'s step `k`.
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

#[inline(never)]
fn step_edit(doc: &mut Document, change: &Change) {
    doc.apply_changes(std::slice::from_ref(change), Encoding::Utf16);
}

/// The incremental re-parse (the analysis does it beside the model and the rules).
#[inline(never)]
fn step_parse(doc: &Document) -> tree_sitter::Tree {
    doc.tree().clone()
}

#[inline(never)]
fn step_text(doc: &mut Document) -> Arc<str> {
    doc.text()
}

#[inline(never)]
fn step_model(base: Option<(&str, model::Model)>, text: &str) -> model::Model {
    match base {
        Some((old_text, old)) => model::rebuild(old, old_text, text),
        None => model::build(text),
    }
}

#[inline(never)]
fn step_rules(m: &model::Model, text: &str, opts: &CheckOptions) -> Vec<Finding> {
    rules::check_incremental(m, text, opts)
}

#[inline(never)]
fn step_line_index(base: Option<(&str, LineIndex)>, text: &str) -> LineIndex {
    match base {
        Some((old_text, old)) => old.rebuild(old_text, text),
        None => LineIndex::new(text),
    }
}

#[inline(never)]
fn step_diagnostics(snap: &Snapshot, uri: &Uri) -> Vec<u8> {
    convert::publish_diagnostics(snap.diagnosed(), uri, Encoding::Utf16)
}

#[inline(never)]
fn step_drop_diagnostics(d: Vec<u8>) {
    drop(black_box(d));
}

/// The old snapshot's model kept for the next update, the rest of it dropped.
#[inline(never)]
fn step_recycle(old: Snapshot) -> Spare {
    Spare {
        text: old.text,
        model: old.model,
        line_index: old.line_index,
    }
}

/// What the store keeps of a replaced snapshot for the next analysis to update.
struct Spare {
    text: Arc<str>,
    model: model::Model,
    line_index: LineIndex,
}

/// The analysis pipeline of one document, as the server runs it after each edit.
struct Pipeline {
    doc: Document,
    line: u32,
    uri: Uri,
    options: Arc<CheckOptions>,
    /// The current snapshot, and the model (with its text) of the one before it.
    prev: Option<Snapshot>,
    spare: Option<Spare>,
    steps: usize,
}

impl Pipeline {
    fn new(text: &str) -> Pipeline {
        Pipeline {
            doc: Document::new(text, 1),
            line: (text.lines().count() / 2) as u32,
            uri: Uri::from_str("file:///bench/Dockerfile").expect("uri"),
            options: Arc::new(CheckOptions::default()),
            prev: None,
            spare: None,
            steps: 0,
        }
    }

    /// One edit and its analysis; the number of diagnostics.
    fn step(&mut self) -> usize {
        let k = self.steps;
        self.steps += 1;
        step_edit(&mut self.doc, &letter_change(self.line, k));
        let tree = step_parse(&self.doc);
        let text = step_text(&mut self.doc);
        let (model, line_index) = match self.spare.take() {
            Some(old) => (
                step_model(Some((&old.text, old.model)), &text),
                step_line_index(Some((&old.text, old.line_index)), &text),
            ),
            None => (step_model(None, &text), step_line_index(None, &text)),
        };
        let findings = step_rules(&model, &text, &self.options);
        let snap = Snapshot {
            version: k as i32 + 2,
            text,
            line_index,
            tree: TreeSlot::ready(tree),
            model,
            findings,
            path: None,
            options: self.options.clone(),
        };
        let diags = step_diagnostics(&snap, &self.uri);
        let n = diags.len();
        step_drop_diagnostics(diags);
        if let Some(old) = self.prev.replace(snap) {
            self.spare = Some(step_recycle(old));
        }
        n
    }
}

/// `n` steps of a pipeline that has already run some (the rules' caches and the recycled
/// model are warm, as in a server that has the document open).
#[inline(never)]
fn steps_loop(p: &mut Pipeline, n: usize) -> usize {
    (0..n).map(|_| p.step()).sum()
}

/// `n` cold builds and checks, as the server's open runs them (see `profile`'s `alone`).
#[inline(never)]
fn alone_loop(text: &str, n: usize) -> usize {
    let opts = CheckOptions::default();
    (0..n)
        .map(|_| {
            let m = model::build(text);
            let (found, _remembering) = rules::check_then_remember(&m, text, &opts);
            found.len()
        })
        .sum()
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
            black_box(open_loop(&mut DocumentStore::new(), &big, n));
        }
        "edit" => {
            let uri = "file:///bench/Dockerfile";
            let mut store = DocumentStore::new();
            store.open(uri, &big, 1, None, Arc::new(Default::default()));
            black_box(store.snapshot(uri));
            let line = (big.lines().count() / 2) as u32;
            black_box(edit_loop(&mut store, uri, line, n));
        }
        "steps" => {
            let mut p = Pipeline::new(&big);
            for _ in 0..3 {
                black_box(p.step());
            }
            black_box(steps_loop(&mut p, n));
        }
        "update" => {
            let (a, b) = edited(&big);
            let mut m = model::build(&a);
            update_loop(&mut m, &a, &b, n);
        }
        "alone" => {
            // The server's open: its analysis thread builds and checks alone, the tree
            // parsed later; collect with `--toggle-collect='model::alone_loop'`.
            dockerfile_ls::threads::work_alone();
            black_box(alone_loop(&big, n));
        }
        "rules" => {
            let m = model::build(&big);
            let opts = dockerfile_ls::rules::CheckOptions::default();
            for _ in 0..n {
                black_box(dockerfile_ls::rules::check(&m, &big, &opts).len());
            }
        }
        other => panic!(
            "DFLS_PROFILE={other}: expected build, alone, open, edit, steps, update or rules"
        ),
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
