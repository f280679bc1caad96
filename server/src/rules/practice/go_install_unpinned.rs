//! GoInstallUnpinned: `go install pkg@latest`.

use super::util;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "GoInstallUnpinned",
    aliases: &["DL3062"],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Info,
    scope: Scope::Stage,
    summary: "`go install` of a tool at `@latest` (or a branch)",
    docs: r#"`go install example.com/tool@latest` installs whatever version is the newest when the
layer is built; `@master`/`@main`/`@HEAD` follow a branch. Rebuilding the same Dockerfile may
install a different, possibly incompatible, tool.

Pin a version (`@v1.2.3`) or a commit, ideally through an ARG that a bot can update.
Packages of the module being built (`go install ./cmd/app`) are not concerned.
"#,
    bad: "FROM golang:1.23\nRUN go install golang.org/x/tools/cmd/goimports@latest\n",
    good: "FROM golang:1.23\nRUN go install golang.org/x/tools/cmd/goimports@v0.26.0\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, _, script) in util::runs(ctx) {
        for inv in util::invocations(&script) {
            if inv.program != "go" {
                continue;
            }
            let pos = inv.positionals(&[
                "-o", "-C", "-modfile", "-tags", "-ldflags", "-gcflags", "-p",
            ]);
            if pos.first().map(|w| w.text.as_str()) != Some("install") {
                continue;
            }
            for w in pos.iter().skip(1) {
                let Some((_, version)) = w.text.rsplit_once('@') else {
                    continue;
                };
                if matches!(version, "latest" | "master" | "main" | "HEAD") {
                    out.push(RULE.finding(
                        w.span,
                        format!(
                            "`{}` follows `@{version}`: pin a version (`@vX.Y.Z`)",
                            w.text
                        ),
                    ));
                }
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
        assert!(check_rule(&RULE, "FROM g\nRUN go install ./cmd/app && go install x.io/t@${T_VERSION} && go install y.io/u@v1.0.0\n").is_empty());
        assert_eq!(
            check_rule(&RULE, "FROM g\nRUN go install -v x.io/t@master\n").len(),
            1
        );
    }
}
