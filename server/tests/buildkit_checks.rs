//! BuildKit's build-check conformance cases (tests/fixtures/buildkit-checks): every case's
//! Dockerfile goes through `rules::check` with the case's build arguments,
//! `BUILDKIT_DOCKERFILE_CHECK` and `.dockerignore`; the BuildKit-check findings must equal
//! the expected (rule, line, message) set.
//!
//! BuildKit's InvalidBaseImagePlatform check has no case here: it needs an image pulled
//! from a registry whose platform differs from the build's, which the text cannot tell
//! (see the fixtures' SKIPPED.md).

use dockerfile_ls::rules::{self, CheckOptions};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Checks that cannot be decided offline, with the reason.
const SKIPPED_RULES: &[(&str, &str)] = &[(
    "InvalidBaseImagePlatform",
    "compares the platform of the base image pulled from a registry with the target platform",
)];

const REQUIRED_PASSES: usize = 86;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/buildkit-checks")
}

type Key = (String, usize, String);

fn expected(dir: &Path) -> BTreeSet<Key> {
    let text = std::fs::read_to_string(dir.join("expected.json"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let v: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|w| {
                    Some((
                        w.get("rule")?.as_str()?.to_string(),
                        usize::try_from(w.get("line")?.as_u64()?).ok()?,
                        w.get("message")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn options(dir: &Path) -> CheckOptions {
    let mut opts = CheckOptions::default();
    if let Ok(text) = std::fs::read_to_string(dir.join("meta.json")) {
        let meta: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        if let Some(attrs) = meta.get("FrontendAttrs").and_then(|a| a.as_object()) {
            for (k, v) in attrs {
                let Some(name) = k.strip_prefix("build-arg:") else {
                    continue;
                };
                let value = v.as_str().unwrap_or_default().to_string();
                if name == "BUILDKIT_DOCKERFILE_CHECK" {
                    opts.buildkit_check = Some(value);
                } else {
                    opts.build_args.push((name.to_string(), value));
                }
            }
        }
    }
    opts.dockerignore = std::fs::read_to_string(dir.join("dockerignore")).ok();
    opts.on_disk = true;
    opts
}

fn actual(text: &str, opts: &CheckOptions) -> BTreeSet<Key> {
    let model = dockerfile_ls::model::build(text);
    rules::check(&model, text, opts)
        .into_iter()
        .filter(|f| rules::find(f.rule).is_some_and(|r| r.buildkit))
        .map(|f| {
            let line = text
                .get(..f.span.start)
                .map_or(0, |s| s.matches('\n').count())
                + 1;
            (f.rule.to_string(), line, f.message)
        })
        .collect()
}

#[test]
fn buildkit_check_cases() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap_or_else(|e| panic!("{}: {e}", fixtures().display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Dockerfile").is_file())
        .collect();
    dirs.sort();
    for (rule, why) in SKIPPED_RULES {
        println!("skipped rule {rule}: {why}");
    }
    let mut passed = 0;
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        let text = std::fs::read_to_string(dir.join("Dockerfile")).unwrap_or_default();
        let want = expected(dir);
        let got = actual(&text, &options(dir));
        if want == got {
            passed += 1;
            println!("ok   {name}");
        } else {
            let missing: Vec<_> = want.difference(&got).collect();
            let extra: Vec<_> = got.difference(&want).collect();
            println!("FAIL {name}\n     missing: {missing:?}\n     extra:   {extra:?}");
            failures.push(name);
        }
    }
    println!(
        "\nBuildKit check conformance: {passed}/{} cases",
        dirs.len()
    );
    assert_eq!(dirs.len(), 87, "expected 87 cases");
    assert!(
        passed >= REQUIRED_PASSES,
        "{passed}/{} cases pass, need {REQUIRED_PASSES}; failing: {failures:?}",
        dirs.len()
    );
}
