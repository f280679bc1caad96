//! Completion: instruction keywords, flags and their values, `--mount` options, stage
//! names, variables, parser directives, suppression comments and well-known images.
//!
//! The model has no node for a half-typed line, so the context comes from the text: a
//! small forward scan finds the logical line (continuations, comments, heredoc bodies)
//! around the cursor, and the words typed so far decide what is offered. The model
//! supplies stages and variables. Nothing here panics on arbitrary text or offsets.

use super::docs;
use crate::document::{Encoding, LineIndex};
use crate::model::{InstructionKind, Model, Span, VarKind};
use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionList, CompletionResponse, CompletionTextEdit,
    Documentation, InsertTextFormat, MarkupContent, MarkupKind, Position, Range, TextEdit,
};

/// What the client can do.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// The client accepts snippet syntax in insert texts.
    pub snippets: bool,
}

/// What a completion item needs to be documented by `completionItem/resolve`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "snake_case")]
pub enum ResolveData {
    Instruction {
        name: String,
    },
    Flag {
        instruction: String,
        name: String,
    },
    FlagValue {
        instruction: String,
        flag: String,
        value: String,
    },
    MountType {
        name: String,
    },
    MountKey {
        ty: String,
        key: String,
    },
    MountValue {
        ty: String,
        key: String,
        value: String,
    },
    Directive {
        name: String,
    },
    DirectiveValue {
        name: String,
        value: String,
    },
    PredefinedArg {
        name: String,
    },
    Image {
        name: String,
    },
    Rule {
        id: String,
    },
}

/// One candidate, protocol-neutral except for its kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub label: String,
    pub kind: CompletionItemKind,
    pub detail: Option<String>,
    /// Markdown known up front (stages, variables); the rest comes from `resolve`.
    pub documentation: Option<String>,
    pub sort_text: Option<String>,
    pub filter_text: Option<String>,
    /// Replaces `Completions::replace`.
    pub insert: String,
    pub snippet: bool,
    pub preselect: bool,
    pub data: Option<ResolveData>,
}

impl Item {
    fn new(label: impl Into<String>, kind: CompletionItemKind) -> Item {
        let label = label.into();
        Item {
            insert: label.clone(),
            label,
            kind,
            detail: None,
            documentation: None,
            sort_text: None,
            filter_text: None,
            snippet: false,
            preselect: false,
            data: None,
        }
    }
    fn detail(mut self, d: impl Into<String>) -> Item {
        let d = d.into();
        if !d.is_empty() {
            self.detail = Some(d);
        }
        self
    }
    fn insert(mut self, s: impl Into<String>) -> Item {
        self.insert = s.into();
        self
    }
    fn sort(mut self, s: impl Into<String>) -> Item {
        self.sort_text = Some(s.into());
        self
    }
    fn data(mut self, d: ResolveData) -> Item {
        self.data = Some(d);
        self
    }
    fn doc(mut self, md: impl Into<String>) -> Item {
        self.documentation = Some(md.into());
        self
    }
}

/// The candidates and the byte range of the partial word they replace.
#[derive(Clone, Debug, PartialEq)]
pub struct Completions {
    pub replace: Span,
    pub items: Vec<Item>,
}

// ---------------------------------------------------------------------------------------
// Where the cursor is: a forward scan over physical lines
// ---------------------------------------------------------------------------------------

/// The kind of line the cursor is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// Only whitespace before the cursor on a line that continues no instruction.
    Blank,
    /// Inside a heredoc body or on its closing line.
    Heredoc,
    /// A comment line; `hash` is the offset of `#`. `leading` when every line before it
    /// is a parser directive; `in_instruction` for a comment inside a continued instruction.
    Comment {
        hash: usize,
        leading: bool,
        in_instruction: bool,
    },
    /// Inside an instruction whose logical line starts (first keyword char) at `start`.
    Instruction { start: usize },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Located {
    pub place: Place,
    pub escape: char,
}

/// The largest char boundary `<= offset` (clamped to the text).
pub(crate) fn snap_offset(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while o > 0 && !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

/// `(content_end, next_line_start)` for the line starting at `start`: content excludes
/// `\r\n` / `\n`.
fn line_bounds(text: &str, start: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let nl = bytes
        .get(start..)
        .and_then(|b| b.iter().position(|&c| c == b'\n'))
        .map(|i| start + i);
    match nl {
        Some(nl) => {
            let end = if nl > start && bytes.get(nl - 1) == Some(&b'\r') {
                nl - 1
            } else {
                nl
            };
            (end, nl + 1)
        }
        None => (text.len(), text.len() + 1),
    }
}

fn line_start_of(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .get(..offset)
        .and_then(|b| b.iter().rposition(|&c| c == b'\n'))
        .map_or(0, |i| i + 1)
}

/// `# name=value` with a known directive name: `(name, value)`.
pub(crate) fn parse_directive(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim_start().strip_prefix('#')?.trim_start();
    let name_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let name = rest.get(..name_len)?;
    let after = rest.get(name_len..)?.trim_start().strip_prefix('=')?;
    docs::directive(name)?;
    Some((name, after.trim()))
}

fn ends_with_escape(line: &str, escape: char) -> bool {
    line.trim_end().ends_with(escape)
}

/// Heredoc openers (`<<EOF`, `<<-"EOF"`) among the words of one instruction line.
fn heredoc_markers(line: &str, out: &mut Vec<(String, bool)>) {
    for w in line.split_ascii_whitespace() {
        let Some(rest) = w.strip_prefix("<<") else {
            continue;
        };
        if rest.starts_with('<') {
            continue;
        }
        let (strip, rest) = match rest.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let delim: String = rest.chars().filter(|c| *c != '"' && *c != '\'').collect();
        let delim: String = delim
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-' || *c == '.')
            .collect();
        if !delim.is_empty() {
            out.push((delim, strip));
        }
    }
}

/// Find what kind of line the cursor (a char boundary) is on.
pub(crate) fn locate(model: &Model, text: &str, offset: usize) -> Located {
    // Leading block: the escape directive, and whether the cursor's line is still in it.
    let mut escape = '\\';
    let mut leading_until = 0usize; // the cursor line is in the leading block if its start <= this
    let mut pos = 0usize;
    loop {
        let (end, next) = line_bounds(text, pos);
        if offset <= end || next > text.len() {
            leading_until = pos;
            break;
        }
        let line = text.get(pos..end).unwrap_or("");
        match parse_directive(line) {
            Some((name, value)) => {
                if name.eq_ignore_ascii_case("escape") {
                    escape = if value == "`" { '`' } else { '\\' };
                }
                pos = next;
            }
            None => break,
        }
    }
    // Start the scan at the line of the last instruction the model knows before the cursor.
    let i = model
        .instructions
        .partition_point(|ins| ins.span.start <= offset);
    let mut pos = match i.checked_sub(1).and_then(|i| model.instructions.get(i)) {
        Some(ins) if ins.span.start <= offset => {
            line_start_of(text, ins.span.start.min(text.len()))
        }
        _ => 0,
    };
    let mut current: Option<(usize, bool)> = None; // (logical start, keyword takes heredocs)
    let mut markers: Vec<(String, bool)> = Vec::new();
    let mut pending: std::collections::VecDeque<(String, bool)> = Default::default();
    loop {
        let (end, next) = line_bounds(text, pos);
        let line = text.get(pos..end).unwrap_or("");
        let here = offset >= pos && offset <= end.max(pos);
        let at_end = next > text.len();
        if let Some((delim, strip)) = pending.front() {
            if here {
                return Located {
                    place: Place::Heredoc,
                    escape,
                };
            }
            let body = if *strip {
                line.trim_start_matches('\t')
            } else {
                line
            };
            if body.trim_end() == delim {
                pending.pop_front();
            }
        } else {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            if let Some((start, heredocs)) = current {
                if trimmed.starts_with('#') {
                    if here {
                        let place = Place::Comment {
                            hash: pos + indent,
                            leading: false,
                            in_instruction: true,
                        };
                        return Located { place, escape };
                    }
                } else {
                    if here {
                        return Located {
                            place: Place::Instruction { start },
                            escape,
                        };
                    }
                    if heredocs {
                        heredoc_markers(line, &mut markers);
                    }
                    if !trimmed.is_empty() && !ends_with_escape(line, escape) {
                        current = None;
                        pending.extend(markers.drain(..));
                    }
                }
            } else if trimmed.is_empty() || offset < pos + indent && here {
                if here {
                    return Located {
                        place: Place::Blank,
                        escape,
                    };
                }
            } else if trimmed.starts_with('#') {
                if here {
                    let place = Place::Comment {
                        hash: pos + indent,
                        leading: pos <= leading_until,
                        in_instruction: false,
                    };
                    return Located { place, escape };
                }
            } else {
                let start = pos + indent;
                if here {
                    return Located {
                        place: Place::Instruction { start },
                        escape,
                    };
                }
                let kw: String = trimmed
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .collect();
                let heredocs = matches!(
                    kw.to_ascii_uppercase().as_str(),
                    "RUN" | "COPY" | "ADD" | "ONBUILD"
                );
                if heredocs {
                    heredoc_markers(line, &mut markers);
                }
                if ends_with_escape(line, escape) {
                    current = Some((start, heredocs));
                } else {
                    pending.extend(markers.drain(..));
                }
            }
        }
        if at_end {
            return Located {
                place: Place::Blank,
                escape,
            };
        }
        pos = next;
    }
}

// ---------------------------------------------------------------------------------------
// The logical line up to the cursor, split into words
// ---------------------------------------------------------------------------------------

/// The text of an instruction from its start to the cursor, with continuations joined and
/// comment lines left out; `map[i]` is the document offset of byte `i` (`map[len]` = cursor).
#[derive(Clone, Debug, Default)]
pub(crate) struct Logical {
    pub text: String,
    pub map: Vec<usize>,
    /// Word ranges in `text` (quote- and escape-aware).
    pub words: Vec<(usize, usize)>,
    /// The word the cursor is in or right after; empty at the end after whitespace.
    pub current: (usize, usize),
}

impl Logical {
    pub fn word(&self, (s, e): (usize, usize)) -> &str {
        self.text.get(s..e).unwrap_or("")
    }
    pub fn doc_offset(&self, i: usize) -> usize {
        self.map
            .get(i)
            .copied()
            .or_else(|| self.map.last().copied())
            .unwrap_or(0)
    }
    pub fn current_text(&self) -> &str {
        self.word(self.current)
    }
}

pub(crate) fn logical(text: &str, start: usize, offset: usize, escape: char) -> Logical {
    let mut out = Logical::default();
    let mut pos = start.min(offset);
    let mut first = true;
    loop {
        let (end, next) = line_bounds(text, pos);
        let stop = offset <= end;
        let seg_end = if stop { offset } else { end };
        let seg = text.get(pos..seg_end).unwrap_or("");
        let is_comment = !first && seg.trim_start().starts_with('#');
        if !is_comment {
            let mut seg_len = seg.len();
            if !stop {
                // strip the continuation escape and what follows it
                let t = seg.trim_end();
                if t.ends_with(escape) {
                    seg_len = t.len() - escape.len_utf8();
                }
            }
            if let Some(s) = seg.get(..seg_len) {
                out.text.push_str(s);
                out.map.extend(pos..pos + seg_len);
            }
        }
        first = false;
        if stop || next > text.len() || next > offset {
            break;
        }
        pos = next;
    }
    out.map.push(offset);
    out.words = split_words(&out.text, escape);
    out.current = match out.words.last() {
        Some(&(s, e)) if e == out.text.len() => {
            out.words.pop();
            (s, e)
        }
        _ => (out.text.len(), out.text.len()),
    };
    out
}

/// Whitespace-separated words; quotes and the escape character protect whitespace.
pub(crate) fn split_words(s: &str, escape: char) -> Vec<(usize, usize)> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        if c == escape && quote != Some('\'') {
            escaped = true;
            start.get_or_insert(i);
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                start.get_or_insert(i);
            }
            None if c.is_whitespace() => {
                if let Some(st) = start.take() {
                    words.push((st, i));
                }
            }
            None => {
                start.get_or_insert(i);
            }
        }
    }
    if let Some(st) = start {
        words.push((st, s.len()));
    }
    words
}

