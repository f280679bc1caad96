//! The `textDocument/publishDiagnostics` notification written straight as JSON bytes.
//!
//! It is sent after every edit with every finding of the document, so it is on the edit →
//! diagnostics path: serde_json's string escaping (a table lookup per byte) was most of
//! its cost. This writer emits the same JSON as serializing `convert::WireDiagnostic`
//! (a test compares them), copying strings that need no escape in one go.

use super::convert::{doc_href, SOURCE};
use crate::document::{Diagnosed, Encoding, LineCol};
use crate::model::Span;
use crate::rules::{Finding, Severity, Tag};
use tower_lsp_server::ls_types::Uri;

struct Json {
    out: Vec<u8>,
}

impl Json {
    fn raw(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }

    /// A JSON string. The check is branch-free over the bytes (it vectorizes); strings
    /// with something to escape go through serde_json.
    fn str(&mut self, s: &str) {
        let escape = s.bytes().fold(false, |acc, b| {
            acc | (b < 0x20) | (b == b'"') | (b == b'\\')
        });
        if escape {
            // Writing to a Vec cannot fail.
            let _ = serde_json::to_writer(&mut self.out, s);
        } else {
            self.out.reserve(s.len() + 2);
            self.out.push(b'"');
            self.out.extend_from_slice(s.as_bytes());
            self.out.push(b'"');
        }
    }

    fn num(&mut self, n: impl itoa::Integer) {
        let mut b = itoa::Buffer::new();
        self.raw(b.format(n));
    }

    fn position(&mut self, p: LineCol) {
        self.raw("{\"line\":");
        self.num(p.line);
        self.raw(",\"character\":");
        self.num(p.col);
        self.raw("}");
    }

    fn range(&mut self, snap: Diagnosed<'_>, span: Span, enc: Encoding) {
        let (start, end) = snap.range(span, enc);
        self.raw("{\"start\":");
        self.position(start);
        self.raw(",\"end\":");
        self.position(end);
        self.raw("}");
    }

    fn diagnostic(
        &mut self,
        snap: Diagnosed<'_>,
        uri: &Uri,
        index: usize,
        f: &Finding,
        enc: Encoding,
    ) {
        self.raw("{\"range\":");
        self.range(snap, f.span, enc);
        self.raw(",\"severity\":");
        // The protocol's DiagnosticSeverity numbers.
        self.num(match f.severity {
            Severity::Error => 1,
            Severity::Warning => 2,
            Severity::Info => 3,
            Severity::Hint => 4,
        });
        self.raw(",\"code\":");
        self.str(f.rule);
        if let Some(href) = doc_href(f.rule) {
            self.raw(",\"codeDescription\":{\"href\":");
            self.str(href.as_str());
            self.raw("}");
        }
        self.raw(",\"source\":");
        self.str(SOURCE);
        self.raw(",\"message\":");
        self.str(&f.message);
        if !f.related.is_empty() {
            self.raw(",\"relatedInformation\":[");
            for (i, r) in f.related.iter().enumerate() {
                if i > 0 {
                    self.raw(",");
                }
                self.raw("{\"location\":{\"uri\":");
                self.str(uri.as_str());
                self.raw(",\"range\":");
                self.range(snap, r.span, enc);
                self.raw("},\"message\":");
                self.str(&r.message);
                self.raw("}");
            }
            self.raw("]");
        }
        if !f.tags.is_empty() {
            self.raw(",\"tags\":[");
            for (i, t) in f.tags.iter().enumerate() {
                if i > 0 {
                    self.raw(",");
                }
                // The protocol's DiagnosticTag numbers.
                self.num(match t {
                    Tag::Unnecessary => 1,
                    Tag::Deprecated => 2,
                });
            }
            self.raw("]");
        }
        self.raw(",\"data\":{\"rule\":");
        self.str(f.rule);
        self.raw(",\"version\":");
        self.num(snap.version);
        self.raw(",\"index\":");
        self.num(index);
        self.raw("}}");
    }
}

/// The body of the `textDocument/publishDiagnostics` notification of a snapshot's
/// findings, with its version.
pub fn publish_diagnostics(snap: Diagnosed<'_>, uri: &Uri, enc: Encoding) -> Vec<u8> {
    let mut j = Json {
        out: Vec::with_capacity(256 + snap.findings.len() * 512),
    };
    j.raw(
        "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/publishDiagnostics\",\"params\":{\"uri\":",
    );
    j.str(uri.as_str());
    j.raw(",\"diagnostics\":[");
    for (i, f) in snap.findings.iter().enumerate() {
        if i > 0 {
            j.raw(",");
        }
        j.diagnostic(snap, uri, i, f, enc);
    }
    j.raw("],\"version\":");
    j.num(snap.version);
    j.raw("}}");
    j.out
}
