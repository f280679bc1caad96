//! Every registered rule documents itself with a Dockerfile that triggers it (`bad`) and
//! its correction (`good`); both are run here. `docs/rules.md` is generated from the
//! registry and must be up to date:
//!
//!     UPDATE_DOCS=1 cargo test -p dockerfile-ls --test rule_docs
//!
//! rewrites it. Also: no rule reports an error on the real-world corpus.

use dockerfile_ls::config::Config;
use dockerfile_ls::rules::{self, CheckOptions, Finding, Rule, Severity};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The option sets an example is tried with: in memory, on disk without a
/// `.dockerignore`, on disk with one that ignores `Dockerfile`.
fn variants(rule: &Rule) -> Vec<CheckOptions> {
    let mut config = Config::default();
    // Enabled explicitly, so that experimental rules run too.
    config
        .rules
        .insert(rule.id.to_string(), Some(rule.severity));
    let base = CheckOptions {
        config,
        ..CheckOptions::default()
    };
    vec![
        base.clone(),
        CheckOptions {
            on_disk: true,
            ..base.clone()
        },
        CheckOptions {
            on_disk: true,
            dockerignore: Some(
                rules::buildkit::copy_ignored_file::EXAMPLE_DOCKERIGNORE.to_string(),
            ),
            ..base
        },
    ]
}

fn run(text: &str, opts: &CheckOptions) -> Vec<Finding> {
    let model = dockerfile_ls::model::build(text);
    rules::check(&model, text, opts)
}

#[test]
fn every_rule_has_docs_and_examples() {
    let mut problems = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for rule in rules::registry() {
        if !ids.insert(rule.id) {
            problems.push(format!("{}: registered twice", rule.id));
        }
        if rule.summary.trim().is_empty() || rule.docs.trim().is_empty() {
            problems.push(format!("{}: empty summary or docs", rule.id));
        }
        if rule.bad.trim().is_empty() || rule.good.trim().is_empty() {
            problems.push(format!("{}: missing bad or good example", rule.id));
            continue;
        }
        let fired =
            |text: &str, opts: &CheckOptions| run(text, opts).iter().any(|f| f.rule == rule.id);
        match variants(rule).iter().find(|o| fired(rule.bad, o)) {
            None => problems.push(format!("{}: the bad example does not trigger it", rule.id)),
            Some(opts) => {
                if fired(rule.good, opts) {
                    let found: Vec<String> = run(rule.good, opts)
                        .into_iter()
                        .filter(|f| f.rule == rule.id)
                        .map(|f| f.message.to_string())
                        .collect();
                    problems.push(format!(
                        "{}: the good example triggers it: {found:?}",
                        rule.id
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "rule documentation problems:\n{}",
        problems.join("\n")
    );
}

#[test]
fn aliases_and_lookup() {
    for rule in rules::registry() {
        assert!(
            rules::find(rule.id).is_some_and(|r| r.id == rule.id),
            "{}",
            rule.id
        );
        for a in rule.aliases {
            assert!(rules::find(a).is_some(), "alias {a} of {}", rule.id);
        }
    }
    assert_eq!(
        rules::find("DL3025").map(|r| r.id),
        Some("JSONArgsRecommended")
    );
    assert_eq!(
        rules::find("dl4000").map(|r| r.id),
        Some("MaintainerDeprecated")
    );
    assert!(rules::find("NoSuchRule").is_none());
}

#[test]
fn docs_rules_md_is_up_to_date() {
    let path = root().join("docs/rules.md");
    let mut generated = rules::rules_markdown();
    generated.push('\n');
    for rule in rules::registry() {
        let heading = format!("\n## {}\n", rule.id);
        assert!(generated.contains(&heading), "no section for {}", rule.id);
        let link = format!("(#{})", rule.id.to_ascii_lowercase());
        assert!(generated.contains(&link), "no index link for {}", rule.id);
    }
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "docs/rules.md is out of date; regenerate it with\n    UPDATE_DOCS=1 cargo test -p dockerfile-ls --test rule_docs"
    );
}

#[test]
fn real_corpus_has_no_errors() {
    let dir = root().join("tests/fixtures/corpus/real");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "Dockerfile")
                || p.file_name().is_some_and(|n| n == "Dockerfile")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut errors = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let opts = CheckOptions {
            on_disk: true,
            ..CheckOptions::default()
        };
        for finding in run(&text, &opts) {
            if finding.severity == Severity::Error {
                let line = text
                    .get(..finding.span.start)
                    .map_or(0, |s| s.matches('\n').count())
                    + 1;
                errors.push(format!(
                    "{}:{line}: {}: {}",
                    f.file_name().and_then(|n| n.to_str()).unwrap_or("?"),
                    finding.rule,
                    finding.message
                ));
            }
        }
    }
    println!("{} corpus files checked", files.len());
    assert!(
        errors.is_empty(),
        "error findings on real Dockerfiles:\n{}",
        errors.join("\n")
    );
}

/// Apply a fix's edits (non-overlapping) to `text`.
fn apply(text: &str, fix: &rules::Fix) -> String {
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    let mut out = text.to_string();
    for e in edits {
        if e.span.start <= e.span.end && e.span.end <= out.len() {
            out.replace_range(e.span.start..e.span.end, &e.new_text);
        }
    }
    out
}

#[test]
fn safe_fixes_resolve_their_finding() {
    let mut problems = Vec::new();
    let mut fixed = 0;
    for rule in rules::registry().filter(|r| r.buildkit || r.category == rules::Category::Syntax) {
        for opts in variants(rule) {
            let findings: Vec<Finding> = run(rule.bad, &opts)
                .into_iter()
                .filter(|f| f.rule == rule.id)
                .collect();
            for f in findings {
                let Some(fix) = f.fix.as_ref().filter(|x| x.safe) else {
                    continue;
                };
                let after = apply(rule.bad, fix);
                let before_count = run(rule.bad, &opts)
                    .iter()
                    .filter(|g| g.rule == rule.id)
                    .count();
                let after_findings = run(&after, &opts);
                let after_count = after_findings.iter().filter(|g| g.rule == rule.id).count();
                if after_count >= before_count {
                    problems.push(format!(
                        "{}: fix {:?} leaves the finding:\n{after}",
                        rule.id, fix.title
                    ));
                }
                if let Some(e) = after_findings
                    .iter()
                    .find(|g| g.severity == Severity::Error)
                {
                    problems.push(format!(
                        "{}: fix {:?} introduces {}: {}\n{after}",
                        rule.id, fix.title, e.rule, e.message
                    ));
                }
                fixed += 1;
            }
        }
    }
    println!("{fixed} safe fixes checked");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// Every prefix of every fixture (what an editor sees while typing) goes through all
/// rules without panicking.
#[test]
fn no_panic_on_partial_files() {
    let mut files = Vec::new();
    for dir in [
        "tests/fixtures/buildkit-checks",
        "tests/fixtures/buildkit-parser",
        "tests/fixtures/buildkit-parser-negative",
    ] {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path().join("Dockerfile");
            if let Ok(t) = std::fs::read_to_string(&p) {
                files.push(t);
            }
        }
    }
    assert!(!files.is_empty());
    let opts = CheckOptions {
        on_disk: true,
        dockerignore: Some("*\n".into()),
        build_args: vec![("VERSION".into(), "1".into())],
        ..CheckOptions::default()
    };
    let mut runs = 0;
    for text in &files {
        let cuts: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        for &cut in cuts.iter().step_by(3) {
            let _ = run(&text[..cut], &opts);
            runs += 1;
        }
    }
    println!("{runs} partial files checked");
}