// ---------------------------------------------------------------------------------------
// The engine
// ---------------------------------------------------------------------------------------

/// Completion candidates at byte `offset` of `text`.
pub fn complete(model: &Model, text: &str, offset: usize, opts: &Options) -> Option<Completions> {
    let offset = snap_offset(text, offset);
    let loc = locate(model, text, offset);
    match loc.place {
        Place::Heredoc => None,
        Place::Blank => Some(Completions {
            replace: Span::new(offset, offset),
            items: instruction_items(model, offset, opts, &[]),
        }),
        Place::Comment {
            hash,
            leading,
            in_instruction,
        } => {
            if in_instruction {
                return None;
            }
            comment_completions(model, text, hash, offset, leading)
        }
        Place::Instruction { start } => {
            let lg = logical(text, start, offset, loc.escape);
            instruction_completions(model, text, start, offset, &lg, loc.escape, opts)
        }
    }
}

fn span_of(lg: &Logical, from: usize) -> Span {
    Span::new(lg.doc_offset(from), lg.doc_offset(lg.text.len()))
}

/// Keywords replacing the word from `start` through the rest of the keyword after the
/// cursor; with more text after it on the line, only the keyword is inserted.
fn keyword_completions(
    model: &Model,
    text: &str,
    offset: usize,
    start: usize,
    opts: &Options,
    exclude: &[&str],
) -> Completions {
    let after = text.get(offset..).unwrap_or("");
    let word_len = after.len()
        - after
            .trim_start_matches(|c: char| c.is_ascii_alphabetic())
            .len();
    let end = offset + word_len;
    let rest = text.get(end..).unwrap_or("");
    let line_rest = rest.split('\n').next().unwrap_or("");
    let mut items = instruction_items(model, offset, opts, exclude);
    if !line_rest.trim().is_empty() {
        for it in &mut items {
            it.insert = it.label.clone();
            it.snippet = false;
        }
    }
    Completions {
        replace: Span::new(start, end),
        items,
    }
}

