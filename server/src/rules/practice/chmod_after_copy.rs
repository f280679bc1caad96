//! ChmodAfterCopy: `RUN chmod` of files just copied; `COPY --chmod` avoids a second copy.

use super::util;
use crate::model::{InstructionKind, Span};
use crate::rules::{Category, Ctx, Edit, Finding, Fix, Related, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "ChmodAfterCopy",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Size,
    severity: Severity::Info,
    scope: Scope::Stage,
    summary: "A RUN chmod changes files the previous COPY just added; use `COPY --chmod`",
    docs: r#"Changing the mode of a file in a later layer stores the file again in that layer: a big
copied tree is shipped twice. `COPY --chmod=0755 …` (BuildKit) sets the mode in the same
layer.

Reported when the instruction right after a COPY/ADD is a RUN whose `chmod` targets exactly
what was copied (the destination, or the destination directory plus the source's file name).

The fix adds `--chmod=<mode>` to the COPY and deletes the RUN, when the RUN is only that
`chmod` with an octal mode and without `-R`. It is not applied automatically: `--chmod`
needs BuildKit (the default builder since Docker 23).
"#,
    bad: "FROM alpine:3.20\nCOPY entrypoint.sh /usr/local/bin/entrypoint.sh\nRUN chmod 0755 /usr/local/bin/entrypoint.sh\n",
    good: "FROM alpine:3.20\nCOPY --chmod=0755 entrypoint.sh /usr/local/bin/entrypoint.sh\n",
    check,
};

fn copied_paths(ins: &crate::model::Instruction) -> Vec<String> {
    let (sources, dest) = util::copy_sources_dest(ins);
    let Some(dest) = dest else { return Vec::new() };
    let d = dest.value.as_str();
    if !d.starts_with('/') || d.contains('$') {
        return Vec::new();
    }
    let mut out = vec![d.trim_end_matches('/').to_string()];
    if d.ends_with('/') {
        for s in &sources {
            let name = s
                .value
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("");
            if !name.is_empty() && !name.contains(['*', '?', '$']) && name != "." {
                out.push(format!("{}/{}", d.trim_end_matches('/'), name));
            }
        }
    }
    out
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let model = ctx.model;
    let scripts = util::scripts(ctx);
    for (i, ins) in ctx.instructions() {
        if !matches!(ins.kind, InstructionKind::Copy | InstructionKind::Add)
            || ins.flag("chmod").is_some()
        {
            continue;
        }
        let Some(next) = model
            .instructions
            .get(i + 1)
            .filter(|n| n.kind == InstructionKind::Run && n.stage == ins.stage)
        else {
            continue;
        };
        let Some(script) = util::script(&scripts, i + 1) else {
            continue;
        };
        if !script
            .commands
            .iter()
            .any(|c| c.invocation().program == "chmod")
        {
            continue;
        }
        let paths = copied_paths(ins);
        if paths.is_empty() {
            continue;
        }
        let top: Vec<_> = script.commands.iter().filter(|c| !c.substitution).collect();
        for c in &top {
            let inv = c.invocation();
            if inv.program != "chmod" {
                continue;
            }
            let pos = inv.positionals(&["--reference"]);
            let Some((mode, targets)) = pos.split_first() else {
                continue;
            };
            if targets.is_empty()
                || !targets
                    .iter()
                    .all(|t| t.literal && paths.contains(&t.text.trim_end_matches('/').to_string()))
            {
                continue;
            }
            let mut f = RULE.finding(
                c.span,
                format!(
                    "`chmod` in a new layer stores the copied files again: use `COPY --chmod={}`",
                    mode.text
                ),
            );
            f.related.push(Related {
                span: ins.keyword_span,
                message: "the files are copied here".into(),
            });
            let octal = (3..=4).contains(&mode.text.len())
                && mode.text.bytes().all(|b| (b'0'..=b'7').contains(&b));
            let recursive = inv
                .args
                .iter()
                .any(|a| a.text.starts_with('-') && a.text != "--");
            if top.len() == 1
                && octal
                && !recursive
                && next.heredocs.is_empty()
                && next.flags.is_empty()
            {
                let start = util::line_start(ctx.text, next.span.start);
                let end = util::line_end_after(ctx.text, next.span.end);
                f.fix = Some(Fix {
                    title: format!("Use `--chmod={}`", mode.text),
                    edits: vec![
                        util::insert_after(ins.keyword_span, &format!("--chmod={}", mode.text)),
                        Edit {
                            span: Span::new(start, end),
                            new_text: String::new(),
                        },
                    ],
                    safe: false,
                });
            }
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
        assert_eq!(
            check_rule(
                &RULE,
                "FROM a\nCOPY run.sh /usr/bin/\nRUN chmod +x /usr/bin/run.sh && run.sh\n"
            )
            .len(),
            1
        );
        assert!(check_rule(
            &RULE,
            "FROM a\nCOPY run.sh /usr/bin/\nRUN chmod +x /usr/bin/other.sh\n"
        )
        .is_empty());
    }
}
