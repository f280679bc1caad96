//! Shell analysis of RUN instructions: the simple commands of a RUN body, found with the
//! `tree-sitter-bash` grammar, with byte spans in the Dockerfile text.
//!
//! What is analysed:
//! - the shell form of a RUN (the logical line: continuation escapes, line ends, comment
//!   lines inside the instruction and heredoc markers are blanked to spaces of the same
//!   length, so offsets in the analysed text are offsets in the document);
//! - the body of a heredoc that is the RUN's script (`RUN <<EOF`, `RUN bash <<EOF`, …), unless
//!   its first line is a shebang of another interpreter;
//! - the script of an exec-form `["sh", "-c", "…"]` when the JSON string has no escapes.
//!
//! Nothing is analysed for RUNs that run under a shell that is not POSIX (a `SHELL`
//! instruction naming `powershell`, `cmd`, …, or a Windows base image), nor scripts longer
//! than [`MAX_SCRIPT_BYTES`].
//!
//! Results are cached per thread: one document's analysis (keyed by its text) and a bounded
//! map from analysed text to commands, so that re-checking an edited document re-parses only
//! the RUNs that changed.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::hash::FastState;
use crate::model::{InstructionKind, Model, Span};
use crate::rules::StageSet;

mod simple;
mod walk;
pub use walk::parse_script;

/// One word of a command: the text with quotes removed (when `literal`) and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellWord {
    /// Quotes and backslash escapes removed. For words with expansions (`$X`, `$(..)`),
    /// the text as written (quotes removed around the whole word when possible).
    pub text: compact_str::CompactString,
    pub span: Span,
    /// No parameter expansion, command substitution or glob in it.
    pub literal: bool,
}

/// A simple command: `name args…`, with any wrappers (`sudo`, `env X=1`, …) still in place;
/// see [`Command::invocation`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    pub name: ShellWord,
    pub args: Vec<ShellWord>,
    /// From the first assignment or the name to the last argument.
    pub span: Span,
    /// `VAR=value` assignments written before the name.
    pub assignments: Vec<(String, String)>,
    /// Index of the pipeline (into [`Script::pipelines`]) this command is part of.
    pub pipeline: Option<usize>,
    /// Inside `$(…)` or backquotes.
    pub substitution: bool,
    /// Found in a heredoc body.
    pub heredoc: bool,
    /// Its standard input is a heredoc (`cat <<EOF > file`).
    pub heredoc_input: bool,
    /// The program after wrappers (see [`Command::invocation`]).
    pub resolved: Resolved,
}

/// A pipeline `a | b | c`: its `|` operators.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    pub span: Span,
    /// Used as a condition (`if`/`while` condition, left of `||`, after `!`): its status is
    /// tested, so a failure inside it is not silently lost.
    pub condition: bool,
    pub pipes: Vec<Span>,
    /// Indices into [`Script::commands`] of its commands, in order.
    pub commands: Vec<usize>,
}

/// The analysis of one RUN instruction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    /// Every simple command in source order (including those inside `$(…)`).
    pub commands: Vec<Command>,
    pub pipelines: Vec<Pipeline>,
    /// The grammar found a syntax error somewhere (results may be partial).
    pub has_error: bool,
}

/// A command with its wrappers (`sudo`, `env`, `exec`, `nice`, `time`, `nohup`, `command`)
/// skipped, and `python -m pip` read as `pip`.
#[derive(Clone, Copy, Debug)]
pub struct Invocation<'a> {
    pub command: &'a Command,
    /// The word naming the program (after wrappers).
    pub name: &'a ShellWord,
    /// Normalised program name: base name, `pip3.12`/`python -m pip` → `pip`, `pip3` → `pip`.
    pub program: &'a str,
    pub args: &'a [ShellWord],
}

/// Where the program of a command is, after wrappers: precomputed once per command.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolved {
    /// Index into `args` of the program's word (`None`: the command's name).
    name: Option<usize>,
    /// Index into `args` where the program's arguments start.
    args: usize,
    /// Normalised program name (short: kept inline, no allocation).
    program: compact_str::CompactString,
}

