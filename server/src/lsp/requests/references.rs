//! `textDocument/references`. Thin: convert at the edge, delegate to `crate::features`.

use crate::document::{Encoding, Snapshot};
use crate::features::navigation;
use crate::lsp::convert;
use tower_lsp_server::ls_types::{Location, ReferenceParams};

pub fn handle(snap: &Snapshot, params: ReferenceParams, enc: Encoding) -> Option<Vec<Location>> {
    let at = params.text_document_position;
    let offset = convert::offset(snap, at.position, enc);
    let spans = navigation::references(
        &snap.model,
        &snap.text,
        offset,
        params.context.include_declaration,
    );
    if spans.is_empty() {
        return None;
    }
    let uri = at.text_document.uri;
    Some(
        spans
            .into_iter()
            .map(|s| Location {
                uri: uri.clone(),
                range: convert::range(snap, s, enc),
            })
            .collect(),
    )
}
