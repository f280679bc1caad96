//! A framing-tolerant layer in front of tower-lsp-server.
//!
//! tower-lsp-server's codec answers a malformed message with an error, but the
//! `FramedRead` stream it reads from ends after a decoding error, and the server then
//! stops reading: one bad message would end the session. So we read the client's bytes
//! ourselves, answer malformed frames and invalid JSON-RPC with an error response
//! (`ParseError`/`InvalidRequest`, id `null` when unknown), resynchronise on the next
//! `Content-Length` header, and forward only well-formed messages to the server through an
//! in-memory pipe. The server's output comes back through another pipe and is written to
//! the real output one whole message at a time, interleaved with our own error replies and
//! what the server sends through its `Outbox`, by a thread of its own (a message queued
//! from a blocking thread goes out without passing through the async threads).

use super::handoff::Handoff;
use serde::Deserialize;
use serde_json::{json, Value};
use std::io::Write;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};

/// Largest body accepted (a Dockerfile of this size is not one anybody edits).
pub const MAX_CONTENT_LENGTH: usize = 64 * 1024 * 1024;
/// Largest header block accepted before it is treated as garbage.
const MAX_HEADER_LEN: usize = 8 * 1024;
const PIPE_SIZE: usize = 256 * 1024;

/// The most read from the input at once: the rest of a large `didOpen` in one read (see
/// `widen_pipes`) rather than in turns.
const READ_CHUNK: usize = 1024 * 1024;

/// The room a read gets when no message is half read.
const READ_MIN: usize = 64 * 1024;

pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;

/// Requests with large results (a whole document's symbols, tokens, folds), answered by
/// the server itself through its `Outbox` with the typed result serialized straight to
/// bytes: tower-lsp-server would turn each result into a `serde_json::Value` first, then
/// serialize and drop it (ten times the cost of computing a big file's symbols). They
/// still go through tower-lsp-server, in order, each as a `REROUTED` notification, so
/// every one sees the edits sent before it. Rerouting runs from the end of `initialize`
/// (`Outbox::start_rerouting`) to `shutdown`: tower-lsp-server keeps answering requests
/// outside the session. A `$/cancelRequest` for a rerouted request is honoured through
/// the `Handoff` (tower-lsp-server still sees it, and ignores it). Completion is here for
/// its long lists (every stage name, every instruction): through the `Value`, 200 stage
/// names cost six times what computing them does. Formatting (whole and range) for its
/// edit lists (a file of 300,000 continuation lines gets 300,000 edits: 1.5 GB at peak
/// through the `Value`).
pub const REROUTABLE: [&str; 7] = [
    "textDocument/completion",
    "textDocument/documentSymbol",
    "textDocument/formatting",
    "textDocument/rangeFormatting",
    "textDocument/semanticTokens/full",
    "textDocument/semanticTokens/range",
    "textDocument/foldingRange",
];

/// The notification a rerouted request travels as: params `{"id", "method", "params"}`.
pub const REROUTED: &str = "dockerfile-ls/rerouted";

/// What the decoder makes of the bytes at the front of the buffer.
#[derive(Debug, PartialEq)]
pub enum Frame {
    /// A well-formed JSON-RPC message body, to forward.
    Message(Vec<u8>),
    /// A reply to send back for something malformed.
    Reply(Value),
}

/// Incremental decoder of the client's byte stream.
#[derive(Debug, Default)]
pub struct Decoder {
    buf: Vec<u8>,
    /// Body length of the header just read, waiting for its body.
    body_len: Option<usize>,
    /// Inside a run of garbage already answered (no second error for the same run).
    in_garbage: bool,
    /// While the session runs: what is rerouted or handed over to the server.
    handoff: Option<Arc<Handoff>>,
}

