//! Helpers shared by the best-practice rules: stages, RUN scripts, package installs, edits.

use std::rc::Rc;

use crate::model::{Instruction, InstructionKind, Model, Span, Stage, StageRefKind};
use crate::rules::shell::{self, Command, Invocation, Script};
use crate::rules::{Ctx, Edit};

/// Every analysed RUN in the check's scope: (instruction index, instruction, script).
pub fn runs<'a>(
    ctx: &'a Ctx<'a>,
) -> impl Iterator<Item = (usize, &'a Instruction, Rc<Script>)> + 'a {
    let scripts = scripts(ctx);
    ctx.instructions()
        .filter_map(move |(i, ins)| scripts.get(i).cloned().flatten().map(|s| (i, ins, s)))
}

/// The shell analysis of every instruction in the check's scope (fetch it once per check).
pub fn scripts(ctx: &Ctx) -> shell::Scripts {
    shell::scripts_in(ctx.model, ctx.text, ctx.scope)
}

/// The script of one RUN, if analysed.
pub fn script(scripts: &shell::Scripts, index: usize) -> Option<Rc<Script>> {
    scripts.get(index).cloned().flatten()
}

/// Instructions of a stage (FROM included).
pub fn stage_instructions<'a>(model: &'a Model, stage: &Stage) -> &'a [Instruction] {
    model
        .instructions
        .get(stage.instructions.clone())
        .unwrap_or(&[])
}

/// The earlier stage a stage is built on (`FROM <stage>`), if any.
pub fn parent_stage(model: &Model, stage: &Stage) -> Option<usize> {
    // The references are in instruction order.
    let refs = &model.stage_refs;
    let first = refs.partition_point(|r| r.instruction < stage.from);
    for r in refs.get(first..).unwrap_or(&[]) {
        if r.instruction != stage.from {
            break;
        }
        if r.kind == StageRefKind::FromImage {
            return r.target;
        }
    }
    if !refs.is_empty() {
        return None;
    }
    // Fallback when the model has no stage references: match the image name.
    let image = stage.image.as_ref()?;
    if image.tag.is_some() || image.digest.is_some() || image.registry.is_some() {
        return None;
    }
    let lower = image.raw.to_ascii_lowercase();
    model
        .stages
        .iter()
        .take(stage.index)
        .rev()
        .find(|s| s.key().is_some_and(|k| k == lower))
        .map(|s| s.index)
}

/// The stage and the stages it is built on, nearest first.
pub fn stage_chain(model: &Model, stage: usize) -> Vec<usize> {
    let mut out = vec![stage];
    let mut cur = stage;
    while let Some(p) = model.stages.get(cur).and_then(|s| parent_stage(model, s)) {
        // Parents come strictly earlier, so the walk cannot loop.
        if p >= cur {
            break;
        }
        out.push(p);
        cur = p;
    }
    out
}

/// Every stage's parent (the earlier stage it is built on), in one pass: rules that look
/// at the chains of all stages use this instead of walking each chain (a file of
/// thousands of stages each built on the previous one must not cost quadratic time).
pub fn parents(model: &Model) -> Vec<Option<usize>> {
    model
        .stages
        .iter()
        .map(|s| parent_stage(model, s).filter(|p| *p < s.index))
        .collect()
}

/// For every stage: the last stage of its chain (the one built on an image), given
/// [`parents`].
pub fn roots(parents: &[Option<usize>]) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::with_capacity(parents.len());
    for (s, p) in parents.iter().enumerate() {
        let root = p.and_then(|p| out.get(p).copied()).unwrap_or(s);
        out.push(root);
    }
    out
}

/// Whether `stage` is in a chain from [`stage_chain`] (nearest first: indices decrease).
pub fn chain_contains(chain: &[usize], stage: usize) -> bool {
    chain.binary_search_by(|x| stage.cmp(x)).is_ok()
}

/// The stages whose filesystem ends up in the final image: the last stage and the stages it
/// is built on.
pub fn final_chain(model: &Model) -> Vec<usize> {
    match model.stages.len() {
        0 => Vec::new(),
        n => stage_chain(model, n - 1),
    }
}

