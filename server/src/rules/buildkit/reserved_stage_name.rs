//! BuildKit's ReservedStageName: a stage named `scratch` or `context`.

use super::common::{go_quote, on_first_line};
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "ReservedStageName",
    aliases: &[],
    buildkit: true,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "`scratch` and `context` cannot be used as stage names",
    docs: "`scratch` is the empty base image and `context` names the build context, so a \
stage with either name cannot be referenced reliably: `FROM scratch` and `COPY \
--from=context` keep their built-in meaning. Choose another name.",
    bad: "FROM alpine AS scratch\nRUN true\n",
    good: "FROM alpine AS base\nRUN true\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let m = ctx.model;
    for stage in ctx.stages() {
        let Some(name) = stage.name.as_ref() else {
            continue;
        };
        let key = match &name.value {
            v if v.eq_ignore_ascii_case("scratch") => "scratch",
            v if v.eq_ignore_ascii_case("context") => "context",
            _ => continue,
        };
        let Some(ins) = m.instructions.get(stage.from) else {
            continue;
        };
        out.push(RULE.finding(
            on_first_line(ctx, ins, name.span),
            format!(
                "Stage name should not use the same name as reserved stage {}",
                go_quote(key)
            ),
        ));
    }
}
