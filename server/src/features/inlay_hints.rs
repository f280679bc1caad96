//! Inlay hints: what `${VAR}`/`$VAR` expand to in FROM lines, and the index of unnamed
//! stages (`#1`), the name to use in `--from=1`.
//!
//! Also home of `expand_span`, which the links use: a FROM image with its variables
//! resolved by the model (build args, ARG defaults, a stage ARG taking its global's value,
//! modifiers).

use crate::model::{expand, InstructionKind, Model, Span, VarUse};

/// One hint, in byte offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    /// Where the hint goes (just after the expansion or the image).
    pub offset: usize,
    pub label: String,
    pub tooltip: Option<String>,
    pub kind: HintKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HintKind {
    /// The value of a variable expansion.
    Value,
    /// The index of an unnamed stage.
    StageIndex,
}

/// The hints whose position lies in `range` (inclusive bounds), in document order.
pub fn inlay_hints(
    model: &Model,
    text: &str,
    range: Span,
    build_args: &[(String, String)],
) -> Vec<Hint> {
    let mut out = Vec::new();
    let in_range = |o: usize| range.start <= o && o <= range.end;
    for u in &model.var_uses {
        if u.in_shell || !in_range(u.span.end) {
            continue;
        }
        let is_from = model
            .instructions
            .get(u.instruction)
            .is_some_and(|i| i.kind == InstructionKind::From);
        if !is_from {
            continue;
        }
        let Some(value) = use_value(model, text, u, build_args) else {
            continue;
        };
        let label = if value.is_empty() {
            "\"\"".to_string()
        } else {
            value
        };
        out.push(Hint {
            offset: u.span.end,
            tooltip: Some(format!("{} = {}", u.name, label)),
            label,
            kind: HintKind::Value,
        });
    }
    if model.stages.len() > 1 {
        for (i, s) in model.stages.iter().enumerate() {
            if s.name.is_some() {
                continue;
            }
            let Some(from) = model.instructions.get(s.from) else {
                continue;
            };
            let offset = s
                .image
                .as_ref()
                .map(|img| img.span.end)
                .filter(|&e| e > from.keyword_span.end)
                .unwrap_or_else(|| {
                    // the end of the FROM's first line
                    let tail = text.get(from.span.start..from.span.end).unwrap_or_default();
                    from.span.start + tail.find(['\r', '\n']).unwrap_or(tail.len())
                });
            if !in_range(offset) {
                continue;
            }
            out.push(Hint {
                offset,
                label: format!("#{i}"),
                tooltip: Some(format!("stage {i}: unnamed, referred to as `--from={i}`")),
                kind: HintKind::StageIndex,
            });
        }
    }
    out.sort_by_key(|h| h.offset);
    out
}

/// The value a variable use expands to, modifiers applied (the model's resolution and
/// expansion); `None` when the variable is unset and no modifier gives a value, or when
/// `${VAR:?message}` would fail the build.
pub fn use_value(
    model: &Model,
    text: &str,
    u: &VarUse,
    build_args: &[(String, String)],
) -> Option<String> {
    let base = model.resolve(&u.name, u.span.start, build_args);
    let modifier = u.modifier.as_deref().unwrap_or_default();
    if base.is_none()
        && (modifier.is_empty() || modifier.starts_with(":?") || modifier.starts_with('?'))
    {
        return None;
    }
    if base.as_deref() == Some("") && modifier.starts_with(":?") {
        return None;
    }
    let raw = text.get(u.span.start..u.span.end)?;
    Some(expand(raw, |n| model.resolve(n, u.span.start, build_args)))
}

/// The text of `span` with its variable expansions (BuildKit's, not the shell's) replaced
/// by their values, quotes and escapes processed; `None` if a variable in it is unset
/// (and not defaulted by a modifier).
pub fn expand_span(
    model: &Model,
    text: &str,
    span: Span,
    build_args: &[(String, String)],
) -> Option<String> {
    let raw = text.get(span.start..span.end)?;
    for u in model
        .var_uses
        .iter()
        .filter(|u| span.start <= u.span.start && u.span.end <= span.end)
    {
        use_value(model, text, u, build_args)?;
    }
    Some(expand(raw, |n| model.resolve(n, span.start, build_args)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::build;

    fn hints(text: &str, args: &[(&str, &str)]) -> Vec<(String, String)> {
        let m = build(text);
        let args: Vec<(String, String)> = args
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        inlay_hints(&m, text, Span::new(0, text.len()), &args)
            .into_iter()
            .map(|h| {
                (
                    text[..h.offset]
                        .rsplit('\n')
                        .next()
                        .unwrap_or_default()
                        .to_string(),
                    h.label,
                )
            })
            .collect()
    }

    #[test]
    fn values_after_expansions_in_from() {
        let text = "ARG NODE_VERSION=20-alpine\nARG REG=docker.io\nFROM ${REG}/node:${NODE_VERSION}\nRUN echo $NODE_VERSION\n";
        assert_eq!(
            hints(text, &[]),
            [
                ("FROM ${REG}".to_string(), "docker.io".to_string()),
                (
                    "FROM ${REG}/node:${NODE_VERSION}".to_string(),
                    "20-alpine".to_string()
                )
            ]
        );
        let h = hints(text, &[("NODE_VERSION", "22")]);
        assert_eq!(h[1].1, "22");
    }

    #[test]
    fn modifiers_and_chained_defaults() {
        let text = "ARG A\nARG B=x${A:-y}\nFROM img:${B} AS one\nFROM img:${A:-def}\nFROM img:${A:+set}\nFROM alpine:$B\n";
        let h: Vec<String> = hints(text, &[]).into_iter().map(|(_, l)| l).collect();
        assert_eq!(h, ["xy", "def", "#1", "\"\"", "#2", "xy", "#3"]);
    }

    #[test]
    fn unset_gives_no_hint_and_stage_indexes() {
        let text = "ARG A\nFROM img:$A\nFROM alpine AS named\nFROM scratch\n";
        let h = hints(text, &[]);
        assert_eq!(
            h,
            [
                ("FROM img:$A".to_string(), "#0".to_string()),
                ("FROM scratch".to_string(), "#2".to_string())
            ]
        );
        // a single stage: no index
        assert!(hints("FROM alpine\nRUN true\n", &[]).is_empty());
    }

    #[test]
    fn only_in_range() {
        let text = "ARG V=1\nFROM a:$V\nFROM b:$V\n";
        let m = build(text);
        let second = text.rfind("FROM").unwrap();
        let h = inlay_hints(&m, text, Span::new(second, text.len()), &[]);
        assert_eq!(
            h.iter().map(|h| h.label.as_str()).collect::<Vec<_>>(),
            ["1", "#1"]
        );
    }
}
