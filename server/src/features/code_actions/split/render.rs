//! Building the output stages and printing them.
//!
//! A stage is a list of entries keyed by a position in the original file (the index of the
//! instruction they come from or stand in for) and an order among entries at the same
//! position, so that what the user wrote keeps its order and the generated instructions go
//! where they belong relative to it.

use super::analyze::{Item, Src, What};
use super::route::Part;
use crate::model::{Details, InstructionKind, Span};

#[derive(Clone, Debug)]
pub struct Entry {
    pub pos: usize,
    pub sub: i32,
    /// The user's comments above the instruction it comes from (printed with its first
    /// occurrence only).
    pub comments: String,
    /// One or more lines, each ending with `\n`.
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct OutStage {
    pub name: &'static str,
    /// Comment lines printed above the FROM (each without its line end).
    pub notes: Vec<String>,
    /// The image (or earlier stage) it is built from.
    pub from: String,
    pub flags: String,
    /// Index (in the plan) of the stage it is built from, when it is one.
    pub parent: Option<usize>,
    pub entries: Vec<Entry>,
    /// Instructions of the original file it includes.
    pub used: Vec<usize>,
    /// It runs RUN instructions (has a shell).
    pub shell: bool,
}

impl OutStage {
    pub fn new(name: &'static str, from: impl Into<String>, flags: impl Into<String>) -> OutStage {
        OutStage {
            name,
            notes: Vec::new(),
            from: from.into(),
            flags: flags.into(),
            parent: None,
            entries: Vec::new(),
            used: Vec::new(),
            shell: true,
        }
    }

    /// A generated entry (`text` without final line end; may span lines).
    pub fn add(&mut self, pos: usize, sub: i32, text: impl Into<String>) {
        let mut text = text.into();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        self.entries.push(Entry {
            pos,
            sub,
            comments: String::new(),
            text,
        });
    }

    /// A generated entry that stands for an instruction of the file: it carries that
    /// instruction's comments.
    pub fn add_with_comments(
        &mut self,
        pos: usize,
        sub: i32,
        comments: &str,
        text: impl Into<String>,
    ) {
        let mut text = text.into();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        self.entries.push(Entry {
            pos,
            sub,
            comments: comments.to_string(),
            text,
        });
    }

    /// An instruction of the original file, with its comments, as `text`.
    pub fn add_item(&mut self, item: &Item, text: impl Into<String>) {
        let mut text = text.into();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        self.entries.push(Entry {
            pos: item.index,
            sub: 0,
            comments: item.comments.clone(),
            text,
        });
        if !self.used.contains(&item.index) {
            self.used.push(item.index);
        }
    }

    /// An instruction of the original file as written.
    pub fn keep(&mut self, item: &Item) {
        self.add_item(item, item.text.clone());
    }

