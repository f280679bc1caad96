//! `textDocument/hover`. Thin: convert at the edge, delegate to `crate::features`.

use crate::document::{Encoding, Snapshot};
use crate::features::hover::{self, Options};
use crate::lsp::convert;
use tower_lsp_server::ls_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

pub fn handle(snap: &Snapshot, params: HoverParams, enc: Encoding) -> Option<Hover> {
    let pos = params.text_document_position_params.position;
    let offset = convert::offset(snap, pos, enc);
    let opts = Options {
        build_args: &snap.options.build_args,
        rules_doc_url: Some(convert::RULES_DOC_URL),
    };
    let h = hover::hover(&snap.model, &snap.text, offset, &snap.findings, &opts)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: h.markdown,
        }),
        range: Some(convert::range(snap, h.span, enc)),
    })
}