/// The external base image of a stage (following `FROM <stage>`), as written.
pub fn base_image(model: &Model, stage: usize) -> Option<&crate::model::ImageRef> {
    let chain = stage_chain(model, stage);
    let last = *chain.last()?;
    model.stages.get(last).and_then(|s| s.image.as_ref())
}

/// `FROM scratch` (following `FROM <stage>`).
pub fn is_scratch(model: &Model, stage: usize) -> bool {
    base_image(model, stage).is_some_and(|i| i.raw.eq_ignore_ascii_case("scratch"))
}

/// Whether a RUN has a `--mount=type=cache` whose target starts with one of `targets`
/// (any cache mount when `targets` is empty).
pub fn has_cache_mount(ins: &Instruction, targets: &[&str]) -> bool {
    ins.flags
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("mount"))
        .any(|f| {
            let opt = |k: &str| {
                f.options
                    .iter()
                    .find(|o| o.key.eq_ignore_ascii_case(k))
                    .and_then(|o| o.value.as_deref())
            };
            let is_cache = opt("type").is_some_and(|t| t.eq_ignore_ascii_case("cache"))
                || f.value.as_deref().is_some_and(|v| v.contains("type=cache"));
            if !is_cache {
                return false;
            }
            if targets.is_empty() {
                return true;
            }
            let target = opt("target")
                .or_else(|| opt("dst"))
                .or_else(|| opt("destination"));
            let target = match (target, &f.value) {
                (Some(t), _) => t,
                (None, Some(v)) => v
                    .split(',')
                    .find_map(|kv| {
                        let (k, v) = kv.split_once('=')?;
                        matches!(k, "target" | "dst" | "destination").then_some(v)
                    })
                    .unwrap_or_default(),
                _ => "",
            };
            let target = target.trim_end_matches('/');
            targets.iter().any(|t| {
                let t = t.trim_end_matches('/');
                target == t
                    || target.starts_with(&format!("{t}/"))
                    || t.starts_with(&format!("{target}/"))
            })
        })
}

/// The effective invocations of a script that are not inside `$(…)`.
pub fn invocations(script: &Script) -> impl Iterator<Item = Invocation<'_>> {
    script
        .commands
        .iter()
        .filter(|c| !c.substitution)
        .map(Command::invocation)
}

/// Insert `text` right after `word` (with a leading space).
pub fn insert_after(word: Span, text: &str) -> Edit {
    Edit {
        span: Span::new(word.end, word.end),
        new_text: format!(" {text}"),
    }
}

/// Replace `span` with `text`.
pub fn replace(span: Span, text: &str) -> Edit {
    Edit {
        span,
        new_text: text.to_string(),
    }
}

/// The start of the line containing `offset`.
pub fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .and_then(|t| t.rfind('\n'))
        .map(|i| i + 1)
        .unwrap_or(0)
}

/// The offset just after the line end of the line containing `offset` (or the text end).
pub fn line_end_after(text: &str, offset: usize) -> usize {
    let o = offset.min(text.len());
    text.get(o..)
        .and_then(|t| t.find('\n'))
        .map(|i| o + i + 1)
        .unwrap_or(text.len())
}

/// The leading indentation of the line containing `offset`.
pub fn indent_at(text: &str, offset: usize) -> &str {
    let s = line_start(text, offset);
    let line = text.get(s..).unwrap_or("");
    let n = line.len() - line.trim_start_matches([' ', '\t']).len();
    line.get(..n).unwrap_or("")
}

/// The text of a span (empty when out of range).
pub fn slice(text: &str, span: Span) -> &str {
    text.get(span.start..span.end).unwrap_or("")
}