impl Decoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder that reroutes `REROUTABLE` requests and hands `didOpen`s over while
    /// `handoff` is on, and turns it off when `shutdown` or `exit` passes.
    pub fn with_rerouting(handoff: Arc<Handoff>) -> Self {
        Decoder {
            buf: Vec::with_capacity(READ_CHUNK),
            handoff: Some(handoff),
            ..Self::default()
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The buffer to append input to, with room for the rest of the message being read
    /// (up to `READ_CHUNK`), else for at least `READ_MIN` more. The first buffer has
    /// `READ_CHUNK` (a large first `didOpen` is read in one go; small messages before it
    /// are copied out of it); once a large message has taken it, the next is sized to
    /// what comes: a fresh 1 MiB buffer while the large file's analysis ran cost it a
    /// fresh 2 MB page of heap.
    pub fn room(&mut self) -> &mut Vec<u8> {
        let rest = self
            .body_len
            .map_or(0, |len| len.saturating_sub(self.buf.len()));
        let want = rest.clamp(READ_MIN, READ_CHUNK);
        if self.buf.capacity() - self.buf.len() < want {
            self.buf.reserve(want);
        }
        &mut self.buf
    }

    /// The next frame, or `None` when more bytes are needed.
    pub fn next_frame(&mut self) -> Option<Frame> {
        loop {
            if let Some(len) = self.body_len {
                if self.buf.len() < len {
                    return None;
                }
                // A large message read in one go is the whole buffer: taken, not copied.
                // A small one is copied out: the buffer keeps its room for a large one.
                let body: Vec<u8> = if self.buf.len() == len && len >= READ_MIN {
                    std::mem::take(&mut self.buf)
                } else {
                    self.buf.drain(..len).collect()
                };
                self.body_len = None;
                let frame = check_body(body, self.handoff.as_deref());
                // After a bad body (e.g. a Content-Length too short), what follows up to
                // the next header belongs to the same error.
                self.in_garbage = matches!(frame, Frame::Reply(_));
                return Some(frame);
            }
            // Blank lines between messages are harmless.
            let ws = self
                .buf
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
            if ws > 0 {
                self.buf.drain(..ws);
            }
            if self.buf.is_empty() {
                return None;
            }
            // Garbage before the next header?
            match find_header_start(&self.buf) {
                HeaderStart::At(0) => {}
                HeaderStart::At(n) => {
                    self.buf.drain(..n);
                    if let Some(reply) = self.garbage() {
                        return Some(reply);
                    }
                    continue;
                }
                HeaderStart::MaybeAt(0) => return None,
                HeaderStart::MaybeAt(n) => {
                    self.buf.drain(..n);
                    return self.garbage();
                }
            }
            let Some(end) = find(&self.buf, b"\r\n\r\n") else {
                if self.buf.len() > MAX_HEADER_LEN {
                    // Skip past this header name so that resynchronisation moves on.
                    self.buf.drain(..1);
                    return self.garbage();
                }
                return None;
            };
            let header: Vec<u8> = self.buf.drain(..end + 4).collect();
            match parse_header(&header[..end]) {
                Ok(len) => {
                    self.in_garbage = false;
                    self.body_len = Some(len);
                }
                Err(message) => {
                    // The body that follows (if any) is skipped as part of the same error.
                    self.in_garbage = true;
                    return Some(Frame::Reply(error_reply(
                        Value::Null,
                        PARSE_ERROR,
                        &message,
                    )));
                }
            }
        }
    }

    fn garbage(&mut self) -> Option<Frame> {
        if self.in_garbage {
            return None;
        }
        self.in_garbage = true;
        Some(Frame::Reply(error_reply(
            Value::Null,
            PARSE_ERROR,
            "invalid message framing: expected a Content-Length header",
        )))
    }
}

enum HeaderStart {
    /// A header name starts here.
    At(usize),
    /// Nothing before here can start a header; what follows may be the start of one.
    MaybeAt(usize),
}

const HEADER_NAMES: [&[u8]; 2] = [b"content-length:", b"content-type:"];

/// Where the next header block starts (case-insensitive `Content-Length:`/`Content-Type:`).
fn find_header_start(buf: &[u8]) -> HeaderStart {
    for i in 0..buf.len() {
        let rest = &buf[i..];
        for name in HEADER_NAMES {
            let n = rest.len().min(name.len());
            if rest[..n].eq_ignore_ascii_case(&name[..n]) {
                return if n == name.len() {
                    HeaderStart::At(i)
                } else {
                    HeaderStart::MaybeAt(i)
                };
            }
        }
    }
    HeaderStart::MaybeAt(buf.len())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The body length from a header block (without the final blank line).
fn parse_header(header: &[u8]) -> Result<usize, String> {
    let text = std::str::from_utf8(header).map_err(|_| "header is not UTF-8".to_string())?;
    let mut len = None;
    for line in text.split("\r\n") {
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!("malformed header line {line:?}"));
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            let value = value.trim();
            let n: usize = value
                .parse()
                .map_err(|_| format!("invalid Content-Length {value:?}"))?;
            if n > MAX_CONTENT_LENGTH {
                return Err(format!(
                    "Content-Length {n} is larger than {MAX_CONTENT_LENGTH}"
                ));
            }
            len = Some(n);
        }
    }
    len.ok_or_else(|| "missing Content-Length header".to_string())
}

