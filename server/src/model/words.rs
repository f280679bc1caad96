//! Lexical building blocks that follow BuildKit's parser: the logical line (physical lines
//! joined) with its map back to the document, the word splitters, flag extraction, JSON
//! arrays, quote removal and the shell-word lexer used to find heredoc markers.
//!
//! Positions handled here are byte offsets into the string given; the caller adds its base.
//! Nothing here panics on any input: indices always come from `char_indices`.

use super::{CompactString, Span};

/// `unicode.IsSpace` in Go is the Unicode White_Space property, as is `char::is_whitespace`.
#[inline]
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// The separators of BuildKit's `[\t\v\f\r ]+` splits.
#[inline]
pub(crate) fn is_token_ws(c: char) -> bool {
    matches!(c, '\t' | '\u{0B}' | '\u{0C}' | '\r' | ' ')
}

/// Go's `unicode.ToLower` on each rune (simple case mapping: one rune to one rune).
pub(crate) fn go_lower(s: &str) -> String {
    if s.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_ascii_lowercase()
            } else if c == '\u{130}' {
                'i'
            } else {
                let mut l = c.to_lowercase();
                match (l.next(), l.next()) {
                    (Some(x), None) => x,
                    _ => c,
                }
            }
        })
        .collect()
}

#[derive(Clone, Copy, Debug)]
struct Seg {
    log: usize,
    orig: usize,
    len: usize,
}

/// A logical line: physical lines joined as BuildKit joins them, with a piecewise map from
/// logical offsets back to document offsets.
#[derive(Clone, Debug, Default)]
pub(crate) struct Logical {
    pub text: String,
    segs: Vec<Seg>,
    /// Document offset used when the line is empty.
    base: usize,
}

impl Logical {
    /// Empty the line (keeping its buffers) for a line that starts at `base`.
    pub fn reset(&mut self, base: usize) {
        self.text.clear();
        self.segs.clear();
        self.base = base;
    }

    /// Append `s`, which is found at document offset `orig`.
    pub fn push(&mut self, orig: usize, s: &str) {
        if s.is_empty() {
            return;
        }
        self.segs.push(Seg {
            log: self.text.len(),
            orig,
            len: s.len(),
        });
        self.text.push_str(s);
    }

    /// Document offset of the character that starts at logical offset `pos`.
    pub fn start(&self, pos: usize) -> usize {
        let i = self.segs.partition_point(|s| s.log <= pos);
        match i.checked_sub(1).and_then(|i| self.segs.get(i)) {
            None => self.segs.first().map_or(self.base, |s| s.orig),
            Some(s) => s.orig + (pos - s.log).min(s.len),
        }
    }

    /// Document offset just after the character that ends at logical offset `pos`.
    pub fn end(&self, pos: usize) -> usize {
        let i = self.segs.partition_point(|s| s.log + s.len < pos);
        match self.segs.get(i) {
            Some(s) if s.log < pos => s.orig + (pos - s.log),
            Some(s) => s.orig,
            None => self.segs.last().map_or(self.base, |s| s.orig + s.len),
        }
    }

    /// The document span of the logical range `[a, b)`.
    pub fn span(&self, a: usize, b: usize) -> Span {
        if let [s] = self.segs.as_slice() {
            let p = s.orig + a.min(s.len);
            let q = s.orig + b.min(s.len);
            return Span::new(p, q.max(p));
        }
        if b <= a {
            let p = self.start(a);
            Span::new(p, p)
        } else {
            Span::new(self.start(a), self.end(b))
        }
    }
}

/// `strings.TrimSpace` as a range of `s`.
pub(crate) fn trim_range(s: &str, a: usize, b: usize) -> (usize, usize) {
    let Some(sub) = s.get(a..b) else {
        return (a, a);
    };
    let lead = sub.len() - sub.trim_start_matches(is_space).len();
    let t = sub.trim_matches(is_space);
    (a + lead, a + lead + t.len())
}

/// A word produced by [`parse_words`]: its text (a slice of the input) and where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RawWord<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
    /// No quote and no escape character in it: unquoting it leaves it as it is.
    pub plain: bool,
}

/// BuildKit's `parseWords` (ENV, LABEL, ARG): whitespace separates words except inside
/// quotes; quotes and escape characters are kept; an escape character at the very end is
/// dropped. BuildKit's word is then always the input slice `[start, end)`. (The builder
/// reads the ranges from [`for_each_word`] into a buffer of its own.)
#[cfg(test)]
pub(crate) fn parse_words(s: &str, escape: char) -> Vec<RawWord<'_>> {
    let mut words = Vec::new();
    for_each_word(s, escape, |start, end, plain| {
        words.push(RawWord {
            text: &s[start..end],
            start,
            end,
            plain,
        })
    });
    words
}

