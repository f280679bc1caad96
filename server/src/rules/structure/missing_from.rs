//! A Dockerfile with instructions but no FROM.

use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "MissingFrom",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Syntax,
    severity: Severity::Error,
    scope: Scope::File,
    summary: "No FROM instruction: nothing to build",
    docs: "Every build stage starts with FROM. A file whose instructions are only global \
ARGs, or that never names a base image, fails with `dockerfile contains no stages to \
build`. Add `FROM <image>` (or `FROM scratch` for an empty base).",
    bad: "ARG VERSION=1\n",
    good: "ARG VERSION=1\nFROM alpine:3.20\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let m = ctx.model;
    if !m.stages.is_empty() || m.instructions.is_empty() {
        return;
    }
    if let Some(first) = m.instructions.first() {
        out.push(RULE.finding(
            first.keyword_span,
            "dockerfile contains no stages to build: add a FROM instruction",
        ));
    }
}
