//! Code actions: every quick fix over every rule's `bad` example and the real-world corpus
//! (it removes its finding and adds no error), then the protocol through the real binary:
//! the split (its edit gives the golden output), quick fixes on diagnostics, fix-all,
//! suppressions, resolve, executeCommand, UTF-16 positions with non-ASCII text.

mod common;

use common::{position_at, Client};
use dockerfile_ls::features::code_actions::{self as ca, apply_edits, fixes_for, suppress};
use dockerfile_ls::model;
use dockerfile_ls::rules::{self, CheckOptions, Finding, Severity};
use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn count(findings: &[Finding], rule: &str) -> usize {
    findings.iter().filter(|f| f.rule == rule).count()
}

fn errors_by_rule(findings: &[Finding]) -> Vec<(&'static str, usize)> {
    let mut v: Vec<(&'static str, usize)> = Vec::new();
    for f in findings.iter().filter(|f| f.severity == Severity::Error) {
        match v.iter_mut().find(|(r, _)| *r == f.rule) {
            Some((_, n)) => *n += 1,
            None => v.push((f.rule, 1)),
        }
    }
    v
}

/// Apply every fix and suppression of every finding of `text`; return the problems.
fn sweep(what: &str, text: &str) -> Vec<String> {
    let opts = CheckOptions::default();
    let m = model::build(text);
    let findings = rules::check(&m, text, &opts);
    let errors_before = errors_by_rule(&findings);
    let mut problems = Vec::new();
    for f in &findings {
        let mut candidates: Vec<(String, Vec<dockerfile_ls::rules::Edit>)> = fixes_for(&m, text, f)
            .into_iter()
            .map(|x| (x.title, x.edits))
            .collect();
        candidates.extend(suppress::suppressions(&m, text, f));
        for (title, edits) in candidates {
            let fixed = apply_edits(text, &edits);
            let m2 = model::build(&fixed);
            let after = rules::check(&m2, &fixed, &opts);
            if count(&after, f.rule) >= count(&findings, f.rule) {
                problems.push(format!(
                    "{what}: {} fix {title:?} does not remove the finding ({})\n--- fixed:\n{fixed}",
                    f.rule, f.message
                ));
            }
            if m2.errors.len() > m.errors.len() {
                problems.push(format!(
                    "{what}: {} fix {title:?} breaks the parse: {:?}\n--- fixed:\n{fixed}",
                    f.rule, m2.errors
                ));
            }
            for (rule, n) in errors_by_rule(&after) {
                let before = errors_before
                    .iter()
                    .find(|(r, _)| *r == rule)
                    .map_or(0, |(_, k)| *k);
                if n > before {
                    problems.push(format!(
                        "{what}: {} fix {title:?} adds an error {rule}\n--- fixed:\n{fixed}",
                        f.rule
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn every_fix_of_every_rule_example() {
    let mut problems = Vec::new();
    let mut fixed_rules = Vec::new();
    for rule in rules::registry() {
        let text = rule.bad;
        let m = model::build(text);
        let findings = rules::check(&m, text, &CheckOptions::default());
        if findings
            .iter()
            .any(|f| f.rule == rule.id && !fixes_for(&m, text, f).is_empty())
        {
            fixed_rules.push(rule.id);
        }
        problems.extend(sweep(&format!("{} bad example", rule.id), text));
    }
    eprintln!("rules with a quick fix on their bad example: {fixed_rules:?}");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn every_fix_on_the_corpus() {
    let dir = fixtures().join("corpus/real");
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "SOURCES.md"))
        .collect();
    paths.sort();
    let mut problems = Vec::new();
    for p in &paths {
        let Ok(text) = fs::read_to_string(p) else {
            continue;
        };
        problems.extend(sweep(&p.display().to_string(), &text));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn fix_all_is_clean_and_stable() {
    let opts = CheckOptions::default();
    let mut inputs: Vec<String> = rules::registry().map(|r| r.bad.to_string()).collect();
    for e in fs::read_dir(fixtures().join("corpus/real"))
        .expect("corpus")
        .flatten()
    {
        if e.path().is_file() && e.file_name() != "SOURCES.md" {
            if let Ok(t) = fs::read_to_string(e.path()) {
                inputs.push(t);
            }
        }
    }
    for text in inputs {
        let m = model::build(&text);
        let before = rules::check(&m, &text, &opts);
        let fixed = ca::fix_all(&text, &opts);
        let m2 = model::build(&fixed);
        assert!(m2.errors.len() <= m.errors.len(), "{fixed}");
        let after = rules::check(&m2, &fixed, &opts);
        let e1 = before
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let e2 = after
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        assert!(e2 <= e1, "fix-all adds errors:\n{text}\n---\n{fixed}");
        assert_eq!(
            ca::fix_all(&fixed, &opts),
            fixed,
            "fix-all is not stable:\n{text}"
        );
    }
}

// ---- through the protocol ----

const URI: &str = "file:///test/Dockerfile";

/// Apply LSP text edits (ranges in `encoding`) to `text`.
fn apply_lsp(text: &str, edits: &[Value], encoding: &str) -> String {
    let offset = |pos: &Value| -> usize {
        let line = pos["line"].as_u64().expect("line") as usize;
        let ch = pos["character"].as_u64().expect("character") as usize;
        let mut start = 0usize;
        for _ in 0..line {
            match text[start..].find('\n') {
                Some(i) => start += i + 1,
                None => return text.len(),
            }
        }
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line_text = text[start..end].trim_end_matches('\r');
        let mut units = 0usize;
        for (i, c) in line_text.char_indices() {
            if units >= ch {
                return start + i;
            }
            units += match encoding {
                "utf-8" => c.len_utf8(),
                "utf-32" => 1,
                _ => c.len_utf16(),
            };
        }
        start + line_text.len()
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().expect("newText").to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|(a, b, _)| (*a, *b));
    let mut out = String::new();
    let mut pos = 0;
    for (a, b, t) in spans {
        assert!(a >= pos, "overlapping edits");
        out.push_str(&text[pos..a]);
        out.push_str(&t);
        pos = b;
    }
    out.push_str(&text[pos..]);
    out
}

fn edits_of(action: &Value) -> Vec<Value> {
    action["edit"]["changes"][URI]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn session(encoding_caps: Value) -> Client {
    let mut c = Client::spawn();
    let init = c.initialize_with(encoding_caps);
    let kinds = &init["capabilities"]["codeActionProvider"]["codeActionKinds"];
    assert!(
        kinds
            .as_array()
            .is_some_and(|k| k.contains(&json!("refactor.rewrite"))),
        "{init}"
    );
    c
}

fn code_actions(
    c: &mut Client,
    range: Value,
    diagnostics: Value,
    only: Option<Value>,
) -> Vec<Value> {
    let mut context = json!({ "diagnostics": diagnostics });
    if let Some(o) = only {
        context["only"] = o;
    }
    c.call_ok(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": range, "context": context}),
    )
    .as_array()
    .cloned()
    .unwrap_or_default()
}

fn whole(text: &str) -> Value {
    let lines = text.split('\n').count() as u32;
    json!({"start": {"line": 0, "character": 0}, "end": {"line": lines, "character": 0}})
}

#[test]
fn split_through_the_protocol_gives_the_golden_output() {
    for name in ["node-npm", "python-poetry", "go", "crlf", "comments"] {
        let input = fs::read_to_string(fixtures().join(format!("split/{name}.in.Dockerfile")))
            .expect("input");
        let expected = fs::read_to_string(fixtures().join(format!("split/{name}.out.Dockerfile")))
            .expect("golden");
        let mut c = session(json!({}));
        c.open(URI, 1, &input);
        let actions = code_actions(
            &mut c,
            whole(&input),
            json!([]),
            Some(json!(["refactor.rewrite"])),
        );
        let split = actions
            .iter()
            .find(|a| a["title"] == "Split into deps, builder and runner stages")
            .unwrap_or_else(|| panic!("{name}: no split action in {actions:?}"));
        assert_eq!(split["kind"], "refactor.rewrite");
        assert!(
            actions.iter().all(|a| a["kind"] == "refactor.rewrite"),
            "only refactor.rewrite was asked for: {actions:?}"
        );
        let out = apply_lsp(&input, &edits_of(split), "utf-16");
        assert_eq!(out, expected, "{name}");
        // Applied: the split is not offered again.
        c.change_full(URI, 2, &out);
        let again = code_actions(&mut c, whole(&out), json!([]), Some(json!(["refactor"])));
        assert!(
            again
                .iter()
                .all(|a| !a["title"].as_str().unwrap_or("").starts_with("Split")),
            "{again:?}"
        );
    }
}

#[test]
fn split_offered_at_a_cursor_and_resolved_lazily() {
    let input = fs::read_to_string(fixtures().join("split/node-npm.in.Dockerfile")).expect("input");
    let expected =
        fs::read_to_string(fixtures().join("split/node-npm.out.Dockerfile")).expect("golden");
    let mut c = session(json!({}));
    c.open(URI, 1, &input);
    let cursor = json!({"start": {"line": 4, "character": 3}, "end": {"line": 4, "character": 3}});
    let actions = code_actions(&mut c, cursor, json!([]), None);
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    assert!(
        titles.contains(&"Split into deps, builder and runner stages"),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"Split into stages: deps, builder and a distroless runner"),
        "{titles:?}"
    );
    // A client that drops the edit and resolves it.
    let mut split = actions
        .iter()
        .find(|a| a["title"] == "Split into deps, builder and runner stages")
        .cloned()
        .expect("split");
    split.as_object_mut().expect("object").remove("edit");
    let resolved = c.call_ok("codeAction/resolve", split);
    assert_eq!(apply_lsp(&input, &edits_of(&resolved), "utf-16"), expected);
}

#[test]
fn quick_fix_for_a_diagnostic() {
    let text = "FROM alpine:3.20\nRUN apk add curl\nMAINTAINER someone@example.com\n";
    let mut c = session(json!({}));
    c.open(URI, 1, text);
    let diags = c.diagnostics_for(URI)["diagnostics"].clone();
    let d = diags
        .as_array()
        .and_then(|a| a.iter().find(|d| d["code"] == "ApkNoCache"))
        .cloned()
        .unwrap_or_else(|| panic!("no ApkNoCache in {diags}"));
    let actions = code_actions(
        &mut c,
        d["range"].clone(),
        json!([d]),
        Some(json!(["quickfix"])),
    );
    let fix = actions
        .iter()
        .find(|a| a["isPreferred"] == true)
        .unwrap_or_else(|| panic!("no preferred fix in {actions:?}"));
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["diagnostics"][0]["code"], "ApkNoCache");
    let fixed = apply_lsp(text, &edits_of(fix), "utf-16");
    assert!(fixed.contains("apk add --no-cache curl"), "{fixed}");
    // Suppressions for the same diagnostic.
    let ignore = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.contains("# dockerfile-ls ignore"))
        })
        .expect("ignore action");
    let ignored = apply_lsp(text, &edits_of(ignore), "utf-16");
    assert!(
        ignored.contains("# dockerfile-ls ignore=ApkNoCache\nRUN apk add curl"),
        "{ignored}"
    );

    // A BuildKit check: suppress in the file with `# check=skip=`.
    let m = diags
        .as_array()
        .and_then(|a| a.iter().find(|d| d["code"] == "MaintainerDeprecated"))
        .cloned()
        .expect("MaintainerDeprecated");
    let actions = code_actions(&mut c, m["range"].clone(), json!([m]), None);
    let skip = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.contains("# check=skip"))
        })
        .unwrap_or_else(|| panic!("{actions:?}"));
    let skipped = apply_lsp(text, &edits_of(skip), "utf-16");
    assert!(
        skipped.starts_with("# check=skip=MaintainerDeprecated\nFROM"),
        "{skipped}"
    );
    let label = actions
        .iter()
        .find(|a| a["isPreferred"] == true)
        .expect("MAINTAINER fix");
    let relabeled = apply_lsp(text, &edits_of(label), "utf-16");
    assert!(relabeled.contains("LABEL"), "{relabeled}");
}

#[test]
fn fix_all_through_the_protocol() {
    let text = "from alpine:3.20 AS base\nRUN apk add curl\nMAINTAINER me\n";
    let mut c = session(json!({}));
    c.open(URI, 1, text);
    let actions = code_actions(
        &mut c,
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}),
        json!([]),
        Some(json!(["source.fixAll"])),
    );
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.dockerfile-ls");
    let fixed = apply_lsp(text, &edits_of(&actions[0]), "utf-16");
    assert_eq!(
        fixed,
        ca::fix_all(text, &CheckOptions::default()),
        "protocol and library agree"
    );
    assert!(fixed.contains("apk add --no-cache curl"), "{fixed}");
    assert!(!fixed.contains("MAINTAINER"), "{fixed}");
}

