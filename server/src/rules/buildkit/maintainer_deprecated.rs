//! BuildKit's MaintainerDeprecated: the MAINTAINER instruction.

use super::common::head_span;
use crate::model::InstructionKind;
use crate::rules::{Category, Ctx, Edit, Finding, Fix, Rule, Scope, Severity, Tag};

pub static RULE: Rule = Rule {
    id: "MaintainerDeprecated",
    aliases: &["DL4000"],
    buildkit: true,
    experimental: false,
    category: Category::Style,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "MAINTAINER is deprecated; use a label",
    docs: "MAINTAINER only fills the image's legacy `Author` field. Record the author as the \
standard OCI label instead, which tools and registries understand:\n\n```dockerfile\n\
LABEL org.opencontainers.image.authors=\"me@example.org\"\n```\n\nThe fix rewrites the \
instruction into that label.",
    bad: "FROM alpine\nMAINTAINER me@example.org\n",
    good: "FROM alpine\nLABEL org.opencontainers.image.authors=\"me@example.org\"\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, ins) in ctx.instructions() {
        if ins.kind != InstructionKind::Maintainer {
            continue;
        }
        let mut f = RULE.finding(
            head_span(ctx, ins),
            "Maintainer instruction is deprecated in favor of using label",
        );
        f.tags.push(Tag::Deprecated);
        let label = if ins.keyword == ins.keyword.to_lowercase() {
            "label"
        } else {
            "LABEL"
        };
        let value = ins.rest.value.trim();
        if !value.is_empty() && ins.heredocs.is_empty() {
            let quoted: String = value
                .chars()
                .flat_map(|c| match c {
                    '"' | '\\' | '$' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
            f.fix = Some(Fix {
                title: "Replace with the org.opencontainers.image.authors label".into(),
                edits: vec![Edit {
                    span: ins.span,
                    new_text: format!("{label} org.opencontainers.image.authors=\"{quoted}\""),
                }],
                safe: true,
            });
        }
        out.push(f);
    }
}