/// Validate a body: JSON, a single JSON-RPC 2.0 object that tower-lsp-server accepts.
fn check_body(body: Vec<u8>, rerouting: Option<&Handoff>) -> Frame {
    if let Some(opened) = rerouting.and_then(|h| h.take_over(&body)) {
        return Frame::Message(opened);
    }
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(err) => {
            // serde_json rejects `\ud800`-style lone surrogates, which clients that
            // serialise UTF-16 strings may send: read them as U+FFFD instead.
            if let Some(fixed) = replace_lone_surrogates(&body) {
                return check_body(fixed, rerouting);
            }
            return Frame::Reply(error_reply(
                Value::Null,
                PARSE_ERROR,
                &format!("invalid JSON: {err}"),
            ));
        }
    };
    let Some(obj) = value.as_object() else {
        return Frame::Reply(error_reply(
            Value::Null,
            INVALID_REQUEST,
            "a message must be a JSON object",
        ));
    };
    let id = obj.get("id").cloned();
    let id_ok = match &id {
        None | Some(Value::Null) | Some(Value::String(_)) => true,
        Some(Value::Number(n)) => n.is_i64(),
        Some(_) => false,
    };
    let reply_id = if id_ok {
        id.clone().unwrap_or(Value::Null)
    } else {
        Value::Null
    };
    let invalid = |why: &str| Frame::Reply(error_reply(reply_id.clone(), INVALID_REQUEST, why));
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return invalid("not a JSON-RPC 2.0 message (\"jsonrpc\": \"2.0\" missing)");
    }
    if !id_ok {
        return invalid("invalid id: must be an integer, a string or null");
    }
    match obj.get("method") {
        Some(Value::String(method)) => {
            let dollar = method.starts_with("$/");
            if let Some(params) = obj.get("params") {
                if !(params.is_object() || params.is_array() || params.is_null()) {
                    return invalid("params must be an object or an array");
                }
            }
            if Request::deserialize(&value).is_err() {
                return invalid("malformed request");
            }
            let rerouted = rerouting.and_then(|on| reroute(on, method, &id, obj.get("params")));
            // tower-lsp-server drops `$/` requests it does not know without a response;
            // the protocol asks for MethodNotFound (we handle no `$/` request).
            if id.is_some() && dollar {
                return Frame::Reply(error_reply(reply_id, -32601, "Method not found"));
            }
            Frame::Message(rerouted.unwrap_or(body))
        }
        Some(_) => invalid("method must be a string"),
        None => {
            let is_response =
                id.is_some() && (obj.contains_key("result") ^ obj.contains_key("error"));
            if is_response && serde_json::from_value::<Response>(value).is_ok() {
                Frame::Message(body)
            } else {
                invalid("neither a request, a notification nor a response")
            }
        }
    }
}

