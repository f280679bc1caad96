//! Word expansion the way BuildKit's Dockerfile frontend does it: quotes, the escape
//! character, `$VAR`, `${VAR}` and the `${VAR<op>word}` forms, recording which variable
//! names were found in the environment and which were not.
//!
//! Only what the checks need: the expanded text, the matched and unmatched names and
//! whether expansion failed.

/// The variables visible to an expansion. Names compare case-sensitively (Linux).
pub trait Lookup {
    fn get(&self, name: &str) -> Option<&str>;
}

impl Lookup for [(String, String)] {
    fn get(&self, name: &str) -> Option<&str> {
        // The last definition wins.
        self.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Lookup for Vec<(String, String)> {
    fn get(&self, name: &str) -> Option<&str> {
        Lookup::get(self.as_slice(), name)
    }
}

impl Lookup for std::collections::HashMap<String, String> {
    fn get(&self, name: &str) -> Option<&str> {
        std::collections::HashMap::get(self, name).map(String::as_str)
    }
}

/// The result of expanding one word.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expansion {
    pub result: String,
    /// Names found in the environment (each once, in order of first use).
    pub matched: Names,
    /// Names not found (each once, in order of first use).
    pub unmatched: Names,
    /// Expansion failed (bad substitution, unterminated quote, `${X?}` on an unset X ...).
    pub error: Option<String>,
}

/// Expand `word` with `env`, processing quotes and the escape character as BuildKit does
/// for the arguments of COPY, ENV, WORKDIR, FROM, etc.
pub fn expand<L: Lookup + ?Sized>(word: &str, env: &L, escape: char) -> Expansion {
    // Nothing to process: the word is its own expansion.
    if !word.contains(['$', '\'', '"', escape]) {
        return Expansion {
            result: word.to_string(),
            ..Expansion::default()
        };
    }
    let mut lx = Lexer {
        src: word,
        pos: 0,
        escape,
        env,
        matched: Names::default(),
        unmatched: Names::default(),
        depth: 0,
    };
    let (result, error) = match lx.process_until(None) {
        Ok(s) => (s, None),
        Err(e) => (String::new(), Some(e)),
    };
    Expansion {
        result,
        matched: lx.matched,
        unmatched: lx.unmatched,
        error,
    }
}

/// Whether `word` contains anything that expansion would substitute (`$name`, `${`).
pub fn has_variables(word: &str) -> bool {
    let b = word.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        c == b'$'
            && b.get(i + 1)
                .is_some_and(|&n| n == b'{' || n == b'_' || n.is_ascii_alphanumeric())
    })
}

/// A small insertion-ordered set of names (inline up to 24 bytes: variable names are
/// short, and a check of a large file records thousands).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names(Vec<compact_str::CompactString>);

impl Names {
    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|n| n == name)
    }
    pub fn insert(&mut self, name: &str) {
        if !self.contains(name) {
            self.0.push(name.into());
        }
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|n| n.as_str())
    }
}

impl IntoIterator for Names {
    type Item = compact_str::CompactString;
    type IntoIter = std::vec::IntoIter<compact_str::CompactString>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Names {
    type Item = &'a compact_str::CompactString;
    type IntoIter = std::slice::Iter<'a, compact_str::CompactString>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

struct Lexer<'a, L: Lookup + ?Sized> {
    src: &'a str,
    /// Byte offset into `src`.
    pos: usize,
    escape: char,
    env: &'a L,
    matched: Names,
    unmatched: Names,
    /// How many `${name<op>word}` forms enclose the current position.
    depth: usize,
}

/// Deepest nesting of `${name<op>word}` forms expanded: the lexer recurses once per level,
/// so a hostile word (`${A:-${A:-…`) must not exhaust the stack. Real Dockerfiles nest a
/// few levels; deeper words fail to expand, like other bad substitutions.
pub const MAX_DEPTH: usize = 64;

/// Longest expansion produced: `ENV A=$A$A` doubles a value per line, so a hostile file
/// could otherwise grow one past any memory. Real values are far shorter (a long `PATH`
/// is a few hundred bytes); a longer one fails to expand, like other bad substitutions.
pub const MAX_EXPANDED_LEN: usize = 64 * 1024;

fn too_long() -> String {
    format!("expansion longer than {} KiB", MAX_EXPANDED_LEN / 1024)
}

/// `out` + `s`, unless that exceeds `MAX_EXPANDED_LEN`.
fn push_bounded(out: &mut String, s: &str) -> Result<(), String> {
    if out.len().saturating_add(s.len()) > MAX_EXPANDED_LEN {
        return Err(too_long());
    }
    out.push_str(s);
    Ok(())
}

impl<'a, L: Lookup + ?Sized> Lexer<'a, L> {
    fn peek(&self) -> Option<char> {
        self.src.get(self.pos..).and_then(|s| s.chars().next())
    }
    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if let Some(ch) = c {
            self.pos += ch.len_utf8();
        }
        c
    }

