//! Open documents: rope text, incremental syntax tree, model, immutable snapshots.
//!
//! `Document` keeps a rope and a tree-sitter tree in step: every content change is one rope
//! edit and one `InputEdit` on the old tree, then an incremental re-parse. `Snapshot` is
//! one analysed version (text, line index, tree, model, findings), immutable behind an
//! `Arc`. `DocumentStore` holds the open documents by URI.

mod line_index;
mod parse_job;
#[cfg(test)]
mod proptests;
mod snapshot;
mod store;
mod text;
mod tree_slot;

pub use line_index::{Encoding, LineCol, LineIndex};
pub use snapshot::{Analysed, Diagnosed, Snapshot, SnapshotInput};
pub use store::{DocumentStore, Pending, StoreError};
pub use text::{Change, Document};
pub use tree_slot::{Coming, TreeSlot};
