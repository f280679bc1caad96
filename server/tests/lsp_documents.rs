//! Document sync and diagnostics over the protocol: position encodings, exact positions on
//! a non-ASCII CRLF document, versions, close, pull diagnostics, and an edit storm.
//!
//! Expected diagnostics come from the library (`Snapshot::from_text`: byte spans), turned
//! into positions here, independently of the server's conversion code.

mod common;

use common::{position_at, position_of, Client};
use dockerfile_ls::document::Snapshot;
use serde_json::{json, Value};
use std::time::Duration;

/// Non-ASCII (2-byte, 4-byte/surrogate-pair characters) before findings, CRLF line ends.
const TEXT: &str = "FROM alpine:3.20 AS build\r\n\
LABEL description=\"café 😀\"\r\n\
MAINTAINER José 😀 <jose@example.com>\r\n\
RUN echo \"naïve 😀\" && apk add curl\r\n\
ENV K=$UNDEFINED_é\r\n";

/// `(rule, start, end)` of every finding, positions as `(line, character)`.
type Expected = Vec<(String, (u32, u32), (u32, u32))>;

fn expected(text: &str, encoding: &str) -> Expected {
    let snap = Snapshot::from_text(text);
    let mut v: Expected = snap
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.to_string(),
                position_at(text, f.span.start, encoding),
                position_at(text, f.span.end, encoding),
            )
        })
        .collect();
    v.sort();
    v
}

fn actual(diags: &Value) -> Expected {
    let pos = |p: &Value| {
        (
            p["line"].as_u64().unwrap() as u32,
            p["character"].as_u64().unwrap() as u32,
        )
    };
    let mut v: Expected = diags
        .as_array()
        .expect("diagnostics array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                pos(&d["range"]["start"]),
                pos(&d["range"]["end"]),
            )
        })
        .collect();
    v.sort();
    v
}

fn init_with_encodings(c: &mut Client, offered: Option<&[&str]>) -> String {
    let caps = match offered {
        Some(list) => json!({"general": {"positionEncodings": list}}),
        None => json!({}),
    };
    let init = c.initialize_with(caps);
    init["capabilities"]["positionEncoding"]
        .as_str()
        .expect("positionEncoding announced")
        .to_string()
}

#[test]
fn position_encoding_negotiation() {
    let cases: [(Option<&[&str]>, &str); 6] = [
        (Some(&["utf-8", "utf-16"]), "utf-8"),
        (Some(&["utf-16", "utf-8"]), "utf-8"),
        (Some(&["utf-16"]), "utf-16"),
        (Some(&["utf-32", "utf-16"]), "utf-32"),
        (Some(&["utf-32"]), "utf-32"),
        (None, "utf-16"),
    ];
    for (offered, want) in cases {
        let mut c = Client::spawn();
        assert_eq!(
            init_with_encodings(&mut c, offered),
            want,
            "offered {offered:?}"
        );
        assert_eq!(c.shutdown_and_exit().code(), Some(0));
    }
}

/// The test document must be able to catch an encoding mistake: some finding starts
/// after a non-ASCII character on its line.
#[test]
fn test_document_has_findings_after_non_ascii() {
    let e8 = expected(TEXT, "utf-8");
    let e16 = expected(TEXT, "utf-16");
    let e32 = expected(TEXT, "utf-32");
    assert!(!e8.is_empty(), "no findings on the test document");
    assert!(
        e8 != e16 && e16 != e32,
        "positions do not depend on the encoding: {e8:?}"
    );
}

#[test]
fn diagnostics_are_exact_in_every_encoding() {
    for enc in ["utf-8", "utf-16", "utf-32"] {
        let mut c = Client::spawn();
        assert_eq!(init_with_encodings(&mut c, Some(&[enc])), enc);
        let uri = "file:///home/user/proj/Dockerfile";
        c.open(uri, 1, TEXT);
        let diags = c.diagnostics_at(uri, 1);
        assert_eq!(
            actual(&diags["diagnostics"]),
            expected(TEXT, enc),
            "encoding {enc}"
        );
        assert_eq!(c.shutdown_and_exit().code(), Some(0));
    }
}

