//! `textDocument/documentSymbol`. Thin: delegate to `crate::features::symbols`.

use crate::document::{Encoding, Snapshot};
use crate::features::symbols;
use tower_lsp_server::ls_types::{DocumentSymbolParams, DocumentSymbolResponse};

pub fn handle(
    snap: &Snapshot,
    params: DocumentSymbolParams,
    enc: Encoding,
) -> Option<DocumentSymbolResponse> {
    let _ = params;
    let symbols = symbols::document_symbols(&snap.model, &snap.text, &snap.line_index, enc);
    Some(DocumentSymbolResponse::Nested(symbols))
}
