//! BuildKit's LegacyKeyValueFormat: `ENV key value` / `LABEL key value` without `=`.

use super::common::head_span;
use crate::model::{Details, InstructionKind};
use crate::rules::{Category, Ctx, Edit, Finding, Fix, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "LegacyKeyValueFormat",
    aliases: &[],
    buildkit: true,
    experimental: false,
    category: Category::Style,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "ENV and LABEL should use `key=value`",
    docs: "The legacy `ENV key value` form sets one variable to the whole rest of the line, \
spaces included, which is easy to misread (`ENV A 1 B 2` sets `A` to `1 B 2`). Use \
`key=value`, quoting values with spaces; several pairs can share one instruction.",
    bad: "FROM alpine\nENV APP_HOME /srv/app\n",
    good: "FROM alpine\nENV APP_HOME=/srv/app\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, ins) in ctx.instructions() {
        if !matches!(ins.kind, InstructionKind::Env | InstructionKind::Label) {
            continue;
        }
        let Details::Pairs(pairs) = &ins.details else {
            continue;
        };
        for kv in pairs.iter().filter(|kv| kv.legacy) {
            let kw = &ins.keyword;
            let mut f = RULE.finding(
                head_span(ctx, ins),
                format!(
                    "\"{kw} key=value\" should be used instead of legacy \"{kw} key value\" format"
                ),
            );
            if let Some(v) = &kv.value {
                let raw_value = if v.raw.is_empty() {
                    v.value.as_str()
                } else {
                    v.raw.as_str()
                };
                let simple = !raw_value.contains(['"', '\'', '\\', '\n']);
                let needs_quotes = raw_value.contains(char::is_whitespace);
                let new_value = if needs_quotes && simple {
                    format!("\"{raw_value}\"")
                } else {
                    raw_value.to_string()
                };
                if !kv.key.span.is_empty() && v.span.start >= kv.key.span.end {
                    f.fix = Some(Fix {
                        title: "Use key=value".into(),
                        edits: vec![Edit {
                            span: crate::model::Span::new(kv.key.span.end, v.span.end),
                            new_text: format!("={new_value}"),
                        }],
                        safe: simple || !needs_quotes,
                    });
                }
            }
            out.push(f);
        }
    }
}
