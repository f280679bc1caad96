//! The builder: BuildKit's own reading of a Dockerfile (its `parser.Parse`), with exact
//! byte spans into the original text.
//!
//! The text is read line by line as BuildKit reads it: parser directives in the leading
//! block, comment and blank lines skipped, continuation lines joined (comment and empty lines
//! inside dropped), heredoc bodies consumed after the line that opens them. Each logical line
//! keeps a map back to the document so that every span is exact, also across continuations,
//! CRLF line ends and non-ASCII text.

use super::shift::{Delta, Shift};
use super::vars::{self, Mode};
use super::words::{
    self, extract_flags, go_lower, heredoc_markers, is_space, is_token_ws, map_range,
    parse_json_array, trim_range, unquote, FlagTok, FlagToks, JsonArray, Logical,
};
use super::{
    image, Comment, CompactString, Details, Directive, Flag, FlagOption, Heredoc, Instruction,
    InstructionKind, JsonArgs, KeyValue, Model, ParseError, Rest, Span, Stage, VarUse, Word,
};

/// Longest line BuildKit's scanner accepts (`bufio.MaxScanTokenSize`, newline included).
const MAX_LINE: usize = 64 * 1024;
/// ONBUILD nesting followed before giving up (BuildKit rejects any nesting later anyway).
const MAX_ONBUILD_DEPTH: usize = 8;

#[derive(Clone, Copy, Debug)]
struct Line {
    start: usize,
    /// End of the content: the line end and any `\r` before it excluded.
    end: usize,
    /// Start of the next line (after the `\n`), or the text length.
    next: usize,
}

/// The words of `s` at `ranges` (from `Builder::word_ranges_of`).
fn raw_words<'s>(
    s: &'s str,
    ranges: &'s [(usize, usize, bool)],
) -> impl Iterator<Item = words::RawWord<'s>> + Clone + 's {
    ranges
        .iter()
        .map(move |&(start, end, plain)| words::RawWord {
            text: s.get(start..end).unwrap_or(""),
            start,
            end,
            plain,
        })
}

/// The guess of an instruction's size that the model's instruction list is sized by, so
/// that it rarely grows: real Dockerfiles have a median of ~76 bytes per instruction (the
/// corpus; 67 in the 5,000-line bench file). A guess of 40 reserved twice what was used,
/// ~0.5 MB of a large file's heap.
const BYTES_PER_INSTRUCTION: usize = 64;

/// Texts from this size on are read in two halves at once.
pub(super) const SPLIT_MIN: usize = 32 * 1024;

/// Build the model of `text`: what BuildKit's parser reads, with byte spans.
///
/// A large text is read in two halves on two threads: the second from a `FROM` line near
/// the middle, as if a reading had just got there. That holds only if the reading of the
/// first half does stop at that line (it was not inside a heredoc or a continuation) and
/// the escape character is the default one; otherwise the first reading goes on alone
/// and the second is dropped. Either way the result equals the reading in one go. On a
/// thread that works alone (`threads::work_alone`) it is read in one go.
pub fn build(text: &str) -> Model {
    build_split_from(text, SPLIT_MIN)
}

/// [`build`], in two halves from `min` bytes on.
pub(super) fn build_split_from(text: &str, min: usize) -> Model {
    let split = (text.len() >= min && crate::threads::may_split())
        .then(|| split_point(text))
        .flatten();
    let Some((at, at_line)) = split else {
        return read_whole(text);
    };
    let first = || {
        let mut b = Builder::new(text, 0, 0, empty_model());
        // Room for the second half's instructions too: they are appended to these.
        b.out
            .instructions
            .reserve(text.len() / BYTES_PER_INSTRUCTION + 8);
        b.stop_at = Some(at);
        b.run(0);
        b
    };
    let second = || {
        let mut b = Builder::new(text, at, at_line, empty_model());
        b.directives_done = true;
        b.out
            .instructions
            .reserve((text.len() - at) / BYTES_PER_INSTRUCTION + 4);
        b.run(at_line);
        b.out
    };
    let (mut b, rest) = rayon::join(first, second);
    match (b.stopped, b.escape) {
        (true, '\\') => b.out.append(rest),
        (true, _) => {
            b.stop_at = None;
            b.run(at_line);
        }
        // It read past the split: the whole text is read.
        (false, _) => {}
    }
    b.finish(None)
}

/// The model of `text`, read in one go.
pub(super) fn read_whole(text: &str) -> Model {
    let mut b = Builder::new(text, 0, 0, empty_model());
    b.out
        .instructions
        .reserve(text.len() / BYTES_PER_INSTRUCTION + 4);
    b.run(0);
    b.finish(None)
}

/// A model before any reading: no directive, the default escape character.
fn empty_model() -> Model {
    Model {
        escape: '\\',
        ..Model::default()
    }
}

/// Where to start the second half of a parallel reading, and its line: the start of
/// the first line from the middle on that begins with `FROM ` (a stage starts there, if
/// no heredoc or continuation holds it).
pub(super) fn split_point(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut at = text.len() / 2;
    loop {
        // Bytes, not `str`: the middle may fall inside a character.
        let nl = at + memchr::memchr(b'\n', bytes.get(at..)?)?;
        at = nl + 1;
        let line = bytes.get(at..at + 5)?;
        if line[..4].eq_ignore_ascii_case(b"FROM") && matches!(line[4], b' ' | b'\t') {
            let line_no = memchr::memchr_iter(b'\n', &bytes[..at]).count();
            return Some((at, line_no));
        }
    }
}

/// The model of `text`, given the model `prev` of `prev_text` (an earlier version of the
/// same document): the instructions before the changed lines are kept, those after them
/// are moved, and only the lines in between are read again. The result is equal to
/// `build(text)` (a property test checks it); when the change touches the parser
/// directives (or `prev` has no instruction), it is `build(text)`.
pub fn rebuild(mut prev: Model, prev_text: &str, text: &str) -> Model {
    update(&mut prev, prev_text, text);
    prev
}

/// [`rebuild`] in place: `model`, the model of `old_text`, becomes the model of `text`.
pub fn update(model: &mut Model, old_text: &str, text: &str) {
    let Some(plan) = Plan::new(model, old_text, text) else {
        *model = build(text);
        return;
    };
    let Some(plan) = plan else {
        // Same text.
        return;
    };
    let old = std::mem::take(model);
    let escape = old.escape;
    let mut b = Builder::new(text, plan.restart, plan.restart_line, old);
    b.escape = escape;
    b.directives_done = true;
    b.base = plan.first;
    b.resync = Some(Resync {
        old_text,
        delta: plan.delta,
        min_new: plan.suffix_new,
        next: plan.first,
        hit: None,
    });
    b.run(plan.restart_line);
    *model = b.finish(Some(&plan));
}

/// Where an incremental update starts reading.
struct Plan {
    /// `text.len() - old_text.len()`.
    delta: isize,
    /// Index of the first instruction read again.
    first: usize,
    /// Document offset (the same in both texts) and line of the first line read again.
    restart: usize,
    restart_line: usize,
    /// Where the unchanged end of the text starts in the new text.
    suffix_new: usize,
}

/// Start of the line containing `offset`.
fn line_start(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .get(..offset)
        .and_then(|b| b.iter().rposition(|&c| c == b'\n'))
        .map_or(0, |p| p + 1)
}

/// Where the line after the one containing `offset` starts (`usize::MAX` at the last line).
fn next_line_start(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .get(offset..)
        .and_then(|b| b.iter().position(|&c| c == b'\n'))
        .map_or(usize::MAX, |p| offset + p + 1)
}

/// Where the lines an instruction was read from end: the start of the line after its last
/// one. `usize::MAX` when its last line is the last of the text: it was cut short by the
/// end of the text (a continuation or heredoc still open) and more text could extend it.
fn region_end(text: &str, ins: &Instruction) -> usize {
    match next_line_start(text, ins.span.end) {
        e if e >= text.len() => usize::MAX,
        e => e,
    }
}