/// Width of the UTF-8 character starting with byte `b`.
#[inline]
fn utf8_width(b: u8) -> usize {
    match b {
        0..=0x7f => 1,
        0x80..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// Whether a (Unicode) space starts at byte `i` of `s`, and the character's width.
#[inline]
fn space_at(s: &str, i: usize) -> (bool, usize) {
    match s.as_bytes().get(i) {
        None => (false, 1),
        Some(&c) if c < 0x80 => (matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'), 1),
        Some(_) => match s.get(i..).and_then(|r| r.chars().next()) {
            Some(ch) => (is_space(ch), ch.len_utf8()),
            None => (false, 1),
        },
    }
}

/// Bytes a word runs on over whatever quotes it is in: ASCII, not a space or quote (the
/// escape character is tested apart).
const PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x80 {
        t[c] = !matches!(
            c as u8,
            b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b'\'' | b'"'
        );
        c += 1;
    }
    t
};

/// [`parse_words`] as a callback with each word's `[start, end)` and whether it is plain
/// (no quote, no escape character: [`unquote`] would return it as it is).
pub(crate) fn for_each_word(s: &str, escape: char, mut f: impl FnMut(usize, usize, bool)) {
    let b = s.as_bytes();
    let n = b.len();
    let esc = if escape.is_ascii() { escape as u8 } else { 0 };
    let width = |i: usize| b.get(i).map_or(0, |&c| utf8_width(c));
    let mut i = 0;
    loop {
        while i < n {
            let (sp, w) = match b[i] {
                b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' => (true, 1),
                c if c < 0x80 => (false, 1),
                _ => space_at(s, i),
            };
            if !sp {
                break;
            }
            i += w;
        }
        if i >= n {
            return;
        }
        let start = i;
        let mut end = i;
        let mut blank_ok = false;
        let mut quote = 0u8;
        // Told to `f` so that the caller skips unquoting most words.
        let mut plain = escape.is_ascii();
        while i < n {
            // Most bytes: ASCII, not a space, quote or escape (the same in and out of quotes).
            let run = b[i..]
                .iter()
                .take_while(|&&c| PLAIN[c as usize] && c != esc)
                .count();
            if run > 0 {
                i += run;
                end = i;
                continue;
            }
            let c = b[i];
            if quote != 0 {
                if c == quote {
                    quote = 0;
                    i += 1;
                    end = i;
                } else if c == esc && quote != b'\'' {
                    i += 1;
                    if i < n {
                        i += width(i);
                        end = i;
                    }
                } else {
                    i += width(i);
                    end = i;
                }
                continue;
            }
            let (sp, w) = space_at(s, i);
            if sp {
                break;
            }
            if c == b'\'' || c == b'"' {
                quote = c;
                blank_ok = true;
                plain = false;
                i += 1;
                end = i;
            } else if c == esc {
                plain = false;
                i += 1;
                if i < n {
                    i += width(i);
                    end = i;
                }
            } else {
                i += w;
                end = i;
            }
        }
        if blank_ok || end > start {
            f(start, end, plain);
        }
    }
}

/// BuildKit's `[\t\v\f\r ]+` split of a string (no quote handling); empty pieces dropped.
pub(crate) fn split_token_ws(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in s.char_indices() {
        if is_token_ws(c) {
            if let Some(st) = start.take() {
                out.push((st, i));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        out.push((st, s.len()));
    }
    out
}

/// Quote removal and escape processing as BuildKit's shell lexer does it, without expanding
/// variables (`$X` is kept as written). Unterminated quotes run to the end.
pub(crate) fn unquote(raw: &str, escape: char) -> CompactString {
    if !escape.is_ascii() {
        let mut out = CompactString::with_capacity(raw.len());
        unquote_into(raw, escape, &mut |c, _, _| out.push(c));
        return out;
    }
    let esc = escape as u8;
    let b = raw.as_bytes();
    // Where the next byte the reading stops at is, from `from` (memchr: most words have
    // none, and this runs once per word of the model).
    let found = |from: usize, k: Option<usize>| k.map_or(b.len(), |k| from + k);
    let rest = |from: usize| b.get(from..).unwrap_or_default();
    let next_special = |from: usize| found(from, memchr::memchr3(b'\'', b'"', esc, rest(from)));
    if next_special(0) == b.len() {
        return CompactString::new(raw);
    }
    // The same reading as `unquote_into`, copying the runs between quotes and escapes in
    // one piece (the words of a model are unquoted once each; this is most of its cost).
    let char_len = |i: usize| {
        raw.get(i..)
            .and_then(|r| r.chars().next())
            .map_or(0, char::len_utf8)
    };
    let mut out = CompactString::with_capacity(raw.len());
    let mut i = 0;
    while i < b.len() {
        let plain_end = next_special(i);
        out.push_str(&raw[i..plain_end]);
        i = plain_end;
        let Some(&c) = b.get(i) else { break };
        i += 1;
        if c == esc {
            let w = char_len(i);
            out.push_str(&raw[i..i + w]);
            i += w;
        } else if c == b'\'' {
            let close = found(i, memchr::memchr(b'\'', rest(i)));
            out.push_str(&raw[i..close]);
            i = (close + 1).min(b.len());
        } else {
            // A double quote: up to the closing one, escapes of `"`, `$` and the escape
            // character taken, others kept.
            loop {
                let stop = found(i, memchr::memchr2(b'"', esc, rest(i)));
                out.push_str(&raw[i..stop]);
                i = stop;
                if i >= b.len() {
                    break;
                }
                i += 1;
                if b[stop] == b'"' {
                    break;
                }
                match b.get(i) {
                    Some(&n) if n == b'"' || n == b'$' || n == esc => {
                        out.push(char::from(n));
                        i += 1;
                    }
                    Some(_) => out.push(escape),
                    None => {}
                }
            }
        }
    }
    out
}

/// Like [`unquote`], also giving for every output byte the input range `[start, end)` of
/// the character it came from.
pub(crate) fn unquote_map(raw: &str, escape: char) -> (String, Vec<(usize, usize)>) {
    let mut out = String::with_capacity(raw.len());
    let mut map = Vec::with_capacity(raw.len());
    unquote_into(raw, escape, &mut |c, a, b| {
        out.push(c);
        for _ in 0..c.len_utf8() {
            map.push((a, b));
        }
    });
    (out, map)
}

fn unquote_into(raw: &str, escape: char, emit: &mut dyn FnMut(char, usize, usize)) {
    let mut it = raw.char_indices().peekable();
    while let Some((pos, ch)) = it.next() {
        let w = ch.len_utf8();
        if ch == escape {
            if let Some((p2, c2)) = it.next() {
                emit(c2, p2, p2 + c2.len_utf8());
            }
            continue;
        }
        if ch == '\'' {
            for (p2, c2) in it.by_ref() {
                if c2 == '\'' {
                    break;
                }
                emit(c2, p2, p2 + c2.len_utf8());
            }
            continue;
        }
        if ch == '"' {
            while let Some((p2, c2)) = it.next() {
                if c2 == '"' {
                    break;
                }
                if c2 == escape {
                    match it.peek().copied() {
                        Some((p3, c3)) if c3 == '"' || c3 == '$' || c3 == escape => {
                            it.next();
                            emit(c3, p3, p3 + c3.len_utf8());
                        }
                        Some(_) => emit(c2, p2, p2 + c2.len_utf8()),
                        None => {}
                    }
                    continue;
                }
                emit(c2, p2, p2 + c2.len_utf8());
            }
            continue;
        }
        emit(ch, pos, pos + w);
    }
}

/// Map an output range of [`unquote_map`] back to an input range.
pub(crate) fn map_range(
    map: &[(usize, usize)],
    raw_len: usize,
    a: usize,
    b: usize,
) -> (usize, usize) {
    let start = map.get(a).map_or(raw_len, |m| m.0);
    if b <= a {
        return (start, start);
    }
    let end = map.get(b - 1).map_or(raw_len, |m| m.1);
    (start, end.max(start))
}

/// One `--flag` word found by [`extract_flags`], borrowed from its [`FlagToks`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct FlagTok<'a> {
    /// The word with quotes removed and backslash escapes processed.
    pub text: &'a str,
    /// For every byte of `text`: the input range of its source character. Empty when the
    /// word was written without quotes or escapes (`text` is then the input as is).
    pub map: &'a [(usize, usize)],
    pub start: usize,
    pub end: usize,
}

impl FlagTok<'_> {
    /// The input range of `text[a..b]`.
    pub fn range(&self, a: usize, b: usize) -> (usize, usize) {
        if self.map.is_empty() {
            let (a, b) = (a.min(self.text.len()), b.min(self.text.len()));
            return (self.start + a, self.start + b.max(a));
        }
        map_range(self.map, self.end, a, b)
    }
}

/// The flags of one instruction, read by [`extract_flags`]: every word's text and map in
/// one buffer each, kept from one instruction to the next (a `String` and a `Vec` per flag
/// were ~1,400 allocations in a model of the 5,000-line stress file).
#[derive(Debug, Default)]
pub(crate) struct FlagToks {
    text: String,
    map: Vec<(usize, usize)>,
    toks: Vec<TokAt>,
}

/// Where one flag's text and map are in the buffers, and its input range.
#[derive(Clone, Copy, Debug)]
struct TokAt {
    text: (usize, usize),
    map: (usize, usize),
    start: usize,
    end: usize,
}

impl FlagToks {
    pub fn iter(&self) -> impl Iterator<Item = FlagTok<'_>> {
        self.toks.iter().map(|t| FlagTok {
            text: self.text.get(t.text.0..t.text.1).unwrap_or(""),
            map: self.map.get(t.map.0..t.map.1).unwrap_or(&[]),
            start: t.start,
            end: t.end,
        })
    }
    pub fn clear(&mut self) {
        self.text.clear();
        self.map.clear();
        self.toks.clear();
    }
}

/// BuildKit's `extractBuilderFlags`: leading `--` words (quote-aware, `\` escapes), stopping
/// at the first word that does not start with `--`; a lone `--` ends the flags and is
/// dropped. Reads the flags into `flags` (cleared first) and returns where the rest of the
/// arguments starts (`None`: nothing remains).
pub(crate) fn extract_flags(s: &str, flags: &mut FlagToks) -> Option<usize> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    /// The word being read, at the end of the buffers: its text, and its map once a
    /// character has been dropped (before that, the text is the input as is).
    struct Cur<'b> {
        buf: &'b mut FlagToks,
        text_at: usize,
        map_at: usize,
        mapped: bool,
        start: usize,
    }
    impl Cur<'_> {
        fn text(&self) -> &str {
            self.buf.text.get(self.text_at..).unwrap_or("")
        }
        fn push(&mut self, c: char, a: usize, b: usize) {
            self.buf.text.push(c);
            if self.mapped {
                for _ in 0..c.len_utf8() {
                    self.buf.map.push((a, b));
                }
            }
        }
        /// A character of the input is dropped (quote, backslash): map from now on.
        fn drop_char(&mut self) {
            if !self.mapped {
                self.mapped = true;
                let Cur {
                    buf,
                    text_at,
                    start,
                    ..
                } = self;
                for (k, c) in buf.text.get(*text_at..).unwrap_or("").char_indices() {
                    let w = c.len_utf8();
                    for _ in 0..w {
                        buf.map.push((*start + k, *start + k + w));
                    }
                }
            }
        }
        /// Keep the word read as a flag ending at `end`.
        fn take(&mut self, end: usize) {
            self.buf.toks.push(TokAt {
                text: (self.text_at, self.buf.text.len()),
                map: (self.map_at, self.buf.map.len()),
                start: self.start,
                end,
            });
            self.text_at = self.buf.text.len();
            self.map_at = self.buf.map.len();
            self.mapped = false;
        }
        /// Forget the word being read.
        fn reset(&mut self) {
            self.buf.text.truncate(self.text_at);
            self.buf.map.truncate(self.map_at);
            self.mapped = false;
        }
    }
    flags.clear();
    let mut phase = Phase::Spaces;
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut cur = Cur {
        buf: flags,
        text_at: 0,
        map_at: 0,
        mapped: false,
        start: 0,
    };
    let mut end = 0;
    let bytes = s.as_bytes();
    let mut it = s.char_indices();
    while let Some((pos, ch)) = it.next() {
        let w = ch.len_utf8();
        if phase == Phase::Spaces {
            if is_space(ch) {
                continue;
            }
            if ch != '-' || bytes.get(pos + 1) != Some(&b'-') {
                return Some(pos);
            }
            phase = Phase::Word;
            cur.start = pos;
            let cap = s[pos..].find(is_space).unwrap_or(s.len() - pos);
            cur.buf.text.reserve(cap);
        }
        if phase == Phase::Word {
            if is_space(ch) {
                phase = Phase::Spaces;
                if cur.text() == "--" {
                    cur.reset();
                    return Some(pos);
                }
                if blank_ok || !cur.text().is_empty() {
                    cur.take(end);
                }
                cur.reset();
                blank_ok = false;
                continue;
            }
            end = pos + w;
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
                cur.drop_char();
                continue;
            }
            if ch == '\\' {
                cur.drop_char();
                if let Some((p2, c2)) = it.next() {
                    end = p2 + c2.len_utf8();
                    cur.push(c2, p2, end);
                }
                continue;
            }
            cur.push(ch, pos, pos + w);
            continue;
        }
        // Phase::Quote
        end = pos + w;
        if ch == quote {
            phase = Phase::Word;
            cur.drop_char();
            continue;
        }
        if ch == '\\' {
            cur.drop_char();
            match it.next() {
                None => phase = Phase::Word,
                Some((p2, c2)) => {
                    end = p2 + c2.len_utf8();
                    cur.push(c2, p2, end);
                }
            }
            continue;
        }
        cur.push(ch, pos, pos + w);
    }
    if phase != Phase::Spaces && cur.text() != "--" && (blank_ok || !cur.text().is_empty()) {
        cur.take(end);
    }
    cur.reset();
    None
}

