//! The formatter: keyword case, spacing after keywords, flags and words, continuation-line
//! indentation, blank lines, trailing whitespace and the final newline.
//!
//! It works line by line on the model's reading of the file and only touches whitespace
//! BuildKit (or the shell) ignores, plus the case of instruction keywords:
//! * parser directives, heredoc bodies and their closing lines are never changed;
//! * inside an instruction only the whitespace after the keyword and after each flag on
//!   the first line (and after each word there, for the word lists of `FROM`, `COPY`,
//!   `ADD`, `ARG`, `EXPOSE`, `VOLUME` and `KEY=value` pairs), the leading whitespace of
//!   continuation lines and trailing whitespace change; a continuation line that starts
//!   inside a quoted string, or whose leading whitespace is the only separator BuildKit
//!   would see, or that belongs to an instruction whose arguments keep their whitespace
//!   (legacy `ENV k v`, `LABEL k v`, `USER`, `WORKDIR`, `MAINTAINER`, `STOPSIGNAL`,
//!   unknown ones) keeps its indentation;
//! * hand-aligned continuation bodies keep their relative indentation: the least indented
//!   continuation line moves to `indent_width`, every other line keeps its offset from it.
//!
//! The output is a list of [`LineEdit`]s (whole original lines replaced), applied by
//! [`apply`] or turned into minimal protocol edits by [`text_edits`].

use crate::config::{FormatOptions, KeywordCase};
use crate::document::{Encoding, LineCol, LineIndex};
use crate::model::{self, Details, Heredoc, Instruction, InstructionKind, Model, Span};
use std::ops::Range;

/// Original lines `lines` (half-open; empty for an insertion before `lines.start`) are
/// replaced by `new_text` (complete lines, with their line ends).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineEdit {
    pub lines: Range<usize>,
    pub new_text: String,
}

/// A protocol-independent text edit: replace the byte span `span` by `new_text`; `range`
/// is the same span as line/columns in the requested encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub span: Span,
    pub range: (LineCol, LineCol),
    pub new_text: String,
}

/// Format a whole text (builds its model).
pub fn format_text(text: &str, opts: &FormatOptions) -> String {
    let model = model::build(text);
    let idx = LineIndex::new(text);
    apply(text, &idx, &line_edits(text, &idx, &model, opts))
}

/// Every line edit the formatter makes to the text.
pub fn line_edits(
    text: &str,
    idx: &LineIndex,
    model: &Model,
    opts: &FormatOptions,
) -> Vec<LineEdit> {
    Formatter::new(text, idx, model, opts).run()
}

/// Apply line edits (sorted, non-overlapping, as [`line_edits`] makes them).
pub fn apply(text: &str, idx: &LineIndex, edits: &[LineEdit]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut pos = 0usize;
    for e in edits {
        let start = idx.line_start(e.lines.start).max(pos);
        let end = idx.line_start(e.lines.end).max(start);
        out.push_str(text.get(pos..start).unwrap_or_default());
        out.push_str(&e.new_text);
        pos = end;
    }
    out.push_str(text.get(pos..).unwrap_or_default());
    out
}

/// The formatter's edits as minimal text edits. With `range`, only the edits inside the
/// lines of `range` and of the instructions it intersects are kept.
pub fn text_edits(
    text: &str,
    idx: &LineIndex,
    model: &Model,
    opts: &FormatOptions,
    range: Option<Span>,
    enc: Encoding,
) -> Vec<TextEdit> {
    let mut edits = line_edits(text, idx, model, opts);
    if let Some(range) = range {
        let (lo, hi) = range_lines(text, idx, model, range);
        edits.retain(|e| {
            if e.lines.is_empty() {
                e.lines.start > lo && e.lines.start <= hi
            } else {
                e.lines.start >= lo && e.lines.end <= hi + 1
            }
        });
    }
    edits
        .iter()
        .filter_map(|e| {
            let start = idx.line_start(e.lines.start);
            let end = idx.line_start(e.lines.end).max(start);
            minimal_edit(text, idx, Span::new(start, end), &e.new_text, enc)
        })
        .collect()
}

