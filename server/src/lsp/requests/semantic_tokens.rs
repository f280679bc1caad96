//! `textDocument/semanticTokens/full` and `/range`, and the legend announced in the
//! server's capabilities (token indices in the responses refer to it). The tokens come
//! from `crate::features::semantic_tokens`, one per line segment, in the negotiated
//! encoding.

use crate::document::{Encoding, Snapshot};
use crate::features::semantic_tokens as st;
use crate::lsp::convert;
use tower_lsp_server::ls_types::{
    SemanticTokens, SemanticTokensLegend, SemanticTokensParams, SemanticTokensRangeParams,
    SemanticTokensRangeResult, SemanticTokensResult,
};

pub fn legend() -> SemanticTokensLegend {
    st::legend()
}

pub fn handle_full(
    snap: &Snapshot,
    params: SemanticTokensParams,
    enc: Encoding,
) -> Option<SemanticTokensResult> {
    let _ = params;
    let tokens = st::tokens(&snap.text, &snap.line_index, &snap.model, None, enc);
    Some(SemanticTokensResult::Tokens(SemanticTokens {
        result_id: None,
        data: st::encode(&tokens),
    }))
}

pub fn handle_range(
    snap: &Snapshot,
    params: SemanticTokensRangeParams,
    enc: Encoding,
) -> Option<SemanticTokensRangeResult> {
    let span = convert::span(snap, params.range, enc);
    let tokens = st::tokens(&snap.text, &snap.line_index, &snap.model, Some(span), enc);
    Some(SemanticTokensRangeResult::Tokens(SemanticTokens {
        result_id: None,
        data: st::encode(&tokens),
    }))
}