/// One string of a JSON array: decoded value and the token's range (quotes included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JsonItem {
    pub value: String,
    pub start: usize,
    pub end: usize,
}

/// What `json.Unmarshal` into `[]any` followed by BuildKit's string check makes of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum JsonArray {
    /// Not a JSON array (or invalid JSON): shell form.
    NotJson,
    /// Valid JSON array with an element that is not a string: a parse error.
    NotStrings,
    /// `end` is just after the closing `]`.
    Strings {
        items: Vec<JsonItem>,
        start: usize,
        end: usize,
    },
}

const JSON_MAX_DEPTH: usize = 10_000;

fn json_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// Parse a JSON string starting at `b[i] == '"'`; returns the decoded value (if `decode`) and
/// the index after the closing quote.
fn json_string(s: &str, i: usize, decode: bool) -> Option<(String, usize)> {
    let b = s.as_bytes();
    let mut out = String::new();
    let mut j = i + 1;
    loop {
        let c = *b.get(j)?;
        match c {
            b'"' => return Some((out, j + 1)),
            b'\\' => {
                let e = *b.get(j + 1)?;
                j += 2;
                let ch = match e {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    b'u' => {
                        let hi = hex4(b, j)?;
                        j += 4;
                        if (0xD800..0xDC00).contains(&hi)
                            && b.get(j) == Some(&b'\\')
                            && b.get(j + 1) == Some(&b'u')
                        {
                            match hex4(b, j + 2) {
                                Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                                    j += 6;
                                    let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                    char::from_u32(cp).unwrap_or('\u{FFFD}')
                                }
                                _ => '\u{FFFD}',
                            }
                        } else {
                            char::from_u32(hi).unwrap_or('\u{FFFD}')
                        }
                    }
                    _ => return None,
                };
                if decode {
                    out.push(ch);
                }
            }
            0..=0x1f => return None,
            _ => {
                // Copy one whole UTF-8 character.
                let ch = s.get(j..)?.chars().next()?;
                if decode {
                    out.push(ch);
                }
                j += ch.len_utf8();
            }
        }
    }
}

