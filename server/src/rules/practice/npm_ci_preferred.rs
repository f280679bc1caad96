//! NpmCiPreferred: `npm install` where the lock file was copied.

use super::util;
use crate::model::{Instruction, InstructionKind};
use crate::rules::{Category, Ctx, Finding, Fix, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "NpmCiPreferred",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "`npm install` is used although the lock file was copied; `npm ci` installs exactly the locked versions",
    docs: r#"`npm install` resolves the dependency ranges of `package.json` again and may install
other versions than the ones in `package-lock.json` (and rewrite it). `npm ci` installs
exactly the locked versions, fails when `package.json` and the lock file disagree, and is
faster in a clean image.

Reported for `npm install` / `npm i` without package arguments when an earlier COPY of the
stage copied `package-lock.json` or `npm-shrinkwrap.json` (also through a pattern such as
`package*.json`). Copies of the whole context are not enough: the lock file may not exist.

The fix replaces `install` with `ci` (not applied automatically: `npm ci` fails when the lock
file is out of date, which is the point).
"#,
    bad: "FROM node:22\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm install\nCOPY . .\n",
    good: "FROM node:22\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\n",
    check,
};

/// A COPY/ADD (from the context) that copies a lock file of npm.
fn copies_lock(i: &Instruction) -> bool {
    matches!(i.kind, InstructionKind::Copy | InstructionKind::Add)
        && i.flag("from").is_none()
        && util::copy_sources_dest(i).0.iter().any(|w| {
            let name = w
                .value
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            !util::is_whole_context(&w.value)
                && name != "*"
                && (util::glob(&name, "package-lock.json")
                    || util::glob(&name, "npm-shrinkwrap.json"))
        })
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    // A lock file copied before the install, in its stage or the stages it is built on.
    let mut locks = util::NearestBefore::new(ctx.model, copies_lock);
    for (i, _, script) in util::runs(ctx) {
        for inv in util::invocations(&script) {
            if inv.program != "npm"
                || inv.has_option(
                    Some('g'),
                    &["global", "no-package-lock", "package-lock-only"],
                )
            {
                continue;
            }
            let pos = inv.positionals(&[
                "--prefix",
                "-C",
                "--workspace",
                "-w",
                "--registry",
                "--cache",
            ]);
            let Some(sub) = pos.first() else { continue };
            if !matches!(sub.text.as_str(), "install" | "i") || pos.len() > 1 {
                continue;
            }
            if locks.find(i).is_none() {
                continue;
            }
            let mut f = RULE.finding(
                inv.command.span,
                "The lock file was copied: use `npm ci` to install exactly the locked versions",
            );
            f.fix = Some(Fix {
                title: "Use `npm ci`".into(),
                edits: vec![util::replace(sub.span, "ci")],
                safe: false,
            });
            out.push(f);
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
                "FROM node\nCOPY package*.json ./\nRUN npm i --omit=dev\n"
            )
            .len(),
            1
        );
        assert!(check_rule(&RULE, "FROM node\nCOPY . .\nRUN npm install\n").is_empty());
        assert!(check_rule(
            &RULE,
            "FROM node\nCOPY package*.json ./\nRUN npm install express\n"
        )
        .is_empty());
        assert!(check_rule(&RULE, "FROM node\nCOPY package.json ./\nRUN npm install\n").is_empty());
    }
}
