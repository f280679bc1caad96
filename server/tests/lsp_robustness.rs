//! Robustness of the server process against hostile or careless clients: framing edge
//! cases, wrong parameter types on every request, odd documents (NUL, lone surrogates,
//! emoji, CRLF, 5 MB, a 1 MB line), a 2,000-edit storm, mass cancellation, notifications
//! nobody knows, exit while busy, and input cut off mid-message.
//!
//! What lsp_malformed.rs, lsp_lifecycle.rs and lsp_documents.rs already check is not
//! repeated here. Timeouts are generous and only detect hangs; nothing asserts speed.

mod common;

use common::{position_at, Client};
use dockerfile_ls::document::Snapshot;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const INVALID_PARAMS: i64 = -32602;
const REQUEST_CANCELLED: i64 = -32800;

/// For the big documents on a loaded machine (debug build): only a hang reaches this.
const LONG: Duration = Duration::from_secs(600);

fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn still_serving(c: &mut Client) {
    let resp = c.call("dockerfile/noSuchThing", json!({}));
    assert_eq!(resp["error"]["code"], -32601, "{resp}");
}

/// Like `Client::wait_for`, with a longer deadline (big documents, debug build).
fn wait_long(c: &mut Client, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + LONG;
    let mut kept = Vec::new();
    while Instant::now() < deadline {
        let mut found = None;
        for m in c.drain(Duration::from_millis(200)) {
            if found.is_none() && pred(&m) {
                found = Some(m);
            } else {
                kept.push(m);
            }
        }
        if let Some(m) = found {
            return m;
        }
    }
    panic!("timed out waiting for {what}");
}

/// `(code, start, end)` of each diagnostic, sorted.
type Diags = Vec<(String, (u32, u32), (u32, u32))>;

fn actual(diags: &Value) -> Diags {
    let pos = |p: &Value| {
        (
            p["line"].as_u64().unwrap() as u32,
            p["character"].as_u64().unwrap() as u32,
        )
    };
    let mut out: Diags = diags
        .as_array()
        .expect("diagnostics array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                pos(&d["range"]["start"]),
                pos(&d["range"]["end"]),
            )
        })
        .collect();
    out.sort();
    out
}

/// What the library finds in `text`, as UTF-16 positions computed here.
fn expected(text: &str) -> Diags {
    let snap = Snapshot::from_text(text);
    let mut out: Diags = snap
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.to_string(),
                position_at(text, f.span.start, "utf-16"),
                position_at(text, f.span.end, "utf-16"),
            )
        })
        .collect();
    out.sort();
    out
}

