//! EXPOSE arguments BuildKit cannot parse: bad protocol, port, range or IP address.

use crate::model::InstructionKind;
use crate::rules::buildkit::expose;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "InvalidExposePort",
    // hadolint's DL3011 (a port out of range) is one of the cases: the rule that carried it
    // here before reported the same words a second time.
    aliases: &["DL3011"],
    buildkit: false,
    experimental: false,
    category: Category::Syntax,
    severity: Severity::Error,
    scope: Scope::Stage,
    summary: "An EXPOSE port BuildKit cannot parse",
    docs: "EXPOSE takes `port`, `port/protocol` or a range `start-end[/protocol]`, with \
ports from 0 to 65535 (a range ascending) and protocol `tcp` (default), `udp` or `sctp`. \
Anything else fails the build. Arguments with variables are checked after expansion by the \
build only.",
    bad: "FROM nginx\nEXPOSE 80/http\n",
    good: "FROM nginx\nEXPOSE 80/tcp\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, ins) in ctx.instructions() {
        if ins.kind != InstructionKind::Expose {
            continue;
        }
        for w in &ins.words {
            if w.raw.contains('$') || w.value.contains('$') {
                continue;
            }
            let text = if w.value.is_empty() {
                w.raw.as_str()
            } else {
                w.value.as_str()
            };
            let result = expose::split(text).and_then(|s| expose::validate(&s));
            if let Err(e) = result {
                out.push(RULE.finding(w.span, e));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::check_messages;
    use crate::rules::{check, CheckOptions};

    fn messages(text: &str) -> Vec<String> {
        check_messages(&RULE, text)
    }

    #[test]
    fn reports_each_bad_word_once() {
        assert!(
            messages("FROM a\nEXPOSE 80 443/tcp 53/udp 8000-8010 ${PORT} 65535 0\n").is_empty()
        );
        assert_eq!(
            messages("FROM a\nEXPOSE 70000/tcp 9000-8000 80/http\n"),
            [
                "invalid containerPort: 70000",
                "invalid containerPort: 9000-8000",
                "invalid port: \"80/http\": invalid proto: http",
            ]
        );
        // The whole rule set reports an out-of-range port once, not once per rule.
        let text = "FROM a\nEXPOSE 70000\n";
        let found = check(&crate::model::build(text), text, &CheckOptions::default());
        let on_port: Vec<&str> = found
            .iter()
            .filter(|f| &text[f.span.start..f.span.end] == "70000")
            .map(|f| f.rule)
            .collect();
        assert_eq!(on_port, ["InvalidExposePort"]);
    }

    #[test]
    fn hadolints_name_finds_it() {
        for name in ["DL3011", "dl3011"] {
            assert_eq!(
                crate::rules::find(name).map(|r| r.id),
                Some(RULE.id),
                "{name}"
            );
        }
        // A port BuildKit cannot parse fails the build: like the other parse errors, a
        // comment does not hide it, whatever name it gives.
        let text = "FROM a\n# hadolint ignore=DL3011\nEXPOSE 70000\n";
        let found = check(&crate::model::build(text), text, &CheckOptions::default());
        assert!(found.iter().any(|f| f.rule == RULE.id));
    }
}
