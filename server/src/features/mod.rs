//! Editor features: one module per feature, each a pure function of a snapshot.

pub mod completion;
pub mod hover;
pub mod signature_help;
pub mod docs;
pub mod navigation;
pub mod rename;
pub mod symbols;
pub mod folding;
pub mod semantic_tokens;
pub mod links;
pub mod inlay_hints;
pub mod selection;
pub mod format;
pub mod code_actions;
