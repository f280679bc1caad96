//! NoEmptyContinuation: delete the empty lines inside a continued instruction.

use super::{instruction_of, line_start, next_line_start};
use crate::model::{Model, Span};
use crate::rules::{Edit, Finding, Fix};

pub fn fixes(model: &Model, text: &str, finding: &Finding) -> Vec<Fix> {
    let Some((_, ins)) = instruction_of(model, finding) else {
        return Vec::new();
    };
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut edits = Vec::new();
    for &line in &ins.empty_continuation_lines {
        let Some(&start) = starts.get(line) else {
            continue;
        };
        let start = line_start(text, start);
        let end = next_line_start(text, start);
        let content = text.get(start..end).unwrap_or_default();
        if !content.trim().is_empty() {
            continue;
        }
        edits.push(Edit {
            span: Span::new(start, end),
            new_text: String::new(),
        });
    }
    if edits.is_empty() {
        return Vec::new();
    }
    vec![Fix {
        title: "Remove the empty continuation lines".to_string(),
        edits,
        safe: true,
    }]
}
