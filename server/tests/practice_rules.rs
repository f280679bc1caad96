//! The best-practice rules over the real-world corpus: no error-severity finding, and a
//! per-rule count (run with `--nocapture` to see it, `PRACTICE_SHOW=RuleId` to print the
//! findings of one rule).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dockerfile_ls::rules::{practice, Ctx, Finding, Severity};

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/corpus/real");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "SOURCES.md"))
        .collect();
    files.sort();
    files
}

fn check_all(text: &str, on_disk: bool) -> Vec<Finding> {
    let model = dockerfile_ls::model::build(text);
    let ctx = Ctx {
        model: &model,
        text,
        build_args: &[],
        dockerignore: None,
        on_disk,
        scope: None,
    };
    let mut out = Vec::new();
    for rule in practice::RULES {
        (rule.check)(&ctx, &mut out);
    }
    out
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map(|t| t.matches('\n').count() + 1)
        .unwrap_or(0)
}

#[test]
fn corpus_has_no_errors_and_counts_per_rule() {
    let files = corpus();
    assert!(files.len() >= 60, "corpus not found");
    let show = std::env::var("PRACTICE_SHOW").ok();
    let mut counts: BTreeMap<&str, usize> = practice::RULES.iter().map(|r| (r.id, 0)).collect();
    let mut errors = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read corpus file");
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        for f in check_all(&text, false) {
            *counts.entry(f.rule).or_default() += 1;
            let snippet = text
                .get(f.span.start..f.span.end.min(f.span.start + 80))
                .unwrap_or("");
            if f.severity == Severity::Error {
                errors.push(format!(
                    "{name}:{}: {} {}: {snippet}",
                    line_of(&text, f.span.start),
                    f.rule,
                    f.message
                ));
            }
            if show.as_deref().is_some_and(|s| s == f.rule || s == "all") {
                println!(
                    "{name}:{}: {} [{}] {} | {snippet}",
                    line_of(&text, f.span.start),
                    f.rule,
                    f.severity.as_str(),
                    f.message
                );
            }
            // Spans are inside the text and on character boundaries.
            assert!(
                text.get(f.span.start..f.span.end).is_some(),
                "{name}: bad span {:?}",
                f.span
            );
        }
    }
    println!("practice findings over {} corpus files:", files.len());
    for (rule, n) in &counts {
        println!("{n:6}  {rule}");
    }
    assert!(
        errors.is_empty(),
        "error-severity findings on the corpus:\n{}",
        errors.join("\n")
    );
}

#[test]
fn fixes_keep_the_corpus_parseable() {
    for path in corpus() {
        let text = std::fs::read_to_string(&path).expect("read corpus file");
        let before = dockerfile_ls::model::build(&text).errors.len();
        for f in check_all(&text, true) {
            let Some(fix) = &f.fix else { continue };
            let mut edits = fix.edits.clone();
            edits.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
            let mut fixed = text.clone();
            for e in edits {
                assert!(
                    fixed.get(e.span.start..e.span.end).is_some(),
                    "{}: bad edit span",
                    f.rule
                );
                fixed.replace_range(e.span.start..e.span.end, &e.new_text);
            }
            let after = dockerfile_ls::model::build(&fixed).errors.len();
            assert!(
                after <= before,
                "{}: fix of {} adds parse errors in {}",
                f.rule,
                f.rule,
                path.display()
            );
        }
    }
}

#[test]
fn bench_file_is_fast_enough() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/bench/Dockerfile.big");
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    let model = dockerfile_ls::model::build(&text);
    let ctx = Ctx {
        model: &model,
        text: &text,
        build_args: &[],
        dockerignore: None,
        on_disk: false,
        scope: None,
    };
    let run_all = || {
        let mut out = Vec::new();
        for rule in practice::RULES {
            (rule.check)(&ctx, &mut out);
        }
        out
    };
    // Cold (parses every RUN), then warm (cached analysis): the best of several runs, since
    // the machine may be busy.
    let start = std::time::Instant::now();
    let cold_out = run_all();
    let cold = start.elapsed();
    let mut warm = std::time::Duration::MAX;
    for _ in 0..10 {
        let start = std::time::Instant::now();
        let out = run_all();
        warm = warm.min(start.elapsed());
        assert_eq!(out, cold_out);
    }
    println!(
        "bench file: {} findings, cold {cold:?}, warm {warm:?}",
        cold_out.len()
    );
    // After a one-character edit in the middle: only the changed RUN is parsed again.
    let mid = text.len() / 2;
    let line = text[..mid].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let mut edited = text.clone();
    edited.insert(line, ' ');
    let edited_model = dockerfile_ls::model::build(&edited);
    let start = std::time::Instant::now();
    std::hint::black_box(dockerfile_ls::rules::shell::scripts(&edited_model, &edited));
    println!(
        "  shell analysis after a 1-char edit: {:?}",
        start.elapsed()
    );
    // All rules through the engine (BuildKit's checks and the others included), warm.
    let opts = dockerfile_ls::rules::CheckOptions::default();
    let mut all = std::time::Duration::MAX;
    for _ in 0..10 {
        let start = std::time::Instant::now();
        std::hint::black_box(dockerfile_ls::rules::check(&model, &text, &opts));
        all = all.min(start.elapsed());
    }
    println!("  all rules through rules::check, warm: {all:?}");
    let mut per_rule: Vec<(std::time::Duration, &str)> = practice::RULES
        .iter()
        .map(|rule| {
            let mut best = std::time::Duration::MAX;
            for _ in 0..10 {
                let start = std::time::Instant::now();
                let mut v = Vec::new();
                (rule.check)(&ctx, &mut v);
                best = best.min(start.elapsed());
            }
            (best, rule.id)
        })
        .collect();
    per_rule.sort();
    for (d, id) in per_rule.iter().rev().take(10) {
        println!("  {d:?}  {id}");
    }
}

