//! An instruction keyword BuildKit does not know.

use super::flags::for_each_scoped;
use crate::model::InstructionKind;
use crate::rules::{Category, Ctx, Edit, Finding, Fix, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "UnknownInstruction",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Syntax,
    severity: Severity::Error,
    scope: Scope::Stage,
    summary: "Unknown instruction",
    docs: "The first word of an instruction must be one of the 18 Dockerfile instructions \
(`FROM`, `RUN`, `COPY`, ...). Anything else makes the build fail with `unknown \
instruction`. A typo close to a real instruction gets a suggestion and a fix; a line that \
was meant to continue the previous instruction needs an escape character at the end of \
that line.",
    bad: "FROM alpine\nCOPPY app /app\n",
    good: "FROM alpine\nCOPY app /app\n",
    check,
};

/// The instruction closest to `word`, in `word`'s case when it is all lower or upper.
pub fn suggest_instruction(word: &str) -> Option<String> {
    let lower = word.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for k in InstructionKind::ALL.iter() {
        let name = k.name().to_lowercase();
        let d = strsim::levenshtein(&lower, &name);
        if d < 3 && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, k.name()));
        }
    }
    best.map(|(_, name)| {
        if word == lower {
            name.to_lowercase()
        } else {
            name.to_string()
        }
    })
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for_each_scoped(ctx, |ins| {
        let InstructionKind::Unknown(word) = &ins.kind else {
            return;
        };
        let mut msg = format!("unknown instruction `{word}`");
        let suggestion = suggest_instruction(word);
        if let Some(s) = &suggestion {
            msg.push_str(&format!("; did you mean `{s}`?"));
        }
        let mut f = RULE.finding(ins.keyword_span, msg);
        if let Some(s) = suggestion {
            f.fix = Some(Fix {
                title: format!("Replace with `{s}`"),
                edits: vec![Edit {
                    span: ins.keyword_span,
                    new_text: s,
                }],
                safe: false,
            });
        }
        out.push(f);
    });
}
