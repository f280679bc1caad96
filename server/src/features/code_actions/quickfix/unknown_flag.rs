//! UnknownFlag: a misspelt flag name becomes the flag the rule suggests
//! (`COPY --form=build` → `--from=build`).

use crate::model::Model;
use crate::rules::{Edit, Finding, Fix};

pub fn fixes(model: &Model, text: &str, finding: &Finding) -> Vec<Fix> {
    let _ = text;
    let Some(name) = suggestion(&finding.message) else {
        return Vec::new();
    };
    let Some((_, ins)) = super::instruction_of(model, finding) else {
        return Vec::new();
    };
    let Some(flag) = ins.flags.iter().find(|f| f.span == finding.span) else {
        return Vec::new();
    };
    if flag.name_span.is_empty() {
        return Vec::new();
    }
    vec![Fix {
        title: format!("Change to --{name}"),
        edits: vec![Edit {
            span: flag.name_span,
            new_text: name,
        }],
        safe: false,
    }]
}

/// The name in "did you mean `--name`?".
fn suggestion(message: &str) -> Option<String> {
    let rest = message.split("did you mean `--").nth(1)?;
    let name = rest.split('`').next()?;
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .then(|| name.to_string())
}
