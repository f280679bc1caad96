/*
 * External scanner for the Dockerfile grammar.
 *
 * It owns everything that depends on line structure or on state carried across lines:
 *   - line ends (`_newline`, `_heredoc_nl`) and line continuations with the current escape
 *     character (`\` or, after `# escape=``, a backtick);
 *   - comments, which only exist at the start of a line (also inside a continued instruction);
 *   - parser directives, recognised only in the leading comment block;
 *   - instruction keywords (case-insensitive, bounded by whitespace) and unknown instructions;
 *   - heredoc markers, bodies and terminators, with the pending delimiters of the current line;
 *   - shell-form text, the `[` that starts a valid JSON array, `--` of flags, `$` of expansions
 *     and image registries.
 *
 * The serialized state carries the escape character, the directive-block phase, the pending
 * heredoc delimiters and the shell quote state, so that incremental re-parses stay exact.
 */

#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum TokenType {
  NEWLINE,
  END_OF_FILE,
  HEREDOC_NL,
  LINE_CONTINUATION,
  COMMENT,
  CONTINUATION_NL,
  DIRECTIVE_HASH,
  DIRECTIVE_NAME,
  DIRECTIVE_EQ,
  DIRECTIVE_VALUE,
  HEREDOC_START,
  HEREDOC_BODY,
  HEREDOC_END,
  SHELL_FRAGMENT,
  FLAG_START,
  JSON_START,
  SHELL_FORM,
  IMAGE_REGISTRY,
  DOLLAR,
  IMM_DOLLAR,
  KW_FROM,
  KW_RUN,
  KW_CMD,
  KW_LABEL,
  KW_MAINTAINER,
  KW_EXPOSE,
  KW_ENV,
  KW_ADD,
  KW_COPY,
  KW_ENTRYPOINT,
  KW_VOLUME,
  KW_USER,
  KW_WORKDIR,
  KW_ARG,
  KW_ONBUILD,
  KW_STOPSIGNAL,
  KW_HEALTHCHECK,
  KW_SHELL,
  KW_AS,
  KW_NONE,
  UNKNOWN_KEYWORD,
  ERROR_SENTINEL,
};

static const char *const KEYWORDS[] = {
    "from",    "run",     "cmd",  "label",      "maintainer",  "expose", "env",
    "add",     "copy",    "entrypoint", "volume", "user",      "workdir", "arg",
    "onbuild", "stopsignal", "healthcheck", "shell", "as",      "none",
};
#define KEYWORD_COUNT (sizeof(KEYWORDS) / sizeof(KEYWORDS[0]))

#define MAX_HEREDOCS 8
#define MAX_DELIMITER 100
#define MAX_KEYWORD 16

typedef struct {
  bool strip_tabs;
  uint8_t length;
  char text[MAX_DELIMITER];
} Heredoc;

enum DirectiveStep {
  STEP_NONE = 0,
  STEP_NAME = 1,
  STEP_EQ = 2,
  STEP_VALUE = 3,
};

typedef struct {
  int32_t escape;
  bool directives_done;
  bool after_directive;
  bool after_comment;
  bool directive_is_escape;
  bool in_shell;
  bool line_start;
  uint8_t directive_step;
  uint8_t quote;
  uint8_t heredoc_count;
  Heredoc heredocs[MAX_HEREDOCS];
} Scanner;

enum {
  FLAG_DIRECTIVES_DONE = 1,
  FLAG_AFTER_DIRECTIVE = 2,
  FLAG_AFTER_COMMENT = 4,
  FLAG_DIRECTIVE_IS_ESCAPE = 8,
  FLAG_BACKTICK = 16,
  FLAG_IN_SHELL = 32,
  FLAG_LINE_START = 64,
};

static void reset(Scanner *s) {
  s->escape = '\\';
  s->directives_done = false;
  s->after_directive = false;
  s->after_comment = false;
  s->directive_is_escape = false;
  s->in_shell = false;
  s->line_start = true;
  s->directive_step = STEP_NONE;
  s->quote = 0;
  s->heredoc_count = 0;
}

// ------------------------------------------------------------------ lexer helpers

static inline void advance(TSLexer *lexer) { lexer->advance(lexer, false); }
static inline void skip(TSLexer *lexer) { lexer->advance(lexer, true); }