impl Plan {
    /// `None`: build from scratch; `Some(None)`: nothing changed.
    fn new(model: &Model, old: &str, new: &str) -> Option<Option<Plan>> {
        let (a, b) = (old.as_bytes(), new.as_bytes());
        let max = a.len().min(b.len());
        let prefix = common_prefix(a, b);
        if prefix == a.len() && a.len() == b.len() {
            return Some(None);
        }
        let suffix = common_suffix(a, b, max - prefix);
        let first_ins = model.instructions.first()?;
        // Lines up to the first instruction's first line hold the parser directives.
        let changed_line = line_start(old, prefix);
        if changed_line <= line_start(old, first_ins.span.start) {
            return None;
        }
        // An instruction is read from its first line to the end of its last one: the first
        // instruction to read again is the first one whose lines reach the change.
        let mut first = model
            .instructions
            .partition_point(|ins| region_end(old, ins) <= prefix);
        // An unterminated heredoc's body ended where the next instruction seemed to start;
        // a change anywhere after it may close it (or move that point): read it again.
        if let Some(open) = model.instructions.get(..first).and_then(|before| {
            before
                .iter()
                .position(|ins| ins.heredocs.iter().any(|h| h.end_span.is_none()))
        }) {
            first = open;
        }
        let (restart, restart_line) = match model.instructions.get(first) {
            Some(ins) if line_start(old, ins.span.start) <= changed_line => {
                (line_start(old, ins.span.start), ins.start_line)
            }
            _ => {
                // Blank and comment lines before the change: count from the instruction
                // before it (there is one: the first instruction's first line comes before
                // the change).
                let prev = model.instructions.get(first.checked_sub(1)?)?;
                let from = region_end(old, prev);
                let between = a.get(from..changed_line)?;
                let lines = between.iter().filter(|&&c| c == b'\n').count();
                (changed_line, prev.end_line + 1 + lines)
            }
        };
        Some(Some(Plan {
            delta: b.len() as isize - a.len() as isize,
            first,
            restart,
            restart_line,
            suffix_new: b.len() - suffix,
        }))
    }
}

/// Chunk compared with `memcmp` before looking at single bytes.
const CHUNK: usize = 256;

/// How many bytes two texts share at their start and at their end (the two never
/// overlap): what an edit left alone.
pub(crate) fn common_ends(a: &[u8], b: &[u8]) -> (usize, usize) {
    let prefix = common_prefix(a, b);
    let suffix = common_suffix(a, b, a.len().min(b.len()) - prefix);
    (prefix, suffix)
}

/// Length of the common prefix of two byte strings.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + CHUNK <= n && a.get(i..i + CHUNK) == b.get(i..i + CHUNK) {
        i += CHUNK;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// Length of the common suffix of two byte strings, at most `max`.
fn common_suffix(a: &[u8], b: &[u8], max: usize) -> usize {
    let (la, lb) = (a.len(), b.len());
    let mut k = 0;
    while k + CHUNK <= max && a.get(la - k - CHUNK..la - k) == b.get(lb - k - CHUNK..lb - k) {
        k += CHUNK;
    }
    while k < max && a[la - k - 1] == b[lb - k - 1] {
        k += 1;
    }
    k
}

/// The incremental update's stop: the first line, in the unchanged end of the text, where
/// an instruction of the old model started. From there on the old reading holds (moved).
struct Resync<'a> {
    old_text: &'a str,
    delta: isize,
    /// Start of the unchanged end of the text, in the new text.
    min_new: usize,
    /// The next old instruction that may be taken over.
    next: usize,
    /// The old instruction taken over and the new line it starts on.
    hit: Option<(usize, usize)>,
}

/// A range of the logical line to scan for variable uses.
struct UseRange {
    lo: usize,
    hi: usize,
    mode: Mode,
}

/// What a reading produces (for an update: the part read again).
#[derive(Default)]
struct Out {
    instructions: Vec<Instruction>,
    comments: Vec<Comment>,
    errors: Vec<ParseError>,
    var_uses: Vec<VarUse>,
}

impl Out {
    /// Append the reading of the text that follows.
    fn append(&mut self, mut rest: Out) {
        let n = self.instructions.len();
        for u in &mut rest.var_uses {
            u.instruction += n;
        }
        self.instructions.append(&mut rest.instructions);
        self.comments.append(&mut rest.comments);
        self.errors.append(&mut rest.errors);
        self.var_uses.append(&mut rest.var_uses);
    }
}

struct Builder<'a> {
    text: &'a str,
    /// Lines `first_line..` of the text, read on demand (see `line`); lines before the
    /// current instruction are dropped.
    lines: Vec<Line>,
    first_line: usize,
    /// Where the first line not yet in `lines` starts.
    scan: usize,
    escape: char,
    directives_done: bool,
    /// Directives and escape; for an update, the old model.
    model: Model,
    out: Out,
    /// Index in `model.instructions` of the first instruction produced.
    base: usize,
    resync: Option<Resync<'a>>,
    /// Stop when an item (instruction, comment, empty line) would start here.
    stop_at: Option<usize>,
    /// Whether the reading stopped at `stop_at`.
    stopped: bool,
    /// Buffers reused from one instruction to the next.
    logical: Logical,
    ranges: Vec<UseRange>,
    found: Vec<vars::Found>,
    word_ranges: Vec<(usize, usize, bool)>,
    flag_toks: FlagToks,
}

impl<'a> Builder<'a> {
    /// A reader of `text` from `start`, which is the start of line `line`.
    fn new(text: &'a str, start: usize, line: usize, model: Model) -> Self {
        Builder {
            text,
            lines: Vec::with_capacity(16),
            first_line: line,
            scan: start,
            escape: '\\',
            directives_done: false,
            logical: Logical::default(),
            ranges: Vec::new(),
            found: Vec::new(),
            word_ranges: Vec::new(),
            flag_toks: FlagToks::default(),
            model,
            out: Out::default(),
            base: 0,
            resync: None,
            stop_at: None,
            stopped: false,
        }
    }

    /// Line `i`, reading it if needed; `None` past the end (and before `first_line`).
    fn line(&mut self, i: usize) -> Option<Line> {
        let k = i.checked_sub(self.first_line)?;
        while self.lines.len() <= k {
            let bytes = self.text.as_bytes();
            let start = self.scan;
            if start >= bytes.len() {
                return None;
            }
            let nl = memchr_nl(self.text, start);
            let next = nl.map_or(bytes.len(), |p| p + 1);
            let mut end = nl.unwrap_or(bytes.len());
            while end > start && bytes[end - 1] == b'\r' {
                end -= 1;
            }
            self.lines.push(Line { start, end, next });
            self.scan = next;
        }
        self.lines.get(k).copied()
    }

    /// Forget the lines before line `i` (already read).
    fn forget_before(&mut self, i: usize) {
        let k = i.saturating_sub(self.first_line).min(self.lines.len());
        if k > 0 {
            self.lines.drain(..k);
            self.first_line += k;
        }
    }

    /// 0-based line containing `offset` (a line of the current instruction).
    fn line_of(&self, offset: usize) -> usize {
        self.first_line
            + self
                .lines
                .partition_point(|l| l.start <= offset)
                .saturating_sub(1)
    }

    /// For an update: whether the line starting at `start` is where the old reading can
    /// be taken over.
    fn resync_at(&mut self, start: usize, line: usize) -> bool {
        let Some(rs) = &mut self.resync else {
            return false;
        };
        if start < rs.min_new {
            return false;
        }
        while let Some(ins) = self.model.instructions.get(rs.next) {
            let old_start = line_start(rs.old_text, ins.span.start);
            let new_start = old_start as isize + rs.delta;
            if new_start < start as isize {
                rs.next += 1;
                continue;
            }
            if new_start == start as isize {
                rs.hit = Some((rs.next, line));
                return true;
            }
            return false;
        }
        false
    }

