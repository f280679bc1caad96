//! Dockerfile grammar for [tree-sitter](https://tree-sitter.github.io/), following BuildKit's
//! reading of the text (parser directives, the escape character, line continuations, heredocs).
//!
//! ```
//! let mut parser = tree_sitter::Parser::new();
//! parser
//!     .set_language(&tree_sitter_dockerfile::LANGUAGE.into())
//!     .expect("grammar ABI is supported by the runtime");
//! let tree = parser.parse("FROM alpine\nRUN echo hi\n", None).expect("parse");
//! assert_eq!(tree.root_node().kind(), "source_file");
//! assert!(!tree.root_node().has_error());
//! ```
//!
//! The node kinds are listed in the crate's README.md and in [`NODE_TYPES`].

use tree_sitter_language::LanguageFn;

extern "C" {
    fn tree_sitter_dockerfile() -> *const ();
}

/// The tree-sitter [`LanguageFn`] for Dockerfiles.
///
/// Convert it with `tree_sitter::Language::from(LANGUAGE)` or `LANGUAGE.into()`.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_dockerfile) };

/// The content of `src/node-types.json`: every node kind, its fields and children.
pub const NODE_TYPES: &str = include_str!("../../src/node-types.json");

/// Syntax highlighting query (nvim-treesitter / Helix capture names).
pub const HIGHLIGHTS_QUERY: &str = include_str!("../../queries/highlights.scm");

/// Language injections: shell-form commands and RUN heredoc bodies as bash.
pub const INJECTIONS_QUERY: &str = include_str!("../../queries/injections.scm");

/// Folding query (`@fold`).
pub const FOLDS_QUERY: &str = include_str!("../../queries/folds.scm");

/// Locals query: stages and variables as scopes, definitions and references.
pub const LOCALS_QUERY: &str = include_str!("../../queries/locals.scm");

#[cfg(test)]
mod tests {
    #[test]
    fn loads_the_language() {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&super::LANGUAGE.into())
            .expect("Error loading Dockerfile grammar");
    }
}
