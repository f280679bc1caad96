//! `dockerfile-ls check`: formats, exit statuses, unreadable and non-UTF-8 inputs,
//! directory walks; plus `--version` and `--help`.
//!
//! Expected findings come from the library (`Snapshot::from_text`), so these tests follow
//! the rule engine; they check what the CLI does with the findings.

use dockerfile_ls::document::Snapshot;
use dockerfile_ls::rules::Severity;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_dockerfile-ls")
}

fn run(args: &[&str], cwd: &Path) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env_remove("BUILDKIT_DOCKERFILE_CHECK")
        .output()
        .expect("run dockerfile-ls")
}

fn run_stdin(args: &[&str], cwd: &Path, input: &[u8]) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Vec<Value> {
    match serde_json::from_slice(&o.stdout) {
        Ok(Value::Array(items)) => items,
        other => panic!("not a JSON array: {other:?}\n{}", stdout(o)),
    }
}

/// A warning (BuildKit's MaintainerDeprecated) and an info-level finding, no error.
const WARNINGS_ONLY: &str = "FROM alpine:3.20\nMAINTAINER me\n";
/// An error finding (an unknown instruction).
const WITH_ERROR: &str = "FROM alpine:3.20\nFORM x\n";
/// Findings after non-ASCII characters on their line.
const NON_ASCII: &str =
    "FROM alpine:3.20\r\nRUN echo \"naïve 😀\" && apk add curl\r\nMAINTAINER José 😀\r\n";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// (line, column, end_line, end_column), 1-based, columns in characters.
fn char_location(text: &str, start: usize, end: usize) -> (usize, usize, usize, usize) {
    let at = |off: usize| {
        let before = &text[..off];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, text[line_start..off].chars().count() + 1)
    };
    let (l, c) = at(start);
    let (el, ec) = at(end);
    (l, c, el, ec)
}

#[test]
fn test_inputs_have_the_findings_we_rely_on() {
    let sev = |t: &str| {
        Snapshot::from_text(t)
            .findings
            .iter()
            .map(|f| f.severity)
            .collect::<Vec<_>>()
    };
    assert!(!sev(WARNINGS_ONLY).is_empty());
    assert!(!sev(WARNINGS_ONLY).contains(&Severity::Error));
    assert!(sev(WITH_ERROR).contains(&Severity::Error));
    assert!(Snapshot::from_text(NON_ASCII)
        .findings
        .iter()
        .any(|f| f.span.start > NON_ASCII.find('😀').unwrap()));
}

#[test]
fn human_format() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", WARNINGS_ONLY);
    let out = run(&["check", "Dockerfile"], dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(
        text.contains("Dockerfile:2:1: warning[MaintainerDeprecated]: "),
        "{text}"
    );
    assert!(text.contains("2 | MAINTAINER me\n"), "{text}");
    assert!(text.contains("  | ^^^^^^^^^^^^^\n"), "{text}");
    assert!(
        !text.contains('\x1b'),
        "colour when not on a terminal: {text:?}"
    );
    assert!(text.contains("Found "), "{text}");
}

