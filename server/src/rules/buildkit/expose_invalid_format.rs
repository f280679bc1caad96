//! BuildKit's ExposeInvalidFormat: `EXPOSE 127.0.0.1:80:80` or `EXPOSE 8080:80`.

use super::common::{head_span, walk_findings, StageEnv, Walk};
use super::expose;
use crate::model::{Instruction, InstructionKind};
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "ExposeInvalidFormat",
    aliases: &[],
    buildkit: true,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "EXPOSE with an IP address or a host port",
    docs: "EXPOSE documents which ports the container listens on; it cannot publish them. \
An IP address or a host port (`127.0.0.1:80:80`, `8080:80`) has no effect and is \
planned to become an error. Expose only the container port, and publish it when running \
the container (`docker run -p 8080:80`).",
    bad: "FROM nginx\nEXPOSE 8080:80\n",
    good: "FROM nginx\nEXPOSE 80\n",
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
        for (port, _, _) in expose::expanded_ports(ins, env, escape) {
            let Ok(spec) = expose::split(&port) else {
                return;
            };
            if !spec.ip.is_empty() || !spec.host_port.is_empty() {
                out.push(RULE.finding(
                    head_span(ctx, ins),
                    format!(
                        "EXPOSE instruction should not define an IP address or host-port mapping, found '{port}'"
                    ),
                ));
            }
            if expose::validate(&spec).is_err() {
                return;
            }
        }
    }
}