    fn run(&mut self, mut i: usize) {
        let text = self.text;
        while let Some(line) = self.line(i) {
            self.forget_before(i);
            if self.resync_at(line.start, i) {
                return;
            }
            if self.stop_at == Some(line.start) {
                self.stopped = true;
                return;
            }
            if line.next - line.start > MAX_LINE
                || (line.next == line.end && line.end - line.start >= MAX_LINE)
            {
                self.out.errors.push(ParseError {
                    span: Span::new(line.start, line.end),
                    message: format!(
                        "dockerfile line greater than max allowed size of {}",
                        MAX_LINE - 1
                    ),
                });
            }
            let mut cs = line.start;
            if i == 0 && text.starts_with('\u{feff}') {
                cs = (cs + 3).min(line.end);
            }
            let raw = text.get(cs..line.end).unwrap_or("");
            let t_off = cs + (raw.len() - raw.trim_start_matches(is_space).len());
            let t = text.get(t_off..line.end).unwrap_or("");
            let is_directive = !self.directives_done && self.directive(t_off, line.end, t);
            if t.starts_with('#') {
                if !is_directive {
                    self.push_comment(i, t_off, line.end, None);
                }
                i += 1;
                continue;
            }
            let (kept, mut cont) = trim_continuation(t, self.escape);
            if !cont && kept == 0 {
                i += 1;
                continue;
            }

            // An instruction: this line and its continuation lines.
            let first = i;
            let mut last = i;
            let mut lg = std::mem::take(&mut self.logical);
            lg.reset(t_off);
            lg.push(t_off, t.get(..kept).unwrap_or(""));
            i += 1;
            let mut empty_lines = Vec::new();
            let mut inner_comments = Vec::new();
            while cont {
                let Some(l) = self.line(i) else {
                    break;
                };
                let raw = text.get(l.start..l.end).unwrap_or("");
                last = i;
                i += 1;
                let ts = raw.trim_start_matches(is_space);
                if ts.starts_with('#') {
                    let off = l.end - ts.len();
                    let c = self.push_comment(last, off, l.end, Some(()));
                    inner_comments.push(c);
                    continue;
                }
                if ts.is_empty() {
                    empty_lines.push(last);
                    continue;
                }
                let (k, c) = trim_continuation(raw, self.escape);
                lg.push(l.start, raw.get(..k).unwrap_or(""));
                cont = c;
            }

            let index = self.base + self.out.instructions.len();
            let mut ranges = std::mem::take(&mut self.ranges);
            ranges.clear();
            let mut ins = self.parse_instruction(&lg, 0, lg.text.len(), 0, &mut ranges);

            // Heredoc bodies follow the instruction's last line, one after another.
            if can_contain_heredoc(&ins) && lg.text.contains("<<") {
                // Once a body has run to the end unterminated, the reading went back to
                // where the next instruction seems to start: later markers get nothing.
                let mut recovered = false;
                for m in heredoc_markers(&lg.text) {
                    let marker_span = lg.span(m.start, m.end);
                    let body_start = self.line(i).map_or(text.len(), |l| l.start);
                    let mut body_end = text.len();
                    let mut end_span = None;
                    // The first body line that reads as an instruction (line, start).
                    let mut resume: Option<(usize, usize)> = None;
                    let last_before = last;
                    while let Some(l) = self.line(i).filter(|_| !recovered) {
                        last = i;
                        i += 1;
                        let content = text.get(l.start..l.end).unwrap_or("");
                        let cmp = if m.chomp {
                            content.trim_start_matches('\t')
                        } else {
                            content
                        };
                        if cmp == m.name {
                            body_end = l.start;
                            end_span = Some(Span::new(l.start, l.end));
                            break;
                        }
                        if resume.is_none() && starts_instruction(content) {
                            resume = Some((i - 1, l.start));
                        }
                    }
                    if recovered {
                        body_end = body_start;
                    } else if let (None, Some((line_no, start))) = (end_span, resume) {
                        // Unterminated: BuildKit fails the build. For the editor the body
                        // ends before the first line that reads as an instruction, so the
                        // rest of the file is still read as instructions (a heredoc being
                        // typed does not swallow the stages after it).
                        body_end = start;
                        i = line_no;
                        // The body's last line, or the instruction's own when it is empty.
                        last = line_no.saturating_sub(1).max(last_before);
                        recovered = true;
                    }
                    if end_span.is_none() {
                        self.out.errors.push(ParseError {
                            span: marker_span,
                            message: format!(
                                "{UNTERMINATED}{}`{OPENED_ON}{}",
                                m.name,
                                self.line_of(marker_span.start) + 1
                            ),
                        });
                    }
                    let body_span = Span::new(body_start, body_end.max(body_start));
                    let body = text
                        .get(body_span.start..body_span.end)
                        .unwrap_or("")
                        .to_string();
                    if !m.quoted && ins.kind != InstructionKind::Onbuild {
                        self.scan_text(&body, body_span.start, Mode::Body, true, index);
                    }
                    ins.heredocs.push(Heredoc {
                        delimiter: m.name,
                        strip_tabs: m.chomp,
                        quoted: m.quoted,
                        marker_span,
                        body_span,
                        body,
                        end_span,
                    });
                }
            }

            let mut found = std::mem::take(&mut self.found);
            for r in &ranges {
                let s = lg.text.get(r.lo..r.hi).unwrap_or("");
                let in_shell = matches!(r.mode, Mode::Shell);
                found.clear();
                vars::scan(s, r.mode, &mut found);
                for f in &found {
                    self.push_use(&lg, r.lo, f, s, in_shell, index);
                }
            }
            self.found = found;
            self.ranges = ranges;
            self.logical = lg;

            let end = self.line(last).map_or(line.end, |l| l.end);
            ins.span = Span::new(t_off.min(ins.keyword_span.start), end.max(t_off));
            ins.start_line = first;
            ins.end_line = last;
            ins.empty_continuation_lines = empty_lines;
            ins.inner_comments = inner_comments;
            self.out.instructions.push(ins);
        }
    }

    fn push_use(
        &mut self,
        lg: &Logical,
        base: usize,
        f: &vars::Found,
        s: &str,
        in_shell: bool,
        index: usize,
    ) {
        let name = s.get(f.name_start..f.name_end).unwrap_or("").into();
        let modifier = f.modifier.and_then(|(a, b)| s.get(a..b)).map(Into::into);
        self.out.var_uses.push(VarUse {
            name,
            span: lg.span(base + f.start, base + f.end),
            name_span: lg.span(base + f.name_start, base + f.name_end),
            modifier,
            instruction: index,
            stage: None,
            in_shell,
            def: None,
        });
    }

    /// Scan text that sits verbatim in the document at `base` (heredoc bodies).
    fn scan_text(&mut self, s: &str, base: usize, mode: Mode, in_shell: bool, index: usize) {
        let mut found = std::mem::take(&mut self.found);
        found.clear();
        vars::scan(s, mode, &mut found);
        for f in &found {
            self.out.var_uses.push(VarUse {
                name: s.get(f.name_start..f.name_end).unwrap_or("").into(),
                span: Span::new(base + f.start, base + f.end),
                name_span: Span::new(base + f.name_start, base + f.name_end),
                modifier: f.modifier.and_then(|(a, b)| s.get(a..b)).map(Into::into),
                instruction: index,
                stage: None,
                in_shell,
                def: None,
            });
        }
        self.found = found;
    }

    fn push_comment(
        &mut self,
        line: usize,
        start: usize,
        end: usize,
        _inner: Option<()>,
    ) -> Comment {
        let t = self.text.get(start..end).unwrap_or("");
        let c = Comment {
            text: t.get(1..).unwrap_or("").trim_matches(is_space).to_string(),
            span: Span::new(start, end),
            line,
        };
        self.out.comments.push(c.clone());
        c
    }

    /// BuildKit's directive parser on one line of the leading block. Returns whether the line
    /// is a directive; ends the block on anything else.
    fn directive(&mut self, start: usize, end: usize, t: &str) -> bool {
        let Some(d) = parse_directive(t, start) else {
            self.directives_done = true;
            return false;
        };
        let span = Span::new(start, end);
        if !matches!(d.name.as_str(), "syntax" | "escape" | "check") {
            self.directives_done = true;
            return false;
        }
        if self.model.directives.iter().any(|x| x.name == d.name) {
            self.out.errors.push(ParseError {
                span,
                message: format!("only one {} parser directive can be used", d.name),
            });
            return true;
        }
        if d.name == "escape" {
            match d.value.as_str() {
                "\\" => self.escape = '\\',
                "`" => self.escape = '`',
                v => self.out.errors.push(ParseError {
                    span: d.value_span,
                    message: format!("invalid escape token '{v}' does not match ` or \\"),
                }),
            }
            self.model.escape = self.escape;
        }
        self.model.directives.push(Directive { span, ..d });
        true
    }

    fn word(&self, lg: &Logical, base: usize, w: &words::RawWord) -> Word {
        Word {
            value: self.unquote(w.text, w.plain),
            span: lg.span(base + w.start, base + w.end),
            raw: w.text.into(),
        }
    }

    /// BuildKit's `parseWords` of `s` as word ranges, in the buffer kept for them (give it
    /// back to `word_ranges` when done).
    fn word_ranges_of(&mut self, s: &str) -> Vec<(usize, usize, bool)> {
        let mut ranges = std::mem::take(&mut self.word_ranges);
        ranges.clear();
        words::for_each_word(s, self.escape, |x, y, plain| ranges.push((x, y, plain)));
        ranges
    }

    /// A word's value: as written when the word reading saw no quote or escape in it
    /// (most words; `unquote` would only search it for them).
    fn unquote(&self, text: &str, plain: bool) -> CompactString {
        if plain {
            CompactString::new(text)
        } else {
            unquote(text, self.escape)
        }
    }

