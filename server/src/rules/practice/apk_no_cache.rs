//! ApkNoCache: `apk add` keeps its index in the image.

use super::util;
use crate::rules::{Category, Ctx, Finding, Fix, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "ApkNoCache",
    aliases: &["DL3019"],
    buildkit: false,
    experimental: false,
    category: Category::Size,
    severity: Severity::Info,
    scope: Scope::Stage,
    summary: "`apk add` without `--no-cache` leaves the package index in the image",
    docs: r#"`apk add` (and `apk update`) store the repository index under `/var/cache/apk`.
`apk add --no-cache` fetches the index to a temporary place instead: no `apk update` and no
clean-up are needed, and the layer is smaller.

Not reported when the same RUN removes `/var/cache/apk`, runs `apk cache clean`, or mounts a
cache on `/var/cache/apk` or `/etc/apk/cache`. Only stages that end up in the final image are
checked.

The fix inserts `--no-cache` after `add`.
"#,
    bad: "FROM alpine:3.20\nRUN apk add curl\n",
    good: "FROM alpine:3.20\nRUN apk add --no-cache curl\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let final_chain = util::final_chain(ctx.model);
    for (i, ins, script) in util::runs(ctx) {
        if !util::in_final_image(ctx.model, &final_chain, i) {
            continue;
        }
        let cleaned = util::removes(&script, &["/var/cache/apk"])
            || util::invocations(&script).any(|inv| {
                inv.program == "apk" && inv.subcommand(&[]).is_some_and(|s| s.text == "cache")
            })
            || util::has_cache_mount(ins, &["/var/cache/apk", "/etc/apk/cache"]);
        if cleaned {
            continue;
        }
        for inv in util::invocations(&script) {
            if inv.program != "apk" {
                continue;
            }
            let Some(sub) = inv.subcommand(&[
                "-X",
                "--repository",
                "-p",
                "--root",
                "-t",
                "--virtual",
                "--repositories-file",
                "--cache-dir",
            ]) else {
                continue;
            };
            if sub.text != "add" || inv.has_option(None, &["no-cache", "no-network"]) {
                continue;
            }
            let mut f = RULE.finding(
                inv.command.span,
                "`apk add` without `--no-cache` leaves the package index in the image",
            );
            f.fix = Some(Fix {
                title: "Add `--no-cache`".into(),
                edits: vec![util::insert_after(sub.span, "--no-cache")],
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
        assert!(check_rule(&RULE, "FROM alpine\nRUN apk --no-cache add curl\n").is_empty());
        assert!(check_rule(
            &RULE,
            "FROM alpine\nRUN apk update && apk add curl && rm -rf /var/cache/apk/*\n"
        )
        .is_empty());
        assert!(check_rule(
            &RULE,
            "FROM alpine AS b\nRUN apk add gcc\nFROM alpine\nRUN true\n"
        )
        .is_empty());
    }
}
