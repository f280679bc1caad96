//! BuildKit's UndefinedVar: a variable BuildKit expands (COPY, ENV, WORKDIR, ...) that is
//! neither an ARG nor an ENV of the stage at that point.

use super::common::{args, flag_value_raw, head_span, raw, suggest, walk_findings, StageEnv, Walk};
use crate::model::{CompactString, Details, Instruction, InstructionKind};
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "UndefinedVar",
    aliases: &[],
    buildkit: true,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "A variable is used before (or without) being defined",
    docs: "BuildKit expands variables in the arguments of ADD, COPY, ENV, LABEL, USER, \
VOLUME, WORKDIR, STOPSIGNAL and ARG defaults, using the ARGs and ENVs of the stage defined \
*before* the instruction (and what the base stage or image defines). An unknown variable \
expands to an empty string, which usually means a typo, a missing `ARG`, or an ENV \
defined in the same instruction (all values of one ENV are expanded before any is set).\n\n\
RUN, CMD and ENTRYPOINT are not checked: the shell expands those at run time. For base \
images that are not stages of this file, dockerfile-ls knows `PATH` and the variables of \
common official images; others are reported as BuildKit would without the image's \
configuration.",
    bad: "FROM alpine\nARG VERSION=1.0\nCOPY app-$VERSOIN.tar.gz /app/\n",
    good: "FROM alpine\nARG VERSION=1.0\nCOPY app-$VERSION.tar.gz /app/\n",
    check,
};

const NON_ENV_ARGS: &[&str] = &["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    out.extend(walk_findings(ctx, RULE.id));
}

pub fn visit(w: &Walk, idx: usize, ins: &Instruction, env: &StageEnv, out: &mut Vec<Finding>) {
    if !w.has_dollar.get(idx).copied().unwrap_or(true) {
        return;
    }
    let (ctx, escape, globals) = (w.ctx, w.escape, w.globals);
    {
        let mut names: Vec<CompactString> = Vec::new();
        let report = |env: &StageEnv, word: &str, names: &mut Vec<CompactString>| {
            if !word.contains('$') {
                return;
            }
            let e = env.expand(word, escape);
            for n in e.unmatched {
                if env.is_defined(&n) || NON_ENV_ARGS.contains(&n.as_str()) || names.contains(&n) {
                    continue;
                }
                names.push(n);
            }
        };
        match ins.kind {
            InstructionKind::Add | InstructionKind::Copy => {
                for f in &ins.flags {
                    if ["chown", "chmod", "checksum", "exclude"]
                        .iter()
                        .any(|n| f.name.eq_ignore_ascii_case(n))
                    {
                        report(env, flag_value_raw(ctx, f), &mut names);
                    }
                }
                match &ins.json {
                    Some(j) => j
                        .items
                        .iter()
                        .for_each(|w| report(env, &w.value, &mut names)),
                    None => ins
                        .words
                        .iter()
                        .map(raw)
                        .filter(|w| !w.starts_with("<<"))
                        .for_each(|w| report(env, w, &mut names)),
                }
            }
            InstructionKind::Env => {
                if let Details::Pairs(pairs) = &ins.details {
                    for kv in pairs {
                        if let Some(v) = &kv.value {
                            report(env, raw(v), &mut names);
                        }
                    }
                }
            }
            InstructionKind::Label => {
                if let Details::Pairs(pairs) = &ins.details {
                    for kv in pairs {
                        report(env, raw(&kv.key), &mut names);
                        if let Some(v) = &kv.value {
                            report(env, raw(v), &mut names);
                        }
                    }
                }
            }
            InstructionKind::Workdir | InstructionKind::User | InstructionKind::Stopsignal => {
                report(env, ctx.slice(ins.rest.span), &mut names);
            }
            InstructionKind::Volume => {
                for w in args(ins) {
                    let text = if ins.json.is_some() {
                        w.value.as_str()
                    } else {
                        raw(w)
                    };
                    report(env, text, &mut names);
                }
            }
            InstructionKind::Arg => {
                // Each declaration also sees the ones before it in the same instruction.
                if let Details::Pairs(pairs) = &ins.details {
                    for (i, kv) in pairs.iter().enumerate() {
                        let Some(d) = &kv.value else { continue };
                        if globals.build_arg(&kv.key.value).is_some() {
                            continue;
                        }
                        let mut found = Vec::new();
                        report(env, raw(d), &mut found);
                        for n in found {
                            if !pairs[..i].iter().any(|p| p.key.value == n) && !names.contains(&n) {
                                names.push(n);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        for n in names {
            let mut msg = format!("Usage of undefined variable '${n}'");
            if let Some(s) = suggest(&n, env.vars.iter().map(|&(k, _)| k), true) {
                msg.push_str(&format!(" (did you mean ${s}?)"));
            }
            out.push(RULE.finding(head_span(ctx, ins), msg));
        }
    }
}
