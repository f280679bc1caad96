//! The command-line front end. Each subcommand is one file here with a clap `Args`
//! struct and a `run(args) -> i32` returning the exit status; `main.rs` lists them.

pub mod check;
pub mod fix;
pub mod format;
pub mod options;
pub mod render;
pub mod rules;
pub mod syntax;
pub mod walk;

/// Everything checked, nothing to report at error severity.
pub const EXIT_OK: i32 = 0;
/// Findings of error severity (or, for `syntax --buildkit`, a parse error).
pub const EXIT_FINDINGS: i32 = 1;
/// Usage error, or some input could not be read.
pub const EXIT_FAILURE: i32 = 2;

/// Where the rules' documentation lives (one anchor per rule).
pub const RULES_DOC_URL: &str =
    "https://github.com/dockerfile-ls/dockerfile-ls/blob/main/docs/rules.md";

/// The documentation address of a rule: `RULES_DOC_URL#<lower-cased id>`.
pub fn rule_doc_url(rule: &str) -> String {
    format!("{RULES_DOC_URL}#{}", rule.to_ascii_lowercase())
}
