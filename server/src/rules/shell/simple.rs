//! A fast path for the common RUN script: simple commands of plain or quoted words with
//! `$NAME`/`${NAME}` expansions and `$(…)` substitutions, and file redirections, joined by
//! `&&`, `||`, `|`, `;` and new lines (`apt-get install -y "$(cat pkgs)" 2>&1 | tee log`).
//!
//! A tree-sitter-bash parse and walk cost ~160 k instructions per script, most of a
//! document's first analysis; this reader costs about a tenth of that. It gives up (`None`,
//! and the script goes to tree-sitter-bash) on anything else: other expansions, backquotes,
//! compound commands, heredocs, assignments, escapes, brackets and braces, comments, `&`
//! alone, non-ASCII text, empty commands, and the few shapes tree-sitter-bash nests oddly
//! (noted where refused). Where it answers, it answers exactly as the tree-sitter walk
//! would: the tests compare both on every script of the fixtures and on generated ones.

use compact_str::CompactString;

use super::{Command, Pipeline, Resolved, Script, ShellWord};
use crate::model::Span;

/// Command names that tree-sitter-bash reads as something other than a simple command.
const NOT_SIMPLE: &[&str] = &[
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac",
    "in", "function", "select", "time", "coproc", "declare", "typeset", "export", "readonly",
    "local", "unset", "unsetenv",
];

/// The analysis of `src`, or `None` when it is not made of simple commands only.
pub fn parse(src: &str) -> Option<Script> {
    if !src.is_ascii() {
        return None;
    }
    let mut r = Reader::new(src, 0, 0);
    r.program()?;
    Some(r.script)
}

/// Deepest nesting of `$(…)` read here; deeper scripts go to tree-sitter-bash.
const MAX_DEPTH: usize = 8;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    And,
    Or,
    End,
}

struct Reader<'s> {
    s: &'s str,
    b: &'s [u8],
    i: usize,
    script: Script,
    /// How many `$(` this reader is inside: a `)` ends its program when above 0.
    depth: usize,
    /// The scripts of the `$(…)` in the command being read, merged after it.
    substitutions: Vec<Script>,
}