/// The `REROUTED` notification for a request to reroute (see `REROUTABLE`); `None` to
/// forward the message as it is. Clears `on` when the session ends, and marks a rerouted
/// request that a `$/cancelRequest` names.
fn reroute(
    on: &Handoff,
    method: &str,
    id: &Option<Value>,
    params: Option<&Value>,
) -> Option<Vec<u8>> {
    if matches!(method, "shutdown" | "exit") {
        on.stop();
        return None;
    }
    if method == "$/cancelRequest" && id.is_none() {
        if let Some(cancelled) = params.and_then(|p| p.get("id")) {
            on.cancel(cancelled);
        }
        return None;
    }
    let id = id.as_ref().filter(|id| id.is_string() || id.is_i64())?;
    if !REROUTABLE.contains(&method) || !on.is_on() || !on.reroute(id) {
        return None;
    }
    let params = json!({"id": id, "method": method, "params": params});
    let message = json!({"jsonrpc": "2.0", "method": REROUTED, "params": params});
    serde_json::to_vec(&message).ok()
}

/// The body with every `\uXXXX` escape of a lone surrogate replaced by `\ufffd`, or
/// `None` when it has none. Backslashes only occur inside strings in valid JSON, so
/// escapes are found by scanning from one backslash to the next.
fn replace_lone_surrogates(body: &[u8]) -> Option<Vec<u8>> {
    fn unit_at(b: &[u8], i: usize) -> Option<u16> {
        if b.get(i) != Some(&b'\\') || b.get(i + 1) != Some(&b'u') {
            return None;
        }
        let hex = std::str::from_utf8(b.get(i + 2..i + 6)?).ok()?;
        u16::from_str_radix(hex, 16).ok()
    }
    let mut out = Vec::with_capacity(body.len());
    let mut changed = false;
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'\\' {
            out.push(body[i]);
            i += 1;
            continue;
        }
        let step = match unit_at(body, i) {
            Some(0xD800..=0xDBFF) if matches!(unit_at(body, i + 6), Some(0xDC00..=0xDFFF)) => 12,
            Some(0xD800..=0xDFFF) => {
                out.extend_from_slice(b"\\ufffd");
                changed = true;
                i += 6;
                continue;
            }
            Some(_) => 6,
            None => 2,
        };
        let end = (i + step).min(body.len());
        out.extend_from_slice(&body[i..end]);
        i = end;
    }
    changed.then_some(out)
}