fn instruction_items(model: &Model, offset: usize, opts: &Options, exclude: &[&str]) -> Vec<Item> {
    let no_stage_yet = model.stages.iter().all(|s| {
        model
            .instructions
            .get(s.from)
            .is_none_or(|i| i.span.start >= offset)
    });
    docs::INSTRUCTIONS
        .iter()
        .filter(|d| !exclude.contains(&d.name))
        .map(|d| {
            let mut it = Item::new(d.name, CompletionItemKind::KEYWORD)
                .detail(d.summary)
                .data(ResolveData::Instruction {
                    name: d.name.to_string(),
                });
            if opts.snippets && !d.snippet.is_empty() {
                it.insert = format!("{} {}", d.name, d.snippet);
                it.snippet = true;
            } else {
                it.insert = format!("{} ", d.name);
            }
            if no_stage_yet && (d.name == "FROM" || d.name == "ARG") {
                it.sort_text = Some(format!("0{}", d.name));
                it.preselect = d.name == "FROM";
            } else {
                it.sort_text = Some(format!("1{}", d.name));
            }
            if d.name == "MAINTAINER" {
                it.sort_text = Some("2MAINTAINER".into());
            }
            it
        })
        .collect()
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn instruction_completions(
    model: &Model,
    text: &str,
    start: usize,
    offset: usize,
    lg: &Logical,
    escape: char,
    opts: &Options,
) -> Option<Completions> {
    let cur = lg.current_text();
    // The keyword itself.
    if lg.words.is_empty() {
        if lg.current.0 != 0 {
            return None;
        }
        return Some(keyword_completions(
            model,
            text,
            offset,
            span_of(lg, lg.current.0).start,
            opts,
            &[],
        ));
    }
    // Variables, anywhere in the arguments.
    if let Some(c) = variable_completions(model, text, offset, lg, escape) {
        return Some(c);
    }
    let mut kw_word = lg.word(lg.words[0]).to_string();
    let mut args: &[(usize, usize)] = &lg.words[1..];
    if InstructionKind::from_keyword(&kw_word) == InstructionKind::Onbuild {
        if args.is_empty() {
            let start = span_of(lg, lg.current.0).start;
            let exclude = ["ONBUILD", "FROM", "MAINTAINER"];
            return Some(keyword_completions(
                model, text, offset, start, opts, &exclude,
            ));
        }
        kw_word = lg.word(args[0]).to_string();
        args = &args[1..];
    }
    let kind = InstructionKind::from_keyword(&kw_word);
    let keyword = kind.name().to_ascii_uppercase();
    let n_flags = args
        .iter()
        .take_while(|w| lg.word(**w).starts_with("--"))
        .count();
    let in_flags = n_flags == args.len();
    let present: Vec<String> = args[..n_flags]
        .iter()
        .map(|w| {
            let t = lg.word(*w).trim_start_matches('-');
            t.split('=').next().unwrap_or("").to_ascii_lowercase()
        })
        .collect();

    if in_flags && cur.starts_with('-') {
        if let Some(eq) = cur.find('=') {
            let name = cur
                .get(..eq)
                .unwrap_or("")
                .trim_start_matches('-')
                .to_ascii_lowercase();
            let value_start = lg.current.0 + eq + 1;
            return flag_value_completions(model, text, offset, lg, &keyword, &name, value_start);
        }
        return Some(Completions {
            replace: span_of(lg, lg.current.0),
            items: flag_items(&keyword, &present),
        });
    }
    let positional = args.len() - n_flags; // index of the current word among positionals
    let replace = span_of(lg, lg.current.0);
    let mut items = Vec::new();
    if in_flags && cur.is_empty() {
        items.extend(flag_items(&keyword, &present));
    }
    let lower = kw_word.chars().all(|c| !c.is_ascii_uppercase());
    let case = |s: &str| {
        if lower {
            s.to_ascii_lowercase()
        } else {
            s.to_string()
        }
    };
    match kind {
        InstructionKind::From => match positional {
            0 => return from_image_completions(model, offset, lg, start, items),
            1 => {
                let as_kw = case("AS");
                if as_kw
                    .to_ascii_lowercase()
                    .starts_with(&cur.to_ascii_lowercase())
                {
                    items.push(
                        Item::new(as_kw.clone(), CompletionItemKind::KEYWORD)
                            .insert(format!("{as_kw} "))
                            .detail("Name this build stage"),
                    );
                }
            }
            _ => {}
        },
        InstructionKind::Healthcheck if positional == 0 => {
            for (k, d) in [
                ("CMD", "Run this command to check the container's health"),
                ("NONE", "Disable any inherited health check"),
            ] {
                let k = case(k);
                items.push(
                    Item::new(k.clone(), CompletionItemKind::KEYWORD)
                        .insert(format!("{k} "))
                        .detail(d)
                        .sort("0"),
                );
            }
        }
        InstructionKind::Arg if !cur.contains('=') => {
            for a in docs::PREDEFINED_ARGS {
                items.push(
                    Item::new(a.name, CompletionItemKind::VARIABLE)
                        .detail(a.summary)
                        .sort(format!("1{}", a.name))
                        .data(ResolveData::PredefinedArg {
                            name: a.name.to_string(),
                        }),
                );
            }
            if model.stage_at(offset).is_some() {
                for v in model.vars.iter().filter(|v| v.kind == VarKind::GlobalArg) {
                    if model
                        .instructions
                        .get(v.instruction.unwrap_or(usize::MAX))
                        .is_some_and(|i| i.span.end < start)
                    {
                        items.push(
                            Item::new(v.name.clone(), CompletionItemKind::VARIABLE)
                                .detail("Global ARG: re-declare to use it in this stage")
                                .sort(format!("0{}", v.name)),
                        );
                    }
                }
            }
        }
        InstructionKind::Stopsignal if positional == 0 => {
            for s in [
                "SIGTERM", "SIGINT", "SIGQUIT", "SIGKILL", "SIGHUP", "SIGUSR1", "SIGUSR2",
                "SIGWINCH",
            ] {
                items.push(Item::new(s, CompletionItemKind::ENUM_MEMBER));
            }
        }
        _ => {}
    }
    if items.is_empty() {
        return None;
    }
    dedup(&mut items);
    Some(Completions { replace, items })
}

fn dedup(items: &mut Vec<Item>) {
    let mut seen = std::collections::HashSet::new();
    items.retain(|i| seen.insert(i.label.clone()));
}

fn flag_items(keyword: &str, present: &[String]) -> Vec<Item> {
    docs::flags_of(keyword)
        .filter(|f| matches!(f.name, "mount" | "exclude") || !present.iter().any(|p| p == f.name))
        .enumerate()
        .map(|(i, f)| {
            let label = format!("--{}", f.name);
            let insert = if f.value.is_some() {
                format!("{label}=")
            } else {
                label.clone()
            };
            Item::new(label, CompletionItemKind::PROPERTY)
                .insert(insert)
                .detail(f.summary)
                .sort(format!("0{i:02}"))
                .data(ResolveData::Flag {
                    instruction: keyword.to_string(),
                    name: f.name.to_string(),
                })
        })
        .collect()
}

fn flag_value_completions(
    model: &Model,
    text: &str,
    offset: usize,
    lg: &Logical,
    keyword: &str,
    name: &str,
    value_start: usize,
) -> Option<Completions> {
    let replace = span_of(lg, value_start);
    let value = lg.text.get(value_start..).unwrap_or("");
    let logical_start = lg.doc_offset(0);
    let items = match (keyword, name) {
        ("COPY" | "ADD", "from") => stage_items(model, logical_start, false),
        ("RUN", "mount") => return mount_completions(model, text, offset, lg, value_start),
        _ => {
            let f = docs::flag_doc(keyword, name)?;
            let _ = value;
            f.values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    Item::new(v.value, CompletionItemKind::ENUM_MEMBER)
                        .detail(v.summary)
                        .sort(format!("{i:02}"))
                        .data(ResolveData::FlagValue {
                            instruction: keyword.to_string(),
                            flag: f.name.to_string(),
                            value: v.value.to_string(),
                        })
                })
                .collect()
        }
    };
    if items.is_empty() {
        return None;
    }
    Some(Completions { replace, items })
}

/// Stages whose FROM starts before `logical_start`; without `include_current`, the stage
/// containing the instruction (the last of those) is left out. Names first, then indices.
fn stage_items(model: &Model, logical_start: usize, include_current: bool) -> Vec<Item> {
    let n = model
        .stages
        .iter()
        .take_while(|s| {
            model
                .instructions
                .get(s.from)
                .is_some_and(|i| i.span.start < logical_start)
        })
        .count();
    let n = if include_current {
        n
    } else {
        n.saturating_sub(1)
    };
    // One detail per stage, for its name item or (unnamed) its index item. Built without
    // `format!`: a big file offers hundreds of stages on every keystroke after `--from=`.
    let mut details: Vec<String> = model
        .stages
        .iter()
        .take(n)
        .map(|s| {
            let mut num = itoa::Buffer::new();
            let mut d = String::with_capacity(64);
            d.push_str("stage ");
            d.push_str(num.format(s.index));
            if let Some(i) = model.instructions.get(s.from) {
                d.push_str(" (line ");
                d.push_str(num.format(i.start_line + 1));
                d.push_str("): ");
                push_from_line(&mut d, i, s);
            }
            d
        })
        .collect();
    let mut items = Vec::with_capacity(n);
    for (s, detail) in model.stages.iter().zip(details.iter_mut()) {
        if let Some(name) = &s.name {
            let mut it = Item::new(name.value.as_str(), CompletionItemKind::REFERENCE)
                .sort(sort_key('0', s.index));
            it.detail = Some(std::mem::take(detail));
            items.push(it);
        }
    }
    // Indexes only for unnamed stages: a named stage is best referred to by its name (an
    // index silently changes meaning when stages are added or moved).
    for (s, detail) in model.stages.iter().zip(details) {
        if s.name.is_some() {
            continue;
        }
        let mut num = itoa::Buffer::new();
        let mut it = Item::new(num.format(s.index), CompletionItemKind::REFERENCE)
            .sort(sort_key('1', s.index));
        it.detail = Some(detail);
        items.push(it);
    }
    items
}

/// `group` then `index` zero-padded to five digits (`format!("{group}{index:05}")`).
fn sort_key(group: char, index: usize) -> String {
    let mut num = itoa::Buffer::new();
    let digits = num.format(index);
    let mut key = String::with_capacity(1 + digits.len().max(5));
    key.push(group);
    key.extend(std::iter::repeat_n(
        '0',
        5usize.saturating_sub(digits.len()),
    ));
    key.push_str(digits);
    key
}

