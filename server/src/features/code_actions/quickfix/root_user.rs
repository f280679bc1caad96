//! RootUser: run the final stage as an unprivileged user. `USER root` becomes that user;
//! a final stage without USER gets one before its CMD/ENTRYPOINT (with the user created
//! first when the image has no suitable one). Never applied automatically: the process may
//! need to write where only root can.

use super::{eol, instruction_of, keyword, line_start, next_line_start};
use crate::model::{InstructionKind, Model, Span};
use crate::rules::{shell, Edit, Finding, Fix};

pub fn fixes(model: &Model, text: &str, finding: &Finding) -> Vec<Fix> {
    fix(model, text, finding).into_iter().collect()
}

/// The image a stage is finally built on (following `FROM <stage>`), lower-cased.
pub(crate) fn final_image(model: &Model, stage: usize) -> Option<String> {
    let mut current = model.stages.get(stage)?;
    for _ in 0..model.stages.len() + 1 {
        let image = current.image.as_ref()?;
        let lower = image.raw.to_ascii_lowercase();
        match model
            .stages
            .iter()
            .take(current.index)
            .rev()
            .find(|s| s.key().as_deref() == Some(lower.as_str()))
        {
            Some(parent) => current = parent,
            None => return Some(lower),
        }
    }
    None
}

/// A user created by `useradd`/`adduser` in the stage or the stages it is built on.
fn created_user(model: &Model, text: &str, stage: usize) -> Option<String> {
    let scripts = shell::scripts(model, text);
    let mut chain = vec![stage];
    let mut current = model.stages.get(stage)?;
    while let Some(parent) = current.image.as_ref().and_then(|img| {
        let lower = img.raw.to_ascii_lowercase();
        model
            .stages
            .iter()
            .take(current.index)
            .rev()
            .find(|s| s.key().as_deref() == Some(lower.as_str()))
    }) {
        if chain.contains(&parent.index) {
            break;
        }
        chain.push(parent.index);
        current = parent;
    }
    let mut found = None;
    for s in chain.iter().rev() {
        let st = model.stages.get(*s)?;
        for i in st.instructions.clone() {
            let Some(script) = scripts.get(i).cloned().flatten() else {
                continue;
            };
            for c in &script.commands {
                let inv = c.invocation();
                if matches!(inv.program, "useradd" | "adduser") {
                    let with_value = [
                        "-u",
                        "-g",
                        "-G",
                        "-d",
                        "-s",
                        "-h",
                        "-c",
                        "-k",
                        "-K",
                        "--uid",
                        "--gid",
                        "--home",
                        "--shell",
                        "--gecos",
                        "--ingroup",
                        "--home-dir",
                        "--groups",
                        "--comment",
                    ];
                    if let Some(w) = inv.positionals(&with_value).last() {
                        if w.literal && !w.text.is_empty() {
                            found = Some(w.text.to_string());
                        }
                    }
                }
            }
        }
    }
    found
}

/// The user to switch to and the instruction that creates it, if one is needed.
fn choose_user(model: &Model, text: &str, stage: usize) -> (String, Option<String>) {
    if let Some(u) = created_user(model, text, stage) {
        return (u, None);
    }
    let image = final_image(model, stage).unwrap_or_default();
    let name = image
        .split(['@', ':'])
        .next()
        .unwrap_or_default()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    if name == "node" {
        return ("node".into(), None);
    }
    if image.contains("distroless") {
        return ("nonroot".into(), None);
    }
    if image == "scratch" {
        return ("65534:65534".into(), None);
    }
    let run = keyword(model, "RUN");
    if image.contains("alpine") || name == "busybox" {
        return (
            "app".into(),
            Some(format!("{run} addgroup -S app && adduser -S -G app app")),
        );
    }
    (
        "app".into(),
        Some(format!(
            "{run} groupadd --system app && useradd --system --gid app --no-create-home app"
        )),
    )
}

fn fix(model: &Model, text: &str, finding: &Finding) -> Option<Fix> {
    let (index, ins) = instruction_of(model, finding)?;
    let stage = ins.stage?;
    let eol = eol(text);
    let user_kw = keyword(model, "USER");
    match ins.kind {
        InstructionKind::User => {
            let value = ins.rest.span;
            if value.is_empty() {
                return None;
            }
            let (user, create) = choose_user(model, text, stage);
            let mut edits = Vec::new();
            if let Some(create) = create {
                let at = line_start(text, ins.span.start);
                edits.push(Edit {
                    span: Span::new(at, at),
                    new_text: format!("{create}{eol}"),
                });
            }
            edits.push(Edit {
                span: value,
                new_text: user.clone(),
            });
            Some(Fix {
                title: format!("Run as {user} instead of root"),
                edits,
                safe: false,
            })
        }
        InstructionKind::From => {
            let st = model.stages.get(stage)?;
            if st.from != index {
                return None;
            }
            let (user, create) = choose_user(model, text, stage);
            let anchor = st.instructions.clone().find(|&i| {
                model.instructions.get(i).is_some_and(|x| {
                    matches!(x.kind, InstructionKind::Cmd | InstructionKind::Entrypoint)
                })
            });
            let mut block = String::new();
            if let Some(c) = create {
                block.push_str(&c);
                block.push_str(eol);
            }
            block.push_str(&format!("{user_kw} {user}{eol}"));
            let at = match anchor.and_then(|i| model.instructions.get(i)) {
                Some(a) => line_start(text, a.span.start),
                None => {
                    let last = model
                        .instructions
                        .get(st.instructions.end.checked_sub(1)?)?;
                    if last.heredocs.iter().any(|h| h.end_span.is_none()) {
                        // An unterminated heredoc would swallow the new lines.
                        return None;
                    }
                    let end = next_line_start(text, last.span.end);
                    if end == text.len() && !text.ends_with('\n') {
                        block.insert_str(0, eol);
                    }
                    end
                }
            };
            Some(Fix {
                title: format!("Run the final stage as {user} (USER {user})"),
                edits: vec![Edit {
                    span: Span::new(at, at),
                    new_text: block,
                }],
                safe: false,
            })
        }
        _ => None,
    }
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
            .find(|f| f.rule == "RootUser")
            .expect("finding");
        let fix = fixes_for(&model, text, f).into_iter().next().expect("fix");
        apply_edits(text, &fix.edits)
    }

    #[test]
    fn users() {
        assert_eq!(
            fixed("FROM node:22\nCOPY . .\nCMD [\"node\", \"a.js\"]\n"),
            "FROM node:22\nCOPY . .\nUSER node\nCMD [\"node\", \"a.js\"]\n"
        );
        assert_eq!(
            fixed("FROM alpine:3.20\nCOPY a /a"),
            "FROM alpine:3.20\nCOPY a /a\nRUN addgroup -S app && adduser -S -G app app\nUSER app\n"
        );
        assert_eq!(
            fixed("FROM debian:12\nRUN useradd -m web\nUSER root\n"),
            "FROM debian:12\nRUN useradd -m web\nUSER web\n"
        );
    }
}
