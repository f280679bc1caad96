//! One thin handler per request. Each takes a snapshot, the request's parameters and the
//! negotiated position encoding, converts positions at the edge and delegates to
//! `crate::features`.

pub mod code_action;
pub mod code_action_resolve;
pub mod completion;
pub mod completion_resolve;
pub mod definition;
pub mod document_highlight;
pub mod document_link;
pub mod document_symbol;
pub mod execute_command;
pub mod folding_range;
pub mod formatting;
pub mod hover;
pub mod inlay_hint;
pub mod prepare_rename;
pub mod references;
pub mod rename;
pub mod selection_range;
pub mod semantic_tokens;
pub mod signature_help;
pub mod workspace_symbol;
