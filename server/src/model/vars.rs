//! Variables: definitions (ARG, ENV, BuildKit's predefined args) with BuildKit's scoping,
//! uses (`$X`, `${X...}`) and what they resolve to, stage references, and BuildKit-style
//! expansion.
//!
//! Scoping, as BuildKit applies it:
//! * ARGs before the first FROM are global: visible in FROM lines (and later global ARG
//!   defaults) only, unless a stage re-declares them with `ARG NAME` (no default), which
//!   links the stage ARG to the global one (`VarDef::global`).
//! * Inside a stage, ARG and ENV are visible from the next instruction on. ENV wins over ARG
//!   of the same name, whatever the order. A stage built FROM an earlier stage inherits that
//!   stage's ENV and ARG (BuildKit copies the base's build args). `PATH` is always set in a
//!   stage (BuildKit's default).
//! * The platform args (TARGETPLATFORM, BUILDARCH, ...) are predefined in the global scope:
//!   visible in FROM lines, inside a stage only when declared with ARG. The proxy args and
//!   BuildKit's own `BUILDKIT_*` args are visible everywhere.
//! * CMD, ENTRYPOINT and HEALTHCHECK run in the container: their `$X` see the stage's final
//!   ENV (also ENV written after them, and inherited ENV) and no ARG.
//! * Within one instruction, uses see the definitions from before it (`ENV A=1 B=$A` reads
//!   the earlier A).

use super::shift::{Delta, Shift};
use super::{
    Instruction, InstructionKind, Model, Span, StageRef, StageRefKind, VarDef, VarKind, VarUse,
};
use crate::hash::FastMap;
use std::borrow::Cow;
use std::collections::HashMap;

/// BuildKit's automatic platform args: global scope only.
pub const PLATFORM_ARGS: [&str; 8] = [
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// Predefined args usable everywhere without an ARG: proxies and BuildKit's own.
pub const ALWAYS_ARGS: [&str; 19] = [
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
    "BUILDKIT_CACHE_MOUNT_NS",
    "BUILDKIT_CONTEXT_KEEP_GIT_DIR",
    "BUILDKIT_HISTORY_PROVENANCE_V1",
    "BUILDKIT_INLINE_CACHE",
    "BUILDKIT_MULTI_PLATFORM",
    "BUILDKIT_SANDBOX_HOSTNAME",
    "BUILDKIT_SYNTAX",
    "BUILDKIT_DOCKERFILE_CHECK",
    "SOURCE_DATE_EPOCH",
];

/// Environment every stage has even when its image sets none (BuildKit's default `PATH`):
/// visible inside stages, not in FROM lines.
pub const STAGE_ENV: [&str; 1] = ["PATH"];

/// Whether `name` is one of BuildKit's automatic platform args.
pub fn is_platform_arg(name: &str) -> bool {
    PLATFORM_ARGS.contains(&name)
}

/// How a piece of text treats quotes and escapes when looking for `$` expansions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Expanded by BuildKit: single quotes suppress expansion, the escape char escapes.
    Buildkit(u8),
    /// Expanded by the shell (shell-form RUN/CMD/ENTRYPOINT, HEALTHCHECK CMD): also `$'..'`
    /// and `#` comments.
    Shell,
    /// A heredoc body with an unquoted delimiter: quotes do not matter, `\$` escapes.
    Body,
}

/// A `$` expansion found in a text (offsets into it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub start: usize,
    pub end: usize,
    pub name_start: usize,
    pub name_end: usize,
    pub modifier: Option<(usize, usize)>,
}

const MAX_NESTING: usize = 16;

/// Find the variable uses of `s` (positional and special parameters are not variables).
/// Uses nested in a modifier word (`${A:-$B}`) are found too, after the outer one.
pub(crate) fn scan(s: &str, mode: Mode, out: &mut Vec<Found>) {
    scan_range(s, 0, s.len(), mode, out, 0);
}

fn char_len_at(s: &str, i: usize) -> usize {
    s.get(i..)
        .and_then(|r| r.chars().next())
        .map_or(1, char::len_utf8)
}

fn scan_range(s: &str, lo: usize, hi: usize, mode: Mode, out: &mut Vec<Found>, depth: usize) {
    let b = s.as_bytes();
    let esc = match mode {
        Mode::Buildkit(e) => e,
        _ => b'\\',
    };
    // Nothing to scan without a `$` in the range.
    if s.as_bytes()
        .get(lo..hi)
        .is_none_or(|t| memchr::memchr(b'$', t).is_none())
    {
        return;
    }
    let quotes = mode != Mode::Body;
    let (mut sq, mut dq) = (false, false);
    let mut i = lo;
    while i < hi {
        let c = b[i];
        if sq {
            match s.get(i..hi).and_then(|t| t.find('\'')) {
                Some(k) => {
                    sq = false;
                    i += k + 1;
                }
                None => break,
            }
            continue;
        }
        if !matches!(c, b'$' | b'\'' | b'"' | b'#' | b'\\' | b'`') {
            i += 1;
            continue;
        }
        if c == esc {
            i += 1 + char_len_at(s, i + 1);
            continue;
        }
        if quotes && c == b'\'' && !dq {
            sq = true;
            i += 1;
            continue;
        }
        if quotes && c == b'"' {
            dq = !dq;
            i += 1;
            continue;
        }
        if mode == Mode::Shell && c == b'#' && !dq && (i == lo || b[i - 1].is_ascii_whitespace()) {
            break;
        }
        if c == b'$' {
            if mode == Mode::Shell && !dq && b.get(i + 1) == Some(&b'\'') {
                i += 1;
                continue;
            }
            if let Some(end) = expansion(s, i, hi, mode, out, depth) {
                i = end;
                continue;
            }
        }
        i += 1;
    }
}

fn is_name_start(c: char, mode: Mode) -> bool {
    c == '_'
        || if matches!(mode, Mode::Buildkit(_)) {
            c.is_alphabetic()
        } else {
            c.is_ascii_alphabetic()
        }
}

fn is_name_char(c: char, mode: Mode) -> bool {
    c == '_'
        || if matches!(mode, Mode::Buildkit(_)) {
            c.is_alphanumeric()
        } else {
            c.is_ascii_alphanumeric()
        }
}

const SPECIAL: &str = "@*#?-$!0";

/// Read a name at `j`: `(end, is_variable)`; `end == j` when there is none.
fn read_name(s: &str, j: usize, hi: usize, mode: Mode) -> (usize, bool) {
    let Some(first) = s.get(j..hi).and_then(|r| r.chars().next()) else {
        return (j, false);
    };
    if first.is_ascii_digit() {
        let r = &s[j..hi];
        return (
            j + r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len()),
            false,
        );
    }
    if SPECIAL.contains(first) {
        return (j + 1, false);
    }
    if !is_name_start(first, mode) {
        return (j, false);
    }
    let r = &s[j..hi];
    let len = r.find(|c: char| !is_name_char(c, mode)).unwrap_or(r.len());
    (j + len, true)
}