fn hex4(b: &[u8], i: usize) -> Option<u32> {
    let h = b.get(i..i + 4)?;
    let mut v = 0u32;
    for &c in h {
        v = v * 16 + (c as char).to_digit(16)?;
    }
    Some(v)
}

fn json_number(b: &[u8], mut i: usize) -> Option<usize> {
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !b.get(i)?.is_ascii_digit() {
            return None;
        }
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !b.get(i)?.is_ascii_digit() {
            return None;
        }
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    Some(i)
}

/// Skip one JSON value (iteratively, so deep nesting cannot overflow the stack).
fn json_skip_value(s: &str, mut i: usize, depth0: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut stack: Vec<u8> = Vec::new();
    loop {
        i = json_ws(b, i);
        match *b.get(i)? {
            b'"' => i = json_string(s, i, false)?.1,
            b'{' => {
                i = json_ws(b, i + 1);
                if b.get(i) == Some(&b'}') {
                    i += 1;
                } else {
                    stack.push(b'{');
                    if *b.get(i)? != b'"' {
                        return None;
                    }
                    i = json_ws(b, json_string(s, i, false)?.1);
                    if *b.get(i)? != b':' {
                        return None;
                    }
                    i += 1;
                    if stack.len() + depth0 > JSON_MAX_DEPTH {
                        return None;
                    }
                    continue;
                }
            }
            b'[' => {
                i = json_ws(b, i + 1);
                if b.get(i) == Some(&b']') {
                    i += 1;
                } else {
                    stack.push(b'[');
                    if stack.len() + depth0 > JSON_MAX_DEPTH {
                        return None;
                    }
                    continue;
                }
            }
            b't' => i = json_lit(b, i, b"true")?,
            b'f' => i = json_lit(b, i, b"false")?,
            b'n' => i = json_lit(b, i, b"null")?,
            b'-' | b'0'..=b'9' => i = json_number(b, i)?,
            _ => return None,
        }
        // After a value: close what ends here, or move to the next value.
        loop {
            let Some(&top) = stack.last() else {
                return Some(i);
            };
            i = json_ws(b, i);
            match (*b.get(i)?, top) {
                (b',', b'[') => {
                    i += 1;
                    break;
                }
                (b',', _) => {
                    i = json_ws(b, i + 1);
                    if *b.get(i)? != b'"' {
                        return None;
                    }
                    i = json_ws(b, json_string(s, i, false)?.1);
                    if *b.get(i)? != b':' {
                        return None;
                    }
                    i += 1;
                    break;
                }
                (b']', b'[') | (b'}', b'{') => {
                    stack.pop();
                    i += 1;
                }
                _ => return None,
            }
        }
    }
}

