//! BuildKit's FromPlatformFlagConstDisallowed: `FROM --platform=linux/amd64 ...`.

use super::common::{flag_value_raw, go_quote, head_span, Globals};
use super::lex;
use super::reference::parse_platform;
use crate::model::InstructionKind;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "FromPlatformFlagConstDisallowed",
    aliases: &[],
    buildkit: true,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "FROM --platform with a constant platform",
    docs: "A constant `--platform` pins the stage to one platform whatever platform the image \
is built for, so multi-platform builds silently mix architectures. Use a variable such as \
`$BUILDPLATFORM` (for stages that run on the build machine) or `$TARGETPLATFORM`. When the \
pinned platform is intended, name the stage after it (`AS build-amd64`): a stage name \
containing the OS or architecture is not reported.",
    bad: "FROM --platform=linux/amd64 golang:1.23\nRUN go version\n",
    good: "FROM --platform=$BUILDPLATFORM golang:1.23\nRUN go version\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    // Built at the first --platform.
    let mut globals: Option<Globals> = None;
    // Every FROM starts a stage.
    for stage in ctx.stages() {
        let Some(ins) = ctx.model.instructions.get(stage.from) else {
            continue;
        };
        if ins.kind != InstructionKind::From {
            continue;
        }
        let Some(p) = ins.flag("platform") else {
            continue;
        };
        let globals = globals.get_or_insert_with(|| Globals::new(ctx));
        let e = lex::expand(flag_value_raw(ctx, p), &globals.env, ctx.model.escape);
        if !e.matched.is_empty() || !e.unmatched.is_empty() || e.error.is_some() {
            continue;
        }
        let Some(platform) = parse_platform(&e.result) else {
            continue;
        };
        let stage_name = ins
            .stage
            .and_then(|s| ctx.model.stages.get(s))
            .and_then(|s| s.key())
            .unwrap_or_default();
        if stage_name.contains(&platform.os) || stage_name.contains(&platform.arch) {
            continue;
        }
        out.push(RULE.finding(
            head_span(ctx, ins),
            format!(
                "FROM --platform flag should not use constant value {}",
                go_quote(&e.result)
            ),
        ));
    }
}