/// Lines `[lo, hi]` (inclusive) covered by `range` and every instruction it intersects.
fn range_lines(text: &str, idx: &LineIndex, model: &Model, range: Span) -> (usize, usize) {
    let mut lo = idx.line_of(range.start);
    let mut hi = idx.line_of(range.end);
    // A range ending at the start of a line does not select that line.
    if hi > lo && idx.line_start(hi) == range.end.min(text.len()) {
        hi -= 1;
    }
    let (a, b) = (lo, hi);
    for ins in &model.instructions {
        if ins.start_line <= b && ins.end_line >= a {
            lo = lo.min(ins.start_line);
            hi = hi.max(ins.end_line);
        }
    }
    (lo, hi)
}

/// Replace `span` by `new_text`, trimmed to the part that changes; `None` when nothing does.
fn minimal_edit(
    text: &str,
    idx: &LineIndex,
    span: Span,
    new_text: &str,
    enc: Encoding,
) -> Option<TextEdit> {
    let old = text.get(span.start..span.end)?;
    if old == new_text {
        return None;
    }
    let prefix = common_prefix(old, new_text);
    let suffix = common_suffix(&old[prefix..], &new_text[prefix..]);
    let span = Span::new(span.start + prefix, span.end - suffix);
    let new_text = new_text[prefix..new_text.len() - suffix].to_string();
    Some(TextEdit {
        span,
        range: idx.range(text, span, enc),
        new_text,
    })
}

fn common_prefix(a: &str, b: &str) -> usize {
    let mut n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while n > 0 && !(a.is_char_boundary(n) && b.is_char_boundary(n)) {
        n -= 1;
    }
    n
}

fn common_suffix(a: &str, b: &str) -> usize {
    let mut n = a
        .bytes()
        .rev()
        .zip(b.bytes().rev())
        .take_while(|(x, y)| x == y)
        .count();
    while n > 0 && !(a.is_char_boundary(a.len() - n) && b.is_char_boundary(b.len() - n)) {
        n -= 1;
    }
    n
}

/// On-type formatting after a newline: when the previous line continues an instruction,
/// indent the new line (`indent_width` after the instruction's first line, else the
/// previous line's indentation, so hand-aligned bodies stay aligned).
pub fn on_type_newline(
    text: &str,
    idx: &LineIndex,
    model: &Model,
    opts: &FormatOptions,
    pos: LineCol,
    enc: Encoding,
) -> Vec<TextEdit> {
    let line = pos.line as usize;
    if line == 0 || line >= idx.line_count() {
        return Vec::new();
    }
    let prev = line - 1;
    let prev_span = idx.line_span(text, prev);
    let prev_text = text.get(prev_span.start..prev_span.end).unwrap_or_default();
    if !ends_with_continuation(prev_text, model.escape) {
        return Vec::new();
    }
    let in_heredoc = model.instructions.iter().flat_map(all_heredocs).any(|h| {
        h.body_span.contains(prev_span.start)
            || h.end_span
                .is_some_and(|e| e.touches(prev_span.start) && idx.line_of(e.start) == prev)
    });
    if in_heredoc {
        return Vec::new();
    }
    let prev_ws = leading_ws(prev_text);
    let first_line = match model.instruction_at(prev_span.start + prev_ws) {
        Some((_, ins)) => ins.start_line == prev,
        None => {
            prev_ws == 0
                && prev_text
                    .trim_start()
                    .starts_with(|c: char| c.is_ascii_alphabetic())
        }
    };
    let indent = if first_line {
        " ".repeat(opts.indent_width)
    } else {
        prev_text.get(..prev_ws).unwrap_or_default().to_string()
    };
    let cur = idx.line_span(text, line);
    let cur_text = text.get(cur.start..cur.end).unwrap_or_default();
    let cur_ws = leading_ws(cur_text);
    if cur_text.get(..cur_ws) == Some(indent.as_str()) {
        return Vec::new();
    }
    minimal_edit(
        text,
        idx,
        Span::new(cur.start, cur.start + cur_ws),
        &indent,
        enc,
    )
    .into_iter()
    .collect()
}