fn json_lit(b: &[u8], i: usize, lit: &[u8]) -> Option<usize> {
    (b.get(i..i + lit.len())? == lit).then_some(i + lit.len())
}

/// BuildKit's `parseJSON`: the text (after leading whitespace) must start with `[` and be
/// one valid JSON array and nothing else but whitespace.
pub(crate) fn parse_json_array(s: &str) -> JsonArray {
    let lead = s.len() - s.trim_start_matches(is_space).len();
    let b = s.as_bytes();
    if b.get(lead) != Some(&b'[') {
        return JsonArray::NotJson;
    }
    let start = lead;
    let mut items = Vec::new();
    let mut all_strings = true;
    let mut i = json_ws(b, lead + 1);
    if b.get(i) == Some(&b']') {
        i += 1;
    } else {
        loop {
            i = json_ws(b, i);
            if b.get(i) == Some(&b'"') {
                match json_string(s, i, true) {
                    Some((value, e)) => {
                        items.push(JsonItem {
                            value,
                            start: i,
                            end: e,
                        });
                        i = e;
                    }
                    None => return JsonArray::NotJson,
                }
            } else {
                match json_skip_value(s, i, 1) {
                    Some(e) => {
                        all_strings = false;
                        i = e;
                    }
                    None => return JsonArray::NotJson,
                }
            }
            i = json_ws(b, i);
            match b.get(i) {
                Some(b',') => i += 1,
                Some(b']') => {
                    i += 1;
                    break;
                }
                _ => return JsonArray::NotJson,
            }
        }
    }
    let end = i;
    if json_ws(b, i) != b.len() {
        return JsonArray::NotJson;
    }
    if !all_strings {
        return JsonArray::NotStrings;
    }
    JsonArray::Strings { items, start, end }
}

