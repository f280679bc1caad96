//! Document symbols (the outline) and workspace symbols.
//!
//! The outline is a hierarchy: global ARGs at the top level, then one symbol per stage
//! (named by `AS name` or `stage N`, detail = base image) holding its instructions
//! (keyword + short arguments); ARG and ENV pairs are Variable symbols.

use crate::document::{Encoding, LineIndex};
use crate::model::{Details, Instruction, InstructionKind, Model, Span, VarKind};
use tower_lsp_server::ls_types::{DocumentSymbol, Position, Range, SymbolKind};

/// One outline entry, in byte spans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutlineItem {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// Everything the symbol covers.
    pub span: Span,
    /// The part to select (the name), inside `span`.
    pub selection: Span,
    pub children: Vec<OutlineItem>,
}

/// Longest short argument text shown after an instruction keyword, in chars.
const SHORT_ARGS: usize = 40;

/// The outline of a document.
pub fn outline(model: &Model, text: &str) -> Vec<OutlineItem> {
    let mut out = Vec::with_capacity(model.stages.len() + 4);
    let first_from = model
        .stages
        .first()
        .map_or(model.instructions.len(), |s| s.from);
    for ins in model.instructions.iter().take(first_from) {
        push_instruction(&mut out, ins, text, model.escape);
    }
    for (i, stage) in model.stages.iter().enumerate() {
        let Some(from) = model.instructions.get(stage.from) else {
            continue;
        };
        let name = stage_label(model, i);
        let detail = stage
            .image
            .as_ref()
            .map(|img| img.raw.clone())
            .filter(|s| !s.is_empty());
        let selection = stage
            .name
            .as_ref()
            .map(|n| n.span)
            .or_else(|| {
                stage
                    .image
                    .as_ref()
                    .map(|img| img.span)
                    .filter(|s| !s.is_empty())
            })
            .unwrap_or(from.keyword_span);
        let span = stage.span.cover(from.span);
        let mut children = Vec::with_capacity(stage.instructions.len());
        let start = stage.instructions.start.max(stage.from + 1);
        let end = stage.instructions.end.min(model.instructions.len());
        for ins in model.instructions.get(start..end).unwrap_or_default() {
            push_instruction(&mut children, ins, text, model.escape);
        }
        out.push(OutlineItem {
            name,
            detail,
            kind: SymbolKind::CLASS,
            span,
            selection: clamp_into(selection, span),
            children,
        });
    }
    out
}

/// `AS name` or `stage N`.
pub fn stage_label(model: &Model, i: usize) -> String {
    match model.stages.get(i).and_then(|s| s.name.as_ref()) {
        Some(n) if !n.value.is_empty() => n.value.to_string(),
        _ => format!("stage {i}"),
    }
}

fn push_instruction(out: &mut Vec<OutlineItem>, ins: &Instruction, text: &str, escape: char) {
    if matches!(ins.kind, InstructionKind::Arg | InstructionKind::Env) {
        if let Details::Pairs(pairs) = &ins.details {
            if !pairs.is_empty() {
                for p in pairs {
                    let detail = match &p.value {
                        Some(v) => format!("{} {}", ins.kind.name(), shorten(&v.value)),
                        None => ins.kind.name().to_string(),
                    };
                    let span = p.span.cover(p.key.span);
                    out.push(OutlineItem {
                        name: p.key.value.to_string(),
                        detail: Some(detail),
                        kind: SymbolKind::VARIABLE,
                        span,
                        selection: p.key.span,
                        children: Vec::new(),
                    });
                }
                return;
            }
        }
    }
    let name = instruction_name(ins, text, escape);
    let span = ins.span.cover(ins.keyword_span);
    out.push(OutlineItem {
        name,
        detail: None,
        kind: instruction_symbol_kind(&ins.kind),
        span,
        selection: ins.keyword_span,
        children: Vec::new(),
    });
}

/// `KEYWORD args`: the first physical line after the keyword, without the continuation
/// character, whitespace collapsed and cut to a few words; `…` when there is more.
fn instruction_name(ins: &Instruction, text: &str, escape: char) -> String {
    let keyword = ins.kind.name();
    let mut name = String::with_capacity(keyword.len() + SHORT_ARGS + 8);
    name.push_str(keyword);
    let from = ins.keyword_span.end.min(ins.span.end);
    let rest = text.get(from..ins.span.end.max(from)).unwrap_or_default();
    let (first, mut continued) = match rest.find('\n') {
        Some(i) => (rest.get(..i).unwrap_or_default(), true),
        None => (rest, false),
    };
    let mut first = first.trim_end_matches('\r').trim();
    if let Some(s) = first.strip_suffix(escape) {
        first = s.trim_end();
        continued = true;
    }
    if !first.is_empty() {
        name.push(' ');
        append_short(&mut name, first);
    }
    if continued && !name.ends_with('…') {
        name.push_str(" …");
    }
    name
}

