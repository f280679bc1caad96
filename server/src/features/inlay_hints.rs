//! Inlay hints: what `${VAR}`/`$VAR` expand to in FROM lines, and the index of unnamed
//! stages (`#1`), the name to use in `--from=1`.
//!
//! Also home of `FromScope`, which the links use: a FROM image with its variables
//! resolved by the model (build args, ARG defaults, a stage ARG taking its global's value,
//! modifiers).

use crate::model::{expand, InstructionKind, Model, Span, VarUse};
use std::cell::RefCell;
use std::collections::HashMap;

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
    let scope = FromScope::new(model, build_args);
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
        let Some(value) = scope.use_value(text, u) else {
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

/// Variable values as FROM lines see them. Every FROM sees the same scope (the global
/// ARGs, all declared before the first FROM), so values are resolved once per name.
pub struct FromScope<'a> {
    model: &'a Model,
    build_args: &'a [(String, String)],
    cache: RefCell<HashMap<String, Option<String>>>,
}

impl<'a> FromScope<'a> {
    pub fn new(model: &'a Model, build_args: &'a [(String, String)]) -> Self {
        FromScope {
            model,
            build_args,
            cache: RefCell::new(HashMap::new()),
        }
    }

    /// The value of `name` in a FROM line at `offset`; `None` when unset.
    pub fn get(&self, name: &str, offset: usize) -> Option<String> {
        if let Some(v) = self.cache.borrow().get(name) {
            return v.clone();
        }
        let v = self.model.resolve(name, offset, self.build_args);
        self.cache.borrow_mut().insert(name.to_string(), v.clone());
        v
    }

    /// The value a use in a FROM line expands to, modifiers applied (the model's
    /// expansion); `None` when the variable is unset and no modifier gives a value, or
    /// when `${VAR:?message}` would fail the build.
    pub fn use_value(&self, text: &str, u: &VarUse) -> Option<String> {
        let base = self.get(&u.name, u.span.start);
        let modifier = u.modifier.as_deref().unwrap_or_default();
        let unset = base.is_none();
        let empty = base.as_deref() == Some("");
        let fails = (modifier.starts_with(":?") && (unset || empty))
            || (modifier.starts_with('?') && unset);
        if fails || (unset && modifier.is_empty()) {
            return None;
        }
        let raw = text.get(u.span.start..u.span.end)?;
        Some(expand(raw, |n| self.get(n, u.span.start)))
    }

    /// The text of `span` (in a FROM line) with its variables expanded, quotes and escapes
    /// processed; `None` if a variable in it is unset (and not defaulted by a modifier).
    /// `uses` are sorted by start: only those from `span`'s start on are looked at (a file
    /// of thousands of FROM lines looked at all of them for each).
    pub fn expand_span(&self, text: &str, span: Span, uses: &[&VarUse]) -> Option<String> {
        let raw = text.get(span.start..span.end)?;
        let first = uses.partition_point(|u| u.span.start < span.start);
        for u in uses
            .get(first..)
            .unwrap_or_default()
            .iter()
            .take_while(|u| u.span.start <= span.end)
            .filter(|u| u.span.end <= span.end)
        {
            self.use_value(text, u)?;
        }
        Some(expand(raw, |n| self.get(n, span.start)))
    }
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
