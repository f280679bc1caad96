//! CurlAndWget: both curl and wget used in a stage.

use super::util;
use crate::model::Span;
use crate::rules::{Category, Ctx, Finding, Related, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "CurlAndWget",
    aliases: &["DL4001"],
    buildkit: false,
    experimental: false,
    category: Category::Size,
    severity: Severity::Info,
    scope: Scope::Stage,
    summary: "A stage uses both curl and wget; one of them is enough",
    docs: r#"curl and wget do the same job in a build. Using both means both (and their libraries)
must be installed; settle on one of them.

Reported once per stage, at the first use of the tool used second.
"#,
    bad: "FROM debian:bookworm-slim\nRUN curl -fsSLo /tmp/a https://example.com/a\nRUN wget -qO /tmp/b https://example.com/b\n",
    good: "FROM debian:bookworm-slim\nRUN curl -fsSLo /tmp/a https://example.com/a\nRUN curl -fsSLo /tmp/b https://example.com/b\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let scripts = util::scripts(ctx);
    for stage in ctx.stages() {
        let mut curl: Option<Span> = None;
        let mut wget: Option<Span> = None;
        for i in stage.instructions.clone() {
            let Some(script) = util::script(&scripts, i) else {
                continue;
            };
            for inv in util::invocations(&script) {
                match inv.program {
                    "curl" if curl.is_none() => curl = Some(inv.name.span),
                    "wget" if wget.is_none() => wget = Some(inv.name.span),
                    _ => {}
                }
            }
        }
        let (Some(c), Some(w)) = (curl, wget) else {
            continue;
        };
        let (second, first, name, other) = if c.start > w.start {
            (c, w, "curl", "wget")
        } else {
            (w, c, "wget", "curl")
        };
        let mut f = RULE.finding(
            second,
            format!("This stage uses both {other} and {name}: use one of them"),
        );
        f.related.push(Related {
            span: first,
            message: format!("{other} is used here"),
        });
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::check_rule;

    #[test]
    fn cases() {
        assert!(check_rule(&RULE, "FROM d\nRUN curl -o a x\nFROM d\nRUN wget x\n").is_empty());
        assert!(check_rule(
            &RULE,
            "FROM d\nRUN apt-get install -y curl wget && curl -o a x\n"
        )
        .is_empty());
    }
}