/// Append `FROM [--flag=value ...] image [AS name]` of a stage to `t`.
fn push_from_line(t: &mut String, ins: &crate::model::Instruction, s: &crate::model::Stage) {
    t.push_str(&ins.keyword);
    t.push(' ');
    for f in &ins.flags {
        t.push_str("--");
        t.push_str(&f.name);
        if let Some(v) = &f.value {
            t.push('=');
            t.push_str(v);
        }
        t.push(' ');
    }
    match &s.image {
        Some(img) => t.push_str(&img.raw),
        None => t.push_str(ins.rest.value.split_whitespace().next().unwrap_or("")),
    }
    if let Some(n) = &s.name {
        t.push_str(" AS ");
        t.push_str(&n.value);
    }
}

fn mount_completions(
    model: &Model,
    text: &str,
    offset: usize,
    lg: &Logical,
    value_start: usize,
) -> Option<Completions> {
    let typed = lg.text.get(value_start..).unwrap_or("");
    // The rest of the flag word after the cursor, for keys already written there.
    let after: &str = {
        let rest = text.get(offset..).unwrap_or("");
        let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
        rest.get(..end).unwrap_or("")
    };
    let seg_start = typed.rfind(',').map_or(0, |i| i + 1);
    let current = typed.get(seg_start..).unwrap_or("");
    let mut keys: Vec<(String, String)> = Vec::new();
    for opt in typed
        .get(..seg_start)
        .unwrap_or("")
        .split(',')
        .chain(after.split(',').skip(1))
    {
        let opt = opt.trim();
        if opt.is_empty() {
            continue;
        }
        let (k, v) = opt.split_once('=').unwrap_or((opt, ""));
        keys.push((
            k.trim().to_ascii_lowercase(),
            v.trim().trim_matches('"').to_string(),
        ));
    }
    let ty = keys
        .iter()
        .find(|(k, _)| k == "type")
        .map(|(_, v)| v.to_ascii_lowercase())
        .unwrap_or_else(|| "bind".to_string());
    let logical_start = lg.doc_offset(0);
    if let Some(eq) = current.find('=') {
        let key = current.get(..eq).unwrap_or("").trim().to_ascii_lowercase();
        let replace = span_of(lg, value_start + seg_start + eq + 1);
        let canon = docs::canonical_mount_key(&key).unwrap_or("");
        let items: Vec<Item> = match canon {
            "from" => stage_items(model, logical_start, false),
            "type" => docs::MOUNT_TYPES
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    Item::new(t.name, CompletionItemKind::ENUM_MEMBER)
                        .detail(t.summary)
                        .sort(format!("{i:02}"))
                        .data(ResolveData::MountType {
                            name: t.name.to_string(),
                        })
                })
                .collect(),
            _ => {
                let doc = docs::mount_key(&ty, canon)?;
                doc.values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        Item::new(v.value, CompletionItemKind::ENUM_MEMBER)
                            .detail(v.summary)
                            .sort(format!("{i:02}"))
                            .data(ResolveData::MountValue {
                                ty: ty.clone(),
                                key: doc.key.to_string(),
                                value: v.value.to_string(),
                            })
                    })
                    .collect()
            }
        };
        if items.is_empty() {
            return None;
        }
        return Some(Completions { replace, items });
    }
    // A key.
    let present: Vec<&str> = keys
        .iter()
        .filter_map(|(k, _)| docs::canonical_mount_key(k))
        .collect();
    let mut names: Vec<&str> = Vec::new();
    if !present.contains(&"type") {
        names.push("type");
    }
    let valid: &[&str] = docs::mount_type(&ty).map(|t| t.keys).unwrap_or(&[]);
    names.extend(valid.iter().copied().filter(|k| !present.contains(k)));
    let items: Vec<Item> = names
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let doc = docs::mount_key(&ty, k);
            Item::new(*k, CompletionItemKind::PROPERTY)
                .insert(format!("{k}="))
                .detail(doc.map_or("", |d| d.summary))
                .sort(format!("{i:02}"))
                .data(ResolveData::MountKey {
                    ty: ty.clone(),
                    key: k.to_string(),
                })
        })
        .collect();
    if items.is_empty() {
        return None;
    }
    Some(Completions {
        replace: span_of(lg, value_start + seg_start),
        items,
    })
}

fn from_image_completions(
    model: &Model,
    offset: usize,
    lg: &Logical,
    start: usize,
    mut items: Vec<Item>,
) -> Option<Completions> {
    let cur = lg.current_text();
    if cur.contains('@') || cur.contains('$') {
        return if items.is_empty() {
            None
        } else {
            Some(Completions {
                replace: span_of(lg, lg.current.0),
                items,
            })
        };
    }
    // `name:tag` — the colon after the last slash separates the tag (a registry port has a slash after it).
    let last_slash = cur.rfind('/').map_or(0, |i| i + 1);
    if let Some(colon) = cur
        .get(last_slash..)
        .and_then(|s| s.find(':'))
        .map(|i| i + last_slash)
    {
        let name = cur.get(..colon).unwrap_or("");
        let img = docs::image(name)?;
        let items: Vec<Item> = img
            .tags
            .iter()
            .enumerate()
            .map(|(i, t)| {
                Item::new(*t, CompletionItemKind::CONSTANT)
                    .detail(format!("{}:{}", img.name, t))
                    .sort(format!("{i:02}"))
            })
            .collect();
        if items.is_empty() {
            return None;
        }
        return Some(Completions {
            replace: span_of(lg, lg.current.0 + colon + 1),
            items,
        });
    }
    let _ = offset;
    items.extend(
        stage_items(model, start, true)
            .into_iter()
            .filter(|i| i.label.parse::<usize>().is_err()),
    );
    for (i, img) in docs::IMAGES.iter().enumerate() {
        items.push(
            Item::new(img.name, CompletionItemKind::MODULE)
                .detail(img.summary)
                .sort(format!("5{i:03}"))
                .data(ResolveData::Image {
                    name: img.name.to_string(),
                }),
        );
    }
    Some(Completions {
        replace: span_of(lg, lg.current.0),
        items,
    })
}

/// `$NAME` / `${NAME` right before the cursor.
fn variable_completions(
    model: &Model,
    text: &str,
    offset: usize,
    lg: &Logical,
    escape: char,
) -> Option<Completions> {
    let cur = lg.current_text();
    let dollar = cur.rfind('$')?;
    // `\$` is a literal dollar.
    if dollar > 0 && cur.get(..dollar).is_some_and(|b| b.ends_with(escape)) {
        return None;
    }
    let after = cur.get(dollar + 1..)?;
    let (braced, name) = match after.strip_prefix('{') {
        Some(n) => (true, n),
        None => (false, after),
    };
    if !name.chars().all(is_ident_char) {
        return None;
    }
    let name_start = lg.current.0 + dollar + 1 + usize::from(braced);
    // Replace the whole name, also its part after the cursor.
    let rest = text.get(offset..).unwrap_or("");
    let tail = rest.trim_start_matches(is_ident_char);
    let replace = Span::new(
        span_of(lg, name_start).start,
        offset + (rest.len() - tail.len()),
    );
    // Is there a closing brace after the name?
    let closed = tail.starts_with('}');
    let suffix = if braced && !closed { "}" } else { "" };
    let first_word = lg.words.first().map(|w| lg.word(*w)).unwrap_or("");
    let in_from = InstructionKind::from_keyword(first_word) == InstructionKind::From;
    let mut items = Vec::new();
    let mut names = std::collections::HashSet::new();
    for v in model.vars_in_scope(offset) {
        if !names.insert(v.name.clone()) {
            continue;
        }
        let (what, sort) = match v.kind {
            VarKind::GlobalArg => ("global ARG", "1"),
            VarKind::Arg => ("ARG", "0"),
            VarKind::Env => ("ENV", "0"),
            VarKind::Predefined => ("predefined ARG", "2"),
        };
        let detail = match &v.value {
            Some(val) => format!("{what} {}={}", v.name, val),
            None => format!("{what} {}", v.name),
        };
        let line = v
            .instruction
            .and_then(|i| model.instructions.get(i))
            .map(|i| format!("\n\nDefined on line {}.", i.start_line + 1))
            .unwrap_or_default();
        items.push(
            Item::new(v.name.clone(), CompletionItemKind::VARIABLE)
                .insert(format!("{}{suffix}", v.name))
                .detail(detail.clone())
                .sort(format!("{sort}{}", v.name))
                .doc(format!("```dockerfile\n{detail}\n```{line}")),
        );
    }
    for a in docs::PREDEFINED_ARGS {
        if !names.insert(a.name.into()) {
            continue;
        }
        let detail = if in_from {
            a.summary.to_string()
        } else {
            format!(
                "{} (declare `ARG {}` in the stage to use it)",
                a.summary, a.name
            )
        };
        items.push(
            Item::new(a.name, CompletionItemKind::VARIABLE)
                .insert(format!("{}{suffix}", a.name))
                .detail(detail)
                .sort(format!("3{}", a.name))
                .data(ResolveData::PredefinedArg {
                    name: a.name.to_string(),
                }),
        );
    }
    Some(Completions { replace, items })
}

