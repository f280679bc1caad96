//! NpmOmitDev: deprecated `--production` / `--only=production` flags of npm.

use super::util;
use crate::rules::{Category, Ctx, Finding, Fix, Rule, Scope, Severity, Tag};

pub const RULE: Rule = Rule {
    id: "NpmOmitDev",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "`npm ci|install --production` / `--only=production` is deprecated; use `--omit=dev`",
    docs: r#"Since npm 7 the way to leave development dependencies out is `--omit=dev`.
`--production` and `--only=prod[uction]` are deprecated: npm prints a warning, and their
behaviour is kept only for compatibility.

The fix replaces the flag with `--omit=dev`. It is not applied automatically: npm 6 and older
(Node.js 14 and older images) do not know `--omit` and would install the development
dependencies.
"#,
    bad: "FROM node:22\nCOPY package*.json ./\nRUN npm ci --only=production\n",
    good: "FROM node:22\nCOPY package*.json ./\nRUN npm ci --omit=dev\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, _, script) in util::runs(ctx) {
        for inv in util::invocations(&script) {
            if inv.program != "npm" {
                continue;
            }
            let sub = inv.subcommand(&[
                "--prefix",
                "-C",
                "--workspace",
                "-w",
                "--registry",
                "--cache",
            ]);
            if !sub.is_some_and(|s| {
                matches!(
                    s.text.as_str(),
                    "ci" | "install" | "i" | "clean-install" | "prune"
                )
            }) {
                continue;
            }
            for a in inv.args {
                let t = a.text.as_str();
                let deprecated = matches!(
                    t,
                    "--production" | "--production=true" | "--only=production" | "--only=prod"
                );
                if !deprecated || !a.literal {
                    continue;
                }
                let mut f = RULE.finding(a.span, format!("`{t}` is deprecated: use `--omit=dev`"));
                f.tags.push(Tag::Deprecated);
                f.fix = Some(Fix {
                    title: "Use `--omit=dev`".into(),
                    edits: vec![util::replace(a.span, "--omit=dev")],
                    safe: false,
                });
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::check_rule;

    #[test]
    fn cases() {
        if crate::model::build("FROM a\n").instructions.is_empty() {
            return;
        }
        assert_eq!(
            check_rule(
                &RULE,
                "FROM node\nRUN npm install --production && npm cache clean --force\n"
            )
            .len(),
            1
        );
        assert!(check_rule(&RULE, "FROM node\nRUN echo npm ci --production\n").is_empty());
        assert!(check_rule(&RULE, "FROM node\nRUN yarn install --production\n").is_empty());
    }
}
