//! PointlessCommand: interactive or system commands that make no sense in a build.

use super::util;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "PointlessCommand",
    aliases: &["DL3001"],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Info,
    scope: Scope::Stage,
    summary: "A RUN uses an interactive or system command that has no effect in a build",
    docs: r#"A build step has no terminal and no running system: editors (`vim`, `vi`, `nano`,
`emacs`), monitors (`top`, `htop`, `free`), `ifconfig`, `ssh` sessions and power commands
(`shutdown`, `reboot`, `halt`, `poweroff`) either hang, fail, or do nothing useful there.

Edit files with `sed`, heredocs or COPY; inspect the system in a running container instead.
Only the command position counts: installing the `vim` package is fine.
"#,
    bad: "FROM debian:bookworm-slim\nRUN vim /etc/apache2/ports.conf\n",
    good: "FROM debian:bookworm-slim\nRUN sed -i 's/^Listen 80$/Listen 8080/' /etc/apache2/ports.conf\n",
    check,
};

const POINTLESS: &[&str] = &[
    "vim", "vi", "nano", "emacs", "top", "htop", "free", "ifconfig", "ssh", "shutdown", "reboot",
    "halt", "poweroff",
];

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, _, script) in util::runs(ctx) {
        for inv in util::invocations(&script) {
            if !POINTLESS.contains(&inv.program) {
                continue;
            }
            // `vim --version`, `ssh -V` and the like print information; fine.
            if inv
                .args
                .iter()
                .any(|a| matches!(a.text.as_str(), "--version" | "-V" | "--help"))
            {
                continue;
            }
            out.push(RULE.finding(
                inv.name.span,
                format!(
                    "`{}` makes no sense in a non-interactive build step",
                    inv.program
                ),
            ));
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
            "FROM d\nRUN apt-get install -y vim && vim --version\n"
        )
        .is_empty());
        assert_eq!(check_rule(&RULE, "FROM d\nRUN shutdown -h now\n").len(), 1);
    }
}
