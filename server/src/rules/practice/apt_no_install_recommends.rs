//! AptNoInstallRecommends: `apt-get install` pulls in recommended packages.

use super::util;
use crate::model::{Instruction, InstructionKind};
use crate::rules::{Category, Ctx, Finding, Fix, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "AptNoInstallRecommends",
    aliases: &["DL3015"],
    buildkit: false,
    experimental: false,
    category: Category::Size,
    severity: Severity::Info,
    scope: Scope::Stage,
    summary: "`apt-get install` without `--no-install-recommends` installs recommended packages too",
    docs: r#"By default APT installs the *recommended* packages of everything it installs: often
documentation, optional tools and libraries the image never uses, and more to patch.

Add `--no-install-recommends` (and name what you need explicitly). Not reported when the
option is given as `-o APT::Install-Recommends=false`, or when a RUN of the stage before
writes an APT configuration mentioning `Install-Recommends`.

The fix inserts `--no-install-recommends` after `install`. It is not applied automatically: a
package your build needs might come only as a recommendation.
"#,
    bad: "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
    good: "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    // A RUN or COPY before the install that configures `Install-Recommends` (an apt
    // option set or written), in its stage or the stages it is built on.
    let mut configured = util::NearestBefore::new(ctx.model, |i: &Instruction| {
        matches!(i.kind, InstructionKind::Run | InstructionKind::Copy)
            && util::slice(ctx.text, i.span).contains("Install-Recommends")
    });
    for (i, _, script) in util::runs(ctx) {
        for inv in util::invocations(&script) {
            if inv.program != "apt-get" && inv.program != "apt" {
                continue;
            }
            let Some(sub) = inv.subcommand(&["-o", "-c", "-t", "--target-release"]) else {
                continue;
            };
            if sub.text != "install" {
                continue;
            }
            let given = util::apt_simulates(&inv)
                || inv.has_option(None, &["no-install-recommends"])
                || inv
                    .args
                    .iter()
                    .any(|a| a.text.contains("Install-Recommends"));
            if given || configured.find(i).is_some() {
                continue;
            }
            let mut f = RULE.finding(
                inv.command.span,
                "`apt-get install` without `--no-install-recommends` also installs recommended packages",
            );
            f.fix = Some(Fix {
                title: "Add `--no-install-recommends`".into(),
                edits: vec![util::insert_after(sub.span, "--no-install-recommends")],
                safe: false,
            });
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
        assert_eq!(apply(RULE.bad, f[0].fix.as_ref().expect("fix")), "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*\n");
        assert!(check_rule(&RULE, "FROM d\nRUN echo 'APT::Install-Recommends \"0\";' > /etc/apt/apt.conf.d/norec\nRUN apt-get install -y curl\n").is_empty());
    }
}
