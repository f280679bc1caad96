//! `.dockerignore` with Docker's semantics: one pattern per line, `#` comments, `!`
//! exceptions, patterns cleaned like Go's `filepath.Clean` with a leading `/` removed,
//! `*`, `?`, `[...]`, `\` escapes and `**` for any number of directories. A pattern
//! matching a directory excludes everything below it.

/// A parsed `.dockerignore`.
#[derive(Clone, Debug, Default)]
pub struct DockerIgnore {
    patterns: Vec<Pattern>,
}

#[derive(Clone, Debug)]
struct Pattern {
    exclusion: bool,
    cleaned: String,
    kind: MatchKind,
    tokens: Vec<Tok>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MatchKind {
    Exact,
    Prefix,
    Suffix,
    Glob,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Lit(char),
    /// `*`: any run of characters but `/`.
    Star,
    /// `?`: one character but `/`.
    Any,
    /// `[...]`
    Class {
        negated: bool,
        items: Vec<(char, char)>,
    },
    /// `**/` (or `**` before more pattern): any number of leading directories.
    Dirs,
    /// `**` at the end: anything.
    Rest,
}

impl DockerIgnore {
    /// Read a `.dockerignore` the way Docker's client does.
    pub fn parse(text: &str) -> DockerIgnore {
        let mut patterns = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = if i == 0 {
                line.trim_start_matches('\u{feff}')
            } else {
                line
            };
            if line.starts_with('#') {
                continue;
            }
            let mut p = line.trim();
            if p.is_empty() {
                continue;
            }
            let exclusion = p.starts_with('!');
            if exclusion {
                p = p[1..].trim();
                if p.is_empty() {
                    continue;
                }
            }
            let mut cleaned = clean(p);
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
            let (kind, tokens) = compile(&cleaned);
            patterns.push(Pattern {
                exclusion,
                cleaned,
                kind,
                tokens,
            });
        }
        DockerIgnore { patterns }
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether any pattern is an `!` exception.
    pub fn has_exclusions(&self) -> bool {
        self.patterns.iter().any(|p| p.exclusion)
    }

    /// Whether `path` (relative to the context, `/`-separated, cleaned) or one of its
    /// parent directories is excluded from the build context.
    pub fn matches_or_parent_matches(&self, path: &str) -> bool {
        let parent = match path.rfind('/') {
            Some(i) => &path[..i],
            None => ".",
        };
        let parent_dirs: Vec<&str> = parent.split('/').collect();
        let mut matched = false;
        for p in &self.patterns {
            if p.exclusion != matched {
                continue;
            }
            let mut m = p.matches(path);
            if !m && parent != "." {
                let mut prefix = String::new();
                for (i, d) in parent_dirs.iter().enumerate() {
                    if i > 0 {
                        prefix.push('/');
                    }
                    prefix.push_str(d);
                    if p.matches(&prefix) {
                        m = true;
                        break;
                    }
                }
            }
            if m {
                matched = !p.exclusion;
            }
        }
        matched
    }
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        match self.kind {
            MatchKind::Exact => path == self.cleaned,
            MatchKind::Prefix => {
                let stem = self
                    .cleaned
                    .get(..self.cleaned.len().saturating_sub(2))
                    .unwrap_or("");
                path.starts_with(stem)
            }
            MatchKind::Suffix => {
                let suffix = self.cleaned.get(2..).unwrap_or("");
                path.ends_with(suffix) || suffix.strip_prefix('/').is_some_and(|s| path == s)
            }
            MatchKind::Glob => {
                if path.is_ascii() {
                    glob_then_children_ascii(&self.tokens, path.as_bytes())
                } else {
                    let s: Vec<char> = path.chars().collect();
                    glob_then_children(&self.tokens, &s)
                }
            }
        }
    }
}

/// The compiled pattern followed by `(/.*)?`, anchored at both ends.
fn glob_then_children(toks: &[Tok], s: &[char]) -> bool {
    (0..=s.len()).any(|end| (end == s.len() || s[end] == '/') && glob(toks, &s[..end]))
}

fn glob_then_children_ascii(toks: &[Tok], s: &[u8]) -> bool {
    (0..=s.len()).any(|end| (end == s.len() || s[end] == b'/') && glob_ascii(toks, &s[..end]))
}

/// `glob` for an ASCII path (no allocation).
fn glob_ascii(toks: &[Tok], s: &[u8]) -> bool {
    let Some(t) = toks.first() else {
        return s.is_empty();
    };
    let rest = &toks[1..];
    let first = s.first().map(|&b| b as char);
    match t {
        Tok::Lit(c) => first == Some(*c) && glob_ascii(rest, &s[1..]),
        Tok::Any => first.is_some_and(|c| c != '/') && glob_ascii(rest, &s[1..]),
        Tok::Class { negated, items } => {
            first.is_some_and(|c| items.iter().any(|&(a, b)| a <= c && c <= b) != *negated)
                && glob_ascii(rest, &s[1..])
        }
        Tok::Star => {
            let mut i = 0;
            loop {
                if glob_ascii(rest, &s[i..]) {
                    return true;
                }
                if i >= s.len() || s[i] == b'/' {
                    return false;
                }
                i += 1;
            }
        }
        Tok::Dirs => {
            glob_ascii(rest, s)
                || (0..s.len()).any(|i| s[i] == b'/' && glob_ascii(rest, &s[i + 1..]))
        }
        Tok::Rest => true,
    }
}

