//! Malformed input gets a JSON-RPC error, and the server keeps serving.

mod common;

use common::Client;
use serde_json::{json, Value};

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;

/// The next error response with a null id (the reply to something unidentifiable).
fn null_id_error(c: &mut Client) -> Value {
    c.wait_for("error response with null id", |m| {
        m["id"].is_null() && m.get("error").is_some()
    })
}

/// The server still answers requests.
fn still_serving(c: &mut Client) {
    let resp = c.call("dockerfile/ping", json!({}));
    assert_eq!(resp["error"]["code"], -32601, "{resp}");
}

fn framed(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{}", body.len(), body).into_bytes()
}

#[test]
fn invalid_json_is_a_parse_error() {
    let mut c = Client::spawn();
    c.initialize();
    c.send_raw(&framed("{\"jsonrpc\": \"2.0\", \"id\": 9, \"method\": "));
    assert_eq!(null_id_error(&mut c)["error"]["code"], PARSE_ERROR);
    still_serving(&mut c);
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn garbage_between_messages_is_a_parse_error() {
    let mut c = Client::spawn();
    c.initialize();
    c.send_raw(b"this is not a header at all\r\n\r\n");
    assert_eq!(null_id_error(&mut c)["error"]["code"], PARSE_ERROR);
    still_serving(&mut c);
    // Garbage glued to the front of a good message: the message still gets through.
    let mut bytes = b"\x00\x01garbage".to_vec();
    bytes.extend(framed(
        &json!({"jsonrpc": "2.0", "id": 77, "method": "dockerfile/ping"}).to_string(),
    ));
    c.send_raw(&bytes);
    assert_eq!(null_id_error(&mut c)["error"]["code"], PARSE_ERROR);
    assert_eq!(c.response(77)["error"]["code"], -32601);
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn bad_content_length_is_a_parse_error() {
    let mut c = Client::spawn();
    c.initialize();
    // Not a number.
    c.send_raw(b"Content-Length: twelve\r\n\r\n{\"jsonrpc\":\"2.0\"}");
    assert_eq!(null_id_error(&mut c)["error"]["code"], PARSE_ERROR);
    still_serving(&mut c);
    // Too short: the body is cut and the rest is garbage.
    c.send_raw(b"Content-Length: 10\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"x\"}");
    assert_eq!(null_id_error(&mut c)["error"]["code"], PARSE_ERROR);
    still_serving(&mut c);
    // Missing altogether.
    c.send_raw(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}");
    assert_eq!(null_id_error(&mut c)["error"]["code"], PARSE_ERROR);
    still_serving(&mut c);
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn non_jsonrpc_json_is_an_invalid_request() {
    let mut c = Client::spawn();
    c.initialize();
    c.send_raw(&framed(r#"{"hello": "world"}"#));
    assert_eq!(null_id_error(&mut c)["error"]["code"], INVALID_REQUEST);
    c.send_raw(&framed("[1, 2, 3]"));
    assert_eq!(null_id_error(&mut c)["error"]["code"], INVALID_REQUEST);
    c.send_raw(&framed("42"));
    assert_eq!(null_id_error(&mut c)["error"]["code"], INVALID_REQUEST);
    // With an id we can answer to it.
    c.send_raw(&framed(r#"{"jsonrpc": "2.0", "id": 31}"#));
    let resp = c.response(31);
    assert_eq!(resp["error"]["code"], INVALID_REQUEST, "{resp}");
    c.send_raw(&framed(
        r#"{"jsonrpc": "1.0", "id": 32, "method": "shutdown"}"#,
    ));
    assert_eq!(c.response(32)["error"]["code"], INVALID_REQUEST);
    c.send_raw(&framed(r#"{"jsonrpc": "2.0", "id": 33, "method": 5}"#));
    assert_eq!(c.response(33)["error"]["code"], INVALID_REQUEST);
    still_serving(&mut c);
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn invalid_utf8_body_is_a_parse_error() {
    let mut c = Client::spawn();
    c.initialize();
    let body = b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\xfe\"}";
    let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    bytes.extend_from_slice(body);
    c.send_raw(&bytes);
    assert_eq!(null_id_error(&mut c)["error"]["code"], PARSE_ERROR);
    still_serving(&mut c);
}

#[test]
fn bad_params_get_an_error_and_the_server_keeps_serving() {
    let mut c = Client::spawn();
    c.initialize();
    let resp = c.call("textDocument/hover", json!({"textDocument": 5}));
    assert_eq!(resp["error"]["code"], -32602, "{resp}");
    c.notify("textDocument/didOpen", json!({"nonsense": true}));
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": "file:///nope", "version": 2}, "contentChanges": [{"text": "x"}]}));
    still_serving(&mut c);
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn malformed_message_before_initialize() {
    let mut c = Client::spawn();
    c.send_raw(&framed("{oops"));
    assert_eq!(null_id_error(&mut c)["error"]["code"], PARSE_ERROR);
    c.initialize();
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}
