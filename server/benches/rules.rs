//! All rules on the 5,000-line Dockerfile (model built once, outside the measurement).
//! Target: under 2 ms. Also the BuildKit checks alone and the model build, for scale.
//!
//! Profiling (instruction counts): with `DFLS_PROFILE=<what>` set, the bench binary skips
//! criterion and runs one workload `DFLS_PROFILE_N` times (default 10) for
//! `valgrind --tool=callgrind --toggle-collect='rules::<what>_check' target/release/deps/rules-<hash>`:
//! * `edit`: `rules::check_incremental` after an edit at the start of the big file's middle
//!   line (four letters naming the edit's number inserted), the model updated
//!   incrementally outside the measured function, caches warm (three edits first);
//! * `cold`: `rules::check` of the big file on a new thread each time (no cache);
//! * `dump`: every finding of each file named on standard input, one a line (to compare
//!   the findings of two versions).

use criterion::{black_box, criterion_group, Criterion};
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
        scope: None,
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
        scope: None,
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
        scope: None,
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

/// The big file with its middle line starting with edit `k`'s letter (as the model bench's
/// `steps` workload edits it: inserted at step 0, then replaced).
fn edited_text(k: usize) -> String {
    let mid = BIG.lines().count() / 2;
    let at: usize = BIG.split_inclusive('\n').take(mid).map(str::len).sum();
    let mut t = BIG.to_string();
    // Four letters naming `k`: no text repeats, so the memo cannot answer for free.
    let word: String = (0..4)
        .map(|i| char::from(b'a' + ((k / 26usize.pow(i)) % 26) as u8))
        .collect();
    t.insert_str(at, &word);
    t
}

#[inline(never)]
fn edit_check(model: &dockerfile_ls::model::Model, text: &str, opts: &CheckOptions) -> usize {
    rules::check_incremental(model, text, opts).len()
}

#[inline(never)]
fn cold_check(model: &dockerfile_ls::model::Model, text: &str, opts: &CheckOptions) -> usize {
    rules::check(model, text, opts).len()
}

fn profile(what: &str) {
    let n: usize = std::env::var("DFLS_PROFILE_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let opts = CheckOptions::default();
    match what {
        "edit" => {
            let mut text = BIG.to_string();
            let mut model = dockerfile_ls::model::build(&text);
            black_box(rules::check_incremental(&model, &text, &opts).len());
            for k in 0..n + 3 {
                let next = edited_text(k);
                model = dockerfile_ls::model::rebuild(model, &text, &next);
                text = next;
                if k < 3 {
                    black_box(rules::check_incremental(&model, &text, &opts).len());
                } else {
                    black_box(edit_check(&model, &text, &opts));
                }
            }
        }
        "cold" => {
            let model = dockerfile_ls::model::build(BIG);
            for _ in 0..n {
                std::thread::scope(|s| {
                    s.spawn(|| black_box(cold_check(&model, BIG, &opts)));
                });
            }
        }
        "dump" => {
            // Every finding of each file named on standard input (to compare versions).
            for path in std::io::stdin().lines().map_while(Result::ok) {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let model = dockerfile_ls::model::build(&text);
                for f in rules::check(&model, &text, &opts) {
                    println!("{path}\t{f:?}");
                }
            }
        }
        other => panic!("DFLS_PROFILE={other}: expected edit, cold or dump"),
    }
}

criterion_group!(benches, per_rule, all_rules, buildkit_rules, shared_walk);

fn main() {
    if let Ok(what) = std::env::var("DFLS_PROFILE") {
        profile(&what);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
