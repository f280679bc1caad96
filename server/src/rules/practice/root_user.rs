//! RootUser: the final stage runs as root.

use super::util;
use crate::model::InstructionKind;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "RootUser",
    aliases: &["DL3002"],
    buildkit: false,
    experimental: false,
    category: Category::Security,
    severity: Severity::Warning,
    scope: Scope::File,
    summary: "The final stage runs as root",
    docs: r#"Containers of the image run as the last `USER` of the final stage (following `FROM <stage>`
to the stages it is built on). Running as root gives a process that escapes the application,
or a mounted volume, root's rights.

- `USER root` or `USER 0` as the last `USER` of the final stage: a warning.
- No `USER` at all in the final stage: reported at the `FROM` as information (`info`), since the
  base image's user is unknown; base images known to run as a non-root user (tags containing
  `nonroot`, Chainguard images) and Windows images are not reported. `FROM scratch` is reported
  (its processes run as uid 0) unless the image says nothing to run: a final `scratch` stage
  with no `CMD` or `ENTRYPOINT` is the usual way to export build artifacts
  (`docker build --output`), and no container runs it.

Create an unprivileged user (or use a numeric uid that exists in the base image, e.g. `65532`)
and switch to it at the end of the final stage. An entrypoint that drops privileges itself
(e.g. with `gosu`) is a deliberate choice: suppress the finding there.
"#,
    bad: "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nUSER root\nCMD [\"node\", \"server.js\"]\n",
    good: "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nUSER node\nCMD [\"node\", \"server.js\"]\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let model = ctx.model;
    let Some(last) = model.stages.last() else {
        return;
    };
    for si in util::stage_chain(model, last.index) {
        let Some(stage) = model.stages.get(si) else {
            return;
        };
        let user = util::stage_instructions(model, stage)
            .iter()
            .rev()
            .find(|i| i.kind == InstructionKind::User);
        if let Some(ins) = user {
            let value = ins.rest.value.trim();
            let name = value.split(':').next().unwrap_or("");
            if name == "root" || name == "0" {
                out.push(RULE.finding(
                    ins.span,
                    format!("The final stage runs as root (`USER {value}`); switch to an unprivileged user"),
                ));
            }
            return;
        }
    }
    let Some(image) = util::base_image(model, last.index) else {
        return;
    };
    if util::is_scratch(model, last.index) && !runs_anything(model, last.index) {
        return;
    }
    let raw = image.raw.to_ascii_lowercase();
    if image.has_variables
        || image.tag.as_deref().is_some_and(|t| t.contains("nonroot"))
        || raw.contains("chainguard")
        || raw.contains("windows")
        || raw.contains("nanoserver")
        || raw.contains("servercore")
    {
        return;
    }
    let Some(from) = model.instructions.get(last.from) else {
        return;
    };
    let mut f = RULE.finding(
        from.span,
        "The final stage has no USER instruction: containers run as the base image's user, root for most images",
    );
    f.severity = Severity::Info;
    out.push(f);
}

/// Whether the stage (with the stages it is built on) says what a container runs.
fn runs_anything(model: &crate::model::Model, stage: usize) -> bool {
    util::stage_chain(model, stage).into_iter().any(|si| {
        model.stages.get(si).is_some_and(|s| {
            util::stage_instructions(model, s)
                .iter()
                .any(|i| matches!(i.kind, InstructionKind::Cmd | InstructionKind::Entrypoint))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::check_rule;

    #[test]
    fn cases() {
        if crate::model::build("FROM a\n").instructions.is_empty() {
            return;
        }
        let f = check_rule(&RULE, "FROM alpine\nRUN true\n");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
        assert!(check_rule(&RULE, "FROM gcr.io/distroless/static:nonroot\nCOPY a /a\n").is_empty());
        assert!(check_rule(
            &RULE,
            "FROM alpine AS base\nUSER 1000\nFROM base\nCMD [\"x\"]\n"
        )
        .is_empty());
        assert_eq!(
            check_rule(&RULE, "FROM alpine AS base\nUSER 0:0\nFROM base\n")[0].severity,
            Severity::Warning
        );
        // A scratch image runs as uid 0; an export stage (nothing to run) is no container.
        assert_eq!(
            check_rule(
                &RULE,
                "FROM scratch\nCOPY app /app\nENTRYPOINT [\"/app\"]\n"
            )
            .len(),
            1
        );
        assert_eq!(
            check_rule(
                &RULE,
                "FROM scratch AS base\nCMD [\"/app\"]\nFROM base\nCOPY app /app\n"
            )
            .len(),
            1
        );
        assert!(check_rule(&RULE, "FROM golang:1.23 AS b\nRUN go build -o /out/app\nFROM scratch AS out\nCOPY --from=b /out /\n").is_empty());
        // A build stage running as root does not matter.
        assert!(check_rule(
            &RULE,
            "FROM alpine AS b\nUSER root\nFROM alpine\nUSER app\n"
        )
        .is_empty());
    }
}