impl<'s> Reader<'s> {
    fn new(s: &'s str, i: usize, depth: usize) -> Reader<'s> {
        Reader {
            s,
            b: s.as_bytes(),
            i,
            script: Script::default(),
            depth,
            substitutions: Vec::new(),
        }
    }

    /// At the `)` closing this reader's `$(`.
    fn at_close(&self) -> bool {
        self.depth > 0 && self.peek() == Some(b')')
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn at(&self, k: usize) -> Option<u8> {
        self.b.get(self.i + k).copied()
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn skip_blanks_and_lines(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n')) {
            self.i += 1;
        }
    }

    /// Statements separated by `;` and new lines.
    fn program(&mut self) -> Option<()> {
        self.skip_blanks_and_lines();
        while self.peek().is_some() && !self.at_close() {
            self.and_or()?;
            match self.peek() {
                None | Some(b')') => {}
                Some(b';') if self.at(1) != Some(b';') => self.i += 1,
                Some(b'\n') => {}
                _ => return None,
            }
            self.skip_blanks_and_lines();
        }
        Some(())
    }

    /// Pipelines joined by `&&` and `||`. A pipeline followed anywhere in the chain by `||`
    /// is a condition (tree-sitter-bash nests the chain to the left, and the left side of
    /// `||` is tested).
    fn and_or(&mut self) -> Option<()> {
        // A pipeline is a condition when an `||` follows it anywhere in the chain: the
        // pipelines made (its own and those of its `$(…)`) up to the last `||`'s left side.
        let first = self.script.pipelines.len();
        let mut conditions_end = first;
        let mut first_in_chain = true;
        loop {
            let op = self.pipeline(first_in_chain)?;
            first_in_chain = false;
            if op == Op::Or {
                conditions_end = self.script.pipelines.len();
            }
            if op == Op::End {
                break;
            }
            self.skip_blanks_and_lines();
            self.peek()?;
        }
        for p in self
            .script
            .pipelines
            .get_mut(first..conditions_end)
            .unwrap_or_default()
        {
            p.condition = true;
        }
        Some(())
    }

    /// Commands joined by `|` (a `Pipeline` when there are two or more); the operator after
    /// them (`End` for `;`, a new line, `)` or the end, not consumed).
    fn pipeline(&mut self, first_in_chain: bool) -> Option<Op> {
        // The walk numbers a pipeline before the pipelines inside its commands' `$(…)`.
        let id = self.script.pipelines.len();
        // The commands' indices: the first alone until a `|` makes it a pipeline.
        let first = self.script.commands.len();
        let mut commands = Vec::new();
        let mut pipes = Vec::new();
        let start = self.i;
        let mut end;
        let op = loop {
            let redirected;
            if !pipes.is_empty() {
                commands.push(self.script.commands.len());
            }
            (end, redirected) = self.command()?;
            self.skip_blanks();
            match (self.peek(), self.at(1)) {
                (Some(b'|'), Some(b'|')) => {
                    self.i += 2;
                    break Op::Or;
                }
                (Some(b'|'), Some(b'&')) => return None,
                (Some(b'|'), _) => {
                    if redirected && !(first_in_chain && pipes.is_empty()) {
                        // Only the first command of a chain may redirect before a `|`:
                        // tree-sitter-bash reads `a && b 2>&1 | c` as `(a && b) 2>&1 | c`.
                        return None;
                    }
                    pipes.push(Span::new(self.i, self.i + 1));
                    self.i += 1;
                    self.skip_blanks_and_lines();
                    self.peek()?;
                }
                (Some(b'&'), Some(b'&')) => {
                    self.i += 2;
                    break Op::And;
                }
                (Some(b'&'), _) => return None,
                _ => break Op::End,
            }
        };
        if pipes.is_empty() {
            return Some(op);
        }
        // tree-sitter-bash reads `a | b | c && d` as `a | (b | c && d)`, and the same across
        // a new line: three or more commands only before a `;` or the end.
        let rest_blank = self.tail(self.i).iter().all(u8::is_ascii_whitespace);
        if pipes.len() > 1 && !(op == Op::End && (self.peek() == Some(b';') || rest_blank)) {
            return None;
        }
        commands.insert(0, first);
        for c in self.script.commands.get_mut(first..).unwrap_or_default() {
            c.pipeline = c.pipeline.map(|p| if p >= id { p + 1 } else { p });
        }
        for c in &commands {
            if let Some(c) = self.script.commands.get_mut(*c) {
                c.pipeline = Some(id);
            }
        }
        self.script.pipelines.insert(
            id,
            Pipeline {
                span: Span::new(start, end),
                condition: false,
                pipes,
                commands,
            },
        );
        Some(op)
    }

    /// One simple command, its redirections after its words: the end of its words and
    /// whether it redirects. (A redirection after the last command of a pipeline applies to
    /// the whole pipeline, which ends before it.)
    fn command(&mut self) -> Option<(usize, bool)> {
        // Room for a typical command's words at once (no regrowth from one).
        let mut words: Vec<ShellWord> = Vec::with_capacity(8);
        let mut redirected = false;
        loop {
            self.skip_blanks();
            match self.peek() {
                None | Some(b'\n' | b';' | b'&' | b'|') => break,
                _ if self.at_close() => break,
                _ => {}
            }
            let after_dash = words.last().is_some_and(|w| w.text == "-");
            if self.redirection()? {
                if after_dash {
                    // tree-sitter-bash drops `-` before `2>&1`.
                    return None;
                }
                redirected = true;
            } else if redirected {
                // Words after a redirection: tree-sitter-bash nests them differently.
                return None;
            } else {
                words.push(self.word()?);
            }
        }
        if words.is_empty() {
            return None;
        }
        let name = words.remove(0);
        let raw = self.b.get(name.span.start..name.span.end)?;
        if raw.contains(&b'=')
            || raw.starts_with(b"-")
            || NOT_SIMPLE.iter().any(|k| k.as_bytes() == raw)
        {
            return None;
        }
        let args = words;
        let span = Span::new(
            name.span.start,
            args.last().map_or(name.span.end, |a| a.span.end),
        );
        let resolved = Resolved::of(&name, &args);
        self.script.commands.push(Command {
            resolved,
            name,
            args,
            span,
            assignments: Vec::new(),
            pipeline: None,
            substitution: false,
            heredoc: false,
            heredoc_input: false,
        });
        // The walk takes the commands of the `$(…)` in its words after the command.
        for sub in std::mem::take(&mut self.substitutions) {
            let (commands, pipelines) = (self.script.commands.len(), self.script.pipelines.len());
            self.script
                .commands
                .extend(sub.commands.into_iter().map(|mut c| {
                    c.pipeline = c.pipeline.map(|p| p + pipelines);
                    c.substitution = true;
                    c
                }));
            self.script
                .pipelines
                .extend(sub.pipelines.into_iter().map(|mut p| {
                    for c in &mut p.commands {
                        *c += commands;
                    }
                    p
                }));
        }
        Some((span.end, redirected))
    }

    /// A file redirection (`>f`, `>> f`, `2>&1`, `< f`) at the cursor: `Some(false)` when
    /// there is none, `None` when it is one this reader does not handle.
    fn redirection(&mut self) -> Option<bool> {
        let digits = self
            .tail(self.i)
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let at = self.i + digits;
        let Some(op @ (b'<' | b'>')) = self.b.get(at).copied() else {
            return Some(false);
        };
        let next = self.b.get(at + 1).copied();
        self.i = at + 1;
        match (op, next) {
            (b'>', Some(b'>')) => self.i += 1,
            (b'>', Some(b'&')) => {
                self.i += 1;
                let n = self
                    .tail(self.i)
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count();
                self.i += n;
                let boundary = matches!(self.peek(), None | Some(b' ' | b'\t' | b'\n' | b';'));
                return (n > 0 && boundary).then_some(true);
            }
            (b'>', Some(b'|' | b'(')) | (b'<', Some(b'<' | b'&' | b'>' | b'(')) => return None,
            _ => {}
        }
        self.skip_blanks();
        self.word()?;
        Some(true)
    }

    /// A word: plain characters, quoted parts and `$NAME`/`${NAME}`, unquoted.
    fn word(&mut self) -> Option<ShellWord> {
        let start = self.i;
        let mut text = Piece::Empty;
        let mut literal = true;
        let mut bare_expansion = false;
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' => break,
                b')' if self.depth > 0 => break,
                b'\'' => {
                    let close = self.tail(self.i + 1).iter().position(|&c| c == b'\'')?;
                    text.push(self.s, self.i + 1, self.i + 1 + close);
                    self.i += close + 2;
                }
                b'"' => {
                    self.i += 1;
                    loop {
                        match self.peek()? {
                            b'"' => break,
                            b'\\' | b'`' => return None,
                            b'$' => {
                                literal = false;
                                let e = self.expansion()?.len();
                                text.push(self.s, self.i - e, self.i);
                            }
                            _ => {
                                text.push(self.s, self.i, self.i + 1);
                                self.i += 1;
                            }
                        }
                    }
                    self.i += 1;
                }
                b'$' => {
                    // Unquoted, tree-sitter-bash splits `s-$A-$B-$C` into odd words: one
                    // expansion per word.
                    if bare_expansion {
                        return None;
                    }
                    bare_expansion = true;
                    literal = false;
                    let e = self.expansion()?.len();
                    text.push(self.s, self.i - e, self.i);
                }
                b'*' | b'?' => {
                    literal = false;
                    text.push(self.s, self.i, self.i + 1);
                    self.i += 1;
                }
                c if is_plain(c) => {
                    // The run of such bytes in one piece.
                    let run = self
                        .tail(self.i)
                        .iter()
                        .take_while(|&&c| is_plain(c))
                        .count();
                    text.push(self.s, self.i, self.i + run);
                    self.i += run;
                }
                _ => return None,
            }
        }
        (self.i > start).then(|| ShellWord {
            text: text.finish(self.s),
            span: Span::new(start, self.i),
            literal,
        })
    }

