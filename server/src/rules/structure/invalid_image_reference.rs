//! A FROM image (without variables) that is not a valid image reference.

use crate::model::InstructionKind;
use crate::rules::buildkit::reference::is_valid_reference;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};
use std::collections::HashMap;

pub static RULE: Rule = Rule {
    id: "InvalidImageReference",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Syntax,
    severity: Severity::Error,
    scope: Scope::Stage,
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
    // Per stage name: the first stage with it (built at the first invalid reference).
    let mut first_named: Option<HashMap<String, usize>> = None;
    // Every FROM starts a stage (stage `k` is the k-th FROM).
    for stage in ctx.stages() {
        let Some(ins) = m.instructions.get(stage.from) else {
            continue;
        };
        if ins.kind != InstructionKind::From {
            continue;
        }
        let Some(w) = ins.words.first() else {
            continue;
        };
        let image = w.value.as_str();
        if image.is_empty() || w.raw.contains('$') || image.contains('$') {
            continue;
        }
        if is_valid_reference(image) {
            continue;
        }
        // A reference to an earlier stage is looked up by name, not parsed.
        let first = first_named.get_or_insert_with(|| {
            let mut map = HashMap::new();
            for s in &m.stages {
                if let Some(key) = s.key() {
                    map.entry(key).or_insert(s.index);
                }
            }
            map
        });
        if first
            .get(&image.to_ascii_lowercase())
            .is_some_and(|&k| k < stage.index)
        {
            continue;
        }
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
