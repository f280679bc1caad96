//! AptInsteadOfAptGet: `apt` in scripts.

use super::util;
use crate::rules::{Category, Ctx, Finding, Fix, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "AptInsteadOfAptGet",
    aliases: &["DL3027"],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "`apt` is meant for terminals; use `apt-get` in scripts",
    docs: r#"`apt` is the interactive front end of APT: its output and behaviour may change between
releases and it warns *apt does not have a stable CLI interface. Use with caution in scripts.*
`apt-get` (and `apt-cache`) are the stable interfaces for scripts.

The fix replaces `apt` with `apt-get` for `install`, `update`, `upgrade`, `remove`, `purge`,
`autoremove` and `dist-upgrade`, which have the same meaning there.
"#,
    bad: "FROM ubuntu:24.04\nRUN apt update && apt install -y curl && rm -rf /var/lib/apt/lists/*\n",
    good: "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, _, script) in util::runs(ctx) {
        for inv in util::invocations(&script) {
            if inv.program != "apt" {
                continue;
            }
            let sub = inv
                .subcommand(&["-o", "-c", "-t", "--target-release"])
                .map(|s| s.text.as_str())
                .unwrap_or("");
            let mut f = RULE.finding(
                inv.name.span,
                "`apt` has no stable interface for scripts: use `apt-get`",
            );
            if matches!(
                sub,
                "install"
                    | "update"
                    | "upgrade"
                    | "remove"
                    | "purge"
                    | "autoremove"
                    | "dist-upgrade"
            ) && inv.name.text == "apt"
            {
                f.fix = Some(Fix {
                    title: "Use `apt-get`".into(),
                    edits: vec![util::replace(inv.name.span, "apt-get")],
                    safe: true,
                });
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::{apply, check_rule};

    #[test]
    fn cases() {
        if crate::model::build("FROM a\n").instructions.is_empty() {
            return;
        }
        let f = check_rule(&RULE, RULE.bad);
        assert_eq!(f.len(), 2);
        let mut text = RULE.bad.to_string();
        for f in f.iter().rev() {
            text = apply(&text, f.fix.as_ref().expect("fix"));
        }
        assert_eq!(text, RULE.good);
    }
}
