//! `dockerfile-ls syntax`: the tree, and BuildKit's dump on the conformance cases.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_dockerfile-ls")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

#[test]
fn buildkit_dump_matches_every_conformance_result() {
    let mut cases = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(fixtures().join("buildkit-parser")).unwrap() {
        let dir = entry.unwrap().path();
        let (dockerfile, result) = (dir.join("Dockerfile"), dir.join("result"));
        if !result.is_file() {
            continue;
        }
        cases += 1;
        let out = Command::new(bin())
            .arg("syntax")
            .arg("--buildkit")
            .arg(&dockerfile)
            .output()
            .unwrap();
        let want = std::fs::read(&result).unwrap();
        if out.status.code() != Some(0) || out.stdout != want {
            failures.push(format!(
                "{}: status {:?}\n--- got\n{}--- want\n{}",
                dir.display(),
                out.status.code(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&want)
            ));
        }
    }
    assert!(cases >= 30, "only {cases} cases found");
    assert!(
        failures.is_empty(),
        "{} of {cases} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn buildkit_dump_of_a_rejected_file_fails() {
    for case in [
        "empty_dockerfile",
        "only_comments",
        "env_no_value",
        "shykes-nested-json",
    ] {
        let file = fixtures()
            .join("buildkit-parser-negative")
            .join(case)
            .join("Dockerfile");
        let out = Command::new(bin())
            .arg("syntax")
            .arg("--buildkit")
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{case}");
        assert!(out.stdout.is_empty(), "{case}");
        assert!(!out.stderr.is_empty(), "{case}");
    }
}

#[test]
fn tree_as_s_expression() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Dockerfile");
    std::fs::write(&file, "FROM alpine\nRUN echo hi\n").unwrap();
    let out = Command::new(bin())
        .arg("syntax")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("(source_file"), "{text}");
    assert!(text.ends_with(")\n"), "{text}");
    assert!(!text.contains("ERROR"), "{text}");
}

#[test]
fn missing_file_is_status_2() {
    let out = Command::new(bin())
        .args(["syntax", "/nonexistent/Dockerfile"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/Dockerfile"));
}