impl Resolved {
    fn of(name: &ShellWord, all: &[ShellWord]) -> Resolved {
        let mut name_at: Option<usize> = None;
        let mut start = 0usize;
        for _ in 0..4 {
            let current = match name_at {
                None => name,
                Some(i) => match all.get(i) {
                    Some(w) => w,
                    None => break,
                },
            };
            let args = all.get(start..).unwrap_or(&[]);
            let skip = match base_name(&current.text) {
                "sudo" => skip_options(
                    args,
                    &["-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U"],
                ),
                "env" => {
                    let mut i = skip_options(args, &["-u", "-C", "-S"]);
                    while args.get(i).is_some_and(|a| is_assignment(&a.text)) {
                        i += 1;
                    }
                    i
                }
                "nice" => skip_options(args, &["-n"]),
                "exec" | "time" | "nohup" | "command" => skip_options(args, &[]),
                _ => break,
            };
            if args.get(skip).is_none() {
                break;
            }
            name_at = Some(start + skip);
            start = start + skip + 1;
        }
        let word = name_at.and_then(|i| all.get(i)).unwrap_or(name);
        let prog = normalise_program(base_name(&word.text));
        let mut program = compact_str::CompactString::from(prog);
        let args = all.get(start..).unwrap_or(&[]);
        if program.starts_with("python")
            && args.first().is_some_and(|a| a.text == "-m")
            && args
                .get(1)
                .is_some_and(|a| a.text == "pip" || a.text == "pip3")
        {
            program = compact_str::CompactString::const_new("pip");
            start += 2;
        }
        Resolved {
            name: name_at,
            args: start,
            program,
        }
    }
}

impl Command {
    /// The program actually run, after wrappers.
    pub fn invocation(&self) -> Invocation<'_> {
        let r = &self.resolved;
        let name = r.name.and_then(|i| self.args.get(i)).unwrap_or(&self.name);
        Invocation {
            command: self,
            name,
            program: r.program.as_str(),
            args: self.args.get(r.args..).unwrap_or(&[]),
        }
    }
}

fn normalise_program(p: &str) -> &str {
    if p == "pip3" || (p.starts_with("pip3.") && p[5..].bytes().all(|b| b.is_ascii_digit())) {
        return "pip";
    }
    p
}

/// `/usr/bin/apt-get` → `apt-get`.
pub fn base_name(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

fn is_assignment(s: &str) -> bool {
    match s.find('=') {
        Some(i) if i > 0 => s[..i]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_'),
        _ => false,
    }
}

/// Index of the first argument that is not an option (options in `with_value` take the next
/// word as their value).
fn skip_options(args: &[ShellWord], with_value: &[&str]) -> usize {
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let t = a.text.as_str();
        if t == "--" {
            return i + 1;
        }
        if !t.starts_with('-') || t == "-" {
            return i;
        }
        i += if with_value.contains(&t) { 2 } else { 1 };
    }
    i
}

impl<'a> Invocation<'a> {
    /// Arguments that are not options. `with_value` lists options that take the next word
    /// as their value (`-o`, `--target`), whose values are skipped.
    pub fn positionals(&self, with_value: &[&str]) -> Vec<&'a ShellWord> {
        let mut out = Vec::new();
        let mut i = 0;
        let mut only_positional = false;
        while let Some(a) = self.args.get(i) {
            let t = a.text.as_str();
            if only_positional || !t.starts_with('-') || t == "-" {
                out.push(a);
            } else if t == "--" {
                only_positional = true;
            } else if with_value.contains(&t) {
                i += 1;
            }
            i += 1;
        }
        out
    }

    /// The first non-option argument (the subcommand for `apt-get`, `npm`, …).
    pub fn subcommand(&self, with_value: &[&str]) -> Option<&'a ShellWord> {
        let mut i = 0;
        while let Some(a) = self.args.get(i) {
            let t = a.text.as_str();
            if !t.starts_with('-') || t == "-" {
                return Some(a);
            }
            if t == "--" {
                return self.args.get(i + 1);
            }
            i += if with_value.contains(&t) { 2 } else { 1 };
        }
        None
    }

    /// Whether an option is given: `long` as `--long` or `--long=…`, `short` as `-x` alone or
    /// inside a cluster of single-letter options (`-qy`).
    pub fn has_option(&self, short: Option<char>, long: &[&str]) -> bool {
        self.args.iter().any(|a| {
            let t = a.text.as_str();
            if let Some(name) = t.strip_prefix("--") {
                let name = name.split('=').next().unwrap_or(name);
                return long.contains(&name);
            }
            match (short, t.strip_prefix('-')) {
                (Some(c), Some(cluster)) => {
                    !cluster.is_empty()
                        && cluster.bytes().all(|b| b.is_ascii_alphabetic())
                        && cluster.contains(c)
                }
                _ => false,
            }
        })
    }

    /// The word right after an exact argument, e.g. the value of `-o`.
    pub fn value_of(&self, names: &[&str]) -> Option<&'a ShellWord> {
        let i = self
            .args
            .iter()
            .position(|a| names.contains(&a.text.as_str()))?;
        self.args.get(i + 1)
    }
}