/// An edit that appends the shell command `cmd` at the end of a RUN (after its last command,
/// with `&&`, or as a last line of a heredoc script). `None` when the end is not plain.
pub fn append_to_run(text: &str, ins: &Instruction, script: &Script, cmd: &str) -> Option<Edit> {
    if ins.json.is_some() {
        return None;
    }
    if let Some(h) = ins.heredocs.last() {
        let line_has_commands = script.commands.iter().any(|c| !c.heredoc);
        let end = h.end_span?;
        if line_has_commands || ins.heredocs.len() != 1 {
            return None;
        }
        return Some(Edit {
            span: Span::new(end.start, end.start),
            new_text: format!("{cmd}\n"),
        });
    }
    let last_end = script.commands.iter().map(|c| c.span.end).max()?;
    let end = ins.rest.span.end;
    let tail = slice(text, Span::new(last_end, end));
    if !tail.trim().is_empty() || last_end > end {
        return None;
    }
    Some(Edit {
        span: Span::new(last_end, last_end),
        new_text: format!(" && {cmd}"),
    })
}

/// The nearest instruction before a given one, in its stage or else in the stages it is
/// built on (nearest first), that passes a test. Each stage's matches are listed once per
/// check and what a chain of base stages holds is found once, so that thousands of
/// instructions in a stage, or of stages each built on the previous one, cost linear time
/// (a walk back from every instruction cost quadratic time).
pub struct NearestBefore<'a, F> {
    model: &'a Model,
    test: F,
    /// Per stage: its matching instructions, ascending, once listed.
    found: Vec<Option<Vec<usize>>>,
    /// Per stage: the last match in it or in the stages it is built on, once known.
    last: Vec<Option<Option<usize>>>,
}

impl<'a, F: Fn(&Instruction) -> bool> NearestBefore<'a, F> {
    pub fn new(model: &'a Model, test: F) -> Self {
        let n = model.stages.len();
        NearestBefore {
            model,
            test,
            found: vec![None; n],
            last: vec![None; n],
        }
    }

    /// The nearest match before instruction `index` (see the type).
    pub fn find(&mut self, index: usize) -> Option<usize> {
        let stage = self.model.instructions.get(index)?.stage?;
        let found = self.found(stage);
        match found.partition_point(|&i| i < index) {
            0 => {
                let parent = self.parent(stage)?;
                self.last_in_chain(parent)
            }
            k => found.get(k - 1).copied(),
        }
    }

    fn parent(&self, stage: usize) -> Option<usize> {
        let st = self.model.stages.get(stage)?;
        // Parents come strictly earlier, so walking up cannot loop.
        parent_stage(self.model, st).filter(|&p| p < stage)
    }

    fn found(&mut self, stage: usize) -> &[usize] {
        let (model, test) = (self.model, &self.test);
        let Some(slot) = self.found.get_mut(stage) else {
            return &[];
        };
        slot.get_or_insert_with(|| {
            let range = model
                .stages
                .get(stage)
                .map_or(0..0, |s| s.instructions.clone());
            range
                .filter(|&i| model.instructions.get(i).is_some_and(test))
                .collect()
        })
    }

    /// The last match in `stage` or else in the stages it is built on (walked up to the
    /// first stage already known, without recursion).
    fn last_in_chain(&mut self, stage: usize) -> Option<usize> {
        let mut path = Vec::new();
        let mut cur = Some(stage);
        let mut result = None;
        while let Some(c) = cur {
            if let Some(Some(known)) = self.last.get(c) {
                result = *known;
                break;
            }
            path.push(c);
            if let Some(&last) = self.found(c).last() {
                result = Some(last);
                break;
            }
            cur = self.parent(c);
        }
        for c in path {
            if let Some(slot) = self.last.get_mut(c) {
                *slot = Some(result);
            }
        }
        result
    }
}

/// A test for [`NearestBefore`], boxed so that one per variable name fits in a list.
type Test<'a> = Box<dyn Fn(&Instruction) -> bool + 'a>;

/// The values ENV and ARG give variables before an instruction, in its stage or else in the
/// stages it is built on: a [`NearestBefore`] per name asked for in a check.
pub struct EnvBefore<'a> {
    model: &'a Model,
    by_name: Vec<(String, NearestBefore<'a, Test<'a>>)>,
}

impl<'a> EnvBefore<'a> {
    pub fn new(model: &'a Model) -> Self {
        EnvBefore {
            model,
            by_name: Vec::new(),
        }
    }

