//! MissingAssumeYes: a package manager that asks for confirmation.

use super::util;
use crate::rules::shell::Invocation;
use crate::rules::{Category, Ctx, Finding, Fix, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "MissingAssumeYes",
    aliases: &["DL3014", "DL3030", "DL3034", "DL3038"],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "A package install without `-y` asks for confirmation, which aborts a non-interactive build",
    docs: r#"`apt-get install`, `yum install`, `dnf install` and `zypper install` ask *Do you want to
continue?* whenever they install more than the named packages. A build has no terminal, so the
question is answered "no" and the build fails, depending on what the base image already has.

Pass `-y` (`--yes`, `--assume-yes`, `-qq` for apt-get, `--assumeyes` for yum/dnf, `-n` /
`--non-interactive` or `-y` / `--no-confirm` for zypper). Checked subcommands: apt-get
`install`, `upgrade`, `dist-upgrade`, `full-upgrade`, `remove`, `purge`, `autoremove`;
yum/dnf `install`, `groupinstall`, `update`, `upgrade`, `remove`, `erase`, `reinstall`;
zypper `install`, `in`, `update`, `up`, `remove`, `rm`, `patch`, `dist-upgrade`, `dup`. A
`yes |` pipe or `-o APT::Get::Assume-Yes=true` also counts.

The fix inserts `-y` after the subcommand.
"#,
    bad: "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install --no-install-recommends curl \\\n    && rm -rf /var/lib/apt/lists/*\n",
    good: "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n    && rm -rf /var/lib/apt/lists/*\n",
    check,
};

fn needs_yes(inv: &Invocation) -> Option<&'static str> {
    match inv.program {
        "apt-get" | "apt" => {
            let sub = inv.subcommand(&["-o", "-c", "-t", "--target-release"])?;
            if util::apt_simulates(inv) {
                return None;
            }
            let prompts = matches!(
                sub.text.as_str(),
                "install"
                    | "upgrade"
                    | "dist-upgrade"
                    | "full-upgrade"
                    | "remove"
                    | "purge"
                    | "autoremove"
            );
            let yes = inv.has_option(Some('y'), &["yes", "assume-yes", "force-yes", "quiet=2"])
                || inv.args.iter().any(|a| {
                    a.text == "-qq"
                        || a.text == "-q=2"
                        || a.text.contains("Assume-Yes=true")
                        || a.text.contains("Assume-Yes=1")
                });
            (prompts && !yes).then_some("-y")
        }
        "yum" | "dnf" | "tdnf" => {
            let sub = inv.subcommand(&[
                "--setopt",
                "--enablerepo",
                "--disablerepo",
                "--installroot",
                "--releasever",
                "-c",
                "--config",
                "-x",
                "--exclude",
            ])?;
            let prompts = matches!(
                sub.text.as_str(),
                "install"
                    | "groupinstall"
                    | "update"
                    | "upgrade"
                    | "remove"
                    | "erase"
                    | "reinstall"
                    | "localinstall"
                    | "downgrade"
            );
            let yes = inv.has_option(Some('y'), &["assumeyes"])
                || inv
                    .args
                    .iter()
                    .any(|a| a.text.contains("assumeyes=1") || a.text.contains("assumeyes=True"));
            (prompts && !yes).then_some("-y")
        }
        "zypper" => {
            let sub = inv.subcommand(&[
                "--root",
                "-R",
                "-D",
                "--reposd-dir",
                "-r",
                "--repo",
                "-t",
                "--type",
            ])?;
            let prompts = matches!(
                sub.text.as_str(),
                "install"
                    | "in"
                    | "update"
                    | "up"
                    | "remove"
                    | "rm"
                    | "patch"
                    | "dist-upgrade"
                    | "dup"
            );
            let yes = inv.has_option(Some('n'), &["non-interactive", "no-confirm"])
                || inv.has_option(Some('y'), &[]);
            (prompts && !yes).then_some("-y")
        }
        _ => None,
    }
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, _, script) in util::runs(ctx) {
        for c in script.commands.iter().filter(|c| !c.substitution) {
            let inv = c.invocation();
            let Some(flag) = needs_yes(&inv) else {
                continue;
            };
            // `yes | apt-get install …`
            let piped_yes = c
                .pipeline
                .and_then(|p| script.pipelines.get(p))
                .is_some_and(|p| {
                    p.commands
                        .iter()
                        .filter_map(|i| script.commands.get(*i))
                        .any(|o| o.name.text == "yes")
                });
            if piped_yes {
                continue;
            }
            let with_value: &[&str] = match inv.program {
                "zypper" => &[
                    "--root",
                    "-R",
                    "-D",
                    "--reposd-dir",
                    "-r",
                    "--repo",
                    "-t",
                    "--type",
                ],
                "apt-get" | "apt" => &["-o", "-c", "-t", "--target-release"],
                _ => &[
                    "--setopt",
                    "--enablerepo",
                    "--disablerepo",
                    "--installroot",
                    "--releasever",
                    "-c",
                    "--config",
                    "-x",
                    "--exclude",
                ],
            };
            let Some(sub) = inv.subcommand(with_value) else {
                continue;
            };
            let mut f = RULE.finding(
                c.span,
                format!("`{} {}` without `{flag}` asks for confirmation and fails in a non-interactive build", inv.program, sub.text),
            );
            f.fix = Some(Fix {
                title: format!("Add `{flag}`"),
                edits: vec![util::insert_after(sub.span, flag)],
                safe: true,
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
        assert_eq!(apply(RULE.bad, f[0].fix.as_ref().expect("fix")), RULE.good);
        for ok in [
            "FROM d\nRUN apt-get -qq install curl\n",
            "FROM d\nRUN apt-get install -qy curl\n",
            "FROM d\nRUN yes | apt-get install curl\n",
            "FROM d\nRUN apt-get update\n",
            "FROM f\nRUN dnf install -y gcc\n",
            "FROM s\nRUN zypper -n install gcc\n",
            "FROM a\nRUN apk add curl\n",
        ] {
            assert!(check_rule(&RULE, ok).is_empty(), "{ok}");
        }
        assert_eq!(
            check_rule(&RULE, "FROM f\nRUN yum install gcc && yum clean all\n").len(),
            1
        );
    }
}
