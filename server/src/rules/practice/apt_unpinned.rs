//! AptUnpinned: `apt-get install <package>` without a version (off by default).

use super::util;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "AptUnpinned",
    aliases: &["DL3008"],
    buildkit: false,
    experimental: true,
    category: Category::Correctness,
    severity: Severity::Info,
    scope: Scope::Stage,
    summary: "`apt-get install` of a package without a version (off by default)",
    docs: r#"Without a version (`curl=8.5.0-2ubuntu10`), `apt-get install` installs whatever the
mirror has when the layer is built.

Off by default: Debian and Ubuntu mirrors drop superseded versions, so pinned versions break
builds after every security update; pinning the base image by digest and rebuilding regularly
is usually the better trade-off. Enable it where reproducibility matters more.

Not reported: `pkg=version`, `pkg/release`, `.deb` paths and words with variables.
"#,
    bad: "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
    good: "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 && rm -rf /var/lib/apt/lists/*\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, _, script) in util::runs(ctx) {
        for inv in util::invocations(&script) {
            if inv.program != "apt-get" && inv.program != "apt" {
                continue;
            }
            let pos = inv.positionals(&["-o", "-c", "-t", "--target-release"]);
            if pos.first().map(|w| w.text.as_str()) != Some("install") {
                continue;
            }
            for w in pos.iter().skip(1) {
                let t = w.text.as_str();
                if !w.literal || t.contains(['=', '/', '$', '*']) || t.ends_with(".deb") {
                    continue;
                }
                out.push(RULE.finding(w.span, format!("`{t}` is installed without a version")));
            }
        }
    }
}
