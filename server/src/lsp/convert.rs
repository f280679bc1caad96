//! Conversions between the protocol's types and ours, at the edge: positions in the
//! negotiated encoding, findings as diagnostics.

use crate::document::{Diagnosed, Encoding, LineCol, Snapshot};
use crate::model::Span;
use crate::rules::{Finding, Severity, Tag};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::OnceLock;
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location, NumberOrString, Position, PositionEncodingKind, Range, Uri,
};

/// `source` of every diagnostic.
pub const SOURCE: &str = "dockerfile-ls";

pub use crate::cli::{rule_doc_url, RULES_DOC_URL};

pub fn position_encoding_kind(enc: Encoding) -> PositionEncodingKind {
    match enc {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf16 => PositionEncodingKind::UTF16,
        Encoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

/// Pick the position encoding from the client's offer (`general.positionEncodings`):
/// UTF-8 when offered (our offsets are bytes: no conversion at all), else UTF-32 when
/// offered (characters), else UTF-16 (the default every client must support).
pub fn negotiate_encoding(offered: Option<&[PositionEncodingKind]>) -> Encoding {
    let offered = offered.unwrap_or_default();
    let has = |k: &PositionEncodingKind| offered.iter().any(|o| o == k);
    if has(&PositionEncodingKind::UTF8) {
        Encoding::Utf8
    } else if has(&PositionEncodingKind::UTF32) {
        Encoding::Utf32
    } else {
        Encoding::Utf16
    }
}

pub fn line_col(pos: Position) -> LineCol {
    LineCol {
        line: pos.line,
        col: pos.character,
    }
}

pub fn position(lc: LineCol) -> Position {
    Position {
        line: lc.line,
        character: lc.col,
    }
}

/// A byte span of the snapshot's text as a protocol range.
pub fn range(snap: &Snapshot, span: Span, enc: Encoding) -> Range {
    wire_range(snap.diagnosed(), span, enc)
}

/// `range` for diagnostics, which need no tree.
fn wire_range(snap: Diagnosed<'_>, span: Span, enc: Encoding) -> Range {
    let (start, end) = snap.range(span, enc);
    Range {
        start: position(start),
        end: position(end),
    }
}

/// A protocol position as a byte offset into the snapshot's text (clamped).
pub fn offset(snap: &Snapshot, pos: Position, enc: Encoding) -> usize {
    snap.offset(line_col(pos), enc)
}

/// A protocol range as a byte span (ordered, clamped).
pub fn span(snap: &Snapshot, range: Range, enc: Encoding) -> Span {
    let a = offset(snap, range.start, enc);
    let b = offset(snap, range.end, enc);
    Span::new(a.min(b), a.max(b))
}

pub fn severity(sev: Severity) -> DiagnosticSeverity {
    match sev {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// The documentation address of every registered rule, parsed once.
fn doc_uris() -> &'static HashMap<&'static str, Uri> {
    static URIS: OnceLock<HashMap<&'static str, Uri>> = OnceLock::new();
    URIS.get_or_init(|| {
        crate::rules::registry()
            .filter_map(|r| Some((r.id, Uri::from_str(&rule_doc_url(r.id)).ok()?)))
            .collect()
    })
}

/// A rule's documentation address: cached for registered rules, computed otherwise.
pub(super) fn doc_href(rule: &'static str) -> Option<Cow<'static, Uri>> {
    match doc_uris().get(rule) {
        Some(uri) => Some(Cow::Borrowed(uri)),
        None => Uri::from_str(&rule_doc_url(rule)).ok().map(Cow::Owned),
    }
}

/// A finding as the protocol's `Diagnostic`, borrowing from the finding: serialized
/// as is for `publishDiagnostics` (no `serde_json::Value` in between) and turned into an
/// `ls_types::Diagnostic` by `diagnostic`. The JSON is the same either way.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireDiagnostic<'a> {
    range: Range,
    severity: DiagnosticSeverity,
    code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code_description: Option<Href>,
    source: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_information: Vec<WireRelated<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<DiagnosticTag>,
    data: DiagnosticData,
}

#[derive(Serialize)]
struct Href {
    href: Cow<'static, Uri>,
}

#[derive(Serialize)]
struct WireRelated<'a> {
    location: WireLocation<'a>,
    message: &'a str,
}

#[derive(Serialize)]
struct WireLocation<'a> {
    uri: &'a Uri,
    range: Range,
}

/// What a code action needs without looking the finding up again (see `diagnostic`).
#[derive(Serialize)]
struct DiagnosticData {
    rule: &'static str,
    version: i32,
    index: usize,
}

/// A finding as a diagnostic, ready to serialize. `data` is what a code action needs to
/// find the finding again: `{"rule", "version", "index"}` (the finding's index in
/// `snap.findings` of that version). Fixes are not sent along: every publication after
/// an edit would carry them all again; code actions compute them.
pub fn wire_diagnostic<'a>(
    snap: Diagnosed<'a>,
    uri: &'a Uri,
    index: usize,
    finding: &'a Finding,
    enc: Encoding,
) -> WireDiagnostic<'a> {
    let related_information = finding
        .related
        .iter()
        .map(|r| WireRelated {
            location: WireLocation {
                uri,
                range: wire_range(snap, r.span, enc),
            },
            message: &r.message,
        })
        .collect();
    let tags = finding
        .tags
        .iter()
        .map(|t| match t {
            Tag::Unnecessary => DiagnosticTag::UNNECESSARY,
            Tag::Deprecated => DiagnosticTag::DEPRECATED,
        })
        .collect();
    WireDiagnostic {
        range: wire_range(snap, finding.span, enc),
        severity: severity(finding.severity),
        code: finding.rule,
        code_description: doc_href(finding.rule).map(|href| Href { href }),
        source: SOURCE,
        message: &finding.message,
        related_information,
        tags,
        data: DiagnosticData {
            rule: finding.rule,
            version: snap.version,
            index,
        },
    }
}