    fn split_words(&mut self, lg: &Logical, a: usize, b: usize) -> Vec<Word> {
        let s = lg.text.get(a..b).unwrap_or("");
        let ranges = self.word_ranges_of(s);
        let out = ranges
            .iter()
            .map(|&(x, y, plain)| {
                let text = &s[x..y];
                Word {
                    value: self.unquote(text, plain),
                    span: lg.span(a + x, a + y),
                    raw: text.into(),
                }
            })
            .collect();
        self.word_ranges = ranges;
        out
    }

    fn error(&mut self, span: Span, message: String) {
        self.out.errors.push(ParseError { span, message });
    }

    /// `parseMaybeJSON`: exec form when `[a, b)` is a JSON array of strings.
    fn maybe_json(&mut self, lg: &Logical, a: usize, b: usize) -> (Option<JsonArgs>, Vec<Word>) {
        let s = lg.text.get(a..b).unwrap_or("");
        if s.is_empty() {
            return (None, Vec::new());
        }
        match parse_json_array(s) {
            JsonArray::Strings { items, start, end } => {
                let items: Vec<Word> = items
                    .into_iter()
                    .map(|it| Word {
                        raw: s.get(it.start..it.end).unwrap_or("").into(),
                        span: lg.span(a + it.start, a + it.end),
                        value: it.value.into(),
                    })
                    .collect();
                let json = JsonArgs {
                    items: items.clone(),
                    span: lg.span(a + start, a + end),
                };
                (Some(json), items)
            }
            JsonArray::NotStrings => {
                self.error(
                    lg.span(a, b),
                    "when using JSON array syntax, arrays must be comprised of strings only"
                        .to_string(),
                );
                (None, self.split_words(lg, a, b))
            }
            JsonArray::NotJson => (None, self.split_words(lg, a, b)),
        }
    }

    /// BuildKit's `newNodeFromLine` on the logical range `[lo, hi)`.
    fn parse_instruction(
        &mut self,
        lg: &Logical,
        lo: usize,
        hi: usize,
        depth: usize,
        ranges: &mut Vec<UseRange>,
    ) -> Instruction {
        let text = lg.text.as_str();
        let (a, b) = trim_range(text, lo, hi);
        let line = text.get(a..b).unwrap_or("");
        let kw_len = line.find(is_token_ws).unwrap_or(line.len());
        let keyword = CompactString::from(line.get(..kw_len).unwrap_or(""));
        let kind = kind_of(&keyword);
        let after_kw = {
            let r = line.get(kw_len..).unwrap_or("");
            a + kw_len + (r.len() - r.trim_start_matches(is_token_ws).len())
        };
        let mut toks = std::mem::take(&mut self.flag_toks);
        let rest_at = if kw_len < line.len() {
            extract_flags(text.get(after_kw..b).unwrap_or(""), &mut toks)
        } else {
            toks.clear();
            None
        };
        let flags: Vec<Flag> = toks
            .iter()
            .map(|t| self.make_flag(lg, after_kw, &t, ranges))
            .collect();
        self.flag_toks = toks;
        let (ra, rb) = match rest_at {
            Some(p) => trim_range(text, after_kw + p, b),
            None => (b, b),
        };
        let args = text.get(ra..rb).unwrap_or("");
        let rest_span = lg.span(ra, rb);
        let rest = Rest {
            value: args.into(),
            span: rest_span,
        };
        let keyword_span = lg.span(a, a + kw_len);
        let esc = self.escape as u8;

        let mut json = None;
        let mut words = Vec::new();
        let mut details = Details::None;
        match &kind {
            InstructionKind::Run
            | InstructionKind::Cmd
            | InstructionKind::Entrypoint
            | InstructionKind::Shell => {
                (json, words) = self.maybe_json(lg, ra, rb);
                if json.is_none() && kind != InstructionKind::Shell && depth == 0 {
                    ranges.push(UseRange {
                        lo: ra,
                        hi: rb,
                        mode: Mode::Shell,
                    });
                }
            }
            InstructionKind::Add | InstructionKind::Copy | InstructionKind::Volume => {
                (json, words) = self.maybe_json(lg, ra, rb);
                if depth == 0 {
                    match &json {
                        Some(_) => {
                            if let JsonArray::Strings { items, .. } = parse_json_array(args) {
                                for it in items {
                                    let (s, e) =
                                        (ra + it.start + 1, (ra + it.end).saturating_sub(1));
                                    ranges.push(UseRange {
                                        lo: s,
                                        hi: e.max(s),
                                        mode: Mode::Buildkit(esc),
                                    });
                                }
                            }
                        }
                        None => ranges.push(UseRange {
                            lo: ra,
                            hi: rb,
                            mode: Mode::Buildkit(esc),
                        }),
                    }
                }
            }
            InstructionKind::Healthcheck => {
                let sep = args.find(is_space).unwrap_or(args.len());
                if sep > 0 {
                    let typ = args.get(..sep).unwrap_or("");
                    let typ_word = Word {
                        value: typ.into(),
                        raw: typ.into(),
                        span: lg.span(ra, ra + sep),
                    };
                    let r = args.get(sep..).unwrap_or("");
                    let next = ra + sep + (r.len() - r.trim_start_matches(is_space).len());
                    let (j, w) = self.maybe_json(lg, next, rb);
                    json = j;
                    words.push(typ_word.clone());
                    words.extend(w);
                    let is_cmd = typ.eq_ignore_ascii_case("cmd");
                    if is_cmd && json.is_none() && depth == 0 {
                        ranges.push(UseRange {
                            lo: next,
                            hi: rb,
                            mode: Mode::Shell,
                        });
                    }
                    details = Details::Healthcheck {
                        none: typ.eq_ignore_ascii_case("none"),
                        cmd: is_cmd.then(|| Box::new(typ_word)),
                    };
                } else {
                    details = Details::Healthcheck {
                        none: false,
                        cmd: None,
                    };
                }
            }
            InstructionKind::From => {
                words = self.split_words(lg, ra, rb);
                let as_keyword = words
                    .get(1)
                    .filter(|w| w.value.eq_ignore_ascii_case("as"))
                    .cloned();
                let stage_name = if as_keyword.is_some() {
                    words.get(2).cloned()
                } else {
                    None
                };
                let image = words.first().map(|w| self.image(lg, ra, rb, w));
                if depth == 0 {
                    let hi = match &as_keyword {
                        Some(k) => words
                            .get(1)
                            .map_or(rb, |_| self.logical_pos(lg, ra, rb, k.span.start)),
                        None => rb,
                    };
                    ranges.push(UseRange {
                        lo: ra,
                        hi,
                        mode: Mode::Buildkit(esc),
                    });
                }
                details = Details::From {
                    image: image.map(Box::new),
                    as_keyword: as_keyword.map(Box::new),
                    stage_name: stage_name.map(Box::new),
                };
            }
            InstructionKind::Env | InstructionKind::Label => {
                let ranges_buf = self.word_ranges_of(args);
                let pw = raw_words(args, &ranges_buf);
                let mut pairs = Vec::with_capacity(ranges_buf.len());
                if let Some(first) = pw.clone().next() {
                    if memchr::memchr(b'=', first.text.as_bytes()).is_none() {
                        // Legacy `KEY value...`: the whole rest of the line is the value.
                        match args.find(is_token_ws) {
                            None => {
                                self.error(
                                    lg.span(a, b),
                                    format!("{} must have two arguments", kind.name()),
                                );
                                pairs.push(KeyValue {
                                    key: self.word(lg, ra, &first),
                                    value: None,
                                    span: rest_span,
                                    legacy: true,
                                });
                            }
                            Some(k) => {
                                let r = args.get(k..).unwrap_or("");
                                let v0 = k + (r.len() - r.trim_start_matches(is_token_ws).len());
                                let kraw = args.get(..k).unwrap_or("");
                                let vraw = args.get(v0..).unwrap_or("");
                                pairs.push(KeyValue {
                                    key: Word {
                                        value: unquote(kraw, self.escape),
                                        raw: kraw.into(),
                                        span: lg.span(ra, ra + k),
                                    },
                                    value: Some(Word {
                                        value: unquote(vraw, self.escape),
                                        raw: vraw.into(),
                                        span: lg.span(ra + v0, rb),
                                    }),
                                    span: rest_span,
                                    legacy: true,
                                });
                            }
                        }
                    } else {
                        for w in pw.clone() {
                            match memchr::memchr(b'=', w.text.as_bytes()) {
                                None => {
                                    let mut q = String::new();
                                    words::go_quote(w.text, &mut q);
                                    self.error(
                                        lg.span(ra + w.start, ra + w.end),
                                        format!("Syntax error - can't find = in {q}. Must be of the form: name=value"),
                                    );
                                    pairs.push(KeyValue {
                                        key: self.word(lg, ra, &w),
                                        value: None,
                                        span: lg.span(ra + w.start, ra + w.end),
                                        legacy: false,
                                    });
                                }
                                Some(eq) => pairs.push(self.pair(lg, ra, &w, eq)),
                            }
                        }
                    }
                }
                if depth == 0 {
                    ranges.push(UseRange {
                        lo: ra,
                        hi: rb,
                        mode: Mode::Buildkit(esc),
                    });
                }
                words = pw.map(|w| self.word(lg, ra, &w)).collect();
                self.word_ranges = ranges_buf;
                details = Details::Pairs(pairs);
            }
            InstructionKind::Arg => {
                let ranges_buf = self.word_ranges_of(args);
                let pw = raw_words(args, &ranges_buf);
                let mut pairs = Vec::with_capacity(ranges_buf.len());
                for w in pw.clone() {
                    match memchr::memchr(b'=', w.text.as_bytes()) {
                        None => pairs.push(KeyValue {
                            key: self.word(lg, ra, &w),
                            value: None,
                            span: lg.span(ra + w.start, ra + w.end),
                            legacy: false,
                        }),
                        Some(eq) => {
                            if depth == 0 {
                                ranges.push(UseRange {
                                    lo: ra + w.start + eq + 1,
                                    hi: ra + w.end,
                                    mode: Mode::Buildkit(esc),
                                });
                            }
                            pairs.push(self.pair(lg, ra, &w, eq));
                        }
                    }
                }
                words = pw.map(|w| self.word(lg, ra, &w)).collect();
                self.word_ranges = ranges_buf;
                details = Details::Pairs(pairs);
            }
            InstructionKind::Onbuild => {
                words = self.split_words(lg, ra, rb);
                if !args.is_empty() && depth < MAX_ONBUILD_DEPTH {
                    let mut none = Vec::new();
                    let inner = self.parse_instruction(lg, ra, rb, depth + 1, &mut none);
                    details = Details::Onbuild(Box::new(inner));
                }
            }
            InstructionKind::Maintainer | InstructionKind::Unknown(_) => {
                words = self.split_words(lg, ra, rb);
            }
            InstructionKind::Expose
            | InstructionKind::Stopsignal
            | InstructionKind::User
            | InstructionKind::Workdir => {
                words = self.split_words(lg, ra, rb);
                if depth == 0 {
                    ranges.push(UseRange {
                        lo: ra,
                        hi: rb,
                        mode: Mode::Buildkit(esc),
                    });
                }
            }
        }
        if depth > 0 {
            // Uses inside ONBUILD are expanded by a later build, not recorded here.
            ranges.clear();
        }

        let span = lg.span(a, b);
        let start_line = self.line_of(span.start);
        let end_line = self.line_of(span.end.saturating_sub(1).max(span.start));
        Instruction {
            kind,
            keyword,
            keyword_span,
            span,
            start_line,
            end_line,
            flags,
            rest,
            words,
            json: json.map(Box::new),
            heredocs: Vec::new(),
            details,
            stage: None,
            empty_continuation_lines: Vec::new(),
            inner_comments: Vec::new(),
        }
    }