    /// The value the nearest ENV or ARG before instruction `index` gives `name` (an `ARG`
    /// without a default does not count).
    pub fn get(&mut self, index: usize, name: &str) -> Option<String> {
        let model = self.model;
        let slot = match self.by_name.iter().position(|(n, _)| n == name) {
            Some(slot) => slot,
            None => {
                let owned = name.to_string();
                let test: Test<'a> = Box::new(move |i: &Instruction| value_of(i, &owned).is_some());
                self.by_name
                    .push((name.to_string(), NearestBefore::new(model, test)));
                self.by_name.len() - 1
            }
        };
        let at = self.by_name.get_mut(slot)?.1.find(index)?;
        value_of(model.instructions.get(at)?, name).map(str::to_string)
    }
}

/// The value an ENV or ARG instruction gives `name` (its last pair of that name with one).
fn value_of<'a>(ins: &'a Instruction, name: &str) -> Option<&'a str> {
    if ins.kind != InstructionKind::Env && ins.kind != InstructionKind::Arg {
        return None;
    }
    let crate::model::Details::Pairs(pairs) = &ins.details else {
        return None;
    };
    pairs
        .iter()
        .rev()
        .filter(|kv| kv.key.value == name)
        .find_map(|kv| kv.value.as_ref())
        .map(|v| v.value.as_str())
}

/// The USERs of a check, to tell whether an instruction runs as a non-root user.
pub fn users(model: &Model) -> NearestBefore<'_, impl Fn(&Instruction) -> bool> {
    NearestBefore::new(model, |i: &Instruction| i.kind == InstructionKind::User)
}

/// Whether the stage chain of instruction `index` switched to a non-root user before it
/// (`users` from [`users`]).
pub fn non_root_before<F: Fn(&Instruction) -> bool>(
    users: &mut NearestBefore<'_, F>,
    index: usize,
) -> bool {
    let model = users.model;
    let Some(user) = users.find(index).and_then(|u| model.instructions.get(u)) else {
        return false;
    };
    let name = user.rest.value.split(':').next().unwrap_or("").trim();
    !(name == "root" || name == "0")
}

/// `apt-get -s|--simulate|--dry-run …`: nothing is installed and nothing is asked.
pub fn apt_simulates(inv: &Invocation) -> bool {
    inv.has_option(
        Some('s'),
        &["simulate", "just-print", "dry-run", "recon", "no-act"],
    )
}

/// Whether instruction `index` belongs to a stage whose filesystem is part of the final image.
pub fn in_final_image(model: &Model, final_chain: &[usize], index: usize) -> bool {
    let Some(stage) = model.instructions.get(index).and_then(|i| i.stage) else {
        return false;
    };
    chain_contains(final_chain, stage)
}

/// Whether a command of the script removes (with `rm`) a path starting with one of `prefixes`.
pub fn removes(script: &Script, prefixes: &[&str]) -> bool {
    invocations(script).any(|inv| {
        inv.program == "rm"
            && inv.args.iter().any(|a| {
                let t = a.text.trim_end_matches('*').trim_end_matches('/');
                prefixes.iter().any(|p| {
                    let p = p.trim_end_matches('/');
                    t == p
                        || t.starts_with(&format!("{p}/"))
                        || (p.starts_with(t)
                            && !t.is_empty()
                            && t.len() > 1
                            && p[t.len()..].starts_with('/'))
                })
            })
    })
}

/// Package managers and dependency installers found in RUN scripts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eco {
    Npm,
    Yarn,
    Pnpm,
    Bun,
    Pip,
    Poetry,
    Uv,
    Pipenv,
    Go,
    Bundler,
    Composer,
    Maven,
    Gradle,
    Dotnet,
    Mix,
    Apt,
    Apk,
    Yum,
    Zypper,
}

impl Eco {
    /// A system package manager (its installs read no file of the build context).
    pub fn is_system(self) -> bool {
        matches!(self, Eco::Apt | Eco::Apk | Eco::Yum | Eco::Zypper)
    }

