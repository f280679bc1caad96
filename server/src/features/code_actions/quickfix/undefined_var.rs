//! UndefinedVar: a misspelt variable becomes the one the rule suggests
//! (`$VERSOIN` → `$VERSION`) everywhere in the instruction.

use crate::model::Model;
use crate::rules::{Edit, Finding, Fix};

pub fn fixes(model: &Model, text: &str, finding: &Finding) -> Vec<Fix> {
    let _ = text;
    let (Some(wrong), Some(right)) = (
        between(&finding.message, "undefined variable '$", "'"),
        between(&finding.message, "did you mean $", "?"),
    ) else {
        return Vec::new();
    };
    let Some((index, _)) = super::instruction_of(model, finding) else {
        return Vec::new();
    };
    let edits: Vec<Edit> = model
        .var_uses
        .iter()
        .filter(|u| u.instruction == index && u.name == wrong && !u.name_span.is_empty())
        .map(|u| Edit {
            span: u.name_span,
            new_text: right.clone(),
        })
        .collect();
    if edits.is_empty() {
        return Vec::new();
    }
    vec![Fix {
        title: format!("Change ${wrong} to ${right}"),
        edits,
        safe: false,
    }]
}

fn between(s: &str, start: &str, end: &str) -> Option<String> {
    let rest = s.split(start).nth(1)?;
    let v = rest.split(end).next()?;
    (!v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then(|| v.to_string())
}
