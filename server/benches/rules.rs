//! All rules on the 5,000-line Dockerfile (model built once, outside the measurement).
//! Target: under 2 ms. Also the BuildKit checks alone and the model build, for scale.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use dockerfile_ls::rules::{self, CheckOptions, Ctx};

const BIG: &str = include_str!("../../tests/fixtures/bench/Dockerfile.big");
const NODE: &str = include_str!("../../tests/fixtures/bench/Dockerfile.node");

fn all_rules(c: &mut Criterion) {
    let opts = CheckOptions {
        on_disk: true,
        ..CheckOptions::default()
    };
    let model = dockerfile_ls::model::build(BIG);
    c.bench_function("rules::check Dockerfile.big (all rules)", |b| {
        b.iter(|| black_box(rules::check(black_box(&model), black_box(BIG), &opts).len()))
    });
    let node = dockerfile_ls::model::build(NODE);
    c.bench_function("rules::check Dockerfile.node (all rules)", |b| {
        b.iter(|| black_box(rules::check(black_box(&node), black_box(NODE), &opts).len()))
    });
}

fn buildkit_rules(c: &mut Criterion) {
    let model = dockerfile_ls::model::build(BIG);
    let ctx = Ctx {
        model: &model,
        text: BIG,
        build_args: &[],
        dockerignore: None,
        on_disk: true,
    };
    c.bench_function("BuildKit checks only, Dockerfile.big", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            for r in rules::buildkit::RULES {
                (r.check)(black_box(&ctx), &mut out);
            }
            black_box(out.len())
        })
    });
}

/// Not a criterion measurement: the average time of each rule, slowest first, printed
/// once so that a regression points at its rule.
fn per_rule(_c: &mut Criterion) {
    let model = dockerfile_ls::model::build(BIG);
    let ctx = Ctx {
        model: &model,
        text: BIG,
        build_args: &[],
        dockerignore: Some("*.md\n"),
        on_disk: true,
    };
    let mut times: Vec<(f64, &str)> = rules::registry()
        .map(|r| {
            let start = std::time::Instant::now();
            let n = 20;
            for _ in 0..n {
                let mut out = Vec::new();
                (r.check)(black_box(&ctx), &mut out);
                black_box(out.len());
            }
            (start.elapsed().as_secs_f64() * 1e6 / n as f64, r.id)
        })
        .collect();
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    let total: f64 = times.iter().map(|t| t.0).sum();
    let opts = CheckOptions {
        on_disk: true,
        dockerignore: Some("*.md\n".into()),
        ..CheckOptions::default()
    };
    let start = std::time::Instant::now();
    let findings = rules::check(&model, BIG, &opts);
    let whole = start.elapsed().as_secs_f64() * 1e6;
    let mut by_rule = std::collections::BTreeMap::new();
    for f in &findings {
        *by_rule.entry(f.rule).or_insert(0usize) += 1;
    }
    println!(
        "rules::check: {whole:.0} µs, {} findings: {by_rule:?}",
        findings.len()
    );
    println!("per-rule time on Dockerfile.big (total {total:.0} µs):");
    for (t, id) in times.iter().take(15) {
        println!("  {t:>9.1} µs  {id}");
    }
}

criterion_group!(benches, per_rule, all_rules, buildkit_rules);
criterion_main!(benches);
