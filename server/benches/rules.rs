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

/// The fastest of `n` runs, in microseconds (robust to a busy machine).
fn min_us(n: usize, mut f: impl FnMut()) -> f64 {
    (0..n)
        .map(|_| {
            let start = std::time::Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e6
        })
        .fold(f64::INFINITY, f64::min)
}

/// Not a criterion measurement: the fastest run of `rules::check` and of each rule,
/// printed once so that a regression points at its rule.
fn per_rule(_c: &mut Criterion) {
    let model = dockerfile_ls::model::build(BIG);
    let ignore = "*.md\n";
    let opts = CheckOptions {
        on_disk: true,
        dockerignore: Some(ignore.into()),
        ..CheckOptions::default()
    };
    let findings = rules::check(&model, BIG, &opts);
    let whole = min_us(50, || {
        black_box(rules::check(black_box(&model), BIG, &opts).len());
    });
    println!(
        "rules::check Dockerfile.big: fastest of 50 runs {whole:.0} µs, {} findings",
        findings.len()
    );
    let ctx = Ctx {
        model: &model,
        text: BIG,
        build_args: &[],
        dockerignore: Some(ignore),
        on_disk: true,
    };
    let mut times: Vec<(f64, &str)> = rules::registry()
        .map(|r| {
            let t = min_us(20, || {
                let mut out = Vec::new();
                (r.check)(black_box(&ctx), &mut out);
                black_box(out.len());
            });
            (t, r.id)
        })
        .collect();
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    let globals = rules::buildkit::common::Globals::new(&ctx);
    let walk_only = min_us(20, || {
        let mut n = 0usize;
        rules::buildkit::common::walk_stages(&model, &globals, |_, _, _, env| n += env.vars.len());
        black_box(n);
    });
    println!("stage walk without checks: {walk_only:.0} µs");
    let ignore_parsed = rules::dockerignore::DockerIgnore::parse(ignore);
    let has_dollar: Vec<bool> = model
        .instructions
        .iter()
        .map(|i| {
            BIG.get(i.span.start..i.span.end)
                .is_some_and(|t| t.contains('$'))
        })
        .collect();
    let walk = rules::buildkit::common::Walk {
        ctx: &ctx,
        globals: &globals,
        dockerignore: Some(&ignore_parsed),
        escape: '\\',
        has_dollar,
    };
    for (id, visit) in rules::buildkit::WALKERS {
        let t = min_us(20, || {
            let mut out = Vec::new();
            rules::buildkit::common::walk_stages(&model, &globals, |_, idx, ins, env| {
                visit(&walk, idx, ins, env, &mut out)
            });
            black_box(out.len());
        });
        println!("  walk + {id}: {t:.0} µs");
    }
    println!(
        "per rule, run alone (the dispatch-based BuildKit checks each pay for the shared walk):"
    );
    for (t, id) in times.iter().take(12) {
        println!("  {t:>8.1} µs  {id}");
    }
}

fn shared_walk(c: &mut Criterion) {
    let model = dockerfile_ls::model::build(BIG);
    let ctx = Ctx {
        model: &model,
        text: BIG,
        build_args: &[],
        dockerignore: None,
        on_disk: true,
    };
    let rule = rules::find("JSONArgsRecommended");
    c.bench_function(
        "shared stage walk (one dispatch-based check), Dockerfile.big",
        |b| {
            b.iter(|| {
                let mut out = Vec::new();
                if let Some(r) = rule {
                    (r.check)(black_box(&ctx), &mut out);
                }
                black_box(out.len())
            })
        },
    );
}

criterion_group!(benches, per_rule, all_rules, buildkit_rules, shared_walk);
criterion_main!(benches);
