//! AptUpdateAlone: `apt-get update` in a RUN of its own.

use super::util;
use crate::rules::{Category, Ctx, Finding, Related, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "AptUpdateAlone",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Cache,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "`apt-get update` runs in a different RUN than the install that needs it",
    docs: r#"A RUN with only `apt-get update` is cached like any other layer. When a later
`apt-get install` changes (a package is added), it runs on the *cached*, possibly weeks-old
package lists: versions that no longer exist on the mirror fail with 404 errors, or old
versions get installed.

Update and install in the same RUN:
`RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*`.

Reported for a RUN that runs `apt-get update` (or `apk update`) but installs nothing, when a
later RUN of the stage installs with the same tool without updating first.
"#,
    bad: "FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl\n",
    good: "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
    check,
};

#[derive(PartialEq, Clone, Copy)]
enum Step {
    Update,
    Install,
}

fn steps(script: &crate::rules::shell::Script) -> Vec<(&'static str, Step, crate::model::Span)> {
    let mut out = Vec::new();
    for inv in util::invocations(script) {
        let (tool, with_value): (&'static str, &[&str]) = match inv.program {
            "apt-get" | "apt" => ("apt-get", &["-o", "-c", "-t", "--target-release"]),
            "apk" => (
                "apk",
                &["-X", "--repository", "-p", "--root", "-t", "--virtual"],
            ),
            _ => continue,
        };
        let Some(sub) = inv.subcommand(with_value) else {
            continue;
        };
        let step = match (tool, sub.text.as_str()) {
            (_, "update") => Step::Update,
            (
                "apt-get",
                "install" | "upgrade" | "dist-upgrade" | "full-upgrade" | "build-dep" | "source",
            ) => Step::Install,
            ("apk", "add" | "upgrade")
                if !inv.has_option(None, &["no-cache", "update-cache"])
                    && !inv.has_option(Some('U'), &[]) =>
            {
                Step::Install
            }
            _ => continue,
        };
        out.push((tool, step, inv.command.span));
    }
    out
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let scripts = util::scripts(ctx);
    for stage in ctx.stages() {
        let runs: Vec<_> = stage
            .instructions
            .clone()
            .filter_map(|i| util::script(&scripts, i).map(|s| steps(&s)))
            .collect();
        for (n, s) in runs.iter().enumerate() {
            for tool in ["apt-get", "apk"] {
                let Some((_, _, span)) = s
                    .iter()
                    .find(|(t, st, _)| *t == tool && *st == Step::Update)
                else {
                    continue;
                };
                if s.iter()
                    .any(|(t, st, _)| *t == tool && *st == Step::Install)
                {
                    continue;
                }
                let later = runs.iter().skip(n + 1).find(|r| {
                    r.iter()
                        .any(|(t, st, _)| *t == tool && *st == Step::Install)
                        && !r.iter().any(|(t, st, _)| *t == tool && *st == Step::Update)
                });
                let Some(later) = later else { continue };
                let mut f = RULE.finding(
                    *span,
                    format!("`{tool} update` is cached separately from the install that needs it: update and install in the same RUN"),
                );
                if let Some((_, _, install)) = later
                    .iter()
                    .find(|(t, st, _)| *t == tool && *st == Step::Install)
                {
                    f.related.push(Related {
                        span: *install,
                        message: "installs with the cached package lists".into(),
                    });
                }
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
        assert!(check_rule(
            &RULE,
            "FROM d\nRUN apt-get update\nRUN apt-get update && apt-get install -y x\n"
        )
        .is_empty());
        assert!(check_rule(
            &RULE,
            "FROM d\nRUN apt-get update\nFROM d\nRUN apt-get install -y x\n"
        )
        .is_empty());
        assert_eq!(
            check_rule(&RULE, "FROM alpine\nRUN apk update\nRUN apk add curl\n").len(),
            1
        );
        assert!(check_rule(
            &RULE,
            "FROM alpine\nRUN apk update\nRUN apk add --no-cache curl\n"
        )
        .is_empty());
    }
}
