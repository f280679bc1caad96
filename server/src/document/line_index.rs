//! Byte offsets <-> (line, column) in the negotiated position encoding.
//!
//! Lines end at `\n`; a `\r` before it belongs to the line end, so CRLF files are exact.
//! Every conversion clamps: a position past the end of a line or of the text maps to the
//! end of that line or of the text, never a panic.

use crate::model::Span;

/// How columns are counted (LSP `positionEncoding`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
    Utf32,
}

/// A 0-based line and column in some encoding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset of the start of every line; `line_starts[0] == 0`.
    line_starts: Vec<usize>,
    /// Every char of more than one byte, in order: columns in UTF-16 or UTF-32 are the
    /// byte column less what such chars before it add, found by binary search rather than
    /// by reading the line (a 1 MB line's symbols were each a scan of the line).
    wide: Vec<Wide>,
    len: usize,
}

/// A char of more than one byte and, up to and including it, the bytes that such chars
/// count beyond their UTF-16 and UTF-32 lengths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Wide {
    at: usize,
    extra16: usize,
    extra32: usize,
}

impl Wide {
    fn extra(&self, enc: Encoding) -> usize {
        match enc {
            Encoding::Utf8 => 0,
            Encoding::Utf16 => self.extra16,
            Encoding::Utf32 => self.extra32,
        }
    }
}

