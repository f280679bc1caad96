//! Open documents: rope text, incremental syntax tree, model, immutable snapshots.

mod line_index;

pub use line_index::{Encoding, LineCol, LineIndex};
