//! Order of pushed diagnostics: for each document, publications never go back to an
//! older version, nothing follows the clearing sent on didClose, and a file's
//! `.dockerfile-ls.toml` applies from the first publication on.

mod common;

use common::{file_uri, Client};
use serde_json::{json, Value};
use std::time::Duration;

const TEXT: &str = "FROM alpine:3.20\nMAINTAINER me\nRUN cd /app && make\n";

fn is_publication_for(m: &Value, uri: &str) -> bool {
    m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
}

fn is_clearing(m: &Value) -> bool {
    m["params"]["version"].is_null()
        && m["params"]["diagnostics"]
            .as_array()
            .is_some_and(Vec::is_empty)
}

/// Every publication for `uri`, in arrival order, from what `c` received.
fn publications(messages: &[Value], uri: &str) -> Vec<Value> {
    messages
        .iter()
        .filter(|m| is_publication_for(m, uri))
        .map(|m| m["params"].clone())
        .collect()
}

/// Versions of the publications before the clearing never decrease; the clearing is
/// the last publication.
fn assert_ordered(pubs: &[Value], uri: &str) {
    let Some((last, before)) = pubs.split_last() else {
        panic!("no publication for {uri}");
    };
    assert!(
        is_clearing(&json!({ "params": last })),
        "{uri}: the last publication is not the clearing: {last}"
    );
    let versions: Vec<i64> = before
        .iter()
        .map(|p| {
            p["version"]
                .as_i64()
                .unwrap_or_else(|| panic!("{uri}: unversioned publication before the close: {p}"))
        })
        .collect();
    assert!(
        versions.windows(2).all(|w| w[0] <= w[1]),
        "{uri}: versions went back: {versions:?}"
    );
}

/// Everything received (in arrival order) until each of `uris` has had its clearing,
/// and for a while after, so that a publication wrongly sent after it shows.
fn until_cleared(c: &mut Client, uris: &[String]) -> Vec<Value> {
    let mut messages = Vec::new();
    let cleared = |messages: &[Value]| {
        uris.iter().all(|u| {
            messages
                .iter()
                .any(|m| is_publication_for(m, u) && is_clearing(m))
        })
    };
    let deadline = std::time::Instant::now() + common::TIMEOUT;
    while !cleared(&messages) {
        assert!(
            std::time::Instant::now() < deadline,
            "no clearing for every document: {messages:?}"
        );
        messages.extend(c.drain(Duration::from_millis(50)));
    }
    messages.extend(c.drain(Duration::from_millis(300)));
    messages
}

