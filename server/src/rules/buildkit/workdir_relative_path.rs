//! BuildKit's WorkdirRelativePath: a relative WORKDIR before any absolute one.

use super::common::{go_quote, head_span, walk_findings, StageEnv, Walk};
use crate::model::{Instruction, InstructionKind};
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "WorkdirRelativePath",
    aliases: &["DL3000"],
    buildkit: true,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "The first WORKDIR of a stage should be an absolute path",
    docs: "A relative WORKDIR is resolved against the working directory of the base image, \
which the Dockerfile does not control: when the base image changes its WORKDIR, files \
land somewhere else. Start each stage (or its base stages) with an absolute WORKDIR; \
later relative ones are then relative to a directory you chose.",
    bad: "FROM node:22\nWORKDIR app\nCOPY . .\n",
    good: "FROM node:22\nWORKDIR /app\nCOPY . .\n",
    check,
};

pub fn is_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with('/')
        || path.starts_with('\\')
        || (b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && (b[2] == b'\\' || b[2] == b'/'))
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    out.extend(walk_findings(ctx, RULE.id));
}

pub fn visit(w: &Walk, _idx: usize, ins: &Instruction, env: &StageEnv, out: &mut Vec<Finding>) {
    if ins.kind != InstructionKind::Workdir || env.workdir_set {
        return;
    }
    let path = env.expand(w.ctx.slice(ins.rest.span), w.escape).result;
    if path.is_empty() || is_absolute(&path) {
        return;
    }
    out.push(RULE.finding(
        head_span(w.ctx, ins),
        format!(
            "Relative workdir {} can have unexpected results if the base image changes",
            go_quote(&path)
        ),
    ));
}
