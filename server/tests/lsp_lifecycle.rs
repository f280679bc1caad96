//! Protocol lifecycle: initialize, error codes, shutdown/exit statuses, end of input.

mod common;

use common::Client;
use serde_json::{json, Value};

const SERVER_NOT_INITIALIZED: i64 = -32002;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_REQUEST: i64 = -32600;

#[test]
fn request_before_initialize_is_server_not_initialized() {
    let mut c = Client::spawn();
    let resp = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///x/Dockerfile"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(resp["error"]["code"], SERVER_NOT_INITIALIZED, "{resp}");
    // ... and the server still initializes afterwards.
    let init = c.initialize();
    assert!(init["capabilities"].is_object());
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn initialize_announces_capabilities_and_server_info() {
    let mut c = Client::spawn();
    let init = c.initialize();
    let caps = &init["capabilities"];
    assert_eq!(init["serverInfo"]["name"], "dockerfile-ls");
    assert_eq!(
        caps["textDocumentSync"]["change"], 2,
        "incremental sync: {caps}"
    );
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    let triggers: Vec<&str> = caps["completionProvider"]["triggerCharacters"]
        .as_array()
        .expect("trigger characters")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for t in ["-", "=", ",", "$", "{", " "] {
        assert!(triggers.contains(&t), "missing trigger {t:?}: {triggers:?}");
    }
    assert_eq!(
        caps["documentOnTypeFormattingProvider"]["firstTriggerCharacter"],
        "\n"
    );
    let kinds: Vec<&str> = caps["codeActionProvider"]["codeActionKinds"]
        .as_array()
        .expect("code action kinds")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for k in [
        "quickfix",
        "refactor.rewrite",
        "source.fixAll.dockerfile-ls",
    ] {
        assert!(kinds.contains(&k), "missing kind {k}: {kinds:?}");
    }
    for p in [
        "hoverProvider",
        "signatureHelpProvider",
        "definitionProvider",
        "referencesProvider",
        "documentHighlightProvider",
        "renameProvider",
        "documentSymbolProvider",
        "workspaceSymbolProvider",
        "foldingRangeProvider",
        "semanticTokensProvider",
        "documentLinkProvider",
        "inlayHintProvider",
        "selectionRangeProvider",
        "documentFormattingProvider",
        "documentRangeFormattingProvider",
        "executeCommandProvider",
    ] {
        assert!(!caps[p].is_null(), "missing {p}: {caps}");
    }
    assert_eq!(caps["renameProvider"]["prepareProvider"], true);
    assert_eq!(caps["semanticTokensProvider"]["range"], true);
    assert!(caps["semanticTokensProvider"]["legend"]["tokenTypes"]
        .as_array()
        .is_some_and(|a| !a.is_empty()));
    // No pull diagnostics unless the client supports them.
    assert!(caps["diagnosticProvider"].is_null());
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn pull_diagnostics_are_announced_when_supported() {
    let mut c = Client::spawn();
    let init =
        c.initialize_with(json!({"textDocument": {"diagnostic": {"dynamicRegistration": false}}}));
    assert!(
        init["capabilities"]["diagnosticProvider"].is_object(),
        "{init}"
    );
}

#[test]
fn unknown_method_is_method_not_found() {
    let mut c = Client::spawn();
    c.initialize();
    let resp = c.call("dockerfile/noSuchThing", json!({}));
    assert_eq!(resp["error"]["code"], METHOD_NOT_FOUND, "{resp}");
    // An unknown notification is ignored, and the server keeps serving.
    c.notify("dockerfile/noSuchNotification", json!({}));
    let resp = c.call("dockerfile/noSuchThing", json!({}));
    assert_eq!(resp["error"]["code"], METHOD_NOT_FOUND, "{resp}");
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn second_initialize_is_rejected() {
    let mut c = Client::spawn();
    c.initialize();
    let resp = c.call("initialize", json!({"capabilities": {}}));
    assert_eq!(resp["error"]["code"], INVALID_REQUEST, "{resp}");
}

#[test]
fn shutdown_then_exit_is_status_0() {
    let mut c = Client::spawn();
    c.initialize();
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn requests_after_shutdown_are_invalid() {
    let mut c = Client::spawn();
    c.initialize();
    assert_eq!(c.call("shutdown", Value::Null)["result"], Value::Null);
    let resp = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///x/Dockerfile"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(resp["error"]["code"], INVALID_REQUEST, "{resp}");
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit().and_then(|s| s.code()), Some(0));
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let mut c = Client::spawn();
    c.initialize();
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit().and_then(|s| s.code()), Some(1));
}

#[test]
fn exit_before_initialize_is_status_1() {
    let mut c = Client::spawn();
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit().and_then(|s| s.code()), Some(1));
}

#[test]
fn end_of_input_ends_the_process() {
    let mut c = Client::spawn();
    c.initialize();
    c.open("file:///x/Dockerfile", 1, "FROM alpine\n");
    c.close_stdin();
    let status = c
        .wait_exit()
        .expect("server still running after end of input");
    // No shutdown was requested: an abnormal end.
    assert_eq!(status.code(), Some(1));
}

#[test]
fn end_of_input_after_shutdown_is_status_0() {
    let mut c = Client::spawn();
    c.initialize();
    assert_eq!(c.call("shutdown", Value::Null)["result"], Value::Null);
    c.close_stdin();
    assert_eq!(c.wait_exit().and_then(|s| s.code()), Some(0));
}

#[test]
fn stdio_flag_serves_too() {
    let mut c = Client::spawn_with(&["--stdio"], None);
    c.initialize();
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn cancelled_request_does_not_stop_the_server() {
    let mut c = Client::spawn();
    c.initialize();
    let uri = "file:///x/Dockerfile";
    c.open(uri, 1, "FROM alpine\nRUN echo hi\n");
    let id = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 1}}),
    );
    c.notify("$/cancelRequest", json!({"id": id}));
    // Either the result (it finished first) or RequestCancelled (-32800): a response comes.
    let resp = c.response(id);
    assert!(
        resp.get("result").is_some() || resp["error"]["code"] == -32800,
        "{resp}"
    );
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}
