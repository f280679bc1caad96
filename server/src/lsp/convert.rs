//! Conversions between the protocol's types and ours, at the edge: positions in the
//! negotiated encoding, findings as diagnostics.

use crate::document::{Encoding, LineCol, Snapshot};
use crate::model::Span;
use crate::rules::{Finding, Severity, Tag};
use serde_json::{json, Value};
use std::str::FromStr;
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

/// A finding as a diagnostic. `data` carries what a code action needs without looking the
/// finding up again: `{"rule", "version", "index"}` (the finding's index in
/// `snap.findings`) and, when the finding has a fix, `"fix": {"title", "safe", "edits":
/// [{"range", "newText"}]}` with ranges in the negotiated encoding.
pub fn diagnostic(
    snap: &Snapshot,
    uri: &Uri,
    index: usize,
    finding: &Finding,
    enc: Encoding,
) -> Diagnostic {
    let code_description = Uri::from_str(&rule_doc_url(finding.rule))
        .ok()
        .map(|href| CodeDescription { href });
    let related: Vec<DiagnosticRelatedInformation> = finding
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location {
                uri: uri.clone(),
                range: range(snap, r.span, enc),
            },
            message: r.message.clone(),
        })
        .collect();
    let tags: Vec<DiagnosticTag> = finding
        .tags
        .iter()
        .map(|t| match t {
            Tag::Unnecessary => DiagnosticTag::UNNECESSARY,
            Tag::Deprecated => DiagnosticTag::DEPRECATED,
        })
        .collect();
    let mut data = json!({ "rule": finding.rule, "version": snap.version, "index": index });
    if let Some(fix) = &finding.fix {
        let edits: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| json!({ "range": range(snap, e.span, enc), "newText": e.new_text }))
            .collect();
        data["fix"] = json!({ "title": fix.title, "safe": fix.safe, "edits": edits });
    }
    Diagnostic {
        range: range(snap, finding.span, enc),
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.rule.to_string())),
        code_description,
        source: Some(SOURCE.to_string()),
        message: finding.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: (!tags.is_empty()).then_some(tags),
        data: Some(data),
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

    #[test]
    fn doc_url() {
        assert_eq!(
            rule_doc_url("CacheBustingCopy"),
            "https://github.com/dockerfile-ls/dockerfile-ls/blob/main/docs/rules.md#cachebustingcopy"
        );
        assert!(Uri::from_str(&rule_doc_url("X")).is_ok());
    }
}
