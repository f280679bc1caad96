//! BuildKit's DuplicateStageName: two stages with the same (case-insensitive) name.

use super::common::{go_quote, on_first_line};
use crate::rules::{Category, Ctx, Finding, Related, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "DuplicateStageName",
    aliases: &["DL3024"],
    buildkit: true,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::File,
    summary: "Stage names must be unique",
    docs: "A stage name identifies one stage for `COPY --from`, `RUN --mount=from=`, `FROM` \
and `--target`. When two stages share a name (compared case-insensitively), references \
silently resolve to one of them. Give every stage its own name.",
    bad: "FROM alpine AS build\nRUN echo a\n\nFROM debian AS build\nRUN echo b\n",
    good: "FROM alpine AS build-alpine\nRUN echo a\n\nFROM debian AS build-debian\nRUN echo b\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let m = ctx.model;
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, stage) in m.stages.iter().enumerate() {
        let (Some(key), Some(name)) = (stage.key(), stage.name.as_ref()) else {
            continue;
        };
        let Some(&first) = seen.get(&key) else {
            seen.insert(key, i);
            continue;
        };
        let Some(ins) = m.instructions.get(stage.from) else {
            continue;
        };
        let mut f = RULE.finding(
            on_first_line(ctx, ins, name.span),
            format!(
                "Duplicate stage name {}, stage names should be unique",
                go_quote(&key)
            ),
        );
        if let Some(n) = m.stages.get(first).and_then(|s| s.name.as_ref()) {
            f.related.push(Related {
                span: n.span,
                message: "first declared here".into(),
            });
        }
        out.push(f);
    }
}
