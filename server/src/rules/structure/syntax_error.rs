//! Errors BuildKit's parser reports while reading the file (from the model).

use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "SyntaxError",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Syntax,
    severity: Severity::Error,
    scope: Scope::File,
    summary: "The file cannot be parsed",
    docs: "BuildKit stops reading the Dockerfile at these errors: an unterminated heredoc, \
an invalid or repeated parser directive (`# escape=` accepts only `\\` and a backtick), a \
file without any instruction, a JSON array with non-string items, an ENV or LABEL without \
a value, or a line longer than BuildKit accepts.",
    bad: "FROM alpine\nRUN <<EOF\necho never closed\n",
    good: "FROM alpine\nRUN <<EOF\necho closed\nEOF\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for e in &ctx.model.errors {
        out.push(RULE.finding(e.span, e.message.clone()));
    }
}
