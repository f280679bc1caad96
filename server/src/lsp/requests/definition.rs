//! `textDocument/definition`. Thin: convert at the edge, delegate to `crate::features`.

use crate::document::{Encoding, Snapshot};
use crate::features::navigation;
use crate::lsp::convert;
use tower_lsp_server::ls_types::{GotoDefinitionParams, GotoDefinitionResponse, Location};

pub fn handle(
    snap: &Snapshot,
    params: GotoDefinitionParams,
    enc: Encoding,
) -> Option<GotoDefinitionResponse> {
    let at = params.text_document_position_params;
    let offset = convert::offset(snap, at.position, enc);
    let spans = navigation::definition(&snap.model, &snap.text, offset);
    let uri = at.text_document.uri;
    let mut locations: Vec<Location> = spans
        .into_iter()
        .map(|s| Location {
            uri: uri.clone(),
            range: convert::range(snap, s, enc),
        })
        .collect();
    match locations.len() {
        0 => None,
        1 => locations.pop().map(GotoDefinitionResponse::Scalar),
        _ => Some(GotoDefinitionResponse::Array(locations)),
    }
}