/// `s` with whitespace collapsed, at most `SHORT_ARGS` chars (then `…`).
fn shorten(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(SHORT_ARGS + 4));
    append_short(&mut out, s.trim());
    out
}

fn append_short(out: &mut String, s: &str) {
    // Whole words at a time; stops after `SHORT_ARGS` chars, so long lines cost no more
    // than short ones.
    let mut n = 0;
    for word in s.split(char::is_whitespace).filter(|w| !w.is_empty()) {
        if n > 0 {
            if n >= SHORT_ARGS {
                out.push('…');
                return;
            }
            out.push(' ');
            n += 1;
        }
        let len = if word.is_ascii() {
            word.len()
        } else {
            word.chars().count()
        };
        if n + len <= SHORT_ARGS {
            out.push_str(word);
            n += len;
        } else {
            out.extend(word.chars().take(SHORT_ARGS - n));
            out.push('…');
            return;
        }
    }
}

fn clamp_into(inner: Span, outer: Span) -> Span {
    let start = inner.start.clamp(outer.start, outer.end);
    let end = inner.end.clamp(start, outer.end);
    Span::new(start, end)
}

/// The symbol kind shown for an instruction.
pub fn instruction_symbol_kind(kind: &InstructionKind) -> SymbolKind {
    match kind {
        InstructionKind::Run => SymbolKind::FUNCTION,
        InstructionKind::Cmd | InstructionKind::Entrypoint => SymbolKind::METHOD,
        InstructionKind::Copy | InstructionKind::Add => SymbolKind::FILE,
        InstructionKind::Arg | InstructionKind::Env => SymbolKind::VARIABLE,
        InstructionKind::Label => SymbolKind::PROPERTY,
        InstructionKind::Expose => SymbolKind::NUMBER,
        InstructionKind::Workdir | InstructionKind::Volume => SymbolKind::PACKAGE,
        InstructionKind::User => SymbolKind::KEY,
        InstructionKind::Healthcheck | InstructionKind::Onbuild => SymbolKind::EVENT,
        InstructionKind::Shell => SymbolKind::OPERATOR,
        InstructionKind::Stopsignal => SymbolKind::CONSTANT,
        InstructionKind::Maintainer => SymbolKind::STRING,
        InstructionKind::From => SymbolKind::CLASS,
        InstructionKind::Unknown(_) => SymbolKind::NULL,
    }
}

/// The outline as LSP document symbols, positions in `enc`.
pub fn document_symbols(
    model: &Model,
    text: &str,
    index: &LineIndex,
    enc: Encoding,
) -> Vec<DocumentSymbol> {
    let mut at = |offset: usize| {
        let p = index.position(text, offset, enc);
        Position::new(p.line, p.col)
    };
    outline(model, text)
        .into_iter()
        .map(|item| to_lsp(item, &mut at))
        .collect()
}

/// The item as a document symbol, `at` giving the position of a byte offset.
fn to_lsp(item: OutlineItem, at: &mut impl FnMut(usize) -> Position) -> DocumentSymbol {
    let start = at(item.span.start);
    let selection_range = Range::new(at(item.selection.start), at(item.selection.end));
    let children = if item.children.is_empty() {
        None
    } else {
        Some(item.children.into_iter().map(|c| to_lsp(c, at)).collect())
    };
    let end = at(item.span.end);
    #[allow(deprecated)]
    DocumentSymbol {
        name: item.name,
        detail: item.detail,
        kind: item.kind,
        tags: None,
        deprecated: None,
        range: Range::new(start, end),
        selection_range,
        children,
    }
}

/// A workspace symbol of one document, in byte spans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlatSymbol {
    pub name: String,
    pub kind: SymbolKind,
    pub span: Span,
    /// The stage holding a variable.
    pub container: Option<String>,
}

/// Stages and variables (ARG/ENV definitions) of a document whose names match `query`
/// (case-insensitive, the query's characters in order; an empty query matches all).
pub fn workspace_symbols(model: &Model, text: &str, query: &str) -> Vec<FlatSymbol> {
    let mut out = Vec::new();
    for (i, s) in model.stages.iter().enumerate() {
        let name = stage_label(model, i);
        if !matches_query(&name, query) {
            continue;
        }
        let span = match (&s.name, &s.image) {
            (Some(n), _) => super::navigation::name_span(text, n.span),
            (None, Some(img)) if !img.span.is_empty() => img.span,
            _ => model
                .instructions
                .get(s.from)
                .map_or(s.span, |f| f.keyword_span),
        };
        out.push(FlatSymbol {
            name,
            kind: SymbolKind::CLASS,
            span,
            container: None,
        });
    }
    for d in &model.vars {
        if d.kind == VarKind::Predefined || d.name_span.is_empty() || !matches_query(&d.name, query)
        {
            continue;
        }
        let container = d.stage.map(|s| stage_label(model, s));
        out.push(FlatSymbol {
            name: d.name.to_string(),
            kind: SymbolKind::VARIABLE,
            span: d.name_span,
            container,
        });
    }
    out.sort_by_key(|s| s.span.start);
    out
}

