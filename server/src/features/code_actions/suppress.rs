//! Suppression actions: `# dockerfile-ls ignore=Rule` on the line before the instruction
//! (any rule), and `# check=skip=Rule` in the parser directives (BuildKit's checks, which
//! BuildKit itself honours). Structural errors cannot be suppressed and get neither.

use crate::model::{Model, Span};
use crate::rules::{self, suppress::CheckSettings, Category, Edit, Finding};

/// `(title, edits)` for each way to suppress `finding`.
pub fn suppressions(model: &Model, text: &str, finding: &Finding) -> Vec<(String, Vec<Edit>)> {
    let Some(rule) = rules::find(finding.rule).filter(|r| r.id == finding.rule) else {
        return Vec::new();
    };
    if rule.category == Category::Syntax && !rule.buildkit {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(edit) = ignore_comment(model, text, finding) {
        out.push((
            format!(
                "Ignore {} for this instruction (# dockerfile-ls ignore)",
                rule.id
            ),
            vec![edit],
        ));
    }
    if rule.buildkit && !rule.experimental {
        if let Some(edit) = check_skip(model, text, rule.id) {
            out.push((
                format!("Skip {} in this file (# check=skip)", rule.id),
                vec![edit],
            ));
        }
    }
    out
}

/// The line end used by the line containing `offset` (`\r\n` or `\n`).
fn eol_at(text: &str, offset: usize) -> &'static str {
    let rest = text.get(offset..).unwrap_or_default();
    match rest.find('\n') {
        Some(i) if i > 0 && rest.as_bytes().get(i - 1) == Some(&b'\r') => "\r\n",
        Some(_) => "\n",
        None if text.contains("\r\n") => "\r\n",
        None => "\n",
    }
}