    /// `$NAME` or `${NAME}` at the cursor, as written.
    fn expansion(&mut self) -> Option<&str> {
        let start = self.i;
        if self.at(1) == Some(b'(') {
            return self.substitution();
        }
        let braced = self.at(1) == Some(b'{');
        let name_at = start + if braced { 2 } else { 1 };
        let tail = self.b.get(name_at..)?;
        let first = *tail.first()?;
        if !(first.is_ascii_alphabetic() || first == b'_') {
            return None;
        }
        let len = tail
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count();
        let mut end = name_at + len;
        if braced {
            if self.b.get(end) != Some(&b'}') {
                return None;
            }
            end += 1;
        }
        self.i = end;
        Some(self.str(start, end))
    }

    /// `$(script)` at the cursor, as written; its script is kept for the command's end.
    fn substitution(&mut self) -> Option<&str> {
        let start = self.i;
        if self.at(2) == Some(b'(') || self.depth >= MAX_DEPTH {
            return None;
        }
        let mut inner = Reader::new(self.s, start + 2, self.depth + 1);
        inner.program()?;
        if inner.peek() != Some(b')') || inner.script.commands.is_empty() {
            return None;
        }
        self.i = inner.i + 1;
        self.substitutions.push(inner.script);
        Some(self.str(start, self.i))
    }

