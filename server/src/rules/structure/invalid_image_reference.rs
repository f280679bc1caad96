//! A FROM image (without variables) that is not a valid image reference.

use crate::model::InstructionKind;
use crate::rules::buildkit::reference::is_valid_reference;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "InvalidImageReference",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Syntax,
    severity: Severity::Error,
    scope: Scope::File,
    summary: "The FROM image is not a valid reference",
    docs: "An image reference is `[registry/]path[:tag][@digest]`: the path is lower case \
letters, digits and the separators `.`, `_`, `__` and `-`; the tag is up to 128 letters, \
digits, `_`, `.` and `-`; the digest is `algorithm:hex`. Upper-case repository names, \
spaces or an empty tag (`image:`) make the build fail with `invalid reference format`.",
    bad: "FROM Ubuntu:22.04\n",
    good: "FROM ubuntu:22.04\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let m = ctx.model;
    let mut names: std::collections::HashSet<String> = std::collections::HashSet::new();
    for ins in &m.instructions {
        if ins.kind != InstructionKind::From {
            continue;
        }
        let own = ins
            .stage
            .and_then(|s| m.stages.get(s))
            .and_then(|s| s.key());
        let Some(w) = ins.words.first() else {
            names.extend(own);
            continue;
        };
        let image = w.value.as_str();
        // A reference to an earlier stage is looked up by name, not parsed.
        let skip = image.is_empty()
            || w.raw.contains('$')
            || image.contains('$')
            || names.contains(&image.to_ascii_lowercase());
        names.extend(own);
        if skip {
            continue;
        }
        if !is_valid_reference(image) {
            let why = if image.to_ascii_lowercase() != image && !image.contains('/') {
                " (repository names must be lower case)"
            } else if image.ends_with(':') {
                " (empty tag)"
            } else {
                ""
            };
            out.push(RULE.finding(w.span, format!("invalid reference format: `{image}`{why}")));
        }
    }
}