/// Case-insensitive subsequence match.
pub fn matches_query(name: &str, query: &str) -> bool {
    let mut chars = name.chars().flat_map(char::to_lowercase);
    query
        .chars()
        .flat_map(char::to_lowercase)
        .all(|q| chars.any(|c| c == q))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::build;

    fn names(items: &[OutlineItem]) -> Vec<&str> {
        items.iter().map(|i| i.name.as_str()).collect()
    }

    const SRC: &str = "# syntax=docker/dockerfile:1\n\
        ARG BASE=alpine:3.19\n\
        FROM ${BASE} AS build\n\
        ENV A=1 B=2\n\
        RUN apk add --no-cache \\\n    curl git\n\
        COPY . /src\n\
        FROM scratch\n\
        COPY --from=build /src /\n\
        CMD [\"/app\"]\n";

    #[test]
    fn hierarchy() {
        let m = build(SRC);
        let o = outline(&m, SRC);
        assert_eq!(names(&o), ["BASE", "build", "stage 1"]);
        assert_eq!(o[0].kind, SymbolKind::VARIABLE);
        assert_eq!(o[1].detail.as_deref(), Some("${BASE}"));
        assert_eq!(o[2].detail.as_deref(), Some("scratch"));
        assert_eq!(
            names(&o[1].children),
            ["A", "B", "RUN apk add --no-cache …", "COPY . /src"]
        );
        assert_eq!(o[1].children[0].kind, SymbolKind::VARIABLE);
        assert_eq!(o[1].children[0].detail.as_deref(), Some("ENV 1"));
        assert_eq!(
            names(&o[2].children),
            ["COPY --from=build /src /", "CMD [\"/app\"]"]
        );
        // the stage covers its instructions; its selection is the name
        assert_eq!(&SRC[o[1].selection.start..o[1].selection.end], "build");
        assert!(
            o[1].span.start <= o[1].children[3].span.start
                && o[1].children[3].span.end <= o[1].span.end
        );
        for item in o.iter().chain(o.iter().flat_map(|i| i.children.iter())) {
            assert!(
                item.span.start <= item.selection.start && item.selection.end <= item.span.end,
                "{item:?}"
            );
        }
    }

    #[test]
    fn long_args_are_cut() {
        let text = format!("FROM alpine\nRUN echo {}\n", "x".repeat(100));
        let m = build(&text);
        let o = outline(&m, &text);
        let run = &o[0].children[0].name;
        assert!(
            run.ends_with('…') && run.chars().count() <= 4 + SHORT_ARGS + 1,
            "{run}"
        );
    }

    #[test]
    fn whitespace_collapsed_and_escape_character() {
        let text = "# escape=`\nFROM alpine\nRUN  echo \t a   b `\n  && echo c\nLABEL x=\"a `b\"\n";
        let m = build(text);
        let o = outline(&m, text);
        let names: Vec<&str> = o[0].children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["RUN echo a b …", "LABEL x=\"a `b\""]);
        assert_eq!(shorten("  a \u{a0}  é  "), "a é");
    }

    #[test]
    fn lsp_positions_in_utf16() {
        let text = "FROM alpine AS é😀\r\nRUN echo ü\r\n";
        let m = build(text);
        let idx = LineIndex::new(text);
        let s = document_symbols(&m, text, &idx, Encoding::Utf16);
        assert_eq!(s.len(), 1);
        assert_eq!(
            s[0].selection_range,
            Range::new(Position::new(0, 15), Position::new(0, 18))
        );
        let run = &s[0].children.as_ref().unwrap()[0];
        assert_eq!(
            run.range,
            Range::new(Position::new(1, 0), Position::new(1, 10))
        );
    }

    #[test]
    fn workspace_query() {
        let m = build(SRC);
        let all = workspace_symbols(&m, SRC, "");
        let n: Vec<_> = all.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(n, ["BASE", "build", "A", "B", "stage 1"]);
        assert_eq!(all[2].container.as_deref(), Some("build"));
        let q: Vec<_> = workspace_symbols(&m, SRC, "bld")
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(q, ["build"]);
        assert!(matches_query("NODE_VERSION", "nv"));
        assert!(!matches_query("NODE", "x"));
    }
}
