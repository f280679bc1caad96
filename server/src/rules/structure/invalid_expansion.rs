//! Arguments BuildKit cannot process: an unterminated quote or a malformed `${...}` in a
//! word it expands (ENV, LABEL, ARG, COPY, ADD, WORKDIR, ...).

use crate::model::{Details, Instruction, InstructionKind, Span, Word};
use crate::rules::buildkit::common::go_quote;
use crate::rules::buildkit::lex;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "InvalidExpansion",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Syntax,
    severity: Severity::Error,
    scope: Scope::Stage,
    summary: "An argument with an unterminated quote or a malformed `${...}`",
    docs: "BuildKit processes the quotes, escapes and variables of the arguments of ENV, \
LABEL, ARG, COPY, ADD, FROM, EXPOSE, VOLUME, USER, WORKDIR and STOPSIGNAL before it uses \
them. A quote that is never closed (`ENV A=\"foo`) or a substitution it cannot read \
(`${NAME`, `${NAME:x}`) fails the build with `failed to process ...`. RUN, CMD and \
ENTRYPOINT in shell form are left to the shell and not checked here.",
    bad: "FROM alpine:3.20\nENV GREETING=\"hello world\nWORKDIR /app\n",
    good: "FROM alpine:3.20\nENV GREETING=\"hello world\"\nWORKDIR /app\n",
    check,
};

/// No variables: the errors reported here do not depend on any value.
const NO_VARS: &[(String, String)] = &[];

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let escape = ctx.model.escape;
    for (_, ins) in ctx.instructions() {
        words(ctx, ins, &mut |text, span| {
            // Only quotes and `${` can fail to process (most words have neither).
            let b = text.as_bytes();
            let risky = memchr::memchr3(b'"', b'\'', b'$', b).is_some_and(|_| {
                memchr::memchr2(b'"', b'\'', b).is_some()
                    || memchr::memchr_iter(b'$', b).any(|i| b.get(i + 1) == Some(&b'{'))
            });
            if !risky {
                return;
            }
            if let Some(e) = lex::expand(text, NO_VARS, escape).error {
                // `${X?message}` fails only when X is unset: a matter of values.
                let syntax = e.starts_with("syntax error")
                    || e.starts_with("unexpected end of statement")
                    || e.starts_with("unsupported modifier");
                if syntax {
                    out.push(
                        RULE.finding(span, format!("failed to process {}: {e}", go_quote(text))),
                    );
                }
            }
        });
    }
}

/// The words of `ins` BuildKit expands, as written, with where they are.
fn words(ctx: &Ctx, ins: &Instruction, f: &mut dyn FnMut(&str, Span)) {
    let mut word = |w: &Word| f(&w.raw, w.span);
    match (&ins.kind, &ins.details) {
        (
            InstructionKind::Env | InstructionKind::Label | InstructionKind::Arg,
            Details::Pairs(pairs),
        ) => {
            for kv in pairs {
                if ins.kind != InstructionKind::Arg {
                    word(&kv.key);
                }
                if let Some(v) = &kv.value {
                    word(v);
                }
            }
        }
        (InstructionKind::From, Details::From { image: Some(_), .. }) => {
            if let Some(w) = ins.words.first() {
                word(w);
            }
        }
        (
            InstructionKind::Copy
            | InstructionKind::Add
            | InstructionKind::Expose
            | InstructionKind::Volume,
            _,
        ) if ins.json.is_none() => {
            ins.words
                .iter()
                .filter(|w| !w.raw.starts_with("<<"))
                .for_each(word);
        }
        (InstructionKind::Workdir | InstructionKind::User | InstructionKind::Stopsignal, _)
            if !ins.rest.span.is_empty() =>
        {
            f(ctx.slice(ins.rest.span), ins.rest.span);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::check_messages;

    fn messages(text: &str) -> Vec<String> {
        check_messages(&RULE, text)
    }

    #[test]
    fn reports_what_buildkit_cannot_process() {
        assert_eq!(
            messages("FROM a\nENV x=\"a\n"),
            ["failed to process \"\\\"a\": unexpected end of statement while looking for matching double-quote"]
        );
        assert_eq!(
            messages("FROM a\nLABEL x='a\n"),
            ["failed to process \"'a\": unexpected end of statement while looking for matching single-quote"]
        );
        assert_eq!(
            messages("FROM a\nWORKDIR /app/${DIR\n"),
            ["failed to process \"/app/${DIR\": syntax error: missing '}'"]
        );
        assert_eq!(messages("FROM a\nCOPY ${a:x} /b\n").len(), 1);
        assert_eq!(messages("FROM a\nARG V=\"1\nUSER \"app\n").len(), 2);
    }

    #[test]
    fn leaves_alone_what_it_can() {
        for fine in [
            "FROM a\nENV A=\"x y\" B='z' C=\"it's\" D=$HOME E=${F:-g}\n",
            "FROM a\nRUN echo \"unterminated\nCMD echo 'x\n",
            "FROM a\nCOPY [\"a\", \"b\"] /c\n",
            "FROM a\nENV A=${B?required}\n",
            "FROM a\nCOPY <<EOF /x\n\"\nEOF\n",
            "# escape=`\nFROM a\nWORKDIR C:\\app\n",
        ] {
            assert!(messages(fine).is_empty(), "{fine}: {:?}", messages(fine));
        }
    }
}
