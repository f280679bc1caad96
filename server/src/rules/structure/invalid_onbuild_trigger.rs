//! ONBUILD wrapping ONBUILD, FROM or MAINTAINER.

use crate::model::{Details, InstructionKind};
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "InvalidOnbuildTrigger",
    aliases: &["DL3043"],
    buildkit: false,
    experimental: false,
    category: Category::Syntax,
    severity: Severity::Error,
    scope: Scope::Stage,
    summary: "ONBUILD cannot wrap ONBUILD, FROM or MAINTAINER",
    docs: "ONBUILD registers an instruction to run when another build uses this image as its \
base. Chaining `ONBUILD ONBUILD`, or triggering `FROM` or `MAINTAINER`, is rejected.",
    bad: "FROM alpine\nONBUILD FROM debian\n",
    good: "FROM alpine\nONBUILD RUN echo building on top\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, ins) in ctx.instructions() {
        let Details::Onbuild(inner) = &ins.details else {
            if ins.kind == InstructionKind::Onbuild && ins.words.is_empty() {
                out.push(RULE.finding(ins.keyword_span, "ONBUILD requires at least one argument"));
            }
            continue;
        };
        let msg = match inner.kind {
            InstructionKind::Onbuild => {
                "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".to_string()
            }
            InstructionKind::From | InstructionKind::Maintainer => {
                format!("{} isn't allowed as an ONBUILD trigger", inner.kind.name())
            }
            _ => continue,
        };
        out.push(RULE.finding(inner.keyword_span, msg));
    }
}
