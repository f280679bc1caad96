//! `textDocument/documentLink`. Thin: convert at the edge, delegate to `crate::features`.

use crate::document::{Encoding, Snapshot};
use crate::features::links;
use crate::lsp::convert;
use std::str::FromStr;
use tower_lsp_server::ls_types::{DocumentLink, DocumentLinkParams, Uri};

pub fn handle(
    snap: &Snapshot,
    params: DocumentLinkParams,
    enc: Encoding,
) -> Option<Vec<DocumentLink>> {
    let _ = params;
    let links = links::document_links(&snap.model, &snap.text, &snap.options.build_args);
    Some(
        links
            .into_iter()
            .filter_map(|l| {
                let target = Uri::from_str(&l.target).ok()?;
                Some(DocumentLink {
                    range: convert::range(snap, l.span, enc),
                    target: Some(target),
                    tooltip: l.tooltip,
                    data: None,
                })
            })
            .collect(),
    )
}
