//! `textDocument/selectionRange`: one chain per requested position, innermost first
//! (`crate::features::selection`).

use crate::document::{Encoding, Snapshot};
use crate::features::selection::chain;
use crate::lsp::convert;
use crate::model::Span;
use tower_lsp_server::ls_types::{SelectionRange, SelectionRangeParams};

pub fn handle(
    snap: &Snapshot,
    params: SelectionRangeParams,
    enc: Encoding,
) -> Option<Vec<SelectionRange>> {
    let ranges = params
        .positions
        .into_iter()
        .map(|pos| {
            let offset = convert::offset(snap, pos, enc);
            let spans = chain(&snap.text, &snap.model, Some(snap.tree()), offset);
            let mut out: Option<SelectionRange> = None;
            for span in spans.iter().rev() {
                out = Some(SelectionRange {
                    range: convert::range(snap, *span, enc),
                    parent: out.map(Box::new),
                });
            }
            out.unwrap_or_else(|| SelectionRange {
                range: convert::range(snap, Span::new(offset, offset), enc),
                parent: None,
            })
        })
        .collect();
    Some(ranges)
}
