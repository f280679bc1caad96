//! PersistentDebianFrontend: `ENV DEBIAN_FRONTEND=noninteractive` stays in the image.

use super::util;
use crate::model::{Details, InstructionKind};
use crate::rules::{Category, Ctx, Finding, Fix, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "PersistentDebianFrontend",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Info,
    scope: Scope::Stage,
    summary: "`ENV DEBIAN_FRONTEND=…` is kept in the image; set it for the build only",
    docs: r#"`DEBIAN_FRONTEND=noninteractive` is meant for the build's `apt-get` calls. Set with ENV,
it stays in the image's environment: whoever runs `apt-get` in a container later gets no
prompts and silently accepted defaults, and images built on top inherit it.

Use `ARG DEBIAN_FRONTEND=noninteractive` (visible to the RUNs of the stage, not stored in the
image) or set it on the command (`RUN DEBIAN_FRONTEND=noninteractive apt-get install …`).

The fix turns the ENV into an ARG when it sets nothing else. It is applied automatically only
when no later stage is built on this one (`FROM <stage>` inherits ENV but not ARG).
"#,
    bad: "FROM debian:bookworm-slim\nENV DEBIAN_FRONTEND=noninteractive\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
    good: "FROM debian:bookworm-slim\nARG DEBIAN_FRONTEND=noninteractive\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let model = ctx.model;
    // Stages that another stage is built on, computed on first need.
    let mut has_child: Option<Vec<bool>> = None;
    for (_, ins) in ctx.instructions() {
        if ins.kind != InstructionKind::Env {
            continue;
        }
        let Details::Pairs(pairs) = &ins.details else {
            continue;
        };
        for kv in pairs {
            if kv.key.value != "DEBIAN_FRONTEND" {
                continue;
            }
            let value = kv
                .value
                .as_ref()
                .map(|v| v.value.clone())
                .unwrap_or_default();
            let mut f = RULE.finding(
                kv.span,
                format!("`DEBIAN_FRONTEND={value}` stays in the image's environment: use `ARG DEBIAN_FRONTEND={value}`"),
            );
            if pairs.len() == 1 && !value.is_empty() && !value.contains(char::is_whitespace) {
                let has_child = has_child.get_or_insert_with(|| {
                    let mut v = vec![false; model.stages.len()];
                    for p in model
                        .stages
                        .iter()
                        .filter_map(|st| util::parent_stage(model, st))
                    {
                        if let Some(slot) = v.get_mut(p) {
                            *slot = true;
                        }
                    }
                    v
                });
                let child = ins
                    .stage
                    .is_some_and(|s| has_child.get(s).copied().unwrap_or(false));
                let keyword = if ins.keyword.chars().all(|c| c.is_ascii_lowercase()) {
                    "arg"
                } else {
                    "ARG"
                };
                f.fix = Some(Fix {
                    title: "Use ARG".into(),
                    edits: vec![util::replace(
                        ins.span,
                        &format!("{keyword} DEBIAN_FRONTEND={value}"),
                    )],
                    safe: !child,
                });
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::{apply, check_rule};

    #[test]
    fn cases() {
        let f = check_rule(&RULE, RULE.bad);
        let fix = f[0].fix.as_ref().expect("fix");
        assert!(fix.safe);
        assert_eq!(apply(RULE.bad, fix), RULE.good);
        let child = "FROM debian AS base\nENV DEBIAN_FRONTEND noninteractive\nFROM base\nRUN apt-get update\n";
        let f = check_rule(&RULE, child);
        let fix = f[0].fix.as_ref().expect("fix");
        assert!(!fix.safe, "a later stage inherits the ENV");
        assert_eq!(apply(child, fix), "FROM debian AS base\nARG DEBIAN_FRONTEND=noninteractive\nFROM base\nRUN apt-get update\n");
        assert!(check_rule(&RULE, "FROM d\nARG DEBIAN_FRONTEND=noninteractive\n").is_empty());
        let multi = check_rule(&RULE, "FROM d\nENV A=1 DEBIAN_FRONTEND=noninteractive\n");
        assert_eq!(multi.len(), 1);
        assert!(multi[0].fix.is_none());
    }
}