fn line_start(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.get(..offset)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// `# dockerfile-ls ignore=Rule` directly above the instruction the finding starts in, or
/// `,Rule` appended to such a comment already there.
fn ignore_comment(model: &Model, text: &str, finding: &Finding) -> Option<Edit> {
    let (_, ins) = model.instruction_at(finding.span.start)?;
    // An existing `# dockerfile-ls ignore=` in the comment block right above (comments
    // are in line order: the block is read upwards from the last one before the
    // instruction, not searched for line by line).
    let below = model.comments.partition_point(|c| c.line < ins.start_line);
    let mut line = ins.start_line;
    for c in model.comments.get(..below).unwrap_or_default().iter().rev() {
        if line == 0 || c.line != line - 1 {
            break;
        }
        line -= 1;
        let raw = text.get(c.span.start..c.span.end).unwrap_or_default();
        if let Some(at) = raw.find("dockerfile-ls ignore=") {
            let list_start = at + "dockerfile-ls ignore=".len();
            let list_len = raw
                .get(list_start..)
                .unwrap_or_default()
                .find([' ', '\t', '\r'])
                .unwrap_or(raw.len().saturating_sub(list_start));
            let end = c.span.start + list_start + list_len;
            return Some(Edit {
                span: Span::new(end, end),
                new_text: format!(",{}", finding.rule),
            });
        }
    }
    let mut at = line_start(text, ins.span.start);
    if at == 0 && text.starts_with('\u{feff}') {
        at = '\u{feff}'.len_utf8();
    }
    let indent: String = text
        .get(at..ins.span.start)
        .unwrap_or_default()
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    Some(Edit {
        span: Span::new(at, at),
        new_text: format!(
            "{indent}# dockerfile-ls ignore={}{}",
            finding.rule,
            eol_at(text, at)
        ),
    })
}

/// Add `rule` to the `skip=` list of the `# check=` directive, or add the directive.
fn check_skip(model: &Model, text: &str, rule: &str) -> Option<Edit> {
    if let Some(d) = model.directive("check") {
        let settings = CheckSettings::parse_directive_value(&d.value).ok()?;
        if settings.skip_all {
            return None;
        }
        let value = text.get(d.value_span.start..d.value_span.end)?;
        let head_len = value.find(' ').unwrap_or(value.len());
        let head = value.get(..head_len)?;
        let tail = value.get(head_len..).unwrap_or_default();
        let mut parts: Vec<String> = if head.trim().is_empty() {
            Vec::new()
        } else {
            head.split(';').map(str::to_string).collect()
        };
        match parts
            .iter_mut()
            .find(|p| p.trim_start().starts_with("skip="))
        {
            Some(p) => {
                p.push(',');
                p.push_str(rule);
            }
            None => parts.insert(0, format!("skip={rule}")),
        }
        let new_value = format!("{}{tail}", parts.join(";"));
        CheckSettings::parse_directive_value(&new_value).ok()?;
        return Some(Edit {
            span: d.value_span,
            new_text: new_value,
        });
    }
    let at = match model.directives.iter().map(|d| d.span.end).max() {
        Some(end) => {
            // After the line end of the last directive.
            let rest = text.get(end..).unwrap_or_default();
            match rest.find('\n') {
                Some(i) => end + i + 1,
                None => {
                    let eol = eol_at(text, 0);
                    return Some(Edit {
                        span: Span::new(end, end),
                        new_text: format!("{eol}# check=skip={rule}"),
                    });
                }
            }
        }
        None if text.starts_with('\u{feff}') => '\u{feff}'.len_utf8(),
        None => 0,
    };
    Some(Edit {
        span: Span::new(at, at),
        new_text: format!("# check=skip={rule}{}", eol_at(text, at)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::code_actions::apply_edits;
    use crate::rules::CheckOptions;

    fn suppressed_by_each(text: &str, rule: &str) {
        let model = crate::model::build(text);
        let findings = rules::check(&model, text, &CheckOptions::default());
        let f = findings
            .iter()
            .find(|f| f.rule == rule)
            .unwrap_or_else(|| panic!("no {rule} in {text:?}: {findings:?}"));
        let actions = suppressions(&model, text, f);
        assert!(!actions.is_empty());
        for (title, edits) in actions {
            let fixed = apply_edits(text, &edits);
            let m = crate::model::build(&fixed);
            let after = rules::check(&m, &fixed, &CheckOptions::default());
            assert!(
                after.iter().all(|g| g.rule != rule),
                "{title}: still reported in\n{fixed}"
            );
            assert!(m.errors.is_empty(), "{fixed}");
        }
    }

    #[test]
    fn suppress_buildkit_and_practice_rules() {
        suppressed_by_each("FROM alpine\nMAINTAINER me\n", "MaintainerDeprecated");
        suppressed_by_each(
            "# syntax=docker/dockerfile:1\nFROM alpine\nMAINTAINER me\n",
            "MaintainerDeprecated",
        );
        suppressed_by_each(
            "# check=error=true\nFROM alpine\nMAINTAINER me\n",
            "MaintainerDeprecated",
        );
        suppressed_by_each(
            "# check=skip=JSONArgsRecommended\nFROM alpine\nMAINTAINER me\n",
            "MaintainerDeprecated",
        );
        suppressed_by_each(
            "FROM node:22\n# dockerfile-ls ignore=RootUser\nCOPY . .\nRUN npm install\n",
            "CacheBustingCopy",
        );
        suppressed_by_each("FROM alpine\r\n  RUN apk add curl\r\n", "ApkNoCache");
    }

    /// The ignore comment found anywhere in the comment block right above is extended; one
    /// above a blank line is not that block's.
    #[test]
    fn ignore_comment_in_the_block_above() {
        let edit_for = |text: &str| {
            let model = crate::model::build(text);
            let findings = rules::check(&model, text, &CheckOptions::default());
            let f = findings
                .iter()
                .find(|f| f.rule == "MaintainerDeprecated")
                .expect("finding");
            apply_edits(text, &[ignore_comment(&model, text, f).expect("edit")])
        };
        assert_eq!(
            edit_for("FROM a\n# dockerfile-ls ignore=X why\n# more\nMAINTAINER me\n"),
            "FROM a\n# dockerfile-ls ignore=X,MaintainerDeprecated why\n# more\nMAINTAINER me\n"
        );
        assert_eq!(
            edit_for("FROM a\n# dockerfile-ls ignore=X\n\n# more\nMAINTAINER me\n"),
            "FROM a\n# dockerfile-ls ignore=X\n\n# more\n# dockerfile-ls ignore=MaintainerDeprecated\nMAINTAINER me\n"
        );
    }

    #[test]
    fn structural_errors_are_not_suppressible() {
        let text = "FROM alpine\nFOO bar\n";
        let model = crate::model::build(text);
        let findings = rules::check(&model, text, &CheckOptions::default());
        let f = findings
            .iter()
            .find(|f| f.rule == "UnknownInstruction")
            .expect("finding");
        assert!(suppressions(&model, text, f).is_empty());
    }
}
