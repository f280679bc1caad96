//! The rule engine: a registry of rules, each one file with metadata, docs and a check.

mod finding;
pub mod practice;
mod rule;
pub mod shell;

pub use finding::{Category, Edit, Finding, Fix, Related, Severity, Tag};
pub use rule::{CheckFn, Ctx, Rule};

use crate::config::Config;
use crate::model::Model;

/// What the engine needs besides the model.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    pub config: Config,
    /// `--build-arg KEY=VALUE` values.
    pub build_args: Vec<(String, String)>,
    /// Contents of the `.dockerignore` beside the Dockerfile.
    pub dockerignore: Option<String>,
    /// The file is on disk (its directory is known).
    pub on_disk: bool,
}

/// Run every enabled rule, apply configuration and suppressions. (Scaffolding: completed
/// by the rules engine.)
pub fn check(_model: &Model, _text: &str, _opts: &CheckOptions) -> Vec<Finding> {
    Vec::new()
}