#[test]
fn edits_are_applied_in_the_negotiated_encoding() {
    for enc in ["utf-8", "utf-16", "utf-32"] {
        let mut c = Client::spawn();
        init_with_encodings(&mut c, Some(&[enc]));
        let uri = "file:///home/user/proj/Dockerfile";
        c.open(uri, 1, TEXT);
        // Replace `curl` (after an emoji on its line) with `curl wget`, and the `é` of
        // the variable name with `e`, each with a range in `enc` units.
        let start = position_of(TEXT, "curl", enc);
        c.change(
            uri,
            2,
            start,
            (start.0, start.1 + "curl".len() as u32),
            "curl wget",
        );
        let mut text = TEXT.replacen("curl", "curl wget", 1);
        let at = position_of(&text, "_é", enc);
        let width = if enc == "utf-8" { 2 } else { 1 };
        c.change(uri, 3, (at.0, at.1 + 1), (at.0, at.1 + 1 + width), "e");
        text = text.replacen("_é", "_e", 1);
        let diags = c.diagnostics_at(uri, 3);
        assert_eq!(
            actual(&diags["diagnostics"]),
            expected(&text, enc),
            "encoding {enc}"
        );
        assert_eq!(c.shutdown_and_exit().code(), Some(0));
    }
}

#[test]
fn diagnostic_fields() {
    let mut c = Client::spawn();
    c.initialize();
    let uri = "file:///home/user/proj/Dockerfile";
    c.open(uri, 7, TEXT);
    let params = c.diagnostics_at(uri, 7);
    let diags = params["diagnostics"].as_array().expect("array").clone();
    assert!(!diags.is_empty());
    for d in &diags {
        let code = d["code"].as_str().expect("code is the rule id");
        assert_eq!(d["source"], "dockerfile-ls");
        assert_eq!(
            d["codeDescription"]["href"],
            format!(
                "https://github.com/dockerfile-ls/dockerfile-ls/blob/main/docs/rules.md#{}",
                code.to_lowercase()
            )
        );
        assert!((1..=4).contains(&d["severity"].as_i64().expect("severity")));
        assert_eq!(d["data"]["rule"], code);
        assert_eq!(d["data"]["version"], 7);
    }
    let snap = Snapshot::from_text(TEXT);
    for (i, f) in snap.findings.iter().enumerate() {
        let d = diags
            .iter()
            .find(|d| d["data"]["index"] == i)
            .expect("every finding published");
        assert_eq!(d["message"], &*f.message);
        // Fixes come from code actions, not along with every publication.
        assert!(d["data"].get("fix").is_none(), "{}", f.rule);
    }
}

#[test]
fn versions_follow_edits_and_close_clears() {
    let mut c = Client::spawn();
    c.initialize();
    let uri = "file:///home/user/proj/app.Dockerfile";
    c.open(uri, 1, "FROM alpine:3.20\n");
    assert_eq!(c.diagnostics_at(uri, 1)["version"], 1);
    c.change_full(uri, 2, "FROM alpine:3.20\nMAINTAINER me\n");
    let d2 = c.diagnostics_at(uri, 2);
    assert_eq!(
        actual(&d2["diagnostics"]),
        expected("FROM alpine:3.20\nMAINTAINER me\n", "utf-16")
    );
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let cleared = c.wait_for("cleared diagnostics", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(Vec::is_empty)
            && m["params"]["version"].is_null()
    });
    assert_eq!(cleared["params"]["uri"], uri);
    // Requests on a closed document: an empty answer, not an error.
    let hover = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(hover["result"], Value::Null, "{hover}");
    // Re-open with different content: diagnostics for the new text.
    c.open(uri, 1, "FROM alpine:3.20\nMAINTAINER x\n");
    assert_eq!(
        actual(&c.diagnostics_at(uri, 1)["diagnostics"]),
        expected("FROM alpine:3.20\nMAINTAINER x\n", "utf-16")
    );
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn out_of_range_and_reversed_edits_are_clamped() {
    let mut c = Client::spawn();
    c.initialize();
    let uri = "file:///home/user/proj/Dockerfile";
    c.open(uri, 1, "FROM alpine:3.20\nRUN true\n");
    // Past the end of everything: appends at the end.
    c.change(uri, 2, (99, 5), (120, 0), "MAINTAINER z\n");
    // Reversed, and a column past the end of line 1.
    c.change(uri, 3, (1, 99), (1, 0), "RUN false");
    let text = "FROM alpine:3.20\nRUN false\nMAINTAINER z\n";
    assert_eq!(
        actual(&c.diagnostics_at(uri, 3)["diagnostics"]),
        expected(text, "utf-16")
    );
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn several_changes_in_one_notification_apply_in_order() {
    let mut c = Client::spawn();
    c.initialize();
    let uri = "file:///home/user/proj/Dockerfile";
    c.open(uri, 1, "FROM alpine:3.20\n");
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [
                {"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}}, "text": "MAINTAINER a\n"},
                {"range": {"start": {"line": 1, "character": 11}, "end": {"line": 1, "character": 12}}, "text": "bob"},
                {"text": "FROM alpine:3.20\nMAINTAINER carol\nMAINTAINER dave\n"},
                {"range": {"start": {"line": 2, "character": 0}, "end": {"line": 3, "character": 0}}, "text": ""}
            ]
        }),
    );
    let text = "FROM alpine:3.20\nMAINTAINER carol\n";
    assert_eq!(
        actual(&c.diagnostics_at(uri, 2)["diagnostics"]),
        expected(text, "utf-16")
    );
}

