//! PipefailMissing: a pipe whose left side may fail unnoticed.

use super::util;
use crate::model::{Instruction, InstructionKind};
use crate::rules::shell::Script;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "PipefailMissing",
    aliases: &["DL4006"],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "A RUN with a pipe does not set `pipefail`, so a failure before the last command is ignored",
    docs: r#"A pipeline's status is the status of its *last* command. In
`RUN wget -O - https://example.com/install.sh | sh`, a failed download still gives `sh` an empty
script, the step succeeds and the image is silently broken.

Make the shell fail when any command of a pipe fails: `SHELL ["/bin/bash", "-o", "pipefail",
"-c"]` before the RUN (the default `/bin/sh` of Debian-based images, dash, has no `pipefail`),
or `set -o pipefail` at the start of the RUN when the shell supports it (bash, zsh, busybox
ash).

Not reported when a `SHELL` of the stage sets `-o pipefail`, when the script runs
`set -o pipefail` (or `set -eo pipefail`, …) before the pipe, and for pipes whose commands
before the last one cannot fail in a way that matters (`echo`, `printf`, `yes`, `true`).
"#,
    bad: "FROM debian:bookworm-slim\nRUN wget -O - https://example.com/install.sh | sh\n",
    good: "FROM debian:bookworm-slim\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://example.com/install.sh | sh\n",
    check,
};

fn sets_pipefail_before(script: &Script, offset: usize) -> bool {
    script
        .commands
        .iter()
        .filter(|c| c.span.start < offset)
        .any(|c| {
            c.name.text == "set"
                && c.args.windows(2).any(|w| {
                    w[0].text.starts_with('-')
                        && w[0].text.ends_with('o')
                        && w[1].text == "pipefail"
                })
        })
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let mut shells = util::NearestBefore::new(ctx.model, |i: &Instruction| {
        i.kind == InstructionKind::Shell
    });
    // The nearest SHELL before the RUN, in its stage or the stages it is built on.
    let mut shell_sets_pipefail = |i: usize| {
        let shell = shells.find(i).and_then(|s| ctx.model.instructions.get(s));
        shell.is_some_and(|s| util::slice(ctx.text, s.span).contains("pipefail"))
    };
    for (i, _, script) in util::runs(ctx) {
        let mut shell_checked: Option<bool> = None;
        for p in &script.pipelines {
            let Some(first_pipe) = p.pipes.first() else {
                continue;
            };
            let cmds: Vec<_> = p
                .commands
                .iter()
                .filter_map(|c| script.commands.get(*c))
                .collect();
            if cmds.iter().any(|c| c.substitution) {
                continue;
            }
            let harmless = cmds
                .iter()
                .take(cmds.len().saturating_sub(1))
                .all(|c| matches!(c.invocation().program, "echo" | "printf" | "yes" | "true"));
            if harmless || p.condition || sets_pipefail_before(&script, p.span.start) {
                continue;
            }
            if *shell_checked.get_or_insert_with(|| shell_sets_pipefail(i)) {
                break;
            }
            out.push(RULE.finding(
                *first_pipe,
                "A failure before this pipe is ignored: set `-o pipefail` (e.g. `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]`)",
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
        if crate::model::build("FROM a\n").instructions.is_empty() {
            return;
        }
        assert!(
            check_rule(&RULE, "FROM a\nRUN set -eux -o pipefail; curl x | tar -x\n").is_empty()
        );
        assert!(check_rule(&RULE, "FROM a\nRUN set -euxo pipefail; curl x | tar -x\n").is_empty());
        assert!(check_rule(&RULE, "FROM a\nRUN echo \"$SHA  file\" | sha256sum -c -\n").is_empty());
        assert!(check_rule(&RULE, "FROM a\nRUN x=\"$(ls | wc -l)\"\n").is_empty());
        assert_eq!(
            check_rule(&RULE, "FROM a\nRUN curl -fsSL x | tar -xz && make\n").len(),
            1
        );
    }
}