/// The line ends with the escape character (trailing blanks allowed) that is not itself
/// escaped: BuildKit's continuation test.
fn ends_with_continuation(line: &str, escape: char) -> bool {
    continuation_at(line, escape).is_some()
}

/// Byte offset of the continuation escape character in `line`, if the line continues.
fn continuation_at(line: &str, escape: char) -> Option<usize> {
    let trimmed = line.trim_end_matches([' ', '\t']);
    let before = trimmed.strip_suffix(escape)?;
    if before.ends_with(escape) {
        return None;
    }
    Some(before.len())
}

fn leading_ws(s: &str) -> usize {
    s.bytes().take_while(|&b| b == b' ' || b == b'\t').count()
}

/// Trailing blanks; none when they follow a stray `\r` (removing them would make it end
/// the line, where BuildKit reads it as part of the line end).
fn trailing_ws(s: &str) -> usize {
    let n = s
        .bytes()
        .rev()
        .take_while(|&b| b == b' ' || b == b'\t')
        .count();
    if n > 0 && n < s.len() && s.as_bytes().get(s.len() - n - 1) == Some(&b'\r') {
        return 0;
    }
    n
}

/// The heredocs of an instruction, including those of an `ONBUILD`'s wrapped instruction.
fn all_heredocs(ins: &Instruction) -> impl Iterator<Item = &Heredoc> {
    let inner = match &ins.details {
        Details::Onbuild(inner) => Some(inner.heredocs.iter()),
        _ => None,
    };
    ins.heredocs.iter().chain(inner.into_iter().flatten())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// Not understood: left alone.
    Other,
    Blank,
    Directive,
    Comment,
    /// The first line of instruction `k`.
    First(usize),
    /// A continuation line of instruction `k`.
    Cont(usize),
    /// A comment line inside instruction `k` (BuildKit drops it).
    InnerComment(usize),
    /// An empty continuation line of instruction `k`.
    Empty(usize),
    /// A heredoc body or closing line.
    Heredoc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
}

struct Formatter<'a> {
    text: &'a str,
    idx: &'a LineIndex,
    model: &'a Model,
    opts: &'a FormatOptions,
    escape: char,
    /// Number of real lines (a final line end does not start another line).
    lines: usize,
    roles: Vec<Role>,
    /// New content (without line end) of the lines that change.
    out: Vec<Option<String>>,
    upper: bool,
    dominant_eol: &'static str,
}

impl<'a> Formatter<'a> {
    fn new(text: &'a str, idx: &'a LineIndex, model: &'a Model, opts: &'a FormatOptions) -> Self {
        let lines = if text.is_empty() {
            0
        } else if text.ends_with('\n') {
            idx.line_count().saturating_sub(1)
        } else {
            idx.line_count()
        };
        let crlf = text.matches("\r\n").count();
        let lf = text.matches('\n').count() - crlf;
        let escape = if model.escape == '\0' {
            '\\'
        } else {
            model.escape
        };
        Formatter {
            text,
            idx,
            model,
            opts,
            escape,
            lines,
            roles: vec![Role::Other; lines],
            out: vec![None; lines],
            upper: true,
            dominant_eol: if crlf > lf { "\r\n" } else { "\n" },
        }
    }

    /// A line's text without its line end. A `\r` that ends the text is a line end too
    /// (BuildKit drops it), so it is not part of the last line's content.
    fn content(&self, line: usize) -> Span {
        let s = self.idx.line_span(self.text, line);
        if s.end == self.text.len() && s.end > s.start && self.text.ends_with('\r') {
            return Span::new(s.start, s.end - 1);
        }
        s
    }

