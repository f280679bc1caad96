//! `textDocument/documentHighlight`. Thin: convert at the edge, delegate to `crate::features`.

use crate::document::{Encoding, Snapshot};
use crate::features::navigation::{self, HighlightKind};
use crate::lsp::convert;
use tower_lsp_server::ls_types::{
    DocumentHighlight, DocumentHighlightKind, DocumentHighlightParams,
};

pub fn handle(
    snap: &Snapshot,
    params: DocumentHighlightParams,
    enc: Encoding,
) -> Option<Vec<DocumentHighlight>> {
    let offset = convert::offset(snap, params.text_document_position_params.position, enc);
    let highlights = navigation::highlights(&snap.model, &snap.text, offset);
    if highlights.is_empty() {
        return None;
    }
    Some(
        highlights
            .into_iter()
            .map(|(span, kind)| DocumentHighlight {
                range: convert::range(snap, span, enc),
                kind: Some(match kind {
                    HighlightKind::Text => DocumentHighlightKind::TEXT,
                    HighlightKind::Read => DocumentHighlightKind::READ,
                    HighlightKind::Write => DocumentHighlightKind::WRITE,
                }),
            })
            .collect(),
    )
}
