//! EXPOSE arguments BuildKit cannot parse: bad protocol, port, range or IP address.

use crate::model::InstructionKind;
use crate::rules::buildkit::expose;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "InvalidExposePort",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Syntax,
    severity: Severity::Error,
    scope: Scope::Stage,
    summary: "An EXPOSE port BuildKit cannot parse",
    docs: "EXPOSE takes `port`, `port/protocol` or a range `start-end[/protocol]`, with \
ports from 0 to 65535 and protocol `tcp` (default), `udp` or `sctp`. Anything else fails \
the build. Arguments with variables are checked after expansion by the build only.",
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
