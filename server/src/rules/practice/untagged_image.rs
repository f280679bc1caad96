//! UntaggedImage: `FROM image` without a tag or digest.

use super::util;
use crate::model::Stage;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};
use std::collections::HashSet;

pub const RULE: Rule = Rule {
    id: "UntaggedImage",
    aliases: &["DL3006"],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "The base image has no tag or digest, so it means `latest`",
    docs: r#"`FROM node` pulls `node:latest`: whatever version is current on the day of the build. The
same Dockerfile builds different images over time and may break without any change.

Name a version (`node:22.11-slim`), ideally pinned by digest as well
(`node:22.11-slim@sha256:…`) and updated on purpose. Not reported for `scratch`, for stage
names, and for images given by a variable (`FROM ${BASE}`).
"#,
    bad: "FROM ubuntu\nRUN echo hello\n",
    good: "FROM ubuntu:24.04\nRUN echo hello\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let model = ctx.model;
    // The stages' names, once one is needed (a set: a file of thousands of stages must not
    // compare each FROM with every name).
    let mut names: Option<HashSet<String>> = None;
    for stage in ctx.stages() {
        let Some(image) = &stage.image else { continue };
        if image.has_variables
            || image.raw.contains('$')
            || image.raw.eq_ignore_ascii_case("scratch")
            || image.tag.is_some()
            || image.digest.is_some()
            || util::parent_stage(model, stage).is_some()
        {
            continue;
        }
        // A stage name used before its definition, or with a different case.
        let names =
            names.get_or_insert_with(|| model.stages.iter().filter_map(Stage::key).collect());
        if names.contains(&image.raw.to_ascii_lowercase()) {
            continue;
        }
        out.push(RULE.finding(
            image.span,
            format!(
                "`{}` has no tag: it means `{}:latest`, which changes over time; name a version",
                image.raw, image.raw
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::check_rule;

    #[test]
    fn cases() {
        assert!(check_rule(&RULE, "FROM scratch\nFROM ${BASE}\nFROM alpine:3.20 AS a\nFROM a\nFROM node@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n").is_empty());
        assert_eq!(check_rule(&RULE, "FROM ghcr.io/org/tool\n").len(), 1);
    }
}