/// Several documents edited without waiting, each closed right after its last edit:
/// per document, versions only increase and the clearing comes last.
#[test]
fn edits_then_close_end_with_the_clearing() {
    let mut c = Client::spawn();
    c.initialize();
    let uris: Vec<String> = (0..4)
        .map(|i| format!("file:///home/user/proj{i}/Dockerfile"))
        .collect();
    for _ in 0..5 {
        for uri in &uris {
            c.open(uri, 1, TEXT);
        }
        // Interleave the documents' edits so their analyses overlap.
        for version in 2..40i64 {
            for uri in &uris {
                let line = if version % 2 == 0 { "# a\n" } else { "" };
                let end = if version % 2 == 0 { (1, 0) } else { (2, 0) };
                c.change(uri, version, (1, 0), end, line);
            }
        }
        for uri in &uris {
            c.notify(
                "textDocument/didClose",
                json!({"textDocument": {"uri": uri}}),
            );
        }
        let messages = until_cleared(&mut c, &uris);
        for uri in &uris {
            let pubs = publications(&messages, uri);
            assert_ordered(&pubs, uri);
        }
    }
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

/// The configuration file beside the document is read after didOpen, off the protocol
/// thread; edits sent right after the open must not be analysed without it.
#[test]
fn the_configuration_file_applies_from_the_first_publication() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join(".dockerfile-ls.toml"),
        "[rules]\nMaintainerDeprecated = \"off\"\n",
    )
    .expect("write config");
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, TEXT).expect("write Dockerfile");
    let uri = file_uri(&path);
    let mut c = Client::spawn();
    c.initialize();
    c.open(&uri, 1, TEXT);
    for version in 2..10i64 {
        c.change(&uri, version, (0, 0), (0, 0), "# x\n");
    }
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let messages = until_cleared(&mut c, std::slice::from_ref(&uri));
    let pubs = publications(&messages, &uri);
    assert_ordered(&pubs, &uri);
    for p in &pubs {
        let codes: Vec<&str> = p["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["code"].as_str())
            .collect();
        assert!(
            !codes.contains(&"MaintainerDeprecated"),
            "rule not off: {p}"
        );
    }
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

/// Symbols, tokens and folds are answered outside tower-lsp-server (see
/// `lsp::framing::REROUTABLE`): the same session-state errors, the same answers, and
/// each sees the edits sent before it.
#[test]
fn rerouted_requests_keep_the_protocol() {
    const SERVER_NOT_INITIALIZED: i64 = -32002;
    const INVALID_REQUEST: i64 = -32600;
    const INVALID_PARAMS: i64 = -32602;
    let uri = "file:///home/user/proj/Dockerfile";
    let requests = [
        (
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        ),
        (
            "textDocument/foldingRange",
            json!({"textDocument": {"uri": uri}}),
        ),
        (
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": uri}}),
        ),
        (
            "textDocument/semanticTokens/range",
            json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}}}),
        ),
        (
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
        ),
        (
            "textDocument/rangeFormatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true},
                   "range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 3}}}),
        ),
    ];
    let mut c = Client::spawn();
    for (method, params) in &requests {
        let resp = c.call(method, params.clone());
        assert_eq!(
            resp["error"]["code"], SERVER_NOT_INITIALIZED,
            "{method}: {resp}"
        );
    }
    c.initialize();
    // Not open: no answer, not an error. Bad parameters: InvalidParams.
    for (method, params) in &requests {
        assert_eq!(c.call_ok(method, params.clone()), Value::Null, "{method}");
        let resp = c.call(method, json!({"textDocument": 5}));
        assert_eq!(resp["error"]["code"], INVALID_PARAMS, "{method}: {resp}");
    }
    c.open(uri, 1, "from alpine AS a\nrun x\n");
    for v in 2..=30i64 {
        c.change(uri, v, (2, 0), (2, 0), &format!("FROM alpine AS s{v}\n"));
    }
    // Sent right after the edits: the symbols of all 30 stages.
    let symbols = c.call_ok("textDocument/documentSymbol", requests[0].1.clone());
    assert_eq!(symbols.as_array().map(Vec::len), Some(30), "{symbols}");
    let folds = c.call_ok("textDocument/foldingRange", requests[1].1.clone());
    assert!(folds.as_array().is_some_and(|f| !f.is_empty()), "{folds}");
    // The keywords take the case of most of them, which the 29 stages sent make upper.
    let edits = c.call_ok("textDocument/formatting", requests[4].1.clone());
    assert_eq!(edits[0]["newText"], "FROM", "{edits}");
    assert_eq!(edits[1]["newText"], "RUN", "{edits}");
    // The range (line 1, `run x`) gets only its own line's edit.
    let edits = c.call_ok("textDocument/rangeFormatting", requests[5].1.clone());
    assert_eq!(edits.as_array().map(Vec::len), Some(1), "{edits}");
    assert_eq!(edits[0]["newText"], "RUN", "{edits}");
    for (method, params) in &requests[2..4] {
        let tokens = c.call_ok(method, params.clone());
        assert!(
            tokens["data"].as_array().is_some_and(|d| !d.is_empty()),
            "{method}: {tokens}"
        );
    }
    assert_eq!(c.call("shutdown", Value::Null)["result"], Value::Null);
    for (method, params) in &requests {
        let resp = c.call(method, params.clone());
        assert_eq!(resp["error"]["code"], INVALID_REQUEST, "{method}: {resp}");
    }
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit().and_then(|s| s.code()), Some(0));
}