/// The `}` closing a `${` whose contents start at `j` (nesting and quotes respected).
pub(crate) fn find_close(s: &str, j: usize, hi: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut depth = 1usize;
    let mut k = j;
    while k < hi {
        match b[k] {
            b'\\' => k += 1,
            b'\'' => match s.get(k + 1..hi).and_then(|r| r.find('\'')) {
                Some(p) => k += p + 1,
                None => return None,
            },
            b'"' => {
                let mut m = k + 1;
                while m < hi && b[m] != b'"' {
                    if b[m] == b'\\' {
                        m += 1;
                    }
                    m += 1;
                }
                if m >= hi {
                    return None;
                }
                k = m;
            }
            b'{' if k > 0 && b[k - 1] == b'$' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
        k += 1;
    }
    None
}

/// An expansion at `s[i] == '$'`: records it (when it names a variable) and returns its end.
fn expansion(
    s: &str,
    i: usize,
    hi: usize,
    mode: Mode,
    out: &mut Vec<Found>,
    depth: usize,
) -> Option<usize> {
    let b = s.as_bytes();
    match b.get(i + 1) {
        Some(b'{') if i + 1 < hi => {
            let mut j = i + 2;
            // `${#NAME}` (length, shell only).
            if mode != Mode::Body
                && b.get(j) == Some(&b'#')
                && s.get(j + 1..hi)
                    .and_then(|r| r.chars().next())
                    .is_some_and(|c| is_name_start(c, mode))
            {
                j += 1;
            }
            let (name_end, is_var) = read_name(s, j, hi, mode);
            if name_end == j {
                return None;
            }
            let (end, modifier) = if b.get(name_end) == Some(&b'}') && name_end < hi {
                (name_end + 1, None)
            } else {
                match find_close(s, name_end, hi) {
                    Some(c) => (c + 1, Some((name_end, c))),
                    None => (hi, Some((name_end, hi))),
                }
            };
            if is_var {
                out.push(Found {
                    start: i,
                    end,
                    name_start: j,
                    name_end,
                    modifier,
                });
            }
            if let Some((a, z)) = modifier {
                if depth < MAX_NESTING {
                    scan_range(s, a, z, mode, out, depth + 1);
                }
            }
            Some(end)
        }
        Some(_) => {
            let (name_end, is_var) = read_name(s, i + 1, hi, mode);
            if name_end == i + 1 {
                return None;
            }
            if is_var {
                out.push(Found {
                    start: i,
                    end: name_end,
                    name_start: i + 1,
                    name_end,
                    modifier: None,
                });
            }
            Some(name_end)
        }
        None => None,
    }
}

/// Where a lookup happens: in the global scope (FROM lines, global ARGs) or in a stage.
/// `before`: only instructions with a smaller index are visible.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    Global {
        before: usize,
    },
    Stage {
        stage: usize,
        before: usize,
    },
    /// CMD, ENTRYPOINT, HEALTHCHECK: the shell runs in the container, which has the stage's
    /// final ENV (all of it, inherited included) and no build ARGs.
    Runtime {
        stage: usize,
    },
}

struct Scope<'m> {
    vars: &'m [VarDef],
    /// The stage each stage's FROM names.
    bases: Vec<Option<usize>>,
    /// Each stage's instruction indices.
    stages: Vec<std::ops::Range<usize>>,
}

impl Scope<'_> {
    fn new(model: &Model) -> Scope<'_> {
        Scope::of(&model.vars, &model.stage_refs, &model.stages)
    }

    fn of<'m>(vars: &'m [VarDef], stage_refs: &[StageRef], stages: &[super::Stage]) -> Scope<'m> {
        Scope {
            vars,
            bases: stage_bases(stage_refs, stages.len()),
            stages: stages.iter().map(|s| s.instructions.clone()).collect(),
        }
    }

    /// The definition `name` refers to in `ctx`; `cands` are the indices of the definitions
    /// with that name, ascending (predefined first, then in instruction order).
    fn lookup(&self, ctx: Ctx, cands: &[usize]) -> Option<usize> {
        let v = self.vars;
        let ins = |d: usize| v[d].instruction.unwrap_or(0);
        let npre = cands.partition_point(|&d| v[d].instruction.is_none());
        let (pre, defs) = cands.split_at(npre);
        // The definitions made by instructions `lo..hi`.
        let within = |lo: usize, hi: usize| {
            let a = defs.partition_point(|&d| ins(d) < lo);
            let b = defs.partition_point(|&d| ins(d) < hi).max(a);
            &defs[a..b]
        };
        match ctx {
            Ctx::Global { before } => {
                let globals = defs.partition_point(|&d| v[d].kind == VarKind::GlobalArg);
                let visible = defs[..globals].partition_point(|&d| ins(d) < before);
                visible.checked_sub(1).map(|k| defs[k]).or_else(|| {
                    pre.iter().copied().find(|&d| {
                        v[d].kind == VarKind::Predefined && !STAGE_ENV.contains(&v[d].name.as_str())
                    })
                })
            }
            Ctx::Stage { stage, .. } | Ctx::Runtime { stage } => {
                let range = self.stages.get(stage).cloned().unwrap_or(0..0);
                let (before, runtime) = match ctx {
                    Ctx::Stage { before, .. } => (before, false),
                    _ => (range.end, true),
                };
                let own = within(range.start, before);
                let of_kind = |set: &[usize], k: VarKind| {
                    set.iter()
                        .rev()
                        .copied()
                        .find(|&d| v[d].kind == k && v[d].stage == Some(stage))
                };
                // The stages this one builds on (FROM <earlier stage>), nearest first: their
                // ENV and ARG are inherited.
                let inherited = |k: VarKind| {
                    let mut base = self.bases.get(stage).copied().flatten();
                    let mut guard = 0;
                    while let Some(t) = base {
                        if let Some(r) = self.stages.get(t) {
                            let set = within(r.start, r.end);
                            if let Some(d) = set.iter().rev().copied().find(|&d| v[d].kind == k) {
                                return Some(d);
                            }
                        }
                        guard += 1;
                        if guard > self.bases.len() {
                            break;
                        }
                        base = self.bases.get(t).copied().flatten();
                    }
                    None
                };
                if runtime {
                    return of_kind(own, VarKind::Env)
                        .or_else(|| inherited(VarKind::Env))
                        .or_else(|| {
                            pre.iter()
                                .copied()
                                .find(|&d| STAGE_ENV.contains(&v[d].name.as_str()))
                        });
                }
                of_kind(own, VarKind::Env)
                    .or_else(|| inherited(VarKind::Env))
                    .or_else(|| of_kind(own, VarKind::Arg))
                    .or_else(|| inherited(VarKind::Arg))
                    .or_else(|| {
                        pre.iter().copied().find(|&d| {
                            v[d].kind == VarKind::Predefined && !is_platform_arg(&v[d].name)
                        })
                    })
            }
        }
    }
}