    pub fn name(self) -> &'static str {
        match self {
            Eco::Npm => "npm",
            Eco::Yarn => "yarn",
            Eco::Pnpm => "pnpm",
            Eco::Bun => "bun",
            Eco::Pip => "pip",
            Eco::Poetry => "poetry",
            Eco::Uv => "uv",
            Eco::Pipenv => "pipenv",
            Eco::Go => "go",
            Eco::Bundler => "bundler",
            Eco::Composer => "composer",
            Eco::Maven => "maven",
            Eco::Gradle => "gradle",
            Eco::Dotnet => "dotnet",
            Eco::Mix => "mix",
            Eco::Apt => "apt-get",
            Eco::Apk => "apk",
            Eco::Yum => "yum/dnf",
            Eco::Zypper => "zypper",
        }
    }

    /// Files of the build context the install reads (file names or globs).
    pub fn manifests(self) -> &'static [&'static str] {
        match self {
            Eco::Npm => &[
                "package.json",
                "package-lock.json",
                "npm-shrinkwrap.json",
                ".npmrc",
            ],
            Eco::Yarn => &["package.json", "yarn.lock", ".yarnrc", ".yarnrc.yml"],
            Eco::Pnpm => &[
                "package.json",
                "pnpm-lock.yaml",
                "pnpm-workspace.yaml",
                ".npmrc",
            ],
            Eco::Bun => &["package.json", "bun.lockb", "bun.lock"],
            Eco::Pip => &["requirements.txt"],
            Eco::Poetry => &["pyproject.toml", "poetry.lock"],
            Eco::Uv => &["pyproject.toml", "uv.lock"],
            Eco::Pipenv => &["Pipfile", "Pipfile.lock"],
            Eco::Go => &["go.mod", "go.sum"],
            Eco::Bundler => &["Gemfile", "Gemfile.lock"],
            Eco::Composer => &["composer.json", "composer.lock"],
            Eco::Maven => &["pom.xml"],
            Eco::Gradle => &[
                "build.gradle",
                "build.gradle.kts",
                "settings.gradle",
                "settings.gradle.kts",
                "gradle.properties",
            ],
            Eco::Dotnet => &["*.csproj", "*.fsproj", "*.vbproj", "*.sln", "NuGet.config"],
            Eco::Mix => &["mix.exs", "mix.lock"],
            _ => &[],
        }
    }

    /// Whether a copied source path names a manifest of this ecosystem.
    pub fn is_manifest(self, source: &str) -> bool {
        let name = source
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(source);
        let lower = name.to_ascii_lowercase();
        let glob_match = |pat: &str| -> bool {
            let pat = pat.to_ascii_lowercase();
            if let Some(suffix) = pat.strip_prefix('*') {
                return lower.ends_with(suffix);
            }
            if lower == pat {
                return true;
            }
            // A glob in the source that matches the manifest (`package*.json`, `*.lock`).
            if lower.contains('*') {
                return glob(&lower, &pat);
            }
            false
        };
        match self {
            Eco::Pip => {
                (lower.starts_with("requirements")
                    && (lower.ends_with(".txt") || lower.ends_with(".in")))
                    || lower == "requirements"
                    || lower.contains('*') && glob(&lower, "requirements.txt")
                    || lower == "pyproject.toml"
                    || lower == "setup.py"
                    || lower == "setup.cfg"
            }
            _ => self.manifests().iter().any(|m| glob_match(m)),
        }
    }
}

