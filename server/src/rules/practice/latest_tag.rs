//! LatestTag: `FROM image:latest`.

use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "LatestTag",
    aliases: &["DL3007"],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "The base image uses the `latest` tag",
    docs: r#"`latest` is just the tag that was pushed last: it moves to new major versions without
notice, so the same Dockerfile builds different images over time.

Name a version (`alpine:3.20`), ideally pinned by digest too. A `latest` tag together with a
digest (`image:latest@sha256:…`) is pinned and not reported.
"#,
    bad: "FROM alpine:latest\nRUN echo hello\n",
    good: "FROM alpine:3.20\nRUN echo hello\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for stage in ctx.stages() {
        let Some(image) = &stage.image else { continue };
        if image.tag.as_deref() != Some("latest") || image.digest.is_some() {
            continue;
        }
        let span = image.tag_span.unwrap_or(image.span);
        out.push(RULE.finding(
            span,
            format!(
                "`{}` moves to new versions without notice: name a version",
                image.raw
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
        assert!(check_rule(&RULE, "FROM alpine:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n").is_empty());
        assert_eq!(
            check_rule(&RULE, "FROM localhost:5000/app:latest\n").len(),
            1
        );
    }
}
