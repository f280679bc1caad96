//! Best-practice rules beyond BuildKit's checks (cache, security, size), and the mission's
//! headline rules.

use super::Rule;

/// Every rule of this family, in the order `dockerfile-ls rules` lists them.
pub static RULES: &[&Rule] = &[];
