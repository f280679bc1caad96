//! Inlay hints: what `${VAR}`/`$VAR` expand to in FROM lines, and the index of unnamed
//! stages (`#1`), the name to use in `--from=1`.
//!
//! Also home of the small expander the links use: the value of an expansion as BuildKit
//! computes it for FROM (build args, ARG defaults, a stage ARG taking its global's value,
//! the `:-`, `-`, `:+`, `+` modifiers).

use crate::model::{Details, InstructionKind, Model, Span, VarKind, VarUse};

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

/// How deep variable values referring to other variables are followed.
const MAX_DEPTH: usize = 8;

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
        let Some(value) = use_value(model, text, u, build_args, 0) else {
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

/// The value a variable use expands to, modifiers applied; `None` when it cannot be known
/// (unset without a default, `${VAR:?}`, patterns, a default that itself needs the shell).
pub fn use_value(
    model: &Model,
    text: &str,
    u: &VarUse,
    build_args: &[(String, String)],
    depth: usize,
) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let value = u
        .def
        .and_then(|d| def_value(model, text, d, build_args, depth + 1));
    let set = value.is_some();
    let non_empty = value.as_deref().is_some_and(|v| !v.is_empty());
    let Some(m) = u.modifier.as_deref().filter(|m| !m.is_empty()) else {
        return value;
    };
    let (op, word) = if let Some(w) = m.strip_prefix(":-") {
        ("-", w)
    } else if let Some(w) = m.strip_prefix(":+") {
        ("+", w)
    } else if let Some(w) = m.strip_prefix('-') {
        ("-set", w)
    } else if let Some(w) = m.strip_prefix('+') {
        ("+set", w)
    } else {
        return None;
    };
    if word.contains(['$', '\\', '`', '"', '\'']) {
        return None;
    }
    match op {
        "-" if non_empty => value,
        "-set" if set => value,
        "-" | "-set" => Some(word.to_string()),
        "+" if non_empty => Some(word.to_string()),
        "+set" if set => Some(word.to_string()),
        _ => Some(String::new()),
    }
}

/// The value of definition `d` (index into `Model::vars`): a build arg overrides ARGs; a
/// stage ARG without default takes its global's value.
fn def_value(
    model: &Model,
    text: &str,
    d: usize,
    build_args: &[(String, String)],
    depth: usize,
) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let def = model.vars.get(d)?;
    if matches!(
        def.kind,
        VarKind::GlobalArg | VarKind::Arg | VarKind::Predefined
    ) {
        if let Some((_, v)) = build_args.iter().rev().find(|(k, _)| *k == def.name) {
            return Some(v.clone());
        }
    }
    if def.kind == VarKind::Arg && def.value.is_none() {
        return def
            .global
            .and_then(|g| def_value(model, text, g, build_args, depth + 1));
    }
    // The value word of the pair that defines it, expanded.
    let word = def
        .instruction
        .and_then(|i| model.instructions.get(i))
        .and_then(|ins| match &ins.details {
            Details::Pairs(pairs) => pairs.iter().find(|p| p.key.span == def.name_span),
            _ => None,
        })
        .and_then(|p| p.value.as_ref());
    match word {
        Some(w) if w.raw.contains('$') => expand_span(model, text, w.span, build_args, depth + 1),
        Some(w) => Some(w.value.clone()),
        None => def.value.clone().filter(|v| !v.contains('$')),
    }
}

/// The text of `span` with its variable expansions (BuildKit's, not the shell's) replaced
/// by their values; `None` if one cannot be known or the text has quotes or escapes.
pub fn expand_span(
    model: &Model,
    text: &str,
    span: Span,
    build_args: &[(String, String)],
    depth: usize,
) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let raw = text.get(span.start..span.end)?;
    if raw.contains(['"', '\'', model.escape]) {
        return None;
    }
    let mut uses: Vec<&VarUse> = model
        .var_uses
        .iter()
        .filter(|u| span.start <= u.span.start && u.span.start < span.end)
        .collect();
    uses.sort_by_key(|u| (u.span.start, std::cmp::Reverse(u.span.end)));
    let mut out = String::with_capacity(raw.len());
    let mut at = span.start;
    for u in uses {
        if u.span.start < at || u.span.end > span.end {
            continue; // nested in the previous one, or crossing the span's end
        }
        out.push_str(text.get(at..u.span.start)?);
        out.push_str(&use_value(model, text, u, build_args, depth + 1)?);
        at = u.span.end;
    }
    out.push_str(text.get(at..span.end)?);
    if out.contains('$') {
        return None;
    }
    Some(out)
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
        assert_eq!(h, ["xy", "def", "\"\"", "xy"]);
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
