//! PipNoCacheDir: `pip install` keeps its download cache in the image.

use super::util;
use crate::rules::{Category, Ctx, Finding, Fix, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "PipNoCacheDir",
    aliases: &["DL3042"],
    buildkit: false,
    experimental: false,
    category: Category::Size,
    severity: Severity::Info,
    scope: Scope::Stage,
    summary: "`pip install` without `--no-cache-dir` stores its download cache in the image",
    docs: r#"pip keeps every downloaded and built wheel under `~/.cache/pip`. In an image that cache
is dead weight, often as large as the installed packages.

Pass `--no-cache-dir`, set `PIP_NO_CACHE_DIR=1` (ENV or ARG), or, with BuildKit, mount a cache
(`RUN --mount=type=cache,target=/root/.cache/pip pip install …`), which also speeds rebuilds
up. Not reported when one of these is present, when the same RUN removes `~/.cache/pip`, or in
stages that do not end up in the final image.

The fix inserts `--no-cache-dir` after `install`.
"#,
    bad: "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
    good: "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let final_chain = util::final_chain(ctx.model);
    let mut env = util::EnvBefore::new(ctx.model);
    for (i, ins, script) in util::runs(ctx) {
        if !util::invocations(&script).any(|inv| inv.program == "pip") {
            continue;
        }
        if !util::in_final_image(ctx.model, &final_chain, i)
            || env.get(i, "PIP_NO_CACHE_DIR").is_some()
            || util::has_cache_mount(ins, &["/root/.cache/pip", "/root/.cache"])
            || ins.flags.iter().any(|f| {
                f.name.eq_ignore_ascii_case("mount")
                    && util::slice(ctx.text, f.span).contains(".cache/pip")
            })
            || util::removes(
                &script,
                &[
                    "/root/.cache/pip",
                    "/root/.cache",
                    "~/.cache",
                    "~/.cache/pip",
                    "$HOME/.cache",
                ],
            )
        {
            continue;
        }
        for inv in util::invocations(&script) {
            if inv.program != "pip"
                || inv
                    .command
                    .assignments
                    .iter()
                    .any(|(k, _)| k == "PIP_NO_CACHE_DIR")
            {
                continue;
            }
            let Some(sub) = inv.subcommand(&[]) else {
                continue;
            };
            if sub.text != "install" || inv.has_option(None, &["no-cache-dir", "no-cache"]) {
                continue;
            }
            let mut f = RULE.finding(
                inv.command.span,
                "`pip install` without `--no-cache-dir` stores its download cache in the image",
            );
            f.fix = Some(Fix {
                title: "Add `--no-cache-dir`".into(),
                edits: vec![util::insert_after(sub.span, "--no-cache-dir")],
                safe: true,
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
        assert!(check_rule(
            &RULE,
            "FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n"
        )
        .is_empty());
        assert!(check_rule(
            &RULE,
            "FROM python\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n"
        )
        .is_empty());
        assert_eq!(
            check_rule(&RULE, "FROM python\nRUN python3 -m pip install flask\n").len(),
            1
        );
        assert!(check_rule(&RULE, "FROM python\nRUN uv pip install flask\n").is_empty());
    }
}