    fn lookup(&mut self, name: &str) -> Option<&'a str> {
        let env: &'a L = self.env;
        match env.get(name) {
            Some(v) => {
                self.matched.insert(name);
                Some(v)
            }
            None => {
                self.unmatched.insert(name);
                None
            }
        }
    }

    /// Process until `stop` (consumed) or the end of the word.
    fn process_until(&mut self, stop: Option<char>) -> Result<String, String> {
        // Room for the rest of the word at once: most results are about its length.
        let mut out = String::with_capacity(self.src.len().saturating_sub(self.pos));
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                self.next();
                return Ok(out);
            }
            match c {
                '\'' => out.push_str(&self.single_quote()?),
                '"' => push_bounded(&mut out, &self.double_quote()?)?,
                '$' => self.dollar(&mut out)?,
                _ => {
                    self.next();
                    if c == self.escape {
                        match self.next() {
                            Some(n) => out.push(n),
                            None => break,
                        }
                    } else {
                        out.push(c);
                    }
                }
            }
        }
        match stop {
            Some(s) => Err(format!(
                "unexpected end of statement while looking for matching {s}"
            )),
            None => Ok(out),
        }
    }

    fn single_quote(&mut self) -> Result<String, String> {
        self.next();
        let mut out = String::new();
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .into(),
                    )
                }
                Some('\'') => return Ok(out),
                Some(c) => out.push(c),
            }
        }
    }

    fn double_quote(&mut self) -> Result<String, String> {
        self.next();
        let mut out = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .into(),
                    )
                }
                Some('"') => {
                    self.next();
                    return Ok(out);
                }
                Some('$') => self.dollar(&mut out)?,
                Some(c) => {
                    self.next();
                    if c == self.escape {
                        match self.peek() {
                            None => continue,
                            Some(n) if n == '"' || n == '$' || n == self.escape => {
                                self.next();
                                out.push(n);
                            }
                            Some(_) => out.push(c),
                        }
                    } else {
                        out.push(c);
                    }
                }
            }
        }
    }

    fn name(&mut self) -> &'a str {
        let src: &'a str = self.src;
        let start = self.pos;
        if let Some(c) = self.peek() {
            if c.is_ascii_digit() {
                while self.peek().is_some_and(|d| d.is_ascii_digit()) {
                    self.next();
                }
                return src.get(start..self.pos).unwrap_or("");
            }
            if matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.next();
                return src.get(start..self.pos).unwrap_or("");
            }
        }
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.next();
        }
        src.get(start..self.pos).unwrap_or("")
    }

    fn dollar(&mut self, out: &mut String) -> Result<(), String> {
        let s = self.dollar_value()?;
        push_bounded(out, &s)
    }

    /// `$name` and `${name}` append the value directly; the other forms build a string.
    fn dollar_value(&mut self) -> Result<std::borrow::Cow<'a, str>, String> {
        if self.depth >= MAX_DEPTH {
            return Err("syntax error: substitutions nested too deeply".into());
        }
        self.depth += 1;
        let v = self.dollar_value_inner();
        self.depth -= 1;
        v
    }

    fn dollar_value_inner(&mut self) -> Result<std::borrow::Cow<'a, str>, String> {
        use std::borrow::Cow;
        self.next(); // '$'
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok(Cow::Borrowed("$"));
            }
            return Ok(Cow::Borrowed(self.lookup(name).unwrap_or("")));
        }
        self.next(); // '{'
        match self.peek() {
            None => return Err("syntax error: missing '}'".into()),
            Some('{') | Some('}') | Some(':') => {
                return Err("syntax error: bad substitution".into())
            }
            _ => {}
        }
        let name = self.name();
        let Some(ch) = self.next() else {
            return Err("syntax error: missing '}'".into());
        };
        match ch {
            '}' => Ok(Cow::Borrowed(self.lookup(name).unwrap_or(""))),
            ':' | '-' | '+' | '?' => {
                let null_is_unset = ch == ':';
                let op = if null_is_unset {
                    match self.next() {
                        Some(o @ ('-' | '+' | '?')) => o,
                        Some(o) => {
                            return Err(format!("unsupported modifier ({o}) in substitution"))
                        }
                        None => return Err("syntax error: missing '}'".into()),
                    }
                } else {
                    ch
                };
                let word = self.process_until(Some('}'))?;
                let value = self.lookup(name);
                let unset = match value {
                    None => true,
                    Some(v) => null_is_unset && v.is_empty(),
                };
                match op {
                    '-' => Ok(if unset {
                        Cow::Owned(word)
                    } else {
                        Cow::Borrowed(value.unwrap_or(""))
                    }),
                    '+' => Ok(if unset {
                        Cow::Borrowed("")
                    } else {
                        Cow::Owned(word)
                    }),
                    _ => {
                        if unset {
                            let msg = if word.is_empty() {
                                "is not allowed to be unset"
                            } else {
                                &word
                            };
                            Err(format!("{name}: {msg}"))
                        } else {
                            Ok(Cow::Borrowed(value.unwrap_or("")))
                        }
                    }
                }
            }
            '#' | '%' => {
                let longest = self.peek() == Some(ch);
                if longest {
                    self.next();
                }
                let pattern = self.process_until(Some('}'))?;
                let value = self.lookup(name).unwrap_or("");
                Ok(Cow::Owned(trim_affix(value, &pattern, ch == '#', longest)))
            }
            '/' => {
                let all = self.peek() == Some('/');
                if all {
                    self.next();
                }
                let pattern = self.process_until_any(&['/', '}'])?;
                let replacement =
                    if self.pos > 0 && self.src.as_bytes().get(self.pos - 1) == Some(&b'/') {
                        self.process_until(Some('}'))?
                    } else {
                        String::new()
                    };
                let value = self.lookup(name).unwrap_or("");
                if pattern.is_empty() {
                    return Ok(Cow::Borrowed(value));
                }
                // Check the size before building it: each match may grow the value.
                let matches = if all {
                    value.matches(pattern.as_str()).count()
                } else {
                    1
                };
                let grows = replacement.len().saturating_sub(pattern.len());
                if value.len().saturating_add(matches.saturating_mul(grows)) > MAX_EXPANDED_LEN {
                    return Err(too_long());
                }
                Ok(Cow::Owned(if all {
                    value.replace(&pattern, &replacement)
                } else {
                    value.replacen(&pattern, &replacement, 1)
                }))
            }
            _ => Err("syntax error: bad substitution".into()),
        }
    }

    fn process_until_any(&mut self, stops: &[char]) -> Result<String, String> {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if stops.contains(&c) {
                self.next();
                return Ok(out);
            }
            match c {
                '\'' => out.push_str(&self.single_quote()?),
                '"' => push_bounded(&mut out, &self.double_quote()?)?,
                '$' => self.dollar(&mut out)?,
                _ => {
                    self.next();
                    out.push(c);
                }
            }
        }
        Err("syntax error: missing '}'".into())
    }
}