#[test]
fn human_format_without_findings() {
    let dir = tempfile::tempdir().unwrap();
    let clean = "FROM alpine:3.20\nUSER nobody\n";
    assert!(
        Snapshot::from_text(clean).findings.is_empty(),
        "the clean file has findings now: pick another"
    );
    write(dir.path(), "Dockerfile", clean);
    let out = run(&["check", "Dockerfile"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "No problems found in 1 file.\n");
}

/// A finding as the JSON output gives it: rule, 1-based (line, column, end line, end
/// column) in characters, severity, message.
type Reported = (String, (usize, usize, usize, usize), String, String);

#[test]
fn json_format_positions_are_one_based_characters() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", NON_ASCII);
    let out = run(&["check", "--format", "json", "Dockerfile"], dir.path());
    let items = json(&out);
    let snap = Snapshot::from_text(NON_ASCII);
    assert_eq!(items.len(), snap.findings.len(), "{}", stdout(&out));
    let mut expected: Vec<Reported> = snap
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.to_string(),
                char_location(NON_ASCII, f.span.start, f.span.end),
                f.severity.as_str().to_string(),
                f.message.to_string(),
            )
        })
        .collect();
    let mut got: Vec<Reported> = items
        .iter()
        .map(|i| {
            assert_eq!(i["file"], "Dockerfile");
            let n = |k: &str| {
                i[k].as_u64()
                    .unwrap_or_else(|| panic!("{k} missing in {i}")) as usize
            };
            (
                i["rule"].as_str().unwrap().to_string(),
                (n("line"), n("column"), n("end_line"), n("end_column")),
                i["severity"].as_str().unwrap().to_string(),
                i["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
}

#[test]
fn sarif_format() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", WITH_ERROR);
    let out = run(&["check", "--format", "sarif", "Dockerfile"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    assert_eq!(doc["version"], "2.1.0");
    let run0 = &doc["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "dockerfile-ls");
    let rules = run0["tool"]["driver"]["rules"].as_array().expect("rules");
    let results = run0["results"].as_array().expect("results");
    assert_eq!(
        results.len(),
        Snapshot::from_text(WITH_ERROR).findings.len()
    );
    assert!(results.iter().any(|r| r["level"] == "error"));
    for r in results {
        let id = r["ruleId"].as_str().expect("ruleId");
        let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[idx]["id"], id);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        assert!(r["message"]["text"].as_str().is_some_and(|m| !m.is_empty()));
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "Dockerfile");
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(loc["region"]["startColumn"].as_u64().unwrap() >= 1);
    }
    // The registry is listed, with descriptions.
    assert!(rules.len() > results.len());
    assert!(rules
        .iter()
        .all(|r| r["shortDescription"]["text"].is_string()));
}

#[test]
fn exit_statuses() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ok/Dockerfile", WARNINGS_ONLY);
    write(dir.path(), "bad/Dockerfile", WITH_ERROR);
    assert_eq!(run(&["check", "ok"], dir.path()).status.code(), Some(0));
    assert_eq!(run(&["check", "bad"], dir.path()).status.code(), Some(1));
    assert_eq!(
        run(&["check", "ok", "bad"], dir.path()).status.code(),
        Some(1)
    );
    // Usage errors.
    assert_eq!(
        run(&["check", "--format", "xml", "ok"], dir.path())
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["check", "--build-arg", "=x", "ok"], dir.path())
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["check", "--no-such-flag"], dir.path()).status.code(),
        Some(2)
    );
    assert_eq!(run(&["frobnicate"], dir.path()).status.code(), Some(2));
    // A path that does not exist: reported, the others still checked, status 2.
    let out = run(
        &["check", "--format", "json", "missing/Dockerfile", "bad"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("missing/Dockerfile"),
        "{}",
        stderr(&out)
    );
    assert!(json(&out).iter().any(|i| i["file"] == "bad/Dockerfile"));
}

#[test]
fn an_empty_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", "");
    let out = run(&["check", "--format", "json", "Dockerfile"], dir.path());
    let expected_error = Snapshot::from_text("")
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error);
    assert!(
        expected_error,
        "BuildKit rejects a file with no instructions"
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(json(&out).iter().any(|i| i["severity"] == "error"));
}

#[test]
fn non_utf8_file_is_reported_and_the_others_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        b"FROM alpine\nRUN echo \xff\xfe\n",
    )
    .unwrap();
    write(dir.path(), "other.Dockerfile", WARNINGS_ONLY);
    let out = run(&["check", "--format", "json", "."], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("Dockerfile") && err.contains("UTF-8"), "{err}");
    let items = json(&out);
    assert!(
        items.iter().any(|i| i["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("other.Dockerfile"))),
        "{items:?}"
    );
}

#[test]
fn unreadable_file_is_reported_and_the_others_checked() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = write(dir.path(), "locked.Dockerfile", WARNINGS_ONLY);
    write(dir.path(), "open.Dockerfile", WARNINGS_ONLY);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&locked).is_ok() {
        // Running as root: permissions do not stop reads. Use a dangling symlink instead,
        // which the walk lists and reading fails.
        std::fs::remove_file(&locked).unwrap();
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &locked).unwrap();
    }
    let out = run(
        &[
            "check",
            "--format",
            "json",
            "locked.Dockerfile",
            "open.Dockerfile",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("locked.Dockerfile"),
        "{}",
        stderr(&out)
    );
    assert!(json(&out).iter().any(|i| i["file"] == "open.Dockerfile"));
}

#[test]
fn directory_walk_finds_dockerfiles_and_honours_gitignore() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "Dockerfile",
        "Containerfile",
        "api/app.Dockerfile",
        "api/lower.dockerfile",
        "web/Dockerfile.dev",
        "web/Containerfile.prod",
        "ignored/Dockerfile",
        "deep/er/Dockerfile",
    ] {
        write(dir.path(), name, WARNINGS_ONLY);
    }
    write(dir.path(), "README.md", WARNINGS_ONLY);
    write(dir.path(), "Dockerfile.dockerignore", "x\n");
    write(dir.path(), "web/notes.txt", WARNINGS_ONLY);
    write(dir.path(), ".gitignore", "ignored/\n");
    let out = run(&["check", "--format", "json", "."], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut files: Vec<String> = json(&out)
        .iter()
        .filter_map(|i| {
            i["file"]
                .as_str()
                .map(|f| f.trim_start_matches("./").to_string())
        })
        .collect();
    files.sort();
    files.dedup();
    assert_eq!(
        files,
        [
            "Containerfile",
            "Dockerfile",
            "api/app.Dockerfile",
            "api/lower.dockerfile",
            "deep/er/Dockerfile",
            "web/Containerfile.prod",
            "web/Dockerfile.dev"
        ]
    );
}

