//! CdInsteadOfWorkdir: `cd` used where WORKDIR is meant.

use super::util;
use crate::model::{InstructionKind, Span};
use crate::rules::{Category, Ctx, Finding, Fix, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "CdInsteadOfWorkdir",
    aliases: &["DL3003"],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "`cd` in a RUN does not change the directory of later instructions; use WORKDIR",
    docs: r#"Each RUN starts in the stage's working directory: a `cd` lasts only until the end of its
RUN. Two cases are reported:

- a RUN whose last command is `cd` (`RUN cd /app`): it has no effect at all (warning); the fix
  replaces `RUN cd <dir>` with `WORKDIR <dir>` (not applied automatically: WORKDIR creates
  the directory when it is missing, where `cd` would fail);
- consecutive RUNs that all start with `cd <the same directory> &&` (info): set the directory
  once with `WORKDIR`.

A `cd` inside a longer script (`cd /usr/src/x && ./configure && make`) is fine and not
reported.
"#,
    bad: "FROM node:22\nCOPY . /app\nRUN cd /app\nRUN npm ci\n",
    good: "FROM node:22\nCOPY . /app\nWORKDIR /app\nRUN npm ci\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let scripts = util::scripts(ctx);
    let mut previous: Option<(usize, String)> = None;
    // Only the instructions in scope: every stage's range starts with its FROM, which
    // resets `previous` as in a walk over the whole file; a gap resets it too.
    let mut next_index = 0;
    for (i, ins) in ctx.instructions() {
        if i != next_index {
            previous = None;
        }
        next_index = i + 1;
        if ins.kind != InstructionKind::Run {
            if !matches!(
                ins.kind,
                InstructionKind::Copy
                    | InstructionKind::Add
                    | InstructionKind::Env
                    | InstructionKind::Arg
            ) {
                previous = None;
            }
            continue;
        }
        let Some(script) = util::script(&scripts, i) else {
            previous = None;
            continue;
        };
        // The top-level commands (not inside `$(…)`), without collecting them.
        let top = || script.commands.iter().filter(|c| !c.substitution);
        let Some(last) = top().next_back() else {
            previous = None;
            continue;
        };
        // Last command is `cd`.
        if last.name.text == "cd" && last.pipeline.is_none() {
            let mut f = RULE.finding(last.span, "This `cd` has no effect: the next instruction starts in the WORKDIR again; use WORKDIR");
            if top().nth(1).is_none() && ins.heredocs.is_empty() && ins.flags.is_empty() {
                if let Some(dir) = last
                    .args
                    .first()
                    .filter(|a| a.literal && a.text.starts_with('/') && last.args.len() == 1)
                {
                    f.fix = Some(Fix {
                        title: format!("Use `WORKDIR {}`", dir.text),
                        edits: vec![util::replace(
                            Span::new(ins.span.start, ins.span.end),
                            &format!("WORKDIR {}", dir.text),
                        )],
                        safe: false,
                    });
                }
            }
            out.push(f);
            previous = None;
            continue;
        }
        // Starts with `cd <dir>` followed by more commands.
        let first = top()
            .next()
            .filter(|c| c.name.text == "cd" && c.pipeline.is_none() && top().nth(1).is_some());
        let dir = first
            .and_then(|c| c.args.first())
            .filter(|a| a.literal)
            .map(|a| a.text.to_string());
        match (&previous, dir) {
            (Some((stage_prev, d)), Some(dir)) if *d == dir && Some(*stage_prev) == ins.stage => {
                if let Some(c) = first {
                    let mut f = RULE.finding(
                        c.span,
                        format!("Several RUNs start with `cd {dir}`: set `WORKDIR {dir}` once"),
                    );
                    f.severity = Severity::Info;
                    out.push(f);
                }
                previous = Some((ins.stage.unwrap_or(usize::MAX), dir));
            }
            (_, Some(dir)) => previous = Some((ins.stage.unwrap_or(usize::MAX), dir)),
            _ => previous = None,
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
        assert!(check_rule(&RULE, "FROM a\nRUN cd /src && make && make install\n").is_empty());
        let f = check_rule(
            &RULE,
            "FROM a\nRUN cd /src && make\nRUN cd /src && make install\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
        assert_eq!(check_rule(&RULE, "FROM a\nRUN make && cd /x\n").len(), 1);
    }
}
