//! `textDocument/rename`. An error (e.g. an invalid new name) is reported to the user,
//! so this one returns a `jsonrpc::Result`: `InvalidParams` for an invalid or colliding
//! name, `RequestFailed` when nothing renamable is under the cursor.

use crate::document::{Encoding, Snapshot};
use crate::features::rename::{self, RenameError};
use crate::lsp::convert;
use std::collections::HashMap;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{RenameParams, TextEdit, WorkspaceEdit};

pub fn handle(
    snap: &Snapshot,
    params: RenameParams,
    enc: Encoding,
) -> jsonrpc::Result<Option<WorkspaceEdit>> {
    let at = params.text_document_position;
    let offset = convert::offset(snap, at.position, enc);
    let edits = rename::rename(&snap.model, &snap.text, offset, &params.new_name).map_err(error)?;
    let edits: Vec<TextEdit> = edits
        .into_iter()
        .map(|(span, new_text)| TextEdit {
            range: convert::range(snap, span, enc),
            new_text,
        })
        .collect();
    let mut changes = HashMap::new();
    changes.insert(at.text_document.uri, edits);
    Ok(Some(WorkspaceEdit {
        changes: Some(changes),
        document_changes: None,
        change_annotations: None,
    }))
}

/// The JSON-RPC error for a refused rename; the message is shown to the user.
fn error(e: RenameError) -> jsonrpc::Error {
    let code = match e {
        RenameError::InvalidName(_) | RenameError::Collision(_) => {
            jsonrpc::ErrorCode::InvalidParams
        }
        // LSP's RequestFailed
        RenameError::NothingToRename | RenameError::NotRenamable(_) => {
            jsonrpc::ErrorCode::ServerError(-32803)
        }
    };
    jsonrpc::Error {
        code,
        message: e.to_string().into(),
        data: None,
    }
}