/// Where the shell analysis of one document lives: one entry per instruction (`None` for
/// instructions that are not analysed RUNs).
pub type Scripts = Rc<Vec<Option<Rc<Script>>>>;

const MAX_CACHED_INSTRUCTIONS: usize = 8192;
const DOC_SLOTS: usize = 2;

/// A cached instruction analysis, with absolute spans for each offset the same text was
/// seen at in the last two analysed documents (the same text may appear many times in a
/// document: every occurrence keeps its copy, so an edit elsewhere copies nothing).
struct Entry {
    escape: char,
    posix: bool,
    /// Instruction start → (analysis with spans for that start, generation last used).
    at: HashMap<usize, (Option<Rc<Script>>, u64), FastState>,
}

#[derive(Default)]
struct Cache {
    /// The analyses returned during the current check session (session id, text address,
    /// text length, scope): rules of one check share them without comparing texts.
    session: Vec<(u64, usize, usize, Option<StageSet>, Scripts)>,
    /// The last documents analysed: text → analysis.
    docs: Vec<(String, Scripts)>,
    /// Instruction text → its analysis.
    by_instruction: HashMap<String, Entry, FastState>,
    /// Incremented by every document analysis; offsets unused for two are forgotten.
    generation: u64,
}

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
}

/// The analysis of every RUN of the document (`model` must be the model of `text`).
///
/// Cached per thread: the same text is not analysed twice in a row, and after an edit only
/// the RUN instructions whose text changed are parsed again.
pub fn scripts(model: &Model, text: &str) -> Scripts {
    scripts_in(model, text, None)
}

/// [`scripts`] for the RUN instructions in `scope` and in the stages they are built on
/// (recursively: a rule may look at its stage's ancestors); the others are `None`.
pub fn scripts_in(model: &Model, text: &str, scope: Option<&StageSet>) -> Scripts {
    let session = super::engine::session();
    let key = (session, text.as_ptr() as usize, text.len());
    if session != 0 {
        // The rules of one check share the analysis; a whole-file one serves any scope.
        let hit = CACHE.with(|c| {
            c.borrow()
                .session
                .iter()
                .find(|(s, p, l, sc, _)| {
                    (*s, *p, *l) == key && (sc.is_none() || sc.as_ref() == scope)
                })
                .map(|(.., v)| v.clone())
        });
        if let Some(s) = hit {
            return s;
        }
    }
    let result = match scope {
        None => scripts_uncached(model, text),
        Some(sc) => {
            let closed = sc.with_bases(model);
            let posix = posix_flags(model);
            CACHE.with(|c| {
                let mut c = c.borrow_mut();
                Rc::new(analyse_runs(&mut c, model, text, &posix, Some(&closed)))
            })
        }
    };
    if session != 0 {
        let entry = (key.0, key.1, key.2, scope.cloned(), result.clone());
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            c.session.retain(|(s, p, l, ..)| (*s, *p, *l) == key);
            c.session.push(entry);
        });
    }
    result
}

fn scripts_uncached(model: &Model, text: &str) -> Scripts {
    let cached = CACHE.with(|c| {
        let c = c.borrow();
        c.docs
            .iter()
            .find(|(t, _)| t.len() == text.len() && t == text)
            .map(|(_, s)| s.clone())
    });
    if let Some(s) = cached {
        return s;
    }
    let posix = posix_flags(model);
    let result: Scripts = CACHE.with(|c| {
        let mut c = c.borrow_mut();
        Rc::new(analyse_runs(&mut c, model, text, &posix, None))
    });
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.docs.len() >= DOC_SLOTS {
            c.docs.remove(0);
        }
        c.docs.push((text.to_string(), result.clone()));
    });
    result
}

/// Analyses after which a RUN text no document had is forgotten.
const KEEP_GENERATIONS: u64 = 16;

