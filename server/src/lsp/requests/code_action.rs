//! `textDocument/codeAction`. Diagnostics from this server carry their finding's fix in
//! `data` (see `lsp::convert::diagnostic`). The kinds offered are announced from `kinds()`.
//!
//! Quick fixes (and suppressions) for the diagnostics of the request's context that are ours
//! and for the findings in the range; the split into stages (`refactor.rewrite`); every safe
//! fix at once (`source.fixAll.dockerfile-ls`). Edits are computed here, so no resolve is
//! needed; actions also carry `data` (`{"uri", "kind", …}`) for clients that resolve anyway.

use crate::document::{Encoding, Snapshot};
use crate::features::code_actions::{self as ca, Action, ActionKind, Want};
use crate::lsp::convert;
use crate::model::Span;
use crate::rules::Edit;
use serde_json::{json, Value};
use std::collections::HashMap;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse,
    Diagnostic, NumberOrString, TextEdit, Uri, WorkspaceEdit,
};

/// Apply every safe fix of the file.
pub const SOURCE_FIX_ALL: &str = "source.fixAll.dockerfile-ls";

/// Most findings whose quick fixes one request lists. Selecting the whole of a large file
/// asked for the actions of every finding in it (60,000 findings: 9.5 s and 1.9 GB for a
/// list nobody reads); fix-all covers the whole file.
const MAX_FINDINGS: usize = 256;

pub fn kinds() -> Vec<CodeActionKind> {
    vec![
        CodeActionKind::QUICKFIX,
        CodeActionKind::REFACTOR_REWRITE,
        CodeActionKind::new(SOURCE_FIX_ALL),
    ]
}

/// Which of our kinds `only` asks for (a requested kind also selects its sub-kinds).
pub fn want(only: Option<&[CodeActionKind]>) -> Want {
    let Some(only) = only else {
        return Want::ALL;
    };
    let matches = |ours: &str| {
        only.iter().any(|k| {
            let k = k.as_str();
            ours == k || ours.starts_with(&format!("{k}."))
        })
    };
    Want {
        quickfix: matches(CodeActionKind::QUICKFIX.as_str()),
        refactor: matches(CodeActionKind::REFACTOR_REWRITE.as_str()),
        fix_all: matches(SOURCE_FIX_ALL),
    }
}

pub fn handle(
    snap: &Snapshot,
    params: CodeActionParams,
    enc: Encoding,
) -> Option<CodeActionResponse> {
    let uri = params.text_document.uri.clone();
    let range = convert::span(snap, params.range, enc);
    let want = want(params.context.only.as_deref());
    let mut out: Vec<CodeActionOrCommand> = Vec::new();
    if want.quickfix {
        // The findings the client's diagnostics stand for, then those in the range, each
        // once and at most `MAX_FINDINGS` of them.
        let mut chosen: Vec<(usize, Option<Diagnostic>)> = Vec::new();
        let mut taken = vec![false; snap.findings.len()];
        let mut take = |i: usize, d: Option<Diagnostic>, chosen: &mut Vec<_>| {
            if let Some(t) = taken.get_mut(i).filter(|t| !**t) {
                *t = true;
                chosen.push((i, d));
            }
        };
        for d in &params.context.diagnostics {
            if chosen.len() >= MAX_FINDINGS {
                break;
            }
            if let Some(i) = finding_of(snap, d, enc) {
                take(i, Some(d.clone()), &mut chosen);
            }
        }
        for (i, f) in snap.findings.iter().enumerate() {
            if chosen.len() >= MAX_FINDINGS {
                break;
            }
            if touches(f.span, range) {
                take(i, None, &mut chosen);
            }
        }
        for (i, diag) in chosen {
            let Some(f) = snap.findings.get(i) else {
                continue;
            };
            let diag = diag.unwrap_or_else(|| convert::diagnostic(snap, &uri, i, f, enc));
            for a in ca::actions_for_finding(&snap.model, &snap.text, f, i) {
                out.push(CodeActionOrCommand::CodeAction(to_lsp(
                    snap,
                    &uri,
                    a,
                    enc,
                    Some(vec![diag.clone()]),
                )));
            }
        }
    }
    if want.refactor {
        for a in ca::split_actions(&snap.model, &snap.text, range) {
            out.push(CodeActionOrCommand::CodeAction(to_lsp(
                snap, &uri, a, enc, None,
            )));
        }
    }
    if want.fix_all {
        if let Some(a) = ca::fix_all_action(&snap.model, &snap.text, &snap.findings, &snap.options)
        {
            out.push(CodeActionOrCommand::CodeAction(to_lsp(
                snap, &uri, a, enc, None,
            )));
        }
    }
    Some(out)
}

