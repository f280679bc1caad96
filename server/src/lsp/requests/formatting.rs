//! `textDocument/formatting`, `/rangeFormatting` and `/onTypeFormatting` (triggered on
//! a new line: `ON_TYPE_TRIGGER`). The formatter options come from the configuration
//! (`[format]` in `.dockerfile-ls.toml` or the client's settings), not from the
//! request's editor options.

use crate::document::{Encoding, Snapshot};
use crate::features::format;
use crate::lsp::convert;
use tower_lsp_server::ls_types::{
    DocumentFormattingParams, DocumentOnTypeFormattingParams, DocumentRangeFormattingParams, Range,
    TextEdit,
};

pub const ON_TYPE_TRIGGER: &str = "\n";

fn to_lsp(edits: Vec<format::TextEdit>) -> Vec<TextEdit> {
    edits
        .into_iter()
        .map(|e| TextEdit {
            range: Range {
                start: convert::position(e.range.0),
                end: convert::position(e.range.1),
            },
            new_text: e.new_text,
        })
        .collect()
}

pub fn handle(
    snap: &Snapshot,
    params: DocumentFormattingParams,
    enc: Encoding,
) -> Option<Vec<TextEdit>> {
    let _ = params;
    let opts = &snap.options.config.format;
    Some(to_lsp(format::text_edits(
        &snap.text,
        &snap.line_index,
        &snap.model,
        opts,
        None,
        enc,
    )))
}

pub fn handle_range(
    snap: &Snapshot,
    params: DocumentRangeFormattingParams,
    enc: Encoding,
) -> Option<Vec<TextEdit>> {
    let span = convert::span(snap, params.range, enc);
    let opts = &snap.options.config.format;
    Some(to_lsp(format::text_edits(
        &snap.text,
        &snap.line_index,
        &snap.model,
        opts,
        Some(span),
        enc,
    )))
}

pub fn handle_on_type(
    snap: &Snapshot,
    params: DocumentOnTypeFormattingParams,
    enc: Encoding,
) -> Option<Vec<TextEdit>> {
    if params.ch != ON_TYPE_TRIGGER {
        return Some(Vec::new());
    }
    let pos = convert::line_col(params.text_document_position.position);
    let opts = &snap.options.config.format;
    Some(to_lsp(format::on_type_newline(
        &snap.text,
        &snap.line_index,
        &snap.model,
        opts,
        pos,
        enc,
    )))
}