    fn tail(&self, from: usize) -> &[u8] {
        self.b.get(from..).unwrap_or(&[])
    }

    fn str(&self, a: usize, b: usize) -> &'s str {
        // ASCII only (checked in `parse`): any byte range is a `str`.
        self.s.get(a..b).unwrap_or("")
    }
}

/// A word's text while it is read: where it is while it is one run of the source (most
/// words: plain, or quoted whole), copied once it is made of pieces from apart.
enum Piece {
    Empty,
    Run(usize, usize),
    Owned(CompactString),
}

impl Piece {
    /// Append `src[a..b]`.
    fn push(&mut self, src: &str, a: usize, b: usize) {
        let part = src.get(a..b).unwrap_or("");
        match self {
            Piece::Empty => *self = Piece::Run(a, b),
            Piece::Run(_, end) if *end == a => *end = b,
            Piece::Run(start, end) => {
                let mut text = CompactString::from(src.get(*start..*end).unwrap_or(""));
                text.push_str(part);
                *self = Piece::Owned(text);
            }
            Piece::Owned(text) => text.push_str(part),
        }
    }

    fn finish(self, src: &str) -> CompactString {
        match self {
            Piece::Empty => CompactString::default(),
            Piece::Run(a, b) => CompactString::from(src.get(a..b).unwrap_or("")),
            Piece::Owned(text) => text,
        }
    }
}

/// A byte that stands for itself in an unquoted word.
fn is_plain(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            b'_' | b'-' | b'.' | b'/' | b':' | b'=' | b'@' | b'%' | b'+' | b','
        )
}

#[cfg(test)]
mod tests {
    use super::super::walk::parse_with_tree_sitter;
    use super::*;
    use proptest::prelude::*;

