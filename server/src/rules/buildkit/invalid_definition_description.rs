//! BuildKit's InvalidDefinitionDescription (experimental): a comment directly above an
//! ARG or a named FROM that does not start with the name it describes.

use super::common::head_span;
use crate::model::{Details, InstructionKind};
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "InvalidDefinitionDescription",
    aliases: &[],
    buildkit: true,
    experimental: true,
    category: Category::Style,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "Description comments of ARGs and stages should start with the name",
    docs: "Tools such as `docker build --call=outline` and `--call=targets` show the comment \
directly above an ARG or a named stage as its description when the comment starts with \
the name: `# version the release to build` above `ARG version`. A comment there that does \
not start with the name is probably not meant as a description; separate it with an empty \
line, or start it with the name.\n\nExperimental: enable it with `# check=experimental=\
InvalidDefinitionDescription` or in the configuration.",
    bad: "# check=experimental=InvalidDefinitionDescription\nFROM alpine\n# the version to install\nARG version=1.0\n",
    good: "# check=experimental=InvalidDefinitionDescription\nFROM alpine\n# version the version to install\nARG version=1.0\n",
    check,
};

fn is_control_comment(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with("check=")
        || t.starts_with("check =")
        || t.starts_with("hadolint ")
        || t.starts_with("dockerfile-ls ")
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let m = ctx.model;
    if m.comments.is_empty() {
        return;
    }
    for (_, ins) in ctx.instructions() {
        let (what, keys): (&str, Vec<String>) = match (&ins.kind, &ins.details) {
            (
                InstructionKind::From,
                Details::From {
                    stage_name: Some(n),
                    ..
                },
            ) => ("FROM", vec![n.value.to_lowercase().to_string()]),
            (InstructionKind::Arg, Details::Pairs(p)) => {
                ("ARG", p.iter().map(|kv| kv.key.value.to_string()).collect())
            }
            _ => continue,
        };
        if keys.is_empty() || ins.start_line == 0 {
            continue;
        }
        // The comment directly above (an empty `#` or an empty line ends the block).
        let line = ins.start_line - 1;
        let at = m.comments.partition_point(|c| c.line < line);
        let Some(text) = m
            .comments
            .get(at)
            .filter(|c| c.line == line)
            .map(|c| c.text.as_str())
        else {
            continue;
        };
        if text.is_empty() || is_control_comment(text) {
            continue;
        }
        let first = text.split(' ').next().unwrap_or("");
        if keys.iter().any(|k| k == first) {
            continue;
        }
        let example = if keys.len() > 1 {
            "<arg_key>"
        } else {
            keys[0].as_str()
        };
        out.push(RULE.finding(
            head_span(ctx, ins),
            format!("Comment for {what} should follow the format: `# {example} <description>`"),
        ));
    }
}
