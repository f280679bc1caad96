//! BuildKit's FromAsCasing: `FROM` and `AS` written in different cases.

use super::common::on_first_line;
use crate::model::{Details, InstructionKind};
use crate::rules::{Category, Ctx, Edit, Finding, Fix, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "FromAsCasing",
    aliases: &[],
    buildkit: true,
    experimental: false,
    category: Category::Style,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "The `AS` keyword should use the same case as `FROM`",
    docs: "`FROM image AS name` reads best when both keywords share a case: `FROM ... AS` or \
`from ... as`. When the `FROM` keyword itself mixes cases this check stays quiet and \
ConsistentInstructionCasing reports it instead.",
    bad: "FROM alpine as build\nRUN true\n",
    good: "FROM alpine AS build\nRUN true\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    // Every FROM starts a stage.
    for stage in ctx.stages() {
        let Some(ins) = ctx.model.instructions.get(stage.from) else {
            continue;
        };
        if ins.kind != InstructionKind::From || ins.words.len() < 3 {
            continue;
        }
        let Details::From {
            as_keyword: Some(kw),
            ..
        } = &ins.details
        else {
            continue;
        };
        let from = ins.keyword.as_str();
        let as_text = kw.value.as_str();
        // ASCII keywords (all in practice) are compared without allocating.
        if from.is_ascii() && as_text.is_ascii() {
            let upper = |s: &str| s.bytes().any(|b| b.is_ascii_uppercase());
            let lower = |s: &str| s.bytes().any(|b| b.is_ascii_lowercase());
            let (from_lower, from_upper) = (!upper(from), !lower(from));
            // A finding only when FROM is in one case and AS has a letter of the other.
            let mismatch =
                (from_lower && upper(as_text)) || (!from_lower && from_upper && lower(as_text));
            if !mismatch {
                continue;
            }
        }
        let from_lower = from == from.to_lowercase();
        let from_upper = from == from.to_uppercase();
        if !from_lower && !from_upper {
            continue;
        }
        let wanted = if from_lower {
            as_text.to_lowercase()
        } else {
            as_text.to_uppercase()
        };
        if wanted == as_text {
            continue;
        }
        let mut f = RULE.finding(
            on_first_line(ctx, ins, kw.span),
            format!("'{as_text}' and '{from}' keywords' casing do not match"),
        );
        f.fix = Some(Fix {
            title: format!("Write `{wanted}`"),
            edits: vec![Edit {
                span: kw.span,
                new_text: wanted.clone(),
            }],
            safe: true,
        });
        out.push(f);
    }
}