/// Every range in a diagnostics list lies inside `text` (UTF-16 columns).
fn assert_ranges_inside(text: &str, diags: &Value) {
    let lines: Vec<&str> = text.split('\n').collect();
    for d in diags.as_array().expect("array") {
        for end in ["start", "end"] {
            let p = &d["range"][end];
            let line = p["line"].as_u64().unwrap() as usize;
            let col = p["character"].as_u64().unwrap() as usize;
            assert!(line < lines.len(), "line {line} past the end: {d}");
            let len = lines[line].trim_end_matches('\r').encode_utf16().count();
            assert!(col <= len, "column {col} past the end of line {line}: {d}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Framing and JSON-RPC shape

#[test]
fn framing_variants_are_accepted_or_answered() {
    let mut c = Client::spawn();
    c.initialize();
    // One byte at a time.
    let body = br#"{"jsonrpc":"2.0","id":"slow","method":"shutdown"}"#;
    for b in framed(body) {
        c.send_raw(&[b]);
    }
    let resp = c.wait_for("slow", |m| m["id"] == "slow");
    assert_eq!(resp["result"], Value::Null, "{resp}");
    // Lower-case header name, a Content-Type header, two messages in one write.
    let a = br#"{"jsonrpc":"2.0","id":"a","method":"dockerfile/none"}"#;
    let b = br#"{"jsonrpc":"2.0","id":"b","method":"dockerfile/none"}"#;
    let mut bytes = format!(
        "content-length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n",
        a.len()
    )
    .into_bytes();
    bytes.extend_from_slice(a);
    bytes.extend(framed(b));
    c.send_raw(&bytes);
    for id in ["a", "b"] {
        let resp = c.wait_for(id, |m| m["id"] == id);
        assert_eq!(resp["error"]["code"], -32601, "{resp}");
    }
}

#[test]
fn oversized_and_negative_content_length_are_parse_errors() {
    let mut c = Client::spawn();
    c.send_raw(b"Content-Length: 99999999999999999999\r\n\r\n{}");
    c.send_raw(b"Content-Length: -5\r\n\r\n{}");
    c.send_raw(b"Content-Length: 1000000000\r\n\r\n{}");
    let errors: Vec<Value> = (0..3)
        .map(|i| {
            c.wait_for(&format!("error {i}"), |m| {
                m["id"].is_null() && m["error"]["code"] == PARSE_ERROR
            })
        })
        .collect();
    assert_eq!(errors.len(), 3);
    c.initialize();
    still_serving(&mut c);
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn invalid_ids_methods_and_batches_are_invalid_requests() {
    let mut c = Client::spawn();
    c.initialize();
    for body in [
        r#"{"jsonrpc":"2.0","id":1.5,"method":"shutdown"}"#,
        r#"{"jsonrpc":"2.0","id":{"x":1},"method":"shutdown"}"#,
        r#"{"jsonrpc":"2.0","id":[1],"method":"shutdown"}"#,
        r#"{"jsonrpc":"2.0","id":3,"method":42}"#,
        r#"{"jsonrpc":"2.0","id":4,"method":"shutdown","params":"yes"}"#,
        r#"{"jsonrpc":"1.0","id":5,"method":"shutdown"}"#,
        r#"[{"jsonrpc":"2.0","id":6,"method":"shutdown"}]"#,
        r#""just a string""#,
        r#"null"#,
    ] {
        c.send_raw(&framed(body.as_bytes()));
        let resp = c.wait_for(body, |m| m.get("error").is_some());
        assert_eq!(resp["error"]["code"], INVALID_REQUEST, "{body}: {resp}");
    }
    // None of them was taken for a shutdown.
    still_serving(&mut c);
    let hover = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///x/Dockerfile"}, "position": {"line": 0, "character": 0}}),
    );
    assert!(hover.get("error").is_none(), "{hover}");
}

/// Every request the server offers, with parameters of the wrong types: each gets exactly
/// one InvalidParams error, and the server keeps serving.
#[test]
fn wrong_parameter_types_on_every_request() {
    let mut c = Client::spawn();
    c.initialize();
    let uri = "file:///x/Dockerfile";
    c.open(uri, 1, "FROM alpine\nRUN echo hi\n");
    let methods = [
        "textDocument/hover",
        "textDocument/completion",
        "textDocument/signatureHelp",
        "textDocument/definition",
        "textDocument/references",
        "textDocument/documentHighlight",
        "textDocument/prepareRename",
        "textDocument/rename",
        "textDocument/documentSymbol",
        "textDocument/foldingRange",
        "textDocument/semanticTokens/full",
        "textDocument/semanticTokens/range",
        "textDocument/documentLink",
        "textDocument/inlayHint",
        "textDocument/selectionRange",
        "textDocument/formatting",
        "textDocument/rangeFormatting",
        "textDocument/onTypeFormatting",
        "textDocument/codeAction",
        "textDocument/diagnostic",
        "workspace/symbol",
        "workspace/executeCommand",
        "completionItem/resolve",
        "codeAction/resolve",
    ];
    let bad = [
        json!({"textDocument": {"uri": 5}, "position": {"line": "0", "character": -1}}),
        json!([1, 2, 3]),
        json!({"textDocument": {"uri": uri}, "position": {"line": -1, "character": 1.5}, "range": "all", "query": 7, "command": {}, "label": 3, "title": [], "workDoneToken": {"a": 1}, "partialResultToken": [2]}),
    ];
    let mut ids = HashMap::new();
    for m in methods {
        for p in &bad {
            ids.insert(c.request(m, p.clone()), m);
        }
    }
    for (id, m) in &ids {
        let resp = c.response(*id);
        assert_eq!(resp["error"]["code"], INVALID_PARAMS, "{m}: {resp}");
    }
    // Exactly one response each.
    let extra: Vec<Value> = c
        .drain(Duration::from_millis(300))
        .into_iter()
        .filter(|m| {
            m.get("id")
                .is_some_and(|i| ids.contains_key(&i.as_i64().unwrap_or(-1)))
        })
        .collect();
    assert!(extra.is_empty(), "second responses: {extra:?}");
    // Notifications with wrong types: ignored.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": "two"}, "contentChanges": "x"}),
    );
    c.notify("textDocument/didClose", json!({"textDocument": 1}));
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": [1, 2]}),
    );
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": {"uri": 1}}),
    );
    let hover = c.call_ok(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 1}}),
    );
    assert!(
        !hover.is_null(),
        "the document should still be open: {hover}"
    );
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn notifications_before_initialize_do_not_break_the_session() {
    let mut c = Client::spawn();
    let uri = "file:///x/Dockerfile";
    c.open(uri, 1, "FROM alpine\n");
    c.change_full(uri, 2, "FROM alpine\nMAINTAINER x\n");
    c.notify("$/cancelRequest", json!({"id": 99}));
    c.notify("initialized", json!({}));
    c.initialize();
    c.open(uri, 1, "FROM alpine\nMAINTAINER x\n");
    let d = c.diagnostics_at(uri, 1);
    assert!(
        d["diagnostics"]
            .to_string()
            .contains("MaintainerDeprecated"),
        "{d}"
    );
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn unknown_notifications_get_no_reply() {
    let mut c = Client::spawn();
    c.initialize();
    c.notify("$/setTrace", json!({"value": "verbose"}));
    c.notify("$/logTrace", json!({"message": "x"}));
    c.notify("$/progress", json!({"token": 1, "value": {"kind": "end"}}));
    c.notify("$/no/such/thing", json!([1, 2]));
    c.send_raw(&framed(br#"{"jsonrpc":"2.0","method":"custom/noParams"}"#));
    c.send_raw(&framed(
        br#"{"jsonrpc":"2.0","method":"custom/nullParams","params":null}"#,
    ));
    c.notify("window/workDoneProgress/cancel", json!({"token": "nope"}));
    let replies: Vec<Value> = c
        .drain(Duration::from_millis(500))
        .into_iter()
        .filter(|m| m.get("id").is_some())
        .collect();
    assert!(
        replies.is_empty(),
        "a notification was answered: {replies:?}"
    );
    // An unknown `$/` request still gets an answer.
    let resp = c.call("$/unknownRequest", json!({}));
    assert_eq!(resp["error"]["code"], -32601, "{resp}");
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

// ---------------------------------------------------------------------------------------
// Documents

#[test]
fn versions_going_backwards_are_applied_in_arrival_order() {
    let mut c = Client::spawn();
    c.initialize();
    let uri = "file:///x/Dockerfile";
    c.open(uri, 10, "FROM alpine\n");
    c.change(uri, 5, (1, 0), (1, 0), "MAINTAINER a\n");
    c.change(uri, 3, (2, 0), (2, 0), "MAINTAINER b\n");
    c.change(uri, -7, (3, 0), (3, 0), "RUN echo\n");
    let d = c.diagnostics_at(uri, -7);
    let text = "FROM alpine\nMAINTAINER a\nMAINTAINER b\nRUN echo\n";
    assert_eq!(actual(&d["diagnostics"]), expected(text));
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

/// Odd texts: every request answers without error, diagnostics stay inside the text.
#[test]
fn nul_bytes_lone_surrogates_emoji_and_crlf() {
    let mut c = Client::spawn();
    c.initialize();
    let docs: [(&str, &str); 4] = [
        (
            "nul",
            "FROM alpine\u{0}\nRUN echo \u{0}\u{0} x\n\u{0}\nMAINTAINER \u{0}\n",
        ),
        (
            "emoji",
            "FROM alpine\nRUN echo 😀👩‍👩‍👧 && curl x\nLABEL a=\"🐳\" b=c\nMAINTAINER 🐳\n",
        ),
        (
            "crlf",
            "FROM alpine AS a\r\nRUN echo a \\\r\n  b\r\nMAINTAINER x\r\n\rRUN x\r",
        ),
        (
            "mixed",
            "\u{feff}FROM alpine\r\n\u{0}😀\r\nRUN \\\n\r\n echo\u{2028}x\n",
        ),
    ];
    let mut expect_text = HashMap::new();
    for (i, (name, text)) in docs.iter().enumerate() {
        let uri = format!("file:///odd/{name}/Dockerfile");
        c.open(&uri, i as i64 + 1, text);
        expect_text.insert(uri, text.to_string());
    }
    // Lone surrogates as JSON escapes, as a UTF-16 client may send them.
    let uri = "file:///odd/surrogate/Dockerfile";
    let body = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"{uri}","languageId":"dockerfile","version":9,"text":"FROM alpine\nRUN echo \ud800 lone \udfff\nMAINTAINER \udc00x\n"}}}}}}"#
    );
    c.send_raw(&framed(body.as_bytes()));
    expect_text.insert(
        uri.to_string(),
        "FROM alpine\nRUN echo \u{fffd} lone \u{fffd}\nMAINTAINER \u{fffd}x\n".to_string(),
    );
    for (uri, text) in &expect_text {
        let d = c.diagnostics_for(uri);
        assert_ranges_inside(text, &d["diagnostics"]);
        assert_eq!(actual(&d["diagnostics"]), expected(text), "{uri}");
        let end = text.split('\n').count() as u32;
        for (method, extra) in [
            (
                "textDocument/hover",
                json!({"position": {"line": 1, "character": 9}}),
            ),
            (
                "textDocument/completion",
                json!({"position": {"line": 1, "character": 2}}),
            ),
            ("textDocument/documentSymbol", json!({})),
            ("textDocument/foldingRange", json!({})),
            ("textDocument/semanticTokens/full", json!({})),
            (
                "textDocument/formatting",
                json!({"options": {"tabSize": 4, "insertSpaces": true}}),
            ),
            (
                "textDocument/selectionRange",
                json!({"positions": [{"line": 1, "character": 10}, {"line": end, "character": 3}]}),
            ),
            (
                "textDocument/inlayHint",
                json!({"range": {"start": {"line": 0, "character": 0}, "end": {"line": end, "character": 0}}}),
            ),
            (
                "textDocument/codeAction",
                json!({"range": {"start": {"line": 0, "character": 0}, "end": {"line": end, "character": 0}}, "context": {"diagnostics": []}}),
            ),
        ] {
            let mut params = extra;
            params["textDocument"] = json!({"uri": uri});
            let resp = c.call(method, params);
            assert!(resp.get("error").is_none(), "{uri} {method}: {resp}");
        }
    }
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

