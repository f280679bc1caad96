//! What the cargo-fuzz runs of `fuzz/` found, one test per finding, through the public
//! library API (see docs/reliability.md, "Fuzzing", for the runs).

use dockerfile_ls::lsp::framing::{Decoder, Frame};
use serde_json::{json, Value};

fn framed(body: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(body).expect("json");
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend(body);
    out
}

/// Every frame of `bytes`, fed `chunk` bytes at a time.
fn decode(bytes: &[u8], chunk: usize) -> Vec<Frame> {
    let mut decoder = Decoder::new();
    let mut frames = Vec::new();
    for piece in bytes.chunks(chunk) {
        decoder.push(piece);
        while let Some(f) = decoder.next_frame() {
            frames.push(f);
        }
    }
    frames
}

/// lsp_framing, 2026-11-30 (minimized input `00 ff ff ff ff 00 73 22 2f 00 24 2f 02`): a
/// well-formed request for the method `$/` after garbage was "lost". The decoder answers
/// `$/` requests itself with MethodNotFound instead of forwarding them (by design: the
/// server implements no `$/` request and tower-lsp-server would not answer), and the
/// target's invariant ("every well-formed message is forwarded") did not allow for it.
/// Fixed in the target; this pins the behaviour it now expects: answered once, with the
/// request's id, whatever the garbage before it and however the bytes are split, and the
/// messages around it still forwarded.
#[test]
fn dollar_request_after_garbage_is_answered_not_lost() {
    let before = json!({"jsonrpc": "2.0", "id": 1, "method": "n", "params": {"text": ""}});
    let dollar = json!({"jsonrpc": "2.0", "id": 0, "method": "$/", "params": {"text": ""}});
    let after = json!({"jsonrpc": "2.0", "id": -1, "method": "", "params": {"text": ""}});
    let mut bytes = framed(&before);
    bytes.extend(b"\xff\xff\xff\xff\x00s\"/\x00");
    bytes.extend(framed(&dollar));
    bytes.extend(b"\x02");
    bytes.extend(framed(&after));
    for chunk in [1, 2, 7, bytes.len()] {
        let frames = decode(&bytes, chunk);
        let forwarded: Vec<Value> = frames
            .iter()
            .filter_map(|f| match f {
                Frame::Message(m) => serde_json::from_slice(m).ok(),
                Frame::Reply(_) => None,
            })
            .collect();
        assert_eq!(forwarded, [before.clone(), after.clone()], "chunk {chunk}");
        let not_found: Vec<&Value> = frames
            .iter()
            .filter_map(|f| match f {
                Frame::Reply(v) if v["error"]["code"] == -32601 => Some(&v["id"]),
                _ => None,
            })
            .collect();
        assert_eq!(not_found, [&json!(0)], "chunk {chunk}");
    }
}
