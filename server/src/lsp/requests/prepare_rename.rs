//! `textDocument/prepareRename`. Thin: convert at the edge, delegate to `crate::features`.
//! Nothing renamable under the cursor (or a stage referenced by index, a predefined or
//! undefined variable) gives `null`, which clients report as "cannot rename".

use crate::document::{Encoding, Snapshot};
use crate::features::rename;
use crate::lsp::convert;
use tower_lsp_server::ls_types::{PrepareRenameResponse, TextDocumentPositionParams};

pub fn handle(
    snap: &Snapshot,
    params: TextDocumentPositionParams,
    enc: Encoding,
) -> Option<PrepareRenameResponse> {
    let offset = convert::offset(snap, params.position, enc);
    let (span, placeholder) = rename::prepare_rename(&snap.model, &snap.text, offset).ok()?;
    Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: convert::range(snap, span, enc),
        placeholder,
    })
}