    fn line_text(&self, line: usize) -> &'a str {
        let s = self.content(line);
        self.text.get(s.start..s.end).unwrap_or_default()
    }

    fn eol(&self, line: usize) -> &'a str {
        let s = self.content(line);
        self.text
            .get(s.end..self.idx.line_start(line + 1))
            .unwrap_or_default()
    }

    fn run(mut self) -> Vec<LineEdit> {
        self.classify();
        self.upper = match self.opts.keyword_case {
            KeywordCase::Upper => true,
            KeywordCase::Lower => false,
            KeywordCase::Dominant => {
                let (mut up, mut low) = (0usize, 0usize);
                for ins in self.model.instructions.iter() {
                    let inner = match &ins.details {
                        Details::Onbuild(inner) => Some(inner.as_ref()),
                        _ => None,
                    };
                    for i in std::iter::once(ins).chain(inner) {
                        if matches!(i.kind, InstructionKind::Unknown(_)) {
                            continue;
                        }
                        if i.keyword == i.keyword.to_ascii_uppercase() {
                            up += 1;
                        } else if i.keyword == i.keyword.to_ascii_lowercase() {
                            low += 1;
                        }
                    }
                }
                low <= up
            }
        };
        for k in 0..self.model.instructions.len() {
            self.instruction(k);
        }
        self.comments();
        self.edits()
    }

    fn classify(&mut self) {
        for l in 0..self.lines {
            if self.line_text(l).trim_matches([' ', '\t', '\r']).is_empty() {
                self.roles[l] = Role::Blank;
            }
        }
        for c in &self.model.comments {
            if c.line < self.lines && self.roles[c.line] != Role::Blank {
                self.roles[c.line] = Role::Comment;
            }
        }
        for d in &self.model.directives {
            let l = self.idx.line_of(d.span.start);
            if l < self.lines {
                self.roles[l] = Role::Directive;
            }
        }
        for (k, ins) in self.model.instructions.iter().enumerate() {
            let first = self.idx.line_of(ins.keyword_span.start);
            let mut heredoc_lines: Vec<Range<usize>> = Vec::new();
            for h in all_heredocs(ins) {
                if !h.body_span.is_empty() {
                    let a = self.idx.line_of(h.body_span.start);
                    let b = self
                        .idx
                        .line_of(h.body_span.end.saturating_sub(1).max(h.body_span.start));
                    heredoc_lines.push(a..b + 1);
                }
                if let Some(e) = h.end_span {
                    let a = self.idx.line_of(e.start);
                    heredoc_lines.push(a..a + 1);
                }
            }
            let end = ins.end_line.max(first).min(self.lines.saturating_sub(1));
            for l in first..=end {
                if l >= self.lines {
                    break;
                }
                let role = if l == first {
                    Role::First(k)
                } else if heredoc_lines.iter().any(|r| r.contains(&l)) {
                    Role::Heredoc
                } else if self.roles[l] == Role::Blank {
                    Role::Empty(k)
                } else if self
                    .line_text(l)
                    .trim_start_matches([' ', '\t'])
                    .starts_with('#')
                {
                    Role::InnerComment(k)
                } else {
                    Role::Cont(k)
                };
                self.roles[l] = role;
            }
        }
        // An unterminated heredoc fails the build. The model reads the lines after it as
        // instructions again where they seem to start, but whether they belong to the body
        // is the user's to say (by typing its end): formatting leaves them all alone.
        let open = self.model.instructions.iter().find_map(|ins| {
            all_heredocs(ins)
                .find(|h| h.end_span.is_none())
                .map(|h| h.body_span.start)
        });
        if let Some(start) = open {
            for l in self.idx.line_of(start)..self.lines {
                self.roles[l] = Role::Heredoc;
            }
        }
    }

    /// Whether whitespace between words of the instruction's arguments is insignificant
    /// (so continuation lines may be re-indented outside quotes).
    fn whitespace_insensitive(ins: &Instruction) -> bool {
        use InstructionKind as K;
        match &ins.kind {
            K::Run
            | K::Cmd
            | K::Entrypoint
            | K::Shell
            | K::Add
            | K::Copy
            | K::Volume
            | K::From
            | K::Expose
            | K::Arg => true,
            K::Healthcheck => true,
            K::Env | K::Label => match &ins.details {
                Details::Pairs(pairs) => !pairs.is_empty() && pairs.iter().all(|p| !p.legacy),
                _ => false,
            },
            K::Onbuild => match &ins.details {
                Details::Onbuild(inner) => Self::whitespace_insensitive(inner),
                _ => false,
            },
            _ => false,
        }
    }

    /// Arguments BuildKit reads as a list of words, so that the blanks between two of them
    /// are one separator however many there are (`FROM a   AS b`, `COPY a   b /c/`,
    /// `ENV A=1   B=2`). Not the shell forms (the shell's reading and a hand alignment
    /// are the user's), nor the instructions that keep their text whole (legacy `ENV k v`,
    /// `WORKDIR`, `USER`, ...), nor exec form.
    fn word_list(ins: &Instruction) -> bool {
        use InstructionKind as K;
        if ins.json.is_some() {
            return false;
        }
        match &ins.kind {
            K::From | K::Copy | K::Add | K::Expose | K::Volume | K::Arg => true,
            K::Env | K::Label => match &ins.details {
                Details::Pairs(pairs) => !pairs.is_empty() && pairs.iter().all(|p| !p.legacy),
                _ => false,
            },
            _ => false,
        }
    }

    fn recase(&self, ins: &Instruction) -> Option<String> {
        if matches!(ins.kind, InstructionKind::Unknown(_)) {
            return None;
        }
        let want = if self.upper {
            ins.keyword.to_ascii_uppercase()
        } else {
            ins.keyword.to_ascii_lowercase()
        }
        .to_string();
        (want != ins.keyword).then_some(want)
    }

    fn tab_width(&self) -> usize {
        if self.opts.indent_width == 0 {
            4
        } else {
            self.opts.indent_width
        }
    }

    fn width(&self, ws: &str) -> usize {
        let tab = self.tab_width();
        ws.bytes().fold(0, |w, b| {
            if b == b'\t' {
                (w / tab + 1) * tab
            } else {
                w + 1
            }
        })
    }

    /// Scan `s` from quote state `q`; returns the state after it and whether its last
    /// character is an unquoted, unescaped blank.
    fn scan(&self, mut q: Quote, s: &str) -> (Quote, Option<bool>) {
        let mut last_sep = None;
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            let mut sep = false;
            match q {
                Quote::None => {
                    if c == self.escape {
                        chars.next();
                    } else if c == '\'' {
                        q = Quote::Single;
                    } else if c == '"' {
                        q = Quote::Double;
                    } else if c == ' ' || c == '\t' {
                        sep = true;
                    }
                }
                Quote::Single => {
                    if c == '\'' {
                        q = Quote::None;
                    }
                }
                Quote::Double => {
                    if c == self.escape {
                        chars.next();
                    } else if c == '"' {
                        q = Quote::None;
                    }
                }
            }
            last_sep = Some(sep);
        }
        (q, last_sep)
    }

    fn instruction(&mut self, k: usize) {
        let Some(ins) = self.model.instructions.get(k) else {
            return;
        };
        let first = self.idx.line_of(ins.keyword_span.start);
        if first >= self.lines || self.roles[first] != Role::First(k) {
            return;
        }
        let insensitive = Self::whitespace_insensitive(ins);
        let end = ins.end_line.max(first).min(self.lines - 1);

        // First pass: which continuation lines may be re-indented (outside quotes, with a
        // separator BuildKit keeps whatever the indentation), and whether their indentation
        // may drop to nothing (only when the previous part already ends with a separator).
        let mut plan: Vec<(usize, bool, bool)> = Vec::new(); // (line, may, joined_sep)
        let mut q = Quote::None;
        let mut joined_sep = true;
        for l in first..=end {
            let t = self.line_text(l);
            match self.roles[l] {
                Role::First(_) => {
                    let (new, state, sep) = self.first_line(ins, self.content(l));
                    if let Some(new) = new {
                        self.out[l] = Some(new);
                    }
                    q = state;
                    if let Some(sep) = sep {
                        joined_sep = sep;
                    }
                }
                Role::Cont(_) => {
                    let ws = leading_ws(t);
                    let scan_end =
                        continuation_at(t, self.escape).unwrap_or(t.len() - trailing_ws(t));
                    let may = insensitive && q == Quote::None && (ws > 0 || joined_sep);
                    plan.push((l, may, joined_sep));
                    let (state, sep) = self.scan(q, t.get(..scan_end).unwrap_or_default());
                    q = state;
                    if let Some(sep) = sep {
                        joined_sep = sep;
                    }
                }
                _ => {}
            }
        }

        // Base indentation of the body: the smallest of its re-indentable lines (or, when
        // there are none, of its comment lines). It moves to `indent_width`; every other
        // line keeps its offset from it (hand alignment, nested indentation).
        let width_of = |this: &Self, l: usize| {
            let t = this.line_text(l);
            this.width(&t[..leading_ws(t)])
        };
        let base = plan
            .iter()
            .filter(|p| p.1)
            .map(|p| width_of(self, p.0))
            .min()
            .or_else(|| {
                (first + 1..=end)
                    .filter(|&l| self.roles[l] == Role::InnerComment(k))
                    .map(|l| width_of(self, l))
                    .min()
            })
            .unwrap_or(0);
        // When some line's indentation is the only separator BuildKit sees before it, the
        // body keeps at least one blank of indentation (even with `indent_width = 0`).
        let needs_sep = plan.iter().any(|p| p.1 && !p.2);
        let indent = if needs_sep {
            self.opts.indent_width.max(1)
        } else {
            self.opts.indent_width
        };
        let indent_for = |this: &Self, ws: &str| indent + this.width(ws).saturating_sub(base);

        for (l, may, _) in plan {
            let t = self.line_text(l);
            let ws = leading_ws(t);
            let body_end = t.len() - trailing_ws(t);
            let n = indent_for(self, &t[..ws]);
            let new = if may {
                format!(
                    "{}{}",
                    " ".repeat(n),
                    t.get(ws..body_end.max(ws)).unwrap_or_default()
                )
            } else {
                t[..body_end].to_string()
            };
            if new != t {
                self.out[l] = Some(new);
            }
        }
        for l in first + 1..=end {
            let t = self.line_text(l);
            match self.roles[l] {
                Role::InnerComment(_) => {
                    let ws = leading_ws(t);
                    let body = t.get(ws..t.len() - trailing_ws(t)).unwrap_or_default();
                    let new = format!("{}{}", " ".repeat(indent_for(self, &t[..ws])), body);
                    if new != t {
                        self.out[l] = Some(new);
                    }
                }
                Role::Empty(_) if !t.is_empty() => self.out[l] = Some(String::new()),
                _ => {}
            }
        }
    }

    /// The first line of an instruction: no leading blanks, keyword case, one space after
    /// the keyword and after each flag on this line, no trailing blanks. Returns the new
    /// text (when it changes), the quote state at the line's end and whether it ends with
    /// a separator.
    fn first_line(&self, ins: &Instruction, line: Span) -> (Option<String>, Quote, Option<bool>) {
        let t = self.line_text(self.idx.line_of(line.start));
        let mut reps: Vec<(usize, usize, String)> = Vec::new();
        let body_end = line.end - trailing_ws(t);
        let scan_end = continuation_at(t, self.escape)
            .map(|i| line.start + i)
            .unwrap_or(body_end);
        let kw = ins.keyword_span;
        let tail = |from: usize| {
            self.text
                .get(from.min(scan_end)..scan_end)
                .unwrap_or_default()
        };
        if kw.start < line.start || kw.end > line.end || kw.is_empty() {
            // Not where expected: only trailing blanks.
            if body_end < line.end {
                reps.push((body_end, line.end, String::new()));
            }
            let (q, sep) = self.scan(Quote::None, tail(line.start));
            return (self.replace(line, &reps), q, sep);
        }
        let mut start = line.start;
        if start == 0 && t.starts_with('\u{feff}') {
            start += '\u{feff}'.len_utf8();
        }
        if kw.start > start
            && self
                .text
                .get(start..kw.start)
                .is_some_and(|s| s.bytes().all(|b| b == b' ' || b == b'\t'))
        {
            reps.push((start, kw.start, String::new()));
        }
        if let Some(up) = self.recase(ins) {
            reps.push((kw.start, kw.end, up));
        }
        let mut gaps: Vec<usize> = vec![kw.end];
        gaps.extend(ins.flags.iter().map(|f| f.span.end));
        if Self::word_list(ins) {
            gaps.extend(ins.words.iter().map(|w| w.span.end));
        }
        if let Details::Onbuild(inner) = &ins.details {
            if inner.keyword_span.start >= kw.end && inner.keyword_span.end <= scan_end {
                if let Some(up) = self.recase(inner) {
                    reps.push((inner.keyword_span.start, inner.keyword_span.end, up));
                }
                gaps.push(inner.keyword_span.end);
                gaps.extend(inner.flags.iter().map(|f| f.span.end));
            }
        }
        for p in gaps {
            if p < kw.end || p >= body_end || !self.text.is_char_boundary(p) {
                continue;
            }
            let run = self.text.get(p..body_end).map(leading_ws).unwrap_or(0);
            if run == 0 || p + run >= body_end || self.text.get(p..p + run) == Some(" ") {
                continue;
            }
            let (q, _) = self.scan(Quote::None, self.text.get(kw.start..p).unwrap_or_default());
            if q == Quote::None {
                reps.push((p, p + run, " ".to_string()));
            }
        }
        if body_end < line.end {
            reps.push((body_end, line.end, String::new()));
        }
        let (q, sep) = self.scan(Quote::None, tail(kw.start));
        (self.replace(line, &reps), q, sep)
    }

    /// Apply replacements inside one line; `None` when there are none that apply.
    fn replace(&self, line: Span, reps: &[(usize, usize, String)]) -> Option<String> {
        let mut reps: Vec<&(usize, usize, String)> = reps.iter().collect();
        reps.sort_by_key(|r| (r.0, r.1));
        let mut out = String::new();
        let mut pos = line.start;
        let mut changed = false;
        for (a, b, s) in reps {
            if *a < pos || *b > line.end || a > b {
                continue;
            }
            out.push_str(self.text.get(pos..*a)?);
            out.push_str(s);
            pos = *b;
            changed = true;
        }
        out.push_str(self.text.get(pos..line.end)?);
        let old = self.text.get(line.start..line.end)?;
        (changed && out != old).then_some(out)
    }

    /// Comment lines between instructions: no trailing blanks; no leading blanks once
    /// past the first instruction (before it, a comment may be read as a directive).
    fn comments(&mut self) {
        let first_ins = self
            .model
            .instructions
            .first()
            .map(|i| i.start_line)
            .unwrap_or(usize::MAX);
        for l in 0..self.lines {
            if self.roles[l] != Role::Comment {
                continue;
            }
            let t = self.line_text(l);
            let end = t.len() - trailing_ws(t);
            let start = if l > first_ins { leading_ws(t) } else { 0 };
            let new = t.get(start..end.max(start)).unwrap_or_default();
            if new != t {
                self.out[l] = Some(new.to_string());
            }
        }
    }

    /// Where a stage gap goes: above each stage's FROM and the comments attached to it,
    /// except after a stage that is a single one-line FROM.
    fn stage_anchors(&self) -> Vec<bool> {
        let mut anchors = vec![false; self.lines + 1];
        for (i, stage) in self.model.stages.iter().enumerate().skip(1) {
            // A run of one-line stages (`FROM image AS alias`) stays together.
            let prev = &self.model.stages[i - 1];
            let prev_one_line = prev.instructions.len() <= 1
                && self
                    .model
                    .instructions
                    .get(prev.from)
                    .is_some_and(|f| f.start_line == f.end_line);
            if prev_one_line {
                continue;
            }
            let Some(from) = self.model.instructions.get(stage.from) else {
                continue;
            };
            let mut anchor = from.start_line;
            if anchor >= self.lines || self.roles[anchor] == Role::Heredoc {
                continue;
            }
            while anchor > 0 && self.roles[anchor - 1] == Role::Comment {
                anchor -= 1;
            }
            anchors[anchor] = true;
        }
        anchors
    }

    fn edits(&self) -> Vec<LineEdit> {
        let mut edits = Vec::new();
        let anchors = self.stage_anchors();
        let n = self.lines;
        // A final line end is added, except to an unterminated heredoc (its body runs to the
        // end of the file and stays as it is).
        let unterminated = self
            .model
            .instructions
            .iter()
            .flat_map(all_heredocs)
            .any(|h| h.end_span.is_none());
        let last_line_open = !self.text.is_empty() && !self.text.ends_with('\n') && !unterminated;
        let mut l = 0;
        while l < n {
            if self.roles[l] == Role::Blank {
                let a = l;
                while l < n && self.roles[l] == Role::Blank {
                    l += 1;
                }
                let b = l;
                let starts_instruction = matches!(self.roles.get(b), Some(Role::First(_)));
                let want = if b == n || (a == 0 && starts_instruction) {
                    // At the end of the file; or at its start before an instruction (before
                    // a comment they stay: they keep it from being read as a directive).
                    0
                } else if a > 0 && anchors.get(b) == Some(&true) {
                    self.opts.blank_lines_between_stages
                } else {
                    1
                };
                let eol = match self.eol(a) {
                    "" => self.dominant_eol,
                    e => e,
                };
                let new_text = eol.repeat(want);
                let old = self
                    .text
                    .get(self.idx.line_start(a)..self.idx.line_start(b))
                    .unwrap_or_default();
                if new_text != old {
                    edits.push(LineEdit {
                        lines: a..b,
                        new_text,
                    });
                }
                continue;
            }
            if anchors.get(l) == Some(&true)
                && l > 0
                && self.roles[l - 1] != Role::Blank
                && self.opts.blank_lines_between_stages > 0
            {
                edits.push(LineEdit {
                    lines: l..l,
                    new_text: self
                        .dominant_eol
                        .repeat(self.opts.blank_lines_between_stages),
                });
            }
            let old = self.line_text(l);
            let content = self.out[l].as_deref().unwrap_or(old);
            let eol = if l + 1 == n && last_line_open {
                if self.eol(l) == "\r" {
                    "\r\n"
                } else {
                    self.dominant_eol
                }
            } else {
                self.eol(l)
            };
            if content != old || eol != self.eol(l) {
                edits.push(LineEdit {
                    lines: l..l + 1,
                    new_text: format!("{content}{eol}"),
                });
            }
            l += 1;
        }
        edits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str) -> String {
        format_text(text, &FormatOptions::default())
    }

    #[test]
    fn continuation_helpers() {
        assert_eq!(continuation_at("RUN a \\", '\\'), Some(6));
        assert_eq!(continuation_at("RUN a \\  ", '\\'), Some(6));
        assert_eq!(continuation_at("RUN a \\\\", '\\'), None);
        assert_eq!(continuation_at("\\", '\\'), Some(0));
        assert_eq!(continuation_at("RUN a `", '`'), Some(6));
        assert_eq!(continuation_at("RUN a", '\\'), None);
    }

    #[test]
    fn apply_and_minimal_edits() {
        let text = "from a\r\nrun  x   \r\n";
        let idx = LineIndex::new(text);
        let edits = vec![LineEdit {
            lines: 1..2,
            new_text: "RUN x\r\n".into(),
        }];
        assert_eq!(apply(text, &idx, &edits), "from a\r\nRUN x\r\n");
        let e = minimal_edit(
            text,
            &idx,
            Span::new(8, text.len()),
            "RUN x\r\n",
            Encoding::Utf16,
        )
        .unwrap();
        assert_eq!(e.new_text, "RUN x");
        assert_eq!(e.range.0, LineCol { line: 1, col: 0 });
        assert_eq!(e.range.1, LineCol { line: 1, col: 9 });
    }

    #[test]
    fn empty_and_blank_inputs() {
        assert_eq!(fmt(""), "");
        assert_eq!(fmt("\n\n  \n"), "");
    }

    #[test]
    fn final_newline_and_trailing_blanks() {
        let out = fmt("FROM a   \n\n\n\nRUN b");
        assert!(out.ends_with('\n'));
        assert!(!out.contains("a   "));
        assert!(!out.contains("\n\n\n"));
    }
}