/// A finding as an `ls_types::Diagnostic` (pull diagnostics, code actions): the same
/// JSON as `wire_diagnostic`.
pub fn diagnostic(
    snap: &Snapshot,
    uri: &Uri,
    index: usize,
    finding: &Finding,
    enc: Encoding,
) -> Diagnostic {
    let w = wire_diagnostic(snap.diagnosed(), uri, index, finding, enc);
    let related: Vec<DiagnosticRelatedInformation> = w
        .related_information
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location {
                uri: uri.clone(),
                range: r.location.range,
            },
            message: r.message.to_string(),
        })
        .collect();
    Diagnostic {
        range: w.range,
        severity: Some(w.severity),
        code: Some(NumberOrString::String(w.code.to_string())),
        code_description: w.code_description.map(|d| CodeDescription {
            href: d.href.into_owned(),
        }),
        source: Some(SOURCE.to_string()),
        message: w.message.to_string(),
        related_information: (!related.is_empty()).then_some(related),
        tags: (!w.tags.is_empty()).then_some(w.tags),
        data: serde_json::to_value(&w.data).ok(),
    }
}

/// All findings of a snapshot as diagnostics.
pub fn diagnostics(snap: &Snapshot, uri: &Uri, enc: Encoding) -> Vec<Diagnostic> {
    snap.findings
        .iter()
        .enumerate()
        .map(|(i, f)| diagnostic(snap, uri, i, f, enc))
        .collect()
}

/// The findings serialized one at a time, straight into the output.
#[cfg(test)]
struct WireDiagnostics<'a> {
    snap: Diagnosed<'a>,
    uri: &'a Uri,
    enc: Encoding,
}

#[cfg(test)]
impl Serialize for WireDiagnostics<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            self.snap
                .findings
                .iter()
                .enumerate()
                .map(|(i, f)| wire_diagnostic(self.snap, self.uri, i, f, self.enc)),
        )
    }
}

#[derive(Serialize)]
struct Notification<P> {
    jsonrpc: &'static str,
    method: &'static str,
    params: P,
}

#[derive(Serialize)]
struct PublishParams<'a, D> {
    uri: &'a Uri,
    diagnostics: D,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<i32>,
}

fn publish_message<D: Serialize>(uri: &Uri, diagnostics: D, version: Option<i32>) -> Vec<u8> {
    let message = Notification {
        jsonrpc: "2.0",
        method: "textDocument/publishDiagnostics",
        params: PublishParams {
            uri,
            diagnostics,
            version,
        },
    };
    // Plain data with string keys: serialization cannot fail.
    serde_json::to_vec(&message).unwrap_or_default()
}

/// The body of the `textDocument/publishDiagnostics` notification of a snapshot's
/// findings, with its version.
pub fn publish_diagnostics(snap: Diagnosed<'_>, uri: &Uri, enc: Encoding) -> Vec<u8> {
    super::wire::publish_diagnostics(snap, uri, enc)
}

/// [`publish_diagnostics`] through serde (the reference the fast writer is tested against).
#[cfg(test)]
fn publish_diagnostics_serde(snap: Diagnosed<'_>, uri: &Uri, enc: Encoding) -> Vec<u8> {
    let diagnostics = WireDiagnostics { snap, uri, enc };
    publish_message(uri, diagnostics, Some(snap.version))
}

