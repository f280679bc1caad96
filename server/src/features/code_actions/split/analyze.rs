//! Reading the single stage: every instruction with its comments, what each RUN command
//! does (install, build, system packages, …) and where it can go.

use crate::model::{Details, ImageRef, InstructionKind, Model, Span, Stage};
use crate::rules::buildkit::secrets_used_in_arg_or_env::looks_secret;
use crate::rules::shell::{self, Command, ShellWord};

/// A package manager / build tool whose install the split knows how to move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Npm,
    Yarn,
    Pnpm,
    Pip,
    Poetry,
    Uv,
    Go,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Node,
    Python,
    Go,
}

impl Tool {
    pub fn family(self) -> Family {
        match self {
            Tool::Npm | Tool::Yarn | Tool::Pnpm => Family::Node,
            Tool::Pip | Tool::Poetry | Tool::Uv => Family::Python,
            Tool::Go => Family::Go,
        }
    }
}

/// What one shell command does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cat {
    /// System packages (`apt-get`, `apk`, …).
    System,
    /// Installs a tool used by the build (`npm i -g`, `corepack enable`, `pip install poetry`).
    ToolSetup,
    /// The dependency install of a known tool.
    Install(Tool),
    /// Creates a virtual environment at the path.
    Venv(String),
    /// A build step (needs the sources).
    Build,
    /// Removes development dependencies (`npm prune`).
    Prune,
    /// Creates a user or group.
    UserSetup,
    /// `set -e` and friends.
    Set,
    /// A package manager the split has no plan for (`bundle install`, `mvn`, …).
    Foreign,
    Other,
}

#[derive(Clone, Debug)]
pub struct Cmd {
    pub command: Command,
    pub cat: Cat,
}

impl Cmd {
    pub fn span(&self) -> Span {
        self.command.span
    }
    pub fn program(&self) -> &str {
        self.command.invocation().program
    }
}

#[derive(Clone, Debug)]
pub struct RunInfo {
    /// The top-level commands (not inside `$(…)`), in order.
    pub cmds: Vec<Cmd>,
    /// The commands form a plain `a && b; c` list, so they can be split apart.
    pub chain: bool,
    /// Written over several lines.
    pub multiline: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyKind {
    /// Only dependency manifests.
    Manifest,
    /// Sources into the application directory.
    Source,
    /// Files elsewhere (configuration, scripts in `/usr/local/bin`, …).
    Runtime,
    /// `--from=<image>`: a tool taken from another image.
    Image,
}

#[derive(Clone, Debug)]
pub enum What {
    Arg,
    Env,
    Workdir(String),
    Shell,
    User {
        root: bool,
    },
    /// LABEL, EXPOSE, STOPSIGNAL, VOLUME, ONBUILD, MAINTAINER.
    Meta,
    Healthcheck,
    Cmd,
    Entrypoint,
    Copy(CopyKind),
    Run(RunInfo),
    Other,
}

/// One instruction of the stage.
#[derive(Clone, Debug)]
pub struct Item {
    /// Index in `Model::instructions`.
    pub index: usize,
    pub kind: InstructionKind,
    /// Comment lines directly above it (each ending with `\n`).
    pub comments: String,
    /// The instruction as written (line ends normalised to `\n`, no final line end).
    pub text: String,
    pub what: What,
}

/// The file, read for the split.
pub struct Src<'a> {
    pub model: &'a Model,
    pub text: &'a str,
    pub stage: &'a Stage,
    pub image: ImageRef,
    /// The image word as written.
    pub image_text: String,
    /// FROM flags as written (`--platform=…`), space-separated.
    pub from_flags: String,
    pub lower: bool,
    pub escape: char,
    pub crlf: bool,
    /// `# syntax=` directive or `RUN --mount` already used.
    pub buildkit: bool,
    pub has_syntax: bool,
    pub items: Vec<Item>,
    /// Everything before the FROM line (directives, comments, global ARGs).
    pub header: String,
    /// Comments after the last instruction.
    pub footer: String,
    /// Stage-level ARG and ENV names that look like secrets (and are not kept).
    pub secret_args: Vec<String>,
    pub secret_envs: Vec<String>,
}

