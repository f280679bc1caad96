//! NpmUnpinned: `npm install <package>` without a version.

use super::util;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "NpmUnpinned",
    aliases: &["DL3016"],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Info,
    scope: Scope::Stage,
    summary: "`npm install <package>` without a version",
    docs: r#"`npm install -g typescript` installs whatever version is the newest when the layer is
built, so rebuilding the same Dockerfile may install a different, possibly incompatible,
version.

Pin it (`typescript@5.6.3`), or install the project's dependencies from its lock file with
`npm ci`. Not reported: `name@version` (also scoped `@scope/name@version`), paths, URLs, git
and tarball sources, words with variables, and installs without package arguments.
"#,
    bad: "FROM node:22-slim\nRUN npm install -g typescript && npm cache clean --force\n",
    good: "FROM node:22-slim\nRUN npm install -g typescript@5.6.3 && npm cache clean --force\n",
    check,
};

const WITH_VALUE: &[&str] = &[
    "--prefix",
    "-C",
    "--workspace",
    "-w",
    "--registry",
    "--cache",
    "--tag",
];

fn is_pinned_or_not_a_name(word: &str) -> bool {
    let bare = word.strip_prefix('@').unwrap_or(word);
    bare.contains('@')
        || word.contains([':', '$', '*'])
        || word.starts_with('.')
        || word.starts_with('/')
        || word.starts_with('~')
        || word.ends_with(".tgz")
        || word.ends_with(".tar.gz")
        // `user/repo` is a GitHub shorthand; `@scope/name` is a package.
        || (!word.starts_with('@') && word.contains('/'))
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, _, script) in util::runs(ctx) {
        for inv in util::invocations(&script) {
            if inv.program != "npm" {
                continue;
            }
            let pos = inv.positionals(WITH_VALUE);
            if !pos
                .first()
                .is_some_and(|w| matches!(w.text.as_str(), "install" | "i" | "add"))
            {
                continue;
            }
            for w in pos.iter().skip(1) {
                if !w.literal || is_pinned_or_not_a_name(&w.text) {
                    continue;
                }
                out.push(RULE.finding(
                    w.span,
                    format!(
                        "`{}` is installed without a version: pin it (`{}@<version>`)",
                        w.text, w.text
                    ),
                ));
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
        assert!(check_rule(&RULE, "FROM n\nRUN npm install -g @angular/cli@18.2.0 serve@14 ./local user/repo https://x/y.tgz && npm ci\n").is_empty());
        assert_eq!(
            check_rule(&RULE, "FROM n\nRUN npm i -g @angular/cli pnpm\n").len(),
            2
        );
    }
}
