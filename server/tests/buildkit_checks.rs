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
            (f.rule.to_string(), line, f.message.to_string())
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

/// A small deterministic generator (xorshift64*) for the edit sequences.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n.max(1)
    }
}

/// A random edit of `text`: an insertion of a line or of a few characters, or a deletion,
/// at a character boundary.
fn random_edit(rng: &mut Rng, text: &str) -> String {
    const LINES: &[&str] = &[
        "FROM alpine AS extra\n",
        "FROM extra\n",
        "ENV A=1 B=$A\n",
        "ARG VERSION=2\n",
        "WORKDIR rel/$VERSION\n",
        "COPY app-$VERSOIN.tgz .\n",
        "RUN apt-get update && apt-get install curl\n",
        "RUN cd /x && pip install flask | tee log\n",
        "CMD run --port 80\n",
        "EXPOSE 80/TCP\n",
        "SHELL [\"bash\", \"-c\"]\n",
        "# comment\n",
        "\n",
        "COPY --from=extra /a /b\n",
        "COPY --from=0 . .\n",
        "RUN --mount=type=cache,target=/root/.npm,from=extra npm ci\n",
        "FROM extra AS Extra2\n",
        "USER root\n",
        "# hadolint ignore=DL3008,MissingCacheMount\n",
        "# lspbench edit 1\n",
    ];
    const PIECES: &[&str] = &["a", "$", "\\\n", " ", "\"", "${X:-y}", "--from=x ", "\n"];
    let boundaries: Vec<usize> = (0..=text.len())
        .filter(|&i| text.is_char_boundary(i))
        .collect();
    let at = boundaries[rng.below(boundaries.len())];
    let mut out = text.to_string();
    match rng.below(3) {
        0 => {
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            out.insert_str(line_start, LINES[rng.below(LINES.len())]);
        }
        1 => out.insert_str(at, PIECES[rng.below(PIECES.len())]),
        _ => {
            let end = boundaries
                .iter()
                .copied()
                .filter(|&b| b >= at)
                .nth(1 + rng.below(8))
                .unwrap_or(at);
            out.replace_range(at..end, "");
        }
    }
    out
}

/// `rules::check` on a thread of its own: no cache of an earlier check can answer.
fn cold(text: &str, opts: &CheckOptions) -> Vec<rules::Finding> {
    std::thread::scope(|s| {
        s.spawn(|| {
            let model = dockerfile_ls::model::build(text);
            rules::check(&model, text, opts)
        })
        .join()
        .expect("cold check")
    })
}

/// The caches that let a check after an edit redo only what changed (shell analyses,
/// per-stage walks, per-instruction findings) give exactly the findings of a cold check,
/// over the real-world corpus, BuildKit's cases and the big bench file after random edits.
#[test]
fn incremental_checks_equal_cold_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let mut inputs: Vec<(PathBuf, String, CheckOptions)> = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("corpus/real"))
        .expect("corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        inputs.push((f, text, CheckOptions::default()));
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("cases")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Dockerfile").is_file())
        .collect();
    dirs.sort();
    for d in dirs {
        let text = std::fs::read_to_string(d.join("Dockerfile")).unwrap_or_default();
        let opts = options(&d);
        inputs.push((d, text, opts));
    }
    let big = root.join("bench/Dockerfile.big");
    let big_text = std::fs::read_to_string(&big).expect("Dockerfile.big");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut checked = 0;
    for (name, text, opts) in
        inputs
            .into_iter()
            .chain(std::iter::once((big, big_text, CheckOptions::default())))
    {
        let edits = if text.len() > 100_000 { 6 } else { 8 };
        let mut text = text;
        for step in 0..=edits {
            let model = dockerfile_ls::model::build(&text);
            let warm = rules::check_incremental(&model, &text, &opts);
            assert_eq!(
                warm,
                cold(&text, &opts),
                "{} after {step} edits",
                name.display()
            );
            checked += 1;
            text = random_edit(&mut rng, &text);
        }
    }
    assert!(checked > 500, "{checked}");
}