// ---------------------------------------------------------------------------------------
// Comments: parser directives and suppression comments
// ---------------------------------------------------------------------------------------

fn comment_completions(
    model: &Model,
    text: &str,
    hash: usize,
    offset: usize,
    leading: bool,
) -> Option<Completions> {
    let body_start = hash + 1;
    let typed = text.get(body_start..offset)?;
    let ws = typed.len() - typed.trim_start().len();
    let typed_t = typed.trim_start();
    let at = body_start + ws;
    // Suppression comments: `# dockerfile-ls ignore=A,B` / `# hadolint ignore=DL3008`.
    for (tool, hadolint) in [("dockerfile-ls", false), ("hadolint", true)] {
        if let Some(rest) = typed_t.strip_prefix(tool) {
            let mut r = rest.trim_start();
            if hadolint {
                if let Some(g) = r.strip_prefix("global") {
                    if g.starts_with(char::is_whitespace) {
                        r = g.trim_start();
                    }
                }
            }
            if let Some(list) = r.strip_prefix("ignore=") {
                let list_start = offset - list.len();
                let item_start = list.rfind(',').map_or(0, |i| i + 1);
                let present: Vec<&str> = list.split(',').map(str::trim).collect();
                let items = rule_items(hadolint, &present);
                return Some(Completions {
                    replace: Span::new(list_start + item_start, offset),
                    items,
                });
            }
            if r.is_empty() && rest.len() > r.len()
                || "ignore=".starts_with(r) && rest.len() > r.len()
            {
                let item = Item::new("ignore=", CompletionItemKind::KEYWORD)
                    .detail("Suppress rules on the next line");
                return Some(Completions {
                    replace: Span::new(offset - r.len(), offset),
                    items: vec![item],
                });
            }
        }
    }
    if !leading {
        // `# check=...` directly above an instruction applies to it.
        if let Some(v) = typed_t.strip_prefix("check") {
            if let Some(value) = v.trim_start().strip_prefix('=') {
                let value_t = value.trim_start();
                return check_value_completions(value_t, offset - value_t.len(), offset);
            }
        }
        // Offer the suppression prefixes while the first word is typed.
        if typed_t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !typed_t.is_empty()
        {
            let items = [
                "dockerfile-ls ignore=",
                "hadolint ignore=",
                "hadolint global ignore=",
                "check=skip=",
            ]
            .into_iter()
            .filter(|p| p.starts_with(typed_t))
            .map(|p| {
                Item::new(p, CompletionItemKind::KEYWORD).detail("Suppress rules on the next line")
            })
            .collect::<Vec<_>>();
            if !items.is_empty() {
                return Some(Completions {
                    replace: Span::new(at, offset),
                    items,
                });
            }
        }
        return None;
    }
    // Parser directives.
    let name_len = typed_t
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let name = typed_t.get(..name_len).unwrap_or("");
    let after_name = typed_t.get(name_len..).unwrap_or("");
    let Some(value) = after_name.trim_start().strip_prefix('=') else {
        if !after_name.is_empty() {
            return None;
        }
        let mut items: Vec<Item> = docs::DIRECTIVES
            .iter()
            .filter(|d| model.directive(d.name).is_none() || d.name.eq_ignore_ascii_case(name))
            .enumerate()
            .map(|(i, d)| {
                Item::new(d.name, CompletionItemKind::KEYWORD)
                    .insert(format!("{}=", d.name))
                    .detail(d.summary)
                    .sort(format!("{i}"))
                    .data(ResolveData::Directive {
                        name: d.name.to_string(),
                    })
            })
            .collect();
        items.extend(
            ["dockerfile-ls ignore=", "hadolint ignore="]
                .into_iter()
                .filter(|p| !name.is_empty() && p.starts_with(name))
                .map(|p| {
                    Item::new(p, CompletionItemKind::KEYWORD)
                        .detail("Suppress rules on the next line")
                }),
        );
        return Some(Completions {
            replace: Span::new(at, offset),
            items,
        });
    };
    let value_t = value.trim_start();
    let value_start = offset - value_t.len();
    let d = docs::directive(name)?;
    if d.name == "check" {
        return check_value_completions(value_t, value_start, offset);
    }
    let items = d
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            Item::new(v.value, CompletionItemKind::ENUM_MEMBER)
                .detail(v.summary)
                .sort(format!("{i}"))
                .data(ResolveData::DirectiveValue {
                    name: d.name.to_string(),
                    value: v.value.to_string(),
                })
        })
        .collect();
    Some(Completions {
        replace: Span::new(value_start, offset),
        items,
    })
}

/// The value of a `check=` directive or comment: `skip=`/`error=`/`experimental=` options,
/// rule names after `skip=` and `experimental=`.
fn check_value_completions(
    value_t: &str,
    value_start: usize,
    offset: usize,
) -> Option<Completions> {
    let opt_start = value_t.rfind(';').map_or(0, |i| i + 1);
    let opt = value_t.get(opt_start..).unwrap_or("");
    let opt_t = opt.trim_start();
    let opt_at = value_start + opt_start + (opt.len() - opt_t.len());
    if let Some((key, list)) = opt_t.split_once('=') {
        let key = key.trim();
        let list_start = offset - list.len();
        let item_start = list.rfind(',').map_or(0, |i| i + 1);
        let present: Vec<&str> = list.split(',').map(str::trim).collect();
        let items = match key {
            "skip" | "experimental" => {
                let mut items = vec![Item::new("all", CompletionItemKind::CONSTANT)
                    .detail("Every check")
                    .sort("0")];
                items.extend(check_items(&present));
                items
            }
            "error" => vec![
                Item::new("true", CompletionItemKind::ENUM_MEMBER)
                    .detail("Fail the build on check violations"),
                Item::new("false", CompletionItemKind::ENUM_MEMBER).detail("Only warn (default)"),
            ],
            _ => return None,
        };
        return Some(Completions {
            replace: Span::new(list_start + item_start, offset),
            items,
        });
    }
    let items = docs::directive("check")?
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            Item::new(v.value, CompletionItemKind::PROPERTY)
                .detail(v.summary)
                .sort(format!("{i}"))
        })
        .collect();
    Some(Completions {
        replace: Span::new(opt_at, offset),
        items,
    })
}

/// BuildKit check names for `# check=skip=`.
fn check_items(present: &[&str]) -> Vec<Item> {
    let mut names: Vec<&'static str> = docs::BUILDKIT_CHECKS.to_vec();
    for r in crate::rules::registry() {
        if r.buildkit && !names.contains(&r.id) {
            names.push(r.id);
        }
    }
    names
        .into_iter()
        .filter(|n| !present.contains(n))
        .map(|n| {
            Item::new(n, CompletionItemKind::CONSTANT)
                .sort(format!("1{n}"))
                .data(ResolveData::Rule { id: n.to_string() })
        })
        .collect()
}