fn ctx_for(instructions: &[Instruction], idx: usize) -> Ctx {
    let Some(ins) = instructions.get(idx) else {
        return Ctx::Global { before: idx };
    };
    match (&ins.kind, ins.stage) {
        (InstructionKind::From, _) | (_, None) => Ctx::Global { before: idx },
        (
            InstructionKind::Cmd | InstructionKind::Entrypoint | InstructionKind::Healthcheck,
            Some(stage),
        ) => Ctx::Runtime { stage },
        (_, Some(stage)) => Ctx::Stage { stage, before: idx },
    }
}

/// The stage each stage's FROM names, if it names an earlier one.
fn stage_bases(stage_refs: &[StageRef], stages: usize) -> Vec<Option<usize>> {
    let mut bases = vec![None; stages];
    for r in stage_refs {
        if r.kind == StageRefKind::FromImage {
            if let (Some(s), Some(t)) = (r.stage, r.target) {
                if let Some(b) = bases.get_mut(s) {
                    *b = Some(t);
                }
            }
        }
    }
    bases
}

/// The definitions of each name: an index when many lookups follow, a scan for one-off
/// queries.
enum Names<'m> {
    Map(NameIndex<'m>),
    Scan(&'m [VarDef]),
}

impl Names<'_> {
    fn cands(&self, name: &str) -> std::borrow::Cow<'_, [usize]> {
        match self {
            Names::Map(m) => std::borrow::Cow::Borrowed(m.get(name).unwrap_or(&[])),
            Names::Scan(vars) => std::borrow::Cow::Owned(
                vars.iter()
                    .enumerate()
                    .filter(|(_, v)| v.name == name)
                    .map(|(i, _)| i)
                    .collect(),
            ),
        }
    }
}

/// The indices of the definitions of each name, ascending, in one flat array.
struct NameIndex<'m> {
    /// Name -> group.
    ids: FastMap<&'m str, u32>,
    /// Each group's range in `flat`.
    groups: Vec<(u32, u32)>,
    flat: Vec<usize>,
}

impl<'m> NameIndex<'m> {
    fn new(vars: &'m [VarDef]) -> NameIndex<'m> {
        let mut ids: FastMap<&str, u32> =
            FastMap::with_capacity_and_hasher(vars.len(), Default::default());
        let mut of_var = Vec::with_capacity(vars.len());
        let mut groups: Vec<(u32, u32)> = Vec::new();
        for v in vars {
            let next = groups.len() as u32;
            let id = *ids.entry(v.name.as_str()).or_insert(next);
            if id == next {
                groups.push((0, 0));
            }
            if let Some(g) = groups.get_mut(id as usize) {
                g.1 += 1;
            }
            of_var.push(id);
        }
        let mut start = 0u32;
        for g in &mut groups {
            g.0 = start;
            start += g.1;
            g.1 = 0;
        }
        let mut flat = vec![0usize; vars.len()];
        for (i, &id) in of_var.iter().enumerate() {
            if let Some(g) = groups.get_mut(id as usize) {
                if let Some(slot) = flat.get_mut((g.0 + g.1) as usize) {
                    *slot = i;
                }
                g.1 += 1;
            }
        }
        NameIndex { ids, groups, flat }
    }

    fn get(&self, name: &str) -> Option<&[usize]> {
        let &(a, n) = self.groups.get(*self.ids.get(name)? as usize)?;
        self.flat.get(a as usize..(a + n) as usize)
    }

    fn groups(&self) -> impl Iterator<Item = &[usize]> + '_ {
        self.groups
            .iter()
            .filter_map(|&(a, n)| self.flat.get(a as usize..(a + n) as usize))
    }
}

/// For an incremental update (the model still holds the old definitions and stage
/// references, whose strings are taken over for the instructions that were not read
/// again): instructions `..kept` are the old ones; instructions `moved..` are the old
/// `moved - shift..`, moved by `delta`; the others were read again.
pub(crate) struct Reuse {
    pub kept: usize,
    pub moved: usize,
    pub shift: isize,
    pub delta: Delta,
    /// Neither the instructions read again nor those they replaced define a variable or
    /// name a stage ([`neutral`]).
    pub neutral: bool,
}

/// Whether `ins` neither defines a variable nor names a stage, nor starts one: a change
/// made only of such instructions leaves every definition and stage reference as it was.
pub(crate) fn neutral(ins: &Instruction) -> bool {
    match ins.kind {
        InstructionKind::Arg | InstructionKind::Env | InstructionKind::From => false,
        InstructionKind::Copy | InstructionKind::Add => ins.flag("from").is_none(),
        InstructionKind::Run => !ins.flags.iter().any(|f| {
            f.name == "mount" && f.options.iter().any(|o| o.key.eq_ignore_ascii_case("from"))
        }),
        _ => true,
    }
}

impl Reuse {
    /// The old index of new instruction `j`, and whether it moved.
    fn old_index(&self, j: usize) -> Option<(usize, bool)> {
        if j < self.kept {
            Some((j, false))
        } else if j >= self.moved {
            Some((j.wrapping_add_signed(-self.shift), !self.delta.is_zero()))
        } else {
            None
        }
    }
}

/// Items of an old list, ordered by instruction, taken over one by one.
struct Taker<T> {
    items: std::iter::Peekable<std::vec::IntoIter<T>>,
}

impl<T> Taker<T> {
    fn new(items: Vec<T>) -> Self {
        Taker {
            items: items.into_iter().peekable(),
        }
    }

    /// The next item of old instruction `old` that `fits`, skipping those of earlier
    /// instructions.
    fn take(
        &mut self,
        old: usize,
        instruction: impl Fn(&T) -> Option<usize>,
        fits: impl FnOnce(&T) -> bool,
    ) -> Option<T> {
        while self
            .items
            .peek()
            .is_some_and(|t| instruction(t).is_none_or(|i| i < old))
        {
            self.items.next();
        }
        self.items
            .next_if(|t| instruction(t) == Some(old) && fits(t))
    }
}