fn touches(span: Span, range: Span) -> bool {
    if range.is_empty() {
        span.touches(range.start)
    } else {
        (span.start < range.end && range.start < span.end)
            || (span.is_empty() && range.touches(span.start))
    }
}

/// The index of the finding a diagnostic stands for: by its `data` (same version), else
/// by code and range.
pub fn finding_of(snap: &Snapshot, d: &Diagnostic, enc: Encoding) -> Option<usize> {
    if d.source.as_deref().is_some_and(|s| s != convert::SOURCE) {
        return None;
    }
    let code = match &d.code {
        Some(NumberOrString::String(s)) => s.as_str(),
        _ => return None,
    };
    if let Some(data) = &d.data {
        let version = data.get("version").and_then(Value::as_i64);
        let index = data.get("index").and_then(Value::as_u64);
        if let (Some(v), Some(i)) = (version, index) {
            if v == i64::from(snap.version) {
                let i = i as usize;
                if snap.findings.get(i).is_some_and(|f| f.rule == code) {
                    return Some(i);
                }
            }
        }
    }
    let span = convert::span(snap, d.range, enc);
    snap.findings
        .iter()
        .position(|f| f.rule == code && f.span == span)
        .or_else(|| {
            snap.findings
                .iter()
                .position(|f| f.rule == code && *f.message == *d.message && touches(f.span, span))
        })
}

/// Edits as a workspace edit for `uri`, in the negotiated encoding.
pub fn workspace_edit(snap: &Snapshot, uri: &Uri, edits: &[Edit], enc: Encoding) -> WorkspaceEdit {
    let text_edits: Vec<TextEdit> = edits
        .iter()
        .map(|e| TextEdit {
            range: convert::range(snap, e.span, enc),
            new_text: e.new_text.clone(),
        })
        .collect();
    let mut changes = HashMap::new();
    changes.insert(uri.clone(), text_edits);
    WorkspaceEdit {
        changes: Some(changes),
        document_changes: None,
        change_annotations: None,
    }
}

fn to_lsp(
    snap: &Snapshot,
    uri: &Uri,
    a: Action,
    enc: Encoding,
    diagnostics: Option<Vec<Diagnostic>>,
) -> CodeAction {
    let (kind, data) = match a.kind {
        ActionKind::QuickFix => (
            CodeActionKind::QUICKFIX,
            json!({ "uri": uri.as_str(), "kind": "quickfix", "finding": a.finding, "version": snap.version }),
        ),
        ActionKind::RefactorRewrite => (
            CodeActionKind::REFACTOR_REWRITE,
            json!({
                "uri": uri.as_str(),
                "kind": "split",
                "variant": a.split.map(|v| v.id()),
                "version": snap.version,
            }),
        ),
        ActionKind::FixAll => (
            CodeActionKind::new(SOURCE_FIX_ALL),
            json!({ "uri": uri.as_str(), "kind": "fixAll", "version": snap.version }),
        ),
    };
    CodeAction {
        title: a.title,
        kind: Some(kind),
        diagnostics,
        edit: Some(workspace_edit(snap, uri, &a.edits, enc)),
        command: None,
        is_preferred: a.preferred.then_some(true),
        disabled: None,
        data: Some(data),
    }
}
