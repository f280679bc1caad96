//! BuildKit's DuplicateStageName: two stages with the same (case-insensitive) name.

use super::common::{go_quote, on_first_line};
use crate::rules::{Category, Ctx, Finding, Related, Rule, Scope, Severity};
use std::borrow::Cow;
use std::collections::HashMap;

pub static RULE: Rule = Rule {
    id: "DuplicateStageName",
    aliases: &["DL3024"],
    buildkit: true,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "Stage names must be unique",
    docs: "A stage name identifies one stage for `COPY --from`, `RUN --mount=from=`, `FROM` \
and `--target`. When two stages share a name (compared case-insensitively), references \
silently resolve to one of them. Give every stage its own name.",
    bad: "FROM alpine AS build\nRUN echo a\n\nFROM debian AS build\nRUN echo b\n",
    good: "FROM alpine AS build-alpine\nRUN echo a\n\nFROM debian AS build-debian\nRUN echo b\n",
    check,
};

/// Scopes with at most this many stages look earlier names up one by one; larger ones
/// (a whole check) use a table.
const SCAN: usize = 16;

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let m = ctx.model;
    let scoped = match ctx.scope {
        Some(sc) => sc.stages.iter().filter(|&&b| b).count(),
        None => m.stages.len(),
    };
    // Per stage name (lower case): the first stage with it, for large scopes.
    let mut table: Option<HashMap<Cow<str>, usize>> = None;
    if scoped > SCAN {
        let mut t = HashMap::with_capacity(m.stages.len());
        for stage in &m.stages {
            if let Some(name) = &stage.name {
                t.entry(lower(&name.value)).or_insert(stage.index);
            }
        }
        table = Some(t);
    }
    for stage in ctx.stages() {
        let Some(name) = stage.name.as_ref() else {
            continue;
        };
        let first = match &table {
            Some(t) => t.get(&lower(&name.value)).copied(),
            None => m.stages.get(..stage.index).and_then(|earlier| {
                earlier
                    .iter()
                    .find(|s| {
                        s.name
                            .as_ref()
                            .is_some_and(|n| n.value.eq_ignore_ascii_case(&name.value))
                    })
                    .map(|s| s.index)
            }),
        };
        let Some(first) = first.filter(|&f| f < stage.index) else {
            continue;
        };
        let Some(ins) = m.instructions.get(stage.from) else {
            continue;
        };
        let key = name.value.to_ascii_lowercase();
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

/// `s` in ASCII lower case, borrowed when it already is.
fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}
