//! The split into deps / builder / runner stages: golden files, the invariants every output
//! must meet, the real-world corpus, and `dockerfile-ls fix --split-stages`.
//!
//! Golden files live in `tests/fixtures/split/<name>.in.Dockerfile` (input),
//! `<name>.out.Dockerfile` (the split) and, when the distroless variant applies,
//! `<name>.distroless.out.Dockerfile`. `UPDATE_GOLDEN=1 cargo test --test split_golden`
//! rewrites the outputs (review the diff by eye).

use dockerfile_ls::features::code_actions::split::{self, Variant};
use dockerfile_ls::model::{self, StageRefKind};
use dockerfile_ls::rules::{self, CheckOptions};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn inputs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(fixtures().join("split"))
        .expect("tests/fixtures/split")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".in.Dockerfile"))
        .collect();
    v.sort();
    v
}

fn split_text(text: &str, variant: Variant) -> Option<String> {
    split::split(&model::build(text), text, variant)
}

/// Rules that must not fire on a split.
const MUST_BE_CLEAN: &[&str] = &[
    "CacheBustingCopy",
    "SecretsUsedInArgOrEnv",
    "UnknownStage",
    "RootUser",
];

/// Everything a split must be; `what` names it in messages.
fn check_output(what: &str, input: &str, out: &str) {
    let m = model::build(out);
    assert!(
        m.errors.is_empty(),
        "{what}: parse errors {:?}\n{out}",
        m.errors
    );
    assert!(m.stages.len() >= 2, "{what}: not multi-stage\n{out}");
    for r in &m.stage_refs {
        if r.kind == StageRefKind::FromImage {
            continue;
        }
        let image_like = r.name.contains('/') || r.name.contains(':') || r.name.contains('.');
        assert!(
            r.target.is_some() || image_like,
            "{what}: --from={} names no earlier stage\n{out}",
            r.name
        );
        if let (Some(t), Some(s)) = (r.target, r.stage) {
            assert!(t < s, "{what}: --from={} is not an earlier stage", r.name);
        }
    }
    let findings = rules::check(&m, out, &CheckOptions::default());
    for f in &findings {
        assert!(
            !MUST_BE_CLEAN.contains(&f.rule),
            "{what}: {} on the split: {}\n{out}",
            f.rule,
            f.message
        );
    }
    for v in Variant::ALL {
        assert!(
            split_text(out, v).is_none(),
            "{what}: the split is offered again on its own output"
        );
    }
    if input.contains("\r\n") {
        let bare = out.replace("\r\n", "");
        assert!(!bare.contains('\n'), "{what}: CRLF input, LF in the output");
    } else {
        assert!(
            !out.contains('\r'),
            "{what}: CR in the output of an LF input"
        );
    }
    assert!(out.ends_with('\n'), "{what}: no final line end");
}

