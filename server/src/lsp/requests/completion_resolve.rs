//! `completionItem/resolve`. The item carries no document: completion items that want
//! resolving put the document URI in `data` as `{"uri": "..."}` (see `uri_of`); the
//! server then calls `handle` with that document's snapshot. `None` keeps the item as is.

use crate::document::{Encoding, Snapshot};
use crate::features::completion;
use tower_lsp_server::ls_types::CompletionItem;

pub fn handle(_snap: &Snapshot, item: CompletionItem, _enc: Encoding) -> Option<CompletionItem> {
    Some(completion::resolve(item))
}

/// The document an item belongs to, from its `data.uri`.
pub fn uri_of(item: &CompletionItem) -> Option<String> {
    item.data.as_ref()?.get("uri")?.as_str().map(str::to_string)
}