/// The wide chars of `text[from..to]` (on char boundaries), the sums continuing from `last`.
fn scan_wide(text: &str, from: usize, to: usize, last: Option<Wide>, out: &mut Vec<Wide>) {
    let (mut e16, mut e32) = last.map_or((0, 0), |w| (w.extra16, w.extra32));
    let Some(part) = text.get(from..to) else {
        return;
    };
    let bytes = part.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Runs of ASCII are passed over in one search.
        match bytes[i..].iter().position(|b| !b.is_ascii()) {
            None => break,
            Some(k) => i += k,
        }
        let Some(ch) = part.get(i..).and_then(|r| r.chars().next()) else {
            break;
        };
        let n = ch.len_utf8();
        e16 += n - ch.len_utf16();
        e32 += n - 1;
        out.push(Wide {
            at: from + i,
            extra16: e16,
            extra32: e32,
        });
        i += n;
    }
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 40 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let mut wide = Vec::new();
        scan_wide(text, 0, text.len(), None, &mut wide);
        LineIndex {
            line_starts,
            wide,
            len: text.len(),
        }
    }

    /// The index of `text` from this index of `old_text`: the lines before the first
    /// changed byte are kept, those after the last one moved, only the changed bytes are
    /// scanned.
    pub fn rebuild(mut self, old_text: &str, text: &str) -> Self {
        if self.len != old_text.len() {
            return LineIndex::new(text);
        }
        let (mut prefix, suffix) = crate::model::common_ends(old_text.as_bytes(), text.as_bytes());
        let (mut old_end, mut new_end) = (old_text.len() - suffix, text.len() - suffix);
        // A line start `s` follows the `\n` at `s - 1`.
        let keep = self.line_starts.partition_point(|&s| s <= prefix);
        let tail = self.line_starts.partition_point(|&s| s <= old_end);
        let changed = text.as_bytes().get(prefix..new_end).unwrap_or_default();
        let middle: Vec<usize> = memchr::memchr_iter(b'\n', changed)
            .map(|i| prefix + i + 1)
            .collect();
        let moved = keep + middle.len();
        self.line_starts.splice(keep..tail, middle);
        for s in &mut self.line_starts[moved..] {
            *s = *s - old_end + new_end;
        }
        // The wide chars: the changed bytes widened to whole chars (the common ends may
        // split one), read again; those after them moved, their sums carried over.
        while prefix > 0 && !text.is_char_boundary(prefix) {
            prefix -= 1;
        }
        while new_end < text.len() && !text.is_char_boundary(new_end) {
            new_end += 1;
            old_end += 1;
        }
        let keep = self.wide.partition_point(|w| w.at < prefix);
        let tail = self.wide.partition_point(|w| w.at < old_end);
        let before_tail = tail.checked_sub(1).and_then(|i| self.wide.get(i)).copied();
        let mut rest: Vec<Wide> = self.wide.split_off(tail);
        self.wide.truncate(keep);
        let last = self.wide.last().copied();
        scan_wide(text, prefix, new_end, last, &mut self.wide);
        let now = self.wide.last().copied();
        let extra = |w: Option<Wide>| w.map_or((0, 0), |w| (w.extra16, w.extra32));
        let (old16, old32) = extra(before_tail);
        let (new16, new32) = extra(now);
        for w in &mut rest {
            w.at = w.at - old_end + new_end;
            w.extra16 = w.extra16 - old16 + new16;
            w.extra32 = w.extra32 - old32 + new32;
        }
        self.wide.append(&mut rest);
        self.len = text.len();
        self
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where 0-based `line` starts (clamped to the end of the text).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.len)
    }

    /// Byte range of `line`'s content, without its `\n` or `\r\n`.
    pub fn line_span(&self, text: &str, line: usize) -> Span {
        let start = self.line_start(line);
        let mut end = self.line_start(line + 1);
        let bytes = text.as_bytes();
        if end > start && bytes.get(end - 1) == Some(&b'\n') {
            end -= 1;
            if end > start && bytes.get(end - 1) == Some(&b'\r') {
                end -= 1;
            }
        }
        Span::new(start, end.max(start))
    }

    /// 0-based line containing `offset` (clamped).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        self.line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// What the wide chars before byte `offset` count beyond their length in `enc`.
    fn extra_before(&self, offset: usize, enc: Encoding) -> usize {
        let k = self.wide.partition_point(|w| w.at < offset);
        k.checked_sub(1)
            .and_then(|i| self.wide.get(i))
            .map_or(0, |w| w.extra(enc))
    }

    /// Byte offset -> line/column. Offsets inside a UTF-8 sequence snap back to its start.
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> LineCol {
        let mut offset = offset.min(text.len());
        while offset > 0 && !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.line_start(line).min(offset);
        let col =
            (offset - start) - (self.extra_before(offset, enc) - self.extra_before(start, enc));
        LineCol {
            line: line as u32,
            col: col as u32,
        }
    }

    /// Line/column -> byte offset, clamped to the line's content (a column inside a
    /// surrogate pair or multi-byte char snaps to the char's start).
    pub fn offset(&self, text: &str, pos: LineCol, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= self.line_starts.len() {
            return text.len();
        }
        let span = self.line_span(text, line);
        let want = pos.col as usize;
        let snap = |mut o: usize| {
            o = o.min(span.end);
            while o > span.start && !text.is_char_boundary(o) {
                o -= 1;
            }
            o
        };
        if enc == Encoding::Utf8 {
            return snap(span.start.saturating_add(want));
        }
        // The wide chars of the line and the column each starts at.
        let base = self.extra_before(span.start, enc);
        let first = self.wide.partition_point(|w| w.at < span.start);
        let last = self.wide.partition_point(|w| w.at < span.end);
        let line_wide = self.wide.get(first..last).unwrap_or_default();
        let col_of = |i: usize, w: &Wide| {
            let before = match i {
                0 => base,
                _ => line_wide.get(i - 1).map_or(base, |p| p.extra(enc)),
            };
            (w.at - span.start) - (before - base)
        };
        // The last wide char starting at or before the wanted column.
        let (mut lo, mut hi) = (0, line_wide.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match line_wide.get(mid) {
                Some(w) if col_of(mid, w) <= want => lo = mid + 1,
                _ => hi = mid,
            }
        }
        let k = lo;
        let Some(j) = k.checked_sub(1) else {
            return snap(span.start + want);
        };
        let Some(w) = line_wide.get(j) else {
            return span.end;
        };
        let col = col_of(j, w);
        let Some(ch) = text.get(w.at..).and_then(|r| r.chars().next()) else {
            return span.end;
        };
        let units = match enc {
            Encoding::Utf16 => ch.len_utf16(),
            _ => 1,
        };
        if want < col + units {
            return w.at;
        }
        snap(w.at + ch.len_utf8() + (want - col - units))
    }

    pub fn range(&self, text: &str, span: Span, enc: Encoding) -> (LineCol, LineCol) {
        (
            self.position(text, span.start, enc),
            self.position(text, span.end, enc),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebuild_equals_new() {
        let texts = [
            "",
            "\n",
            "FROM a\nRUN b\n",
            "FROM a\n\nRUN b\nCOPY x y",
            "FROM a\r\nRUN é\n\n",
            "X\nFROM a\nRUN b\n",
            "FROM a\nRUN b\nRUN b\n",
        ];
        for old in texts {
            for new in texts {
                let idx = LineIndex::new(old).rebuild(old, new);
                assert_eq!(idx, LineIndex::new(new), "{old:?} -> {new:?}");
            }
        }
        // An index of another text is not trusted.
        let idx = LineIndex::new("a\n").rebuild("FROM a\n", "FROM b\n");
        assert_eq!(idx, LineIndex::new("FROM b\n"));
    }

    /// The columns as read char by char, the way the index answered before it kept its
    /// wide chars.
    fn naive_position(text: &str, offset: usize, enc: Encoding) -> LineCol {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let prefix = &text[start..offset];
        let col = match enc {
            Encoding::Utf8 => prefix.len(),
            Encoding::Utf16 => prefix.chars().map(char::len_utf16).sum(),
            Encoding::Utf32 => prefix.chars().count(),
        };
        LineCol {
            line: text[..start].matches('\n').count() as u32,
            col: col as u32,
        }
    }

    fn naive_offset(text: &str, pos: LineCol, enc: Encoding) -> usize {
        let idx = LineIndex::new(text);
        if pos.line as usize >= idx.line_count() {
            return text.len();
        }
        let span = idx.line_span(text, pos.line as usize);
        let want = pos.col as usize;
        let mut units = 0usize;
        for (i, ch) in text[span.start..span.end].char_indices() {
            if units >= want {
                return span.start + i;
            }
            units += match enc {
                Encoding::Utf8 => ch.len_utf8(),
                Encoding::Utf16 => ch.len_utf16(),
                Encoding::Utf32 => 1,
            };
            if units > want {
                return span.start + i;
            }
        }
        span.end
    }

    proptest::proptest! {
        #[test]
        fn conversions_match_a_char_by_char_reading(
            text in "(a|é|😀|\r\n|\n|x😀y|€){0,40}",
            old in "(a|é|😀|\n|€){0,20}",
            cols in proptest::collection::vec((0u32..6, 0u32..30), 1..8),
        ) {
            let built = LineIndex::new(&old).rebuild(&old, &text);
            let idx = LineIndex::new(&text);
            proptest::prop_assert_eq!(&built, &idx);
            for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                for offset in 0..=text.len() + 1 {
                    proptest::prop_assert_eq!(
                        idx.position(&text, offset, enc),
                        naive_position(&text, offset, enc)
                    );
                }
                for &(line, col) in &cols {
                    let pos = LineCol { line, col };
                    proptest::prop_assert_eq!(
                        idx.offset(&text, pos, enc),
                        naive_offset(&text, pos, enc),
                        "{:?} {:?}", pos, enc
                    );
                }
            }
        }
    }

    #[test]
    fn utf16_and_crlf() {
        let text = "FROM a\r\nRUN échö 😀 x\r\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        // "RUN échö 😀 " is 16 bytes, 12 UTF-16 units (the emoji is a surrogate pair), 11 chars.
        assert_eq!(
            idx.position(text, x, Encoding::Utf16),
            LineCol { line: 1, col: 12 }
        );
        assert_eq!(
            idx.position(text, x, Encoding::Utf8),
            LineCol { line: 1, col: 16 }
        );
        assert_eq!(
            idx.position(text, x, Encoding::Utf32),
            LineCol { line: 1, col: 11 }
        );
        assert_eq!(
            idx.offset(text, LineCol { line: 1, col: 12 }, Encoding::Utf16),
            x
        );
        assert_eq!(
            idx.offset(text, LineCol { line: 1, col: 16 }, Encoding::Utf8),
            x
        );
        assert_eq!(
            idx.offset(text, LineCol { line: 1, col: 11 }, Encoding::Utf32),
            x
        );
        // past the end of the line clamps before the CR
        assert_eq!(
            idx.offset(text, LineCol { line: 0, col: 99 }, Encoding::Utf16),
            6
        );
        assert_eq!(
            idx.offset(text, LineCol { line: 9, col: 0 }, Encoding::Utf16),
            text.len()
        );
    }
}
