//! `textDocument/prepareRename`. Thin: convert at the edge, delegate to `crate::features`.
//!
//! `handle`: nothing renamable under the cursor (or a stage referenced by index, a
//! predefined or undefined variable) gives `null`, which clients report as "cannot
//! rename". `handle_result` gives the reason instead, as a `RequestFailed` error whose
//! message clients show.

use crate::document::{Encoding, Snapshot};
use crate::features::rename;
use crate::lsp::convert;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{PrepareRenameResponse, TextDocumentPositionParams};

pub fn handle(
    snap: &Snapshot,
    params: TextDocumentPositionParams,
    enc: Encoding,
) -> Option<PrepareRenameResponse> {
    handle_result(snap, params, enc).ok().flatten()
}

pub fn handle_result(
    snap: &Snapshot,
    params: TextDocumentPositionParams,
    enc: Encoding,
) -> jsonrpc::Result<Option<PrepareRenameResponse>> {
    let offset = convert::offset(snap, params.position, enc);
    match rename::prepare_rename(&snap.model, &snap.text, offset) {
        Ok((span, placeholder)) => Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
            range: convert::range(snap, span, enc),
            placeholder,
        })),
        Err(e) => Err(jsonrpc::Error {
            // LSP's RequestFailed
            code: jsonrpc::ErrorCode::ServerError(-32803),
            message: e.to_string().into(),
            data: None,
        }),
    }
}