/// Every Dockerfile of the fixtures, whole and cut at many places (unterminated heredocs,
/// dangling continuations, half words): the rules never panic and spans stay in the text.
#[test]
fn no_panics_on_fixtures_and_truncations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains("Dockerfile"))
            {
                files.push(p);
            }
        }
    }
    assert!(!files.is_empty());
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if text.len() > 50_000 {
            continue;
        }
        let mut cuts: Vec<usize> = (0..text.len()).step_by(97.max(text.len() / 12)).collect();
        cuts.push(text.len());
        for cut in cuts {
            let Some(t) = text.get(..cut) else { continue };
            for variant in [t.to_string(), format!("{t}\\"), format!("{t}<<EOF\n")] {
                for f in check_all(&variant, true) {
                    assert!(
                        variant.get(f.span.start..f.span.end).is_some(),
                        "{}: {} span {:?} outside the text",
                        path.display(),
                        f.rule,
                        f.span
                    );
                }
            }
        }
    }
}

/// Well-written Dockerfiles of the usual kinds: nothing to report (but the root user hint
/// where the final stage has no USER).
#[test]
fn good_dockerfiles_are_quiet() {
    let cases: &[(&str, &[&str])] = &[
        (
            "FROM node:20-alpine AS deps\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\n\nFROM node:20-alpine AS build\nWORKDIR /app\nCOPY --from=deps /app/node_modules ./node_modules\nCOPY . .\nRUN npm run build\n\nFROM node:20-alpine\nWORKDIR /app\nENV NODE_ENV=production\nCOPY --from=build /app/dist ./dist\nCOPY --from=deps /app/node_modules ./node_modules\nUSER node\nCMD [\"node\", \"dist/index.js\"]\n",
            &[],
        ),
        (
            "FROM python:3.12-slim\nWORKDIR /app\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential \\\n    && rm -rf /var/lib/apt/lists/*\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n",
            &["RootUser"],
        ),
        (
            "# syntax=docker/dockerfile:1\nFROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \\\n    CGO_ENABLED=0 go build -o /out/app ./cmd/app\n\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out/app /app\nENTRYPOINT [\"/app\"]\n",
            &[],
        ),
        (
            "FROM alpine:3.20\nRUN apk add --no-cache ca-certificates tzdata \\\n    && addgroup -S app && adduser -S -G app app\nCOPY --chmod=0755 app /usr/local/bin/app\nUSER app\nENTRYPOINT [\"app\"]\n",
            &[],
        ),
        (
            "FROM debian:bookworm-slim\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends curl ca-certificates \\\n && curl -fsSL https://example.com/x.tgz | tar -xz -C /opt \\\n && rm -rf /var/lib/apt/lists/*\nUSER nobody\n",
            &[],
        ),
    ];
    for (text, expected) in cases {
        let found: Vec<&str> = check_all(text, false)
            .iter()
            .map(|f| f.rule)
            .filter(|id| {
                !practice::RULES
                    .iter()
                    .any(|r| r.id == *id && r.experimental)
            })
            .collect();
        assert_eq!(&found, expected, "{text}");
    }
}

/// Classic mistakes, each reported by the rule made for it.
#[test]
fn classic_mistakes_are_reported() {
    let cases: &[(&str, &[&str])] = &[
        (
            "FROM node:latest\nCOPY . .\nRUN npm install\nCMD [\"npm\", \"start\"]\n",
            &["LatestTag", "CacheBustingCopy", "CopyRelativeWithoutWorkdir", "RootUser", "MissingDockerignore", "NodeCacheNotCleaned"],
        ),
        (
            "FROM ubuntu\nRUN apt-get update\nRUN apt-get install python3\nRUN cd /app\nADD app.py /app/\nUSER root\n",
            &["UntaggedImage", "AptUpdateAlone", "AptListsNotRemoved", "MissingAssumeYes", "AptNoInstallRecommends", "CdInsteadOfWorkdir", "AddInsteadOfCopy", "RootUser"],
        ),
        (
            "FROM golang:1.22 AS build\nCOPY . /src\nRUN cd /src && go build -o /app\nFROM alpine:3.20\nCOPY --from=biuld /app /app\nCOPY --from=build / /\n",
            &["UnknownStage", "CopyWholeStage", "RootUser", "MissingDockerignore"],
        ),
    ];
    for (text, expected) in cases {
        let mut found: Vec<&str> = check_all(text, true)
            .iter()
            .map(|f| f.rule)
            .filter(|id| {
                !practice::RULES
                    .iter()
                    .any(|r| r.id == *id && r.experimental)
            })
            .collect();
        found.sort();
        found.dedup();
        let mut expected = expected.to_vec();
        expected.sort();
        assert_eq!(found, expected, "{text}");
    }
}
