//! `textDocument/signatureHelp`. Thin: convert at the edge, delegate to `crate::features`.

use crate::document::{Encoding, Snapshot};
use crate::features::signature_help;
use crate::lsp::convert;
use tower_lsp_server::ls_types::{SignatureHelp, SignatureHelpParams};

pub fn handle(
    snap: &Snapshot,
    params: SignatureHelpParams,
    enc: Encoding,
) -> Option<SignatureHelp> {
    let pos = params.text_document_position_params.position;
    let offset = convert::offset(snap, pos, enc);
    signature_help::signature_help(&snap.model, &snap.text, offset)
}