/// The body of the notification that clears a document's diagnostics (no version).
pub fn clear_diagnostics(uri: &Uri) -> Vec<u8> {
    publish_message(uri, [(); 0], None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation() {
        use PositionEncodingKind as K;
        assert_eq!(negotiate_encoding(None), Encoding::Utf16);
        assert_eq!(negotiate_encoding(Some(&[])), Encoding::Utf16);
        assert_eq!(
            negotiate_encoding(Some(&[K::UTF16, K::UTF8])),
            Encoding::Utf8
        );
        assert_eq!(
            negotiate_encoding(Some(&[K::UTF32, K::UTF16])),
            Encoding::Utf32
        );
        assert_eq!(negotiate_encoding(Some(&[K::UTF16])), Encoding::Utf16);
        assert_eq!(negotiate_encoding(Some(&[K::UTF32])), Encoding::Utf32);
        assert_eq!(
            negotiate_encoding(Some(&[K::new("latin-1")])),
            Encoding::Utf16
        );
    }

    /// Pushed diagnostics (serialized from the findings) and `ls_types` ones (pull, code
    /// actions) are the same JSON, in every encoding.
    #[test]
    fn both_renderings_agree() {
        let text = "FROM alpine AS a\nFROM alpine AS a\nMAINTAINER José 😀\nRUN apk add curl\n";
        let snap = Snapshot::from_text(text);
        let uri = Uri::from_str("file:///p/Dockerfile").expect("uri");
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let pushed: serde_json::Value =
                serde_json::from_slice(&publish_diagnostics(snap.diagnosed(), &uri, enc))
                    .expect("json");
            assert_eq!(pushed["method"], "textDocument/publishDiagnostics");
            assert_eq!(pushed["params"]["uri"], uri.as_str());
            assert_eq!(pushed["params"]["version"], snap.version);
            let typed = serde_json::to_value(diagnostics(&snap, &uri, enc)).expect("json");
            assert_eq!(pushed["params"]["diagnostics"], typed);
        }
        // The text exercises every optional part.
        let d = serde_json::to_value(diagnostics(&snap, &uri, Encoding::Utf16)).expect("json");
        let any = |key: &str| {
            d.as_array()
                .into_iter()
                .flatten()
                .any(|d| d.get(key).is_some())
        };
        assert!(
            any("relatedInformation") && any("tags") && any("codeDescription"),
            "{d}"
        );
        assert!(d
            .as_array()
            .into_iter()
            .flatten()
            .all(|d| d["data"].get("fix").is_none()));
        let cleared: serde_json::Value =
            serde_json::from_slice(&clear_diagnostics(&uri)).expect("json");
        assert_eq!(
            cleared["params"],
            serde_json::json!({"uri": uri.as_str(), "diagnostics": []})
        );
    }

    /// The hand-written publish writer gives serde's bytes, also for strings to escape.
    #[test]
    fn fast_writer_equals_serde() {
        use crate::rules::{Edit, Fix, Related};
        let text = "FROM alpine AS a\nFROM alpine AS a\nMAINTAINER José 😀\nRUN apk add curl\n";
        let snap = Snapshot::from_text(text);
        let uri = Uri::from_str("file:///p/a%20b/Dockerfile").expect("uri");
        let mut findings = snap.findings.to_vec();
        findings.push(Finding {
            rule: "NotARegisteredRule",
            severity: Severity::Info,
            span: Span::new(3, 40),
            message: "quote \" backslash \\ newline \n tab \t nul \u{0} bell \u{7} é 😀".into(),
            related: vec![Related {
                span: Span::new(0, 4),
                message: "\"here\"".into(),
            }],
            tags: vec![Tag::Deprecated, Tag::Unnecessary],
            fix: Some(Fix {
                title: "a \"title\"".into(),
                edits: vec![Edit {
                    span: Span::new(5, 5),
                    new_text: "line\r\n\\".into(),
                }],
                safe: false,
            }),
        });
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let d = Diagnosed {
                findings: &findings,
                ..snap.diagnosed()
            };
            let fast = publish_diagnostics(d, &uri, enc);
            let serde = publish_diagnostics_serde(d, &uri, enc);
            assert_eq!(
                String::from_utf8_lossy(&fast),
                String::from_utf8_lossy(&serde)
            );
        }
    }

    #[test]
    fn doc_url() {
        assert_eq!(
            rule_doc_url("CacheBustingCopy"),
            "https://github.com/dockerfile-ls/dockerfile-ls/blob/main/docs/rules.md#cachebustingcopy"
        );
        assert!(Uri::from_str(&rule_doc_url("X")).is_ok());
    }
}
