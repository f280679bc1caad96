//! `codeAction/resolve`. Actions that are resolved lazily put the document URI in `data`
//! as `{"uri": "..."}` (see `uri_of`); the server calls `handle` with that document's
//! snapshot. `None` returns the action unchanged.
//!
//! Our actions come with their edit already; an action without one (a client that dropped
//! it, or asked for it lazily) is recomputed from `data.kind`: `split` (with `variant`),
//! `fixAll`, or `quickfix` (the finding's first fix, when the document has not changed).

use super::code_action::workspace_edit;
use crate::document::{Encoding, Snapshot};
use crate::features::code_actions::{self as ca, split};
use serde_json::Value;
use std::str::FromStr;
use tower_lsp_server::ls_types::{CodeAction, Uri};

pub fn handle(snap: &Snapshot, action: CodeAction, enc: Encoding) -> Option<CodeAction> {
    if action.edit.is_some() {
        return None;
    }
    let data = action.data.as_ref()?;
    let uri = Uri::from_str(data.get("uri")?.as_str()?).ok()?;
    let edits = match data.get("kind").and_then(Value::as_str)? {
        "split" => {
            let variant = data
                .get("variant")
                .and_then(Value::as_str)
                .and_then(split::Variant::from_id)
                .unwrap_or(split::Variant::Standard);
            let out = split::split(&snap.model, &snap.text, variant)?;
            ca::diff_edits(&snap.text, &out)
        }
        "fixAll" => {
            let fixed = ca::fix_all(&snap.text, &snap.options);
            ca::diff_edits(&snap.text, &fixed)
        }
        "quickfix" => {
            let version = data.get("version").and_then(Value::as_i64)?;
            if version != i64::from(snap.version) {
                return None;
            }
            let index = data.get("finding").and_then(Value::as_u64)? as usize;
            let finding = snap.findings.get(index)?;
            ca::actions_for_finding(&snap.model, &snap.text, finding, index)
                .into_iter()
                .find(|a| a.title == action.title)?
                .edits
        }
        _ => return None,
    };
    let mut resolved = action;
    resolved.edit = Some(workspace_edit(snap, &uri, &edits, enc));
    Some(resolved)
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
