//! The semantic model of a Dockerfile: what BuildKit would read, with byte ranges.
//!
//! Built from the text alone, as BuildKit's parser reads it (directives, escape character,
//! logical lines, heredocs), so that BuildKit's own conformance cases judge it directly
//! (`dump`, `line_ranges`). Nothing here knows about tree-sitter node kinds or the LSP.

mod build;
mod dump;
mod image;
#[cfg(test)]
mod proptests;
mod shift;
mod vars;
mod words;

pub(crate) use build::common_ends;
pub use build::{build, rebuild, update};
pub use compact_str::CompactString;
pub use dump::{dump, dump_model, line_ranges};
pub use image::ImageRef;
pub use vars::{
    expand, expand_with_escape, is_platform_arg, ALWAYS_ARGS, PLATFORM_ARGS, STAGE_ENV,
};

/// A half-open byte range `[start, end)` into the document text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
    pub fn contains(&self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }
    /// Like `contains`, but also true at the end offset (a cursor just after the text).
    pub fn touches(&self, offset: usize) -> bool {
        self.start <= offset && offset <= self.end
    }
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// The 18 Dockerfile instructions, plus anything else written in instruction position.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum InstructionKind {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    /// An unknown keyword, as written.
    Unknown(String),
}

impl InstructionKind {
    pub const ALL: [InstructionKind; 18] = [
        InstructionKind::Add,
        InstructionKind::Arg,
        InstructionKind::Cmd,
        InstructionKind::Copy,
        InstructionKind::Entrypoint,
        InstructionKind::Env,
        InstructionKind::Expose,
        InstructionKind::From,
        InstructionKind::Healthcheck,
        InstructionKind::Label,
        InstructionKind::Maintainer,
        InstructionKind::Onbuild,
        InstructionKind::Run,
        InstructionKind::Shell,
        InstructionKind::Stopsignal,
        InstructionKind::User,
        InstructionKind::Volume,
        InstructionKind::Workdir,
    ];

    /// Case-insensitive lookup of a keyword; unknown words give `Unknown`.
    pub fn from_keyword(word: &str) -> InstructionKind {
        Self::ALL
            .iter()
            .find(|k| k.name().eq_ignore_ascii_case(word))
            .cloned()
            .unwrap_or_else(|| InstructionKind::Unknown(word.to_string()))
    }

    /// Whether `word` is an instruction keyword written in capitals (`COPY`, not `copy`):
    /// how a line that starts an instruction is told from a script's line, where `env`
    /// and friends in lower case are common.
    pub fn is_capital_keyword(word: &str) -> bool {
        word.len() >= 3
            && word.bytes().all(|b| b.is_ascii_uppercase())
            && Self::ALL.iter().any(|k| k.name() == word)
    }

    /// The canonical upper-case keyword (`Unknown` gives its text as written).
    pub fn name(&self) -> &str {
        match self {
            InstructionKind::Add => "ADD",
            InstructionKind::Arg => "ARG",
            InstructionKind::Cmd => "CMD",
            InstructionKind::Copy => "COPY",
            InstructionKind::Entrypoint => "ENTRYPOINT",
            InstructionKind::Env => "ENV",
            InstructionKind::Expose => "EXPOSE",
            InstructionKind::From => "FROM",
            InstructionKind::Healthcheck => "HEALTHCHECK",
            InstructionKind::Label => "LABEL",
            InstructionKind::Maintainer => "MAINTAINER",
            InstructionKind::Onbuild => "ONBUILD",
            InstructionKind::Run => "RUN",
            InstructionKind::Shell => "SHELL",
            InstructionKind::Stopsignal => "STOPSIGNAL",
            InstructionKind::User => "USER",
            InstructionKind::Volume => "VOLUME",
            InstructionKind::Workdir => "WORKDIR",
            InstructionKind::Unknown(s) => s,
        }
    }
}

/// A parser directive from the leading comment block (`# syntax=`, `# escape=`, `# check=`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// Lower-cased name.
    pub name: String,
    pub value: String,
    /// The whole comment line (without the line end).
    pub span: Span,
    pub name_span: Span,
    pub value_span: Span,
}

/// A comment line that is not a directive (also the ones inside continued instructions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// Text after `#`, trimmed.
    pub text: String,
    /// The comment from `#` to the end of the line (without the line end).
    pub span: Span,
    /// 0-based line number.
    pub line: usize,
}

/// One word of an instruction's arguments, with quotes removed and escapes processed
/// (`value`), as written (`raw`), and where it is.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Word {
    pub value: CompactString,
    pub raw: CompactString,
    pub span: Span,
}

/// Everything after an instruction's flags, as one piece.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Rest {
    /// The logical line from there on (continuations joined, comment lines removed,
    /// trimmed): what BuildKit sees for shell form.
    pub value: CompactString,
    /// Its extent in the document. The text under it is the rest as written, continuation
    /// characters and comment lines included (not kept apart: nothing but two BuildKit
    /// checks reads it, and a copy for each instruction of a large file cost an
    /// allocation each).
    pub span: Span,
}

