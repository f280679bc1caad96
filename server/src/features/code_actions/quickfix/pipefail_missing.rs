//! PipefailMissing: `SHELL [<sh>, "-o", "pipefail", "-c"]` before the RUN (bash on
//! Debian-like images, busybox ash on Alpine). Not automatic: every later RUN of the stage
//! then runs under that shell.

use super::{eol, keyword, line_start};
use crate::model::{InstructionKind, Model, Span};
use crate::rules::{Edit, Finding, Fix};

pub fn fixes(model: &Model, text: &str, finding: &Finding) -> Vec<Fix> {
    let Some((index, ins)) = super::instruction_of(model, finding) else {
        return Vec::new();
    };
    if ins.kind != InstructionKind::Run {
        return Vec::new();
    }
    let Some(stage) = ins.stage else {
        return Vec::new();
    };
    // A SHELL already chosen in the stage is the user's: leave it.
    let has_shell = model.stages.get(stage).is_some_and(|st| {
        (st.instructions.start..index).any(|i| {
            model
                .instructions
                .get(i)
                .is_some_and(|x| x.kind == InstructionKind::Shell)
        })
    });
    if has_shell {
        return Vec::new();
    }
    let image = super::root_user::final_image(model, stage).unwrap_or_default();
    if image.is_empty()
        || image == "scratch"
        || image.contains("windows")
        || image.contains("nanoserver")
        || image.contains("distroless")
    {
        return Vec::new();
    }
    let shell = if image.contains("alpine") || image.contains("busybox") {
        "/bin/ash"
    } else {
        "/bin/bash"
    };
    let at = line_start(text, ins.span.start);
    let indent: String = text
        .get(at..ins.span.start)
        .unwrap_or_default()
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    vec![Fix {
        title: format!("Run with {shell} -o pipefail (SHELL)"),
        edits: vec![Edit {
            span: Span::new(at, at),
            new_text: format!(
                "{indent}{} [\"{shell}\", \"-o\", \"pipefail\", \"-c\"]{}",
                keyword(model, "SHELL"),
                eol(text)
            ),
        }],
        safe: false,
    }]
}