#[test]
fn golden_files() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let all = inputs();
    assert!(all.len() >= 10, "expected at least 10 golden inputs");
    let mut failures = Vec::new();
    for input_path in &all {
        let input = read(input_path);
        let base = input_path.to_string_lossy().replace(".in.Dockerfile", "");
        for (variant, suffix) in [
            (Variant::Standard, ".out.Dockerfile"),
            (Variant::Distroless, ".distroless.out.Dockerfile"),
        ] {
            let expected_path = PathBuf::from(format!("{base}{suffix}"));
            let out = split_text(&input, variant);
            let name = expected_path.display().to_string();
            if variant == Variant::Standard {
                assert!(
                    out.is_some(),
                    "{}: the split does not apply",
                    input_path.display()
                );
            }
            match (&out, update) {
                (Some(o), true) => fs::write(&expected_path, o).expect("write golden"),
                (None, true) => {
                    let _ = fs::remove_file(&expected_path);
                }
                (Some(o), false) => {
                    let expected = fs::read_to_string(&expected_path).unwrap_or_default();
                    if &expected != o {
                        failures.push(format!("{name} differs; got:\n{o}"));
                    }
                }
                (None, false) => {
                    if expected_path.exists() {
                        failures.push(format!("{name}: the variant no longer applies"));
                    }
                }
            }
            if let Some(o) = &out {
                check_output(&name, &input, o);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn golden_inputs_are_flagged_and_single_stage() {
    for p in inputs() {
        let text = read(&p);
        let m = model::build(&text);
        assert!(m.errors.is_empty(), "{}", p.display());
        assert_eq!(m.stages.len(), 1, "{}", p.display());
    }
}

/// Every real-world file the split applies to gives a valid split (most of them are
/// multi-stage or have no dependency install: not offered).
#[test]
fn corpus_splits_are_valid() {
    let dir = fixtures().join("corpus/real");
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "SOURCES.md"))
        .collect();
    paths.sort();
    let mut offered = 0;
    for p in &paths {
        let Ok(text) = fs::read_to_string(p) else {
            continue;
        };
        for v in Variant::ALL {
            if let Some(out) = split_text(&text, v) {
                offered += 1;
                check_output(&format!("{} ({v:?})", p.display()), &text, &out);
            }
        }
    }
    eprintln!(
        "split offered on {offered} corpus variants of {} files",
        paths.len()
    );
}

/// Synthetic inputs around the edges: no WORKDIR, secrets used in RUN, ENV secrets,
/// lower-case keywords, heredocs, several installs.
#[test]
fn edge_cases_are_valid() {
    let cases = [
        "FROM node:20\nCOPY . .\nRUN npm install\nCMD [\"node\", \"index.js\"]\n",
        "FROM node:20\nWORKDIR /app\nARG GITHUB_TOKEN\nCOPY . .\nRUN echo \"//npm.pkg.github.com/:_authToken=${GITHUB_TOKEN}\" > .npmrc && npm ci && rm .npmrc\nRUN npm run build\nCMD [\"node\", \"dist/a.js\"]\n",
        "FROM python:3.12\nWORKDIR /app\nENV SECRET_KEY=changeme\nCOPY . .\nRUN pip install -r requirements/prod.txt\nCMD [\"python\", \"manage.py\", \"runserver\"]\n",
        "from node:20\nworkdir /app\ncopy . .\nrun npm ci\nrun npm run build\ncmd [\"node\", \"dist/a.js\"]\n",
        "# syntax=docker/dockerfile:1\nFROM node:20\nWORKDIR /app\nCOPY . .\nRUN <<EOF\nnpm ci\nnpm run build\nEOF\nCMD [\"node\", \"dist/a.js\"]\n",
        "FROM golang:1.23-alpine\nRUN apk add --no-cache git\nWORKDIR /go/src/app\nCOPY . .\nRUN go build -o app .\nCMD [\"./app\"]\n",
        "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build ./cmd/api\nCMD ./api --port 8080\n",
        "FROM python:3.11\nWORKDIR /srv\nRUN python -m venv /venv\nENV PATH=/venv/bin:$PATH\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"main.py\"]\n",
        "FROM node:20\nRUN npm install -g serve\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD [\"serve\", \"-s\", \"build\"]\n",
        "FROM node:20-slim\nRUN apt-get update && apt-get install -y python3 make g++ && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN useradd -m web && chown -R web /app\nUSER web\nCMD [\"node\", \"server.js\"]\n",
        "FROM maven:3.9-eclipse-temurin-21\nWORKDIR /build\nCOPY . .\nRUN mvn -q package -DskipTests\nCMD [\"java\", \"-jar\", \"target/app.jar\"]\n",
        "FROM php:8.3-cli\nWORKDIR /srv/app\nCOPY . .\nRUN composer install --no-dev\nCMD [\"php\", \"server.php\"]\n",
        "FROM node:20\r\nWORKDIR /app\r\nARG NPM_TOKEN\r\nCOPY . .\r\nRUN npm ci\r\nCMD [\"node\", \"a.js\"]\r\n",
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app/server .\nHEALTHCHECK CMD wget -qO- http://localhost:8080/health || exit 1\nEXPOSE 8080\nCMD [\"/app/server\"]\n",
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nHEALTHCHECK CMD curl -f http://localhost:3000/ || exit 1\nCMD [\"node\", \"server.js\"]\n",
        "FROM --platform=$BUILDPLATFORM golang:1.22\nARG TARGETOS TARGETARCH\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\nENTRYPOINT [\"/out/app\"]\n",
    ];
    for (k, text) in cases.iter().enumerate() {
        let mut any = false;
        for v in Variant::ALL {
            if let Some(out) = split_text(text, v) {
                any = true;
                check_output(&format!("case {k} ({v:?})"), text, &out);
            }
        }
        assert!(any, "case {k}: the split does not apply:\n{text}");
    }
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_dockerfile-ls")
}

#[test]
fn cli_split_print_write_and_diff() {
    let input_path = fixtures().join("split/node-npm.in.Dockerfile");
    let expected = read(&fixtures().join("split/node-npm.out.Dockerfile"));
    let out = Command::new(bin())
        .args(["fix", "--split-stages"])
        .arg(&input_path)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);

    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("Dockerfile");
    fs::write(&file, read(&input_path)).expect("write");
    let diff = Command::new(bin())
        .args(["fix", "--split-stages", "--diff"])
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(diff.status.code(), Some(0));
    let d = String::from_utf8_lossy(&diff.stdout);
    assert!(d.contains("+FROM node:20 AS deps"), "{d}");
    assert!(d.contains("-FROM node:20\n"), "{d}");
    let written = Command::new(bin())
        .args(["fix", "--split-stages", "--write"])
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(written.status.code(), Some(0));
    assert_eq!(read(&file), expected);
    // Already split: not offered again (exit 1, file unchanged on stdout).
    let again = Command::new(bin())
        .args(["fix", "--split-stages"])
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&again.stdout), expected);
    assert!(String::from_utf8_lossy(&again.stderr).contains("several stages"));
}

