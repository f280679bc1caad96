//! BuildKit's InvalidDefaultArgInFrom: a FROM image that is invalid when the global ARGs
//! keep their default values (no `--build-arg`).

use super::common::{from_base, head_span, raw, Globals};
use super::lex;
use super::reference::is_valid_reference;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "InvalidDefaultArgInFrom",
    aliases: &[],
    buildkit: true,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "The FROM image is invalid with the ARGs' default values",
    docs: "A FROM line like `FROM busybox:$VERSION` only works when `VERSION` has a value. \
If the global ARG has no default (or a default that produces an invalid reference), \
building without `--build-arg` fails. Give the ARG a default that makes a valid image \
reference; build arguments still override it. The check always uses the defaults, even \
when build arguments are given.",
    bad: "ARG VERSION\nFROM busybox:$VERSION\n",
    good: "ARG VERSION=latest\nFROM busybox:$VERSION\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let m = ctx.model;
    // A FROM whose expansion fails ends the check for it and every later FROM, so the FROMs
    // up to the last stage in scope are expanded; findings are wanted in scope only.
    let Some(last) = m.stages.iter().rev().find(|s| ctx.in_scope(Some(s.index))) else {
        return;
    };
    // Built at the first word with variables.
    let mut globals: Option<Globals> = None;
    let mut seen: Vec<(&str, bool)> = Vec::new();
    for stage in &m.stages[..=last.index] {
        let Some(ins) = m.instructions.get(stage.from) else {
            continue;
        };
        let Some(w) = from_base(ins) else { continue };
        let word = raw(w);
        if !lex::has_variables(word) {
            // A literal invalid reference is a plain error (InvalidReference).
            continue;
        }
        let globals = globals.get_or_insert_with(|| Globals::new(ctx));
        if globals.defaults_failed {
            return;
        }
        // FROM lines often repeat the same word (`${BASE_IMAGE}`): expanded once each.
        let valid = match seen.iter().find(|(w, _)| *w == word) {
            Some((_, v)) => *v,
            None => {
                let e = lex::expand(word, &globals.defaults_env, m.escape);
                if e.error.is_some() {
                    return;
                }
                let v = is_valid_reference(&e.result);
                seen.push((word, v));
                v
            }
        };
        if !valid && ctx.in_scope(Some(stage.index)) {
            out.push(RULE.finding(
                head_span(ctx, ins),
                format!("Default value for ARG {word} results in empty or invalid base image name"),
            ));
        }
    }
}
