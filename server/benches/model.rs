//! `model::build` on the bench inputs: the 5,000-line synthetic file and a 60-line real one.
//! Run with `cargo bench -p dockerfile-ls --bench model`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use dockerfile_ls::model;
use std::path::Path;

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

criterion_group!(benches, bench);
criterion_main!(benches);
