//! `codeAction/resolve`. Actions that are resolved lazily put the document URI in `data`
//! as `{"uri": "..."}` (see `uri_of`); the server calls `handle` with that document's
//! snapshot. `None` returns the action unchanged.

use crate::document::{Encoding, Snapshot};
use tower_lsp_server::ls_types::CodeAction;

pub fn handle(snap: &Snapshot, action: CodeAction, enc: Encoding) -> Option<CodeAction> {
    let _ = (snap, action, enc);
    None
}

/// The document an action belongs to, from its `data.uri`.
pub fn uri_of(action: &CodeAction) -> Option<String> {
    action
        .data
        .as_ref()?
        .get("uri")?
        .as_str()
        .map(str::to_string)
}
