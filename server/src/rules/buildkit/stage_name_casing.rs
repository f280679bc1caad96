//! BuildKit's StageNameCasing: `FROM image AS Name` with upper-case letters in the name.

use super::common::on_first_line;
use crate::model::{Details, InstructionKind};
use crate::rules::{Category, Ctx, Edit, Finding, Fix, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "StageNameCasing",
    aliases: &[],
    buildkit: true,
    experimental: false,
    category: Category::Style,
    severity: Severity::Warning,
    scope: Scope::File,
    summary: "Stage names should be written in lower case",
    docs: "BuildKit treats stage names case-insensitively: `AS Builder` declares the stage \
`builder`, and `--from=BUILDER` finds it too. Writing the name in mixed case suggests a \
distinction that does not exist and makes references inconsistent. Write stage names in \
lower case.\n\nThe fix lowercases the name and every reference to the stage.",
    bad: "FROM alpine AS BuildStage\nRUN echo hi > /out\n\nFROM alpine\nCOPY --from=BuildStage /out /out\n",
    good: "FROM alpine AS buildstage\nRUN echo hi > /out\n\nFROM alpine\nCOPY --from=buildstage /out /out\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    // The references to each stage, listed at the first name to fix (each name looking
    // through all references cost quadratic time in files of thousands of stages).
    let mut refs_to: Option<Vec<Vec<usize>>> = None;
    // Every FROM starts a stage.
    for stage in &ctx.model.stages {
        let Some(ins) = ctx.model.instructions.get(stage.from) else {
            continue;
        };
        if ins.kind != InstructionKind::From || ins.words.len() != 3 {
            continue;
        }
        let Details::From {
            stage_name: Some(name),
            ..
        } = &ins.details
        else {
            continue;
        };
        // ASCII without upper case (most names) is its own lower case.
        if name
            .value
            .bytes()
            .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
        {
            continue;
        }
        let lower = name.value.to_lowercase();
        if lower == name.value {
            continue;
        }
        let mut f = RULE.finding(
            on_first_line(ctx, ins, name.span),
            format!("Stage name '{}' should be lowercase", name.value),
        );
        let mut edits = vec![Edit {
            span: name.span,
            new_text: lower.to_string(),
        }];
        if let Some(stage) = ins.stage {
            let refs_to = refs_to.get_or_insert_with(|| {
                let mut by_target = vec![Vec::new(); ctx.model.stages.len()];
                for (i, r) in ctx.model.stage_refs.iter().enumerate() {
                    if let Some(list) = r.target.and_then(|t| by_target.get_mut(t)) {
                        list.push(i);
                    }
                }
                by_target
            });
            let refs = refs_to.get(stage).into_iter().flatten();
            for r in refs.filter_map(|&i| ctx.model.stage_refs.get(i)) {
                if r.name != lower && r.name.eq_ignore_ascii_case(&name.value) {
                    edits.push(Edit {
                        span: r.span,
                        new_text: lower.to_string(),
                    });
                }
            }
        }
        f.fix = Some(Fix {
            title: format!("Rename the stage to `{lower}`"),
            edits,
            safe: true,
        });
        out.push(f);
    }
}
