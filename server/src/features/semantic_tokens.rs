//! Semantic tokens from the model: keywords, flags and their values, stage names,
//! variables, strings, comments, directives, heredoc markers, ports.
//!
//! Tokens are "painted" onto a per-byte map in order of increasing precedence (a variable
//! inside a string splits the string), then read back line by line, so no token spans a
//! line end (not every client supports multi-line tokens) and positions are counted in
//! the negotiated encoding.

use crate::document::{Encoding, LineIndex};
use crate::model::{Details, Instruction, InstructionKind, Model, Span, StageRefKind, VarKind};
use tower_lsp_server::ls_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensLegend,
};

/// Token types, in legend order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum TokenType {
    Keyword = 0,
    Parameter,
    Property,
    String,
    Variable,
    Comment,
    Macro,
    Class,
    Namespace,
    Operator,
    Number,
}

pub const TOKEN_TYPES: [SemanticTokenType; 11] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::PARAMETER,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::STRING,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::COMMENT,
    SemanticTokenType::MACRO,
    SemanticTokenType::CLASS,
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::NUMBER,
];

/// Modifier bits, in legend order.
pub const DECLARATION: u8 = 1;
pub const READONLY: u8 = 2;
pub const DEFAULT_LIBRARY: u8 = 4;

pub const TOKEN_MODIFIERS: [SemanticTokenModifier; 3] = [
    SemanticTokenModifier::DECLARATION,
    SemanticTokenModifier::READONLY,
    SemanticTokenModifier::DEFAULT_LIBRARY,
];

/// The legend announced in the server capabilities.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TOKEN_TYPES.to_vec(),
        token_modifiers: TOKEN_MODIFIERS.to_vec(),
    }
}

/// One token with absolute position (line and start column in the requested encoding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub line: u32,
    pub start: u32,
    pub length: u32,
    pub token_type: TokenType,
    pub modifiers: u8,
}

/// All tokens of the text, or those on the lines of `range`, sorted by position.
pub fn tokens(
    text: &str,
    idx: &LineIndex,
    model: &Model,
    range: Option<Span>,
    enc: Encoding,
) -> Vec<Token> {
    let (first, last) = match range {
        Some(r) => (idx.line_of(r.start), idx.line_of(r.end)),
        None => (0, idx.line_count().saturating_sub(1)),
    };
    // Only the lines asked for are painted (instructions crossing their edges are read
    // whole, so quotes are tracked from their start).
    let window = Span::new(
        idx.line_start(first),
        idx.line_start(last + 1).max(idx.line_start(first)),
    );
    let mut p = Painter {
        text,
        window,
        map: vec![0u16; window.len()],
        escape: model.escape,
    };
    p.paint_model(model);
    p.read(idx, first, last, enc)
}

/// Delta-encode absolute tokens for the protocol.
pub fn encode(tokens: &[Token]) -> Vec<SemanticToken> {
    let mut out = Vec::with_capacity(tokens.len());
    let (mut line, mut start) = (0u32, 0u32);
    for t in tokens {
        let delta_line = t.line - line;
        let delta_start = if delta_line == 0 {
            t.start - start
        } else {
            t.start
        };
        out.push(SemanticToken {
            delta_line,
            delta_start,
            length: t.length,
            token_type: t.token_type as u32,
            token_modifiers_bitset: t.modifiers as u32,
        });
        line = t.line;
        start = t.start;
    }
    out
}

const TYPES: [TokenType; 11] = [
    TokenType::Keyword,
    TokenType::Parameter,
    TokenType::Property,
    TokenType::String,
    TokenType::Variable,
    TokenType::Comment,
    TokenType::Macro,
    TokenType::Class,
    TokenType::Namespace,
    TokenType::Operator,
    TokenType::Number,
];

/// Build-time names BuildKit defines without an `ARG` default.
const PREDEFINED: [&str; 20] = [
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETSTAGE",
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
    "SOURCE_DATE_EPOCH",
];

