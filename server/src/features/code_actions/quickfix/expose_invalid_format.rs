//! ExposeInvalidFormat: keep only the container port (and protocol) of `ip:host:port`
//! forms, which is all BuildKit uses.

use super::instruction_of;
use crate::model::{InstructionKind, Model};
use crate::rules::{Edit, Finding, Fix};

pub fn fixes(model: &Model, text: &str, finding: &Finding) -> Vec<Fix> {
    let _ = text;
    let Some((_, ins)) = instruction_of(model, finding) else {
        return Vec::new();
    };
    if ins.kind != InstructionKind::Expose {
        return Vec::new();
    }
    let mut edits = Vec::new();
    for w in &ins.words {
        if w.value.contains('$') || !w.value.contains(':') || w.raw != w.value {
            continue;
        }
        let port = w.value.rsplit(':').next().unwrap_or_default();
        if port.is_empty() {
            continue;
        }
        edits.push(Edit {
            span: w.span,
            new_text: port.to_string(),
        });
    }
    if edits.is_empty() {
        return Vec::new();
    }
    vec![Fix {
        title: "Expose only the container port".to_string(),
        edits,
        safe: true,
    }]
}