/// Below this many scripts to parse, parsing stays on the calling thread.
const PARALLEL_MIN_SCRIPTS: usize = 16;

/// The analysis of every instruction (in `scope`): from the cache where the same text was
/// analysed (shifted when it moved), else parsed, each distinct text once, in parallel when
/// there are many.
fn analyse_runs(
    c: &mut Cache,
    model: &Model,
    text: &str,
    posix: &[bool],
    scope: Option<&StageSet>,
) -> Vec<Option<Rc<Script>>> {
    if c.by_instruction.len() > MAX_CACHED_INSTRUCTIONS {
        c.by_instruction.clear();
    }
    c.generation += 1;
    let generation = c.generation;
    let mut out: Vec<Option<Rc<Script>>> = vec![None; model.instructions.len()];
    // Instructions whose text is not cached: (index, key); each distinct key once.
    let mut todo: Vec<(usize, &str)> = Vec::new();
    let mut queued: std::collections::HashSet<&str, FastState> = Default::default();
    let mut pending: Vec<usize> = Vec::new();
    let indices = StageSet::ranges(scope, model).into_iter().flatten();
    for (i, ins) in indices.filter_map(|i| Some((i, model.instructions.get(i)?))) {
        if ins.kind != InstructionKind::Run {
            continue;
        }
        let posix = posix.get(i).copied().unwrap_or(true);
        let key = text.get(ins.span.start..ins.span.end).unwrap_or("");
        let base = ins.span.start;
        match c.by_instruction.get_mut(key) {
            Some(e) if e.escape == model.escape && e.posix == posix => {
                if let Some(slot) = out.get_mut(i) {
                    *slot = at_offset(e, base, generation);
                }
            }
            _ => {
                if queued.insert(key) {
                    todo.push((i, key));
                }
                pending.push(i);
            }
        }
    }
    let parsed = parse_all(model, text, &todo, posix);
    for ((i, key), script) in todo.iter().zip(parsed) {
        let base = model.instructions.get(*i).map_or(0, |ins| ins.span.start);
        let mut at = HashMap::default();
        at.insert(base, (script.map(Rc::new), generation));
        c.by_instruction.insert(
            (*key).to_string(),
            Entry {
                escape: model.escape,
                posix: posix.get(*i).copied().unwrap_or(true),
                at,
            },
        );
    }
    for i in pending {
        let Some(ins) = model.instructions.get(i) else {
            continue;
        };
        let key = text.get(ins.span.start..ins.span.end).unwrap_or("");
        if let (Some(e), Some(slot)) = (c.by_instruction.get_mut(key), out.get_mut(i)) {
            *slot = at_offset(e, ins.span.start, generation);
        }
    }
    // Offsets not seen in the last two analyses are forgotten (but one is kept to shift
    // from), and texts not seen in the last `KEEP_GENERATIONS` (other open documents,
    // earlier versions), so the cache holds about two versions of the recent documents.
    c.by_instruction.retain(|_, e| {
        let newest = e.at.values().map(|(_, g)| *g).max().unwrap_or(0);
        if newest + KEEP_GENERATIONS < generation {
            return false;
        }
        e.at.retain(|_, (_, g)| *g + 1 >= generation || *g == newest);
        true
    });
    out
}

/// The analysis of an entry's text at instruction start `base` (shifted from another
/// start if needed, and kept for that start).
fn at_offset(e: &mut Entry, base: usize, generation: u64) -> Option<Rc<Script>> {
    if let Some((s, g)) = e.at.get_mut(&base) {
        *g = generation;
        return s.clone();
    }
    let (from, script) =
        e.at.iter()
            .next()
            .map(|(b, (s, _))| (*b, s.clone()))
            .unwrap_or((base, None));
    let script = script.map(|s| Rc::new(shifted(&s, from, base)));
    e.at.insert(base, (script.clone(), generation));
    script
}

/// Parse the scripts of `todo`'s instructions (on several threads when there are many,
/// unless this thread works alone: each worker has its own parser).
fn parse_all(
    model: &Model,
    text: &str,
    todo: &[(usize, &str)],
    posix: &[bool],
) -> Vec<Option<Script>> {
    let one = |i: usize| {
        if posix.get(i).copied().unwrap_or(true) {
            analyse_instruction(model, text, i)
        } else {
            None
        }
    };
    if todo.len() < PARALLEL_MIN_SCRIPTS || !crate::threads::may_split() {
        return todo.iter().map(|(i, _)| one(*i)).collect();
    }
    use rayon::prelude::*;
    todo.par_iter().map(|(i, _)| one(*i)).collect()
}

