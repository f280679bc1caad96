//! MultipleInstructionsDisallowed: remove the CMD / ENTRYPOINT / HEALTHCHECK that a later one
//! of the same stage replaces (it has no effect on the image).

use super::{instruction_lines, instruction_of};
use crate::model::InstructionKind;
use crate::model::Model;
use crate::rules::{Edit, Finding, Fix};

pub fn fixes(model: &Model, text: &str, finding: &Finding) -> Vec<Fix> {
    let Some((_, ins)) = instruction_of(model, finding) else {
        return Vec::new();
    };
    if !matches!(
        ins.kind,
        InstructionKind::Cmd | InstructionKind::Entrypoint | InstructionKind::Healthcheck
    ) {
        return Vec::new();
    }
    vec![Fix {
        title: format!("Remove this {} (a later one replaces it)", ins.kind.name()),
        edits: vec![Edit {
            span: instruction_lines(text, ins),
            new_text: String::new(),
        }],
        safe: true,
    }]
}
