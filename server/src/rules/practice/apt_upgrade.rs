//! AptUpgrade: `apt-get upgrade` / `dist-upgrade` in a build.

use super::util;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "AptUpgrade",
    aliases: &["DL3005"],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Info,
    scope: Scope::Stage,
    summary: "`apt-get upgrade` / `dist-upgrade` makes the image depend on the day it was built",
    docs: r#"Upgrading all packages inside a build makes the result depend on the build date and on
the state of the mirrors, not on the Dockerfile: two builds of the same file differ, and the
layer is cached indefinitely, so "upgraded" images silently go stale. `dist-upgrade` may also
replace essential packages of the base image.

Prefer a recent base image (or pin it by digest and update it regularly, e.g. with a bot) and
install only the packages you need. If you do need fixes that are not in a base image yet,
upgrade just those packages (`apt-get install --only-upgrade <pkg>`).

Reported for `apt-get`/`apt` `upgrade`, `dist-upgrade` and `full-upgrade`.
"#,
    bad: "FROM debian:bookworm-slim\nRUN apt-get update && apt-get -y upgrade && rm -rf /var/lib/apt/lists/*\n",
    good: "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, _, script) in util::runs(ctx) {
        for inv in util::invocations(&script) {
            if inv.program != "apt-get" && inv.program != "apt" {
                continue;
            }
            let Some(sub) = inv.subcommand(&["-o", "-c", "-t", "--target-release"]) else {
                continue;
            };
            if matches!(
                sub.text.as_str(),
                "upgrade" | "dist-upgrade" | "full-upgrade"
            ) {
                out.push(RULE.finding(
                    inv.command.span,
                    format!("`{} {}` makes the image depend on the build date; use a recent base image instead", inv.program, sub.text),
                ));
            }
        }
    }
}