/// A `--name[=value]` flag at the start of an instruction's arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// Name without the leading dashes, as written (`mount`, `from`, `chmod`).
    pub name: CompactString,
    /// The value after `=`, quotes removed; `None` for a bare boolean flag (`--link`).
    pub value: Option<CompactString>,
    /// The whole `--name=value` word.
    pub span: Span,
    /// `name` without dashes.
    pub name_span: Span,
    pub value_span: Option<Span>,
    /// For `--mount`: its comma-separated `key=value` options. Empty for other flags.
    pub options: Vec<FlagOption>,
}

/// One `key[=value]` item of a `--mount` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagOption {
    pub key: CompactString,
    pub value: Option<CompactString>,
    pub span: Span,
    pub key_span: Span,
    pub value_span: Option<Span>,
}

/// `KEY=value` or the legacy `KEY value` form (ENV, LABEL), or `NAME[=default]` (ARG).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    pub key: Word,
    pub value: Option<Word>,
    /// The whole pair.
    pub span: Span,
    /// Written as `KEY value` (no `=`).
    pub legacy: bool,
}

/// A JSON (exec form) array argument, e.g. `["npm", "start"]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonArgs {
    pub items: Vec<Word>,
    /// From `[` to `]`.
    pub span: Span,
}

/// A heredoc opened on an instruction line (`<<EOF`, `<<-EOF`, `<<"EOF"`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter word without quotes.
    pub delimiter: String,
    /// `<<-`: leading tabs are stripped from the body and the closing line.
    pub strip_tabs: bool,
    /// Delimiter was quoted: no variable expansion in the body.
    pub quoted: bool,
    /// The `<<EOF` marker on the instruction line.
    pub marker_span: Span,
    /// The body lines (from the line after the instruction up to, not including, the
    /// closing line), including their line ends.
    pub body_span: Span,
    pub body: String,
    /// The closing delimiter line; `None` when the heredoc is unterminated.
    pub end_span: Option<Span>,
}

/// Typed arguments of the instructions that have a structure of their own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Details {
    /// `FROM [--platform=..] image [AS name]`.
    From {
        /// Boxed, as the words below: the variants stay small, and so every instruction
        /// (one is kept for each line of a large file, and few of them are FROMs).
        image: Option<Box<ImageRef>>,
        /// The `AS` keyword, as written.
        as_keyword: Option<Box<Word>>,
        stage_name: Option<Box<Word>>,
    },
    /// ENV, LABEL: pairs; ARG: declarations (`value` = default).
    Pairs(Vec<KeyValue>),
    /// `ONBUILD <instruction>`: the wrapped instruction.
    Onbuild(Box<Instruction>),
    /// HEALTHCHECK NONE / HEALTHCHECK [flags] CMD ...: `cmd` is the `CMD` keyword word.
    Healthcheck { none: bool, cmd: Option<Box<Word>> },
    /// Everything else: see `Instruction::args`/`json`.
    None,
}

/// One instruction (a logical line, with its continuation lines and heredoc bodies).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    pub kind: InstructionKind,
    /// The keyword as written (`copy`, `COPY`, `Copy`).
    pub keyword: CompactString,
    pub keyword_span: Span,
    /// From the keyword to the end of the last line that belongs to it (continuations,
    /// heredoc bodies and closing lines), without the final line end. As in BuildKit, comment
    /// and empty lines read while looking for a continuation belong to the instruction.
    pub span: Span,
    /// 0-based first and last line (inclusive) of `span`.
    pub start_line: usize,
    pub end_line: usize,
    pub flags: Vec<Flag>,
    /// Everything after the flags.
    pub rest: Rest,
    /// `rest` split into words (quote-aware, quotes kept in `raw`, removed in `value`; `raw`
    /// is the word as in the logical line, `span` its extent in the document). In exec form
    /// these are the JSON items (as `json.items`); for HEALTHCHECK the type word (`CMD`,
    /// `NONE`, ...) followed by the command's words or JSON items.
    pub words: Vec<Word>,
    /// Exec form, when `rest` is a valid JSON array of strings (for HEALTHCHECK: the array
    /// after `CMD`).
    pub json: Option<Box<JsonArgs>>,
    /// Heredocs opened on the instruction line (for `ONBUILD RUN <<EOF`: on the ONBUILD
    /// instruction, as BuildKit attaches them).
    pub heredocs: Vec<Heredoc>,
    pub details: Details,
    /// Index of the stage this instruction belongs to; `None` before the first FROM.
    pub stage: Option<usize>,
    /// 0-based lines inside the instruction that were empty continuation lines.
    pub empty_continuation_lines: Vec<usize>,
    /// Comment lines inside the continued instruction.
    pub inner_comments: Vec<Comment>,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
    /// Shell form: not a JSON array (RUN, CMD, ENTRYPOINT, SHELL ...).
    pub fn is_shell_form(&self) -> bool {
        self.json.is_none()
    }
}

