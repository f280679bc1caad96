//! The rule engine: a registry of rules, each one file with metadata, docs and a check.

mod finding;
mod rule;

pub use finding::{Category, Edit, Finding, Fix, Related, Severity, Tag};
pub use rule::{CheckFn, Ctx, Rule};
