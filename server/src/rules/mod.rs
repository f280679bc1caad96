//! The rule engine: a registry of rules, each one file with metadata, docs and a check.
//!
//! Families: `structure` (what BuildKit rejects: syntax, unknown instructions and flags),
//! `buildkit` (BuildKit's build checks, same names and messages) and `practice` (best
//! practices beyond BuildKit). `check` runs the enabled rules, then applies configuration
//! (per-rule levels), suppressions (`# check=`, `# dockerfile-ls ignore=`, hadolint's
//! comments) and sorts the findings by position.

pub mod buildkit;
pub mod dockerignore;
mod docs;
mod engine;
mod finding;
mod fingerprint;
mod memo;
pub use memo::Remembering;
pub mod practice;
mod rule;
pub mod shell;
pub mod structure;
pub mod suppress;

pub use docs::{rule_markdown, rules_markdown};
pub use finding::{Category, Edit, Finding, Fix, Related, Severity, Tag};
pub use rule::{CheckFn, Ctx, Rule, Scope, StageSet};

use crate::config::Config;
use crate::model::Model;

/// What the engine needs besides the model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckOptions {
    pub config: Config,
    /// `--build-arg KEY=VALUE` values.
    pub build_args: Vec<(String, String)>,
    /// Contents of the `.dockerignore` beside the Dockerfile.
    pub dockerignore: Option<String>,
    /// The file is on disk (its directory is known).
    pub on_disk: bool,
    /// The `BUILDKIT_DOCKERFILE_CHECK` value (same syntax as the `# check=` directive,
    /// which it replaces, as in BuildKit). When `None`, a `BUILDKIT_DOCKERFILE_CHECK`
    /// entry of `build_args` is used.
    pub buildkit_check: Option<String>,
}

/// Run every enabled rule, apply configuration and suppressions; findings sorted by
/// position.
pub fn check(model: &Model, text: &str, opts: &CheckOptions) -> Vec<Finding> {
    engine::run(model, text, opts)
}

/// [`check`] for a document that keeps changing: the findings of stage-local rules are
/// remembered per stage (on this thread) and reused for the stages the next version did
/// not change. Gives the same findings as [`check`].
pub fn check_incremental(model: &Model, text: &str, opts: &CheckOptions) -> Vec<Finding> {
    let (findings, remembering) = engine::run_remembering(model, text, opts);
    if let Some(r) = remembering {
        r.finish(model, text, opts);
    }
    findings
}

/// [`check_incremental`] that leaves the remembering to the caller, so that the findings
/// can be published first: finish it on this thread before the next check.
pub fn check_then_remember(
    model: &Model,
    text: &str,
    opts: &CheckOptions,
) -> (Vec<Finding>, Option<Remembering>) {
    engine::run_remembering(model, text, opts)
}

/// Every rule: structure errors, BuildKit's checks, then the best-practice family.
pub fn registry() -> impl Iterator<Item = &'static Rule> {
    structure::RULES
        .iter()
        .chain(buildkit::RULES.iter())
        .chain(practice::RULES.iter())
        .copied()
}

/// A rule by id (case-insensitive) or alias (e.g. hadolint's `DL3025`).
pub fn find(id_or_alias: &str) -> Option<&'static Rule> {
    let name = id_or_alias.trim();
    registry()
        .find(|r| r.id == name)
        .or_else(|| registry().find(|r| r.id.eq_ignore_ascii_case(name)))
        .or_else(|| registry().find(|r| r.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))))
}

/// The rule id closest to a misspelled name, for error messages.
pub fn suggest_rule(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    registry()
        .map(|r| {
            (
                strsim::levenshtein(&lower, &r.id.to_ascii_lowercase()),
                r.id,
            )
        })
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, id)| id)
}