/// A 5 MB document of 100,000 lines, then an edit at its end; and a single 1 MB line.
#[test]
fn huge_documents_are_served() {
    let mut c = Client::spawn();
    c.initialize();
    let mut big = String::from("FROM alpine:3.20\n");
    for i in 1..100_000 {
        big.push_str(&format!("RUN echo line-{i:06} xxxxxxxxxxxxxxxxxxxxxxxx\n"));
    }
    assert!(big.len() > 4_500_000);
    let uri = "file:///big/Dockerfile";
    c.open(uri, 1, &big);
    let d = wait_long(&mut c, "diagnostics for the big document", |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 1
    });
    assert_ranges_inside(&big, &d["params"]["diagnostics"]);
    c.change(uri, 2, (100_000, 0), (100_000, 0), "MAINTAINER me\n");
    let d = wait_long(&mut c, "diagnostics after the edit", |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 2
    });
    assert!(
        d["params"]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["code"] == "MaintainerDeprecated" && x["range"]["start"]["line"] == 100_000),
        "{}",
        d["params"]["diagnostics"]
    );
    let id = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 99_999, "character": 1}}),
    );
    let resp = wait_long(&mut c, "hover", |m| m["id"] == id);
    assert!(resp.get("error").is_none(), "{resp}");
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );

    let line = format!("FROM alpine\nRUN echo {}\n", "a".repeat(1 << 20));
    let uri = "file:///big/line/Dockerfile";
    c.open(uri, 1, &line);
    let d = wait_long(&mut c, "diagnostics for the long line", |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
    });
    assert_ranges_inside(&line, &d["params"]["diagnostics"]);
    let id = c.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri}}),
    );
    let resp = wait_long(&mut c, "tokens", |m| m["id"] == id);
    assert!(resp.get("error").is_none(), "{resp}");
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

