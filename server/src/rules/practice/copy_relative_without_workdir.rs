//! CopyRelativeWithoutWorkdir: COPY to a relative destination before any WORKDIR.

use super::util;
use crate::model::InstructionKind;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "CopyRelativeWithoutWorkdir",
    aliases: &["DL3045"],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Info,
    scope: Scope::Stage,
    summary: "COPY/ADD to a relative destination before the stage sets WORKDIR",
    docs: r#"A relative destination is resolved against the working directory, which comes from the
base image when the Dockerfile does not set one: `/` for most images, but `/go`,
`/usr/src/app`, … for others, and it may change when the base image does. Files may land
somewhere unexpected.

Set `WORKDIR` before copying, or use an absolute destination. Not reported when a WORKDIR was
set earlier in the stage or in a stage it is built on, for destinations with variables, in
`FROM scratch` stages (whose working directory is `/`), when the base image is given by a
variable (it may be another stage), and in Windows images.
"#,
    bad: "FROM node:22\nCOPY package.json .\n",
    good: "FROM node:22\nWORKDIR /app\nCOPY package.json .\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let model = ctx.model;
    // Chains resolved once for all stages (linear, however long the chains).
    let parents = util::parents(model);
    let roots = util::roots(&parents);
    // Whether a stage or a stage it is built on sets WORKDIR: found on demand (only the
    // chains of the stages in scope are read), remembered so that it stays linear.
    let mut has_workdir: Vec<Option<bool>> = vec![None; parents.len()];
    let mut chain_has_workdir = |s: usize| -> bool {
        let mut todo = Vec::new();
        let mut cur = Some(s);
        let mut found = false;
        while let Some(c) = cur {
            if let Some(known) = has_workdir.get(c).copied().flatten() {
                found = known;
                break;
            }
            todo.push(c);
            cur = parents.get(c).copied().flatten();
        }
        // From the farthest ancestor down: own WORKDIR or the parent's answer.
        for c in todo.into_iter().rev() {
            found = found
                || model.stages.get(c).is_some_and(|st| {
                    util::stage_instructions(model, st)
                        .iter()
                        .any(|i| i.kind == InstructionKind::Workdir)
                });
            if let Some(slot) = has_workdir.get_mut(c) {
                *slot = Some(found);
            }
        }
        found
    };
    for stage in ctx.stages() {
        // Unknown base (a variable, maybe a stage), `scratch` (its working directory is `/`)
        // and Windows images are not judged.
        let base = roots
            .get(stage.index)
            .and_then(|r| model.stages.get(*r))
            .and_then(|s| s.image.as_ref());
        let unknown_or_known = base.is_none_or(|i| {
            let l = i.raw.to_ascii_lowercase();
            i.has_variables
                || l.contains('$')
                || l == "scratch"
                || l.contains("windows")
                || l.contains("nanoserver")
                || l.contains("servercore")
        });
        if unknown_or_known {
            continue;
        }
        // A WORKDIR in a stage it is built on.
        let inherited = parents
            .get(stage.index)
            .copied()
            .flatten()
            .is_some_and(|p| p < parents.len() && chain_has_workdir(p));
        if inherited {
            continue;
        }
        for ins in util::stage_instructions(model, stage) {
            if ins.kind == InstructionKind::Workdir {
                break;
            }
            if !matches!(ins.kind, InstructionKind::Copy | InstructionKind::Add) {
                continue;
            }
            let (_, dest) = util::copy_sources_dest(ins);
            let Some(dest) = dest else { continue };
            let d = dest.value.as_str();
            if d.starts_with('/')
                || d.contains('$')
                || d.starts_with('\\')
                || d.get(1..2) == Some(":")
            {
                continue;
            }
            out.push(RULE.finding(
                dest.span,
                format!("`{d}` is relative to the base image's working directory: set WORKDIR first or use an absolute path"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::check_rule;

    #[test]
    fn cases() {
        assert!(check_rule(&RULE, "FROM scratch\nCOPY app app\n").is_empty());
        assert!(check_rule(&RULE, "FROM alpine AS b\nWORKDIR /src\nFROM b\nCOPY a .\n").is_empty());
        assert!(check_rule(&RULE, "FROM ${BASE}\nCOPY a .\n").is_empty());
        assert_eq!(
            check_rule(&RULE, "FROM alpine\nCOPY a b\nWORKDIR /x\nCOPY c d\n").len(),
            1
        );
    }
}
