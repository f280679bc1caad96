//! `textDocument/foldingRange`: stages, continued instructions, heredoc bodies and
//! comment blocks (`crate::features::folding`). Whole lines, so no encoding is involved.

use crate::document::{Encoding, Snapshot};
use crate::features::folding::{folds, FoldKind};
use tower_lsp_server::ls_types::{FoldingRange, FoldingRangeKind, FoldingRangeParams};

pub fn handle(
    snap: &Snapshot,
    params: FoldingRangeParams,
    enc: Encoding,
) -> Option<Vec<FoldingRange>> {
    let _ = (params, enc);
    let ranges = folds(&snap.line_index, &snap.model)
        .into_iter()
        .map(|f| FoldingRange {
            start_line: f.start_line as u32,
            start_character: None,
            end_line: f.end_line as u32,
            end_character: None,
            kind: match f.kind {
                FoldKind::Comment => Some(FoldingRangeKind::Comment),
                FoldKind::Stage => Some(FoldingRangeKind::Region),
                FoldKind::Instruction | FoldKind::Heredoc => None,
            },
            collapsed_text: None,
        })
        .collect();
    Some(ranges)
}
