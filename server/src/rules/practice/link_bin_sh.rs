//! LinkBinSh: replacing /bin/sh with a symlink to change the shell.

use super::util;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "LinkBinSh",
    aliases: &["DL4005"],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "`/bin/sh` is replaced with a symlink to change the shell; use SHELL",
    docs: r#"Pointing `/bin/sh` at bash (`ln -sf /bin/bash /bin/sh`) changes the shell of every
program in the image, including system scripts written for a POSIX `sh`, and survives into
containers.

To run the build's RUN instructions with another shell, use the SHELL instruction:
`SHELL ["/bin/bash", "-o", "pipefail", "-c"]`.
"#,
    bad: "FROM debian:bookworm-slim\nRUN ln -sf /bin/bash /bin/sh\n",
    good: "FROM debian:bookworm-slim\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, _, script) in util::runs(ctx) {
        for inv in util::invocations(&script) {
            if inv.program != "ln" {
                continue;
            }
            let pos = inv.positionals(&["-t", "--target-directory", "-S", "--suffix"]);
            if pos.len() >= 2
                && pos
                    .last()
                    .is_some_and(|w| w.text == "/bin/sh" || w.text == "/usr/bin/sh")
            {
                out.push(RULE.finding(inv.command.span, "Replacing `/bin/sh` changes the shell of the whole image: use the SHELL instruction"));
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
        assert_eq!(
            check_rule(&RULE, "FROM d\nRUN rm /bin/sh && ln -s /bin/bash /bin/sh\n").len(),
            1
        );
        assert!(check_rule(
            &RULE,
            "FROM d\nRUN ln -s /usr/bin/python3 /usr/bin/python\n"
        )
        .is_empty());
    }
}
