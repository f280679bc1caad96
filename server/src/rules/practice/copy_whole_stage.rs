//! CopyWholeStage: `COPY --from=<stage> / …` copies an entire OS filesystem.

use super::util;
use crate::model::{InstructionKind, StageRefKind};
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity, StageSet};

pub const RULE: Rule = Rule {
    id: "CopyWholeStage",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Size,
    severity: Severity::Warning,
    scope: Scope::StageAndSources,
    summary: "`COPY --from=<stage> /` copies the stage's whole filesystem, OS included",
    docs: r#"Copying `/` from a build stage brings its entire root filesystem: the base image's
operating system, compilers, caches and sources. That undoes the point of a multi-stage
build and can overwrite the target stage's own files.

Copy only the build output (`COPY --from=build /out/app /usr/local/bin/app`), or collect it in a
`FROM scratch` stage first (copying `/` of such a stage is fine and not reported).

Reported when the source is `/` (or `/.`, `/*`) and the stage it names has RUN instructions or
is built on an image other than `scratch`; plain images named by `--from` are not judged
(helper images such as `tonistiigi/xx` are meant to be copied whole).
"#,
    bad: "FROM golang:1.23 AS build\nRUN go build -o /out/app .\n\nFROM alpine:3.20\nCOPY --from=build / /\n",
    good: "FROM golang:1.23 AS build\nRUN go build -o /out/app .\n\nFROM alpine:3.20\nCOPY --from=build /out/app /usr/local/bin/app\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let model = ctx.model;
    // The references are in instruction order: those of the instructions in scope.
    let refs = &model.stage_refs;
    let scoped = StageSet::ranges(ctx.scope, model)
        .into_iter()
        .flat_map(|range| {
            let start = refs.partition_point(|r| r.instruction < range.start);
            let end = refs.partition_point(|r| r.instruction < range.end);
            refs.get(start..end.max(start)).unwrap_or(&[])
        });
    for r in scoped {
        if r.kind != StageRefKind::CopyFrom {
            continue;
        }
        let Some(target) = r.target else { continue };
        let Some(ins) = model.instructions.get(r.instruction) else {
            continue;
        };
        if ins.kind != InstructionKind::Copy {
            continue;
        }
        let (sources, _) = util::copy_sources_dest(ins);
        let Some(root) = sources
            .iter()
            .find(|w| matches!(w.value.as_str(), "/" | "/." | "/*" | "/./"))
        else {
            continue;
        };
        let chain = util::stage_chain(model, target);
        let has_os = !util::is_scratch(model, target)
            && chain.iter().any(|si| {
                model.stages.get(*si).is_some_and(|s| {
                    util::stage_instructions(model, s)
                        .iter()
                        .any(|i| i.kind == InstructionKind::Run)
                })
            });
        if !has_os {
            continue;
        }
        out.push(RULE.finding(
            root.span,
            format!("This copies the whole filesystem of stage `{}`, its OS included; copy only the build output", r.name),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::check_rule;

    #[test]
    fn cases() {
        // A scratch stage collecting binaries, and a helper image: fine.
        assert!(check_rule(&RULE, "FROM golang AS b\nRUN go build -o /out/x\nFROM scratch AS bin\nCOPY --from=b /out/x /\nFROM alpine\nCOPY --from=bin / /usr/bin/\n").is_empty());
        assert!(check_rule(
            &RULE,
            "FROM tonistiigi/xx AS xx\nFROM alpine\nCOPY --from=xx / /\n"
        )
        .is_empty());
        assert!(check_rule(&RULE, "FROM alpine\nCOPY --from=tonistiigi/xx / /\n").is_empty());
    }
}
