//! BuildKit's ExposeProtoCasing: `EXPOSE 80/TCP`.

use super::common::{head_span, walk_findings, StageEnv, Walk};
use super::expose;
use crate::model::{Instruction, InstructionKind, Span};
use crate::rules::{Category, Ctx, Edit, Finding, Fix, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "ExposeProtoCasing",
    aliases: &[],
    buildkit: true,
    experimental: false,
    category: Category::Style,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "The protocol in EXPOSE should be lower case",
    docs: "EXPOSE accepts `tcp`, `udp` and `sctp` in any case, but the image records them \
in lower case and other tools expect lower case. Write `80/tcp`, not `80/TCP`.",
    bad: "FROM nginx\nEXPOSE 80/TCP\n",
    good: "FROM nginx\nEXPOSE 80/tcp\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    out.extend(walk_findings(ctx, RULE.id));
}

pub fn visit(w: &Walk, _idx: usize, ins: &Instruction, env: &StageEnv, out: &mut Vec<Finding>) {
    let (ctx, escape) = (w.ctx, w.escape);
    {
        if ins.kind != InstructionKind::Expose {
            return;
        }
        for (port, span, expanded) in expose::expanded_ports(ins, env, escape) {
            let Ok(spec) = expose::split(&port) else {
                return;
            };
            if spec.proto != spec.proto.to_lowercase() {
                let mut f = RULE.finding(
                    head_span(ctx, ins),
                    format!("Defined protocol '{port}' in EXPOSE instruction should be lowercase"),
                );
                if !expanded {
                    if let Some(i) = ctx
                        .text
                        .get(span.start..span.end)
                        .and_then(|t| t.rfind('/'))
                    {
                        let s = Span::new(span.start + i + 1, span.end);
                        if ctx.text.get(s.start..s.end) == Some(spec.proto) {
                            f.fix = Some(Fix {
                                title: format!("Write `{}`", spec.proto.to_lowercase()),
                                edits: vec![Edit {
                                    span: s,
                                    new_text: spec.proto.to_lowercase(),
                                }],
                                safe: true,
                            });
                        }
                    }
                }
                out.push(f);
            }
            if expose::validate(&spec).is_err() {
                return;
            }
        }
    }
}