    /// The fast path's answer, checked against tree-sitter-bash's; whether it answered.
    fn agrees(src: &str) -> bool {
        match parse(src) {
            Some(fast) => {
                assert_eq!(fast, parse_with_tree_sitter(src), "script: {src:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn reads_chains_pipes_redirections_and_quotes() {
        let s = parse("set -eux; apt-get update && apt-get install -y \"a b\" 'c' x=\"$V${W}\"\n")
            .expect("simple");
        let names: Vec<&str> = s.commands.iter().map(|c| c.name.text.as_str()).collect();
        assert_eq!(names, ["set", "apt-get", "apt-get"]);
        let args: Vec<(&str, bool)> = s.commands[2]
            .args
            .iter()
            .map(|a| (a.text.as_str(), a.literal))
            .collect();
        assert_eq!(
            args,
            [
                ("install", true),
                ("-y", true),
                ("a b", true),
                ("c", true),
                ("x=$V${W}", false)
            ]
        );
        let s = parse("curl -fsSL x 2>/dev/null | sh || true").expect("simple");
        assert_eq!(s.pipelines.len(), 1);
        assert!(s.pipelines[0].condition);
        assert_eq!(s.pipelines[0].commands, [0, 1]);
        for src in [
            "echo `date`",
            "if true; then x; fi",
            "A=1 make",
            "export A=1",
            "cat <<EOF",
            "echo a\\ b",
            "sleep 1 &",
            "echo é",
            "a && ",
            "; a",
            "[ -f x ] && y",
            "echo {a,b}",
            "cmd > out arg",
        ] {
            assert!(
                parse(src).is_none(),
                "{src:?} should go to tree-sitter-bash"
            );
        }
    }

    /// Every RUN script of the fixtures (real Dockerfiles, BuildKit's cases, the bench
    /// files): where the fast path answers, tree-sitter-bash's walk gives the same script.
    #[test]
    fn agrees_with_tree_sitter_on_the_fixtures() {
        let (mut seen, mut answered) = (0, 0);
        for (_, text) in crate::test_support::fixture_texts() {
            let model = crate::model::build(&text);
            for ins in &model.instructions {
                if ins.kind != crate::model::InstructionKind::Run || ins.json.is_some() {
                    continue;
                }
                let (_, line) = super::super::shell_line(&model, &text, ins);
                let bodies = ins.heredocs.iter().map(|h| {
                    text.get(h.body_span.start..h.body_span.end)
                        .unwrap_or("")
                        .to_string()
                });
                for src in std::iter::once(line).chain(bodies) {
                    seen += 1;
                    answered += usize::from(agrees(&src));
                }
            }
        }
        // Most real scripts are simple; a fast path that answers nothing tests nothing.
        eprintln!("fast path: {answered} of {seen} scripts");
        assert!(seen > 1000 && answered * 3 > seen, "{answered} of {seen}");
    }

    /// Scripts made of the pieces the fast path reads, and a few it must refuse.
    fn script() -> impl Strategy<Value = String> {
        let name = prop_oneof![
            19 => prop::sample::select(vec![
                "apt-get", "curl", "pip", "python3", "sudo", "env", "nice", "exec", "echo",
                "true", "/usr/bin/x", "\"a b\"", "'c'", "tar", "npm", "2",
            ]),
            1 => prop::sample::select(vec!["if", "export", "A=1", "-", "[", "{", "!", "$V"]),
        ];
        let arg = prop_oneof![
            19 => prop::sample::select(vec![
                "install", "-y", "curl", "/var/lib/apt/lists/*", "\"a b\"", "'c d'",
                "\"$HOME/x\"", "\"${VER}-$V\"", "x=1", "--k=\"v w\"", "2", "0755", "-m",
                "pip", "-u", "f?", "a'b'c", "\"\"", "-", "--", "=", "a:b@c%d+e,f", "x\"y\"",
                "'$X'", "-f", "$V", "${VER}", "a-$B", "-j${N}x", "$A/b", "$(x)", "-j\"$(nproc)\"",
                "\"$(a | b || c)\"", "$(a && b $(c))", "x$(a 2>&1)y", "$(d; e)", "\"$(f \")\")\"",
            ]),
            1 => prop::sample::select(vec![
                "$(", "$( )", "$((1))", "`x`", "{a,b}", "[", "~", "#", "\\n", "é", "a-$B-$C", "$1", "${A:-b}", "$",
            ]),
        ];
        let sep = prop_oneof![
            19 => prop::sample::select(vec![
                "", "", "", " && ", " || ", "; ", " | ", "\n", " &&\n ", " |\n", ";\n",
                " > /dev/null", " 2>&1", " 2>/dev/null", " >> log", " >&2", " < in", " >f",
                 " 2>&1 |", " >f &&", " 2>/dev/null ||", " > $(f)", " $(g | h) |",
            ]),
            1 => prop::sample::select(vec![" &", ";;", " |&", " <<E", " &> x", " x"]),
        ];
        let command = (name, prop::collection::vec(arg, 0..4), sep)
            .prop_map(|(n, args, sep)| format!("{n} {}{sep}", args.join(" ")));
        prop::collection::vec(command, 1..6).prop_map(|c| c.join(" "))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 5000, ..ProptestConfig::default() })]
        #[test]
        fn agrees_with_tree_sitter_on_generated_scripts(src in script()) {
            agrees(&src);
        }
    }

    #[test]
    fn generated_scripts_are_often_answered() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = script();
        let answered = (0..500)
            .filter(|_| {
                strategy
                    .new_tree(&mut runner)
                    .is_ok_and(|t| parse(&t.current()).is_some())
            })
            .count();
        eprintln!("fast path: {answered} of 500 generated scripts");
        assert!(answered > 50, "{answered} of 500");
    }
}