#[test]
fn utf16_positions_with_non_ascii_text() {
    // Non-ASCII before the edits on the same line and on earlier lines.
    let text = "# Café ☕ image 😀\nFROM alpine:3.20\nLABEL description=\"naïve 😀\" && RUN true\nRUN echo \"héllo 😀\" && apk add curl\n";
    for (caps, enc) in [
        (json!({}), "utf-16"),
        (
            json!({"general": {"positionEncodings": ["utf-8"]}}),
            "utf-8",
        ),
        (
            json!({"general": {"positionEncodings": ["utf-32"]}}),
            "utf-32",
        ),
    ] {
        let mut c = session(caps);
        c.open(URI, 1, text);
        let at = text.find("apk add").expect("apk");
        let (line, ch) = position_at(text, at, enc);
        let pos = json!({"line": line, "character": ch});
        let actions = code_actions(
            &mut c,
            json!({"start": pos, "end": pos}),
            json!([]),
            Some(json!(["quickfix"])),
        );
        let fix = actions
            .iter()
            .find(|a| a["diagnostics"][0]["code"] == "ApkNoCache" && a["isPreferred"] == true)
            .unwrap_or_else(|| panic!("{enc}: {actions:?}"));
        let fixed = apply_lsp(text, &edits_of(fix), enc);
        assert!(
            fixed.contains("RUN echo \"héllo 😀\" && apk add --no-cache curl\n"),
            "{enc}: {fixed}"
        );
    }
}

