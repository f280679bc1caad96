//! CopyMultipleSourcesDest: several sources copied to a destination without a trailing `/`.

use crate::model::{InstructionKind, Span};
use crate::rules::{Category, Ctx, Edit, Finding, Fix, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "CopyMultipleSourcesDest",
    aliases: &["DL3021"],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Error,
    scope: Scope::Stage,
    summary: "COPY/ADD of several sources needs a destination directory ending with `/`",
    docs: r#"With more than one source, the destination of COPY and ADD must be a directory, written
with a trailing slash: `COPY package.json package-lock.json /app/`. Docker refuses
`COPY a b /app` ("When using COPY with more than one source file, the destination must be a
directory and end with a /").

Reported when two or more sources (heredocs included) are given and the destination neither
ends with `/` nor is `.`; destinations with variables are not judged. The fix appends `/`.
"#,
    bad: "FROM node:22\nCOPY package.json package-lock.json /app\n",
    good: "FROM node:22\nCOPY package.json package-lock.json /app/\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, ins) in ctx.instructions() {
        if !matches!(ins.kind, InstructionKind::Copy | InstructionKind::Add) {
            continue;
        }
        let words: &[crate::model::Word] = match &ins.json {
            Some(j) => &j.items,
            None => &ins.words,
        };
        if words.len() < 3 {
            continue;
        }
        let Some(dest) = words.last() else { continue };
        let d = dest.value.as_str();
        if d.ends_with('/') || d == "." || d.contains('$') || d.ends_with('\\') {
            continue;
        }
        let mut f = RULE.finding(
            dest.span,
            format!(
                "With {} sources, the destination must be a directory ending with `/`: `{d}/`",
                words.len() - 1
            ),
        );
        // The position before a closing quote, if the word is quoted.
        let end = if dest.raw.ends_with('"') || dest.raw.ends_with('\'') {
            dest.span.end - 1
        } else {
            dest.span.end
        };
        f.fix = Some(Fix {
            title: "Add a trailing `/`".into(),
            edits: vec![Edit {
                span: Span::new(end, end),
                new_text: "/".into(),
            }],
            safe: true,
        });
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::{apply, check_rule};

    #[test]
    fn cases() {
        if crate::model::build("FROM a\n").instructions.is_empty() {
            return;
        }
        let t = "FROM a\nCOPY [\"a\", \"b\", \"/app\"]\n";
        let f = check_rule(&RULE, t);
        assert_eq!(
            apply(t, f[0].fix.as_ref().expect("fix")),
            "FROM a\nCOPY [\"a\", \"b\", \"/app/\"]\n"
        );
        assert!(check_rule(
            &RULE,
            "FROM a\nCOPY a b ./\nCOPY a b .\nCOPY a /b\nCOPY --from=x a b $DIR\n"
        )
        .is_empty());
    }
}
