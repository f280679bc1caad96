//! `textDocument/completion`. Thin: convert at the edge, delegate to `crate::features`.

use crate::document::{Encoding, Snapshot};
use crate::features::completion::{self, Options};
use crate::lsp::convert;
use std::sync::atomic::{AtomicBool, Ordering};
use tower_lsp_server::ls_types::{CompletionParams, CompletionResponse};

/// Whether the client accepts snippets in completion items
/// (`textDocument.completion.completionItem.snippetSupport`). One client per server
/// process, so a process-wide flag set once at `initialize` is enough.
static SNIPPETS: AtomicBool = AtomicBool::new(false);

/// Record the client's snippet support (call from `initialize`).
pub fn set_snippet_support(enabled: bool) {
    SNIPPETS.store(enabled, Ordering::Relaxed);
}

/// Snippet support as advertised in the client's capabilities.
pub fn snippet_support(caps: &tower_lsp_server::ls_types::ClientCapabilities) -> bool {
    caps.text_document
        .as_ref()
        .and_then(|t| t.completion.as_ref())
        .and_then(|c| c.completion_item.as_ref())
        .and_then(|i| i.snippet_support)
        .unwrap_or(false)
}

pub fn handle(
    snap: &Snapshot,
    params: CompletionParams,
    enc: Encoding,
) -> Option<CompletionResponse> {
    let pos = params.text_document_position;
    let offset = convert::offset(snap, pos.position, enc);
    let opts = Options {
        snippets: SNIPPETS.load(Ordering::Relaxed),
    };
    let found = completion::complete(&snap.model, &snap.text, offset, &opts)?;
    let uri = pos.text_document.uri.as_str().to_string();
    Some(completion::to_lsp(
        found,
        &snap.text,
        &snap.line_index,
        enc,
        Some(&uri),
    ))
}