/// A copy of `s` with every span moved from `from` to `to`.
fn shifted(s: &Script, from: usize, to: usize) -> Script {
    let mv = |sp: Span| {
        if to >= from {
            Span::new(sp.start + (to - from), sp.end + (to - from))
        } else {
            Span::new(
                sp.start.saturating_sub(from - to),
                sp.end.saturating_sub(from - to),
            )
        }
    };
    let mut out = s.clone();
    for c in &mut out.commands {
        c.span = mv(c.span);
        c.name.span = mv(c.name.span);
        for a in &mut c.args {
            a.span = mv(a.span);
        }
    }
    for p in &mut out.pipelines {
        p.span = mv(p.span);
        for x in &mut p.pipes {
            *x = mv(*x);
        }
    }
    out
}

/// The analysis of instruction `index` if it is a RUN run by a POSIX shell.
pub fn script(model: &Model, text: &str, index: usize) -> Option<Rc<Script>> {
    scripts(model, text).get(index).cloned().flatten()
}

fn shell_is_posix(ins: &crate::model::Instruction) -> bool {
    let first = ins
        .json
        .as_ref()
        .and_then(|j| j.items.first())
        .map(|w| w.value.to_ascii_lowercase())
        .unwrap_or_default();
    let prog = first
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim_end_matches(".exe");
    matches!(
        prog,
        "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "mksh" | "busybox"
    )
}

/// For every instruction: whether it runs under a POSIX shell, i.e. no `SHELL` instruction
/// naming another interpreter before it in its stage (or the stage it is built on) and no
/// Windows base image.
pub fn posix_flags(model: &Model) -> Vec<bool> {
    let mut stage_end: Vec<bool> = Vec::with_capacity(model.stages.len());
    let mut current = true;
    let mut out = Vec::with_capacity(model.instructions.len());
    for ins in &model.instructions {
        if ins.kind == InstructionKind::From {
            // Close the previous stage.
            if let Some(prev) = ins.stage.and_then(|s| s.checked_sub(1)) {
                if stage_end.len() == prev {
                    stage_end.push(current);
                }
            }
            current = true;
            if let Some(st) = ins.stage.and_then(|s| model.stages.get(s)) {
                if let Some(image) = &st.image {
                    let raw = image.raw.as_bytes();
                    if ["windows", "nanoserver", "servercore"]
                        .iter()
                        .any(|w| contains_ignore_ascii_case(raw, w.as_bytes()))
                    {
                        current = false;
                    } else if let Some(parent) = parent_of(model, st) {
                        current = stage_end.get(parent).copied().unwrap_or(true);
                    }
                }
            }
        } else if ins.kind == InstructionKind::Shell {
            current = shell_is_posix(ins);
        }
        out.push(current);
    }
    out
}

/// Whether `hay` contains `needle` (lower-case ASCII) in any ASCII case, without allocating.
fn contains_ignore_ascii_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len().max(1))
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// The earlier stage a stage is built on (`FROM <stage>`), from the model's references.
fn parent_of(model: &Model, st: &crate::model::Stage) -> Option<usize> {
    let refs = &model.stage_refs;
    let first = refs.partition_point(|r| r.instruction < st.from);
    for r in refs.get(first..).unwrap_or(&[]) {
        if r.instruction != st.from {
            break;
        }
        if r.kind == crate::model::StageRefKind::FromImage {
            return r.target;
        }
    }
    if !refs.is_empty() {
        return None;
    }
    let image = st.image.as_ref()?;
    model.stages.iter().take(st.index).rev().find_map(|s| {
        s.name
            .as_ref()
            .filter(|n| n.value.eq_ignore_ascii_case(&image.raw))
            .map(|_| s.index)
    })
}

/// Whether instruction `index` runs under a POSIX shell (see [`posix_flags`]).
pub fn is_posix_shell(model: &Model, index: usize) -> bool {
    posix_flags(model).get(index).copied().unwrap_or(false)
}

