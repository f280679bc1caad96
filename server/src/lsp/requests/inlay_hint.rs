//! `textDocument/inlayHint`. Thin: convert at the edge, delegate to `crate::features`.

use crate::document::{Encoding, Snapshot};
use crate::features::inlay_hints::{self, HintKind};
use crate::lsp::convert;
use tower_lsp_server::ls_types::{
    InlayHint, InlayHintKind, InlayHintLabel, InlayHintParams, InlayHintTooltip,
};

pub fn handle(snap: &Snapshot, params: InlayHintParams, enc: Encoding) -> Option<Vec<InlayHint>> {
    let range = convert::span(snap, params.range, enc);
    let hints = inlay_hints::inlay_hints(&snap.model, &snap.text, range, &snap.options.build_args);
    Some(
        hints
            .into_iter()
            .map(|h| {
                let (start, _) = snap.range(crate::model::Span::new(h.offset, h.offset), enc);
                InlayHint {
                    position: convert::position(start),
                    label: InlayHintLabel::String(h.label),
                    kind: match h.kind {
                        HintKind::Value => None,
                        HintKind::StageIndex => Some(InlayHintKind::TYPE),
                    },
                    text_edits: None,
                    tooltip: h.tooltip.map(InlayHintTooltip::String),
                    padding_left: Some(true),
                    padding_right: None,
                    data: None,
                }
            })
            .collect(),
    )
}
