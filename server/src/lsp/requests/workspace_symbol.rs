//! `workspace/symbol`: across every open document. `docs` holds each open document's
//! URI and snapshot.

use crate::document::{Encoding, Snapshot};
use crate::features::symbols;
use crate::lsp::convert;
use std::sync::Arc;
use tower_lsp_server::ls_types::{
    Location, OneOf, Uri, WorkspaceSymbol, WorkspaceSymbolParams, WorkspaceSymbolResponse,
};

/// At most this many symbols in one answer.
const LIMIT: usize = 1000;

pub fn handle(
    docs: &[(Uri, Arc<Snapshot>)],
    params: WorkspaceSymbolParams,
    enc: Encoding,
) -> Option<WorkspaceSymbolResponse> {
    let mut out = Vec::new();
    for (uri, snap) in docs {
        for s in symbols::workspace_symbols(&snap.model, &snap.text, &params.query) {
            if out.len() >= LIMIT {
                break;
            }
            out.push(WorkspaceSymbol {
                name: s.name,
                kind: s.kind,
                tags: None,
                container_name: s.container,
                location: OneOf::Left(Location {
                    uri: uri.clone(),
                    range: convert::range(snap, s.span, enc),
                }),
                data: None,
            });
        }
    }
    Some(WorkspaceSymbolResponse::Nested(out))
}
