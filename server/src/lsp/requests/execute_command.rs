//! `workspace/executeCommand`. The commands listed in `commands()` are announced in the
//! capabilities. A command that concerns a document names it by URI in its first
//! argument (a string, or an object with a `"uri"`); the server then passes that
//! document's snapshot (see `uri_of`).
//!
//! - `dockerfile-ls.server.splitStages` `[uri, variant?]`: the split into stages (`variant`:
//!   `"standard"` or `"distroless"`), applied with `workspace/applyEdit`; the result is
//!   `true` when applied, `false` when the split does not apply to the document.
//! - `dockerfile-ls.server.fixAll` `[uri]`: every safe fix, applied the same way.
//!
//! (`server.` keeps them apart from the editor extensions' own commands, e.g. VS Code's
//! `dockerfile-ls.splitStages`, which runs the code action: a client registers every
//! announced command and two registrations of one name clash.)

use super::code_action::workspace_edit;
use crate::document::{Encoding, Snapshot};
use crate::features::code_actions::{self as ca, split};
use std::str::FromStr;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{ExecuteCommandParams, LSPAny, Uri, WorkspaceEdit};

pub const SPLIT_STAGES: &str = "dockerfile-ls.server.splitStages";
pub const FIX_ALL: &str = "dockerfile-ls.server.fixAll";

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
    vec![SPLIT_STAGES.to_string(), FIX_ALL.to_string()]
}

pub fn handle(
    snap: Option<&Snapshot>,
    params: ExecuteCommandParams,
    enc: Encoding,
) -> jsonrpc::Result<Outcome> {
    let command = params.command.as_str();
    if command != SPLIT_STAGES && command != FIX_ALL {
        return Err(jsonrpc::Error::invalid_params(format!(
            "unknown command {:?}",
            params.command
        )));
    }
    let uri_text = uri_of(&params).ok_or_else(|| {
        jsonrpc::Error::invalid_params("expected the document URI as first argument")
    })?;
    let uri = Uri::from_str(&uri_text)
        .map_err(|_| jsonrpc::Error::invalid_params(format!("invalid URI {uri_text:?}")))?;
    let snap = snap.ok_or_else(|| {
        jsonrpc::Error::invalid_params(format!("document {uri_text} is not open"))
    })?;
    let new_text = if command == SPLIT_STAGES {
        let variant = params
            .arguments
            .get(1)
            .and_then(|v| v.as_str())
            .and_then(split::Variant::from_id)
            .unwrap_or(split::Variant::Standard);
        split::split(&snap.model, &snap.text, variant)
    } else {
        Some(ca::fix_all(&snap.text, &snap.options))
    };
    let Some(new_text) = new_text.filter(|t| *t != *snap.text) else {
        return Ok(Outcome {
            result: Some(LSPAny::Bool(false)),
            apply_edit: None,
        });
    };
    let edits = ca::diff_edits(&snap.text, &new_text);
    Ok(Outcome {
        result: Some(LSPAny::Bool(true)),
        apply_edit: Some(workspace_edit(snap, &uri, &edits, enc)),
    })
}

/// The document a command is about, from its first argument.
pub fn uri_of(params: &ExecuteCommandParams) -> Option<String> {
    let first = params.arguments.first()?;
    first
        .as_str()
        .or_else(|| first.get("uri")?.as_str())
        .map(str::to_string)
}
