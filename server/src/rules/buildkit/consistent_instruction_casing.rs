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

/// Whether a keyword has upper-case and lower-case letters, in one pass.
fn cases(kw: &str) -> (bool, bool) {
    let (mut upper, mut lower) = (false, false);
    for b in kw.bytes() {
        upper |= b.is_ascii_uppercase();
        lower |= b.is_ascii_lowercase();
    }
    (upper, lower)
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let m = ctx.model;
    // The instructions of stages (ARGs before the first FROM do not count).
    let first = m.stages.first().map_or(m.instructions.len(), |s| s.from);
    let staged = || {
        m.instructions
            .get(first..)
            .unwrap_or(&[])
            .iter()
            .filter(|i| i.stage.is_some() && !matches!(i.kind, InstructionKind::Unknown(_)))
    };
    // Keywords without upper case, in upper case only, with any upper or lower case.
    let (mut lower, mut upper, mut any_upper, mut any_lower) = (0usize, 0usize, 0usize, 0usize);
    for ins in staged() {
        let (u, l) = cases(&ins.keyword);
        if !u {
            lower += 1;
        } else if !l {
            upper += 1;
        }
        any_upper += usize::from(u);
        any_lower += usize::from(l);
    }
    let majority_lower = lower > upper;
    // Reported: keywords with an upper-case letter when lower case wins, with a
    // lower-case letter when upper case wins.
    if (if majority_lower { any_upper } else { any_lower }) == 0 {
        return;
    }
    for ins in staged() {
        let kw = ins.keyword.as_str();
        let (u, l) = cases(kw);
        let ok = if majority_lower { !u } else { !l };
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
