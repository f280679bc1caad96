//! Editor features: one module per feature, each a pure function of a snapshot.

pub mod code_actions;
pub mod completion;
pub mod docs;
pub mod folding;
pub mod format;
pub mod hover;
pub mod inlay_hints;
pub mod links;
pub mod navigation;
pub mod rename;
pub mod selection;
pub mod semantic_tokens;
pub mod signature_help;
pub mod symbols;
