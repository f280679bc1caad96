//! WorkdirRelativePath: make a relative WORKDIR absolute. Safe when an earlier WORKDIR of
//! the stage gives the directory it is relative to; otherwise it assumes the image's `/`.

use super::instruction_of;
use crate::model::{InstructionKind, Model};
use crate::rules::{Edit, Finding, Fix};

pub fn fixes(model: &Model, text: &str, finding: &Finding) -> Vec<Fix> {
    let _ = text;
    let Some((index, ins)) = instruction_of(model, finding) else {
        return Vec::new();
    };
    if ins.kind != InstructionKind::Workdir {
        return Vec::new();
    }
    let path = ins.rest.value.trim();
    if path.is_empty() || path.starts_with('/') || path.contains('$') || path.contains(' ') {
        return Vec::new();
    }
    let Some(stage) = ins.stage.and_then(|s| model.stages.get(s)) else {
        return Vec::new();
    };
    // The last absolute WORKDIR before it in the stage, and the relative ones after it.
    let mut base: Option<String> = None;
    for i in stage.instructions.start..index {
        let Some(w) = model.instructions.get(i) else {
            continue;
        };
        if w.kind != InstructionKind::Workdir {
            continue;
        }
        let v = w.rest.value.trim();
        if v.contains('$') {
            return Vec::new();
        }
        base = Some(if v.starts_with('/') {
            v.to_string()
        } else {
            match &base {
                Some(b) => join(b, v),
                None => return Vec::new(),
            }
        });
    }
    let safe = base.is_some();
    let absolute = join(base.as_deref().unwrap_or("/"), path);
    vec![Fix {
        title: format!("Use the absolute path {absolute}"),
        edits: vec![Edit {
            span: ins.rest.span,
            new_text: absolute,
        }],
        safe,
    }]
}

fn join(base: &str, rel: &str) -> String {
    let rel = rel.strip_prefix("./").unwrap_or(rel);
    let base = base.trim_end_matches('/');
    if rel == "." || rel.is_empty() {
        return if base.is_empty() {
            "/".into()
        } else {
            base.into()
        };
    }
    format!("{base}/{rel}")
}