#[test]
fn execute_command_splits_stages() {
    use dockerfile_ls::document::{Encoding, Snapshot};
    use dockerfile_ls::lsp::requests::execute_command::{commands, handle, SPLIT_STAGES};
    use tower_lsp_server::ls_types::ExecuteCommandParams;
    // The command is announced.
    let mut c = Client::spawn();
    let init = c.initialize();
    let announced = &init["capabilities"]["executeCommandProvider"]["commands"];
    assert!(
        announced
            .as_array()
            .is_some_and(|a| a.contains(&json!(SPLIT_STAGES))),
        "{init}"
    );
    assert!(commands().contains(&SPLIT_STAGES.to_string()));
    assert!(c.shutdown_and_exit().success());
    // What it asks the client to apply (the client round trip is in the server wiring).
    let input = fs::read_to_string(fixtures().join("split/go.in.Dockerfile")).expect("input");
    let expected = fs::read_to_string(fixtures().join("split/go.out.Dockerfile")).expect("golden");
    let snap = Snapshot::from_text(&input);
    let params: ExecuteCommandParams =
        serde_json::from_value(json!({"command": SPLIT_STAGES, "arguments": [URI]}))
            .expect("params");
    let outcome = handle(Some(&snap), params, Encoding::Utf16).expect("ok");
    assert_eq!(outcome.result, Some(json!(true)));
    let edit = serde_json::to_value(outcome.apply_edit.expect("edit")).expect("json");
    let edits = edit["changes"][URI].as_array().cloned().expect("edits");
    assert_eq!(apply_lsp(&input, &edits, "utf-16"), expected);
    // Not applicable: `false`, no edit.
    let snap = Snapshot::from_text(&expected);
    let params: ExecuteCommandParams =
        serde_json::from_value(json!({"command": SPLIT_STAGES, "arguments": [{"uri": URI}]}))
            .expect("params");
    let outcome = handle(Some(&snap), params, Encoding::Utf16).expect("ok");
    assert_eq!(outcome.result, Some(json!(false)));
    assert!(outcome.apply_edit.is_none());
}