/// A word of BuildKit's shell lexer, used to find heredoc markers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LexWord {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// BuildKit's shell lexer (`shell.Lex` with escape `\`, unset variables kept as written)
/// splitting `s` into words. `None` when the lexer would fail (unterminated quote or `${`).
pub(crate) fn lex_words(s: &str, raw_quotes: bool, raw_escapes: bool) -> Option<Vec<LexWord>> {
    struct W {
        words: Vec<LexWord>,
        cur: String,
        in_word: bool,
        start: usize,
        end: usize,
    }
    impl W {
        fn raw(&mut self, txt: &str, a: usize, b: usize) {
            if !self.in_word && self.cur.is_empty() {
                self.start = a;
            }
            self.cur.push_str(txt);
            self.in_word = true;
            self.end = b;
        }
        fn chr(&mut self, c: char, a: usize, b: usize) {
            if is_space(c) {
                if self.in_word && !self.cur.is_empty() {
                    self.words.push(LexWord {
                        text: std::mem::take(&mut self.cur),
                        start: self.start,
                        end: self.end,
                    });
                    self.in_word = false;
                }
            } else {
                let mut buf = [0u8; 4];
                self.raw(c.encode_utf8(&mut buf), a, b);
            }
        }
    }
    let mut w = W {
        words: Vec::new(),
        cur: String::new(),
        in_word: false,
        start: 0,
        end: 0,
    };
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(ch) = s.get(i..).and_then(|r| r.chars().next()) {
        let cw = ch.len_utf8();
        match ch {
            '$' => {
                let e = dollar_end(s, i)?;
                // Unset variables are kept as written; added char by char.
                for (k, c) in s.get(i..e)?.char_indices() {
                    w.chr(c, i + k, i + k + c.len_utf8());
                }
                i = e;
            }
            '<' => {
                if b.get(i + 1) == Some(&b'<') {
                    let mut e = i + 2;
                    while matches!(b.get(e), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                        e += 1;
                    }
                    w.raw(s.get(i..e)?, i, e);
                    i = e;
                } else {
                    w.raw("<", i, i + 1);
                    i += 1;
                }
            }
            '\'' => {
                let close = s.get(i + 1..)?.find('\'')? + i + 1;
                let txt = if raw_quotes {
                    s.get(i..close + 1)?
                } else {
                    s.get(i + 1..close)?
                };
                w.raw(txt, i, close + 1);
                i = close + 1;
            }
            '"' => {
                let mut out = String::new();
                if raw_quotes {
                    out.push('"');
                }
                let mut j = i + 1;
                loop {
                    let c = s.get(j..)?.chars().next()?;
                    match c {
                        '"' => {
                            if raw_quotes {
                                out.push('"');
                            }
                            j += 1;
                            break;
                        }
                        '$' => {
                            let e = dollar_end(s, j)?;
                            out.push_str(s.get(j..e)?);
                            j = e;
                        }
                        '\\' => {
                            if raw_escapes {
                                out.push('\\');
                            }
                            j += 1;
                            match s.get(j..).and_then(|r| r.chars().next()) {
                                None => {}
                                Some(n @ ('"' | '$' | '\\')) => {
                                    out.push(n);
                                    j += 1;
                                }
                                Some(_) => out.push('\\'),
                            }
                        }
                        _ => {
                            out.push(c);
                            j += c.len_utf8();
                        }
                    }
                }
                w.raw(&out, i, j);
                i = j;
            }
            '\\' => {
                if raw_escapes {
                    w.raw("\\", i, i + 1);
                }
                i += 1;
                match s.get(i..).and_then(|r| r.chars().next()) {
                    None => break,
                    Some(n) => {
                        let mut buf = [0u8; 4];
                        w.raw(n.encode_utf8(&mut buf), i, i + n.len_utf8());
                        i += n.len_utf8();
                    }
                }
            }
            _ => {
                w.chr(ch, i, i + cw);
                i += cw;
            }
        }
    }
    if !w.cur.is_empty() {
        w.words.push(LexWord {
            text: w.cur,
            start: w.start,
            end: w.end,
        });
    }
    Some(w.words)
}

