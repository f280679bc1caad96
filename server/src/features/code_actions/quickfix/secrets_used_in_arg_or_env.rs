//! SecretsUsedInArgOrEnv: pass the value as a build secret. The ARG (or ENV) goes away and
//! every RUN that reads it (or, when none names it, every later RUN of the stage, which
//! sees build args in its environment) gets `--mount=type=secret,id=<name>,env=<NAME>`.
//! Adds `# syntax=docker/dockerfile:1` when the file has no syntax directive (`env=` on
//! secret mounts needs Dockerfile syntax 1.10).

use super::{eol, instruction_lines, instruction_of};
use crate::model::{Details, InstructionKind, Model, Span};
use crate::rules::{Edit, Finding, Fix};

pub fn fixes(model: &Model, text: &str, finding: &Finding) -> Vec<Fix> {
    fix(model, text, finding).into_iter().collect()
}

fn fix(model: &Model, text: &str, finding: &Finding) -> Option<Fix> {
    let (index, ins) = instruction_of(model, finding)?;
    if !matches!(ins.kind, InstructionKind::Arg | InstructionKind::Env) {
        return None;
    }
    let Details::Pairs(pairs) = &ins.details else {
        return None;
    };
    let pair_at = pairs
        .iter()
        .position(|kv| kv.key.span.touches(finding.span.start) && !kv.key.span.is_empty())
        .or_else(|| {
            pairs.iter().position(|kv| {
                crate::rules::buildkit::secrets_used_in_arg_or_env::looks_secret(&kv.key.value)
            })
        })?;
    let pair = pairs.get(pair_at)?;
    let name = pair.key.value.clone();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let var = model
        .vars
        .iter()
        .position(|v| v.instruction == Some(index) && v.name == name)?;
    // Every use of this definition must be in a RUN.
    let mut runs: Vec<usize> = Vec::new();
    for u in model.var_uses.iter().filter(|u| u.def == Some(var)) {
        let user = model.instructions.get(u.instruction)?;
        if user.kind != InstructionKind::Run {
            return None;
        }
        if !runs.contains(&u.instruction) {
            runs.push(u.instruction);
        }
    }
    if runs.is_empty() && ins.kind == InstructionKind::Arg {
        let stage = ins.stage.and_then(|s| model.stages.get(s))?;
        runs = (index + 1..stage.instructions.end)
            .filter(|&i| {
                model
                    .instructions
                    .get(i)
                    .is_some_and(|x| x.kind == InstructionKind::Run)
            })
            .collect();
    }
    let id = name.to_ascii_lowercase();
    let mount = format!("--mount=type=secret,id={id},env={name}");
    let mut edits = Vec::new();
    if model.directive("syntax").is_none() {
        let at = if text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        edits.push(Edit {
            span: Span::new(at, at),
            new_text: format!("# syntax=docker/dockerfile:1{}", eol(text)),
        });
    }
    // Remove the pair (or the whole instruction when it is the only one).
    if pairs.len() == 1 {
        edits.push(Edit {
            span: instruction_lines(text, ins),
            new_text: String::new(),
        });
    } else {
        // The pair and the blanks before it (or after it, for the first pair).
        let mut start = pair.span.start;
        let mut end = pair.span.end;
        if pair_at == 0 {
            let next = pairs.get(1)?;
            end = next.span.start;
        } else {
            let prev = pairs.get(pair_at - 1)?;
            start = prev.span.end;
        }
        let between = text.get(start..end)?;
        if between.contains(super::escape_char(model)) && pair_at > 0 {
            // A continuation between pairs: remove only the pair itself.
            start = pair.span.start;
            end = pair.span.end;
        }
        edits.push(Edit {
            span: Span::new(start, end),
            new_text: String::new(),
        });
    }
    for r in &runs {
        let run = model.instructions.get(*r)?;
        let has = run.flags.iter().any(|f| {
            f.name.eq_ignore_ascii_case("mount")
                && f.options
                    .iter()
                    .any(|o| o.key == "type" && o.value.as_deref() == Some("secret"))
                && f.options.iter().any(|o| {
                    (o.key == "id" && o.value.as_deref() == Some(id.as_str()))
                        || (o.key == "env" && o.value.as_deref() == Some(name.as_str()))
                })
        });
        if has {
            continue;
        }
        edits.push(Edit {
            span: Span::new(run.keyword_span.end, run.keyword_span.end),
            new_text: format!(" {mount}"),
        });
    }
    let what = if ins.kind == InstructionKind::Arg {
        "ARG"
    } else {
        "ENV"
    };
    Some(Fix {
        title: format!("Pass {name} as a build secret instead of {what} (RUN {mount})"),
        edits,
        safe: false,
    })
}

#[cfg(test)]
mod tests {
    use crate::features::code_actions::{apply_edits, fixes_for};
    use crate::rules::{self, CheckOptions};

    fn fixed(text: &str) -> String {
        let model = crate::model::build(text);
        let findings = rules::check(&model, text, &CheckOptions::default());
        let f = findings
            .iter()
            .find(|f| f.rule == "SecretsUsedInArgOrEnv")
            .expect("finding");
        let fix = fixes_for(&model, text, f).into_iter().next().expect("fix");
        apply_edits(text, &fix.edits)
    }

    #[test]
    fn arg_to_secret_mount() {
        assert_eq!(
            fixed("FROM node:22\nARG NPM_TOKEN\nCOPY . .\nRUN npm ci\nRUN npm run build\n"),
            "# syntax=docker/dockerfile:1\nFROM node:22\nCOPY . .\nRUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci\nRUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm run build\n"
        );
        assert_eq!(
            fixed("# syntax=docker/dockerfile:1\nFROM alpine\nARG A=1 GITHUB_TOKEN\nRUN echo $A\nRUN fetch --token \"$GITHUB_TOKEN\"\n"),
            "# syntax=docker/dockerfile:1\nFROM alpine\nARG A=1\nRUN echo $A\nRUN --mount=type=secret,id=github_token,env=GITHUB_TOKEN fetch --token \"$GITHUB_TOKEN\"\n"
        );
    }

    #[test]
    fn no_fix_when_used_outside_run() {
        let text = "FROM alpine\nARG API_KEY\nLABEL k=$API_KEY\n";
        let model = crate::model::build(text);
        let findings = rules::check(&model, text, &CheckOptions::default());
        let f = findings
            .iter()
            .find(|f| f.rule == "SecretsUsedInArgOrEnv")
            .expect("finding");
        assert!(fixes_for(&model, text, f).is_empty());
    }
}
