//! ContinuedIntoInstruction: a line continuation that runs into the next instruction.

use crate::model::{Details, Instruction, InstructionKind, Span};
use crate::rules::{Category, Ctx, Finding, Fix, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "ContinuedIntoInstruction",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "A line continuation runs into a line that starts with an instruction keyword",
    docs: r#"A line that ends with the escape character (`\`) continues on the next line, whatever
that line holds. When the next line starts with an instruction keyword (`COPY . .`), that
"instruction" is read as more arguments of the one before: a RUN runs `... COPY . .` as part
of its command, and the COPY never happens. BuildKit accepts it; the build goes wrong later,
or not visibly at all. It usually comes from a `\` left at the end of the last line of a
RUN.

Reported for a continuation line whose first word is an instruction keyword in capitals.
Not reported for the instruction a `HEALTHCHECK` (`CMD`) or an `ONBUILD` wraps, which may
be written on a line of its own. The fix ends the instruction before that line (it removes
the escape character); it is not applied automatically, as it changes what is built.
"#,
    bad: "FROM alpine:3.20\nRUN apk add --no-cache curl \\\nCOPY app /app\n",
    good: "FROM alpine:3.20\nRUN apk add --no-cache curl\nCOPY app /app\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, ins) in ctx.instructions() {
        if ins.start_line == ins.end_line {
            continue;
        }
        if let Some(f) = finding(ctx.text, ins, ctx.model.escape) {
            out.push(f);
        }
    }
}

/// The first continuation line of `ins` that starts with an instruction keyword.
fn finding(text: &str, ins: &Instruction, escape: char) -> Option<Finding> {
    // Heredoc bodies come after the instruction's own lines.
    let end = ins
        .heredocs
        .iter()
        .map(|h| h.body_span.start)
        .min()
        .unwrap_or(ins.span.end)
        .min(ins.span.end);
    let bytes = text.as_bytes().get(..end)?;
    let mut at = ins.span.start;
    // Each line after the first: most start with a blank or a lower-case word, and only a
    // capital first letter needs a closer look.
    while let Some(nl) = memchr::memchr(b'\n', bytes.get(at..)?) {
        let start = at + nl + 1;
        at = start;
        let lead = bytes
            .get(start..)?
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        let word_at = start + lead;
        if !bytes.get(word_at).is_some_and(u8::is_ascii_uppercase) {
            continue;
        }
        let rest = text.get(word_at..end)?;
        let word = rest.split([' ', '\t', '\r', '\n']).next().unwrap_or("");
        if InstructionKind::is_capital_keyword(word) && !wrapped(ins, word, word_at) {
            let previous = previous_line(text, ins.span.start, start)?;
            return Some(report(text, ins, previous, word, word_at, escape));
        }
    }
    None
}

/// The last line before `before` (a line start) that is neither blank nor a comment:
/// the one the continuation escape ends.
fn previous_line(text: &str, first: usize, before: usize) -> Option<Span> {
    let own = text.get(first..before)?;
    let mut end = own.len();
    for line in own.split_inclusive('\n').rev() {
        let start = end - line.len();
        end = start;
        let content = line.trim_end_matches(['\n', '\r']);
        let body = content.trim_start_matches([' ', '\t']);
        if !body.is_empty() && !body.starts_with('#') {
            return Some(Span::new(first + start, first + start + content.len()));
        }
    }
    None
}

/// The instruction a HEALTHCHECK or an ONBUILD wraps, written on a line of its own.
fn wrapped(ins: &Instruction, word: &str, at: usize) -> bool {
    match &ins.details {
        Details::Healthcheck { cmd: Some(cmd), .. } => cmd.span.start == at && word == "CMD",
        Details::Onbuild(inner) => inner.keyword_span.start == at,
        _ => false,
    }
}

fn report(
    text: &str,
    ins: &Instruction,
    previous: Span,
    word: &str,
    word_at: usize,
    escape: char,
) -> Finding {
    let mut f = RULE.finding(
        Span::new(word_at, word_at + word.len()),
        format!(
            "The line before ends with `{escape}`: this `{word}` is read as more arguments of the {}, not as an instruction",
            ins.kind.name()
        ),
    );
    let line = text.get(previous.start..previous.end).unwrap_or("");
    let kept = line.trim_end_matches([' ', '\t']);
    if let Some(before) = kept.strip_suffix(escape) {
        let cut = before.trim_end_matches([' ', '\t']).len();
        f.fix = Some(Fix {
            title: format!("End the {} before `{word}`", ins.kind.name()),
            edits: vec![crate::rules::practice::util::replace(
                Span::new(previous.start + cut, previous.end),
                "",
            )],
            safe: false,
        });
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::{apply, check_rule};

    #[test]
    fn cases() {
        let f = check_rule(&RULE, RULE.bad);
        assert_eq!(f.len(), 1);
        assert_eq!(
            &RULE.bad[f[0].span.start..f[0].span.end],
            "COPY",
            "{:?}",
            f[0]
        );
        assert_eq!(apply(RULE.bad, f[0].fix.as_ref().expect("fix")), RULE.good);
        // Comment and empty lines between: the escape is found above them.
        let text = "FROM a\nRUN make \\\n# build\n\nWORKDIR /x\n";
        let f = check_rule(&RULE, text);
        assert_eq!(f.len(), 1);
        assert_eq!(
            apply(text, f[0].fix.as_ref().expect("fix")),
            "FROM a\nRUN make\n# build\n\nWORKDIR /x\n"
        );
        // The backtick escape.
        let text = "# escape=`\nFROM a\nRUN dir `\nCOPY a b\n";
        assert_eq!(check_rule(&RULE, text).len(), 1);
        for fine in [
            "FROM a\nRUN apk add \\\n    curl \\\n    git\nCOPY a b\n",
            "FROM a\nHEALTHCHECK --interval=5s \\\n  CMD curl -f http://localhost/\n",
            "FROM a\nONBUILD \\\n  RUN make\n",
            "FROM a\nRUN echo \\\n  env copy from\n",
            "FROM a\nRUN <<EOF\nset -e\nCOPY x y\nEOF\n",
            "FROM a\nRUN echo \\\n  ADDRESS=1\n",
        ] {
            assert!(check_rule(&RULE, fine).is_empty(), "{fine}");
        }
    }
}