/// Fill `vars`, `stage_refs` and the `stage`/`def` of every use (called by the builder).
pub(crate) fn analyze(model: &mut Model, reuse: Option<Reuse>) {
    if let Some(r) = reuse.as_ref().filter(|r| r.neutral) {
        return analyze_moved(model, r);
    }
    let predefined = PLATFORM_ARGS
        .iter()
        .chain(ALWAYS_ARGS.iter())
        .chain(STAGE_ENV.iter());
    let npre = PLATFORM_ARGS.len() + ALWAYS_ARGS.len() + STAGE_ENV.len();
    let (old_vars, old_refs) = match reuse.as_ref() {
        Some(_) => (
            std::mem::take(&mut model.vars),
            std::mem::take(&mut model.stage_refs),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let mut vars: Vec<VarDef> = Vec::with_capacity(npre + 64.max(old_vars.len()));
    let same_pre = old_vars.len() >= npre
        && old_vars
            .iter()
            .zip(predefined.clone())
            .all(|(v, n)| v.kind == VarKind::Predefined && v.name == *n);
    let mut old_vars = Taker::new(old_vars);
    if same_pre {
        vars.extend(old_vars.items.by_ref().take(npre));
    } else {
        for name in predefined {
            vars.push(VarDef {
                name: (*name).into(),
                kind: VarKind::Predefined,
                name_span: Span::default(),
                value: None,
                instruction: None,
                stage: None,
                global: None,
            });
        }
    }
    {
        // The last global ARG of each name.
        let mut globals: FastMap<&str, usize> = FastMap::default();
        for (idx, ins) in model.instructions.iter().enumerate() {
            let kind = match ins.kind {
                InstructionKind::Arg if ins.stage.is_none() => VarKind::GlobalArg,
                InstructionKind::Arg => VarKind::Arg,
                InstructionKind::Env => VarKind::Env,
                _ => continue,
            };
            let super::Details::Pairs(pairs) = &ins.details else {
                continue;
            };
            let old = reuse.as_ref().and_then(|r| r.old_index(idx));
            for p in pairs {
                if p.key.value.is_empty() {
                    continue;
                }
                let name = p.key.value.as_str();
                let global = if kind == VarKind::Arg && p.value.is_none() {
                    globals
                        .get(name)
                        .copied()
                        .or_else(|| PLATFORM_ARGS.iter().position(|&n| n == name))
                } else {
                    None
                };
                if kind == VarKind::GlobalArg {
                    globals.insert(name, vars.len());
                }
                let value = p.value.as_ref().map(|v| v.raw.as_str());
                let taken = old.and_then(|(o, _)| {
                    old_vars.take(
                        o,
                        |v| v.instruction,
                        |v| v.name == name && v.value.as_deref() == value,
                    )
                });
                let (name, value) = match taken {
                    Some(v) => (v.name, v.value),
                    None => (name.into(), value.map(Into::into)),
                };
                vars.push(VarDef {
                    name,
                    kind,
                    name_span: p.key.span,
                    value,
                    instruction: Some(idx),
                    stage: ins.stage,
                    global,
                });
            }
        }
    }
    model.vars = vars;
    model.stage_refs = stage_refs(model, reuse.as_ref(), old_refs);
    let index = Names::Map(NameIndex::new(&model.vars));
    // References written with variables (`FROM ${BASE}`, `COPY --from=$BUILDER`) name the
    // stage their default values give (BuildKit expands them before looking stages up).
    for from_lines in [true, false] {
        let todo = |r: &StageRef| {
            (r.kind == StageRefKind::FromImage) == from_lines
                && r.target.is_none()
                && r.name.contains('$')
        };
        if !model.stage_refs.iter().any(todo) {
            continue;
        }
        let scope = model.scope();
        // Every FROM line sees the same scope (all global ARGs come before the first FROM,
        // and a global ARG's default is expanded where it is written): one expansion per
        // distinct text.
        let mut seen: FastMap<&str, usize> = FastMap::default();
        let mut expanded: Vec<(usize, String)> = Vec::new();
        let memo = Memo::default();
        for (k, r) in model.stage_refs.iter().enumerate().filter(|(_, r)| todo(r)) {
            if from_lines {
                if let Some(value) = seen
                    .get(r.name.as_str())
                    .and_then(|&e| expanded.get(e))
                    .map(|(_, v)| v.clone())
                {
                    expanded.push((k, value));
                    continue;
                }
                seen.insert(r.name.as_str(), expanded.len());
            }
            let value = model.expand_at(&scope, &index, &r.name, r.instruction, &memo);
            expanded.push((k, value));
        }
        let names = StageNames::new(&model.stages);
        for (k, value) in expanded {
            if let Some(r) = model.stage_refs.get_mut(k) {
                r.target = names.target(&value, r.stage, !from_lines);
            }
        }
    }

    let Names::Map(index) = index else {
        return;
    };
    let scope = Scope::of(&model.vars, &model.stage_refs, &model.stages);
    resolve_uses(&scope, &model.instructions, &mut model.var_uses, |name| {
        Cow::Borrowed(index.get(name).unwrap_or(&[]))
    });
}

/// [`analyze`] after a [`neutral`] change: the definitions and stage references are the old
/// ones, those after the change moved; only the uses read again look up their definition
/// (the others' still holds: the definitions kept their order).
fn analyze_moved(model: &mut Model, r: &Reuse) {
    // The first old instruction after the change.
    let old_end = r.moved.wrapping_add_signed(-r.shift);
    for v in &mut model.vars {
        if let Some(i) = v.instruction.filter(|&i| i >= old_end) {
            v.instruction = Some(i.wrapping_add_signed(r.shift));
            v.name_span.shift(r.delta);
        }
    }
    for s in model
        .stage_refs
        .iter_mut()
        .filter(|s| s.instruction >= old_end)
    {
        s.instruction = s.instruction.wrapping_add_signed(r.shift);
        s.span.shift(r.delta);
    }
    let a = model.var_uses.partition_point(|u| u.instruction < r.kept);
    let b = model.var_uses.partition_point(|u| u.instruction < r.moved);
    if a == b {
        return;
    }
    let scope = Scope::of(&model.vars, &model.stage_refs, &model.stages);
    let names = Names::Scan(&model.vars);
    let read_again = &mut model.var_uses[a..b];
    resolve_uses(&scope, &model.instructions, read_again, |name| {
        names.cands(name)
    });
}

/// Set each use's stage and the definition it refers to; `cands` gives the definitions
/// of a name.
fn resolve_uses<'a>(
    scope: &Scope,
    instructions: &[Instruction],
    uses: &mut [VarUse],
    cands: impl Fn(&str) -> Cow<'a, [usize]>,
) {
    for u in uses {
        u.stage = instructions.get(u.instruction).and_then(|i| i.stage);
        let ctx = ctx_for(instructions, u.instruction);
        u.def = scope.lookup(ctx, &cands(u.name.as_str()));
    }
}

/// The stages by name (lower-cased; the first of each name), to find the stage a reference
/// names in one lookup: a file may hold thousands of stages and references.
struct StageNames<'m>(FastMap<Cow<'m, str>, usize>);

impl<'m> StageNames<'m> {
    fn new(stages: &'m [super::Stage]) -> Self {
        let mut by_name = FastMap::with_capacity_and_hasher(stages.len(), Default::default());
        for st in stages {
            if let Some(n) = &st.name {
                let key = if n.value.bytes().any(|b| b.is_ascii_uppercase()) {
                    Cow::Owned(n.value.as_str().to_ascii_lowercase())
                } else {
                    Cow::Borrowed(n.value.as_str())
                };
                by_name.entry(key).or_insert(st.index);
            }
        }
        StageNames(by_name)
    }

    /// The stage `name` names from stage `current`: an earlier stage, by name (any case)
    /// or, when `by_index`, by number.
    fn target(&self, name: &str, current: Option<usize>, by_index: bool) -> Option<usize> {
        let cur = current?;
        if by_index {
            if let Ok(i) = name.parse::<usize>() {
                return (i < cur).then_some(i);
            }
        }
        let found = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            self.0.get(name.to_ascii_lowercase().as_str())
        } else {
            self.0.get(name)
        };
        found.copied().filter(|&t| t < cur)
    }
}

