//! What the framing layer hands to the server past tower-lsp-server while a session runs
//! (from the end of `initialize` to `shutdown`): whether requests are rerouted (see
//! `framing::REROUTABLE`), which rerouted requests the client cancelled, and the documents
//! it opened.
//!
//! tower-lsp-server honours `$/cancelRequest` only for the requests it answers itself. The
//! framing layer sees every message in order, so it records each rerouted request's id
//! and marks it when a `$/cancelRequest` for it passes; the server checks the mark before
//! computing the answer and before sending it.
//!
//! A `didOpen` carries the whole text. Through tower-lsp-server its body was parsed three
//! times: by the framing layer to check it, by tower-lsp-server into a `Value`, and from
//! that into the params (~1 ms of the 5,000-line file's open → first diagnostics). The
//! framing layer now parses a well-formed one once, typed, keeps the params here and
//! forwards a small [`OPENED`] notification in its place, which reaches the server in
//! order with the other messages. Anything else about it (an `id`, an unknown field, a
//! wrong type, a lone surrogate) sends it the usual way.

use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use tower_lsp_server::ls_types::DidOpenTextDocumentParams;

/// The notification a handed-over `didOpen` travels as: params `{"token"}`.
pub const OPENED: &str = "dockerfile-ls/opened";

const DID_OPEN: &str = "textDocument/didOpen";

/// Most opened documents waiting for the server (it takes each one as its notification
/// comes; more would mean they are not being taken).
const MAX_WAITING: usize = 1024;

/// Most rerouted requests waiting for their answer (past it, requests go the usual way).
const MAX_PENDING: usize = 4096;

#[derive(Debug, Default)]
pub struct Handoff {
    on: AtomicBool,
    next: AtomicU64,
    opened: Mutex<HashMap<u64, DidOpenTextDocumentParams>>,
    /// Rerouted requests not answered yet, by [`key_of`] their id: cancelled?
    pending: Mutex<HashMap<String, bool>>,
}

/// The params of an [`OPENED`] notification.
#[derive(Debug, Deserialize)]
pub struct Opened {
    pub token: u64,
}

/// A whole `didOpen` notification, nothing more.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenMessage {
    jsonrpc: String,
    method: String,
    params: DidOpenTextDocumentParams,
}

impl Handoff {
    /// The session runs: reroute, hand over.
    pub fn start(&self) {
        self.on.store(true, Ordering::SeqCst);
    }

    /// The session ends (`shutdown` or `exit` passed): everything goes the usual way.
    pub fn stop(&self) {
        self.on.store(false, Ordering::SeqCst);
    }

    pub fn is_on(&self) -> bool {
        self.on.load(Ordering::SeqCst)
    }

    /// The [`OPENED`] notification to forward instead of `body`, when the session runs
    /// and `body` is a well-formed `didOpen` notification; its params wait here.
    pub fn take_over(&self, body: &[u8]) -> Option<Vec<u8>> {
        // Cheap test first: most messages are not a didOpen.
        if !self.is_on() || memchr::memmem::find(body, DID_OPEN.as_bytes()).is_none() {
            return None;
        }
        let message: OpenMessage = serde_json::from_slice(body).ok()?;
        if message.jsonrpc != "2.0" || message.method != DID_OPEN {
            return None;
        }
        let token = self.next.fetch_add(1, Ordering::SeqCst);
        let mut opened = lock(&self.opened);
        if opened.len() >= MAX_WAITING {
            return None;
        }
        opened.insert(token, message.params);
        let notification = json!({"jsonrpc": "2.0", "method": OPENED, "params": {"token": token}});
        serde_json::to_vec(&notification).ok()
    }

    /// Record a request about to be rerouted; false (do not reroute it) when too many are
    /// waiting already.
    pub fn reroute(&self, id: &serde_json::Value) -> bool {
        let mut pending = lock(&self.pending);
        if pending.len() >= MAX_PENDING {
            return false;
        }
        pending.insert(key_of(id), false);
        true
    }

    /// A `$/cancelRequest` for `id` passed: mark it if it is a rerouted request waiting.
    pub fn cancel(&self, id: &serde_json::Value) {
        if let Some(cancelled) = lock(&self.pending).get_mut(&key_of(id)) {
            *cancelled = true;
        }
    }

    /// Whether the rerouted request keyed `id` ([`key_of`]) was cancelled.
    pub fn is_cancelled(&self, id: &str) -> bool {
        lock(&self.pending).get(id).copied().unwrap_or(false)
    }

    /// The rerouted request keyed `id` ([`key_of`]) is answered: forget it.
    pub fn answered(&self, id: &str) {
        lock(&self.pending).remove(id);
    }

    /// The params handed over with `token` (once).
    pub fn claim(&self, token: u64) -> Option<DidOpenTextDocumentParams> {
        lock(&self.opened).remove(&token)
    }
}

/// A request id as the pending map keys it: its JSON text (`7` and `"7"` differ), the
/// same whether read by the framing layer (a `Value`) or by the server (an `Id`).
pub fn key_of(id: &impl serde::Serialize) -> String {
    serde_json::to_string(id).unwrap_or_default()
}

/// The maps hold plain data, valid even if a holder panicked.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: &str = r#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a/Dockerfile","languageId":"dockerfile","version":3,"text":"FROM a\n"}}}"#;

    #[test]
    fn a_well_formed_open_is_handed_over_once() {
        let h = Handoff::default();
        assert_eq!(h.take_over(OPEN.as_bytes()), None, "not before the session");
        h.start();
        let note = h.take_over(OPEN.as_bytes()).expect("handed over");
        let v: serde_json::Value = serde_json::from_slice(&note).expect("json");
        assert_eq!(v["method"], OPENED);
        let token = v["params"]["token"].as_u64().expect("token");
        let params = h.claim(token).expect("waiting");
        assert_eq!(params.text_document.text, "FROM a\n");
        assert_eq!(params.text_document.version, 3);
        assert!(h.claim(token).is_none());
        h.stop();
        assert_eq!(h.take_over(OPEN.as_bytes()), None, "not after it");
    }

    #[test]
    fn a_cancel_marks_a_waiting_rerouted_request_only() {
        let h = Handoff::default();
        let (seven, a) = (serde_json::json!(7), serde_json::json!("7"));
        assert!(h.reroute(&seven));
        h.cancel(&a);
        assert!(
            !h.is_cancelled("7"),
            "the string id \"7\" is another request"
        );
        h.cancel(&seven);
        assert!(h.is_cancelled("7"));
        h.answered("7");
        assert!(!h.is_cancelled("7"));
        h.cancel(&seven);
        assert!(
            !h.is_cancelled("7"),
            "a cancel after the answer marks nothing"
        );
    }

    #[test]
    fn anything_unusual_goes_the_usual_way() {
        let h = Handoff::default();
        h.start();
        for body in [
            OPEN.replace(r#""jsonrpc":"2.0","#, r#""jsonrpc":"2.0","id":1,"#),
            OPEN.replace(r#""version":3"#, r#""version":"3""#),
            OPEN.replace(r#""2.0""#, r#""1.0""#),
            OPEN.replace("FROM a", r"FROM \ud800"),
            OPEN.replace("didOpen", "didClose"),
            OPEN.replace(r#""params""#, r#""extra":1,"params""#),
            OPEN[..OPEN.len() - 1].to_string(),
        ] {
            assert_eq!(h.take_over(body.as_bytes()), None, "{body}");
        }
    }
}
