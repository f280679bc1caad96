//! `textDocument/codeAction`. Diagnostics from this server carry their finding's fix in
//! `data` (see `lsp::convert::diagnostic`). The kinds offered are announced from `kinds()`.

use crate::document::{Encoding, Snapshot};
use tower_lsp_server::ls_types::{CodeActionKind, CodeActionParams, CodeActionResponse};

/// Apply every safe fix of the file.
pub const SOURCE_FIX_ALL: &str = "source.fixAll.dockerfile-ls";

pub fn kinds() -> Vec<CodeActionKind> {
    vec![
        CodeActionKind::QUICKFIX,
        CodeActionKind::REFACTOR_REWRITE,
        CodeActionKind::new(SOURCE_FIX_ALL),
    ]
}

pub fn handle(
    snap: &Snapshot,
    params: CodeActionParams,
    enc: Encoding,
) -> Option<CodeActionResponse> {
    let _ = (snap, params, enc);
    None
}
