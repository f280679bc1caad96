//! YarnFlagOnNpm: yarn's lock-file flags given to npm, which ignores them.

use super::util;
use crate::model::Span;
use crate::rules::{Category, Ctx, Edit, Finding, Fix, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "YarnFlagOnNpm",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "npm is given yarn's `--frozen-lockfile` (or `--immutable`, `--pure-lockfile`), which it ignores",
    docs: r#"`--frozen-lockfile`, `--pure-lockfile` and `--immutable` are yarn options. npm accepts
unknown options silently, so `npm install --frozen-lockfile` is a plain `npm install` that may
update the lock file: the intended guarantee is missing.

Use `npm ci`, which fails when the lock file does not match `package.json`. The fix removes
the flag, and turns `npm install` into `npm ci` (that part is not applied automatically).
"#,
    bad: "FROM node:22\nCOPY package*.json ./\nRUN npm install --frozen-lockfile\n",
    good: "FROM node:22\nCOPY package*.json ./\nRUN npm ci\n",
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
            for a in inv.args {
                let t = a.text.as_str();
                if !matches!(t, "--frozen-lockfile" | "--pure-lockfile" | "--immutable") {
                    continue;
                }
                let mut edits = vec![Edit {
                    span: Span::new(a.span.start.saturating_sub(1), a.span.end),
                    new_text: String::new(),
                }];
                if ctx.text.get(a.span.start.saturating_sub(1)..a.span.start) != Some(" ") {
                    edits = vec![Edit {
                        span: a.span,
                        new_text: String::new(),
                    }];
                }
                let mut safe = true;
                if let Some(s) = sub.filter(|s| matches!(s.text.as_str(), "install" | "i")) {
                    edits.push(util::replace(s.span, "ci"));
                    safe = false;
                }
                let mut f = RULE.finding(
                    a.span,
                    format!("`{t}` is a yarn option that npm ignores; use `npm ci` to install from the lock file"),
                );
                f.fix = Some(Fix {
                    title: if safe {
                        format!("Remove `{t}`")
                    } else {
                        format!("Use `npm ci` without `{t}`")
                    },
                    edits,
                    safe,
                });
                out.push(f);
            }
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
        let text = "FROM node\nRUN npm ci --frozen-lockfile && npm run build\n";
        let f = check_rule(&RULE, text);
        assert_eq!(f.len(), 1);
        let fix = f[0].fix.as_ref().expect("fix");
        assert!(fix.safe);
        assert_eq!(apply(text, fix), "FROM node\nRUN npm ci && npm run build\n");
        assert_eq!(
            apply(
                RULE.bad,
                check_rule(&RULE, RULE.bad)[0].fix.as_ref().expect("fix")
            ),
            "FROM node:22\nCOPY package*.json ./\nRUN npm ci\n"
        );
        assert!(check_rule(&RULE, "FROM node\nRUN yarn install --frozen-lockfile\n").is_empty());
    }
}