/// BuildKit's pattern for a stage name, `^[a-z][a-z0-9-_.]*$` (it lowercases a name
/// written in a FROM before matching).
pub fn is_stage_name(name: &str) -> bool {
    let b = name.as_bytes();
    b.first().is_some_and(u8::is_ascii_lowercase)
        && b.iter().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'_' | b'.')
        })
}

/// A build stage: a FROM and the instructions up to the next FROM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// `AS name`, as written (BuildKit compares names case-insensitively).
    pub name: Option<Word>,
    /// Index of the FROM in `Model::instructions`.
    pub from: usize,
    /// Indices into `Model::instructions` of this stage's instructions, FROM included.
    pub instructions: std::ops::Range<usize>,
    pub image: Option<ImageRef>,
    pub platform: Option<Flag>,
    /// From the FROM to the end of the stage's last instruction.
    pub span: Span,
}

impl Stage {
    /// The name in lower case (how references match), or `None`.
    pub fn key(&self) -> Option<String> {
        self.name
            .as_ref()
            .map(|w| w.value.as_str().to_ascii_lowercase())
    }
}

/// Where a variable is defined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VarKind {
    /// `ARG` before the first FROM.
    GlobalArg,
    /// `ARG` inside a stage (possibly re-declaring a global ARG).
    Arg,
    Env,
    /// BuildKit's automatic platform args and proxies (no span in the file).
    Predefined,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarDef {
    pub name: CompactString,
    pub kind: VarKind,
    /// The name in the ARG/ENV instruction (empty span for predefined ones).
    pub name_span: Span,
    /// The literal value or default as written (unexpanded), if any.
    pub value: Option<CompactString>,
    /// Index into `Model::instructions`.
    pub instruction: Option<usize>,
    pub stage: Option<usize>,
    /// For a stage ARG without a default that re-declares a global ARG: that global's index
    /// in `Model::vars`.
    pub global: Option<usize>,
}

/// A `$VAR` or `${VAR...}` use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarUse {
    pub name: CompactString,
    /// The whole expansion (`${VAR:-x}`).
    pub span: Span,
    pub name_span: Span,
    /// The operator and word after the name, e.g. `:-x`, if any.
    pub modifier: Option<CompactString>,
    pub instruction: usize,
    pub stage: Option<usize>,
    /// Inside a heredoc body or a shell-form RUN/CMD/ENTRYPOINT, where the shell (not
    /// BuildKit) expands it.
    pub in_shell: bool,
    /// Index into `Model::vars` of the definition in scope, if any.
    pub def: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageRefKind {
    /// `COPY --from=x` / `ADD --from=x`.
    CopyFrom,
    /// `RUN --mount=...,from=x`.
    MountFrom,
    /// `FROM x` where x may be an earlier stage.
    FromImage,
}

/// A reference to a stage by name or index (or an image, which resolves to no stage).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageRef {
    pub name: CompactString,
    pub span: Span,
    pub kind: StageRefKind,
    pub instruction: usize,
    /// The stage containing the reference (`None` before the first FROM).
    pub stage: Option<usize>,
    /// The stage it names, if it names one defined before `stage`.
    pub target: Option<usize>,
}

/// A problem BuildKit's parser would report while reading the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
}

/// The whole model of one document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Model {
    /// The escape character (`\\` or `` ` ``).
    pub escape: char,
    pub directives: Vec<Directive>,
    pub comments: Vec<Comment>,
    /// Every instruction in order, including ARGs before the first FROM.
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
    pub vars: Vec<VarDef>,
    pub var_uses: Vec<VarUse>,
    pub stage_refs: Vec<StageRef>,
    pub errors: Vec<ParseError>,
}

impl Model {
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(name))
    }
    /// The instruction whose span contains (or ends at) `offset`.
    pub fn instruction_at(&self, offset: usize) -> Option<(usize, &Instruction)> {
        let i = self
            .instructions
            .partition_point(|ins| ins.span.end < offset);
        self.instructions
            .get(i)
            .filter(|ins| ins.span.touches(offset))
            .map(|ins| (i, ins))
    }
    /// The stage containing `offset` (the last stage whose FROM starts before it).
    pub fn stage_at(&self, offset: usize) -> Option<&Stage> {
        let i = self
            .stages
            .partition_point(|s| self.instructions[s.from].span.start <= offset);
        i.checked_sub(1).and_then(|i| self.stages.get(i))
    }
    /// Look up a stage by name (case-insensitive) or numeric index.
    pub fn find_stage(&self, name_or_index: &str) -> Option<&Stage> {
        if let Ok(i) = name_or_index.parse::<usize>() {
            return self.stages.get(i);
        }
        self.stages.iter().find(|s| {
            s.name
                .as_ref()
                .is_some_and(|n| n.value.eq_ignore_ascii_case(name_or_index))
        })
    }
}