/// Rule ids (or hadolint aliases) for suppression comments.
fn rule_items(hadolint: bool, present: &[&str]) -> Vec<Item> {
    let mut items = Vec::new();
    for r in crate::rules::registry() {
        if hadolint {
            for a in r.aliases {
                if !present.contains(a) {
                    items.push(
                        Item::new(*a, CompletionItemKind::CONSTANT)
                            .detail(format!("{} — {}", r.id, r.summary))
                            .sort(a.to_string())
                            .data(ResolveData::Rule {
                                id: r.id.to_string(),
                            }),
                    );
                }
            }
        } else if !present.contains(&r.id) {
            items.push(
                Item::new(r.id, CompletionItemKind::CONSTANT)
                    .detail(r.summary)
                    .sort(r.id.to_string())
                    .data(ResolveData::Rule {
                        id: r.id.to_string(),
                    }),
            );
        }
    }
    if !hadolint && items.is_empty() {
        for n in docs::BUILDKIT_CHECKS
            .iter()
            .filter(|n| !present.contains(n))
        {
            items.push(
                Item::new(*n, CompletionItemKind::CONSTANT)
                    .data(ResolveData::Rule { id: n.to_string() }),
            );
        }
    }
    items
}

// ---------------------------------------------------------------------------------------
// completionItem/resolve
// ---------------------------------------------------------------------------------------

/// Markdown documentation for a resolved item.
pub fn documentation(data: &ResolveData) -> Option<String> {
    match data {
        ResolveData::Instruction { name } => {
            docs::instruction(name).map(docs::instruction_markdown)
        }
        ResolveData::Flag { instruction, name } => {
            docs::flag_doc(instruction, name).map(docs::flag_markdown)
        }
        ResolveData::FlagValue {
            instruction,
            flag,
            value,
        } => {
            let f = docs::flag_doc(instruction, flag)?;
            let v = f.values.iter().find(|v| v.value == value)?;
            Some(format!(
                "**`--{}={}`**\n\n{}\n\n---\n\n{}",
                f.name,
                v.value,
                v.summary,
                docs::flag_markdown(f)
            ))
        }
        ResolveData::MountType { name } => docs::mount_type(name).map(docs::mount_type_markdown),
        ResolveData::MountKey { ty, key } => {
            docs::mount_key(ty, key).map(|k| docs::mount_key_markdown(ty, k))
        }
        ResolveData::MountValue { ty, key, value } => {
            let k = docs::mount_key(ty, key)?;
            let v = k.values.iter().find(|v| v.value == value)?;
            Some(format!("**`{}={}`**\n\n{}", k.key, v.value, v.summary))
        }
        ResolveData::Directive { name } => docs::directive(name).map(docs::directive_markdown),
        ResolveData::DirectiveValue { name, value } => {
            let d = docs::directive(name)?;
            let v = d.values.iter().find(|v| v.value == value)?;
            Some(format!("**`# {}={}`**\n\n{}", d.name, v.value, v.summary))
        }
        ResolveData::PredefinedArg { name } => docs::predefined_arg(name).map(docs::arg_markdown),
        ResolveData::Image { name } => docs::image(name).map(docs::image_markdown),
        ResolveData::Rule { id } => rule_markdown(id),
    }
}

/// Summary and explanation of a rule (by id or alias), from the registry.
pub(crate) fn rule_markdown(id: &str) -> Option<String> {
    let r = crate::rules::find(id)?;
    let mut s = format!("**{}**: {}", r.id, r.summary);
    if !r.aliases.is_empty() {
        s.push_str(&format!(" (also `{}`)", r.aliases.join("`, `")));
    }
    if !r.docs.is_empty() {
        s.push_str("\n\n");
        s.push_str(r.docs);
    }
    Some(s)
}

// ---------------------------------------------------------------------------------------
// To the protocol
// ---------------------------------------------------------------------------------------

fn lsp_range(text: &str, line_index: &LineIndex, span: Span, enc: Encoding) -> Range {
    let (s, e) = line_index.range(text, span, enc);
    Range {
        start: Position {
            line: s.line,
            character: s.col,
        },
        end: Position {
            line: e.line,
            character: e.col,
        },
    }
}

/// Convert to protocol items; `uri` goes into every item's `data` so `resolve` finds the
/// document.
pub fn to_lsp(
    c: Completions,
    text: &str,
    line_index: &LineIndex,
    enc: Encoding,
    uri: Option<&str>,
) -> CompletionResponse {
    let range = lsp_range(text, line_index, c.replace, enc);
    let items = c
        .items
        .into_iter()
        .map(|it| {
            let data = it.data.as_ref().and_then(|d| {
                let mut v = serde_json::to_value(d).ok()?;
                if let (Some(obj), Some(uri)) = (v.as_object_mut(), uri) {
                    obj.insert("uri".into(), serde_json::Value::String(uri.to_string()));
                }
                Some(v)
            });
            CompletionItem {
                label: it.label,
                kind: Some(it.kind),
                detail: it.detail,
                documentation: it.documentation.map(|md| {
                    Documentation::MarkupContent(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: md,
                    })
                }),
                sort_text: it.sort_text,
                filter_text: it.filter_text,
                // Plain text is the protocol's default: said only for snippets.
                insert_text_format: it.snippet.then_some(InsertTextFormat::SNIPPET),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                    range,
                    new_text: it.insert,
                })),
                preselect: it.preselect.then_some(true),
                data,
                ..Default::default()
            }
        })
        .collect();
    CompletionResponse::List(CompletionList {
        is_incomplete: false,
        items,
    })
}

