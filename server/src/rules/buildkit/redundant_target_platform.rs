//! BuildKit's RedundantTargetPlatform: `FROM --platform=$TARGETPLATFORM`.

use super::common::{flag_value_raw, head_span, Globals};
use super::lex;
use crate::model::{InstructionKind, Span};
use crate::rules::{Category, Ctx, Edit, Finding, Fix, Rule, Scope, Severity, Tag};

pub static RULE: Rule = Rule {
    id: "RedundantTargetPlatform",
    aliases: &[],
    buildkit: true,
    experimental: false,
    category: Category::Style,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "`--platform=$TARGETPLATFORM` in FROM is the default",
    docs: "A stage is built for the target platform unless FROM says otherwise, so \
`--platform=$TARGETPLATFORM` changes nothing. Remove the flag. (`--platform=$BUILDPLATFORM` \
is different: it runs the stage on the build machine, as cross-compilation stages do.)",
    bad: "FROM --platform=$TARGETPLATFORM alpine\n",
    good: "FROM alpine\n",
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
        let value = flag_value_raw(ctx, p);
        let e = lex::expand(value, &globals.env, ctx.model.escape);
        if e.matched.len() != 1 || !e.unmatched.is_empty() || !e.matched.contains("TARGETPLATFORM")
        {
            continue;
        }
        let target = globals
            .env
            .iter()
            .rev()
            .find(|(k, _)| k == "TARGETPLATFORM")
            .map(|(_, v)| v.as_str());
        if Some(e.result.as_str()) != target {
            continue;
        }
        let mut f = RULE.finding(
            head_span(ctx, ins),
            format!("Setting platform to predefined {value} in FROM is redundant as this is the default behavior"),
        );
        f.tags.push(Tag::Unnecessary);
        // Remove the flag and the blanks after it.
        let mut end = p.span.end;
        let bytes = ctx.text.as_bytes();
        while end < bytes.len() && (bytes[end] == b' ' || bytes[end] == b'\t') {
            end += 1;
        }
        f.fix = Some(Fix {
            title: "Remove the --platform flag".into(),
            edits: vec![Edit {
                span: Span::new(p.span.start, end),
                new_text: String::new(),
            }],
            safe: true,
        });
        out.push(f);
    }
}