static inline bool is_hws(int32_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static inline bool at_eof(TSLexer *lexer) { return lexer->eof(lexer); }

static inline bool at_eol(TSLexer *lexer) { return at_eof(lexer) || lexer->lookahead == '\n'; }

static inline bool is_space_or_eol(TSLexer *lexer) {
  return at_eol(lexer) || is_hws(lexer->lookahead);
}

static inline bool is_digit(int32_t c) { return c >= '0' && c <= '9'; }

static inline bool is_alpha(int32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static inline int32_t to_lower(int32_t c) { return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c; }

/* Encodes a code point as UTF-8; returns the byte count (1 for invalid input). */
static int encode_utf8(int32_t c, char out[4]) {
  if (c < 0 || c > 0x10FFFF) {
    out[0] = (char)0xFF;
    return 1;
  }
  if (c < 0x80) {
    out[0] = (char)c;
    return 1;
  }
  if (c < 0x800) {
    out[0] = (char)(0xC0 | (c >> 6));
    out[1] = (char)(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    out[0] = (char)(0xE0 | (c >> 12));
    out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[2] = (char)(0x80 | (c & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (c >> 18));
  out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
  out[3] = (char)(0x80 | (c & 0x3F));
  return 4;
}

/* After a consumed newline: also consume the lines that hold only horizontal whitespace. */
static void absorb_blank_lines(TSLexer *lexer) {
  lexer->mark_end(lexer);
  for (;;) {
    while (!at_eof(lexer) && is_hws(lexer->lookahead)) advance(lexer);
    if (!at_eof(lexer) && lexer->lookahead == '\n') {
      advance(lexer);
      lexer->mark_end(lexer);
    } else {
      return;
    }
  }
}

/* Consumes the rest of a comment line, excluding a final `\r`; the newline stays. */
static void finish_comment(TSLexer *lexer) {
  while (!at_eol(lexer)) {
    if (lexer->lookahead == '\r') {
      advance(lexer);
    } else {
      advance(lexer);
      lexer->mark_end(lexer);
    }
  }
}

// ------------------------------------------------------------------ token emission

static bool emit(Scanner *s, TSLexer *lexer, enum TokenType token) {
  lexer->result_symbol = token;
  // Shell-form text may go on without whitespace only right after shell-form tokens.
  if (token == SHELL_FRAGMENT || token == HEREDOC_START || token == SHELL_FORM) {
    s->in_shell = true;
  } else if (token != LINE_CONTINUATION && token != COMMENT && token != CONTINUATION_NL) {
    s->in_shell = false;
  }
  // Whether the token ends at the start of a line. Only then can the next token start a
  // line (the column is checked as well, since internal tokens may come in between).
  s->line_start = token == NEWLINE || token == HEREDOC_NL || token == LINE_CONTINUATION ||
                  token == CONTINUATION_NL;
  switch (token) {
    case DIRECTIVE_HASH:
    case DIRECTIVE_NAME:
    case DIRECTIVE_EQ:
      break;
    case DIRECTIVE_VALUE:
      s->after_directive = true;
      break;
    case NEWLINE:
      if (s->after_directive) {
        s->after_directive = false;
      } else {
        s->directives_done = true;
      }
      break;
    default:
      s->directives_done = true;
      s->after_directive = false;
      break;
  }
  return true;
}

// ------------------------------------------------------------------ heredocs

static void pop_heredoc(Scanner *s) {
  if (s->heredoc_count == 0) return;
  for (uint8_t i = 1; i < s->heredoc_count; i++) s->heredocs[i - 1] = s->heredocs[i];
  s->heredoc_count--;
}

/* Matches the delimiter of `h` at the lexer position, consuming what matches. */
static bool match_delimiter(const Heredoc *h, TSLexer *lexer) {
  uint32_t i = 0;
  while (i < h->length) {
    if (at_eol(lexer)) return false;
    char bytes[4];
    int n = encode_utf8(lexer->lookahead, bytes);
    if (i + (uint32_t)n > h->length || memcmp(h->text + i, bytes, (size_t)n) != 0) return false;
    i += (uint32_t)n;
    advance(lexer);
  }
  return true;
}

/* At the start of a line inside a heredoc: the body lines, or the terminator line. */
static bool scan_heredoc(Scanner *s, TSLexer *lexer, const bool *valid) {
  const Heredoc *h = &s->heredocs[0];
  bool has_body = false;

  if (at_eof(lexer)) {
    // Unterminated heredoc: an empty terminator at the end of the file keeps the tree
    // whole (BuildKit reports "unterminated heredoc"; the model does too).
    if (!valid[HEREDOC_END]) return false;
    lexer->mark_end(lexer);
    pop_heredoc(s);
    return emit(s, lexer, HEREDOC_END);
  }

  for (;;) {
    if (at_eof(lexer)) break;
    // A line: optional leading tabs (for <<-), then the delimiter, then the end of the line.
    if (h->strip_tabs) {
      while (!at_eof(lexer) && lexer->lookahead == '\t') {
        if (has_body) {
          advance(lexer);
        } else {
          skip(lexer);
        }
      }
    }
    if (match_delimiter(h, lexer)) {
      if (!has_body) lexer->mark_end(lexer);
      while (!at_eof(lexer) && lexer->lookahead == '\r') advance(lexer);
      if (at_eol(lexer)) {
        if (has_body) {
          if (!valid[HEREDOC_BODY]) return false;
          return emit(s, lexer, HEREDOC_BODY);
        }
        if (!valid[HEREDOC_END]) return false;
        pop_heredoc(s);
        return emit(s, lexer, HEREDOC_END);
      }
    }
    // Not the terminator: the whole line belongs to the body.
    while (!at_eol(lexer)) advance(lexer);
    if (!at_eof(lexer)) advance(lexer);
    has_body = true;
    lexer->mark_end(lexer);
  }

  // Unterminated heredoc: the body runs to the end of the file.
  if (has_body && valid[HEREDOC_BODY]) return emit(s, lexer, HEREDOC_BODY);
  return false;
}

/*
 * Reads `[n]<<[-]delimiter` at the lexer position. On success the delimiter is recorded
 * as pending and true is returned; on failure the consumed characters are ordinary text.
 */
static bool read_heredoc_start(Scanner *s, TSLexer *lexer) {
  while (!at_eof(lexer) && is_digit(lexer->lookahead)) advance(lexer);
  if (at_eof(lexer) || lexer->lookahead != '<') return false;
  advance(lexer);
  if (at_eof(lexer) || lexer->lookahead != '<') return false;
  advance(lexer);
  bool strip_tabs = false;
  if (!at_eof(lexer) && lexer->lookahead == '-') {
    strip_tabs = true;
    advance(lexer);
  }
  if (is_space_or_eol(lexer) || lexer->lookahead == '<') return false;

  Heredoc h;
  h.strip_tabs = strip_tabs;
  h.length = 0;
  bool overflow = false;
  int32_t quote = 0;
  while (!at_eol(lexer)) {
    int32_t c = lexer->lookahead;
    if (quote == 0 && is_hws(c)) break;
    if (quote == 0 && (c == '"' || c == '\'')) {
      quote = c;
      advance(lexer);
      continue;
    }
    if (quote != 0 && c == quote) {
      quote = 0;
      advance(lexer);
      continue;
    }
    if (quote == 0 && c == s->escape) {
      // `<<\EOF` quotes the delimiter; an escape before whitespace ends it.
      advance(lexer);
      if (is_space_or_eol(lexer)) break;
      c = lexer->lookahead;
    }
    char bytes[4];
    int n = encode_utf8(c, bytes);
    if (h.length + n > MAX_DELIMITER) {
      overflow = true;
    } else {
      memcpy(h.text + h.length, bytes, (size_t)n);
      h.length = (uint8_t)(h.length + n);
    }
    advance(lexer);
  }
  if (h.length == 0 || overflow || s->heredoc_count >= MAX_HEREDOCS) return false;
  lexer->mark_end(lexer);
  s->heredocs[s->heredoc_count++] = h;
  return true;
}

// ------------------------------------------------------------------ shell-form text

/*
 * Shell-form text up to the end of the line, a line continuation or a heredoc marker.
 * `has_content` tells that characters were already consumed (and marked) for this token.
 */
/*
 * After the newline of a line continuation: skips the comment lines and blank lines that
 * BuildKit drops from a continued instruction, and the indentation of the next line.
 * Returns whether the next line starts with whitespace.
 */
static bool skip_continued_lines(TSLexer *lexer) {
  for (;;) {
    bool indented = false;
    while (!at_eof(lexer) && is_hws(lexer->lookahead)) {
      advance(lexer);
      indented = true;
    }
    if (at_eof(lexer)) return indented;
    if (lexer->lookahead == '\n') {
      advance(lexer);
    } else if (lexer->lookahead == '#') {
      while (!at_eol(lexer)) advance(lexer);
      if (!at_eof(lexer)) advance(lexer);
    } else {
      return indented;
    }
  }
}

/*
 * Shell-form text of one instruction: up to the end of the logical line (line
 * continuations, and the comment and blank lines after them, are part of the token) or
 * up to a heredoc marker. `has_content` tells that characters were already consumed (and
 * marked) for this token.
 */
static bool scan_shell_fragment(Scanner *s, TSLexer *lexer, const bool *valid, bool has_content) {
  bool heredocs = valid[HEREDOC_START];
  bool word_start = !has_content;
  for (;;) {
    if (at_eol(lexer)) break;
    int32_t c = lexer->lookahead;
    if (c == s->escape) {
      advance(lexer);
      bool spaces = false;
      while (!at_eof(lexer) && is_hws(lexer->lookahead)) {
        advance(lexer);
        spaces = true;
      }
      if (at_eof(lexer)) break;  // a continuation at the end of the file ends the text
      if (lexer->lookahead == '\n') {
        // A line continuation: the text goes on, past dropped comment and blank lines.
        advance(lexer);
        if (skip_continued_lines(lexer) && s->quote == 0) word_start = true;
        continue;
      }
      if (!spaces && s->quote != '\'') advance(lexer);  // the escaped character
      has_content = true;
      word_start = false;
      lexer->mark_end(lexer);
      continue;
    }
    if (is_hws(c)) {
      advance(lexer);
      if (s->quote == 0) word_start = true;
      continue;
    }
    if (heredocs && s->quote == 0 && word_start && (c == '<' || is_digit(c))) {
      // Look ahead for `[n]<<name`; the fragment ends before it.
      while (!at_eof(lexer) && is_digit(lexer->lookahead)) advance(lexer);
      if (!at_eof(lexer) && lexer->lookahead == '<') {
        advance(lexer);
        if (!at_eof(lexer) && lexer->lookahead == '<') {
          advance(lexer);
          if (!at_eof(lexer) && lexer->lookahead == '-') advance(lexer);
          if (!is_space_or_eol(lexer) && lexer->lookahead != '<') {
            if (!has_content) return false;
            break;
          }
        }
      }
      has_content = true;
      word_start = false;
      lexer->mark_end(lexer);
      continue;
    }
    if (c == '"' || c == '\'') {
      if (s->quote == 0) {
        s->quote = (uint8_t)c;
      } else if (s->quote == c) {
        s->quote = 0;
      }
    }
    advance(lexer);
    has_content = true;
    word_start = false;
    lexer->mark_end(lexer);
  }
  if (!has_content) return false;
  return emit(s, lexer, SHELL_FRAGMENT);
}

// ------------------------------------------------------------------ JSON form

/* Skips JSON whitespace, including line continuations and the comment/blank lines after them. */
static bool skip_json_space(Scanner *s, TSLexer *lexer) {
  for (;;) {
    if (at_eof(lexer)) return true;
    int32_t c = lexer->lookahead;
    if (is_hws(c)) {
      advance(lexer);
      continue;
    }
    if (c == s->escape) {
      advance(lexer);
      while (!at_eof(lexer) && is_hws(lexer->lookahead)) advance(lexer);
      if (at_eof(lexer)) return true;
      if (lexer->lookahead != '\n') return false;
      advance(lexer);
      // comment and blank lines inside the continued instruction
      for (;;) {
        while (!at_eof(lexer) && is_hws(lexer->lookahead)) advance(lexer);
        if (at_eof(lexer)) return true;
        if (lexer->lookahead == '\n') {
          advance(lexer);
        } else if (lexer->lookahead == '#') {
          while (!at_eol(lexer)) advance(lexer);
          if (!at_eof(lexer)) advance(lexer);
        } else {
          break;
        }
      }
      continue;
    }
    return true;
  }
}

static bool is_hex(int32_t c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool json_string_ahead(TSLexer *lexer) {
  // at the opening quote
  advance(lexer);
  for (;;) {
    if (at_eof(lexer)) return false;
    int32_t c = lexer->lookahead;
    if (c == '"') {
      advance(lexer);
      return true;
    }
    if (c < 0x20) return false;
    if (c == '\\') {
      advance(lexer);
      if (at_eof(lexer)) return false;
      c = lexer->lookahead;
      if (c == 'u') {
        advance(lexer);
        for (int i = 0; i < 4; i++) {
          if (at_eof(lexer) || !is_hex(lexer->lookahead)) return false;
          advance(lexer);
        }
        continue;
      }
      if (c != '"' && c != '\\' && c != '/' && c != 'b' && c != 'f' && c != 'n' && c != 'r' &&
          c != 't') {
        return false;
      }
    }
    advance(lexer);
  }
}

/* After `[`: is the rest of the logical line a JSON array of strings and nothing else? */
static bool json_array_ahead(Scanner *s, TSLexer *lexer) {
  if (!skip_json_space(s, lexer)) return false;
  if (!at_eof(lexer) && lexer->lookahead == ']') {
    advance(lexer);
  } else {
    for (;;) {
      if (at_eof(lexer) || lexer->lookahead != '"') return false;
      if (!json_string_ahead(lexer)) return false;
      if (!skip_json_space(s, lexer)) return false;
      if (at_eof(lexer)) return false;
      if (lexer->lookahead == ']') {
        advance(lexer);
        break;
      }
      if (lexer->lookahead != ',') return false;
      advance(lexer);
      if (!skip_json_space(s, lexer)) return false;
    }
  }
  if (!skip_json_space(s, lexer)) return false;
  return at_eol(lexer);
}

// ------------------------------------------------------------------ directives

/*
 * At `#` in the directive block: a directive (`# name = value` with a known name) gives
 * the `#` token; anything else is an ordinary comment, which ends the block.
 */
static bool scan_directive_or_comment(Scanner *s, TSLexer *lexer, bool top_level) {
  advance(lexer);  // '#'
  lexer->mark_end(lexer);
  while (!at_eof(lexer) && (lexer->lookahead == ' ' || lexer->lookahead == '\t')) advance(lexer);

  char name[MAX_KEYWORD];
  size_t length = 0;
  bool ok = !at_eof(lexer) && is_alpha(lexer->lookahead);
  while (ok && !at_eof(lexer) && (is_alpha(lexer->lookahead) || is_digit(lexer->lookahead))) {
    if (length + 1 < MAX_KEYWORD) {
      name[length++] = (char)to_lower(lexer->lookahead);
    } else {
      ok = false;
    }
    advance(lexer);
  }
  name[length] = '\0';
  if (ok) {
    ok = strcmp(name, "syntax") == 0 || strcmp(name, "escape") == 0 || strcmp(name, "check") == 0;
  }
  if (ok) {
    while (!at_eof(lexer) && (lexer->lookahead == ' ' || lexer->lookahead == '\t')) advance(lexer);
    ok = !at_eof(lexer) && lexer->lookahead == '=';
  }
  if (ok) {
    advance(lexer);
    while (!at_eof(lexer) && (lexer->lookahead == ' ' || lexer->lookahead == '\t')) advance(lexer);
    ok = !is_space_or_eol(lexer);
  }
  if (ok) {
    s->directive_step = STEP_NAME;
    return emit(s, lexer, DIRECTIVE_HASH);
  }
  lexer->mark_end(lexer);
  finish_comment(lexer);
  if (!top_level) s->after_comment = true;
  return emit(s, lexer, COMMENT);
}

static bool scan_directive_part(Scanner *s, TSLexer *lexer, const bool *valid) {
  while (!at_eof(lexer) && is_hws(lexer->lookahead)) skip(lexer);
  switch (s->directive_step) {
    case STEP_NAME: {
      if (!valid[DIRECTIVE_NAME] || at_eof(lexer) || !is_alpha(lexer->lookahead)) break;
      char name[MAX_KEYWORD];
      size_t length = 0;
      while (!at_eof(lexer) && (is_alpha(lexer->lookahead) || is_digit(lexer->lookahead))) {
        if (length + 1 < MAX_KEYWORD) name[length++] = (char)to_lower(lexer->lookahead);
        advance(lexer);
      }
      name[length] = '\0';
      lexer->mark_end(lexer);
      s->directive_is_escape = strcmp(name, "escape") == 0;
      s->directive_step = STEP_EQ;
      return emit(s, lexer, DIRECTIVE_NAME);
    }
    case STEP_EQ:
      if (!valid[DIRECTIVE_EQ] || at_eof(lexer) || lexer->lookahead != '=') break;
      advance(lexer);
      lexer->mark_end(lexer);
      s->directive_step = STEP_VALUE;
      return emit(s, lexer, DIRECTIVE_EQ);
    case STEP_VALUE: {
      if (!valid[DIRECTIVE_VALUE] || is_space_or_eol(lexer)) break;
      int32_t first = lexer->lookahead;
      uint32_t length = 0;
      uint32_t marked_length = 0;
      while (!at_eol(lexer)) {
        bool space = is_hws(lexer->lookahead);
        advance(lexer);
        length++;
        if (!space) {
          lexer->mark_end(lexer);
          marked_length = length;
        }
      }
      if (s->directive_is_escape && marked_length == 1) {
        if (first == '`') s->escape = '`';
        if (first == '\\') s->escape = '\\';
      }
      s->directive_step = STEP_NONE;
      s->directive_is_escape = false;
      return emit(s, lexer, DIRECTIVE_VALUE);
    }
    default:
      break;
  }
  s->directive_step = STEP_NONE;
  return false;
}

// ------------------------------------------------------------------ keywords

static bool scan_keyword(Scanner *s, TSLexer *lexer, const bool *valid) {
  char word[MAX_KEYWORD];
  size_t length = 0;
  bool too_long = false;
  while (!is_space_or_eol(lexer) && lexer->lookahead != s->escape) {
    if (length + 1 < MAX_KEYWORD) {
      word[length++] = (char)to_lower(lexer->lookahead);
    } else {
      too_long = true;
    }
    advance(lexer);
  }
  if (length == 0) return false;
  word[length] = '\0';
  lexer->mark_end(lexer);
  if (!too_long) {
    for (size_t i = 0; i < KEYWORD_COUNT; i++) {
      if (strcmp(word, KEYWORDS[i]) == 0) {
        enum TokenType token = (enum TokenType)(KW_FROM + i);
        if (valid[token]) return emit(s, lexer, token);
        break;
      }
    }
  }
  if (valid[UNKNOWN_KEYWORD]) return emit(s, lexer, UNKNOWN_KEYWORD);
  return false;
}

static bool any_keyword_valid(const bool *valid) {
  for (int t = KW_FROM; t <= UNKNOWN_KEYWORD; t++) {
    if (valid[t]) return true;
  }
  return false;
}

// ------------------------------------------------------------------ images

/* A registry host (`host.tld`, `host:port`, `localhost`) before the first `/` of an image. */
static bool scan_registry(Scanner *s, TSLexer *lexer) {
  static const char LOCALHOST[] = "localhost";
  size_t length = 0;
  bool dot = false, colon = false, localhost = true;
  while (!is_space_or_eol(lexer)) {
    int32_t c = lexer->lookahead;
    if (c == '/' || c == '@' || c == '$' || c == '"' || c == '\'' || c == s->escape) break;
    if (c == '.') dot = true;
    if (c == ':') colon = true;
    if (length >= 9 || to_lower(c) != LOCALHOST[length]) localhost = false;
    length++;
    advance(lexer);
  }
  if (length != 9) localhost = false;
  if (length == 0 || at_eof(lexer) || lexer->lookahead != '/') return false;
  if (!dot && !colon && !localhost) return false;
  lexer->mark_end(lexer);
  return emit(s, lexer, IMAGE_REGISTRY);
}

// ------------------------------------------------------------------ entry points

static bool scan(Scanner *s, TSLexer *lexer, const bool *valid) {
  bool error = valid[ERROR_SENTINEL];

  if (!error && s->heredoc_count > 0 && (valid[HEREDOC_BODY] || valid[HEREDOC_END])) {
    return scan_heredoc(s, lexer, valid);
  }

  if (!error && s->directive_step != STEP_NONE) {
    return scan_directive_part(s, lexer, valid);
  }
  s->directive_step = STEP_NONE;

  uint32_t skipped = 0;
  bool skipped_any = false;
  while (!at_eof(lexer) && (is_hws(lexer->lookahead) || lexer->lookahead == 0xFEFF)) {
    if (lexer->lookahead != 0xFEFF) skipped++;
    skipped_any = true;
    skip(lexer);
  }
  if (at_eof(lexer)) {
    if (valid[END_OF_FILE] && !error) {
      lexer->mark_end(lexer);
      return emit(s, lexer, END_OF_FILE);
    }
    return false;
  }

  int32_t c = lexer->lookahead;

  // Is the token at the start of a line? Only if the last external token ended a line (the
  // serialized state says so, which keeps incremental re-parses exact) and the column says
  // that nothing came in between. Column checks are lazy: get_column walks from the line
  // start.
  int line_start = s->line_start ? -1 : 0;  // -1: unknown
#define AT_LINE_START() \
  (line_start < 0 ? (line_start = (lexer->get_column(lexer) == skipped) ? 1 : 0) : line_start)
  // A new word starts after whitespace or at the start of a line.
#define AT_WORD_START() (skipped_any || AT_LINE_START())
  // Shell-form text starts a new word, or continues shell-form text.
#define CAN_START_FRAGMENT() (!error && valid[SHELL_FRAGMENT] && (s->in_shell || AT_WORD_START()))

  if (c == '\n') {
    if (s->after_comment && valid[CONTINUATION_NL]) {
      advance(lexer);
      absorb_blank_lines(lexer);
      s->after_comment = false;
      return emit(s, lexer, CONTINUATION_NL);
    }
    if (!error && s->heredoc_count > 0 && valid[HEREDOC_NL]) {
      advance(lexer);
      lexer->mark_end(lexer);
      s->quote = 0;
      s->after_comment = false;
      return emit(s, lexer, HEREDOC_NL);
    }
    if (valid[NEWLINE]) {
      advance(lexer);
      lexer->mark_end(lexer);
      s->heredoc_count = 0;
      s->quote = 0;
      s->after_comment = false;
      return emit(s, lexer, NEWLINE);
    }
    return false;
  }

  if (c == s->escape && valid[LINE_CONTINUATION]) {
    bool fragment_ok = CAN_START_FRAGMENT();
    advance(lexer);
    bool spaces = false;
    while (!at_eof(lexer) && is_hws(lexer->lookahead)) {
      advance(lexer);
      spaces = true;
    }
    if (at_eof(lexer)) {
      lexer->mark_end(lexer);
      return emit(s, lexer, LINE_CONTINUATION);
    }
    if (lexer->lookahead == '\n') {
      advance(lexer);
      absorb_blank_lines(lexer);
      return emit(s, lexer, LINE_CONTINUATION);
    }
    if (fragment_ok) {
      if (!spaces && s->quote != '\'') advance(lexer);
      lexer->mark_end(lexer);
      return scan_shell_fragment(s, lexer, valid, true);
    }
    return false;
  }

  if (c == '#' && valid[COMMENT] && AT_LINE_START()) {
    bool top_level = error || valid[DIRECTIVE_HASH];
    if (!error && !s->directives_done && valid[DIRECTIVE_HASH]) {
      return scan_directive_or_comment(s, lexer, top_level);
    }
    advance(lexer);
    lexer->mark_end(lexer);
    finish_comment(lexer);
    if (!top_level) s->after_comment = true;
    return emit(s, lexer, COMMENT);
  }

  if (error) {
    if (any_keyword_valid(valid) && AT_LINE_START()) return scan_keyword(s, lexer, valid);
    return false;
  }

  if (c == '-' && valid[FLAG_START] && AT_WORD_START()) {
    bool fragment_ok = CAN_START_FRAGMENT();
    advance(lexer);
    if (!at_eof(lexer) && lexer->lookahead == '-') {
      advance(lexer);
      if (!is_space_or_eol(lexer) && lexer->lookahead != '=') {
        lexer->mark_end(lexer);
        return emit(s, lexer, FLAG_START);
      }
    }
    if (fragment_ok) {
      lexer->mark_end(lexer);
      return scan_shell_fragment(s, lexer, valid, true);
    }
    return false;
  }

  if ((c == '<' || is_digit(c)) && valid[HEREDOC_START] && AT_WORD_START()) {
    bool fragment_ok = CAN_START_FRAGMENT();
    if (read_heredoc_start(s, lexer)) return emit(s, lexer, HEREDOC_START);
    if (fragment_ok) {
      lexer->mark_end(lexer);
      return scan_shell_fragment(s, lexer, valid, true);
    }
    return false;
  }

  if (c == '[' && valid[JSON_START]) {
    // Both answers are empty tokens, so the text is then lexed from the `[` again.
    bool shell_ok = valid[SHELL_FORM] && CAN_START_FRAGMENT();
    lexer->mark_end(lexer);
    advance(lexer);
    if (json_array_ahead(s, lexer)) return emit(s, lexer, JSON_START);
    if (shell_ok) return emit(s, lexer, SHELL_FORM);
    return false;
  }

  if (c == '$' && (valid[DOLLAR] || valid[IMM_DOLLAR])) {
    advance(lexer);
    lexer->mark_end(lexer);
    if (!at_eof(lexer) &&
        (is_alpha(lexer->lookahead) || lexer->lookahead == '_' || lexer->lookahead == '{')) {
      if (!skipped_any && valid[IMM_DOLLAR]) return emit(s, lexer, IMM_DOLLAR);
      if (valid[DOLLAR]) return emit(s, lexer, DOLLAR);
    }
    return false;
  }

  if (any_keyword_valid(valid)) {
    return scan_keyword(s, lexer, valid);
  }

  if (valid[IMAGE_REGISTRY]) {
    return scan_registry(s, lexer);
  }

  if (CAN_START_FRAGMENT()) {
    return scan_shell_fragment(s, lexer, valid, false);
  }

  return false;
#undef CAN_START_FRAGMENT
#undef AT_WORD_START
#undef AT_LINE_START
}

void *tree_sitter_dockerfile_external_scanner_create(void) {
  Scanner *s = (Scanner *)calloc(1, sizeof(Scanner));
  if (s) reset(s);
  return s;
}

void tree_sitter_dockerfile_external_scanner_destroy(void *payload) { free(payload); }

unsigned tree_sitter_dockerfile_external_scanner_serialize(void *payload, char *buffer) {
  Scanner *s = (Scanner *)payload;
  unsigned size = 0;
  uint8_t flags = 0;
  if (s->directives_done) flags |= FLAG_DIRECTIVES_DONE;
  if (s->after_directive) flags |= FLAG_AFTER_DIRECTIVE;
  if (s->after_comment) flags |= FLAG_AFTER_COMMENT;
  if (s->directive_is_escape) flags |= FLAG_DIRECTIVE_IS_ESCAPE;
  if (s->escape == '`') flags |= FLAG_BACKTICK;
  if (s->in_shell) flags |= FLAG_IN_SHELL;
  if (s->line_start) flags |= FLAG_LINE_START;
  buffer[size++] = (char)flags;
  buffer[size++] = (char)s->directive_step;
  buffer[size++] = (char)s->quote;
  buffer[size++] = (char)s->heredoc_count;
  for (uint8_t i = 0; i < s->heredoc_count; i++) {
    const Heredoc *h = &s->heredocs[i];
    if (size + 2 + h->length > TREE_SITTER_SERIALIZATION_BUFFER_SIZE) break;
    buffer[size++] = (char)h->strip_tabs;
    buffer[size++] = (char)h->length;
    memcpy(buffer + size, h->text, h->length);
    size += h->length;
  }
  return size;
}

void tree_sitter_dockerfile_external_scanner_deserialize(void *payload, const char *buffer,
                                                          unsigned length) {
  Scanner *s = (Scanner *)payload;
  reset(s);
  if (length < 4) return;
  unsigned pos = 0;
  uint8_t flags = (uint8_t)buffer[pos++];
  s->directives_done = (flags & FLAG_DIRECTIVES_DONE) != 0;
  s->after_directive = (flags & FLAG_AFTER_DIRECTIVE) != 0;
  s->after_comment = (flags & FLAG_AFTER_COMMENT) != 0;
  s->directive_is_escape = (flags & FLAG_DIRECTIVE_IS_ESCAPE) != 0;
  s->escape = (flags & FLAG_BACKTICK) ? '`' : '\\';
  s->in_shell = (flags & FLAG_IN_SHELL) != 0;
  s->line_start = (flags & FLAG_LINE_START) != 0;
  s->directive_step = (uint8_t)buffer[pos++];
  if (s->directive_step > STEP_VALUE) s->directive_step = STEP_NONE;
  s->quote = (uint8_t)buffer[pos++];
  uint8_t count = (uint8_t)buffer[pos++];
  for (uint8_t i = 0; i < count && i < MAX_HEREDOCS; i++) {
    if (pos + 2 > length) break;
    Heredoc *h = &s->heredocs[i];
    h->strip_tabs = buffer[pos++] != 0;
    uint8_t len = (uint8_t)buffer[pos++];
    if (len > MAX_DELIMITER || pos + len > length) break;
    h->length = len;
    memcpy(h->text, buffer + pos, len);
    pos += len;
    s->heredoc_count = (uint8_t)(i + 1);
  }
}

bool tree_sitter_dockerfile_external_scanner_scan(void *payload, TSLexer *lexer,
                                                  const bool *valid_symbols) {
  Scanner *s = (Scanner *)payload;
  return scan(s, lexer, valid_symbols);
}
