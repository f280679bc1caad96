//! Configuration: rule severities and formatter options, from `.dockerfile-ls.toml` and
//! from the client's `dockerfile-ls` settings section. (Scaffolding: completed by the
//! rules engine.)

use crate::rules::Severity;
use std::collections::HashMap;

/// A rule's configured level: off, or a severity.
pub type Level = Option<Severity>;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// Per-rule levels by rule id (or alias); `None` turns the rule off.
    pub rules: HashMap<String, Level>,
    pub format: FormatOptions,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FormatOptions {
    /// Spaces before a continuation line's text.
    pub indent_width: usize,
    /// `upper`, `lower` or `preserve` (the file's dominant case).
    pub keyword_case: KeywordCase,
    /// Blank lines between stages.
    pub blank_lines_between_stages: usize,
}

impl Default for FormatOptions {
    fn default() -> Self {
        FormatOptions { indent_width: 4, keyword_case: KeywordCase::Dominant, blank_lines_between_stages: 1 }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum KeywordCase {
    Upper,
    Lower,
    /// The case most instructions of the file already use (upper on a tie).
    #[default]
    Dominant,
}
