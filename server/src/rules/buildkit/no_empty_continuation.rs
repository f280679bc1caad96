//! BuildKit's NoEmptyContinuation: an empty line inside a continued instruction.

use crate::model::Span;
use crate::rules::{Category, Ctx, Finding, Related, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "NoEmptyContinuation",
    aliases: &[],
    buildkit: true,
    experimental: false,
    category: Category::Syntax,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "Empty lines inside a continued instruction",
    docs: "When a line ends with the escape character, the instruction continues on the next \
line. An empty line in the middle of such an instruction is skipped today, but it is \
deprecated and planned to become an error. It is also easy to misread: the empty line \
looks like the end of the instruction. Remove the empty line, or end the instruction \
before it.\n\nBuildKit reports the last line of the continued instruction.",
    bad: "FROM alpine\nRUN apk add --no-cache \\\n\n    curl\n",
    good: "FROM alpine\nRUN apk add --no-cache \\\n    curl\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let mut lines: Option<Vec<usize>> = None;
    for (_, ins) in ctx.instructions() {
        if ins.empty_continuation_lines.is_empty() {
            continue;
        }
        let starts = lines.get_or_insert_with(|| line_starts(ctx.text));
        let line_of = |offset: usize| starts.partition_point(|&s| s <= offset).saturating_sub(1);
        // The last line of the logical line, before any heredoc bodies.
        let last = match ins.heredocs.first() {
            Some(h) => line_of(h.body_span.start)
                .saturating_sub(1)
                .max(ins.start_line),
            None => ins.end_line,
        };
        let span = line_span(ctx.text, starts, last);
        let mut f = RULE.finding(span, "Empty continuation line");
        for &l in &ins.empty_continuation_lines {
            f.related.push(Related {
                span: line_span(ctx.text, starts, l),
                message: "empty continuation line".into(),
            });
        }
        out.push(f);
    }
}

pub(crate) fn line_starts(text: &str) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    v
}

pub(crate) fn line_span(text: &str, starts: &[usize], line: usize) -> Span {
    let start = starts
        .get(line)
        .copied()
        .unwrap_or(text.len())
        .min(text.len());
    let end = starts
        .get(line + 1)
        .map_or(text.len(), |&e| e.saturating_sub(1))
        .max(start);
    let end = if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    };
    Span::new(start, end)
}