/// A minimal glob match (`*` and `?`), case-sensitive on already lower-cased input.
pub fn glob(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            pi += 1;
            mark = ni;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// What an install reads, when it is a dependency install.
#[derive(Clone, Debug)]
pub struct Install {
    pub eco: Eco,
    /// For `pip install -r X` / `uv pip install -r X`: the requirement files.
    pub files: Vec<String>,
}

/// Classify an invocation as an install of project dependencies (reading manifests of the
/// build context) or of system packages.
pub fn classify_install(inv: &Invocation) -> Option<Install> {
    let sub = |with_value: &[&str]| inv.subcommand(with_value).map(|w| w.text.as_str());
    let positionals_after_sub =
        |with_value: &[&str]| inv.positionals(with_value).len().saturating_sub(1);
    let eco = |eco| {
        Some(Install {
            eco,
            files: Vec::new(),
        })
    };
    match inv.program {
        "npm" => {
            let global = inv.has_option(Some('g'), &["global"]);
            match sub(&[
                "--prefix",
                "-C",
                "--workspace",
                "-w",
                "--registry",
                "--cache",
            ])? {
                "ci" | "clean-install" | "install-clean" | "isntall" => eco(Eco::Npm),
                "install" | "i" | "add" | "in" | "ins" | "inst" | "insta" | "instal"
                    if !global
                        && positionals_after_sub(&[
                            "--prefix",
                            "-C",
                            "--workspace",
                            "-w",
                            "--registry",
                            "--cache",
                        ]) == 0 =>
                {
                    eco(Eco::Npm)
                }
                _ => None,
            }
        }
        "yarn" => {
            let s = sub(&[
                "--cwd",
                "--modules-folder",
                "--cache-folder",
                "--network-timeout",
                "--mutex",
            ]);
            match s {
                None | Some("install") => eco(Eco::Yarn),
                _ => None,
            }
        }
        "pnpm" => match sub(&["--dir", "-C", "--filter", "-F", "--store-dir"])? {
            "install" | "i" | "fetch"
                if positionals_after_sub(&["--dir", "-C", "--filter", "-F", "--store-dir"])
                    == 0 =>
            {
                eco(Eco::Pnpm)
            }
            _ => None,
        },
        "bun" => match sub(&["--cwd"])? {
            "install" | "i" if positionals_after_sub(&["--cwd"]) == 0 => eco(Eco::Bun),
            _ => None,
        },
        "pip" => {
            if sub(&[
                "-r",
                "--requirement",
                "-c",
                "--constraint",
                "-i",
                "--index-url",
                "--target",
                "-t",
            ])? != "install"
            {
                return None;
            }
            let files = requirement_files(inv.args);
            (!files.is_empty()).then_some(Install {
                eco: Eco::Pip,
                files,
            })
        }
        "uv" => {
            let pos = inv.positionals(&[
                "-r",
                "--requirement",
                "--python",
                "-p",
                "--project",
                "--directory",
            ]);
            match pos.first().map(|w| w.text.as_str())? {
                "sync" => eco(Eco::Uv),
                "pip"
                    if matches!(
                        pos.get(1).map(|w| w.text.as_str()),
                        Some("install" | "sync")
                    ) =>
                {
                    let files = requirement_files(inv.args);
                    (!files.is_empty()).then_some(Install {
                        eco: Eco::Pip,
                        files,
                    })
                }
                _ => None,
            }
        }
        "poetry" => (sub(&["--directory", "-C"])? == "install").then_some(Install {
            eco: Eco::Poetry,
            files: Vec::new(),
        }),
        "pipenv" => matches!(sub(&[])?, "install" | "sync")
            .then(|| inv.positionals(&[]).len() == 1)
            .filter(|b| *b)
            .map(|_| Install {
                eco: Eco::Pipenv,
                files: Vec::new(),
            }),
        "go" => {
            let pos = inv.positionals(&["-modfile", "-C"]);
            (pos.first().map(|w| w.text.as_str()) == Some("mod")
                && pos.get(1).map(|w| w.text.as_str()) == Some("download"))
            .then_some(Install {
                eco: Eco::Go,
                files: Vec::new(),
            })
        }
        "bundle" | "bundler" => match sub(&["--gemfile", "--path", "--jobs", "-j", "--retry"]) {
            Some("install") | None => eco(Eco::Bundler),
            _ => None,
        },
        "composer" | "composer.phar" => {
            (sub(&["-d", "--working-dir"])? == "install").then_some(Install {
                eco: Eco::Composer,
                files: Vec::new(),
            })
        }
        "mvn" | "mvnw" => inv
            .positionals(&[
                "-f",
                "--file",
                "-s",
                "--settings",
                "-P",
                "-pl",
                "--projects",
                "-T",
            ])
            .iter()
            .any(|w| {
                matches!(
                    w.text.as_str(),
                    "dependency:go-offline" | "dependency:resolve" | "dependency:resolve-plugins"
                )
            })
            .then_some(Install {
                eco: Eco::Maven,
                files: Vec::new(),
            }),
        "gradle" | "gradlew" => inv
            .positionals(&["-p", "--project-dir", "-b", "--build-file"])
            .iter()
            .any(|w| w.text == "dependencies" || w.text == "downloadDependencies")
            .then_some(Install {
                eco: Eco::Gradle,
                files: Vec::new(),
            }),
        "dotnet" => (sub(&[])? == "restore").then_some(Install {
            eco: Eco::Dotnet,
            files: Vec::new(),
        }),
        "mix" => (sub(&[])? == "deps.get").then_some(Install {
            eco: Eco::Mix,
            files: Vec::new(),
        }),
        "apt-get" | "apt" | "aptitude" => {
            (sub(&["-o", "-c", "-t", "--target-release"])? == "install").then_some(Install {
                eco: Eco::Apt,
                files: Vec::new(),
            })
        }
        "apk" => (sub(&["-X", "--repository", "-p", "--root", "-t", "--virtual"])? == "add")
            .then_some(Install {
                eco: Eco::Apk,
                files: Vec::new(),
            }),
        "yum" | "dnf" | "microdnf" | "tdnf" => matches!(
            sub(&[
                "--setopt",
                "--enablerepo",
                "--disablerepo",
                "--installroot",
                "--releasever",
                "-c",
                "--config"
            ])?,
            "install" | "groupinstall"
        )
        .then_some(Install {
            eco: Eco::Yum,
            files: Vec::new(),
        }),
        "zypper" => matches!(
            sub(&["--root", "-R", "-D", "--reposd-dir"])?,
            "install" | "in"
        )
        .then_some(Install {
            eco: Eco::Zypper,
            files: Vec::new(),
        }),
        _ => None,
    }
}

/// Values of `-r`/`--requirement` options (and `-rfile`/`--requirement=file`).
fn requirement_files(args: &[shell::ShellWord]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let t = a.text.as_str();
        if t == "-r" || t == "--requirement" {
            if let Some(v) = args.get(i + 1) {
                out.push(v.text.to_string());
            }
            i += 2;
            continue;
        }
        if let Some(v) = t.strip_prefix("--requirement=") {
            out.push(v.to_string());
        } else if let Some(v) = t
            .strip_prefix("-r")
            .filter(|v| !v.is_empty() && !v.starts_with('-'))
        {
            out.push(v.to_string());
        }
        i += 1;
    }
    out
}

