//! BuildKit's UndefinedArgInFrom: a FROM line using a variable that no global ARG declares.

use super::common::{flag_value_raw, from_base, head_span, raw, suggest, Globals};
use super::lex;
use crate::model::{InstructionKind, Span};
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "UndefinedArgInFrom",
    aliases: &[],
    buildkit: true,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "FROM uses a variable that is not a declared global ARG",
    docs: "Variables in a FROM line (image and `--platform`) are expanded from the ARGs \
declared before the first FROM and from BuildKit's predefined platform arguments \
(`BUILDPLATFORM`, `TARGETPLATFORM`, `TARGETOS`, `TARGETARCH`, ...). Anything else expands \
to an empty string, usually because of a typo or a missing `ARG` line. Declare the \
argument before the first FROM.",
    bad: "FROM alpine:${ALPINE_VERSION}\n",
    good: "ARG ALPINE_VERSION=3.20\nFROM alpine:${ALPINE_VERSION}\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    // Built at the first word with variables.
    let mut globals: Option<Globals> = None;
    let escape = ctx.model.escape;
    let mut seen: Vec<(&str, lex::Names)> = Vec::new();
    // Every FROM starts a stage.
    for stage in ctx.stages() {
        let Some(ins) = ctx.model.instructions.get(stage.from) else {
            continue;
        };
        if ins.kind != InstructionKind::From {
            continue;
        }
        let mut words: Vec<(&str, Span)> = Vec::new();
        if let Some(w) = from_base(ins) {
            words.push((raw(w), w.span));
        }
        if let Some(p) = ins.flag("platform") {
            words.push((flag_value_raw(ctx, p), p.value_span.unwrap_or(p.span)));
        }
        for (word, _span) in words {
            if !lex::has_variables(word) {
                continue;
            }
            let globals = globals.get_or_insert_with(|| Globals::new(ctx));
            // FROM lines often repeat the same word (`${BASE_IMAGE}`): expanded once each.
            let unmatched = match seen.iter().position(|(w, _)| *w == word) {
                Some(k) => &seen[k].1,
                None => {
                    let names = lex::expand(word, &globals.env, escape).unmatched;
                    seen.push((word, names));
                    &seen[seen.len() - 1].1
                }
            };
            for name in unmatched {
                if globals.known(name) {
                    continue;
                }
                let mut msg = format!("FROM argument '{name}' is not declared");
                if let Some(s) = suggest(name, globals.keys(), true) {
                    msg.push_str(&format!(" (did you mean {s}?)"));
                }
                out.push(RULE.finding(head_span(ctx, ins), msg));
            }
        }
    }
}
