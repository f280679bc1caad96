//! A rule is data (id, aliases, category, severity, docs with examples) plus one check.

use super::{Category, Finding, Severity};
use crate::model::Model;

/// Everything a check may look at. Built once per analysis by the engine.
pub struct Ctx<'a> {
    pub model: &'a Model,
    pub text: &'a str,
    /// `--build-arg KEY=VALUE` values (CLI) in the order given.
    pub build_args: &'a [(String, String)],
    /// Contents of the `.dockerignore` beside the Dockerfile, when there is one.
    pub dockerignore: Option<&'a str>,
    /// Whether the file's directory is known (a file on disk), so that rules about
    /// sibling files (e.g. a missing `.dockerignore`) can speak.
    pub on_disk: bool,
}

pub type CheckFn = fn(&Ctx, &mut Vec<Finding>);

/// Static description of a rule. One `pub const RULE: Rule` per rule file.
pub struct Rule {
    /// Stable PascalCase id; BuildKit's name where BuildKit has the same check.
    pub id: &'static str,
    /// Other names accepted in suppressions, e.g. hadolint's `DL3008`.
    pub aliases: &'static [&'static str],
    /// One of BuildKit's build checks (same name, same messages).
    pub buildkit: bool,
    /// Off unless enabled (BuildKit's `experimental=` or configuration).
    pub experimental: bool,
    pub category: Category,
    pub severity: Severity,
    /// One line: what it reports.
    pub summary: &'static str,
    /// Markdown: why it matters and what to do instead.
    pub docs: &'static str,
    /// A Dockerfile that must trigger the rule (executed as a test).
    pub bad: &'static str,
    /// The corrected Dockerfile, which must not trigger it (executed as a test).
    pub good: &'static str,
    pub check: CheckFn,
}

impl Rule {
    /// A finding of this rule at its default severity; the engine applies configuration.
    pub fn finding(&self, span: crate::model::Span, message: impl Into<String>) -> Finding {
        Finding {
            rule: self.id,
            severity: self.severity,
            span,
            message: message.into(),
            related: Vec::new(),
            tags: Vec::new(),
            fix: None,
        }
    }
}
