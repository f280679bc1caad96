//! BuildKit's MultipleInstructionsDisallowed: more than one CMD, ENTRYPOINT or HEALTHCHECK
//! in a stage; the earlier one has no effect.

use super::common::head_span;
use crate::model::InstructionKind;
use crate::rules::{Category, Ctx, Finding, Related, Rule, Scope, Severity, Tag};

pub static RULE: Rule = Rule {
    id: "MultipleInstructionsDisallowed",
    aliases: &["DL4003", "DL4004", "DL3012"],
    buildkit: true,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "Only the last CMD, ENTRYPOINT or HEALTHCHECK of a stage takes effect",
    docs: "A stage's image has one command, one entrypoint and one health check: each \
CMD, ENTRYPOINT or HEALTHCHECK replaces the previous one. The earlier instruction is \
reported because it has no effect. Remove it, or combine what both were meant to do.",
    bad: "FROM alpine\nCMD [\"echo\", \"one\"]\nCMD [\"echo\", \"two\"]\n",
    good: "FROM alpine\nCMD [\"echo\", \"two\"]\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let m = ctx.model;
    for stage in ctx.stages() {
        let mut last: [Option<usize>; 3] = [None; 3];
        for idx in stage.instructions.clone() {
            let Some(ins) = m.instructions.get(idx) else {
                break;
            };
            let slot = match ins.kind {
                InstructionKind::Cmd => 0,
                InstructionKind::Entrypoint => 1,
                InstructionKind::Healthcheck => 2,
                _ => continue,
            };
            if let Some(prev) = last[slot].and_then(|p| m.instructions.get(p)) {
                let mut f = RULE.finding(
                    head_span(ctx, prev),
                    format!(
                        "Multiple {} instructions should not be used in the same stage because only the last one will be used",
                        ins.keyword
                    ),
                );
                f.tags.push(Tag::Unnecessary);
                f.related.push(Related {
                    span: head_span(ctx, ins),
                    message: "replaced by this one".into(),
                });
                out.push(f);
            }
            last[slot] = Some(idx);
        }
    }
}