/// End of a `$` expansion starting at `s[i] == '$'` as the lexer consumes it; `None` for an
/// unterminated `${`.
fn dollar_end(s: &str, i: usize) -> Option<usize> {
    let b = s.as_bytes();
    match b.get(i + 1) {
        Some(b'{') => {
            let mut depth = 0usize;
            let mut j = i + 1;
            while let Some(&c) = b.get(j) {
                match c {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    b'\\' => j += 1,
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let rest = s.get(i + 1..)?;
            let mut e = i + 1;
            for (k, c) in rest.char_indices() {
                if k == 0 && c.is_ascii_digit() {
                    e = i
                        + 1
                        + rest
                            .find(|c: char| !c.is_ascii_digit())
                            .unwrap_or(rest.len());
                    break;
                }
                if k == 0 && "@*#?-$!0".contains(c) {
                    e = i + 2;
                    break;
                }
                if c.is_alphanumeric() || c == '_' {
                    e = i + 1 + k + c.len_utf8();
                } else {
                    break;
                }
            }
            Some(e)
        }
    }
}

/// A heredoc marker found in a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HeredocMarker {
    pub name: String,
    pub chomp: bool,
    pub quoted: bool,
    pub start: usize,
    pub end: usize,
}

/// BuildKit's `heredocsFromLine`: every shell word of the line that matches
/// `^(\d*)<<(-?)\s*([^<]*)$` with a single-word terminator.
pub(crate) fn heredoc_markers(line: &str) -> Vec<HeredocMarker> {
    let Some(words) = lex_words(line, true, true) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for w in words {
        if let Some((name, chomp, quoted)) = parse_heredoc_word(&w.text) {
            out.push(HeredocMarker {
                name,
                chomp,
                quoted,
                start: w.start,
                end: w.end,
            });
        }
    }
    out
}

/// `ParseHeredoc` on one word: `(name, chomp, quoted)`.
pub(crate) fn parse_heredoc_word(word: &str) -> Option<(String, bool, bool)> {
    let digits = word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = word.get(digits..)?.strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let rest = rest.trim_start_matches([' ', '\t', '\n', '\r', '\u{c}']);
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let words = lex_words(rest, false, false)?;
    if words.len() != 1 {
        return None;
    }
    let raw = lex_words(rest, true, false)?;
    let name = words.into_iter().next()?.text;
    let count = |s: &str| s.chars().filter(|&c| c == '\'' || c == '"').count();
    let quoted = raw.first().map_or(0, |w| count(&w.text)) != count(&name);
    Some((name, chomp, quoted))
}

/// Go's `strconv.Quote`.
pub(crate) fn go_quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if go_is_print(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
}

/// An approximation of Go's `strconv.IsPrint` (graphic characters and the ASCII space):
/// controls, non-ASCII spaces, format characters, private use and non-characters are not
/// printable. Unassigned code points are treated as printable.
fn go_is_print(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return (0x20..0x7f).contains(&u);
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F
        | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF | 0xFDD0..=0xFDEF)
        && (u & 0xFFFE) != 0xFFFE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(w: &[RawWord<'a>]) -> Vec<&'a str> {
        w.iter().map(|w| w.text).collect()
    }

    #[test]
    fn logical_map() {
        let mut l = Logical::default();
        l.push(4, "ab");
        l.push(10, "cd");
        assert_eq!(l.text, "abcd");
        assert_eq!(l.start(0), 4);
        assert_eq!(l.start(2), 10);
        assert_eq!(l.end(2), 6);
        assert_eq!(l.end(4), 12);
        assert_eq!(l.span(1, 3), Span::new(5, 11));
        assert_eq!(l.span(4, 4), Span::new(12, 12));
        let mut e = Logical::default();
        e.reset(7);
        assert_eq!(e.span(0, 0), Span::new(7, 7));
    }

    #[test]
    fn words_keep_quotes() {
        let w = parse_words(r#"abc="123 456" def"#, '\\');
        assert_eq!(texts(&w), vec![r#"abc="123 456""#, "def"]);
        assert_eq!((w[1].start, w[1].end), (14, 17));
        let w = parse_words(r"name='a\'b''", '\\');
        assert_eq!(texts(&w), vec![r"name='a\'b''"]);
        let w = parse_words("a\\", '\\');
        assert_eq!(texts(&w), vec!["a"]);
        assert_eq!(
            texts(&parse_words(r#"x="a\"b" y"#, '\\')),
            vec![r#"x="a\"b""#, "y"]
        );
        assert!(parse_words("   ", '\\').is_empty());
    }

    #[test]
    fn a_plain_word_is_its_own_unquoting() {
        for (s, esc) in [
            (r#"a b=c "d e" f'g' h\ i j\"#, '\\'),
            ("x=`y a\\b c`d é=ü", '`'),
            ("--mount=type=cache,target=/root/.npm npm ci 'x y'", '\\'),
        ] {
            let words = parse_words(s, esc);
            assert!(words.iter().any(|w| w.plain) && words.iter().any(|w| !w.plain));
            for w in words {
                // (A word may be told not plain when it is: `j\` at the end reads `j`.)
                assert!(!(w.plain && w.text.contains(['\'', '"', esc])), "{w:?}");
                if w.plain {
                    assert_eq!(unquote(w.text, esc), w.text);
                }
            }
        }
    }

    #[test]
    fn unquote_rules() {
        assert_eq!(unquote(r#""a b"c'd e'"#, '\\'), "a bcd e");
        assert_eq!(unquote(r#""a\"b\x""#, '\\'), r#"a"b\x"#);
        assert_eq!(unquote(r"a\ b", '\\'), "a b");
        assert_eq!(unquote("a`$b", '`'), "a$b");
        assert_eq!(unquote("'unterminated", '\\'), "unterminated");
        for raw in [
            r#"a"b\"#,
            r#""\"#,
            r#""a\$b\\c\d""#,
            "é'ü'\\ñ\\",
            r#"x"y"z'"#,
            "\\",
            "'",
            r#"""#,
            r#""a"'b'\c"d\"e""#,
            "plain",
            "a\\é",
            "\"\\é\"",
        ] {
            for esc in ['\\', '`'] {
                let raw = raw.replace('\\', &esc.to_string());
                assert_eq!(unquote(&raw, esc), unquote_map(&raw, esc).0, "{raw:?}");
            }
        }
        let (s, m) = unquote_map(r#"x="é f""#, '\\');
        assert_eq!(s, "x=é f");
        assert_eq!(map_range(&m, 8, 2, 4), (3, 5));
    }

    #[test]
    fn flags() {
        let mut buf = FlagToks::default();
        let mut read = |s: &str| {
            let rest = extract_flags(s, &mut buf);
            let f: Vec<(String, usize, usize)> = buf
                .iter()
                .map(|t| (t.text.to_string(), t.start, t.end))
                .collect();
            (f, rest)
        };
        let (f, rest) = read("--user=me --doit=true foo /tmp/");
        assert_eq!(
            f.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
            ["--user=me", "--doit=true"]
        );
        assert_eq!(rest, Some(22));
        let (f, rest) = read("--doit=true -- foo");
        assert_eq!(f.len(), 1);
        assert_eq!(rest, Some(14));
        let (f, rest) = read(r#"--a="b c" x"#);
        assert_eq!(f[0].0, "--a=b c");
        assert_eq!((f[0].1, f[0].2), (0, 9));
        assert_eq!(rest, Some(10));
        let (f, rest) = read("--doit --");
        assert_eq!(f.len(), 1);
        assert_eq!(rest, None);
        let (f, rest) = read("-x");
        assert!(f.is_empty());
        assert_eq!(rest, Some(0));
        // A quoted flag after a plain one: each keeps its own map.
        let (f, _) = read(r#"--a=b --c="d" x"#);
        assert_eq!((f[0].0.as_str(), f[1].0.as_str()), ("--a=b", "--c=d"));
        let toks: Vec<_> = buf.iter().collect();
        assert!(toks[0].map.is_empty());
        assert_eq!(toks[1].range(4, 5), (11, 12));
    }

    #[test]
    fn json() {
        match parse_json_array(r#"[ "a", "b\u0000\/" ]"#) {
            JsonArray::Strings { items, start, end } => {
                assert_eq!(items[1].value, "b\0/");
                assert_eq!((start, end), (0, 20));
                assert_eq!((items[0].start, items[0].end), (2, 5));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_json_array(r#"[ "echo", [ "nested json" ] ]"#),
            JsonArray::NotStrings
        );
        assert_eq!(
            parse_json_array(r#"[1, {"a": [true, null, -1.5e3]}]"#),
            JsonArray::NotStrings
        );
        assert_eq!(parse_json_array("['a']"), JsonArray::NotJson);
        assert_eq!(parse_json_array(r#"["a""#), JsonArray::NotJson);
        assert_eq!(parse_json_array(r#"["a"] x"#), JsonArray::NotJson);
        assert_eq!(parse_json_array(r#"["a",]"#), JsonArray::NotJson);
        assert_eq!(parse_json_array("[01]"), JsonArray::NotJson);
        assert!(matches!(parse_json_array("[]"), JsonArray::Strings { .. }));
        let deep = "[".repeat(200_000);
        assert_eq!(parse_json_array(&deep), JsonArray::NotJson);
        let deep = format!("[{}{}]", "[".repeat(20_000), "]".repeat(20_000));
        assert_eq!(parse_json_array(&deep), JsonArray::NotJson);
    }

    #[test]
    fn heredoc_words() {
        let names = |l: &str| {
            heredoc_markers(l)
                .into_iter()
                .map(|m| m.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(names("RUN <<EOF"), ["EOF"]);
        assert_eq!(names("RUN <<-EOF"), ["EOF"]);
        assert!(names("RUN <<- EOF").is_empty());
        assert_eq!(names("RUN << -EOF"), ["-EOF"]);
        assert_eq!(names("RUN <<'EOF'"), ["EOF"]);
        assert_eq!(names("RUN 4<<EOF"), ["EOF"]);
        assert_eq!(names("RUN <<EOF <<EOF2"), ["EOF", "EOF2"]);
        assert!(names("RUN '<<EOF'").is_empty());
        assert!(names(r#"RUN "<<EOF""#).is_empty());
        assert_eq!(names("RUN <<  EOF  > foo"), ["EOF"]);
        assert_eq!(names("RUN <<$EOF"), ["$EOF"]);
        assert_eq!(names("RUN <<'one two'"), ["one two"]);
        assert!(names("RUN <<EOF 'unterminated").is_empty());
        assert!(names("RUN <<<EOF").is_empty());
        let q = |w: &str| parse_heredoc_word(w).map(|(n, _, q)| (n, q));
        assert_eq!(q("<<eo'f'"), Some(("eof".into(), true)));
        assert_eq!(q(r"<<eo\'f"), Some(("eo'f".into(), false)));
        assert_eq!(q(r"<<'e'o\'f"), Some(("eo'f".into(), true)));
        assert_eq!(q(r#"<<EO"F""#), Some(("EOF".into(), true)));
        assert_eq!(q("<<"), None);
        assert_eq!(q("<<EOF sh"), None);
        let m = heredoc_markers("COPY <<A /x");
        assert_eq!((m[0].start, m[0].end), (5, 8));
    }

    #[test]
    fn quoting() {
        let q = |s: &str| {
            let mut o = String::new();
            go_quote(s, &mut o);
            o
        };
        assert_eq!(q("a\"b\\c\n\t\0"), r#""a\"b\\c\n\t\x00""#);
        assert_eq!(q("♥☃"), "\"♥☃\"");
        assert_eq!(q("\u{a0}\u{7f}"), r#""\u00a0\x7f""#);
        assert_eq!(go_lower("WOR\u{212A}DIR"), "workdir");
        assert_eq!(go_lower("ENTRYPO\u{130}NT"), "entrypoint");
    }

    proptest::proptest! {
        /// The bulk-copying `unquote` reads a word as the per-character reading does.
        #[test]
        fn unquote_equals_the_per_character_reading(
            raw in "[ab$é\"'`\\\\]{0,12}",
            backtick in proptest::bool::ANY,
        ) {
            let esc = if backtick { '`' } else { '\\' };
            let (fast, slow) = (unquote(&raw, esc), unquote_map(&raw, esc).0);
            proptest::prop_assert_eq!(fast.as_str(), slow.as_str());
        }
    }
}