#[test]
fn escape_directive_added_by_an_edit() {
    let mut c = Client::spawn();
    c.initialize();
    let uri = "file:///home/user/proj/Dockerfile";
    let before = "FROM alpine:3.20\nRUN echo a \\\n  b\nMAINTAINER x\n";
    c.open(uri, 1, before);
    c.change(uri, 2, (0, 0), (0, 0), "# escape=`\n");
    let after = format!("# escape=`\n{before}");
    assert_eq!(
        actual(&c.diagnostics_at(uri, 2)["diagnostics"]),
        expected(&after, "utf-16")
    );
}

/// A heredoc being typed (no end yet) does not take the stages after it: their
/// diagnostics, symbols and completion stay; typing its end makes them body again.
#[test]
fn unterminated_heredoc_keeps_the_rest_of_the_file() {
    let mut c = Client::spawn();
    c.initialize();
    let uri = "file:///home/user/proj/Dockerfile";
    let text = "FROM node:20 AS deps\nRUN <<EOF\nnpm ci\nFROM node:20-slim AS runner\nCOPY --from=dpes /a /b\nCOPY --from= /a /c\n";
    c.open(uri, 1, text);
    let codes = |d: &Value| -> Vec<String> {
        d["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|x| x["code"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let first = c.diagnostics_at(uri, 1);
    assert!(
        codes(&first).contains(&"SyntaxError".to_string()),
        "{first}"
    );
    assert!(
        codes(&first).contains(&"UnknownStage".to_string()),
        "{first}"
    );
    let symbols = c.call_ok(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["deps", "runner"], "{symbols}");
    let items = c.call_ok(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 5, "character": 12}}),
    );
    let items = items.get("items").unwrap_or(&items).clone();
    let labels: Vec<&str> = items
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert!(labels.contains(&"deps"), "{items}");
    // The heredoc's end typed after the stage: it is all body now, as BuildKit reads it.
    c.change(uri, 2, (6, 0), (6, 0), "EOF\n");
    let closed = c.diagnostics_at(uri, 2);
    let after = codes(&closed);
    assert!(
        !after
            .iter()
            .any(|c| c == "UnknownStage" || c == "SyntaxError"),
        "{closed}"
    );
    let symbols = c.call_ok(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(symbols.as_array().map(Vec::len), Some(1), "{symbols}");
}

#[test]
fn pull_diagnostics_share_the_cached_result() {
    let mut c = Client::spawn();
    let init = c.initialize_with(json!({"textDocument": {"diagnostic": {}}}));
    assert!(init["capabilities"]["diagnosticProvider"].is_object());
    let uri = "file:///home/user/proj/Dockerfile";
    c.open(uri, 1, TEXT);
    let report = c.call_ok(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(report["kind"], "full", "{report}");
    assert_eq!(actual(&report["items"]), expected(TEXT, "utf-16"));
    let id = report["resultId"].as_str().expect("resultId").to_string();
    let again = c.call_ok(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}, "previousResultId": id}),
    );
    assert_eq!(again["kind"], "unchanged", "{again}");
    assert_eq!(again["resultId"], id.as_str());
    c.change_full(uri, 2, "FROM alpine:3.20\nMAINTAINER x\n");
    let changed = c.call_ok(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}, "previousResultId": id}),
    );
    assert_eq!(changed["kind"], "full");
    assert_ne!(changed["resultId"], id.as_str());
    assert_eq!(
        actual(&changed["items"]),
        expected("FROM alpine:3.20\nMAINTAINER x\n", "utf-16")
    );
    // Pull clients get no pushed diagnostics.
    let pushed: Vec<Value> = c
        .drain(Duration::from_millis(300))
        .into_iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .collect();
    assert!(pushed.is_empty(), "{pushed:?}");
}

