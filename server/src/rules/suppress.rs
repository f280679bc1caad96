//! Turning rules off from the Dockerfile itself.
//!
//! * BuildKit's `# check=skip=A,B|all;error=true;experimental=A,B|all`: as a parser
//!   directive it applies to the whole file (or comes from `BUILDKIT_DOCKERFILE_CHECK`,
//!   which replaces it); as a comment directly above an instruction it applies to that
//!   instruction only. Text after the first space is a comment (`# check=skip=X // why`).
//! * `# dockerfile-ls ignore=RuleA,RuleB` directly above an instruction.
//! * hadolint's `# hadolint ignore=DL3008,DL3009` directly above an instruction and
//!   `# hadolint global ignore=...` anywhere (names are matched against rule aliases).

use super::Rule;
use crate::model::{Comment, Model};
use std::collections::HashMap;

/// Parsed `check=` settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckSettings {
    pub skip_all: bool,
    pub skip: Vec<String>,
    pub error: bool,
    pub experimental_all: bool,
    pub experimental: Vec<String>,
}

impl CheckSettings {
    /// BuildKit's parser for the `check` value: up to three `;`-separated `key=value` parts.
    pub fn parse(value: &str) -> Result<CheckSettings, String> {
        let value = value.trim();
        let mut out = CheckSettings::default();
        if value.is_empty() {
            return Ok(out);
        }
        for part in value.splitn(3, ';') {
            let Some((k, v)) = part.split_once('=') else {
                return Err(format!("invalid check option \"{part}\""));
            };
            let v = v.trim();
            match k.trim() {
                "skip" => {
                    if v == "all" {
                        out.skip_all = true;
                    } else {
                        out.skip = v.split(',').map(|s| s.trim().to_string()).collect();
                    }
                }
                "experimental" => {
                    if v == "all" {
                        out.experimental_all = true;
                    } else {
                        out.experimental = v.split(',').map(|s| s.trim().to_string()).collect();
                    }
                }
                "error" => {
                    out.error = parse_go_bool(v).ok_or_else(|| {
                        format!("failed to parse check option \"{part}\": invalid syntax")
                    })?;
                }
                other => return Err(format!("invalid check option \"{other}\"")),
            }
        }
        Ok(out)
    }

    /// The value of a `check` directive or comment: up to the first space.
    pub fn parse_directive_value(value: &str) -> Result<CheckSettings, String> {
        let v = value.trim();
        let v = v.split(' ').next().unwrap_or("");
        CheckSettings::parse(v)
    }

    pub fn skips(&self, rule: &Rule) -> bool {
        !rule.experimental && (self.skip_all || self.skip.iter().any(|s| names(rule, s)))
    }

    pub fn enables_experimental(&self, rule: &Rule) -> bool {
        rule.experimental
            && (self.experimental_all || self.experimental.iter().any(|s| names(rule, s)))
    }
}

/// Go's `strconv.ParseBool`.
pub fn parse_go_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Whether `name` is the rule's id or one of its aliases (aliases case-insensitively).
pub fn names(rule: &Rule, name: &str) -> bool {
    rule.id == name || rule.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
}

/// What the comments of a file say about suppressing findings.
#[derive(Debug, Default)]
pub struct Suppressions {
    /// Per instruction index: `check=` settings from the comment block directly above.
    pub check: HashMap<usize, CheckSettings>,
    /// Per instruction index: names from `dockerfile-ls ignore=` / `hadolint ignore=`.
    pub ignore: HashMap<usize, Vec<String>>,
    /// `hadolint global ignore=` names.
    pub global: Vec<String>,
    /// `check=` comments above instructions that failed to parse: (comment span, error).
    pub invalid: Vec<(crate::model::Span, String)>,
}

impl Suppressions {
    pub fn from_model(model: &Model) -> Suppressions {
        let mut out = Suppressions::default();
        if model.comments.is_empty() {
            return out;
        }
        // Comments are in line order.
        let comment_at = |line: usize| -> Option<&Comment> {
            let i = model.comments.partition_point(|c| c.line < line);
            model.comments.get(i).filter(|c| c.line == line)
        };
        if !model.comments.iter().any(|c| is_control(&c.text)) {
            return out;
        }
        for c in &model.comments {
            if let Some(rest) = strip_word(&c.text, "hadolint") {
                if let Some(names) = strip_word(rest, "global").and_then(ignore_list) {
                    out.global.extend(names);
                }
            }
        }
        for (i, ins) in model.instructions.iter().enumerate() {
            let mut line = ins.start_line;
            while line > 0 {
                line -= 1;
                let Some(c) = comment_at(line) else { break };
                let text = c.text.as_str();
                if let Some(v) = text.strip_prefix("check=").or_else(|| check_value(text)) {
                    match CheckSettings::parse_directive_value(v) {
                        Ok(s) => {
                            out.check.entry(i).or_insert(s);
                        }
                        Err(e) => out.invalid.push((c.span, e)),
                    }
                } else if let Some(rest) = strip_word(text, "dockerfile-ls") {
                    if let Some(names) = ignore_list(rest) {
                        out.ignore.entry(i).or_default().extend(names);
                    }
                } else if let Some(rest) = strip_word(text, "hadolint") {
                    if strip_word(rest, "global").is_none() {
                        if let Some(names) = ignore_list(rest) {
                            out.ignore.entry(i).or_default().extend(names);
                        }
                    }
                }
            }
        }
        out
    }
}

/// A comment that can suppress findings.
fn is_control(text: &str) -> bool {
    text.starts_with("check") || text.starts_with("hadolint") || text.starts_with("dockerfile-ls")
}

/// `check = value` with spaces around `=` (the directive grammar allows them).
fn check_value(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("check")?;
    let rest = rest.trim_start().strip_prefix('=')?;
    Some(rest.trim_start())
}

fn strip_word<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(word)?;
    if rest.is_empty() || rest.starts_with([' ', '\t', ':']) {
        Some(rest.trim_start_matches(':').trim_start())
    } else {
        None
    }
}

/// `ignore=A,B` (also `ignore = A, B`), up to the first space after the list.
fn ignore_list(text: &str) -> Option<Vec<String>> {
    let rest = text
        .strip_prefix("ignore")?
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let mut names = Vec::new();
    let mut cur = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ',' => {
                if !cur.is_empty() {
                    names.push(std::mem::take(&mut cur));
                }
                while chars.peek() == Some(&' ') {
                    chars.next();
                }
            }
            ' ' | '\t' => break,
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        names.push(cur);
    }
    (!names.is_empty()).then_some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_values() {
        let s = CheckSettings::parse("skip=A, B;error=true").unwrap_or_default();
        assert_eq!(s.skip, vec!["A", "B"]);
        assert!(s.error);
        assert!(
            CheckSettings::parse("skip=all")
                .unwrap_or_default()
                .skip_all
        );
        assert!(CheckSettings::parse("bogus=1").is_err());
        assert!(CheckSettings::parse("error=maybe").is_err());
        let s = CheckSettings::parse_directive_value("skip=all // local").unwrap_or_default();
        assert!(s.skip_all);
        let s = CheckSettings::parse("experimental=all").unwrap_or_default();
        assert!(s.experimental_all);
    }

    #[test]
    fn ignore_lists() {
        assert_eq!(
            ignore_list("ignore=DL3008,DL3009"),
            Some(vec!["DL3008".into(), "DL3009".into()])
        );
        assert_eq!(
            ignore_list("ignore = A, B because"),
            Some(vec!["A".into(), "B".into()])
        );
        assert_eq!(ignore_list("nothing"), None);
    }
}