fn analyse_instruction(model: &Model, text: &str, index: usize) -> Option<Script> {
    let ins = model.instructions.get(index)?;
    if ins.kind != InstructionKind::Run {
        return None;
    }
    let mut script = Script::default();
    if let Some(json) = &ins.json {
        // Exec form: the array is the command; `sh -c "…"` scripts are analysed too.
        let items = &json.items;
        let first = items.first()?;
        let prog = base_name(&first.value);
        let is_sh = matches!(prog, "sh" | "bash" | "ash" | "dash" | "zsh");
        let c_pos = items.iter().position(|w| w.value == "-c");
        match (is_sh, c_pos) {
            (true, Some(p)) => {
                let w = items.get(p + 1)?;
                let inner = Span::new(w.span.start + 1, w.span.end.saturating_sub(1));
                let raw_ok = w.raw.len() >= 2 && !w.raw.contains('\\');
                if raw_ok && text.get(inner.start..inner.end) == Some(w.value.as_str()) {
                    add_analysed(&mut script, &w.value, inner.start, false);
                }
            }
            _ => {
                let word = |w: &crate::model::Word| ShellWord {
                    text: w.value.clone(),
                    span: w.span,
                    literal: true,
                };
                let name = word(first);
                let args: Vec<ShellWord> = items.iter().skip(1).map(word).collect();
                let resolved = Resolved::of(&name, &args);
                script.commands.push(Command {
                    name,
                    args,
                    span: json.span,
                    assignments: Vec::new(),
                    pipeline: None,
                    substitution: false,
                    heredoc: false,
                    heredoc_input: false,
                    resolved,
                });
            }
        }
        return Some(script);
    }

    let (start, line_text) = shell_line(model, text, ins);
    let before = script.commands.len();
    if !line_text.trim().is_empty() {
        add_analysed(&mut script, &line_text, start, false);
    }
    // Whether the heredocs are the script: the same for all of them, read from the line's
    // commands before any heredoc body adds its own.
    let line_commands = script.commands.get(before..).unwrap_or(&[]);
    let feeds_shell = line_commands.is_empty()
        // `RUN bash <<EOF`, `RUN sh -e <<EOF`: a shell reading the heredoc.
        || line_commands.iter().any(|c| {
            c.heredoc_input
                && matches!(
                    base_name(&c.name.text),
                    "sh" | "bash" | "ash" | "dash" | "zsh"
                )
                && !c
                    .args
                    .iter()
                    .any(|a| a.text == "-c" || !a.text.starts_with('-'))
        })
        || (line_commands.len() == 1
            && line_commands.first().is_some_and(|c| {
                matches!(
                    base_name(&c.name.text),
                    "sh" | "bash" | "ash" | "dash" | "zsh"
                ) && c
                    .args
                    .iter()
                    .all(|a| a.text.starts_with('-') && a.text != "-c")
            }));

    // Heredoc bodies that are the script (or a shell's standard input).
    for h in ins.heredocs.iter().filter(|_| feeds_shell) {
        let body = text.get(h.body_span.start..h.body_span.end).unwrap_or("");
        if let Some(first) = body.lines().next() {
            if let Some(interp) = first.strip_prefix("#!") {
                let interp = interp.trim();
                let mut parts = interp.split_whitespace();
                let mut prog = parts.next().map(base_name).unwrap_or("");
                if prog == "env" {
                    prog = parts.find(|p| !p.starts_with('-')).unwrap_or("");
                }
                if !matches!(prog, "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh") {
                    continue;
                }
            }
        }
        add_analysed(&mut script, body, h.body_span.start, true);
    }
    Some(script)
}

/// The shell form's logical line with its start, blanked so that offsets in it are
/// document offsets.
fn shell_line(model: &Model, text: &str, ins: &crate::model::Instruction) -> (usize, String) {
    let rest = ins.rest.span;
    let mut line_end = rest.end.min(ins.span.end);
    for h in &ins.heredocs {
        if h.body_span.start > rest.start {
            line_end = line_end.min(h.body_span.start);
        }
    }
    let start = rest.start.min(line_end);
    let mut buf: Vec<u8> = text.get(start..line_end).unwrap_or("").as_bytes().to_vec();
    blank_line_part(&mut buf, start, model.escape, ins);
    (start, String::from_utf8(buf).unwrap_or_default())
}