/// Add documentation to an item from its `data` (leaves it unchanged when there is none).
pub fn resolve(mut item: CompletionItem) -> CompletionItem {
    if item.documentation.is_some() {
        return item;
    }
    let data = item
        .data
        .clone()
        .and_then(|d| serde_json::from_value::<ResolveData>(d).ok());
    if let Some(md) = data.as_ref().and_then(documentation) {
        item.documentation = Some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: md,
        }));
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Completion labels at the `|` marker.
    pub(crate) fn at(src: &str) -> Option<Completions> {
        let offset = src.find('|').expect("cursor marker");
        let text = format!("{}{}", &src[..offset], &src[offset + 1..]);
        let model = crate::model::build(&text);
        complete(&model, &text, offset, &Options { snippets: true })
    }

    fn labels(src: &str) -> Vec<String> {
        at(src)
            .map(|c| c.items.into_iter().map(|i| i.label).collect())
            .unwrap_or_default()
    }

    fn replaced(src: &str) -> String {
        let offset = src.find('|').unwrap();
        let text = format!("{}{}", &src[..offset], &src[offset + 1..]);
        let c = at(src).expect("completions");
        text[c.replace.start..c.replace.end].to_string()
    }

    #[test]
    fn instructions_at_line_start() {
        let l = labels("FROM a\n|");
        assert!(
            l.contains(&"COPY".to_string()) && l.contains(&"RUN".to_string()),
            "{l:?}"
        );
        let l = labels("FROM a\nCO|");
        assert!(l.contains(&"COPY".to_string()));
        assert_eq!(replaced("FROM a\nCO|"), "CO");
        assert_eq!(replaced("FROM a\n  CO|"), "CO");
        let c = at("|").unwrap();
        assert!(c
            .items
            .iter()
            .any(|i| i.label == "FROM" && i.snippet && i.preselect));
    }

    #[test]
    fn no_keywords_mid_instruction() {
        assert!(!labels("FROM a\nRUN apt-get update \\\n  CO|").contains(&"COPY".to_string()));
        assert!(labels("FROM a\nRUN apt-get |").is_empty());
        assert!(labels("FROM a\nRUN echo hi\n# a comment CO|").is_empty());
    }

    #[test]
    fn no_completion_in_heredoc() {
        assert!(at("FROM a\nRUN <<EOF\nCO|\nEOF\n").is_none());
        assert!(at("FROM a\nRUN <<EOF\n  apt-get $|\nEOF\n").is_none());
        assert!(at("FROM a\nCOPY <<-\"END\" /x\n\tCO|\n\tEND\nRUN x\n").is_none());
        // after the heredoc ends, keywords again
        assert!(labels("FROM a\nRUN <<EOF\necho\nEOF\nCO|").contains(&"COPY".to_string()));
    }

    #[test]
    fn flags() {
        let l = labels("FROM a\nCOPY --|");
        assert_eq!(
            l,
            [
                "--from",
                "--chown",
                "--chmod",
                "--link",
                "--parents",
                "--exclude"
            ]
        );
        let l = labels("FROM a\nCOPY --from=x --|");
        assert!(!l.contains(&"--from".to_string()) && l.contains(&"--chown".to_string()));
        let l = labels("FROM a\nRUN --mount=type=cache,target=/x --|");
        assert!(l.contains(&"--mount".to_string()) && l.contains(&"--network".to_string()));
        assert_eq!(labels("FROM a\nHEALTHCHECK --|").len(), 5);
        assert_eq!(labels("FROM --|"), ["--platform"]);
        let l = labels("FROM a\nADD --|");
        assert!(
            l.contains(&"--checksum".to_string())
                && l.contains(&"--keep-git-dir".to_string())
                && l.contains(&"--unpack".to_string())
        );
        assert_eq!(replaced("FROM a\nCOPY --ch|"), "--ch");
        // not after a positional argument
        assert!(labels("FROM a\nCOPY src --|").is_empty());
    }

    #[test]
    fn flag_values() {
        assert_eq!(
            labels("FROM a\nRUN --network=|"),
            ["default", "none", "host"]
        );
        assert_eq!(labels("FROM a\nRUN --security=|"), ["insecure", "sandbox"]);
        let l = labels("FROM --platform=|");
        assert!(
            l.contains(&"$BUILDPLATFORM".to_string()) && l.contains(&"linux/arm64".to_string())
        );
        assert_eq!(replaced("FROM --platform=linux/a|"), "linux/a");
    }

    #[test]
    fn mount_options() {
        assert_eq!(
            labels("FROM a\nRUN --mount=type=|"),
            ["bind", "cache", "tmpfs", "secret", "ssh"]
        );
        assert_eq!(
            labels("FROM a\nRUN --mount=type=cache,|"),
            ["target", "id", "sharing", "from", "source", "mode", "uid", "gid", "readonly"]
        );
        assert_eq!(
            labels("FROM a\nRUN --mount=type=secret,id=x,|"),
            ["target", "env", "required", "mode", "uid", "gid"]
        );
        assert_eq!(
            labels("FROM a\nRUN --mount=type=ssh,|"),
            ["id", "target", "required", "mode", "uid", "gid"]
        );
        assert_eq!(
            labels("FROM a\nRUN --mount=type=tmpfs,|"),
            ["target", "size"]
        );
        assert_eq!(
            labels("FROM a\nRUN --mount=type=bind,dst=/x,|"),
            ["source", "from", "readwrite"]
        );
        assert_eq!(
            labels("FROM a\nRUN --mount=|"),
            ["type", "target", "source", "from", "readwrite"]
        );
        assert_eq!(
            labels("FROM a\nRUN --mount=type=cache,sharing=|"),
            ["shared", "private", "locked"]
        );
        assert_eq!(
            labels("FROM a\nRUN --mount=type=secret,required=|"),
            ["true", "false"]
        );
        assert_eq!(
            labels("FROM a\nRUN --mount=type=bind,readwrite=|"),
            ["true", "false"]
        );
        assert_eq!(replaced("FROM a\nRUN --mount=type=cache,tar|"), "tar");
        let c = at("FROM a\nRUN --mount=type=cache,tar|").unwrap();
        assert!(c
            .items
            .iter()
            .any(|i| i.label == "target" && i.insert == "target="));
        // keys written after the cursor count as present
        assert!(
            !labels("FROM a\nRUN --mount=type=cache,|,target=/x").contains(&"target".to_string())
        );
    }

    #[test]
    fn variables() {
        let src = "ARG G=1\nFROM a\nARG V=2\nENV E=3\nRUN echo $|";
        let l = labels(src);
        assert!(l.contains(&"TARGETARCH".to_string()));
        assert_eq!(replaced("FROM a\nRUN echo ${TA|"), "TA");
        let c = at("FROM a\nRUN echo ${TA|").unwrap();
        assert!(c.items.iter().any(|i| i.insert == "TARGETARCH}"));
        let c = at("FROM a\nRUN echo ${TA|}").unwrap();
        assert!(c.items.iter().any(|i| i.insert == "TARGETARCH"));
        assert!(at("FROM a\nRUN echo \\$|").is_none());
        // inside a flag value
        let l = labels("FROM --platform=$|");
        assert!(l.contains(&"BUILDPLATFORM".to_string()));
    }

    #[test]
    fn from_images_tags_and_as() {
        let l = labels("FROM |");
        assert!(
            l.contains(&"node".to_string())
                && l.contains(&"--platform".to_string())
                && l.contains(&"scratch".to_string())
        );
        assert!(l.contains(&"gcr.io/distroless/static-debian12".to_string()));
        assert!(l.contains(&"mcr.microsoft.com/dotnet/sdk".to_string()));
        let l = labels("FROM node:|");
        assert!(l.contains(&"20-alpine".to_string()));
        assert_eq!(replaced("FROM python:3.1|"), "3.1");
        assert_eq!(labels("FROM node:20 |"), ["AS"]);
        assert_eq!(labels("from node:20 a|"), ["as"]);
        assert!(labels("FROM node:20 AS |").is_empty());
        assert!(labels("FROM --platform=$BUILDPLATFORM golang:|").contains(&"1.22".to_string()));
        assert_eq!(
            labels("FROM a\nHEALTHCHECK --interval=5s |")[..2],
            ["--timeout".to_string(), "--start-period".to_string()]
        );
        assert!(labels("FROM a\nHEALTHCHECK --interval=5s |").contains(&"CMD".to_string()));
        assert!(labels("FROM a\nHEALTHCHECK |").contains(&"NONE".to_string()));
    }

    #[test]
    fn onbuild_wraps_instruction() {
        let l = labels("FROM a\nONBUILD |");
        assert!(
            l.contains(&"RUN".to_string())
                && !l.contains(&"FROM".to_string())
                && !l.contains(&"ONBUILD".to_string())
        );
        assert_eq!(
            labels("FROM a\nONBUILD RUN --network=|"),
            ["default", "none", "host"]
        );
    }

    #[test]
    fn directives() {
        let l = labels("# |\nFROM a");
        assert!(
            l.contains(&"syntax".to_string())
                && l.contains(&"escape".to_string())
                && l.contains(&"check".to_string())
        );
        assert!(labels("# syntax=|").contains(&"docker/dockerfile:1".to_string()));
        assert_eq!(replaced("# syntax=docker/d|"), "docker/d");
        assert_eq!(labels("# escape=|"), ["\\", "`"]);
        let l = labels("# check=|");
        assert!(l.contains(&"skip=".to_string()) && l.contains(&"error=true".to_string()));
        let l = labels("# check=skip=|");
        assert!(l.contains(&"all".to_string()) && l.contains(&"JSONArgsRecommended".to_string()));
        let l = labels("# check=skip=JSONArgsRecommended,|");
        assert!(
            !l.contains(&"JSONArgsRecommended".to_string())
                && l.contains(&"StageNameCasing".to_string())
        );
        assert_eq!(replaced("# check=skip=JSONArgsRecommended,Stage|"), "Stage");
        // no directives once an instruction has been seen
        assert!(!labels("FROM a\n# |").contains(&"syntax".to_string()));
        // nor after an ordinary comment
        assert!(!labels("# hello\n# |").contains(&"syntax".to_string()));
        // escape directive changes continuation
        let l = labels("# escape=`\nFROM a\nRUN echo `\n  CO|");
        assert!(!l.contains(&"COPY".to_string()));
    }

    #[test]
    fn suppression_comments() {
        let l = labels("FROM a\n# dockerfile-|");
        assert!(l.contains(&"dockerfile-ls ignore=".to_string()));
        let l = labels("FROM a\n# dockerfile-ls ignore=|\nRUN x");
        assert!(!l.is_empty(), "rule ids");
        assert_eq!(
            replaced("FROM a\n# dockerfile-ls ignore=A,Sta|\nRUN x"),
            "Sta"
        );
    }

    #[test]
    fn sort_keys_pad_like_format() {
        for i in [0, 7, 42, 99_999, 100_000, 1_234_567] {
            assert_eq!(sort_key('0', i), format!("0{i:05}"));
        }
    }

    #[test]
    fn stages_only_before_the_current_one() {
        let src = "FROM a AS base\nFROM base AS build\nRUN x\nFROM scratch\nFROM c AS final\nCOPY --from=| /a /b\nFROM d AS later\n";
        assert_eq!(labels(src), ["base", "build", "2"]);
        let c = at(src).unwrap();
        assert!(c.items.iter().all(|i| i.sort_text.is_some()));
        let name_sort = c
            .items
            .iter()
            .find(|i| i.label == "build")
            .unwrap()
            .sort_text
            .clone()
            .unwrap();
        let index_sort = c
            .items
            .iter()
            .find(|i| i.label == "2")
            .unwrap()
            .sort_text
            .clone()
            .unwrap();
        assert!(name_sort < index_sort);
        // the current stage is not offered, nor later ones
        let src = "FROM a AS one\nFROM b AS two\nCOPY --from=| x y\nFROM c AS three\n";
        assert_eq!(labels(src), ["one"]);
        // RUN --mount from=
        let src = "FROM a AS one\nFROM b\nRUN --mount=type=bind,from=|,target=/x true\n";
        assert_eq!(labels(src), ["one"]);
        assert_eq!(replaced("FROM a AS one\nFROM b\nRUN --mount=from=o|"), "o");
        // ADD --from= as well; an unnamed earlier stage gives only its index
        assert_eq!(
            labels("FROM a\nFROM b AS two\nFROM c\nADD --from=| x y"),
            ["two", "0"]
        );
        // partially typed value
        assert_eq!(replaced("FROM a AS one\nFROM b\nCOPY --from=on| x y"), "on");
        // FROM offers earlier stages as bases too
        assert!(labels("FROM a AS one\nFROM |").contains(&"one".to_string()));
        // in the first stage nothing is before
        assert!(at("FROM a AS one\nCOPY --from=| x y").is_none());
    }

    #[test]
    fn variables_in_scope() {
        let src = "ARG G=1\nFROM a\nARG V=2\nENV E=3\nRUN echo $|\nARG LATER=1";
        let l = labels(src);
        assert!(
            l.contains(&"V".to_string()) && l.contains(&"E".to_string()),
            "{l:?}"
        );
        assert!(!l.contains(&"LATER".to_string()));
        // G is global: not visible in the stage without a re-declaration (ranked as predefined? no: absent)
        assert!(!l.contains(&"G".to_string()));
        // FROM lines see global ARGs
        let l = labels("ARG G=1\nARG VERSION=2\nFROM node:${VER|");
        assert!(
            l.contains(&"VERSION".to_string()) && l.contains(&"G".to_string()),
            "{l:?}"
        );
        let c = at("ARG VERSION=2\nFROM node:${VER|").unwrap();
        assert!(c
            .items
            .iter()
            .any(|i| i.label == "VERSION" && i.insert == "VERSION}"));
        // user variables sort before predefined ones
        let c = at(src).unwrap();
        let sv = c
            .items
            .iter()
            .find(|i| i.label == "V")
            .unwrap()
            .sort_text
            .clone()
            .unwrap();
        let sp = c
            .items
            .iter()
            .find(|i| i.label == "TARGETARCH")
            .unwrap()
            .sort_text
            .clone()
            .unwrap();
        assert!(sv < sp);
        // ENV inherited from a parent stage
        let l = labels("FROM a AS base\nENV FROM_BASE=1\nFROM base\nRUN echo $|");
        assert!(l.contains(&"FROM_BASE".to_string()), "{l:?}");
    }

    #[test]
    fn arg_names_but_not_values() {
        assert!(labels("FROM a\nARG TARG|").contains(&"TARGETARCH".to_string()));
        assert!(at("FROM a\nARG FOO=|").is_none());
        assert!(at("FROM a\nENV FOO=|").is_none());
        // a global ARG can be re-declared in a stage
        assert!(labels("ARG VERSION=1\nFROM a\nARG |").contains(&"VERSION".to_string()));
    }

    #[test]
    fn replace_the_whole_word_under_the_cursor() {
        let src = "FROM a\nCO|PY . /app\n";
        let offset = src.find('|').unwrap();
        let text = src.replace('|', "");
        let c = at(src).unwrap();
        assert_eq!(&text[c.replace.start..c.replace.end], "COPY");
        assert!(
            c.items.iter().all(|i| !i.snippet && i.insert == i.label),
            "plain keyword when text follows"
        );
        assert!(c.replace.start < offset);
        let src = "FROM a\nARG VERSION=1\nRUN echo ${VE|RS}";
        let text = src.replace('|', "");
        let c = at(src).unwrap();
        assert_eq!(&text[c.replace.start..c.replace.end], "VERS");
        assert!(c.items.iter().any(|i| i.insert == "VERSION"));
    }

    fn corpus() -> Vec<(String, String)> {
        crate::test_support::fixture_texts()
            .into_iter()
            .filter(|(_, t)| t.len() < 100_000)
            .map(|(p, t)| (p.display().to_string(), t))
            .collect()
    }

    /// The text scan agrees with the model on where instructions start and where heredoc
    /// bodies are, over the whole fixture corpus.
    #[test]
    fn locate_agrees_with_the_model() {
        let mut checked = 0;
        for (name, text) in corpus() {
            let model = crate::model::build(&text);
            for ins in &model.instructions {
                let body = |o: usize| {
                    ins.heredocs
                        .iter()
                        .any(|h| h.body_span.touches(o) || h.end_span.is_some_and(|e| e.touches(o)))
                };
                let comment = |o: usize| ins.inner_comments.iter().any(|c| c.span.touches(o));
                for o in [ins.keyword_span.end, ins.rest.span.start, ins.rest.span.end] {
                    if o > text.len() || !text.is_char_boundary(o) || body(o) || comment(o) {
                        continue;
                    }
                    let loc = locate(&model, &text, o);
                    assert_eq!(
                        loc.place,
                        Place::Instruction {
                            start: ins.keyword_span.start
                        },
                        "{name} at {o}"
                    );
                    checked += 1;
                }
                for h in &ins.heredocs {
                    if h.body_span.is_empty() {
                        continue;
                    }
                    let o = h.body_span.start;
                    assert_eq!(
                        locate(&model, &text, o).place,
                        Place::Heredoc,
                        "{name} heredoc at {o}"
                    );
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    #[test]
    fn no_panics_anywhere_in_the_corpus() {
        for (_, text) in corpus() {
            let model = crate::model::build(&text);
            let mut o = 0;
            while o <= text.len() + 1 {
                let _ = complete(&model, &text, o, &Options { snippets: true });
                let _ = crate::features::signature_help::signature_help(&model, &text, o);
                let _ = crate::features::hover::hover(&model, &text, o, &[], &Default::default());
                o += 17;
            }
        }
    }

    #[test]
    fn check_comments_above_instructions() {
        let l = labels("FROM a\n# check=skip=|\nRUN x\n");
        assert!(
            l.contains(&"JSONArgsRecommended".to_string()) && l.contains(&"all".to_string()),
            "{l:?}"
        );
        assert!(labels("FROM a\n# ch|\nRUN x\n").contains(&"check=skip=".to_string()));
        let l = labels("FROM a\n# hadolint global ignore=|\nRUN x\n");
        assert!(
            !l.is_empty() && l.iter().all(|x| x.starts_with("DL") || x.starts_with("SC")),
            "{l:?}"
        );
    }

    #[test]
    fn robust_on_odd_input() {
        for src in [
            "|",
            "\n|",
            "FROM|",
            "RUN \\|",
            "RUN \\\n|",
            "#|",
            "FROM a\nRUN <<EOF|",
            "FROM a\nRUN --mount=|,,=",
            "é|",
            "FROM a\r\nCO|\r\n",
            "COPY --from=|",
        ] {
            let _ = at(src);
        }
        let text = "FROM é\nRUN x";
        let model = crate::model::build(text);
        for o in 0..=text.len() + 2 {
            let _ = complete(&model, text, o, &Options::default());
        }
    }

    #[test]
    fn crlf_and_non_ascii() {
        assert_eq!(replaced("FROM a\r\nRUN echo \"é😀\" --x\r\nCO|\r\n"), "CO");
        assert_eq!(replaced("FROM a\r\nRUN --mount=type=cache,ta|\r\n"), "ta");
        // continuation with CRLF
        assert!(!labels("FROM a\r\nRUN a \\\r\n  CO|\r\n").contains(&"COPY".to_string()));
    }
}
