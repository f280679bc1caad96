//! BuildKit's CopyIgnoredFile: COPY/ADD of a path that `.dockerignore` excludes.

use super::common::{go_quote, head_span, raw, walk_findings, StageEnv, Walk};
use crate::model::{Instruction, InstructionKind};
use crate::rules::dockerignore::clean;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "CopyIgnoredFile",
    aliases: &[],
    buildkit: true,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "COPY or ADD of a path excluded by .dockerignore",
    docs: "Paths matched by `.dockerignore` are not sent to the builder, so copying one \
fails (or copies nothing, with wildcards). Either stop copying the path or remove it from \
`.dockerignore`.\n\nLike BuildKit, the check only runs when the `.dockerignore` has no `!` \
exceptions (which make the outcome depend on the context's contents), only looks at \
sources from the build context (not `COPY --from`), and reports the context root (`COPY . \
.`) only when a catch-all pattern such as `*` excludes everything.",
    bad: "FROM alpine\nCOPY Dockerfile /\n",
    good: "FROM alpine\nCOPY app.sh /\n",
    check,
};

/// The `.dockerignore` used for this rule's documentation examples.
pub const EXAMPLE_DOCKERIGNORE: &str = "Dockerfile\n";

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    if ctx.dockerignore.is_some() {
        out.extend(walk_findings(ctx, RULE.id));
    }
}

pub fn visit(w: &Walk, _idx: usize, ins: &Instruction, env: &StageEnv, out: &mut Vec<Finding>) {
    let Some(ignore) = w.dockerignore else { return };
    if ignore.is_empty() || ignore.has_exclusions() {
        return;
    }
    let (ctx, escape) = (w.ctx, w.escape);
    {
        let verb = match ins.kind {
            InstructionKind::Copy if ins.flag("from").is_none() => "Copy",
            InstructionKind::Add => "Add",
            _ => return,
        };
        let sources: Vec<&str> = match &ins.json {
            Some(j) => j.items.iter().map(|w| w.value.as_str()).collect(),
            None => ins.words.iter().map(raw).collect(),
        };
        let Some((_, sources)) = sources.split_last() else {
            return;
        };
        for &src in sources {
            if src.starts_with("<<") {
                continue;
            }
            let expanded = env.value(src, escape);
            if expanded.contains("://") || expanded.starts_with("git@") {
                continue;
            }
            let cleaned = if expanded.contains('\\') {
                clean(&expanded.replace('\\', "/"))
            } else {
                clean(&expanded)
            };
            let excluded = if cleaned == "." || cleaned == "/" {
                // The context root: only when everything in it is excluded.
                ignore.matches_or_parent_matches("a")
                    && ignore.matches_or_parent_matches("zz.probe")
            } else {
                ignore.matches_or_parent_matches(&cleaned)
            };
            if excluded {
                out.push(RULE.finding(
                    head_span(ctx, ins),
                    format!(
                        "Attempting to {verb} file {} that is excluded by .dockerignore",
                        go_quote(&cleaned)
                    ),
                ));
            }
        }
    }
}
