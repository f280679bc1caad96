//! BuildKit's ConsistentInstructionCasing: keywords in a case other than the file's majority.

use super::common::on_first_line;
use crate::model::InstructionKind;
use crate::rules::{Category, Ctx, Edit, Finding, Fix, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "ConsistentInstructionCasing",
    aliases: &[],
    buildkit: true,
    experimental: false,
    category: Category::Style,
    severity: Severity::Warning,
    scope: Scope::File,
    summary: "Instruction keywords should all use the same case",
    docs: "Instruction keywords are case-insensitive, but a file reads best when all of them \
are written the same way. The case used by most instructions (upper case on a tie) is the \
expected one; keywords in the other case, or in mixed case like `Run`, are reported. \
ARG instructions before the first FROM are not counted.",
    bad: "FROM alpine\nrun echo hello\nRUN echo world\n",
    good: "FROM alpine\nRUN echo hello\nRUN echo world\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let staged = || {
        ctx.model
            .instructions
            .iter()
            .filter(|i| i.stage.is_some() && !matches!(i.kind, InstructionKind::Unknown(_)))
    };
    let (mut lower, mut upper) = (0usize, 0usize);
    let has_upper = |kw: &str| kw.bytes().any(|b| b.is_ascii_uppercase());
    let has_lower = |kw: &str| kw.bytes().any(|b| b.is_ascii_lowercase());
    for ins in staged() {
        let kw = ins.keyword.as_str();
        if !has_upper(kw) {
            lower += 1;
        } else if !has_lower(kw) {
            upper += 1;
        }
    }
    let majority_lower = lower > upper;
    for ins in staged() {
        let kw = ins.keyword.as_str();
        let ok = if majority_lower {
            !has_upper(kw)
        } else {
            !has_lower(kw)
        };
        if ok {
            continue;
        }
        let (wanted, casing) = if majority_lower {
            (kw.to_ascii_lowercase(), "lowercase")
        } else {
            (kw.to_ascii_uppercase(), "uppercase")
        };
        let mut f = RULE.finding(
            on_first_line(ctx, ins, ins.keyword_span),
            format!("Command '{kw}' should match the case of the command majority ({casing})"),
        );
        f.fix = Some(Fix {
            title: format!("Write `{wanted}`"),
            edits: vec![Edit {
                span: ins.keyword_span,
                new_text: wanted.clone(),
            }],
            safe: true,
        });
        out.push(f);
    }
}
