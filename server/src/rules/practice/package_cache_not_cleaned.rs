//! PackageCacheNotCleaned: yum/dnf/zypper caches left in the image.

use super::util;
use crate::rules::{Category, Ctx, Finding, Fix, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "PackageCacheNotCleaned",
    aliases: &["DL3032", "DL3036", "DL3040"],
    buildkit: false,
    experimental: false,
    category: Category::Size,
    severity: Severity::Info,
    scope: Scope::Stage,
    summary: "yum/dnf/microdnf/zypper installs without cleaning their cache in the same RUN",
    docs: r#"`yum`, `dnf`, `microdnf` and `zypper` keep repository metadata and downloaded packages
under `/var/cache/{yum,dnf,zypp}`. Unless cleaned in the same RUN, that cache stays in the
layer, even if a later instruction removes it.

End the RUN with `yum clean all` / `dnf clean all` / `microdnf clean all` / `zypper clean -a`
(or `rm -rf` of the cache directory), or use a cache mount on it. Only stages that end up in
the final image are checked.

The fix appends the clean command to the RUN.
"#,
    bad: "FROM rockylinux:9\nRUN dnf install -y gcc\n",
    good: "FROM rockylinux:9\nRUN dnf install -y gcc && dnf clean all\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let final_chain = util::final_chain(ctx.model);
    for (i, ins, script) in util::runs(ctx) {
        if !util::in_final_image(ctx.model, &final_chain, i) {
            continue;
        }
        let mut install = None;
        let mut cleaned = false;
        for inv in util::invocations(&script) {
            let tool = match inv.program {
                p @ ("yum" | "dnf" | "microdnf" | "tdnf" | "zypper") => p,
                _ => continue,
            };
            let Some(sub) = inv.subcommand(&[
                "--setopt",
                "--enablerepo",
                "--disablerepo",
                "--installroot",
                "--releasever",
                "-c",
                "--config",
                "--root",
                "-R",
            ]) else {
                continue;
            };
            match sub.text.as_str() {
                "install" | "in" | "groupinstall" | "update" | "upgrade" | "up" | "reinstall"
                | "localinstall" => {
                    install.get_or_insert((tool, inv.command.span));
                }
                "clean" | "cc" => cleaned = true,
                _ => {}
            }
        }
        let Some((tool, span)) = install else {
            continue;
        };
        let dirs = [
            "/var/cache/yum",
            "/var/cache/dnf",
            "/var/cache/zypp",
            "/var/cache/tdnf",
            "/var/lib/dnf",
        ];
        if cleaned || util::removes(&script, &dirs) || util::has_cache_mount(ins, &dirs) {
            continue;
        }
        let clean = if tool == "zypper" {
            "zypper clean -a".to_string()
        } else {
            format!("{tool} clean all")
        };
        let mut f = RULE.finding(
            span,
            format!("The {tool} cache stays in this layer: add `{clean}` at the end of the RUN"),
        );
        if let Some(edit) = util::append_to_run(ctx.text, ins, &script, &clean) {
            f.fix = Some(Fix {
                title: format!("Append `{clean}`"),
                edits: vec![edit],
                safe: true,
            });
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::{apply, check_rule};

    #[test]
    fn cases() {
        let f = check_rule(&RULE, RULE.bad);
        assert_eq!(apply(RULE.bad, f[0].fix.as_ref().expect("fix")), RULE.good);
        assert!(check_rule(
            &RULE,
            "FROM f\nRUN yum install -y x && rm -rf /var/cache/yum\n"
        )
        .is_empty());
        assert_eq!(
            check_rule(&RULE, "FROM s\nRUN zypper -n install x\n").len(),
            1
        );
        assert!(
            check_rule(&RULE, "FROM f AS b\nRUN dnf install -y gcc\nFROM scratch\n").is_empty()
        );
    }
}