/// The sources and destination of a COPY/ADD (shell or exec form), heredoc markers excluded.
pub fn copy_sources_dest(
    ins: &Instruction,
) -> (Vec<&crate::model::Word>, Option<&crate::model::Word>) {
    let words: &[crate::model::Word] = match &ins.json {
        Some(j) => &j.items,
        None => &ins.words,
    };
    let Some((dest, rest)) = words.split_last() else {
        return (Vec::new(), None);
    };
    let sources = rest.iter().filter(|w| !w.raw.starts_with("<<")).collect();
    (sources, Some(dest))
}

/// A COPY/ADD source that is the whole build context (`.`, `./`, `*`, `./*`, `/`).
pub fn is_whole_context(source: &str) -> bool {
    matches!(source, "." | "./" | "*" | "./*" | "/" | "./." | "/*" | "/.")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the nearest instruction before `index`, in its stage or else in the stages it
    /// is built on, gives `hit` (the walk back the helpers above replace).
    fn walk_back<T>(model: &Model, index: usize, hit: impl Fn(usize) -> Option<T>) -> Option<T> {
        let stage = model.instructions.get(index)?.stage?;
        for si in stage_chain(model, stage) {
            let st = model.stages.get(si)?;
            let end = if si == stage {
                index
            } else {
                st.instructions.end
            };
            if let Some(found) = (st.instructions.start..end).rev().find_map(&hit) {
                return Some(found);
            }
        }
        None
    }

    /// `NearestBefore` finds what walking back from each instruction through its stage
    /// chain finds, whatever order the instructions are asked in.
    #[test]
    fn nearest_before_equals_a_walk_back() {
        let text = "FROM a AS one\nUSER x\nRUN r\nFROM one AS two\nRUN r\nUSER y\nRUN r\n\
                    FROM b AS three\nRUN r\nFROM two\nRUN r\nFROM three\nUSER z\nRUN r\n";
        let model = crate::model::build(text);
        let walk = |index: usize| {
            walk_back(&model, index, |i| {
                (model.instructions[i].kind == InstructionKind::User).then_some(i)
            })
        };
        let n = model.instructions.len();
        for order in [(0..n).collect::<Vec<_>>(), (0..n).rev().collect()] {
            let mut users = users(&model);
            for &i in &order {
                assert_eq!(users.find(i), walk(i), "instruction {i}");
            }
        }
        let mut users = users(&model);
        let last_run = n - 1;
        assert!(non_root_before(&mut users, last_run));
    }

    /// `EnvBefore` finds the value a walk back through the stage chain finds.
    #[test]
    fn env_before_equals_a_walk_back() {
        let text = "ARG V=global\nFROM a AS one\nENV V=1 W=2\nRUN r\nFROM one AS two\nARG V\n\
                    RUN r\nENV V=3 V=4\nRUN r\nFROM b AS three\nRUN r\nFROM two\nARG W=5\nRUN r\n";
        let model = crate::model::build(text);
        let walk = |index: usize, name: &str| {
            walk_back(&model, index, |i| {
                value_of(&model.instructions[i], name).map(str::to_string)
            })
        };
        let n = model.instructions.len();
        for order in [(0..n).collect::<Vec<_>>(), (0..n).rev().collect()] {
            let mut env = EnvBefore::new(&model);
            for &i in &order {
                for name in ["V", "W", "X"] {
                    assert_eq!(env.get(i, name), walk(i, name), "instruction {i}, {name}");
                }
            }
        }
        let mut env = EnvBefore::new(&model);
        assert_eq!(env.get(n - 1, "V").as_deref(), Some("4"));
        assert_eq!(env.get(n - 1, "W").as_deref(), Some("5"));
    }

    #[test]
    fn globbing() {
        assert!(glob("package*.json", "package-lock.json"));
        assert!(glob("package*.json", "package.json"));
        assert!(!glob("package*.json", "yarn.lock"));
        assert!(glob("*", "anything"));
        assert!(Eco::Npm.is_manifest("package*.json"));
        assert!(Eco::Npm.is_manifest("./app/package.json"));
        assert!(Eco::Pip.is_manifest("requirements-dev.txt"));
        assert!(!Eco::Go.is_manifest("main.go"));
        assert!(Eco::Dotnet.is_manifest("src/App.csproj"));
    }

    #[test]
    fn installs() {
        let cases = [
            ("npm ci", Some(Eco::Npm)),
            ("npm install", Some(Eco::Npm)),
            ("npm install -g typescript", None),
            ("npm install express", None),
            ("yarn", Some(Eco::Yarn)),
            ("yarn --frozen-lockfile", Some(Eco::Yarn)),
            ("yarn build", None),
            ("pip install -r requirements.txt", Some(Eco::Pip)),
            ("pip install flask", None),
            (
                "python3 -m pip install --no-cache-dir -r req/base.txt",
                Some(Eco::Pip),
            ),
            ("go mod download", Some(Eco::Go)),
            ("go build ./...", None),
            ("apt-get install -y curl", Some(Eco::Apt)),
            ("apt-get update", None),
            ("uv sync --locked", Some(Eco::Uv)),
            ("bundle install", Some(Eco::Bundler)),
            ("dotnet restore", Some(Eco::Dotnet)),
        ];
        for (src, want) in cases {
            let s = shell::parse_script(src);
            let got = s
                .commands
                .first()
                .and_then(|c| classify_install(&c.invocation()))
                .map(|i| i.eco);
            assert_eq!(got, want, "{src}");
        }
    }
}
