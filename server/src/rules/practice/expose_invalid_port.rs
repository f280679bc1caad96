//! ExposeInvalidPort: EXPOSE of a port outside 0–65535.

use crate::model::InstructionKind;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "ExposeInvalidPort",
    aliases: &["DL3011"],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Error,
    scope: Scope::Stage,
    summary: "EXPOSE names a port outside 0–65535",
    docs: r#"TCP and UDP ports are 16-bit numbers: `EXPOSE 80000` cannot work, and Docker rejects it
when the container is created. Ranges (`8000-8010`) must be ascending.

Words with variables and the `host:container` form (BuildKit's `ExposeInvalidFormat`) are not
judged here.
"#,
    bad: "FROM nginx:1.27\nEXPOSE 80800\n",
    good: "FROM nginx:1.27\nEXPOSE 8080\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, ins) in ctx.instructions() {
        if ins.kind != InstructionKind::Expose {
            continue;
        }
        for w in &ins.words {
            let v = w.value.as_str();
            if v.contains('$') || v.contains(':') {
                continue;
            }
            let port = v.split('/').next().unwrap_or("");
            let (a, b) = match port.split_once('-') {
                Some((a, b)) => (a, Some(b)),
                None => (port, None),
            };
            let parse = |s: &str| -> Option<u64> {
                (!s.is_empty() && s.len() < 12 && s.bytes().all(|c| c.is_ascii_digit()))
                    .then(|| s.parse().ok())
                    .flatten()
            };
            let (Some(lo), hi) = (parse(a), b.map(parse)) else {
                continue;
            };
            let msg = match hi {
                Some(None) => continue,
                Some(Some(hi)) if hi > 65535 || lo > 65535 => {
                    format!("`{v}`: ports go up to 65535")
                }
                Some(Some(hi)) if hi < lo => format!("`{v}`: the range is descending"),
                None if lo > 65535 => format!("`{v}`: ports go up to 65535"),
                _ => continue,
            };
            out.push(RULE.finding(w.span, msg));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::check_rule;

    #[test]
    fn cases() {
        if crate::model::build("FROM a\n").instructions.is_empty() {
            return;
        }
        assert!(check_rule(
            &RULE,
            "FROM a\nEXPOSE 80 443/tcp 53/udp 8000-8010 ${PORT} 65535\n"
        )
        .is_empty());
        assert_eq!(
            check_rule(&RULE, "FROM a\nEXPOSE 70000/tcp 9000-8000\n").len(),
            2
        );
    }
}