/// `${v#p}`, `${v##p}`, `${v%p}`, `${v%%p}` with `*` and `?` wildcards.
fn trim_affix(value: &str, pattern: &str, prefix: bool, longest: bool) -> String {
    // Characters read from the trimmed end: the suffix forms match the reversed texts.
    let mut chars: Vec<char> = value.chars().collect();
    let mut pat: Vec<char> = pattern.chars().collect();
    if !prefix {
        chars.reverse();
        pat.reverse();
    }
    let lens = affix_matches(&pat, &chars);
    let len = if longest {
        lens.iter().rposition(|m| *m)
    } else {
        lens.iter().position(|m| *m)
    };
    let Some(len) = len else {
        return value.to_string();
    };
    let rest = chars.get(len..).unwrap_or(&[]);
    if prefix {
        rest.iter().collect()
    } else {
        rest.iter().rev().collect()
    }
}

/// For every length `k` of `s` (0 to `s.len()`): whether the glob `p` matches `s[..k]`.
/// One pass over `s` with the set of pattern positions reachable so far (an NFA), so the
/// cost is `|s| × |p|` whatever the pattern (no backtracking, no recursion).
fn affix_matches(p: &[char], s: &[char]) -> Vec<bool> {
    let m = p.len();
    // Reachable positions, closed over `*` (which may match nothing).
    let close = |set: &mut Vec<bool>| {
        for i in 0..m {
            if set[i] && p[i] == '*' {
                set[i + 1] = true;
            }
        }
    };
    let mut cur = vec![false; m + 1];
    cur[0] = true;
    close(&mut cur);
    let mut out = Vec::with_capacity(s.len() + 1);
    out.push(cur[m]);
    let mut next = vec![false; m + 1];
    for &c in s {
        next.iter_mut().for_each(|b| *b = false);
        let mut any = false;
        for i in 0..m {
            if !cur[i] {
                continue;
            }
            match p[i] {
                '*' => next[i] = true,
                '?' => next[i + 1] = true,
                pc if pc == c => next[i + 1] = true,
                _ => continue,
            }
            any = true;
        }
        std::mem::swap(&mut cur, &mut next);
        if !any {
            // No state left: no longer prefix can match.
            out.resize(s.len() + 1, false);
            return out;
        }
        close(&mut cur);
        out.push(cur[m]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Vec<(String, String)> {
        vec![("A".into(), "x".into()), ("E".into(), String::new())]
    }

    #[test]
    fn plain_and_braced() {
        let e = expand("pre$A-${A}", &env(), '\\');
        assert_eq!(e.result, "prex-x");
        assert!(e.matched.contains("A"));
        assert!(e.unmatched.is_empty());
    }

    #[test]
    fn unmatched_with_default() {
        let e = expand("${B:-def}", &env(), '\\');
        assert_eq!(e.result, "def");
        assert!(e.unmatched.contains("B"));
        assert_eq!(expand("${E:-d}", &env(), '\\').result, "d");
        assert_eq!(expand("${E-d}", &env(), '\\').result, "");
        assert_eq!(expand("${A:+y}", &env(), '\\').result, "y");
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(expand("\"box:\"", &env(), '\\').result, "box:");
        assert_eq!(expand("'$A'", &env(), '\\').result, "$A");
        assert_eq!(expand("\\$A", &env(), '\\').result, "$A");
        assert!(expand("\"abc", &env(), '\\').error.is_some());
        assert!(expand("${", &env(), '\\').error.is_some());
    }

    #[test]
    fn affixes() {
        let env = vec![("V".to_string(), "1.2.3".to_string())];
        assert_eq!(expand("${V%.*}", &env, '\\').result, "1.2");
        assert_eq!(expand("${V%%.*}", &env, '\\').result, "1");
        assert_eq!(expand("${V#*.}", &env, '\\').result, "2.3");
        assert_eq!(expand("${V/./-}", &env, '\\').result, "1-2.3");
        assert_eq!(expand("${V//./-}", &env, '\\').result, "1-2-3");
        assert_eq!(expand("${V#*}", &env, '\\').result, "1.2.3");
        assert_eq!(expand("${V##*}", &env, '\\').result, "");
        assert_eq!(expand("${V%?}", &env, '\\').result, "1.2.");
        assert_eq!(expand("${V#1.?.}", &env, '\\').result, "3");
        assert_eq!(expand("${V%x*}", &env, '\\').result, "1.2.3");
        assert_eq!(expand("${V%%2*}", &env, '\\').result, "1.");
    }

    #[test]
    fn deep_nesting_fails_instead_of_overflowing() {
        let depth = 100_000;
        let word = format!("{}x{}", "${A:-".repeat(depth), "}".repeat(depth));
        let e = expand(&word, &env(), '\\');
        assert!(e.error.is_some());
        let ok = format!("{}x{}", "${B:-".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
        assert_eq!(expand(&ok, &env(), '\\').result, "x");
    }

    #[test]
    fn wildcards_cost_no_backtracking() {
        let env = vec![("V".to_string(), "a".repeat(5_000))];
        let word = format!("${{V%%{}b}}", "*a".repeat(200));
        assert_eq!(expand(&word, &env, '\\').result.len(), 5_000);
    }

    #[test]
    fn expansions_stay_bounded() {
        let half = "a".repeat(MAX_EXPANDED_LEN / 2);
        let env = vec![("V".to_string(), half.clone())];
        assert_eq!(expand("$V$V", &env, '\\').result.len(), MAX_EXPANDED_LEN);
        for word in [
            "$V$V$V",
            "\"$V\"\"$V\"\"$V\"",
            "${V//a/aaa}",
            "${X:-$V$V$V}",
        ] {
            let e = expand(word, &env, '\\');
            assert!(e.error.is_some(), "{word}");
            assert!(e.result.is_empty(), "{word}");
        }
        assert_eq!(expand("${V/a/bb}", &env, '\\').result.len(), half.len() + 1);
    }
}
