//! What the framing layer hands to the server past tower-lsp-server while a session runs
//! (from the end of `initialize` to `shutdown`): whether requests are rerouted (see
//! `framing::REROUTABLE`), and the documents it opened.
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
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use tower_lsp_server::ls_types::{DidOpenTextDocumentParams, TextDocumentItem, Uri};

/// The notification a handed-over `didOpen` travels as: params `{"token"}`.
pub const OPENED: &str = "dockerfile-ls/opened";

const DID_OPEN: &str = "textDocument/didOpen";

/// Most opened documents waiting for the server (it takes each one as its notification
/// comes; more would mean they are not being taken).
const MAX_WAITING: usize = 1024;

#[derive(Debug, Default)]
pub struct Handoff {
    on: AtomicBool,
    next: AtomicU64,
    opened: Mutex<HashMap<u64, DidOpenTextDocumentParams>>,
}

/// The params of an [`OPENED`] notification.
#[derive(Debug, Deserialize)]
pub struct Opened {
    pub token: u64,
}

/// A whole `didOpen` notification, nothing more; the text still as written (a JSON
/// string), to be read by [`json_string`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenMessage<'a> {
    jsonrpc: Cow<'a, str>,
    method: Cow<'a, str>,
    #[serde(borrow)]
    params: OpenParams<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenParams<'a> {
    #[serde(borrow)]
    text_document: OpenDocument<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenDocument<'a> {
    uri: Uri,
    language_id: String,
    version: i32,
    #[serde(borrow)]
    text: &'a RawValue,
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
        let doc = message.params.text_document;
        let params = DidOpenTextDocumentParams {
            text_document: TextDocumentItem {
                text: json_string(doc.text.get())?,
                uri: doc.uri,
                language_id: doc.language_id,
                version: doc.version,
            },
        };
        let token = self.next.fetch_add(1, Ordering::SeqCst);
        let mut opened = self.opened.lock().unwrap_or_else(|e| e.into_inner());
        if opened.len() >= MAX_WAITING {
            return None;
        }
        opened.insert(token, params);
        let notification = json!({"jsonrpc": "2.0", "method": OPENED, "params": {"token": token}});
        serde_json::to_vec(&notification).ok()
    }

    /// The params handed over with `token` (once).
    pub fn claim(&self, token: u64) -> Option<DidOpenTextDocumentParams> {
        self.opened
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&token)
    }
}

/// The value of a JSON string literal that serde_json has checked (`lit`, quotes
/// included): in one pass from one escape to the next, where serde_json's own reading
/// copies the text twice. `None` for a lone surrogate (and anything not a string), which
/// the usual way deals with.
fn json_string(lit: &str) -> Option<String> {
    let inner = lit.strip_prefix('"')?.strip_suffix('"')?;
    let b = inner.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let hex = |at: usize| {
        let h = inner.get(at..at + 4)?;
        h.bytes()
            .all(|c| c.is_ascii_hexdigit())
            .then(|| u32::from_str_radix(h, 16).ok())?
    };
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'\\', b.get(i..)?) {
        out.extend_from_slice(b.get(i..i + k)?);
        i += k + 2;
        match *b.get(i - 1)? {
            b'"' => out.push(b'"'),
            b'\\' => out.push(b'\\'),
            b'/' => out.push(b'/'),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'u' => {
                let mut cp = hex(i)?;
                i += 4;
                if (0xD800..0xDC00).contains(&cp) {
                    // A high surrogate must be followed by a low one: together one character.
                    if b.get(i..i + 2) != Some(b"\\u") {
                        return None;
                    }
                    let low = hex(i + 2).filter(|l| (0xDC00..0xE000).contains(l))?;
                    i += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                let ch = char::from_u32(cp)?;
                out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
            }
            _ => return None,
        }
    }
    out.extend_from_slice(b.get(i..)?);
    String::from_utf8(out).ok()
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

    /// Every character written as a `\\uXXXX` escape (surrogate pairs beyond the BMP).
    fn all_escaped(s: &str) -> String {
        let mut lit = String::from("\"");
        for unit in s.encode_utf16() {
            lit.push_str(&format!("\\u{unit:04x}"));
        }
        lit + "\""
    }

    #[test]
    fn json_strings_read_as_serde_json_reads_them() {
        for s in [
            "",
            "FROM a\n",
            "tab\t quote\" back\\ slash/ \u{8}\u{c}\r\n",
            "é ☃ 😀 \u{0} \u{1f}",
            "ends in a backslash \\",
        ] {
            let lit = serde_json::to_string(s).expect("json");
            assert_eq!(json_string(&lit).as_deref(), Some(s), "{lit}");
            assert_eq!(json_string(&all_escaped(s)).as_deref(), Some(s));
        }
        assert_eq!(
            json_string(r#""\/\u00E9\uD83D\uDE00""#).as_deref(),
            Some("/é😀")
        );
        for lone in [
            r#""\ud800""#,
            r#""\udc00x""#,
            r#""\ud800\u0041""#,
            r#""a\ud83d""#,
        ] {
            assert_eq!(json_string(lone), None, "{lone}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_survives_the_fast_reading(s in ".*") {
            let plain = json_string(&serde_json::to_string(&s).expect("json"));
            let escaped = json_string(&all_escaped(&s));
            proptest::prop_assert_eq!(plain.as_deref(), Some(s.as_str()));
            proptest::prop_assert_eq!(escaped.as_deref(), Some(s.as_str()));
        }
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