fn stage_refs(model: &Model, reuse: Option<&Reuse>, old: Vec<StageRef>) -> Vec<StageRef> {
    let mut out = Vec::with_capacity(old.len());
    let mut old = Taker::new(old);
    let names = StageNames::new(&model.stages);
    let target =
        |name: &str, current: Option<usize>, by_index: bool| names.target(name, current, by_index);
    for (idx, ins) in model.instructions.iter().enumerate() {
        let old_idx = reuse.and_then(|r| r.old_index(idx));
        let mut push = |name: &str, span: Span, kind: StageRefKind, by_index: bool| {
            let taken = old_idx.and_then(|(o, _)| {
                old.take(
                    o,
                    |r| Some(r.instruction),
                    |r| r.kind == kind && r.name == name,
                )
            });
            out.push(StageRef {
                name: taken.map_or_else(|| name.into(), |r| r.name),
                span,
                kind,
                instruction: idx,
                stage: ins.stage,
                target: target(name, ins.stage, by_index),
            });
        };
        match ins.kind {
            InstructionKind::From => {
                if let super::Details::From {
                    image: Some(img), ..
                } = &ins.details
                {
                    push(&img.raw, img.span, StageRefKind::FromImage, false);
                }
            }
            InstructionKind::Copy | InstructionKind::Add => {
                for f in ins.flags.iter().filter(|f| f.name == "from") {
                    if let (Some(v), Some(span)) =
                        (f.value.as_ref().filter(|v| !v.is_empty()), f.value_span)
                    {
                        push(v, span, StageRefKind::CopyFrom, true);
                    }
                }
            }
            InstructionKind::Run => {
                for f in ins.flags.iter().filter(|f| f.name == "mount") {
                    for o in f
                        .options
                        .iter()
                        .filter(|o| o.key.eq_ignore_ascii_case("from"))
                    {
                        if let (Some(v), Some(span)) =
                            (o.value.as_ref().filter(|v| !v.is_empty()), o.value_span)
                        {
                            push(v, span, StageRefKind::MountFrom, true);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

const MAX_RESOLVE_DEPTH: usize = 32;

/// Longest value a resolution gives: `ARG A=$A$A` doubles a value per line, so a hostile
/// file could otherwise grow one past any memory. Longer values count as unknown.
const MAX_VALUE_LEN: usize = 16 * 1024;

/// Values already resolved during one resolution, by definition: each definition is
/// expanded once, so chains like `ARG A=$A$A` cost linear time instead of exponential.
type Memo = std::cell::RefCell<HashMap<usize, Option<String>>>;

impl Model {
    fn ctx_at(&self, offset: usize) -> Ctx {
        let k = self.instructions.partition_point(|i| i.span.end < offset);
        match self.instructions.get(k) {
            Some(ins) if ins.span.start <= offset => ctx_for(&self.instructions, k),
            _ => match k
                .checked_sub(1)
                .and_then(|p| self.instructions.get(p))
                .and_then(|i| i.stage)
            {
                Some(stage) => Ctx::Stage { stage, before: k },
                None => Ctx::Global { before: k },
            },
        }
    }

    fn scope(&self) -> Scope<'_> {
        Scope::new(self)
    }

    /// The stage a stage's FROM builds on, when it names an earlier stage.
    pub fn stage_base(&self, stage: usize) -> Option<usize> {
        stage_bases(&self.stage_refs, self.stages.len())
            .get(stage)
            .copied()
            .flatten()
    }

    /// The definition (index into `vars`) that `name` refers to at byte `offset`.
    pub fn lookup_var(&self, name: &str, offset: usize) -> Option<usize> {
        let cands: Vec<usize> = (0..self.vars.len())
            .filter(|&i| self.vars[i].name == name)
            .collect();
        self.scope().lookup(self.ctx_at(offset), &cands)
    }

    /// The variables visible at byte `offset`, one per name (the definition a use there
    /// would refer to), in the order of `vars`.
    pub fn vars_in_scope(&self, offset: usize) -> Vec<&VarDef> {
        let ctx = self.ctx_at(offset);
        let scope = self.scope();
        let index = NameIndex::new(&self.vars);
        let mut found: Vec<usize> = index
            .groups()
            .filter_map(|c| scope.lookup(ctx, c))
            .collect();
        found.sort_unstable();
        found.into_iter().map(|i| &self.vars[i]).collect()
    }

    /// The value `name` has at byte `offset`: ARG defaults and ENV values followed and
    /// expanded, `build_args` overriding ARG defaults (and giving predefined args a value).
    /// `None` when it is not defined there or has no value.
    pub fn resolve(
        &self,
        name: &str,
        offset: usize,
        build_args: &[(String, String)],
    ) -> Option<String> {
        let scope = self.scope();
        let names = Names::Scan(&self.vars);
        let memo = Memo::default();
        self.resolve_in(
            &scope,
            &names,
            name,
            self.ctx_at(offset),
            build_args,
            0,
            &memo,
        )
    }

    /// `s` expanded as BuildKit would at instruction `ins`, with default values only.
    fn expand_at(
        &self,
        scope: &Scope<'_>,
        index: &Names<'_>,
        s: &str,
        ins: usize,
        memo: &Memo,
    ) -> String {
        let ctx = ctx_for(&self.instructions, ins);
        expand_with_escape(s, self.escape, |n| {
            self.resolve_in(scope, index, n, ctx, &[], 0, memo)
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn resolve_in(
        &self,
        scope: &Scope<'_>,
        index: &Names<'_>,
        name: &str,
        ctx: Ctx,
        args: &[(String, String)],
        depth: usize,
        memo: &Memo,
    ) -> Option<String> {
        if depth > MAX_RESOLVE_DEPTH {
            return None;
        }
        let d = scope.lookup(ctx, &index.cands(name))?;
        if let Some(known) = memo.borrow().get(&d) {
            return known.clone();
        }
        let value = self
            .resolve_def(scope, index, d, args, depth, memo)
            .filter(|v| v.len() <= MAX_VALUE_LEN);
        memo.borrow_mut().insert(d, value.clone());
        value
    }

    /// The value of definition `d` (see `resolve_in`).
    fn resolve_def(
        &self,
        scope: &Scope<'_>,
        index: &Names<'_>,
        d: usize,
        args: &[(String, String)],
        depth: usize,
        memo: &Memo,
    ) -> Option<String> {
        let v = self.vars.get(d)?;
        let arg = || {
            args.iter()
                .rev()
                .find(|(k, _)| *k == v.name)
                .map(|(_, x)| x.clone())
        };
        let expand_def = |raw: &str| {
            let c = ctx_for(&self.instructions, v.instruction.unwrap_or(0));
            expand_with_escape(raw, self.escape, |n| {
                self.resolve_in(scope, index, n, c, args, depth + 1, memo)
            })
        };
        match v.kind {
            VarKind::Predefined => arg(),
            VarKind::GlobalArg => arg().or_else(|| v.value.as_deref().map(expand_def)),
            VarKind::Arg => arg()
                .or_else(|| v.value.as_deref().map(expand_def))
                .or_else(|| {
                    let g = self.vars.get(v.global?)?;
                    match g.kind {
                        VarKind::Predefined => None,
                        _ => {
                            let c = ctx_for(&self.instructions, g.instruction.unwrap_or(0));
                            let raw = g.value.as_deref()?;
                            Some(expand_with_escape(raw, self.escape, |n| {
                                self.resolve_in(scope, index, n, c, args, depth + 1, memo)
                            }))
                        }
                    }
                }),
            VarKind::Env => v.value.as_deref().map(expand_def),
        }
    }
}

/// BuildKit-style word processing: quotes removed, `\` escapes processed and `$X`/`${X...}`
/// expanded through `lookup` (unset: empty), with the modifiers `:-` `-` `:+` `+` `:?` `?`
/// `#` `##` `%` `%%` `/` `//`.
pub fn expand(s: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    expand_with_escape(s, '\\', lookup)
}

/// [`expand`] with another escape character (the `escape` directive's).
pub fn expand_with_escape(
    s: &str,
    escape: char,
    lookup: impl Fn(&str) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(s.len());
    let ex = Expander {
        lookup: &lookup,
        esc: escape,
    };
    ex.word(s, 0, &mut out);
    out
}

struct Expander<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
    esc: char,
}

impl Expander<'_> {
    fn word(&self, s: &str, depth: usize, out: &mut String) {
        let mut i = 0;
        while let Some(c) = s.get(i..).and_then(|r| r.chars().next()) {
            if c == self.esc {
                i += c.len_utf8();
                if let Some(n) = s.get(i..).and_then(|r| r.chars().next()) {
                    out.push(n);
                    i += n.len_utf8();
                }
                continue;
            }
            match c {
                '\'' => {
                    let r = s.get(i + 1..).unwrap_or("");
                    let close = r.find('\'').unwrap_or(r.len());
                    out.push_str(&r[..close]);
                    i += 1 + close + 1;
                }
                '"' => {
                    i += 1;
                    while let Some(d) = s.get(i..).and_then(|r| r.chars().next()) {
                        if d == '"' {
                            i += 1;
                            break;
                        } else if d == '$' {
                            i = self.dollar(s, i, depth, out);
                        } else if d == self.esc {
                            let after = i + d.len_utf8();
                            match s.get(after..).and_then(|r| r.chars().next()) {
                                Some(n) if n == '"' || n == '$' || n == self.esc => {
                                    out.push(n);
                                    i = after + n.len_utf8();
                                }
                                _ => {
                                    out.push(d);
                                    i = after;
                                }
                            }
                        } else {
                            out.push(d);
                            i += d.len_utf8();
                        }
                    }
                }
                '$' => i = self.dollar(s, i, depth, out),
                _ => {
                    out.push(c);
                    i += c.len_utf8();
                }
            }
        }
    }

    /// Expand the `$` at `i`; returns the index after it.
    fn dollar(&self, s: &str, i: usize, depth: usize, out: &mut String) -> usize {
        let lookup = self.lookup;
        let b = s.as_bytes();
        let mode = Mode::Buildkit(b'\\');
        if b.get(i + 1) != Some(&b'{') {
            let (end, _) = read_name(s, i + 1, s.len(), mode);
            if end == i + 1 {
                out.push('$');
                return i + 1;
            }
            out.push_str(&lookup(&s[i + 1..end]).unwrap_or_default());
            return end;
        }
        let j = i + 2;
        let (name_end, _) = read_name(s, j, s.len(), mode);
        let close = find_close(s, name_end, s.len()).unwrap_or(s.len());
        let end = (close + 1).min(s.len());
        if name_end == j || depth > MAX_NESTING {
            return end;
        }
        let name = &s[j..name_end];
        let value = lookup(name);
        let op_text = s.get(name_end..close).unwrap_or("");
        if op_text.is_empty() {
            out.push_str(&value.unwrap_or_default());
            return end;
        }
        let word = |w: &str| {
            let mut o = String::new();
            self.word(w, depth + 1, &mut o);
            o
        };
        let (colon, op) = match op_text.strip_prefix(':') {
            Some(r) => (true, r),
            None => (false, op_text),
        };
        let unset_or_empty = value.as_deref().is_none_or(str::is_empty);
        let missing = if colon {
            unset_or_empty
        } else {
            value.is_none()
        };
        let v = value.clone().unwrap_or_default();
        let result = if let Some(w) = op.strip_prefix('-').or_else(|| op.strip_prefix('=')) {
            if missing {
                word(w)
            } else {
                v
            }
        } else if let Some(w) = op.strip_prefix('+') {
            if missing {
                String::new()
            } else {
                word(w)
            }
        } else if op.starts_with('?') {
            if missing {
                String::new()
            } else {
                v
            }
        } else if colon {
            String::new()
        } else if let Some(p) = op.strip_prefix("##") {
            strip_prefix_glob(&v, &word(p), true)
        } else if let Some(p) = op.strip_prefix('#') {
            strip_prefix_glob(&v, &word(p), false)
        } else if let Some(p) = op.strip_prefix("%%") {
            strip_suffix_glob(&v, &word(p), true)
        } else if let Some(p) = op.strip_prefix('%') {
            strip_suffix_glob(&v, &word(p), false)
        } else if let Some(r) = op.strip_prefix('/') {
            let (all, r) = match r.strip_prefix('/') {
                Some(r2) => (true, r2),
                None => (false, r),
            };
            let (pat, rep) = split_unescaped(r, '/');
            replace_glob(&v, &word(pat), &word(rep.unwrap_or("")), all)
        } else {
            String::new()
        };
        out.push_str(&result);
        end
    }
}

fn split_unescaped(s: &str, sep: char) -> (&str, Option<&str>) {
    let mut esc = false;
    for (k, c) in s.char_indices() {
        if esc {
            esc = false;
        } else if c == '\\' {
            esc = true;
        } else if c == sep {
            return (&s[..k], Some(&s[k + 1..]));
        }
    }
    (s, None)
}

/// Shell glob match of the whole of `s` (`*`, `?`, `[...]`, `\x`).
fn glob_match(p: &[char], s: &[char]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, si));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                '[' => {
                    if let Some((ok, next)) = class_match(p, pi, s[si]) {
                        if ok {
                            pi = next;
                            si += 1;
                            continue;
                        }
                    } else if s[si] == '[' {
                        pi += 1;
                        si += 1;
                        continue;
                    }
                }
                '\\' if pi + 1 < p.len() => {
                    if p[pi + 1] == s[si] {
                        pi += 2;
                        si += 1;
                        continue;
                    }
                }
                c => {
                    if c == s[si] {
                        pi += 1;
                        si += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, ss)) => {
                pi = sp + 1;
                si = ss + 1;
                star = Some((sp, ss + 1));
            }
            None => return false,
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// `[...]` at `p[pi]`: whether `c` matches and the index after `]`; `None` if unclosed.
fn class_match(p: &[char], pi: usize, c: char) -> Option<(bool, usize)> {
    let mut k = pi + 1;
    let negate = matches!(p.get(k), Some('!' | '^'));
    if negate {
        k += 1;
    }
    let mut matched = false;
    let mut first = true;
    while k < p.len() {
        if p[k] == ']' && !first {
            return Some((matched != negate, k + 1));
        }
        first = false;
        let lo = p[k];
        if p.get(k + 1) == Some(&'-') && p.get(k + 2).is_some_and(|&h| h != ']') {
            let hi = p[k + 2];
            if lo <= c && c <= hi {
                matched = true;
            }
            k += 3;
        } else {
            if lo == c {
                matched = true;
            }
            k += 1;
        }
    }
    None
}

fn strip_prefix_glob(v: &str, pat: &str, longest: bool) -> String {
    let p: Vec<char> = pat.chars().collect();
    let s: Vec<char> = v.chars().collect();
    let mut cuts: Box<dyn Iterator<Item = usize>> = if longest {
        Box::new((0..=s.len()).rev())
    } else {
        Box::new(0..=s.len())
    };
    match cuts.find(|&k| glob_match(&p, &s[..k])) {
        Some(k) => s[k..].iter().collect(),
        None => v.to_string(),
    }
}

fn strip_suffix_glob(v: &str, pat: &str, longest: bool) -> String {
    let p: Vec<char> = pat.chars().collect();
    let s: Vec<char> = v.chars().collect();
    let mut cuts: Box<dyn Iterator<Item = usize>> = if longest {
        Box::new(0..=s.len())
    } else {
        Box::new((0..=s.len()).rev())
    };
    match cuts.find(|&k| glob_match(&p, &s[k..])) {
        Some(k) => s[..k].iter().collect(),
        None => v.to_string(),
    }
}

fn replace_glob(v: &str, pat: &str, rep: &str, all: bool) -> String {
    if pat.is_empty() {
        return v.to_string();
    }
    let p: Vec<char> = pat.chars().collect();
    let s: Vec<char> = v.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut done = false;
    while i < s.len() {
        if !done {
            if let Some(len) = (1..=s.len() - i)
                .rev()
                .find(|&l| glob_match(&p, &s[i..i + l]))
            {
                out.push_str(rep);
                i += len;
                done = !all;
                continue;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::build;

    fn found(s: &str, mode: Mode) -> Vec<(&str, Option<&str>)> {
        let mut out = Vec::new();
        scan(s, mode, &mut out);
        out.iter()
            .map(|f| {
                (
                    &s[f.name_start..f.name_end],
                    f.modifier.map(|(a, b)| &s[a..b]),
                )
            })
            .collect()
    }

    #[test]
    fn scanning() {
        let bk = Mode::Buildkit(b'\\');
        assert_eq!(
            found("$A ${B} ${C:-x} \\$D '$E' \"$F\"", bk),
            [("A", None), ("B", None), ("C", Some(":-x")), ("F", None)]
        );
        assert_eq!(
            found("${A:-$B} $1 $@ ${2}", bk),
            [("A", Some(":-$B")), ("B", None)]
        );
        assert_eq!(
            found("echo $'$x' \"'$y'\" # $z", Mode::Shell),
            [("y", None)]
        );
        assert_eq!(
            found("'$a' \\$b $c", Mode::Body),
            [("a", None), ("c", None)]
        );
        assert_eq!(
            found("${#LEN} $(cmd $X)", Mode::Shell),
            [("LEN", None), ("X", None)]
        );
        assert_eq!(found("`$A", Mode::Buildkit(b'`')), []);
        assert_eq!(found("${UNTERMINATED", bk), [("UNTERMINATED", Some(""))]);
        assert_eq!(found("${A%%.*}", bk), [("A", Some("%%.*"))]);
    }

    fn lk(name: &str) -> Option<String> {
        match name {
            "A" => Some("hello".into()),
            "E" => Some(String::new()),
            "P" => Some("dir/sub/file.tar.gz".into()),
            _ => None,
        }
    }

    #[test]
    fn expansion() {
        assert_eq!(
            expand("$A ${A}x '$A' \"$A\" \\$A", lk),
            "hello hellox $A hello $A"
        );
        assert_eq!(expand("${U:-d} ${E:-d} ${E-d} ${U-d}", lk), "d d  d");
        assert_eq!(expand("${A:+y} ${E:+y} ${E+y} ${U+y}", lk), "y  y ");
        assert_eq!(expand("${U:-${A}x}", lk), "hellox");
        assert_eq!(
            expand("${P#*/} ${P##*/} ${P%.*} ${P%%.*}", lk),
            "sub/file.tar.gz file.tar.gz dir/sub/file.tar dir/sub/file"
        );
        assert_eq!(
            expand("${A/l/L} ${A//l/L} ${A/[lo]*/X}", lk),
            "heLlo heLLo heX"
        );
        assert_eq!(expand("${U:?err}x $", lk), "x $");
        assert_eq!(expand("a\"b c\"d", lk), "ab cd");
    }

    #[test]
    fn scoping() {
        let text = "ARG G=1\nARG IMG=alpine:$G\nFROM $IMG AS base\nARG G\nENV E=$G\nRUN echo $E $G $TARGETARCH\n\
                    FROM base\nRUN echo $E $G\n";
        let m = build(text);
        assert!(m.errors.is_empty());
        let def = |name: &str, k: usize| {
            m.var_uses
                .iter()
                .filter(|u| u.name == name)
                .nth(k)
                .and_then(|u| u.def)
                .map(|d| &m.vars[d])
        };
        // Global G in a global ARG default, IMG in FROM.
        assert_eq!(def("G", 0).map(|d| d.kind), Some(VarKind::GlobalArg));
        assert_eq!(def("IMG", 0).map(|d| d.kind), Some(VarKind::GlobalArg));
        // Stage ARG G re-declares the global.
        let g = def("G", 1).expect("stage G");
        assert_eq!(g.kind, VarKind::Arg);
        assert_eq!(g.global.map(|i| m.vars[i].kind), Some(VarKind::GlobalArg));
        assert_eq!(def("E", 0).map(|d| d.kind), Some(VarKind::Env));
        // TARGETARCH not declared in the stage.
        assert!(m
            .var_uses
            .iter()
            .find(|u| u.name == "TARGETARCH")
            .is_some_and(|u| u.def.is_none()));
        // The second stage inherits ENV and ARG from base.
        assert_eq!(def("E", 1).map(|d| d.kind), Some(VarKind::Env));
        assert_eq!(def("G", 3).map(|d| d.kind), Some(VarKind::Arg));

        let at = |s: &str| text.find(s).expect("in text");
        assert_eq!(m.resolve("IMG", at("$IMG"), &[]), Some("alpine:1".into()));
        assert_eq!(m.resolve("E", at("RUN echo $E"), &[]), Some("1".into()));
        let args = vec![("G".to_string(), "9".to_string())];
        assert_eq!(m.resolve("E", at("RUN echo $E"), &args), Some("9".into()));
        assert_eq!(m.resolve("IMG", at("$IMG"), &args), Some("alpine:9".into()));
        assert_eq!(m.resolve("E", text.len(), &[]), Some("1".into()));
        assert_eq!(m.resolve("G", text.len(), &[]), Some("1".into()));
        assert_eq!(m.resolve("IMG", text.len(), &[]), None);
        assert_eq!(
            m.lookup_var("PATH", text.len()).map(|d| m.vars[d].kind),
            Some(VarKind::Predefined)
        );
        assert_eq!(m.lookup_var("PATH", at("$IMG")), None);

        let names = |o: usize| {
            m.vars_in_scope(o)
                .iter()
                .map(|v| v.name.to_string())
                .collect::<Vec<_>>()
        };
        let n = names(at("$IMG"));
        assert!(
            n.contains(&"G".to_string())
                && n.contains(&"IMG".to_string())
                && n.contains(&"BUILDARCH".into())
        );
        let n = names(at("RUN echo $E"));
        assert!(
            n.contains(&"G".to_string())
                && n.contains(&"E".to_string())
                && n.contains(&"HTTP_PROXY".into())
        );
        assert!(!n.contains(&"IMG".to_string()) && !n.contains(&"BUILDARCH".to_string()));
        // Inside the ENV line itself, E is not yet visible.
        assert!(!names(at("ENV E")).contains(&"E".to_string()));
    }

    #[test]
    fn runtime_scope_for_cmd() {
        let text = "FROM a\nARG A=1\nCMD echo $A $B $PATH\nENV B=2\n";
        let m = build(text);
        let kinds: Vec<_> = m
            .var_uses
            .iter()
            .map(|u| u.def.map(|d| m.vars[d].kind))
            .collect();
        assert_eq!(kinds, [None, Some(VarKind::Env), Some(VarKind::Predefined)]);
        let n = m.vars_in_scope(text.find("$A").unwrap_or(0));
        assert!(n.iter().any(|v| v.name == "B") && !n.iter().any(|v| v.name == "A"));
    }

    #[test]
    fn resolve_with_backtick_escape() {
        let text = "# escape=`\nFROM a\nARG A=`$x\\y\nENV B=\"$A\"\n";
        let m = build(text);
        assert!(m.errors.is_empty(), "{:?}", m.errors);
        assert_eq!(m.resolve("B", text.len(), &[]), Some("$x\\y".into()));
    }

    #[test]
    fn env_beats_arg_and_same_instruction() {
        let text = "FROM a\nENV X=env\nARG X=arg\nRUN echo $X\nENV A=1 B=$A\n";
        let m = build(text);
        let u = m.var_uses.iter().find(|u| u.name == "X").expect("use");
        assert_eq!(u.def.map(|d| m.vars[d].kind), Some(VarKind::Env));
        assert!(u.in_shell);
        let a = m.var_uses.iter().find(|u| u.name == "A").expect("use");
        assert_eq!(a.def, None);
    }

    #[test]
    fn stage_refs_targets() {
        let text = "FROM a AS Build\nFROM build AS two\nCOPY --from=0 a b\nCOPY --from=BUILD a b\n\
                    RUN --mount=type=bind,from=two,target=/x ls\nCOPY --from=later a b\nFROM alpine AS later\n";
        let m = build(text);
        let t: Vec<_> = m
            .stage_refs
            .iter()
            .map(|r| (r.kind, r.name.as_str(), r.target))
            .collect();
        assert_eq!(
            t,
            [
                (StageRefKind::FromImage, "a", None),
                (StageRefKind::FromImage, "build", Some(0)),
                (StageRefKind::CopyFrom, "0", Some(0)),
                (StageRefKind::CopyFrom, "BUILD", Some(0)),
                (StageRefKind::MountFrom, "two", None),
                (StageRefKind::CopyFrom, "later", None),
                (StageRefKind::FromImage, "alpine", None),
            ]
        );
        let r = &m.stage_refs[4];
        assert_eq!(&text[r.span.start..r.span.end], "two");
        assert_eq!(m.stage_base(1), Some(0));

        let text =
            "ARG BASE=build\nFROM a AS build\nARG B=build\nFROM ${BASE}\nCOPY --from=${B:-x} a b\n";
        let m = build(text);
        let t: Vec<_> = m.stage_refs.iter().map(|r| r.target).collect();
        assert_eq!(t, [None, Some(0), Some(0)]);
        assert_eq!(m.stage_refs[1].name, "${BASE}");
    }

    #[test]
    fn uses_in_flags_and_json() {
        let text = "ARG V=1\nFROM --platform=$BUILDPLATFORM img:$V\nCOPY --chown=$U [\"$SRC\", \"/d\"]\nCMD [\"$NOT\"]\n";
        let m = build(text);
        let names: Vec<_> = m
            .var_uses
            .iter()
            .map(|u| (u.name.as_str(), u.in_shell))
            .collect();
        assert_eq!(
            names,
            [
                ("BUILDPLATFORM", false),
                ("V", false),
                ("U", false),
                ("SRC", false)
            ]
        );
        let u = &m.var_uses[3];
        assert_eq!(&text[u.span.start..u.span.end], "$SRC");
        assert_eq!(
            m.var_uses[0].def.map(|d| m.vars[d].kind),
            Some(VarKind::Predefined)
        );
    }
}

#[cfg(test)]
mod update_tests {
    use crate::model::{build, update, Model};

    /// The model of `a` updated to `b`, checked against a fresh build of `b`.
    fn updated(a: &str, b: &str) -> Model {
        let mut model = build(a);
        update(&mut model, a, b);
        assert_eq!(model, build(b));
        model
    }

    /// An edit that defines no variable and names no stage keeps the definitions (moved)
    /// and resolves only the uses it read again; the result is a fresh build's.
    #[test]
    fn a_neutral_edit_moves_definitions_and_resolves_new_uses() {
        let a = "ARG V=1\nFROM alpine AS one\nENV E=2\nRUN echo hi\nCOPY --from=one /a /b\nRUN echo $E\n";
        let b = a.replace("RUN echo hi", "# a new line\nRUN echo $V $E");
        let model = updated(a, &b);
        let uses: Vec<(&str, Option<&str>)> = model
            .var_uses
            .iter()
            .map(|u| (u.name.as_str(), u.def.map(|d| model.vars[d].name.as_str())))
            .collect();
        assert_eq!(uses, [("V", None), ("E", Some("E")), ("E", Some("E"))]);
        // The stage reference after the edit moved with its instruction.
        let r = &model.stage_refs[model.stage_refs.len() - 1];
        assert_eq!(&b[r.span.start..r.span.end], "one");
    }

    /// An edit that adds a definition takes the whole analysis again.
    #[test]
    fn an_edit_adding_a_definition_is_resolved_everywhere() {
        let a = "FROM alpine\nRUN echo $X\nRUN true\nRUN echo $X\n";
        let b = a.replace("RUN true", "ENV X=1");
        let model = updated(a, &b);
        assert!(model.var_uses[0].def.is_none());
        assert!(model.var_uses[1].def.is_some());
    }
}
