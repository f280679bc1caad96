//! Fix providers for rules whose findings carry no fix of their own, keyed by rule id.
//! Each provider looks at the finding and the model and returns zero or more fixes.

mod expose_invalid_format;
mod multiple_instructions_disallowed;
mod no_empty_continuation;
mod pipefail_missing;
mod root_user;
mod secrets_used_in_arg_or_env;
mod undefined_var;
mod unknown_flag;
mod workdir_relative_path;

use crate::model::{Instruction, Model, Span};
use crate::rules::{Finding, Fix};

/// Fixes for `finding` from the provider of its rule, if there is one.
pub fn provide(model: &Model, text: &str, finding: &Finding) -> Vec<Fix> {
    let provider: fn(&Model, &str, &Finding) -> Vec<Fix> = match finding.rule {
        "SecretsUsedInArgOrEnv" => secrets_used_in_arg_or_env::fixes,
        "RootUser" => root_user::fixes,
        "MultipleInstructionsDisallowed" => multiple_instructions_disallowed::fixes,
        "NoEmptyContinuation" => no_empty_continuation::fixes,
        "WorkdirRelativePath" => workdir_relative_path::fixes,
        "ExposeInvalidFormat" => expose_invalid_format::fixes,
        "UnknownFlag" => unknown_flag::fixes,
        "UndefinedVar" => undefined_var::fixes,
        "PipefailMissing" => pipefail_missing::fixes,
        _ => return Vec::new(),
    };
    provider(model, text, finding)
}

/// Rule ids that have a provider here.
pub const PROVIDED: &[&str] = &[
    "SecretsUsedInArgOrEnv",
    "RootUser",
    "MultipleInstructionsDisallowed",
    "NoEmptyContinuation",
    "WorkdirRelativePath",
    "ExposeInvalidFormat",
    "UnknownFlag",
    "UndefinedVar",
    "PipefailMissing",
];

/// The file's escape character (`Model::escape` is `\0` when no directive sets it).
pub fn escape_char(model: &Model) -> char {
    match model.escape {
        '`' => '`',
        _ => '\\',
    }
}

/// Start of the line containing `offset`.
pub(crate) fn line_start(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.get(..offset)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// Offset just after the line end of the line containing `offset` (or the end of text).
pub(crate) fn next_line_start(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.get(offset..)
        .and_then(|s| s.find('\n'))
        .map_or(text.len(), |i| offset + i + 1)
}

/// The whole lines of an instruction, with the final line end.
pub(crate) fn instruction_lines(text: &str, ins: &Instruction) -> Span {
    Span::new(
        line_start(text, ins.span.start),
        next_line_start(text, ins.span.end),
    )
}

/// The line end the file uses (`\r\n` when its first line ends so).
pub(crate) fn eol(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes().get(i - 1) == Some(&b'\r') => "\r\n",
        _ => "\n",
    }
}

/// The instruction the finding is about (the one its span starts in).
pub(crate) fn instruction_of<'m>(
    model: &'m Model,
    finding: &Finding,
) -> Option<(usize, &'m Instruction)> {
    model.instruction_at(finding.span.start)
}

/// The keyword in the file's prevailing case (`RUN` or `run`).
pub(crate) fn keyword(model: &Model, upper: &str) -> String {
    let (lower, total) = model
        .instructions
        .iter()
        .fold((0usize, 0usize), |(l, t), ins| {
            let is_lower = ins.keyword.chars().all(|c| !c.is_ascii_uppercase());
            (l + is_lower as usize, t + 1)
        });
    if total > 0 && lower * 2 > total {
        upper.to_ascii_lowercase()
    } else {
        upper.to_string()
    }
}