pub fn error_reply(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// A handle for writing whole messages to the client from anywhere in the server, next
/// to what tower-lsp-server writes: what is sent through one handle arrives in order.
/// It holds the writer weakly, so the output still ends when the server is done.
#[derive(Clone, Debug)]
pub struct Outbox {
    tx: mpsc::WeakUnboundedSender<Vec<u8>>,
    /// Shared with the decoder: whether `REROUTABLE` requests are rerouted, and the
    /// documents it opened.
    handoff: Arc<Handoff>,
}

impl Outbox {
    /// Frame and queue one JSON-RPC message body; false once the output is closed.
    pub fn send(&self, body: &[u8]) -> bool {
        match self.tx.upgrade() {
            Some(tx) => tx.send(frame(body)).is_ok(),
            None => false,
        }
    }

    /// An outbox writing through `tx` (which it does not keep open).
    pub fn new(tx: &mpsc::UnboundedSender<Vec<u8>>) -> Outbox {
        Outbox {
            tx: tx.downgrade(),
            handoff: Arc::default(),
        }
    }

    /// The server is initialized and answers `REROUTED` and `OPENED` notifications from
    /// now on.
    pub fn start_rerouting(&self) {
        self.handoff.start();
    }

    /// What the decoder hands over (the params of `OPENED` notifications, cancellations).
    pub fn handoff(&self) -> &Handoff {
        &self.handoff
    }

    /// The same, for a task that outlives the borrow.
    pub fn handoff_arc(&self) -> Arc<Handoff> {
        self.handoff.clone()
    }
}

/// Run the layer: read `input`, write `output`, and hand the server the two ends of the
/// pipes (`server_in` to read from, `server_out` to write to) and an `Outbox` for messages
/// it writes directly. Returns when `serve` returns and everything it wrote has been
/// written out.
pub async fn run<I, O, F, Fut>(input: I, output: O, serve: F)
where
    I: AsyncRead + Unpin + Send + 'static,
    O: Write + Send + 'static,
    F: FnOnce(DuplexStream, DuplexStream, Outbox) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (to_server, server_in) = tokio::io::duplex(PIPE_SIZE);
    let (server_out, from_server) = tokio::io::duplex(PIPE_SIZE);
    let (out_tx, out_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let outbox = Outbox::new(&out_tx);

    let writer = tokio::task::spawn_blocking(move || write_out(output, out_rx));
    let decoder = Decoder::with_rerouting(outbox.handoff.clone());
    let reader = tokio::spawn(read_in(input, decoder, to_server, out_tx.clone()));
    let forwarder = tokio::spawn(forward(from_server, out_tx));

    serve(server_in, server_out, outbox).await;
    // The server has dropped its end of the output pipe: flush what it wrote.
    let _ = forwarder.await;
    reader.abort();
    let _ = writer.await;
}

async fn read_in<I: AsyncRead + Unpin>(
    mut input: I,
    mut decoder: Decoder,
    mut to_server: DuplexStream,
    out: mpsc::UnboundedSender<Vec<u8>>,
) {
    loop {
        // Straight into the decoder's buffer, not zeroed first: only what is read is
        // touched.
        if let Ok(0) | Err(_) = input.read_buf(decoder.room()).await {
            break;
        }
        while let Some(next) = decoder.next_frame() {
            match next {
                Frame::Message(body) => {
                    if to_server.write_all(&frame(&body)).await.is_err() {
                        return;
                    }
                }
                Frame::Reply(reply) => {
                    tracing::warn!(
                        "malformed message from the client: {}",
                        reply["error"]["message"]
                    );
                    let _ = out.send(frame(reply.to_string().as_bytes()));
                }
            }
        }
    }
    // End of input: the server sees end of its input and stops.
    let _ = to_server.shutdown().await;
}

/// Copy the server's output to the writer one whole message at a time.
async fn forward(mut from_server: DuplexStream, out: mpsc::UnboundedSender<Vec<u8>>) {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        // Send every complete message in the buffer.
        while let Some(end) = find(&buf, b"\r\n\r\n") {
            let len = std::str::from_utf8(&buf[..end]).ok().and_then(|h| {
                h.split("\r\n").find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.trim()
                        .eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
            });
            let Some(len) = len else {
                // Our own server writes well-formed frames; pass anything else through.
                let _ = out.send(std::mem::take(&mut buf));
                break;
            };
            if buf.len() < end + 4 + len {
                break;
            }
            let message: Vec<u8> = buf.drain(..end + 4 + len).collect();
            let _ = out.send(message);
        }
        match from_server.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    if !buf.is_empty() {
        let _ = out.send(buf);
    }
}

/// Largest batch of queued messages written at once.
const WRITE_BATCH: usize = 1024 * 1024;

/// Write each message as it comes, with whatever else is already queued behind it, until
/// every sender is gone. Blocking: runs on a thread of its own.
fn write_out<O: Write>(mut output: O, mut rx: mpsc::UnboundedReceiver<Vec<u8>>) {
    while let Some(mut bytes) = rx.blocking_recv() {
        while bytes.len() < WRITE_BATCH {
            match rx.try_recv() {
                Ok(more) => bytes.extend_from_slice(&more),
                Err(_) => break,
            }
        }
        if output.write_all(&bytes).is_err() || output.flush().is_err() {
            return;
        }
    }
    let _ = output.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(body: &str) -> Vec<u8> {
        frame(body.as_bytes())
    }

    fn frames(decoder: &mut Decoder) -> Vec<Frame> {
        std::iter::from_fn(|| decoder.next_frame()).collect()
    }

    fn code(frame: &Frame) -> i64 {
        match frame {
            Frame::Reply(v) => v["error"]["code"].as_i64().unwrap_or(0),
            Frame::Message(_) => 0,
        }
    }

    const GOOD: &str = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;

    #[test]
    fn good_messages_pass_in_pieces() {
        let mut d = Decoder::new();
        let bytes = [msg(GOOD), msg(GOOD)].concat();
        let mut out = Vec::new();
        for b in bytes.chunks(3) {
            d.push(b);
            out.extend(frames(&mut d));
        }
        assert_eq!(
            out,
            vec![
                Frame::Message(GOOD.as_bytes().to_vec()),
                Frame::Message(GOOD.as_bytes().to_vec())
            ]
        );
    }

    #[test]
    fn garbage_then_message() {
        let mut d = Decoder::new();
        d.push(b"hello world\r\n");
        d.push(&msg(GOOD));
        let out = frames(&mut d);
        assert_eq!(out.len(), 2, "{out:?}");
        assert_eq!(code(&out[0]), PARSE_ERROR);
        assert_eq!(out[1], Frame::Message(GOOD.as_bytes().to_vec()));
    }

    #[test]
    fn bad_length_invalid_json_and_non_jsonrpc() {
        let mut d = Decoder::new();
        d.push(b"Content-Length: abc\r\n\r\n{}");
        d.push(&msg("{not json"));
        d.push(&msg(r#"{"hello":1}"#));
        d.push(&msg(r#"{"jsonrpc":"2.0","id":7}"#));
        d.push(&msg(r#"[1,2]"#));
        d.push(&msg(GOOD));
        let out = frames(&mut d);
        let codes: Vec<i64> = out.iter().map(code).collect();
        assert_eq!(
            codes,
            vec![
                PARSE_ERROR,
                PARSE_ERROR,
                INVALID_REQUEST,
                INVALID_REQUEST,
                INVALID_REQUEST,
                0
            ]
        );
        match &out[3] {
            Frame::Reply(v) => assert_eq!(v["id"], 7),
            _ => unreachable!(),
        }
    }

    #[test]
    fn short_content_length_resyncs() {
        let mut d = Decoder::new();
        d.push(b"Content-Length: 5\r\n\r\n{\"jsonrpc\":\"2.0\"}");
        d.push(&msg(GOOD));
        let out = frames(&mut d);
        assert_eq!(out.len(), 2, "{out:?}");
        assert_eq!(code(&out[0]), PARSE_ERROR);
        assert_eq!(out[1], Frame::Message(GOOD.as_bytes().to_vec()));
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let body =
            r#"{"jsonrpc":"2.0","method":"x","params":{"t":"a\ud800b\\ud800\ud83d\ude00\udfff"}}"#;
        let mut d = Decoder::new();
        d.push(&msg(body));
        let Some(Frame::Message(out)) = d.next_frame() else {
            panic!("not forwarded")
        };
        let v: Value = serde_json::from_slice(&out).expect("json");
        assert_eq!(v["params"]["t"], "a\u{fffd}b\\ud800\u{1f600}\u{fffd}");
    }

    #[test]
    fn the_read_buffer_is_sized_to_what_comes() {
        let mut d = Decoder::with_rerouting(Arc::default());
        assert!(
            d.room().capacity() >= READ_CHUNK,
            "a large first message in one read"
        );
        // A 300 KB body announced, 10 bytes of it read: room for the rest at once.
        let body = format!(
            r#"{{"jsonrpc":"2.0","method":"x","params":"{}"}}"#,
            "a".repeat(300_000)
        );
        let framed = msg(&body);
        d.push(&framed[..framed.len() - body.len() + 10]);
        assert!(frames(&mut d).is_empty());
        let spare = |d: &mut Decoder| {
            let b = d.room();
            b.capacity() - b.len()
        };
        assert!(spare(&mut d) >= body.len() - 10);
        d.push(&framed[framed.len() - body.len() + 10..]);
        assert_eq!(frames(&mut d).len(), 1);
        // Taken whole; what follows gets the small room until a header asks for more.
        let room = spare(&mut d);
        assert!((READ_MIN..READ_CHUNK).contains(&room), "{room}");
    }

    /// `initialize` and `initialized` each arrive alone, each the whole buffer: copied
    /// out, they leave the first buffer's room to a large `didOpen` that follows (taken
    /// whole, they left it 64 KiB, and the 5,000-line file's open took a second read).
    #[test]
    fn small_messages_leave_the_room_for_a_large_one() {
        let mut d = Decoder::with_rerouting(Arc::default());
        for body in [
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#,
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        ] {
            d.push(&msg(body));
            assert_eq!(frames(&mut d).len(), 1);
            let b = d.room();
            assert!(
                b.capacity() - b.len() >= READ_CHUNK - 1024,
                "{}",
                b.capacity()
            );
        }
    }

    #[test]
    fn requests_are_rerouted_while_the_session_runs() {
        let on = Arc::new(Handoff::default());
        let mut d = Decoder::with_rerouting(on.clone());
        let symbols =
            r#"{"jsonrpc":"2.0","id":3,"method":"textDocument/documentSymbol","params":{"a":1}}"#;
        d.push(&msg(symbols));
        assert_eq!(
            d.next_frame(),
            Some(Frame::Message(symbols.as_bytes().to_vec()))
        );
        on.start();
        d.push(&msg(symbols));
        let Some(Frame::Message(out)) = d.next_frame() else {
            panic!("not forwarded")
        };
        let v: Value = serde_json::from_slice(&out).expect("json");
        assert_eq!(v["method"], REROUTED);
        assert!(v.get("id").is_none(), "a notification: {v}");
        assert_eq!(v["params"]["id"], 3);
        assert_eq!(v["params"]["method"], "textDocument/documentSymbol");
        assert_eq!(v["params"]["params"]["a"], 1);
        // Other requests, notifications and null ids pass as they are.
        for body in [
            r#"{"jsonrpc":"2.0","id":4,"method":"textDocument/hover","params":{}}"#,
            r#"{"jsonrpc":"2.0","method":"textDocument/foldingRange","params":{}}"#,
            r#"{"jsonrpc":"2.0","id":null,"method":"textDocument/foldingRange","params":{}}"#,
        ] {
            d.push(&msg(body));
            assert_eq!(
                d.next_frame(),
                Some(Frame::Message(body.as_bytes().to_vec()))
            );
        }
        // From shutdown on, tower-lsp-server answers everything.
        d.push(&msg(GOOD));
        assert_eq!(
            d.next_frame(),
            Some(Frame::Message(GOOD.as_bytes().to_vec()))
        );
        assert!(!on.is_on());
        d.push(&msg(symbols));
        assert_eq!(
            d.next_frame(),
            Some(Frame::Message(symbols.as_bytes().to_vec()))
        );
    }

    #[test]
    fn partial_header_waits() {
        let mut d = Decoder::new();
        d.push(b"Conte");
        assert_eq!(d.next_frame(), None);
        d.push(&msg(GOOD)[5..]);
        assert_eq!(
            d.next_frame(),
            Some(Frame::Message(GOOD.as_bytes().to_vec()))
        );
    }
}