    pub fn includes(&self, index: usize) -> bool {
        self.used.contains(&index)
    }
}

/// Environment variables that only configure build tools: not needed at run time.
pub fn build_only_var(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    const PREFIXES: &[&str] = &[
        "POETRY_",
        "PIP_",
        "PIPENV_",
        "UV_",
        "NPM_CONFIG_",
        "YARN_",
        "PNPM_",
        "COREPACK_",
    ];
    const NAMES: &[&str] = &[
        "CGO_ENABLED",
        "GOOS",
        "GOARCH",
        "GOARM",
        "GOAMD64",
        "GOFLAGS",
        "GOPROXY",
        "GOPRIVATE",
        "GONOSUMDB",
        "GONOSUMCHECK",
        "GONOPROXY",
        "GOCACHE",
        "GOMODCACHE",
        "GO111MODULE",
        "GOTOOLCHAIN",
        "DEBIAN_FRONTEND",
    ];
    PREFIXES.iter().any(|p| n.starts_with(p)) || NAMES.contains(&n.as_str())
}

/// Environment variables that build tools read (kept in the build stages).
pub fn build_relevant_var(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    const PREFIXES: &[&str] = &[
        "NODE_",
        "NPM_",
        "YARN_",
        "PNPM_",
        "COREPACK_",
        "NEXT_",
        "PIP_",
        "POETRY_",
        "UV_",
        "PYTHON",
        "PIPENV_",
        "GO",
        "CGO_",
        "VIRTUAL_ENV",
    ];
    const NAMES: &[&str] = &[
        "PATH",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "DEBIAN_FRONTEND",
        "LANG",
        "LC_ALL",
        "CI",
    ];
    PREFIXES.iter().any(|p| n.starts_with(p)) || NAMES.contains(&n.as_str())
}

/// An ARG or ENV instruction without the pairs that look like secrets; `None` when
/// nothing is left.
pub fn without_secrets(src: &Src, item: &Item) -> Option<String> {
    let ins = src.model.instructions.get(item.index)?;
    let Details::Pairs(pairs) = &ins.details else {
        return Some(item.text.clone());
    };
    let secret = |k: &str| {
        src.secret_args
            .iter()
            .chain(&src.secret_envs)
            .any(|s| s == k)
    };
    if !pairs.iter().any(|kv| secret(&kv.key.value)) {
        return Some(item.text.clone());
    }
    let kept: Vec<String> = pairs
        .iter()
        .filter(|kv| !secret(&kv.key.value))
        .map(|kv| src.slice(kv.span).replace("\r\n", "\n"))
        .collect();
    if kept.is_empty() {
        return None;
    }
    Some(format!("{} {}", ins.keyword, kept.join(" ")))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvMode {
    /// The dependency stage: ENV that build tools read, or that included instructions use
    /// (others would only invalidate its cache).
    Build,
    /// The builder: every ENV and ARG in effect before its steps (a build may embed them).
    Builder,
    /// The runner: every ENV but build-tool configuration.
    Runtime,
}

/// Add the ARG, ENV, WORKDIR and SHELL instructions of the original file that the stage
/// needs (skipping what its parent stage already has).
pub fn fill_context(src: &Src, stage: &mut OutStage, parent_used: &[usize], mode: EnvMode) {
    let in_parent = |i: usize| parent_used.contains(&i);
    // WORKDIR and SHELL.
    for item in &src.items {
        if in_parent(item.index) || stage.includes(item.index) {
            continue;
        }
        match item.what {
            What::Workdir(_) => stage.keep(item),
            What::Shell if stage.shell => stage.keep(item),
            _ => {}
        }
    }
    let content: Vec<usize> = stage
        .used
        .iter()
        .copied()
        .filter(|&i| {
            src.item(i).is_some_and(|it| {
                matches!(
                    it.kind,
                    InstructionKind::Run | InstructionKind::Copy | InstructionKind::Add
                )
            })
        })
        .collect();
    let last_content = content.iter().max().copied();
    let has_generated_run = stage
        .entries
        .iter()
        .any(|e| e.sub != 0 && e.text.trim_start().to_ascii_uppercase().starts_with("RUN"));
    // ENV.
    for item in src.items.iter().filter(|i| matches!(i.what, What::Env)) {
        if in_parent(item.index) || stage.includes(item.index) {
            continue;
        }
        let secrets: Vec<String> = src
            .defined(item.index)
            .into_iter()
            .filter(|n| src.secret_envs.contains(n))
            .collect();
        if mode == EnvMode::Runtime && !secrets.is_empty() {
            let examples: Vec<String> = secrets.iter().map(|n| format!("-e {n}=…")).collect();
            stage.add(
                item.index,
                -1,
                format!(
                    "# {} not stored in the image (secret): set at run time, e.g. docker run {}",
                    secrets.join(", "),
                    examples.join(" ")
                ),
            );
        }
        let names: Vec<String> = src
            .defined(item.index)
            .into_iter()
            .filter(|n| !src.secret_envs.contains(n))
            .collect();
        if names.is_empty() {
            continue;
        }
        let used_later = |stage: &OutStage| {
            stage.used.iter().any(|&u| {
                u > item.index
                    && src
                        .uses(u)
                        .any(|(n, d)| names.iter().any(|x| x == n) && d == Some(item.index))
            })
        };
        let wanted = match mode {
            EnvMode::Runtime => !names.iter().all(|n| build_only_var(n)) || used_later(stage),
            EnvMode::Build => {
                (names.iter().any(|n| build_relevant_var(n))
                    && (last_content.is_some_and(|l| l > item.index) || has_generated_run))
                    || used_later(stage)
            }
            EnvMode::Builder => last_content.is_some_and(|l| l > item.index) || used_later(stage),
        };
        if wanted {
            if let Some(t) = without_secrets(src, item) {
                stage.add_item(item, t);
            }
        }
    }
    // ARG: used by an included instruction (repeat: an ARG default or ENV may use another).
    for _ in 0..4 {
        let mut added = false;
        for item in src.items.iter().filter(|i| matches!(i.what, What::Arg)) {
            if in_parent(item.index) || stage.includes(item.index) {
                continue;
            }
            let names: Vec<String> = src
                .defined(item.index)
                .into_iter()
                .filter(|n| !src.secret_args.contains(n))
                .collect();
            if names.is_empty() {
                continue;
            }
            let used = stage.used.iter().any(|&u| {
                u > item.index
                    && src.uses(u).any(|(n, d)| {
                        names.iter().any(|x| x == n) && (d == Some(item.index) || d.is_none())
                    })
            });
            let before_content = last_content.is_some_and(|l| l > item.index) || has_generated_run;
            let implicit = match mode {
                EnvMode::Build => names.iter().any(|n| build_relevant_var(n)) && before_content,
                EnvMode::Builder => last_content.is_some_and(|l| l > item.index),
                EnvMode::Runtime => false,
            };
            if used || implicit {
                if let Some(t) = without_secrets(src, item) {
                    stage.add_item(item, t);
                    added = true;
                }
            }
        }
        if !added {
            break;
        }
    }
}

/// Apply `edits` (absolute spans inside `base`) to the text of `base`.
pub fn apply_in(src: &Src, base: Span, edits: &[(Span, String)]) -> String {
    let mut sorted: Vec<&(Span, String)> = edits
        .iter()
        .filter(|(s, _)| s.start >= base.start && s.end <= base.end && s.start <= s.end)
        .collect();
    sorted.sort_by_key(|(s, _)| (s.start, s.end));
    let mut out = String::new();
    let mut pos = base.start;
    for (s, t) in sorted {
        if s.start < pos {
            continue;
        }
        out.push_str(src.slice(Span::new(pos, s.start)));
        out.push_str(t);
        pos = s.end;
    }
    out.push_str(src.slice(Span::new(pos, base.end)));
    out.replace("\r\n", "\n")
}

/// The text of a RUN part: the whole RUN as written, or the chosen commands joined with
/// `&&`; `replace` rewrites commands (absolute spans), `flags` are added after `RUN`.
pub fn run_text(
    src: &Src,
    part: &Part,
    replace: &[(Span, String)],
    flags: &[String],
) -> Option<String> {
    let ins = src.model.instructions.get(part.item)?;
    let item = src.item(part.item)?;
    let What::Run(run) = &item.what else {
        return None;
    };
    let new_flags: Vec<&String> = flags
        .iter()
        .filter(|f| {
            !ins.flags
                .iter()
                .any(|g| src.slice(g.span).eq_ignore_ascii_case(f.as_str()))
        })
        .collect();
    match &part.cmds {
        None => {
            let mut edits: Vec<(Span, String)> = replace.to_vec();
            if !new_flags.is_empty() {
                let at = ins.keyword_span.end;
                let joined: Vec<&str> = new_flags.iter().map(|s| s.as_str()).collect();
                edits.push((Span::new(at, at), format!(" {}", joined.join(" "))));
            }
            Some(apply_in(src, ins.span, &edits))
        }
        Some(ks) => {
            let mut out = ins.keyword.to_string();
            for f in &ins.flags {
                out.push(' ');
                out.push_str(src.slice(f.span));
            }
            for f in &new_flags {
                out.push(' ');
                out.push_str(f);
            }
            let parts: Vec<String> = ks
                .iter()
                .filter_map(|k| run.cmds.get(*k))
                .map(|c| apply_in(src, c.span(), replace))
                .collect();
            if parts.is_empty() {
                return None;
            }
            let sep = if run.multiline && parts.len() > 1 {
                format!(" {}\n    && ", src.escape)
            } else {
                " && ".to_string()
            };
            out.push(' ');
            out.push_str(&parts.join(&sep));
            Some(out)
        }
    }
}

/// Print the stages: the original header (directives, comments, global ARGs), each stage
/// with its notes, then the comments that ended the file. Line ends as in the input.
pub fn render(src: &Src, stages: &[OutStage], add_syntax: bool) -> String {
    let mut out = String::new();
    if add_syntax {
        out.push_str("# syntax=docker/dockerfile:1\n");
    }
    if !src.header.is_empty() {
        out.push_str(&src.header);
        out.push('\n');
    }
    let from_kw = src.kw("FROM");
    // Comments go with the first copy of their instruction.
    let mut commented: Vec<(usize, String)> = Vec::new();
    let as_kw = src.kw("AS");
    for stage in stages {
        if !out.is_empty() {
            out.push('\n');
        }
        for n in &stage.notes {
            out.push_str(n);
            out.push('\n');
        }
        out.push_str(&from_kw);
        out.push(' ');
        if !stage.flags.is_empty() {
            out.push_str(&stage.flags);
            out.push(' ');
        }
        out.push_str(&stage.from);
        out.push(' ');
        out.push_str(&as_kw);
        out.push(' ');
        out.push_str(stage.name);
        out.push('\n');
        let mut entries: Vec<&Entry> = stage.entries.iter().collect();
        entries.sort_by_key(|e| (e.pos, e.sub));
        for (k, e) in entries.iter().enumerate() {
            let key = (e.pos, e.comments.clone());
            let comments = if e.comments.is_empty() || commented.contains(&key) {
                ""
            } else {
                commented.push(key);
                e.comments.as_str()
            };
            if k > 0 && (comments.starts_with('#') || e.text.starts_with('#')) {
                out.push('\n');
            }
            out.push_str(comments);
            out.push_str(&e.text);
        }
    }
    if !src.footer.is_empty() {
        out.push('\n');
        out.push_str(&src.footer);
    }
    if src.crlf {
        out = out.replace('\n', "\r\n");
    }
    out
}