#[test]
fn cli_split_stdin_and_distroless() {
    let input = read(&fixtures().join("split/node-npm.in.Dockerfile"));
    let mut child = Command::new(bin())
        .args(["fix", "--split-stages", "--distroless", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(input.as_bytes()).expect("write");
    }
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("gcr.io/distroless/nodejs20-debian12:nonroot"),
        "{text}"
    );
    let no_file = Command::new(bin())
        .args(["fix", "--split-stages", "/nonexistent/Dockerfile"])
        .output()
        .expect("run");
    assert_eq!(no_file.status.code(), Some(2));
}

#[test]
fn named_stage_gets_a_note() {
    let text =
        "FROM node:20 AS app\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"a.js\"]\n";
    let out = split_text(text, Variant::Standard).expect("split");
    assert!(
        out.contains(
            "# The original stage was named app: build targets that named it now name runner"
        ),
        "{out}"
    );
    check_output("named stage", text, &out);
}

/// Every golden input with one line removed or doubled: the split never panics, and what it
/// gives is valid.
#[test]
fn mutated_inputs_stay_valid() {
    let mut problems = Vec::new();
    for p in inputs() {
        let text = read(&p);
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        for i in 0..lines.len() {
            for variant in 0..2 {
                let mut v: Vec<&str> = lines.clone();
                if variant == 0 {
                    v.remove(i);
                } else {
                    v.insert(i, lines[i]);
                }
                let mutated: String = v.concat();
                for var in Variant::ALL {
                    if let Some(out) = split_text(&mutated, var) {
                        let r =
                            std::panic::catch_unwind(|| check_output("mutation", &mutated, &out));
                        if r.is_err() {
                            problems.push(format!(
                                "{} line {i} {}:\n{mutated}\n---\n{out}",
                                p.display(),
                                if variant == 0 { "removed" } else { "doubled" }
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n=====\n"));
}
