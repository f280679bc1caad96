//! An instruction other than ARG before the first FROM.

use crate::model::InstructionKind;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "InstructionBeforeFrom",
    aliases: &["DL3061"],
    buildkit: false,
    experimental: false,
    category: Category::Syntax,
    severity: Severity::Error,
    scope: Scope::File,
    summary: "Only ARG may come before the first FROM",
    docs: "Instructions run inside a build stage, and a stage starts at FROM. Before the \
first FROM only ARG is allowed (global build arguments, usable in FROM lines); anything \
else fails with `no build stage in current context`. Move the instruction after FROM.",
    bad: "RUN echo too early\nFROM alpine\n",
    good: "FROM alpine\nRUN echo in a stage\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let m = ctx.model;
    if m.stages.is_empty() {
        return; // MissingFrom
    }
    for ins in &m.instructions {
        if ins.stage.is_some() || ins.kind == InstructionKind::From {
            break;
        }
        if matches!(ins.kind, InstructionKind::Arg | InstructionKind::Unknown(_)) {
            continue;
        }
        out.push(RULE.finding(
            ins.keyword_span,
            format!(
                "`{}` before the first FROM: only ARG may come before FROM (no build stage in current context)",
                ins.keyword
            ),
        ));
    }
}