impl<'a> Src<'a> {
    /// A keyword in the file's case.
    pub fn kw(&self, upper: &str) -> String {
        if self.lower {
            upper.to_ascii_lowercase()
        } else {
            upper.to_string()
        }
    }

    pub fn slice(&self, span: Span) -> &'a str {
        self.text.get(span.start..span.end).unwrap_or_default()
    }

    pub fn item(&self, index: usize) -> Option<&Item> {
        self.items.iter().find(|i| i.index == index)
    }

    /// Names of the variables an instruction uses, with the instruction defining each.
    pub fn uses(&self, index: usize) -> impl Iterator<Item = (&'a str, Option<usize>)> + '_ {
        self.model
            .var_uses
            .iter()
            .filter(move |u| u.instruction == index)
            .map(|u| {
                let def = u
                    .def
                    .and_then(|d| self.model.vars.get(d))
                    .and_then(|v| v.instruction);
                (u.name.as_str(), def)
            })
    }

    /// Names defined by an ARG or ENV instruction.
    pub fn defined(&self, index: usize) -> Vec<String> {
        match self.model.instructions.get(index).map(|i| &i.details) {
            Some(Details::Pairs(pairs)) => {
                pairs.iter().map(|kv| kv.key.value.to_string()).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Whether instruction `index` uses (explicitly) a secret of the stage.
    pub fn uses_secret(&self, index: usize, name: &str) -> bool {
        self.uses(index).any(|(n, _)| n == name)
    }
}

fn normalise(s: &str) -> String {
    s.replace("\r\n", "\n")
}

/// Read the model of a single-stage file. `None` when the file is not something the split
/// can read: parse errors, several stages, no FROM image, variables where paths matter.
pub fn read<'a>(model: &'a Model, text: &'a str) -> Option<Src<'a>> {
    if !model.errors.is_empty() || model.stages.len() != 1 {
        return None;
    }
    let stage = model.stages.first()?;
    let from = model.instructions.get(stage.from)?;
    let image = stage.image.clone()?;
    let lower_image = image.raw.to_ascii_lowercase();
    if lower_image == "scratch"
        || lower_image.contains("windows")
        || lower_image.contains("nanoserver")
    {
        return None;
    }
    if !shell::is_posix_shell(model, stage.from) {
        return None;
    }
    let image_text = text
        .get(image.span.start..image.span.end)
        .unwrap_or(image.raw.as_str())
        .to_string();
    let from_flags = from
        .flags
        .iter()
        .map(|f| text.get(f.span.start..f.span.end).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ");
    let (lower, total) = model.instructions.iter().fold((0, 0), |(l, t), ins| {
        (
            l + ins.keyword.chars().all(|c| !c.is_ascii_uppercase()) as usize,
            t + 1,
        )
    });
    let crlf = match text.find('\n') {
        Some(i) => i > 0 && text.as_bytes().get(i - 1) == Some(&b'\r'),
        None => false,
    };
    let has_syntax = model.directive("syntax").is_some();
    let buildkit = has_syntax
        || model
            .instructions
            .iter()
            .any(|i| i.flags.iter().any(|f| f.name.eq_ignore_ascii_case("mount")));
    let scripts = shell::scripts(model, text);

    // Secrets: stage ARGs and ENVs whose names look like secrets.
    let mut secret_args = Vec::new();
    let mut secret_envs = Vec::new();
    for i in stage.instructions.clone() {
        let Some(ins) = model.instructions.get(i) else {
            continue;
        };
        if let Details::Pairs(pairs) = &ins.details {
            for kv in pairs {
                if looks_secret(&kv.key.value) {
                    match ins.kind {
                        InstructionKind::Arg => secret_args.push(kv.key.value.to_string()),
                        InstructionKind::Env => secret_envs.push(kv.key.value.to_string()),
                        _ => {}
                    }
                }
            }
        }
    }

    // Header: the text before the FROM line, without secret global ARGs.
    let from_line_start = line_start(text, from.span.start);
    let mut header = String::new();
    let mut pos = 0usize;
    for ins in model.instructions.iter().take(stage.from) {
        if ins.kind != InstructionKind::Arg {
            continue;
        }
        let Details::Pairs(pairs) = &ins.details else {
            continue;
        };
        let secret = pairs.iter().all(|kv| looks_secret(&kv.key.value));
        if !secret {
            continue;
        }
        let used_in_from = model
            .var_uses
            .iter()
            .any(|u| u.instruction == stage.from && pairs.iter().any(|kv| kv.key.value == u.name));
        if used_in_from {
            continue;
        }
        let a = line_start(text, ins.span.start);
        let b = next_line_start(text, ins.span.end);
        header.push_str(text.get(pos..a).unwrap_or_default());
        pos = b;
    }
    header.push_str(text.get(pos..from_line_start).unwrap_or_default());
    let mut header = normalise(&header);
    if let Some(rest) = header.strip_prefix('\u{feff}') {
        header = rest.to_string();
    }
    let header = header.trim_end_matches('\n').to_string();

    // Items.
    let mut items = Vec::new();
    let mut prev_end_line = from.end_line;
    let first_content = stage.instructions.start + 1;
    for i in first_content..stage.instructions.end {
        let Some(ins) = model.instructions.get(i) else {
            continue;
        };
        let comments: String = model
            .comments
            .iter()
            .filter(|c| c.line > prev_end_line && c.line < ins.start_line)
            .map(|c| {
                let t = text.get(c.span.start..c.span.end).unwrap_or_default();
                format!("{}\n", t.trim_end_matches('\r').trim_start())
            })
            .collect();
        prev_end_line = ins.end_line;
        let body = normalise(text.get(ins.span.start..ins.span.end).unwrap_or_default());
        let what = match &ins.kind {
            InstructionKind::Arg => What::Arg,
            InstructionKind::Env => What::Env,
            InstructionKind::Workdir => What::Workdir(ins.rest.value.trim().to_string()),
            InstructionKind::Shell => What::Shell,
            InstructionKind::User => {
                let v = ins.rest.value.trim();
                let name = v.split(':').next().unwrap_or_default();
                What::User {
                    root: name == "root" || name == "0",
                }
            }
            InstructionKind::Label
            | InstructionKind::Expose
            | InstructionKind::Stopsignal
            | InstructionKind::Volume
            | InstructionKind::Onbuild
            | InstructionKind::Maintainer => What::Meta,
            InstructionKind::Healthcheck => What::Healthcheck,
            InstructionKind::Cmd => What::Cmd,
            InstructionKind::Entrypoint => What::Entrypoint,
            InstructionKind::Copy | InstructionKind::Add => What::Copy(copy_kind(model, i)),
            InstructionKind::Run => What::Run(run_info(model, text, &scripts, i)),
            _ => What::Other,
        };
        items.push(Item {
            index: i,
            kind: ins.kind.clone(),
            comments,
            text: body,
            what,
        });
    }
    let last_end_line = prev_end_line;
    let footer: String = model
        .comments
        .iter()
        .filter(|c| c.line > last_end_line)
        .map(|c| {
            let t = text.get(c.span.start..c.span.end).unwrap_or_default();
            format!("{}\n", t.trim_end_matches('\r').trim_start())
        })
        .collect();

    Some(Src {
        model,
        text,
        stage,
        image,
        image_text,
        from_flags,
        lower: total > 0 && lower * 2 > total,
        escape: crate::features::code_actions::quickfix::escape_char(model),
        crlf,
        buildkit,
        has_syntax,
        items,
        header,
        footer,
        secret_args,
        secret_envs,
    })
}

pub fn line_start(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.get(..offset)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1)
}

pub fn next_line_start(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.get(offset..)
        .and_then(|s| s.find('\n'))
        .map_or(text.len(), |i| offset + i + 1)
}

/// Dependency manifests (and the files package managers read next to them).
pub fn is_manifest(source: &str) -> bool {
    let s = source.strip_prefix("./").unwrap_or(source);
    matches!(
        s,
        "package.json"
            | "package-lock.json"
            | "package*.json"
            | "npm-shrinkwrap.json"
            | "yarn.lock"
            | ".yarnrc"
            | ".yarnrc.yml"
            | ".npmrc"
            | "pnpm-lock.yaml"
            | "pnpm-workspace.yaml"
            | "pyproject.toml"
            | "poetry.lock"
            | "poetry.lock*"
            | "uv.lock"
            | "go.mod"
            | "go.sum"
            | "go.mod*"
            | "go.sum*"
    ) || (s.starts_with("requirements") && (s.ends_with(".txt") || s.ends_with(".in")))
}

fn copy_kind(model: &Model, index: usize) -> CopyKind {
    let Some(ins) = model.instructions.get(index) else {
        return CopyKind::Runtime;
    };
    if ins.flag("from").is_some() {
        return CopyKind::Image;
    }
    let (sources, dest) = copy_sources_dest(ins);
    let dest = dest.unwrap_or_default();
    if !sources.is_empty() && ins.heredocs.is_empty() && sources.iter().all(|s| is_manifest(s)) {
        return CopyKind::Manifest;
    }
    if dest.starts_with('/') {
        // Absolute: sources when it is the application directory (decided later).
        CopyKind::Runtime
    } else {
        CopyKind::Source
    }
}

/// COPY/ADD sources and destination (exec or shell form, heredoc names excluded).
pub fn copy_sources_dest(ins: &crate::model::Instruction) -> (Vec<String>, Option<String>) {
    let words: Vec<String> = ins.words.iter().map(|w| w.value.to_string()).collect();
    let Some((dest, sources)) = words.split_last() else {
        return (Vec::new(), None);
    };
    let sources = sources
        .iter()
        .filter(|s| !s.starts_with("<<"))
        .cloned()
        .collect();
    (sources, Some(dest.clone()))
}

fn run_info(model: &Model, text: &str, scripts: &shell::Scripts, index: usize) -> RunInfo {
    let Some(ins) = model.instructions.get(index) else {
        return RunInfo {
            cmds: Vec::new(),
            chain: false,
            multiline: false,
        };
    };
    let multiline = ins.end_line > ins.start_line;
    let Some(script) = scripts.get(index).cloned().flatten() else {
        return RunInfo {
            cmds: Vec::new(),
            chain: false,
            multiline,
        };
    };
    let cmds: Vec<Cmd> = script
        .commands
        .iter()
        .filter(|c| !c.substitution)
        .map(|c| Cmd {
            command: c.clone(),
            cat: classify(c),
        })
        .collect();
    // A plain list: only `&&` or `;` between the commands, nothing before or after.
    let mut chain = !script.has_error
        && ins.heredocs.is_empty()
        && ins.json.is_none()
        && !cmds.is_empty()
        && cmds
            .iter()
            .all(|c| !c.command.heredoc && !c.command.heredoc_input);
    if chain {
        let escape = crate::features::code_actions::quickfix::escape_char(model);
        let blank = |s: &str| -> String {
            let mut out = String::new();
            let mut in_comment = false;
            let mut prev_escape = false;
            for ch in s.chars() {
                if in_comment {
                    if ch == '\n' {
                        in_comment = false;
                    }
                    continue;
                }
                if prev_escape {
                    prev_escape = false;
                    if ch == '\n' || ch == '\r' {
                        continue;
                    }
                    out.push(escape);
                }
                if ch == escape {
                    prev_escape = true;
                    continue;
                }
                if ch == '#' && (out.is_empty() || out.ends_with(char::is_whitespace)) {
                    in_comment = true;
                    continue;
                }
                if !ch.is_whitespace() {
                    out.push(ch);
                }
            }
            out
        };
        let start = ins.rest.span.start;
        let first = cmds.first().map(|c| c.span().start).unwrap_or(start);
        if !blank(text.get(start..first).unwrap_or("?")).is_empty() {
            chain = false;
        }
        for w in cmds.windows(2) {
            let between = text.get(w[0].span().end..w[1].span().start).unwrap_or("?");
            let b = blank(between);
            if b != "&&" && b != ";" {
                chain = false;
            }
        }
        let last = cmds.last().map(|c| c.span().end).unwrap_or(ins.span.end);
        let tail = blank(text.get(last..ins.span.end).unwrap_or("?"));
        if !tail.is_empty() && tail != ";" {
            chain = false;
        }
    }
    RunInfo {
        cmds,
        chain,
        multiline,
    }
}

fn positionals<'a>(args: &'a [ShellWord], with_value: &[&str]) -> Vec<&'a ShellWord> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let t = a.text.as_str();
        if !t.starts_with('-') || t == "-" {
            out.push(a);
        } else if with_value.contains(&t) {
            i += 1;
        }
        i += 1;
    }
    out
}

