//! `workspace/executeCommand`. The commands listed in `commands()` are announced in the
//! capabilities. A command that concerns a document names it by URI in its first
//! argument (a string, or an object with a `"uri"`); the server then passes that
//! document's snapshot (see `uri_of`).

use crate::document::{Encoding, Snapshot};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{ExecuteCommandParams, LSPAny, WorkspaceEdit};

/// What running a command produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The response's result.
    pub result: Option<LSPAny>,
    /// An edit for the server to ask the client to apply (`workspace/applyEdit`).
    pub apply_edit: Option<WorkspaceEdit>,
}

/// Commands this server executes.
pub fn commands() -> Vec<String> {
    Vec::new()
}

pub fn handle(
    snap: Option<&Snapshot>,
    params: ExecuteCommandParams,
    enc: Encoding,
) -> jsonrpc::Result<Outcome> {
    let _ = (snap, enc);
    Err(jsonrpc::Error::invalid_params(format!(
        "unknown command {:?}",
        params.command
    )))
}

/// The document a command is about, from its first argument.
pub fn uri_of(params: &ExecuteCommandParams) -> Option<String> {
    let first = params.arguments.first()?;
    first
        .as_str()
        .or_else(|| first.get("uri")?.as_str())
        .map(str::to_string)
}