fn glob(toks: &[Tok], s: &[char]) -> bool {
    let Some(t) = toks.first() else {
        return s.is_empty();
    };
    let rest = &toks[1..];
    match t {
        Tok::Lit(c) => s.first() == Some(c) && glob(rest, &s[1..]),
        Tok::Any => s.first().is_some_and(|&c| c != '/') && glob(rest, &s[1..]),
        Tok::Class { negated, items } => {
            s.first().is_some_and(|&c| {
                let inside = items.iter().any(|&(a, b)| a <= c && c <= b);
                inside != *negated
            }) && glob(rest, &s[1..])
        }
        Tok::Star => {
            let mut i = 0;
            loop {
                if glob(rest, &s[i..]) {
                    return true;
                }
                if i >= s.len() || s[i] == '/' {
                    return false;
                }
                i += 1;
            }
        }
        Tok::Dirs => {
            // (.*/)?
            if glob(rest, s) {
                return true;
            }
            (0..s.len()).any(|i| s[i] == '/' && glob(rest, &s[i + 1..]))
        }
        Tok::Rest => true,
    }
}

fn compile(pattern: &str) -> (MatchKind, Vec<Tok>) {
    let chars: Vec<char> = pattern.chars().collect();
    let mut toks = Vec::new();
    let mut kind = MatchKind::Exact;
    let mut i = 0;
    let mut index = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '*' if chars.get(i) == Some(&'*') => {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i >= chars.len() {
                    if kind == MatchKind::Exact {
                        kind = MatchKind::Prefix;
                    } else {
                        kind = MatchKind::Glob;
                    }
                    toks.push(Tok::Rest);
                } else {
                    toks.push(Tok::Dirs);
                    kind = MatchKind::Glob;
                }
                if index == 0 {
                    kind = MatchKind::Suffix;
                }
            }
            '*' => {
                toks.push(Tok::Star);
                kind = MatchKind::Glob;
            }
            '?' => {
                toks.push(Tok::Any);
                kind = MatchKind::Glob;
            }
            '\\' => match chars.get(i) {
                Some(&n) => {
                    i += 1;
                    toks.push(Tok::Lit(n));
                }
                None => toks.push(Tok::Lit('\\')),
            },
            '[' => {
                let mut negated = false;
                if matches!(chars.get(i), Some('^') | Some('!')) {
                    negated = true;
                    i += 1;
                }
                let mut items = Vec::new();
                let mut closed = false;
                while i < chars.len() {
                    let a = chars[i];
                    i += 1;
                    if a == ']' && !items.is_empty() {
                        closed = true;
                        break;
                    }
                    if chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|&b| b != ']') {
                        let b = chars[i + 1];
                        i += 2;
                        items.push((a, b));
                    } else {
                        items.push((a, a));
                    }
                }
                if !closed {
                    // An unterminated class matches nothing; keep it literal-ish.
                    toks.push(Tok::Class {
                        negated: false,
                        items: Vec::new(),
                    });
                } else {
                    toks.push(Tok::Class { negated, items });
                }
                kind = MatchKind::Glob;
            }
            other => toks.push(Tok::Lit(other)),
        }
        index += 1;
    }
    // Suffix and prefix shortcuts only apply when nothing else needs the glob engine.
    if kind != MatchKind::Glob {
        let wild = toks
            .iter()
            .filter(|t| !matches!(t, Tok::Lit(_) | Tok::Rest | Tok::Dirs))
            .count();
        if wild > 0 {
            kind = MatchKind::Glob;
        }
    }
    (kind, toks)
}

/// Go's `path.Clean`: lexical normalization of a `/`-separated path.
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    // Already clean: no empty, `.` or `..` components and no trailing `/`.
    let simple = !path.ends_with('/')
        && path
            .split('/')
            .enumerate()
            .all(|(i, c)| (!c.is_empty() || i == 0) && c != "." && c != "..");
    if simple && !(path.starts_with('/') && path.len() == 1) {
        return path.to_string();
    }
    let rooted = path.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            p => out.push(p),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning() {
        assert_eq!(clean("./Dockerfile"), "Dockerfile");
        assert_eq!(clean("a/../b/"), "b");
        assert_eq!(clean("/x//y"), "/x/y");
        assert_eq!(clean("."), ".");
        assert_eq!(clean("../a"), "../a");
    }

    #[test]
    fn matching() {
        let di = DockerIgnore::parse("\nDockerfile\n");
        assert!(di.matches_or_parent_matches("Dockerfile"));
        assert!(!di.matches_or_parent_matches("Dockerfile2"));
        let di = DockerIgnore::parse("node_modules\n*.log\n/build\n");
        assert!(di.matches_or_parent_matches("node_modules/x/y"));
        assert!(di.matches_or_parent_matches("a.log"));
        assert!(!di.matches_or_parent_matches("sub/a.log"));
        assert!(di.matches_or_parent_matches("build/out"));
        let di = DockerIgnore::parse("**/*.tmp\n");
        assert!(di.matches_or_parent_matches("a/b/c.tmp"));
        assert!(di.matches_or_parent_matches("c.tmp"));
        let di = DockerIgnore::parse("*\n");
        assert!(di.matches_or_parent_matches("."));
        let di = DockerIgnore::parse(".*\n");
        assert!(di.matches_or_parent_matches(".git"));
        assert!(!di.matches_or_parent_matches("src"));
        let di = DockerIgnore::parse("docs/**\n");
        assert!(di.matches_or_parent_matches("docs/a/b"));
        let di = DockerIgnore::parse("**/secret\n");
        assert!(di.matches_or_parent_matches("secret"));
        assert!(di.matches_or_parent_matches("x/secret"));
        let di = DockerIgnore::parse("*\n!src\n");
        assert!(di.has_exclusions());
        assert!(!di.matches_or_parent_matches("src"));
        assert!(di.matches_or_parent_matches("other"));
    }
}