struct Painter<'a> {
    text: &'a str,
    /// The bytes painted (whole lines).
    window: Span,
    /// Per byte of `window`: 0 = no token, else `type + 1` in the low byte and modifiers in
    /// the high one.
    map: Vec<u16>,
    escape: char,
}

impl Painter<'_> {
    fn paint(&mut self, span: Span, ty: TokenType, mods: u8) {
        let start = span.start.max(self.window.start);
        let end = span.end.min(self.window.end);
        if start >= end {
            return;
        }
        let code = (ty as u16 + 1) | ((mods as u16) << 8);
        if let Some(m) = self
            .map
            .get_mut(start - self.window.start..end - self.window.start)
        {
            m.fill(code);
        }
    }

    fn paint_model(&mut self, model: &Model) {
        let window = self.window;
        let visible = move |s: Span| s.start < window.end && s.end >= window.start;
        for c in model.comments.iter().filter(|c| visible(c.span)) {
            self.paint(c.span, TokenType::Comment, 0);
        }
        for d in &model.directives {
            self.paint(d.span, TokenType::Comment, 0);
            self.paint(d.name_span, TokenType::Macro, 0);
            self.paint(d.value_span, TokenType::String, 0);
        }
        let first = model
            .instructions
            .partition_point(|i| i.span.end < self.window.start);
        for ins in model.instructions.get(first..).unwrap_or_default() {
            if ins.span.start > self.window.end {
                break;
            }
            self.instruction(model, ins);
        }
        for r in &model.stage_refs {
            if r.kind != StageRefKind::FromImage || r.target.is_some() {
                self.paint(r.span, TokenType::Class, 0);
            }
        }
        for u in model.var_uses.iter().filter(|u| visible(u.span)) {
            let mods = match u.def.and_then(|d| model.vars.get(d)).map(|d| d.kind) {
                Some(VarKind::Predefined) => READONLY | DEFAULT_LIBRARY,
                Some(VarKind::GlobalArg | VarKind::Arg) => READONLY,
                _ if u.def.is_none() && PREDEFINED.contains(&u.name.as_str()) => {
                    READONLY | DEFAULT_LIBRARY
                }
                _ => 0,
            };
            self.paint(u.span, TokenType::Variable, mods);
        }
    }

    fn instruction(&mut self, model: &Model, ins: &Instruction) {
        self.strings(model, ins);
        self.paint(ins.keyword_span, TokenType::Keyword, 0);
        for f in &ins.flags {
            self.paint(
                Span::new(f.span.start, f.name_span.end.max(f.span.start)),
                TokenType::Parameter,
                0,
            );
            if let Some(v) = f.value_span {
                if v.start > f.name_span.end {
                    self.paint(
                        Span::new(f.name_span.end, f.name_span.end + 1),
                        TokenType::Operator,
                        0,
                    );
                }
                if f.options.is_empty() {
                    let numeric = f
                        .value
                        .as_deref()
                        .is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
                    self.paint(
                        v,
                        if numeric {
                            TokenType::Number
                        } else {
                            TokenType::String
                        },
                        0,
                    );
                } else {
                    for o in &f.options {
                        self.paint(o.key_span, TokenType::Property, 0);
                        if let Some(ov) = o.value_span {
                            if ov.start > o.key_span.end {
                                self.paint(
                                    Span::new(o.key_span.end, o.key_span.end + 1),
                                    TokenType::Operator,
                                    0,
                                );
                            }
                            self.paint(ov, TokenType::String, 0);
                        }
                    }
                }
            }
        }
        match &ins.details {
            Details::From {
                image,
                as_keyword,
                stage_name,
            } => {
                if let Some(img) = image {
                    if !img.name_span.is_empty() {
                        self.paint(img.name_span, TokenType::Namespace, 0);
                    }
                }
                if let Some(w) = as_keyword {
                    self.paint(w.span, TokenType::Keyword, 0);
                }
                if let Some(w) = stage_name {
                    self.paint(w.span, TokenType::Class, DECLARATION);
                }
            }
            Details::Pairs(pairs) => {
                let (ty, mut mods) = match ins.kind {
                    InstructionKind::Label => (TokenType::Property, DECLARATION),
                    InstructionKind::Arg => (TokenType::Variable, DECLARATION | READONLY),
                    _ => (TokenType::Variable, DECLARATION),
                };
                for p in pairs {
                    if ins.kind == InstructionKind::Arg
                        && PREDEFINED.contains(&p.key.value.as_str())
                    {
                        mods |= DEFAULT_LIBRARY;
                    }
                    self.paint(p.key.span, ty, mods);
                    if !p.legacy {
                        if let Some(v) = &p.value {
                            if v.span.start > p.key.span.end
                                && self.text.as_bytes().get(p.key.span.end) == Some(&b'=')
                            {
                                self.paint(
                                    Span::new(p.key.span.end, p.key.span.end + 1),
                                    TokenType::Operator,
                                    0,
                                );
                            }
                        } else if self.text.as_bytes().get(p.key.span.end) == Some(&b'=') {
                            self.paint(
                                Span::new(p.key.span.end, p.key.span.end + 1),
                                TokenType::Operator,
                                0,
                            );
                        }
                    }
                    if ins.kind == InstructionKind::Arg {
                        mods &= !DEFAULT_LIBRARY;
                    }
                }
            }
            Details::Onbuild(inner) => self.instruction(model, inner),
            Details::Healthcheck { cmd, .. } => {
                if let Some(w) = cmd {
                    self.paint(w.span, TokenType::Keyword, 0);
                }
            }
            Details::None => {
                if ins.kind == InstructionKind::Expose {
                    for w in &ins.words {
                        if w.raw.starts_with(|c: char| c.is_ascii_digit()) {
                            self.paint(w.span, TokenType::Number, 0);
                        }
                    }
                }
            }
        }
        for h in &ins.heredocs {
            let m = h.marker_span;
            let marker = self.text.get(m.start..m.end).unwrap_or_default();
            let ops = marker
                .bytes()
                .take_while(|b| b.is_ascii_digit() || *b == b'<' || *b == b'-')
                .count();
            self.paint(Span::new(m.start, m.start + ops), TokenType::Operator, 0);
            self.paint(Span::new(m.start + ops, m.end), TokenType::String, 0);
            if let Some(e) = h.end_span {
                let line = self.text.get(e.start..e.end).unwrap_or_default();
                let tabs = line
                    .bytes()
                    .take_while(|&b| b == b'\t' || b == b' ')
                    .count();
                self.paint(Span::new(e.start + tabs, e.end), TokenType::String, 0);
            }
        }
    }

    /// Quoted strings (and, in shell form, `&&`, `||`, `|`, `;`) in the instruction's own
    /// lines: not in heredoc bodies, not in comment lines.
    fn strings(&mut self, model: &Model, ins: &Instruction) {
        let shell = ins.is_shell_form()
            && matches!(
                ins.kind,
                InstructionKind::Run | InstructionKind::Cmd | InstructionKind::Entrypoint
            );
        let start = ins.keyword_span.end;
        let mut end = ins.span.end.min(self.text.len());
        // Stop at the first heredoc body: what follows belongs to the heredocs.
        let inner = match &ins.details {
            Details::Onbuild(inner) => Some(inner.heredocs.iter()),
            _ => None,
        };
        if let Some(h) = ins
            .heredocs
            .iter()
            .chain(inner.into_iter().flatten())
            .filter(|h| !h.body_span.is_empty() || h.end_span.is_some())
            .map(|h| {
                if h.body_span.is_empty() {
                    h.end_span.map(|e| e.start).unwrap_or(h.body_span.start)
                } else {
                    h.body_span.start
                }
            })
            .min()
        {
            end = end.min(h);
        }
        let Some(s) = self.text.get(start..end) else {
            return;
        };
        let mut comment_lines: Vec<Span> = ins.inner_comments.iter().map(|c| c.span).collect();
        comment_lines.sort_by_key(|c| c.start);
        // The first comment line not yet passed: line starts only move forward, so each
        // line looks at one comment, not at all of them.
        let mut next_comment = 0;
        let _ = model;
        let bytes = s.as_bytes();
        // Bytes that matter; everything else (non-ASCII included) is skipped one by one.
        let esc = if self.escape.is_ascii() {
            self.escape as u8
        } else {
            b'\\'
        };
        let mut special = [false; 256];
        for b in [b'\n', b'"', b'\'', esc] {
            special[b as usize] = true;
        }
        if shell {
            for b in [b'&', b'|', b';'] {
                special[b as usize] = true;
            }
        }
        let mut i = 0usize;
        let mut quote: Option<(u8, usize)> = None;
        let mut line_start = !comment_lines.is_empty();
        while i < bytes.len() {
            if line_start {
                line_start = false;
                // Skip comment lines inside the instruction.
                let abs = start + i;
                while comment_lines
                    .get(next_comment)
                    .is_some_and(|c| c.start < abs)
                {
                    next_comment += 1;
                }
                // Only blanks before it on this line (a later comment line has this
                // line's text before it too).
                if let Some(c) = comment_lines.get(next_comment).filter(|c| {
                    self.text
                        .get(abs..c.start)
                        .is_some_and(|w| w.bytes().all(|b| b == b' ' || b == b'\t'))
                }) {
                    i += c.end - abs;
                    continue;
                }
            }
            let b = bytes[i];
            if !special[b as usize] {
                i += 1;
                continue;
            }
            if b == b'\n' {
                line_start = !comment_lines.is_empty();
                i += 1;
                continue;
            }
            match quote {
                None => {
                    if b == esc {
                        // Skip the escaped byte (not a line end: that is a continuation).
                        i += if matches!(bytes.get(i + 1), Some(b'\n' | b'\r') | None) {
                            1
                        } else {
                            2
                        };
                        continue;
                    }
                    if b == b'"' || b == b'\'' {
                        quote = Some((b, i));
                    } else if shell && (b == b'&' || b == b'|' || b == b';') {
                        let two = bytes.get(i + 1) == Some(&b) && b != b';';
                        if b != b'&' || two {
                            let n = if two { 2 } else { 1 };
                            self.paint(Span::new(start + i, start + i + n), TokenType::Operator, 0);
                            i += n;
                            continue;
                        }
                    }
                }
                Some((q, from)) => {
                    if q == b'"' && b == esc {
                        i += if matches!(bytes.get(i + 1), Some(b'\n' | b'\r') | None) {
                            1
                        } else {
                            2
                        };
                        continue;
                    }
                    if b == q {
                        self.paint(Span::new(start + from, start + i + 1), TokenType::String, 0);
                        quote = None;
                    }
                }
            }
            i += 1;
        }
    }

    /// Read the painted map back as tokens, line by line, on lines `first..=last`.
    fn read(&self, idx: &LineIndex, first: usize, last: usize, enc: Encoding) -> Vec<Token> {
        let mut out = Vec::new();
        let last = last.min(idx.line_count().saturating_sub(1));
        for line in first..=last {
            let span = idx.line_span(self.text, line);
            let Some(map) = self.map.get(
                span.start.saturating_sub(self.window.start)
                    ..span.end.saturating_sub(self.window.start),
            ) else {
                continue;
            };
            let Some(line_text) = self.text.get(span.start..span.end) else {
                continue;
            };
            // Columns are bytes on ASCII lines; elsewhere the line index converts them.
            let ascii = enc == Encoding::Utf8 || line_text.is_ascii();
            let mut i = 0usize;
            let col_of = |b: usize| -> u32 {
                if ascii {
                    b as u32
                } else {
                    idx.position(self.text, span.start + b, enc).col
                }
            };
            while i < map.len() {
                let code = map[i];
                if code == 0 {
                    i += 1;
                    continue;
                }
                let mut j = i + 1;
                while j < map.len() && map[j] == code {
                    j += 1;
                }
                // Clamp to character boundaries (spans from the model always are).
                let (mut a, mut b) = (i, j);
                while a > 0 && !line_text.is_char_boundary(a) {
                    a -= 1;
                }
                while b < line_text.len() && !line_text.is_char_boundary(b) {
                    b += 1;
                }
                let start = col_of(a);
                let end = col_of(b);
                if end > start {
                    let ty = TYPES[((code & 0xff) as usize - 1).min(TYPES.len() - 1)];
                    out.push(Token {
                        line: line as u32,
                        start,
                        length: end - start,
                        token_type: ty,
                        modifiers: (code >> 8) as u8,
                    });
                }
                i = j.max(b);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str, enc: Encoding) -> Vec<(u32, u32, u32, TokenType)> {
        let model = crate::model::build(text);
        let idx = LineIndex::new(text);
        tokens(text, &idx, &model, None, enc)
            .into_iter()
            .map(|t| (t.line, t.start, t.length, t.token_type))
            .collect()
    }

    #[test]
    fn legend_matches_types() {
        let l = legend();
        assert_eq!(l.token_types.len(), TYPES.len());
        for (i, t) in TYPES.iter().enumerate() {
            assert_eq!(*t as usize, i);
        }
    }

    #[test]
    fn delta_encoding() {
        let t = [
            Token {
                line: 0,
                start: 0,
                length: 4,
                token_type: TokenType::Keyword,
                modifiers: 0,
            },
            Token {
                line: 0,
                start: 5,
                length: 3,
                token_type: TokenType::String,
                modifiers: 0,
            },
            Token {
                line: 2,
                start: 2,
                length: 1,
                token_type: TokenType::Variable,
                modifiers: READONLY,
            },
        ];
        let e = encode(&t);
        assert_eq!((e[1].delta_line, e[1].delta_start), (0, 5));
        assert_eq!(
            (
                e[2].delta_line,
                e[2].delta_start,
                e[2].token_modifiers_bitset
            ),
            (2, 2, 2)
        );
    }

    #[test]
    fn multiline_string_is_split_per_line() {
        let text = "FROM a\nRUN echo \"x \\\n  y\" && z\n";
        let t = toks(text, Encoding::Utf16);
        assert!(t.contains(&(1, 9, 4, TokenType::String)), "{t:?}");
        assert!(t.contains(&(2, 0, 4, TokenType::String)), "{t:?}");
    }

    #[test]
    fn comment_lines_inside_an_instruction_are_not_read_for_strings() {
        let text = "FROM a\nRUN echo \"x\" \\\n  # it's \"no\"\n# a\n  && echo 'y'\n";
        let t = toks(text, Encoding::Utf16);
        let strings: Vec<_> = t.iter().filter(|t| t.3 == TokenType::String).collect();
        assert_eq!(
            strings,
            [
                &(1, 9, 3, TokenType::String),
                &(4, 10, 3, TokenType::String)
            ]
        );
        // Many of them: each line start looks at the next comment line only.
        let many = format!("FROM a\nRUN echo \\\n{}  \"z\"\n", "# 'c\n".repeat(50_000));
        let t = toks(&many, Encoding::Utf16);
        let strings: Vec<_> = t.iter().filter(|t| t.3 == TokenType::String).collect();
        assert_eq!(strings, [&(50_002, 2, 3, TokenType::String)]);
    }

    #[test]
    fn utf16_columns() {
        let text = "FROM a\nRUN echo \"é😀\" 'x'\n";
        let t = toks(text, Encoding::Utf16);
        assert!(t.contains(&(1, 9, 5, TokenType::String)), "{t:?}");
        assert!(t.contains(&(1, 15, 3, TokenType::String)), "{t:?}");
        let t8 = toks(text, Encoding::Utf8);
        assert!(t8.contains(&(1, 9, 8, TokenType::String)), "{t8:?}");
    }
}