/// 500 edits sent without waiting: the server ends with diagnostics for the final
/// version and text, and publishes nothing for an older version after it.
#[test]
fn edit_storm_ends_with_the_final_version() {
    let mut c = Client::spawn();
    c.initialize();
    let uri = "file:///home/user/proj/Dockerfile";
    c.open(uri, 1, "FROM alpine:3.20\n");
    let mut text = String::from("FROM alpine:3.20\n");
    let typed = "RUN apk add curl\nMAINTAINER someone\n";
    let mut version = 1;
    let mut line = 1u32;
    let mut col = 0u32;
    while version < 501 {
        for ch in typed.chars() {
            if version >= 501 {
                break;
            }
            version += 1;
            c.change(uri, version, (line, col), (line, col), &ch.to_string());
            text.push(ch);
            if ch == '\n' {
                line += 1;
                col = 0;
            } else {
                col += 1;
            }
        }
    }
    let last = c.diagnostics_at(uri, 501);
    assert_eq!(actual(&last["diagnostics"]), expected(&text, "utf-16"));
    // Older publishes arrived before it; only what comes after matters now.
    c.clear_backlog();
    let later: Vec<Value> = c
        .drain(Duration::from_millis(500))
        .into_iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .collect();
    assert!(
        later.iter().all(|m| m["params"]["version"] == 501),
        "stale diagnostics after the final version: {later:?}"
    );
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn requests_see_every_edit_sent_before_them() {
    let mut c = Client::spawn();
    c.initialize_with(json!({"textDocument": {"diagnostic": {}}}));
    let uri = "file:///home/user/proj/Dockerfile";
    c.open(uri, 1, "FROM alpine:3.20\n");
    for v in 2..=60 {
        c.change(uri, v, (1, 0), (1, 0), "MAINTAINER x\n");
    }
    // Sent right after the edits, without waiting for anything: sees all 59 lines.
    let report = c.call_ok(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    let n = report["items"].as_array().map_or(0, |a| {
        a.iter()
            .filter(|d| d["code"] == "MaintainerDeprecated")
            .count()
    });
    assert_eq!(n, 59, "{report}");
}

/// Edits sent right after opening a large file arrive while its first full parse runs:
/// each gets its diagnostics (from the open's model, before the tree), and what the tree
/// answers afterwards (selection ranges) is what a server opened on the final text answers
/// (the open's tree took the edits over and was re-parsed incrementally).
#[test]
fn edits_during_the_first_parse_get_diagnostics_and_a_matching_tree() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/bench/Dockerfile.big"
    );
    let mut text = std::fs::read_to_string(path).expect("bench file");
    let uri = "file:///home/user/big/Dockerfile";
    let mut edited = Client::spawn();
    edited.initialize();
    edited.open(uri, 1, &text);
    for version in 2..=6 {
        let line = 3 + version as u32 * 7;
        let insert = format!("ARG EXTRA_{version}=x\n");
        edited.change(uri, version, (line, 0), (line, 0), &insert);
        let offset = text
            .match_indices('\n')
            .nth(line as usize - 1)
            .map_or(0, |(i, _)| i + 1);
        text.insert_str(offset, &insert);
        let diags = edited.diagnostics_at(uri, version);
        assert_eq!(actual(&diags["diagnostics"]), expected(&text, "utf-16"));
    }
    let mut fresh = Client::spawn();
    fresh.initialize();
    fresh.open(uri, 1, &text);
    fresh.diagnostics_for(uri);
    let positions: Vec<Value> = [(10, 3), (2000, 5), (4500, 12)]
        .iter()
        .map(|(l, c)| json!({"line": l, "character": c}))
        .collect();
    let params = json!({"textDocument": {"uri": uri}, "positions": positions});
    let ranges = edited.call_ok("textDocument/selectionRange", params.clone());
    assert_eq!(ranges, fresh.call_ok("textDocument/selectionRange", params));
    assert_eq!(edited.shutdown_and_exit().code(), Some(0));
    assert_eq!(fresh.shutdown_and_exit().code(), Some(0));
}