    /// The logical offset in `[ra, rb)` of a document offset inside that range.
    fn logical_pos(&self, lg: &Logical, ra: usize, rb: usize, doc: usize) -> usize {
        let mut lo = ra;
        let mut hi = rb;
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if lg.start(mid) < doc {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// A `key=value` word split at its first `=` (offset `eq` in the word's text).
    fn pair(&self, lg: &Logical, base: usize, w: &words::RawWord, eq: usize) -> KeyValue {
        let kraw = w.text.get(..eq).unwrap_or("");
        let vraw = w.text.get(eq + 1..).unwrap_or("");
        let ks = base + w.start;
        KeyValue {
            key: Word {
                value: self.unquote(kraw, w.plain),
                raw: kraw.into(),
                span: lg.span(ks, ks + eq),
            },
            value: Some(Word {
                value: self.unquote(vraw, w.plain),
                raw: vraw.into(),
                span: lg.span(ks + eq + 1, (base + w.end).max(ks + eq + 1)),
            }),
            span: lg.span(ks, base + w.end),
            legacy: false,
        }
    }

    fn image(&self, lg: &Logical, ra: usize, rb: usize, w: &Word) -> super::ImageRef {
        let lo = self.logical_pos(lg, ra, rb, w.span.start);
        let (value, map) = words::unquote_map(&w.raw, self.escape);
        let raw_len = w.raw.len();
        image::parse_mapped(&value, w.span, |x, y| {
            let (p, q) = map_range(&map, raw_len, x, y);
            lg.span(lo + p, lo + q)
        })
    }

    fn make_flag(
        &self,
        lg: &Logical,
        base: usize,
        t: &FlagTok<'_>,
        ranges: &mut Vec<UseRange>,
    ) -> Flag {
        let body_at = if t.text.starts_with("--") { 2 } else { 0 };
        let body = t.text.get(body_at..).unwrap_or("");
        let (name, value, eq) = match memchr::memchr(b'=', body.as_bytes()) {
            Some(e) => (&body[..e], Some(&body[e + 1..]), Some(body_at + e)),
            None => (body, None, None),
        };
        let to_span = |x: usize, y: usize| {
            let (p, q) = t.range(x, y);
            lg.span(base + p, base + q)
        };
        let name_span = to_span(body_at, body_at + name.len());
        let value_span = eq.map(|e| to_span(e + 1, t.text.len()));
        if let Some(e) = eq {
            // The raw text of the value, for variable uses.
            let (p, _) = t.range(e + 1, t.text.len());
            let p = if e + 1 < t.text.len() { p } else { t.end };
            ranges.push(UseRange {
                lo: base + p,
                hi: base + t.end,
                mode: Mode::Buildkit(b'\\'),
            });
        }
        let mut options = Vec::new();
        if name == "mount" {
            if let (Some(v), Some(e)) = (value, eq) {
                for (fa, fb, quoted) in csv_fields(v) {
                    let field = v.get(fa..fb).unwrap_or("");
                    if field.is_empty() {
                        continue;
                    }
                    let off = e + 1;
                    let inner = if quoted { 1 } else { 0 };
                    let text_of = |s: &str| -> CompactString {
                        if quoted {
                            s.replace("\"\"", "\"").into()
                        } else {
                            s.into()
                        }
                    };
                    let body = field.get(inner..field.len() - inner).unwrap_or("");
                    let (k, val) = match memchr::memchr(b'=', body.as_bytes()) {
                        Some(q) => (&body[..q], Some((&body[q + 1..], q))),
                        None => (body, None),
                    };
                    let ks = off + fa + inner;
                    options.push(FlagOption {
                        key: text_of(k),
                        value: val.map(|(x, _)| text_of(x)),
                        span: to_span(off + fa, off + fb),
                        key_span: to_span(ks, ks + k.len()),
                        value_span: val.map(|(x, q)| to_span(ks + q + 1, ks + q + 1 + x.len())),
                    });
                }
            }
        }
        Flag {
            name: name.into(),
            value: value.map(Into::into),
            span: lg.span(base + t.start, base + t.end),
            name_span,
            value_span,
            options,
        }
    }

    fn finish(mut self, plan: Option<&Plan>) -> Model {
        let out = std::mem::take(&mut self.out);
        let mut model = std::mem::take(&mut self.model);
        let mut old_stages = Vec::new();
        // Where the instructions not read again went: (first old index, old index -> new
        // index shift, move).
        let mut moved = None;
        let mut reuse = None;
        match plan {
            None => {
                model.instructions = out.instructions;
                model.comments = out.comments;
                model.var_uses = out.var_uses;
                model.errors = out.errors;
            }
            Some(plan) => {
                old_stages = std::mem::take(&mut model.stages);
                let hit = self.resync.as_ref().and_then(|r| r.hit);
                let old_text = self.resync.as_ref().map_or("", |r| r.old_text);
                let (old_k, old_start, delta) = match hit {
                    Some((k, line)) => {
                        let ins = &model.instructions[k];
                        let d = Delta {
                            bytes: plan.delta,
                            lines: line as isize - ins.start_line as isize,
                        };
                        (k, line_start(old_text, ins.span.start), d)
                    }
                    None => (
                        model.instructions.len(),
                        usize::MAX,
                        Delta { bytes: 0, lines: 0 },
                    ),
                };
                let first = plan.first;
                let n_new = out.instructions.len();
                let neutral = model.instructions[first..old_k]
                    .iter()
                    .chain(&out.instructions)
                    .all(vars::neutral);
                let index_shift = (first + n_new) as isize - old_k as isize;
                model.instructions.splice(first..old_k, out.instructions);
                if !delta.is_zero() {
                    model.instructions[first + n_new..].shift(delta);
                }

                let a = model
                    .comments
                    .partition_point(|c| c.span.start < plan.restart);
                let b = model.comments.partition_point(|c| c.span.start < old_start);
                let n = out.comments.len();
                model.comments.splice(a..b, out.comments);
                model.comments[a + n..].shift(delta);

                let a = model
                    .errors
                    .partition_point(|e| e.span.start < plan.restart);
                let b = model.errors.partition_point(|e| e.span.start < old_start);
                let n = out.errors.len();
                model.errors.splice(a..b, out.errors);
                for e in &mut model.errors[a + n..] {
                    e.shift(delta);
                    if delta.lines != 0 {
                        move_heredoc_message(&mut e.message, delta.lines);
                    }
                }

                let a = model.var_uses.partition_point(|u| u.instruction < first);
                let b = model.var_uses.partition_point(|u| u.instruction < old_k);
                let n = out.var_uses.len();
                model.var_uses.splice(a..b, out.var_uses);
                for u in &mut model.var_uses[a + n..] {
                    u.shift(delta);
                    u.instruction = u.instruction.wrapping_add_signed(index_shift);
                }
                moved = Some((first, first + n_new, index_shift, delta));
                reuse = Some(vars::Reuse {
                    kept: first,
                    moved: first + n_new,
                    shift: index_shift,
                    delta,
                    neutral,
                });
            }
        }
        if model.instructions.is_empty() {
            let first = self.text.split('\n').next().unwrap_or("");
            let end = first.trim_end_matches('\r').len();
            model.errors.push(ParseError {
                span: Span::new(0, end),
                message: "file with no instructions".to_string(),
            });
        }
        // Stages: each FROM and the instructions up to the next one.
        let froms: Vec<usize> = model
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| i.kind == InstructionKind::From)
            .map(|(k, _)| k)
            .collect();
        let total = model.instructions.len();
        if plan.is_some() {
            let before = froms.first().copied().unwrap_or(total);
            for ins in &mut model.instructions[..before] {
                set_stage(ins, None);
            }
        }
        model.stages.reserve_exact(froms.len());
        for (si, &f) in froms.iter().enumerate() {
            let end = froms.get(si + 1).copied().unwrap_or(total);
            for ins in &mut model.instructions[f..end] {
                set_stage(ins, Some(si));
            }
            let from = &model.instructions[f];
            let last = &model.instructions[end - 1];
            // For an update, the stage of a FROM that was not read again: its parts are
            // the same, moved.
            let reused = moved.and_then(|(lo, hi, shift, delta)| {
                let (old_f, d) = if f < lo {
                    (f, None)
                } else if f >= hi {
                    (f.wrapping_add_signed(-shift), Some(delta))
                } else {
                    return None;
                };
                let k = old_stages.partition_point(|s: &Stage| s.from < old_f);
                let s = old_stages.get_mut(k).filter(|s| s.from == old_f)?;
                let mut parts = (s.name.take(), s.image.take(), s.platform.take());
                if let Some(d) = d {
                    parts.0.shift(d);
                    parts.1.shift(d);
                    parts.2.shift(d);
                }
                Some(parts)
            });
            let (name, image, platform) = match reused {
                Some(parts) => parts,
                None => {
                    let (image, name) = match &from.details {
                        Details::From {
                            image, stage_name, ..
                        } => (image.as_deref().cloned(), stage_name.as_deref().cloned()),
                        _ => (None, None),
                    };
                    (name, image, from.flag("platform").cloned())
                }
            };
            model.stages.push(Stage {
                index: si,
                name,
                from: f,
                instructions: f..end,
                image,
                platform,
                span: from.span.cover(last.span),
            });
        }
        model.errors.sort_by_key(|e| e.span.start);
        model.instructions.shrink_to_fit();
        vars::analyze(&mut model, reuse);
        model
    }
}

/// The unterminated heredoc error: `{UNTERMINATED}name`{OPENED_ON}line`.
const UNTERMINATED: &str = "unterminated heredoc `";
const OPENED_ON: &str = " opened on line ";

/// The line number in an unterminated heredoc error, moved by `lines`.
fn move_heredoc_message(message: &mut String, lines: isize) {
    if !message.starts_with(UNTERMINATED) {
        return;
    }
    let Some((head, n)) = message.rsplit_once(OPENED_ON) else {
        return;
    };
    if let Ok(n) = n.parse::<usize>() {
        *message = format!("{head}{OPENED_ON}{}", n.wrapping_add_signed(lines));
    }
}

fn set_stage(ins: &mut Instruction, stage: Option<usize>) {
    ins.stage = stage;
    let mut d = &mut ins.details;
    while let Details::Onbuild(inner) = d {
        inner.stage = stage;
        d = &mut inner.details;
    }
}

/// The first `\n` at or after `from` (a character boundary).
fn memchr_nl(s: &str, from: usize) -> Option<usize> {
    // The memchr crate's search: on lines of a few dozen bytes `str::find` cost ~200
    // instructions a line, a fifth of the whole reading of a line.
    memchr::memchr(b'\n', s.as_bytes().get(from..)?).map(|p| p + from)
}

/// BuildKit's line-continuation test (`([^E])E[ \t]*$|^E[ \t]*$`): returns the length of the
/// text kept and whether the next line continues this one.
fn trim_continuation(s: &str, escape: char) -> (usize, bool) {
    let t = s.trim_end_matches([' ', '\t']);
    match t.strip_suffix(escape) {
        Some(before) if before.is_empty() || !before.ends_with(escape) => (before.len(), true),
        _ => (s.len(), false),
    }
}

/// `#` + optional whitespace + `name = value` (the name starting with a letter); `None` when
/// the line does not have that shape. `start` is the line's offset.
fn parse_directive(t: &str, start: usize) -> Option<Directive> {
    let body = t.strip_prefix('#')?;
    let after = body.trim_start_matches(is_space);
    let name_at = 1 + body.len() - after.len();
    let name_len = after
        .char_indices()
        .find(|&(k, c)| !(c.is_ascii_alphabetic() || (k > 0 && c.is_ascii_digit())))
        .map_or(after.len(), |(k, _)| k);
    if name_len == 0 {
        return None;
    }
    let go_ws = |c: char| matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ');
    let r = &after[name_len..];
    let r2 = r.trim_start_matches(go_ws);
    let r3 = r2.strip_prefix('=')?;
    let eq_at = name_at + name_len + (r.len() - r2.len());
    // `\s*(.+?)\s*$`: the value is trimmed, but at least one character long.
    let v_trim_end = r3.trim_end_matches(go_ws);
    let v = v_trim_end.trim_start_matches(go_ws);
    let (v_off, v_len) = if !v.is_empty() {
        (eq_at + 1 + (v_trim_end.len() - v.len()), v.len())
    } else {
        let last = r3.chars().last()?;
        (eq_at + 1 + r3.len() - last.len_utf8(), last.len_utf8())
    };
    let value = t.get(v_off..v_off + v_len)?.to_string();
    Some(Directive {
        name: after[..name_len].to_ascii_lowercase(),
        value,
        span: Span::new(start, start + t.len()),
        name_span: Span::new(start + name_at, start + name_at + name_len),
        value_span: Span::new(start + v_off, start + v_off + v_len),
    })
}

/// Instruction kind of a keyword as BuildKit dispatches it (`strings.ToLower`).
fn kind_of(keyword: &str) -> InstructionKind {
    let lower = if keyword.is_ascii() {
        std::borrow::Cow::Borrowed(keyword)
    } else {
        std::borrow::Cow::Owned(go_lower(keyword))
    };
    InstructionKind::ALL
        .iter()
        .find(|k| k.name().eq_ignore_ascii_case(&lower))
        .cloned()
        .unwrap_or_else(|| InstructionKind::Unknown(keyword.to_string()))
}

/// Whether a line of an unterminated heredoc's body reads as the next instruction: an
/// instruction keyword in capitals at the start of the line, then a blank or the line end.
fn starts_instruction(line: &str) -> bool {
    InstructionKind::is_capital_keyword(line.split([' ', '\t']).next().unwrap_or(""))
}

fn can_contain_heredoc(ins: &Instruction) -> bool {
    match (&ins.kind, &ins.details) {
        (InstructionKind::Run | InstructionKind::Copy | InstructionKind::Add, _) => {
            ins.json.is_none()
        }
        (InstructionKind::Onbuild, Details::Onbuild(inner)) => {
            matches!(
                inner.kind,
                InstructionKind::Run | InstructionKind::Copy | InstructionKind::Add
            ) && inner.json.is_none()
        }
        _ => false,
    }
}

/// Go `encoding/csv` fields of one record: `(start, end, quoted)` ranges of `s`.
fn csv_fields(s: &str) -> Vec<(usize, usize, bool)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        let start = i;
        if b.get(i) == Some(&b'"') {
            i += 1;
            while i < b.len() {
                if b[i] == b'"' {
                    if b.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            let quoted = i <= b.len() && i >= start + 2 && b.get(i - 1) == Some(&b'"');
            // Anything up to the next comma belongs to the field too.
            while i < b.len() && b[i] != b',' {
                i += 1;
            }
            out.push((start, i, quoted && b.get(i - 1) == Some(&b'"')));
        } else {
            while i < b.len() && b[i] != b',' {
                i += 1;
            }
            out.push((start, i, false));
        }
        if i >= b.len() {
            break;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ins(text: &str) -> Instruction {
        let m = build(text);
        m.instructions.into_iter().last().expect("an instruction")
    }

    fn at(text: &str, s: Span) -> &str {
        &text[s.start..s.end]
    }

    #[test]
    fn continuation() {
        assert_eq!(trim_continuation("a \\", '\\'), (2, true));
        assert_eq!(trim_continuation("a \\ \t", '\\'), (2, true));
        assert_eq!(trim_continuation("\\", '\\'), (0, true));
        assert_eq!(trim_continuation("a\\\\", '\\'), (3, false));
        assert_eq!(trim_continuation("a `", '`'), (2, true));
        assert_eq!(trim_continuation("a \\", '`'), (3, false));
    }

    #[test]
    fn directives() {
        let d = parse_directive("# escape = `", 0).expect("directive");
        assert_eq!((d.name.as_str(), d.value.as_str()), ("escape", "`"));
        assert_eq!(d.value_span, Span::new(11, 12));
        assert_eq!(d.name_span, Span::new(2, 8));
        assert!(parse_directive("# escape", 0).is_none());
        assert!(parse_directive("#!/bin/sh", 0).is_none());
        let d = parse_directive("#syntax=docker/dockerfile:1  ", 0).expect("directive");
        assert_eq!(d.value, "docker/dockerfile:1");
        let d = parse_directive("# escape=  ", 0).expect("directive");
        assert_eq!(d.value, " ");

        let m = build("# syntax=a\n# ESCAPE=`\n# check=skip=all\nFROM a `\n  AS b\n");
        assert_eq!(m.directives.len(), 3);
        assert_eq!(m.escape, '`');
        assert!(m.errors.is_empty());
        assert_eq!(
            m.stages[0].name.as_ref().map(|w| w.value.as_str()),
            Some("b")
        );

        let m = build("# escape=`\n# escape=\\\nFROM a\n");
        assert_eq!(
            m.errors[0].message,
            "only one escape parser directive can be used"
        );
        let m = build("# escape=x\nFROM a\n");
        assert!(m.errors[0].message.starts_with("invalid escape token 'x'"));
        // A comment ends the block; an unknown name too.
        let m = build("# hello\n# escape=`\nFROM a\n");
        assert!(m.directives.is_empty());
        assert_eq!(m.comments.len(), 2);
        let m = build("# foo=bar\n# escape=`\nFROM a\n");
        assert!(m.directives.is_empty());
        assert_eq!(m.escape, '\\');
        let m = build("\n# escape=`\nFROM a\n");
        assert!(m.directives.is_empty());
    }

    #[test]
    fn spans_crlf_and_unicode() {
        let text = "FROM alpine\r\nRUN echo \"héllo\" \\\r\n  && echo ☃\r\n";
        let m = build(text);
        assert!(m.errors.is_empty());
        let run = &m.instructions[1];
        assert_eq!(run.rest.value, "echo \"héllo\"   && echo ☃");
        assert_eq!(at(text, run.span), "RUN echo \"héllo\" \\\r\n  && echo ☃");
        assert_eq!(run.start_line, 1);
        assert_eq!(run.end_line, 2);
        assert_eq!(at(text, run.keyword_span), "RUN");
        let w: Vec<_> = run.words.iter().map(|w| at(text, w.span)).collect();
        assert_eq!(w, ["echo", "\"héllo\"", "&&", "echo", "☃"]);
        assert_eq!(run.words[1].value, "héllo");
    }

    #[test]
    fn word_across_lines() {
        let text = "FROM a\nRUN echo good\\\nbye\n";
        let run = ins(text);
        assert_eq!(run.rest.value, "echo goodbye");
        assert_eq!(at(text, run.words[1].span), "good\\\nbye");
        assert_eq!(run.words[1].raw, "goodbye");
    }

    #[test]
    fn comments_and_empty_lines_inside() {
        let text = "FROM a\nRUN a \\\n# c\n\n  b\n";
        let m = build(text);
        let run = &m.instructions[1];
        assert_eq!(run.rest.value, "a   b");
        assert_eq!(run.inner_comments.len(), 1);
        assert_eq!(run.inner_comments[0].line, 2);
        assert_eq!(run.empty_continuation_lines, vec![3]);
        assert_eq!(m.comments.len(), 1);
        assert_eq!((run.start_line, run.end_line), (1, 4));
    }

    #[test]
    fn flags_and_mounts() {
        let text =
            "FROM a\nRUN --mount=type=cache,target=/root/.cache,from=build --network=none echo\n";
        let run = ins(text);
        assert_eq!(run.flags.len(), 2);
        let m = &run.flags[0];
        assert_eq!(m.name, "mount");
        assert_eq!(at(text, m.name_span), "mount");
        assert_eq!(
            at(text, m.value_span.expect("value")),
            "type=cache,target=/root/.cache,from=build"
        );
        let keys: Vec<_> = m.options.iter().map(|o| o.key.as_str()).collect();
        assert_eq!(keys, ["type", "target", "from"]);
        let o = &m.options[2];
        assert_eq!(at(text, o.key_span), "from");
        assert_eq!(at(text, o.value_span.expect("v")), "build");
        assert_eq!(at(text, o.span), "from=build");
        assert_eq!(run.rest.value, "echo");

        let text = "FROM a\nCOPY --from=\"x y\" --link a b\n";
        let c = ins(text);
        assert_eq!(c.flags[0].value.as_deref(), Some("x y"));
        assert_eq!(at(text, c.flags[0].value_span.expect("v")), "x y");
        assert_eq!(at(text, c.flags[0].span), "--from=\"x y\"");
        assert_eq!(c.flags[1].value, None);
        assert_eq!(c.words.len(), 2);
    }

    #[test]
    fn heredocs() {
        let text = "FROM a\nCOPY <<X <<-Y /dest\nY\nX\n\tX\n\tY\nRUN x\n";
        let m = build(text);
        assert!(m.errors.is_empty(), "{:?}", m.errors);
        let c = &m.instructions[1];
        assert_eq!(c.heredocs.len(), 2);
        assert_eq!(c.heredocs[0].body, "Y\n");
        assert_eq!(c.heredocs[1].body, "\tX\n");
        assert!(c.heredocs[1].strip_tabs);
        assert_eq!(at(text, c.heredocs[0].marker_span), "<<X");
        assert_eq!(at(text, c.heredocs[1].end_span.expect("end")), "\tY");
        assert_eq!((c.start_line, c.end_line), (1, 5));
        assert_eq!(m.instructions[2].keyword, "RUN");

        let text = "FROM a\nRUN <<'EOF'\necho $HOME\nEOF\n";
        let m = build(text);
        assert!(m.instructions[1].heredocs[0].quoted);
        assert!(m.var_uses.is_empty());

        let text = "FROM a\nRUN <<EOF\necho $HOME\n";
        let m = build(text);
        assert_eq!(
            m.errors[0].message,
            "unterminated heredoc `EOF` opened on line 2"
        );
        assert_eq!(m.instructions[1].heredocs[0].body, "echo $HOME\n");
        assert_eq!(m.instructions[1].heredocs[0].end_span, None);
        assert_eq!(m.var_uses.len(), 1);
        assert!(m.var_uses[0].in_shell);

        // Unterminated: the body stops before the first line that reads as an
        // instruction, and the rest of the file is read as instructions again.
        let text = "FROM a AS b\nRUN <<EOF bash\nset -e\nenv | sort\n  RUN indented\nFROM b\nCOPY --from=b /x /y\n";
        let m = build(text);
        assert_eq!(m.errors.len(), 1, "{:?}", m.errors);
        assert_eq!(
            m.errors[0].message,
            "unterminated heredoc `EOF` opened on line 2"
        );
        let h = &m.instructions[1].heredocs[0];
        assert_eq!(h.body, "set -e\nenv | sort\n  RUN indented\n");
        assert_eq!(h.end_span, None);
        assert_eq!(
            (m.instructions[1].start_line, m.instructions[1].end_line),
            (1, 4)
        );
        assert_eq!(m.instructions.len(), 4);
        assert_eq!(m.stages.len(), 2);
        assert_eq!(
            m.stage_refs.iter().filter(|r| r.target == Some(0)).count(),
            2
        );
        // Several markers: the ones after an unterminated body get an empty one.
        let m = build("FROM a\nCOPY <<A <<B /d\nx\nRUN y\n");
        assert_eq!(m.errors.len(), 2, "{:?}", m.errors);
        let c = &m.instructions[1];
        assert_eq!(
            (c.heredocs[0].body.as_str(), c.heredocs[1].body.as_str()),
            ("x\n", "")
        );
        assert_eq!(m.instructions[2].keyword, "RUN");
        // The instruction right after the marker line: an empty body.
        let m = build("FROM a\nRUN <<EOF\nWORKDIR /x\n");
        assert_eq!(m.instructions[1].heredocs[0].body, "");
        assert_eq!(m.instructions[1].end_line, 1);
        assert_eq!(m.instructions[2].keyword, "WORKDIR");

        // Not in JSON form, not for other instructions.
        let m = build("FROM a\nRUN [\"<<EOF\"]\nUSER <<X\nX\n");
        assert!(m.instructions.iter().all(|i| i.heredocs.is_empty()));
        assert_eq!(m.instructions.len(), 4);

        // CRLF closing line.
        let m = build("FROM a\r\nRUN <<EOF\r\nls\r\nEOF\r\nUSER x\r\n");
        assert!(m.errors.is_empty());
        assert_eq!(m.instructions[1].heredocs[0].body, "ls\r\n");
        assert_eq!(m.instructions.len(), 3);
    }

    #[test]
    fn onbuild_heredoc() {
        let m = build("FROM a\nONBUILD RUN <<EOF\nx\nEOF\n");
        assert!(m.errors.is_empty());
        assert_eq!(m.instructions.len(), 2);
        assert_eq!(m.instructions[1].heredocs.len(), 1);
        match &m.instructions[1].details {
            Details::Onbuild(i) => assert_eq!(i.kind, InstructionKind::Run),
            d => panic!("{d:?}"),
        }
    }

    #[test]
    fn from_details() {
        let text = "FROM --platform=$BUILDPLATFORM ghcr.io/o/img:1.2@sha256:abc AS Build\n";
        let m = build(text);
        let s = &m.stages[0];
        assert_eq!(s.key().as_deref(), Some("build"));
        let img = s.image.as_ref().expect("image");
        assert_eq!(img.registry.as_deref(), Some("ghcr.io"));
        assert_eq!(img.name, "o/img");
        assert_eq!(img.tag.as_deref(), Some("1.2"));
        assert_eq!(img.digest.as_deref(), Some("sha256:abc"));
        assert_eq!(at(text, img.name_span), "o/img");
        assert_eq!(at(text, img.tag_span.expect("tag")), "1.2");
        assert_eq!(at(text, img.digest_span.expect("d")), "sha256:abc");
        assert_eq!(
            s.platform.as_ref().and_then(|p| p.value.as_deref()),
            Some("$BUILDPLATFORM")
        );
    }

    #[test]
    fn env_and_arg_pairs() {
        let text = "FROM a\nENV A=1 B=\"x y\"\nENV C legacy value\nARG D E=2\n";
        let m = build(text);
        let pairs = |i: usize| match &m.instructions[i].details {
            Details::Pairs(p) => p.clone(),
            d => panic!("{d:?}"),
        };
        let p = pairs(1);
        assert_eq!(p[1].key.value, "B");
        let v = p[1].value.as_ref().expect("value");
        assert_eq!((v.value.as_str(), v.raw.as_str()), ("x y", "\"x y\""));
        assert_eq!(at(text, v.span), "\"x y\"");
        let p = pairs(2);
        assert!(p[0].legacy);
        assert_eq!(
            p[0].value.as_ref().map(|v| v.value.as_str()),
            Some("legacy value")
        );
        let p = pairs(3);
        assert_eq!(p[0].key.value, "D");
        assert!(p[0].value.is_none());
        assert_eq!(at(text, p[1].value.as_ref().expect("v").span), "2");

        let m = build("FROM a\nENV PATH\n");
        assert_eq!(m.errors[0].message, "ENV must have two arguments");
        let m = build("FROM a\nENV a=b c\n");
        assert_eq!(
            m.errors[0].message,
            "Syntax error - can't find = in \"c\". Must be of the form: name=value"
        );
    }

    #[test]
    fn unknown_does_not_swallow() {
        let m = build("FROM a\nFOO bar\nRUN x\n");
        assert_eq!(m.instructions.len(), 3);
        assert_eq!(
            m.instructions[1].kind,
            InstructionKind::Unknown("FOO".into())
        );
    }

    #[test]
    fn no_instructions() {
        assert_eq!(build("").errors[0].message, "file with no instructions");
        assert_eq!(
            build("# a\n\n").errors[0].message,
            "file with no instructions"
        );
        assert!(build("\u{feff}FROM a").errors.is_empty());
    }

    #[test]
    fn json_forms() {
        let text = "FROM a\nCMD [ \"echo\", \"x\" ]\n";
        let c = ins(text);
        let j = c.json.expect("json");
        assert_eq!(at(text, j.span), "[ \"echo\", \"x\" ]");
        assert_eq!(at(text, j.items[1].span), "\"x\"");
        assert_eq!(c.words.len(), 2);
        let m = build("CMD [ \"echo\", [ \"nested json\" ] ]");
        assert_eq!(
            m.errors[0].message,
            "when using JSON array syntax, arrays must be comprised of strings only"
        );
    }

    #[test]
    fn healthcheck() {
        let c = ins("FROM a\nHEALTHCHECK --interval=5s CMD curl -f x\n");
        match &c.details {
            Details::Healthcheck { none, cmd } => {
                assert!(!none);
                assert_eq!(cmd.as_ref().map(|w| w.value.as_str()), Some("CMD"));
            }
            d => panic!("{d:?}"),
        }
        assert_eq!(c.flags[0].name, "interval");
        let c = ins("FROM a\nHEALTHCHECK NONE\n");
        assert!(matches!(
            c.details,
            Details::Healthcheck {
                none: true,
                cmd: None
            }
        ));
    }

    #[test]
    fn stages() {
        let m = build("ARG X\nFROM a AS one\nRUN x\nFROM one\nCOPY --from=one a b\n");
        assert_eq!(m.stages.len(), 2);
        assert_eq!(m.instructions[0].stage, None);
        assert_eq!(m.stages[0].instructions, 1..3);
        assert_eq!(m.stages[1].instructions, 3..5);
        assert_eq!(m.instructions[4].stage, Some(1));
    }

    #[test]
    fn bom_and_directive() {
        let text = "\u{feff}# escape=`\nFROM a `\n  AS b\n";
        let m = build(text);
        assert_eq!(m.escape, '`');
        assert_eq!(m.directives[0].span, Span::new(3, 13));
        assert_eq!(m.stages[0].key().as_deref(), Some("b"));
    }

    #[test]
    fn continuation_at_eof_and_trailing_escapes() {
        let m = build("FROM a\nRUN x \\");
        assert_eq!(m.instructions[1].rest.value, "x");
        let m = build("FROM a\nENV C trailing\\\\\nENV D x\n");
        assert_eq!(m.instructions.len(), 3);
        let m = build("\\");
        assert_eq!(m.instructions.len(), 1);
        assert_eq!(
            m.instructions[0].kind,
            InstructionKind::Unknown(String::new())
        );
    }

    #[test]
    fn line_only_escape_starts_instruction() {
        let m = build("FROM a\n\\\nRUN x\n");
        assert_eq!(m.instructions.len(), 2);
        assert_eq!(m.instructions[1].keyword, "RUN");
        assert_eq!(m.instructions[1].start_line, 1);
    }
}