/// Blank (to spaces) what BuildKit removes from a logical line: line ends with the
/// continuation escape before them, comment lines inside the instruction, and heredoc
/// markers (their bodies are analysed separately).
fn blank_line_part(buf: &mut [u8], base: usize, escape: char, ins: &crate::model::Instruction) {
    let esc = if escape.is_ascii() {
        escape as u8
    } else {
        b'\\'
    };
    let blank = |span: Span, buf: &mut [u8]| {
        let s = span.start.saturating_sub(base).min(buf.len());
        let e = span.end.saturating_sub(base).min(buf.len());
        if span.end > base {
            for b in buf.iter_mut().take(e).skip(s) {
                *b = b' ';
            }
        }
    };
    for c in &ins.inner_comments {
        blank(c.span, buf);
    }
    for h in &ins.heredocs {
        blank(h.marker_span, buf);
    }
    // Where the current physical line starts: the look back for its escape stops there,
    // or a run of blanked comment lines would be walked again at every line end.
    let mut line_start = 0;
    let mut i = 0;
    while i < buf.len() {
        if buf[i] == b'\n' || buf[i] == b'\r' {
            buf[i] = b' ';
            // The escape before the line end (trailing blanks allowed).
            let mut j = i;
            while j > line_start && matches!(buf[j - 1], b' ' | b'\t' | b'\r') {
                j -= 1;
            }
            if j > line_start && buf[j - 1] == esc {
                buf[j - 1] = b' ';
            }
            line_start = i + 1;
        }
        i += 1;
    }
    // A trailing escape at the very end (continuation at end of file).
    let mut j = buf.len();
    while j > 0 && matches!(buf[j - 1], b' ' | b'\t') {
        j -= 1;
    }
    if j > 0 && buf[j - 1] == esc && esc != b'\\' {
        buf[j - 1] = b' ';
    }
    if esc != b'\\' {
        // With another escape character, backslashes are ordinary characters for BuildKit but
        // the shell still reads them; nothing to do.
    }
}

/// Longest script analysed: parsing costs time and memory in proportion to the script
/// (a 5 MB heredoc would take seconds and hundreds of MB), and real RUN scripts are far
/// shorter. A longer one is skipped and its script marked as partial.
pub const MAX_SCRIPT_BYTES: usize = 256 * 1024;

/// Parse `src` (whose byte 0 is document offset `base`) and append its commands.
fn add_analysed(script: &mut Script, src: &str, base: usize, heredoc: bool) {
    if src.len() > MAX_SCRIPT_BYTES {
        script.has_error = true;
        return;
    }
    let rel = parse_script(src);
    let cmd_offset = script.commands.len();
    let pipe_offset = script.pipelines.len();
    let shift = |s: Span| Span::new(s.start + base, s.end + base);
    let (mut commands, mut pipelines) = (rel.commands, rel.pipelines);
    for c in &mut commands {
        c.name.span = shift(c.name.span);
        for a in &mut c.args {
            a.span = shift(a.span);
        }
        c.span = shift(c.span);
        c.pipeline = c.pipeline.map(|p| p + pipe_offset);
        c.heredoc = heredoc;
    }
    for p in &mut pipelines {
        p.span = shift(p.span);
        for s in &mut p.pipes {
            *s = shift(*s);
        }
        for i in &mut p.commands {
            *i += cmd_offset;
        }
    }
    // Most scripts are one part: take its lists as they are rather than copy them over.
    append(&mut script.commands, commands);
    append(&mut script.pipelines, pipelines);
    script.has_error |= rel.has_error;
}

