//! SudoInRun: `sudo` in a RUN.

use super::util;
use crate::model::Span;
use crate::rules::{Category, Ctx, Edit, Finding, Fix, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "SudoInRun",
    aliases: &["DL3004"],
    buildkit: false,
    experimental: false,
    category: Category::Security,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "`sudo` in a RUN: switch users with USER instead",
    docs: r#"Build steps run as the stage's `USER` (root unless changed). `sudo` is pointless as root
and, for a non-root user, requires installing sudo and granting that user root rights in the
image, which any process of the container can then use too. Its behaviour without a terminal
(`requiretty`, password prompts) is a source of failures as well.

Run the privileged steps before switching to the unprivileged user, or switch back
temporarily with `USER root` … `USER app`.

The fix removes `sudo` when the RUN runs as root anyway and `sudo` has no options.
"#,
    bad: "FROM ubuntu:24.04\nRUN sudo apt-get update\n",
    good: "FROM ubuntu:24.04\nRUN apt-get update\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let mut users = util::users(ctx.model);
    for (i, _, script) in util::runs(ctx) {
        for c in script.commands.iter().filter(|c| !c.substitution) {
            if c.name.text != "sudo" && c.name.text != "/usr/bin/sudo" {
                continue;
            }
            let as_root = !util::non_root_before(&mut users, i);
            let msg = if as_root {
                "`sudo` is not needed: this RUN already runs as root"
            } else {
                "Avoid `sudo`: run privileged steps as `USER root` and switch to the unprivileged user afterwards"
            };
            let mut f = RULE.finding(c.name.span, msg);
            if let Some(next) = c
                .args
                .first()
                .filter(|a| as_root && !a.text.starts_with('-'))
            {
                f.fix = Some(Fix {
                    title: "Remove `sudo`".into(),
                    edits: vec![Edit {
                        span: Span::new(c.name.span.start, next.span.start),
                        new_text: String::new(),
                    }],
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
        let f = check_rule(&RULE, RULE.bad);
        assert_eq!(apply(RULE.bad, f[0].fix.as_ref().expect("fix")), RULE.good);
        let f = check_rule(&RULE, "FROM d\nUSER app\nRUN sudo make install\n");
        assert_eq!(f.len(), 1);
        assert!(f[0].fix.is_none());
        assert!(check_rule(&RULE, "FROM d\nRUN apt-get install -y sudo\n").is_empty());
    }
}
