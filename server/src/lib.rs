//! dockerfile-ls: a language server and linter for Dockerfiles.
//!
//! Layers (each depends only on the ones above it):
//! `syntax` (tree-sitter) → `model` (what BuildKit reads) → `rules` → `features`;
//! `document` holds open texts and snapshots; `lsp` and `cli` are the two front ends.

pub mod cli;
pub mod config;
pub mod document;
pub mod features;
pub mod hash;
pub mod lsp;
pub mod malloc;
pub mod model;
pub mod rules;
pub mod syntax;
#[cfg(test)]
mod test_support;
pub mod threads;