fn has_flag(args: &[ShellWord], short: &[&str], long: &[&str]) -> bool {
    args.iter().any(|a| {
        let t = a.text.as_str();
        short.contains(&t)
            || long
                .iter()
                .any(|l| t == *l || t.starts_with(&format!("{l}=")))
    })
}

const PIP_TOOLS: &[&str] = &[
    "pip",
    "setuptools",
    "wheel",
    "poetry",
    "uv",
    "pipenv",
    "virtualenv",
    "pip-tools",
    "poetry-plugin-export",
];

/// What a command does.
pub fn classify(c: &Command) -> Cat {
    let inv = c.invocation();
    let args = inv.args;
    let program = inv.program;
    let npm_opts = [
        "--prefix",
        "-w",
        "--workspace",
        "--loglevel",
        "--registry",
        "--cache",
    ];
    match program {
        "npm" => {
            let pos = positionals(args, &npm_opts);
            let sub = pos.first().map(|w| w.text.as_str()).unwrap_or("");
            match sub {
                "ci" | "clean-install" | "install-clean" | "ic" => Cat::Install(Tool::Npm),
                "install" | "i" | "in" | "isntall" | "add" => {
                    if has_flag(args, &["-g"], &["--global"]) {
                        Cat::ToolSetup
                    } else if pos.len() > 1 {
                        Cat::Other
                    } else {
                        Cat::Install(Tool::Npm)
                    }
                }
                "run" | "run-script" | "rum" | "urn" | "test" | "t" | "tst" | "exec" | "x"
                | "rebuild" | "rb" | "build" | "pack" => Cat::Build,
                "prune" | "dedupe" | "ddp" => Cat::Prune,
                _ => Cat::Other,
            }
        }
        "yarn" => {
            let pos = positionals(args, &["--cwd", "--modules-folder", "--cache-folder"]);
            let sub = pos.first().map(|w| w.text.as_str()).unwrap_or("");
            match sub {
                "" | "install" => Cat::Install(Tool::Yarn),
                "global" => Cat::ToolSetup,
                "add" | "cache" | "config" | "set" | "policies" | "plugin" | "remove" => Cat::Other,
                _ => Cat::Build,
            }
        }
        "pnpm" => {
            let pos = positionals(args, &["--dir", "-C", "--filter", "-F"]);
            let sub = pos.first().map(|w| w.text.as_str()).unwrap_or("");
            match sub {
                "install" | "i" | "fetch" => {
                    if has_flag(args, &["-g"], &["--global"]) {
                        Cat::ToolSetup
                    } else {
                        Cat::Install(Tool::Pnpm)
                    }
                }
                "add" => {
                    if has_flag(args, &["-g"], &["--global"]) {
                        Cat::ToolSetup
                    } else {
                        Cat::Other
                    }
                }
                "prune" => Cat::Prune,
                "setup" | "env" => Cat::ToolSetup,
                "config" | "store" => Cat::Other,
                _ => Cat::Build,
            }
        }
        "corepack" => Cat::ToolSetup,
        "npx" | "node" | "tsc" | "next" | "vite" | "webpack" | "nest" | "ng" | "turbo" | "nx"
        | "esbuild" | "rollup" | "prisma" | "gulp" | "grunt" => Cat::Build,
        "pip" => {
            let pos = positionals(
                args,
                &[
                    "-r",
                    "--requirement",
                    "-c",
                    "--constraint",
                    "-i",
                    "--index-url",
                    "--extra-index-url",
                    "-t",
                    "--target",
                    "--prefix",
                    "-f",
                    "--find-links",
                    "--trusted-host",
                ],
            );
            let sub = pos.first().map(|w| w.text.as_str()).unwrap_or("");
            if sub != "install" {
                return Cat::Other;
            }
            let packages: Vec<&str> = pos.iter().skip(1).map(|w| w.text.as_str()).collect();
            let local =
                |p: &str| p == "." || p.starts_with("./") || p.starts_with('/') || p == "..";
            if has_flag(args, &["-e"], &["--editable"]) || packages.iter().any(|p| local(p)) {
                return Cat::Build;
            }
            if has_flag(args, &["-r"], &["--requirement"]) {
                return Cat::Install(Tool::Pip);
            }
            if has_flag(args, &["-t"], &["--target", "--prefix", "--user", "--root"]) {
                return Cat::Other;
            }
            let tool = |p: &str| {
                let name = p
                    .split(['=', '<', '>', '~', '!', '[', ' ', ';'])
                    .next()
                    .unwrap_or(p)
                    .to_ascii_lowercase();
                PIP_TOOLS.contains(&name.as_str())
            };
            if !packages.is_empty() && packages.iter().all(|p| tool(p)) {
                Cat::ToolSetup
            } else if packages.is_empty() {
                Cat::Other
            } else {
                Cat::Install(Tool::Pip)
            }
        }
        "poetry" => {
            let pos = positionals(
                args,
                &[
                    "-C",
                    "--directory",
                    "--with",
                    "--without",
                    "--only",
                    "-E",
                    "--extras",
                ],
            );
            match pos.first().map(|w| w.text.as_str()).unwrap_or("") {
                "install" | "sync" => Cat::Install(Tool::Poetry),
                "build" | "run" => Cat::Build,
                "self" => Cat::ToolSetup,
                _ => Cat::Other,
            }
        }
        "uv" => {
            let pos = positionals(
                args,
                &[
                    "--directory",
                    "--project",
                    "--extra",
                    "--group",
                    "-p",
                    "--python",
                ],
            );
            match pos.first().map(|w| w.text.as_str()).unwrap_or("") {
                "sync" => Cat::Install(Tool::Uv),
                "run" => Cat::Build,
                "tool" | "python" => Cat::ToolSetup,
                _ => Cat::Other,
            }
        }
        "virtualenv" => match positionals(args, &["-p", "--python"]).first() {
            Some(w) if w.literal => Cat::Venv(w.text.to_string()),
            _ => Cat::Other,
        },
        p if p.starts_with("python") => {
            let m = args.first().map(|w| w.text.as_str());
            if m == Some("-m") && args.get(1).is_some_and(|w| w.text == "venv") {
                match positionals(args.get(2..).unwrap_or(&[]), &["--prompt"]).first() {
                    Some(w) if w.literal => Cat::Venv(w.text.to_string()),
                    _ => Cat::Other,
                }
            } else {
                Cat::Build
            }
        }
        "go" => {
            let pos = positionals(
                args,
                &["-o", "-C", "-ldflags", "-gcflags", "-tags", "-mod", "-p"],
            );
            let sub = pos.first().map(|w| w.text.as_str()).unwrap_or("");
            match sub {
                "mod" => match pos.get(1).map(|w| w.text.as_str()) {
                    Some("download") | Some("verify") => Cat::Install(Tool::Go),
                    _ => Cat::Build,
                },
                "install" if pos.iter().skip(1).any(|w| w.text.contains('@')) => Cat::ToolSetup,
                "build" | "install" | "generate" | "test" | "vet" | "run" => Cat::Build,
                "get" => Cat::Install(Tool::Go),
                _ => Cat::Other,
            }
        }
        "apt-get"
        | "apt"
        | "apk"
        | "yum"
        | "dnf"
        | "microdnf"
        | "zypper"
        | "tdnf"
        | "update-ca-certificates"
        | "dpkg"
        | "rpm"
        | "apt-key"
        | "add-apt-repository"
        | "dpkg-reconfigure"
        | "locale-gen"
        | "debconf-set-selections" => Cat::System,
        "useradd" | "adduser" | "groupadd" | "addgroup" | "usermod" => Cat::UserSetup,
        "set" => Cat::Set,
        "bundle" | "gem" | "composer" | "mvn" | "mvnw" | "gradle" | "gradlew" | "dotnet"
        | "cargo" | "mix" | "pipenv" | "conda" | "mamba" | "bun" | "deno" | "cabal" | "stack"
        | "sbt" | "rebar3" | "swift" | "pdm" | "hatch" => Cat::Foreign,
        _ => Cat::Other,
    }
}

/// The word naming the program after wrappers, and the arguments after it.
pub fn program_words(c: &Command) -> (&ShellWord, &[ShellWord]) {
    let inv = c.invocation();
    (inv.name, inv.args)
}