/// `more` added at the end of `list` (moved in whole when `list` is empty).
fn append<T>(list: &mut Vec<T>, mut more: Vec<T>) {
    if list.is_empty() {
        *list = more;
    } else {
        list.append(&mut more);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &Script) -> Vec<String> {
        s.commands.iter().map(|c| c.name.text.to_string()).collect()
    }

    #[test]
    fn chains_pipes_subshells() {
        let s = parse_script(
            "set -eux; apt-get update && (cd /x && make) | tee log || echo \"npm install\"",
        );
        assert_eq!(names(&s), ["set", "apt-get", "cd", "make", "tee", "echo"]);
        assert_eq!(s.pipelines.len(), 1);
        assert_eq!(s.pipelines[0].pipes.len(), 1);
        let echo = &s.commands[5];
        assert_eq!(echo.args[0].text, "npm install");
        assert!(echo.args[0].literal);
    }

    #[test]
    fn quoting_and_substitution() {
        let s = parse_script("pip install 'a==1' \"b\"==2 $(echo c) x\\ y");
        let c = &s.commands[0];
        let texts: Vec<_> = c.args.iter().map(|a| a.text.as_str()).collect();
        assert_eq!(texts, ["install", "a==1", "b==2", "$(echo c)", "x y"]);
        assert!(!c.args[3].literal);
        assert!(s.commands[1].substitution);
    }

    #[test]
    fn deep_nesting_is_cut_not_overflowing() {
        let depth = 20_000;
        let src = format!("echo {}x{}", "$(".repeat(depth), ")".repeat(depth));
        let s = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || parse_script(&src))
            .expect("thread")
            .join()
            .expect("no overflow");
        assert!(s.has_error);
        assert_eq!(
            s.commands.first().map(|c| c.name.text.as_str()),
            Some("echo")
        );
        let shallow = parse_script(&format!("echo {}x{}", "$(".repeat(20), ")".repeat(20)));
        assert!(!shallow.has_error);
        assert_eq!(shallow.commands.len(), 21);
    }

    #[test]
    fn invocation_skips_wrappers() {
        let s = parse_script("sudo -E env A=1 python3 -m pip install x");
        let inv = s.commands[0].invocation();
        assert_eq!(inv.program, "pip");
        assert_eq!(
            inv.subcommand(&[]).map(|w| w.text.as_str()),
            Some("install")
        );
        let s = parse_script("apt-get -qy -o Dpkg::Options::=--force-confnew install curl");
        let inv = s.commands[0].invocation();
        assert!(inv.has_option(Some('y'), &["yes"]));
        assert_eq!(
            inv.subcommand(&["-o"]).map(|w| w.text.as_str()),
            Some("install")
        );
    }

    /// The logical line of instruction 1 of `text` as the shell analysis reads it.
    fn line_of(text: &str) -> String {
        let model = crate::model::build(text);
        let ins = model.instructions.get(1).expect("instruction 1");
        shell_line(&model, text, ins).1
    }

    #[test]
    fn blanking_looks_for_the_escape_on_its_own_line_only() {
        let words = |text: &str| -> Vec<String> {
            line_of(text)
                .split_whitespace()
                .map(str::to_string)
                .collect()
        };
        // Comment lines and line ends become blanks, the continuation escapes too; the
        // offsets stay (the line is as long as the text it was read from).
        let text = "FROM x\nRUN a \\\n# c\n# d\n  b\n";
        assert_eq!(words(text), ["a", "b"]);
        assert_eq!(line_of(text).len(), "a \\\n# c\n# d\n  b".len());
        assert_eq!(words("FROM x\r\nRUN a \\\r\n# c\r\n  b\r\n"), ["a", "b"]);
        // Thousands of comment lines inside one instruction: each line end looks back over
        // its own line only, not over every blanked line before it.
        let many = format!("FROM x\nRUN a \\\n{}  b\n", "# c\n".repeat(50_000));
        assert_eq!(words(&many), ["a", "b"]);
    }

    #[test]
    fn blanking_keeps_offsets() {
        let text = "FROM x\nRUN apt-get update \\\n# comment\n    && apt-get install -y curl\n";
        let model = crate::model::build(text);
        let s = script(&model, text, 1).expect("script");
        let install = s
            .commands
            .iter()
            .find(|c| c.args.first().is_some_and(|a| a.text == "install"));
        let install = install.expect("install command");
        assert_eq!(
            &text[install.name.span.start..install.name.span.end],
            "apt-get"
        );
        assert_eq!(
            &text[install.span.start..install.span.end],
            "apt-get install -y curl"
        );
    }

    #[test]
    fn heredoc_bodies() {
        let text =
            "FROM x\nRUN <<EOF\nset -e\nnpm ci\nEOF\nRUN cat <<EOF > /etc/x\nnpm install\nEOF\n";
        let model = crate::model::build(text);
        if model.instructions.len() < 3 {
            return;
        }
        let a = script(&model, text, 1).expect("script");
        assert_eq!(names(&a), ["set", "npm"]);
        let npm = &a.commands[1];
        assert_eq!(&text[npm.span.start..npm.span.end], "npm ci");
        let b = script(&model, text, 2).expect("script");
        assert_eq!(names(&b), ["cat"]);
    }
}
