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
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 40 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            line_starts,
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
        let (prefix, suffix) = crate::model::common_ends(old_text.as_bytes(), text.as_bytes());
        let (old_end, new_end) = (old_text.len() - suffix, text.len() - suffix);
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

    /// Byte offset -> line/column. Offsets inside a UTF-8 sequence snap back to its start.
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> LineCol {
        let mut offset = offset.min(text.len());
        while offset > 0 && !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let prefix = &text[start..offset];
        let col = match enc {
            Encoding::Utf8 => prefix.len(),
            Encoding::Utf16 => prefix.chars().map(char::len_utf16).sum(),
            Encoding::Utf32 => prefix.chars().count(),
        };
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
        let content = &text[span.start..span.end];
        let want = pos.col as usize;
        let mut units = 0usize;
        for (i, ch) in content.char_indices() {
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