#[test]
fn cli_fix_prints_writes_and_diffs() {
    use std::process::Command;
    let bin = env!("CARGO_BIN_EXE_dockerfile-ls");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("Dockerfile");
    let text = "from alpine:3.20\nRUN apk add curl\nMAINTAINER me\n";
    fs::write(&file, text).expect("write");
    let expected = ca::fix_all(text, &CheckOptions::default());
    assert_ne!(expected, text);
    let printed = Command::new(bin)
        .arg("fix")
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(printed.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&printed.stdout), expected);
    assert_eq!(
        fs::read_to_string(&file).expect("read"),
        text,
        "printing leaves the file"
    );
    let diff = Command::new(bin)
        .args(["fix", "--diff"])
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(diff.status.code(), Some(0));
    let d = String::from_utf8_lossy(&diff.stdout);
    assert!(
        d.contains("-RUN apk add curl") && d.contains("+RUN apk add --no-cache curl"),
        "{d}"
    );
    let written = Command::new(bin)
        .args(["fix", "--write"])
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(written.status.code(), Some(0));
    assert_eq!(fs::read_to_string(&file).expect("read"), expected);
    // Nothing left to fix: unchanged, still 0.
    let again = Command::new(bin)
        .arg("fix")
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&again.stdout), expected);
    // Usage errors.
    let two = Command::new(bin)
        .args(["fix"])
        .arg(&file)
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(two.status.code(), Some(2));
}