#[test]
fn default_path_is_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", WITH_ERROR);
    let out = run(&["check"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let empty = tempfile::tempdir().unwrap();
    let out = run(&["check"], empty.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("no Dockerfiles found"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_stdin(
        &["check", "--format", "json", "-"],
        dir.path(),
        WITH_ERROR.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(json(&out).iter().all(|i| i["file"] == "-"));
}

/// This session's rules through the command line: a quote left open in ENV fails the
/// build (an error, exit 1), a `\\` that runs into the next instruction is a warning, and
/// an out-of-range EXPOSE port is reported once.
#[test]
fn expansion_continuation_and_expose_findings() {
    let dir = tempfile::tempdir().unwrap();
    let text = "FROM alpine:3.20\nENV GREETING=\"hello\nRUN apk add --no-cache curl \\\nCOPY app /app\nEXPOSE 70000\nUSER nobody\n";
    write(dir.path(), "Dockerfile", text);
    let out = run(&["check", "--format", "json", "Dockerfile"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let items = json(&out);
    let at = |rule: &str| -> Vec<(u64, String)> {
        items
            .iter()
            .filter(|i| i["rule"] == rule)
            .map(|i| {
                let sev = i["severity"].as_str().unwrap_or_default().to_string();
                (i["line"].as_u64().unwrap_or(0), sev)
            })
            .collect()
    };
    assert_eq!(
        at("InvalidExpansion"),
        [(2, "error".to_string())],
        "{items:?}"
    );
    assert_eq!(
        at("ContinuedIntoInstruction"),
        [(4, "warning".to_string())],
        "{items:?}"
    );
    let on_port: Vec<&Value> = items.iter().filter(|i| i["line"] == 5).collect();
    assert_eq!(on_port.len(), 1, "{on_port:?}");
    assert_eq!(on_port[0]["rule"], "InvalidExposePort");
}

#[test]
fn config_file_and_dockerignore_are_read_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = "FROM alpine:3.20\nMAINTAINER me\nWORKDIR /app\nCOPY . .\n";
    write(dir.path(), "a/Dockerfile", text);
    write(
        dir.path(),
        "a/.dockerfile-ls.toml",
        "[rules]\nMaintainerDeprecated = \"error\"\n",
    );
    write(dir.path(), "a/.dockerignore", ".git\n");
    write(dir.path(), "b/Dockerfile", text);
    let out = run(&["check", "--format", "json", "a", "b"], dir.path());
    let items = json(&out);
    let find = |file: &str, rule: &str| {
        items
            .iter()
            .find(|i| i["file"] == file && i["rule"] == rule)
            .cloned()
    };
    assert_eq!(
        find("a/Dockerfile", "MaintainerDeprecated").map(|i| i["severity"].clone()),
        Some("error".into())
    );
    assert_eq!(
        find("b/Dockerfile", "MaintainerDeprecated").map(|i| i["severity"].clone()),
        Some("warning".into())
    );
    assert!(
        find("a/Dockerfile", "MissingDockerignore").is_none(),
        "{items:?}"
    );
    assert!(
        find("b/Dockerfile", "MissingDockerignore").is_some(),
        "{items:?}"
    );
    assert_eq!(out.status.code(), Some(1));
    // A broken configuration file is reported, and the file still checked.
    write(
        dir.path(),
        "a/.dockerfile-ls.toml",
        "[rules]\nNoSuchRule = \"error\"\n",
    );
    let out = run(&["check", "--format", "json", "a"], dir.path());
    assert!(stderr(&out).contains("NoSuchRule"), "{}", stderr(&out));
    assert!(!json(&out).is_empty());
}

#[test]
fn buildkit_check_environment_variable_is_passed_on() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", WARNINGS_ONLY);
    let plain = json(&run(
        &["check", "--format", "json", "Dockerfile"],
        dir.path(),
    ));
    assert!(plain.iter().any(|i| i["rule"] == "MaintainerDeprecated"));
    let out = Command::new(bin())
        .args(["check", "--format", "json", "Dockerfile"])
        .current_dir(dir.path())
        .env("BUILDKIT_DOCKERFILE_CHECK", "skip=MaintainerDeprecated")
        .output()
        .unwrap();
    assert!(
        !json(&out)
            .iter()
            .any(|i| i["rule"] == "MaintainerDeprecated"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn examples_pass_without_errors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = run(&["check", "--format", "json", "examples"], &root);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let items = json(&out);
    // The naive example is what the linter teaches about; the multi-stage ones are clean.
    assert!(items
        .iter()
        .any(|i| i["file"] == "examples/node-naive/Dockerfile"));
    let noisy: Vec<&Value> = items
        .iter()
        .filter(|i| i["file"] != "examples/node-naive/Dockerfile")
        .collect();
    assert!(noisy.is_empty(), "{noisy:?}");
}

#[test]
fn version_and_help() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["--version"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out).trim(),
        format!("dockerfile-ls {}", env!("CARGO_PKG_VERSION"))
    );
    let out = run(&["--help"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    for word in ["check", "syntax", "--stdio"] {
        assert!(help.contains(word), "{help}");
    }
    let out = run(&["check", "--help"], dir.path());
    assert!(stdout(&out).contains("--format"));
}

/// `dockerfile-ls args` in `cwd`, killed and failed after 20 s (a blocked read).
fn run_with_timeout(args: &[&str], cwd: &Path) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("dockerfile-ls {args:?} did not finish within 20 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[cfg(unix)]
#[test]
fn fifo_dockerignore_and_config_do_not_block() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", "FROM alpine:3.20\nCOPY . .\n");
    for name in [".dockerignore", ".dockerfile-ls.toml"] {
        let status = Command::new("mkfifo")
            .arg(dir.path().join(name))
            .status()
            .expect("mkfifo");
        assert!(status.success());
    }
    let out = run_with_timeout(&["check", "--format", "json", "Dockerfile"], dir.path());
    assert!(
        stderr(&out).contains(".dockerignore: not a regular file"),
        "{}",
        stderr(&out)
    );
    assert!(!json(&out).is_empty());
}

/// A finding at the end of a 20,000-character line.
fn long_line() -> String {
    format!(
        "FROM alpine:3.20\nRUN echo {} && sudo ls\n",
        "x".repeat(20_000)
    )
}

#[test]
fn long_lines_are_shown_as_a_window_around_the_finding() {
    let text = long_line();
    let snap = Snapshot::from_text(&text);
    let sudo = text.find("sudo").unwrap();
    assert!(
        snap.findings.iter().any(|f| f.span.start == sudo),
        "no finding at the end of the long line: pick another input"
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", &text);
    let out = run(&["check", "Dockerfile"], dir.path());
    let human = stdout(&out);
    let lines: Vec<&str> = human.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        assert!(line.chars().count() < 300, "line {i} is not cut: {line}");
    }
    // The excerpt of the finding at `sudo` starts with an ellipsis, shows `sudo`, and the
    // carets stand under it.
    let excerpt = lines
        .iter()
        .position(|l| l.starts_with("2 | …") && l.contains("sudo"))
        .unwrap_or_else(|| panic!("{human}"));
    let carets = lines[excerpt + 1];
    let caret_col = carets.chars().position(|c| c == '^').unwrap();
    let under: String = lines[excerpt].chars().skip(caret_col).collect();
    assert!(under.starts_with("sudo ls"), "{}\n{carets}", lines[excerpt]);
    // JSON columns are unaffected: characters from the line start.
    let items = json(&run(
        &["check", "--format", "json", "Dockerfile"],
        dir.path(),
    ));
    let column = sudo - text.find("RUN").unwrap() + 1;
    assert!(
        items
            .iter()
            .any(|i| i["line"] == 2 && i["column"] == column && i["end_column"] == column + 4),
        "{items:?}"
    );
}

#[test]
fn human_output_grows_linearly_with_findings_on_one_line() {
    // Thousands of unknown flags on one line: each finding's excerpt is bounded, not the
    // whole line.
    let text = format!("FROM alpine:3.20\nCOPY{} a b\n", " --nope".repeat(5_000));
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", &text);
    let findings = Snapshot::from_text(&text).findings.len();
    let out = run(&["check", "Dockerfile"], dir.path());
    let size = out.stdout.len();
    assert!(
        size < 1_000 * (findings + 1),
        "{size} bytes of output for {findings} findings"
    );
}

#[test]
fn stats_report_files_and_throughput() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/Dockerfile", WARNINGS_ONLY);
    write(dir.path(), "b/Dockerfile", WARNINGS_ONLY);
    let out = run(&["check", "--stats", "--format", "json", "."], dir.path());
    let err = stderr(&out);
    let bytes = 2 * WARNINGS_ONLY.len();
    assert!(
        err.contains(&format!("checked 2 files ({bytes} bytes) in ")) && err.contains(" files/s"),
        "{err}"
    );
    assert_eq!(
        json(&out).len(),
        2 * Snapshot::from_text(WARNINGS_ONLY).findings.len()
    );
}