/// Hostile shapes that once cost time or memory out of proportion in a request, each
/// answered through the protocol: a whole-file code action on a file of thousands of
/// findings (its list is capped), selection ranges in 5,000 nested ONBUILDs (the chain is
/// capped), symbols of thousands of ENV pairs on one non-ASCII line, references and
/// rename of a variable defined thousands of times, links of thousands of FROM lines with
/// variables. Only hangs fail on time (`LONG`).
#[test]
fn hostile_shapes_answer_every_request() {
    let mut c = Client::spawn();
    c.initialize();
    let ask = |c: &mut Client, method: &str, params: Value| -> Value {
        let id = c.request(method, params);
        let resp = wait_long(c, method, |m| m["id"] == id);
        assert!(resp.get("error").is_none(), "{method}: {resp}");
        resp["result"].clone()
    };
    let open = |c: &mut Client, uri: &str, text: &str| {
        c.open(uri, 1, text);
        wait_long(c, "diagnostics", |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
    };

    let cmds: String = (0..2_000)
        .map(|i| format!("CMD echo {i}\nENTRYPOINT x {i}\n"))
        .collect();
    let text = format!("FROM alpine\n{cmds}");
    let uri = "file:///hostile/cmds/Dockerfile";
    open(&mut c, uri, &text);
    let end = position_at(&text, text.len(), "utf-16");
    let actions = ask(
        &mut c,
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri},
               "range": {"start": {"line": 0, "character": 0},
                         "end": {"line": end.0, "character": end.1}},
               "context": {"diagnostics": []}}),
    );
    let n = actions.as_array().map_or(0, Vec::len);
    assert!(n > 0 && n < 2_000, "{n} actions");

    let text = format!("FROM alpine\n{}RUN true\n", "ONBUILD ".repeat(5_000));
    let uri = "file:///hostile/onbuild/Dockerfile";
    open(&mut c, uri, &text);
    let (line, character) = position_at(&text, text.find("true").unwrap(), "utf-16");
    let sel = ask(
        &mut c,
        "textDocument/selectionRange",
        json!({"textDocument": {"uri": uri},
               "positions": [{"line": line, "character": character}]}),
    );
    let mut depth = 0;
    let mut r = &sel[0];
    while r.is_object() {
        depth += 1;
        r = &r["parent"];
    }
    assert!((1..=128).contains(&depth), "{depth}");

    let pairs: String = (0..5_000).map(|i| format!(" K{i}=é{i}")).collect();
    let text = format!("FROM alpine\nENV{pairs}\n");
    let uri = "file:///hostile/env/Dockerfile";
    open(&mut c, uri, &text);
    let symbols = ask(
        &mut c,
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let children = symbols[0]["children"].as_array().map_or(0, Vec::len);
    assert_eq!(children, 5_000);
    let last = &symbols[0]["children"][4_999];
    let want = position_at(&text, text.find(" K4999=").unwrap() + 1, "utf-16");
    assert_eq!(
        last["selectionRange"]["start"]["character"], want.1,
        "{last}"
    );

    let args: String = (0..3_000)
        .map(|i| format!("ARG A=v{i}\nRUN echo $A\n"))
        .collect();
    let text = format!("FROM alpine\n{args}");
    let uri = "file:///hostile/args/Dockerfile";
    open(&mut c, uri, &text);
    let at = json!({"line": 1, "character": 4});
    let refs = ask(
        &mut c,
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": at,
               "context": {"includeDeclaration": true}}),
    );
    assert!(refs.as_array().map_or(0, Vec::len) >= 2, "{refs}");
    let edit = ask(
        &mut c,
        "textDocument/rename",
        json!({"textDocument": {"uri": uri}, "position": at, "newName": "B"}),
    );
    assert!(
        edit["changes"][uri].as_array().map_or(0, Vec::len) >= 2,
        "{edit}"
    );

    let globals: String = (0..200).map(|i| format!("ARG I{i}=alpine\n")).collect();
    let froms: String = (0..3_000)
        .map(|i| format!("FROM ${{I{}}}:${{I{}}} AS st{i}\n", i % 200, (i + 1) % 200))
        .collect();
    let text = format!("{globals}{froms}");
    let uri = "file:///hostile/froms/Dockerfile";
    open(&mut c, uri, &text);
    let links = ask(
        &mut c,
        "textDocument/documentLink",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(links.as_array().map_or(0, Vec::len), 3_000);
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

/// A small deterministic generator (no dependency on a random crate).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// 2,000 edits of every kind (insertions, deletions across lines, replacements after
/// emoji), sent without waiting: the last diagnostics are for the last version and match
/// the library's findings on the text the client holds.
#[test]
fn storm_of_2000_mixed_edits() {
    let mut c = Client::spawn();
    c.initialize();
    let uri = "file:///storm/Dockerfile";
    let mut text = String::from("FROM alpine:3.20 AS base\n");
    c.open(uri, 1, &text);
    let mut rng = Lcg(7);
    let snippets = [
        "RUN echo 😀\n",
        "MAINTAINER x\n",
        " é",
        "ARG A=1\n",
        "$A",
        "\\\n",
        "🐳",
    ];
    for v in 2..=2001 {
        let lines: Vec<&str> = text.split('\n').collect();
        let n = lines.len();
        let l1 = 1 + rng.next(n - 1);
        let l2 = (l1 + rng.next(3)).min(n - 1);
        let col = |l: usize, r: &mut Lcg| {
            let chars: Vec<char> = lines[l].chars().collect();
            let k = r.next(chars.len() + 1);
            let before: String = chars[..k].iter().collect();
            (before.len(), before.encode_utf16().count() as u32)
        };
        let (b1, c1) = col(l1, &mut rng);
        let (b2, c2) = col(l2, &mut rng);
        let off = |l: usize, b: usize| lines[..l].iter().map(|s| s.len() + 1).sum::<usize>() + b;
        let (mut s, mut e) = (off(l1, b1), off(l2, b2));
        let (mut p1, mut p2) = ((l1 as u32, c1), (l2 as u32, c2));
        if e < s {
            std::mem::swap(&mut s, &mut e);
            std::mem::swap(&mut p1, &mut p2);
        }
        let insert = if rng.next(4) == 0 || text.len() > 20_000 {
            ""
        } else {
            snippets[rng.next(snippets.len())]
        };
        c.change(uri, v, p1, p2, insert);
        text.replace_range(s..e, insert);
    }
    let last = c.diagnostics_at(uri, 2001);
    assert_eq!(actual(&last["diagnostics"]), expected(&text));
    let symbols = c.call_ok(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(symbols.is_array(), "{symbols}");
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

/// A stage of `n` RUN instructions that install a package.
fn installs(n: usize) -> String {
    let mut text = String::from("FROM alpine AS base\n");
    for i in 0..n {
        text.push_str(&format!("RUN echo {i} && apt-get install -y curl\n"));
    }
    text
}

/// 50 requests, then 50 cancellations at once: every request gets exactly one response,
/// its result or RequestCancelled.
#[test]
fn fifty_requests_cancelled_at_once() {
    let mut c = Client::spawn();
    c.initialize();
    let uri = "file:///cancel/Dockerfile";
    let text = installs(300);
    c.open(uri, 1, &text);
    let methods = [
        (
            "textDocument/completion",
            json!({"position": {"line": 5, "character": 3}}),
        ),
        (
            "textDocument/hover",
            json!({"position": {"line": 5, "character": 1}}),
        ),
        ("textDocument/documentSymbol", json!({})),
        ("textDocument/semanticTokens/full", json!({})),
        ("textDocument/foldingRange", json!({})),
    ];
    let mut ids = Vec::new();
    for i in 0..50 {
        let (m, p) = &methods[i % methods.len()];
        let mut p = p.clone();
        p["textDocument"] = json!({"uri": uri});
        ids.push(c.request(m, p));
    }
    for id in &ids {
        c.notify("$/cancelRequest", json!({"id": id}));
    }
    // Cancelling what is already answered, or was never sent, is harmless.
    c.notify("$/cancelRequest", json!({"id": 123456}));
    c.notify("$/cancelRequest", json!({"id": "nope"}));
    let mut cancelled = 0;
    for id in &ids {
        let resp = c.response(*id);
        if resp.get("error").is_some() {
            assert_eq!(resp["error"]["code"], REQUEST_CANCELLED, "{resp}");
            cancelled += 1;
        } else {
            assert!(resp.get("result").is_some(), "{resp}");
        }
    }
    let dup: Vec<Value> = c
        .drain(Duration::from_millis(500))
        .into_iter()
        .filter(|m| m.get("method").is_none() && m.get("id").is_some())
        .collect();
    assert!(dup.is_empty(), "duplicate responses: {dup:?}");
    eprintln!("{cancelled} of 50 cancelled");
    still_serving(&mut c);
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

/// A completion waiting for a big document's first analysis, cancelled meanwhile, is
/// answered RequestCancelled (completion is answered past tower-lsp-server, which honours
/// cancellations only for what it answers itself); the next one gets its items.
#[test]
fn a_completion_cancelled_while_it_waits_is_cancelled() {
    let mut c = Client::spawn();
    c.initialize();
    let uri = "file:///cancel/big/Dockerfile";
    let mut text = installs(30_000);
    text.push_str("FROM alpine\nCOPY --from= /a /b\n");
    let line = text.lines().count() - 1;
    let position = json!({"line": line, "character": 12});
    let frame = |v: Value| {
        let body = v.to_string();
        format!("Content-Length: {}\r\n\r\n{}", body.len(), body)
    };
    // All three in one write: the cancel is read long before the analysis ends.
    let open = json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}});
    let completion = json!({"jsonrpc": "2.0", "id": 900, "method": "textDocument/completion", "params": {"textDocument": {"uri": uri}, "position": position}});
    let cancel = json!({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 900}});
    c.send_raw((frame(open) + &frame(completion) + &frame(cancel)).as_bytes());
    let resp = c.response(900);
    assert_eq!(resp["error"]["code"], REQUEST_CANCELLED, "{resp}");
    let resp = c.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": position}),
    );
    let labels: Vec<&str> = resp["result"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert_eq!(labels, ["base"], "{resp}");
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

// ---------------------------------------------------------------------------------------
// Ending the session

#[test]
fn exit_while_busy_ends_the_process() {
    for shutdown in [false, true] {
        let mut c = Client::spawn();
        c.initialize();
        let mut big = String::from("FROM alpine\n");
        for i in 0..20_000 {
            big.push_str(&format!("RUN echo {i}\n"));
        }
        c.open("file:///busy/Dockerfile", 1, &big);
        for _ in 0..10 {
            c.request(
                "textDocument/semanticTokens/full",
                json!({"textDocument": {"uri": "file:///busy/Dockerfile"}}),
            );
        }
        if shutdown {
            let id = c.request("shutdown", Value::Null);
            let resp = wait_long(&mut c, "shutdown", |m| {
                m["id"] == id && m.get("method").is_none()
            });
            assert_eq!(resp["result"], Value::Null);
        }
        c.notify("exit", Value::Null);
        let status = c.wait_exit().expect("still running after exit");
        assert_eq!(status.code(), Some(if shutdown { 0 } else { 1 }));
    }
}

/// Input cut off inside a header, inside a body, and right after a request: the process
/// ends (it does not wait or spin on a closed input).
#[test]
fn input_closed_mid_message_ends_the_process() {
    let cuts: [&[u8]; 4] = [
        b"Content-Len",
        b"Content-Length: 100\r\n\r\n{\"jsonrpc\":",
        b"Content-Length: 10\r\n",
        b"garbage without any header",
    ];
    for cut in cuts {
        let mut c = Client::spawn();
        c.initialize();
        c.open("file:///x/Dockerfile", 1, "FROM alpine\n");
        c.send_raw(cut);
        c.close_stdin();
        let status = c
            .wait_exit()
            .expect("server still running after end of input");
        assert_eq!(status.code(), Some(1), "{}", String::from_utf8_lossy(cut));
    }
    // A request in flight when the input ends.
    let mut c = Client::spawn();
    c.initialize();
    c.open("file:///x/Dockerfile", 1, "FROM alpine\n");
    c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": "file:///x/Dockerfile"}}),
    );
    c.close_stdin();
    assert!(c.wait_exit().is_some(), "still running after end of input");
}
