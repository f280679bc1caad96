//! Helpers shared by BuildKit's checks: where to report, Go-style quoting, suggestions,
//! the global (pre-FROM) ARG scope and a walk over stages with BuildKit's variable scoping.

use super::by_name::ByName;
use super::lex::{self, Expansion};
use crate::model::{Details, Instruction, InstructionKind, Span, Word};
use crate::rules::fingerprint::Fp;
use crate::rules::{Ctx, Finding};
use std::borrow::Cow;

/// From the instruction keyword to the end of its first line: where BuildKit's
/// `Location` starts, and what an editor underlines.
pub fn head_span(ctx: &Ctx, ins: &Instruction) -> Span {
    let start = ins.keyword_span.start.min(ctx.text.len());
    let end = ins.span.end.min(ctx.text.len()).max(start);
    let first_line_end = ctx
        .text
        .get(start..end)
        .and_then(|s| s.find(['\n', '\r']))
        .map_or(end, |i| start + i);
    Span::new(start, first_line_end.max(ins.keyword_span.end.min(end)))
}

/// `sub` if it starts on the instruction's first line (so the reported line is the one
/// BuildKit reports), else the head of the instruction.
pub fn on_first_line(ctx: &Ctx, ins: &Instruction, sub: Span) -> Span {
    let head = head_span(ctx, ins);
    if sub.start >= head.start && sub.start <= head.end && !sub.is_empty() {
        Span::new(sub.start, sub.end.min(ins.span.end.max(sub.start)))
    } else {
        head
    }
}

/// Go's `%q` for the strings the checks quote.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// BuildKit's `suggest.Search`: the closest option within an edit distance of 2.
pub fn suggest<'a>(
    name: &str,
    options: impl IntoIterator<Item = &'a str>,
    case_sensitive: bool,
) -> Option<String> {
    let v = if case_sensitive {
        name.to_string()
    } else {
        name.to_lowercase()
    };
    let mut opts: Vec<&str> = options.into_iter().collect();
    opts.sort_unstable();
    opts.dedup();
    let mut best: Option<(usize, &str)> = None;
    for o in opts {
        let cmp = if case_sensitive {
            o.to_string()
        } else {
            o.to_lowercase()
        };
        if cmp == v {
            return Some(o.to_string());
        }
        let d = strsim::levenshtein(&v, &cmp);
        if d < 3 && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, o));
        }
    }
    best.map(|(_, o)| o.to_string())
}

/// What BuildKit reads for a word: the text as written (quotes included), which its
/// lexer then processes.
pub fn raw(w: &Word) -> &str {
    if w.raw.is_empty() {
        &w.value
    } else {
        &w.raw
    }
}

/// The text of a flag's value as written (for messages and expansion).
pub fn flag_value_raw<'a>(ctx: &Ctx<'a>, f: &'a crate::model::Flag) -> &'a str {
    f.value_span
        .and_then(|s| ctx.text.get(s.start..s.end))
        .or(f.value.as_deref())
        .unwrap_or("")
}

/// The arguments after the flags, as BuildKit passes them on: JSON items or words.
pub fn args(ins: &Instruction) -> Vec<&Word> {
    match &ins.json {
        Some(j) => j.items.iter().collect(),
        None => ins.words.iter().collect(),
    }
}

/// BuildKit's predefined platform arguments for a linux/amd64 build.
pub const PREDEFINED: &[(&str, &str)] = &[
    ("BUILDPLATFORM", "linux/amd64"),
    ("BUILDOS", "linux"),
    ("BUILDOSVERSION", ""),
    ("BUILDARCH", "amd64"),
    ("BUILDVARIANT", ""),
    ("TARGETPLATFORM", "linux/amd64"),
    ("TARGETOS", "linux"),
    ("TARGETOSVERSION", ""),
    ("TARGETARCH", "amd64"),
    ("TARGETVARIANT", ""),
    ("TARGETSTAGE", ""),
];

/// The global scope: ARGs before the first FROM, BuildKit's predefined arguments and the
/// `--build-arg` values.
pub struct Globals {
    /// What FROM lines expand with: predefined args and global ARGs with a value (build
    /// arguments applied).
    pub env: ByName<String, String>,
    /// The same with only the declared defaults (no build arguments for global ARGs).
    pub defaults_env: ByName<String, String>,
    /// Expanding a default failed: BuildKit abandons the default-value check.
    pub defaults_failed: bool,
    /// Every global ARG name.
    pub declared: Vec<String>,
    /// `--build-arg` values.
    pub build_args: Vec<(String, String)>,
}

impl Globals {
    pub fn new(ctx: &Ctx) -> Globals {
        let target = ctx
            .model
            .stages
            .last()
            .and_then(|s| s.name.as_ref())
            .map(|w| w.value.as_str().to_ascii_lowercase())
            .unwrap_or_default();
        let build_args: Vec<(String, String)> = ctx.build_args.to_vec();
        let lookup = |k: &str| {
            build_args
                .iter()
                .rev()
                .find(|(bk, _)| bk == k)
                .map(|(_, v)| v.clone())
        };
        let mut base = Vec::new();
        for (k, v) in PREDEFINED {
            let v = if *k == "TARGETSTAGE" {
                target.clone()
            } else {
                (*v).to_string()
            };
            base.push((k.to_string(), lookup(k).unwrap_or(v)));
        }
        let mut env = ByName::from_list(base.clone());
        let mut defaults_env = ByName::from_list(base);
        let mut defaults_failed = false;
        let mut declared = Vec::new();
        let escape = ctx.model.escape;
        for ins in global_args(ctx) {
            let Details::Pairs(pairs) = &ins.details else {
                continue;
            };
            for kv in pairs {
                let key = kv.key.value.clone();
                declared.push(key.to_string());
                // With build arguments.
                let value = match lookup(&key) {
                    Some(v) => Some(v),
                    None => kv
                        .value
                        .as_ref()
                        .map(|v| lex::expand(raw(v), &env, escape).result),
                };
                if let Some(v) = value {
                    env.set(key.to_string(), v);
                }
                // Defaults only.
                if let Some(v) = &kv.value {
                    let e = lex::expand(raw(v), &defaults_env, escape);
                    if e.error.is_some() {
                        defaults_failed = true;
                    }
                    defaults_env.set(key.to_string(), e.result);
                }
            }
        }
        Globals {
            env,
            defaults_env,
            defaults_failed,
            declared,
            build_args,
        }
    }

    pub fn build_arg(&self, key: &str) -> Option<&str> {
        self.build_args
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Names that never count as undeclared in FROM.
    pub fn known(&self, name: &str) -> bool {
        self.declared.iter().any(|d| d == name) || self.env.iter().any(|(k, _)| k == name)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.declared
            .iter()
            .map(String::as_str)
            .chain(self.env.iter().map(|(k, _)| k.as_str()))
    }
}

/// ARG instructions before the first FROM.
pub fn global_args<'a>(ctx: &Ctx<'a>) -> impl Iterator<Item = &'a Instruction> {
    ctx.model
        .instructions
        .iter()
        .take_while(|i| i.kind != InstructionKind::From)
        .filter(|i| i.kind == InstructionKind::Arg)
}

/// The FROM's image word as written and its expansion with the global scope.
pub fn from_base(ins: &Instruction) -> Option<&Word> {
    if ins.kind != InstructionKind::From {
        return None;
    }
    ins.words.first()
}

/// The variables a stage sees at some point: its base stage's (or image's) environment,
/// then its own ARGs and ENVs, as BuildKit's dispatcher tracks them. Names and values
/// borrow from the model and the global scope where they can.
#[derive(Clone, Debug, Default)]
pub struct StageEnv<'a> {
    /// Variables with a value, in definition order.
    pub vars: ByName<&'a str, Cow<'a, str>>,
    /// ARG names declared in this stage or inherited from its base stage.
    pub args: ByName<&'a str, ()>,
    /// A WORKDIR ran in this stage or its base stages.
    pub workdir_set: bool,
    /// A SHELL ran in this stage or its base stages.
    pub shell_set: bool,
}

impl<'a> StageEnv<'a> {
    pub fn is_defined(&self, name: &str) -> bool {
        self.vars.contains(name) || self.args.contains(name)
    }
    pub fn expand(&self, word: &str, escape: char) -> Expansion {
        lex::expand(word, &self.vars, escape)
    }
    /// The expansion of `word`, borrowed when there is nothing to expand.
    pub fn value(&self, word: &'a str, escape: char) -> Cow<'a, str> {
        if word.contains(['$', '\'', '"', escape]) {
            Cow::Owned(self.expand(word, escape).result)
        } else {
            Cow::Borrowed(word)
        }
    }
    fn set(&mut self, key: &'a str, value: Cow<'a, str>) {
        self.vars.set(key, value);
    }
    /// The environment a stage starts with when built on an image (none: unknown):
    /// BuildKit's default PATH and the variables the official image defines.
    fn of_image(image: Option<&str>) -> StageEnv<'a> {
        let mut e = StageEnv::default();
        e.set("PATH", Cow::Borrowed(DEFAULT_PATH));
        for k in image.filter(|b| *b != "scratch").map_or(&[][..], image_env) {
            e.set(k, Cow::Borrowed(""));
        }
        e
    }
}

/// Variables that official images define, so that stages based on them do not report
/// uses of those as undefined (BuildKit reads them from the image configuration).
fn image_env(image: &str) -> &'static [&'static str] {
    let name = image.split(['@']).next().unwrap_or("");
    let name = match name.rfind('/') {
        Some(i) => &name[i + 1..],
        None => name,
    };
    let repo = name.split(':').next().unwrap_or("");
    match repo {
        "golang" => &["GOLANG_VERSION", "GOTOOLCHAIN", "GOPATH"],
        "node" => &["NODE_VERSION", "YARN_VERSION"],
        "python" | "pypy" => &[
            "PYTHON_VERSION",
            "PYTHON_SHA256",
            "GPG_KEY",
            "LANG",
            "PYTHON_PIP_VERSION",
            "PYTHON_SETUPTOOLS_VERSION",
            "PYTHON_GET_PIP_URL",
            "PYTHON_GET_PIP_SHA256",
            "PYPY_VERSION",
        ],
        "openjdk" | "eclipse-temurin" | "amazoncorretto" | "maven" | "gradle" | "ibmjava"
        | "sapmachine" | "tomcat" => &[
            "JAVA_HOME",
            "JAVA_VERSION",
            "LANG",
            "LANGUAGE",
            "LC_ALL",
            "MAVEN_HOME",
            "MAVEN_CONFIG",
            "GRADLE_HOME",
            "GRADLE_VERSION",
            "CATALINA_HOME",
            "TOMCAT_VERSION",
        ],
        "ruby" => &[
            "RUBY_VERSION",
            "RUBY_MAJOR",
            "RUBY_DOWNLOAD_SHA256",
            "GEM_HOME",
            "BUNDLE_SILENCE_ROOT_WARNING",
            "BUNDLE_APP_CONFIG",
            "LANG",
        ],
        "rust" => &["RUSTUP_HOME", "CARGO_HOME", "RUST_VERSION"],
        "php" | "wordpress" | "drupal" | "composer" => &[
            "PHP_VERSION",
            "PHP_INI_DIR",
            "PHP_CFLAGS",
            "PHP_CPPFLAGS",
            "PHP_LDFLAGS",
            "PHP_URL",
            "PHP_ASC_URL",
            "PHP_SHA256",
            "PHPIZE_DEPS",
            "GPG_KEYS",
            "APACHE_CONFDIR",
            "APACHE_ENVVARS",
        ],
        "nginx" => &[
            "NGINX_VERSION",
            "NJS_VERSION",
            "NJS_RELEASE",
            "PKG_RELEASE",
            "DYNPKG_RELEASE",
        ],
        "httpd" => &[
            "HTTPD_PREFIX",
            "HTTPD_VERSION",
            "HTTPD_SHA256",
            "HTTPD_PATCHES",
        ],
        "postgres" => &["PG_MAJOR", "PG_VERSION", "PGDATA", "GOSU_VERSION", "LANG"],
        "mysql" | "mariadb" => &[
            "MYSQL_MAJOR",
            "MYSQL_VERSION",
            "MARIADB_VERSION",
            "GOSU_VERSION",
        ],
        "redis" => &["REDIS_VERSION", "REDIS_DOWNLOAD_URL", "REDIS_DOWNLOAD_SHA"],
        "sdk" | "aspnet" | "runtime" | "runtime-deps" => &[
            "DOTNET_VERSION",
            "ASPNET_VERSION",
            "DOTNET_SDK_VERSION",
            "APP_UID",
            "ASPNETCORE_HTTP_PORTS",
            "DOTNET_RUNNING_IN_CONTAINER",
            "DOTNET_USE_POLLING_FILE_WATCHER",
            "NUGET_XMLDOC_MODE",
        ],
        _ => &[],
    }
}

const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Walk every stage's instructions in order with the environment in effect *before*
/// each instruction (what BuildKit expands its arguments with). `f` receives the stage
/// index, the instruction index, the instruction and the environment.
pub fn walk_stages<'a, F>(model: &'a crate::model::Model, globals: &'a Globals, mut f: F)
where
    F: FnMut(usize, usize, &'a Instruction, &StageEnv<'a>),
{
    let escape = model.escape;
    // Each stage's base name as BuildKit resolves it (global ARGs expanded, lower case).
    let bases: Vec<Option<String>> = model
        .stages
        .iter()
        .map(|st| {
            let w = model.instructions.get(st.from).and_then(from_base)?;
            Some(
                lex::expand(raw(w), &globals.env, escape)
                    .result
                    .to_ascii_lowercase(),
            )
        })
        .collect();
    // Only the final environments of stages that some FROM names are kept.
    let referenced: std::collections::HashSet<&str> =
        bases.iter().flatten().map(String::as_str).collect();
    // Stage names seen so far (lower case) → index; a later duplicate wins, as in BuildKit.
    let mut by_name: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut finals: Vec<Option<StageEnv<'a>>> = Vec::with_capacity(model.stages.len());
    for (si, stage) in model.stages.iter().enumerate() {
        let mut env = match bases.get(si).and_then(|b| b.as_deref()) {
            Some(base) => {
                let parent = by_name.get(base).copied();
                match parent.and_then(|p| finals.get(p)).and_then(|e| e.as_ref()) {
                    Some(p) => p.clone(),
                    None => StageEnv::of_image(Some(base)),
                }
            }
            None => StageEnv::of_image(None),
        };
        for idx in stage.instructions.clone() {
            let Some(ins) = model.instructions.get(idx) else {
                break;
            };
            if idx == stage.from {
                continue;
            }
            f(si, idx, ins, &env);
            apply(&mut env, ins, globals, escape);
        }
        let key = stage.key();
        let keep = key.as_deref().is_some_and(|k| referenced.contains(k));
        finals.push(keep.then_some(env));
        if let Some(k) = key {
            by_name.insert(k, si);
        }
    }
}

/// Update `env` with the effect of `ins`.
pub fn apply<'a>(env: &mut StageEnv<'a>, ins: &'a Instruction, globals: &'a Globals, escape: char) {
    match ins.kind {
        InstructionKind::Env => {
            if let Details::Pairs(pairs) = &ins.details {
                if let [kv] = pairs.as_slice() {
                    let v = kv
                        .value
                        .as_ref()
                        .map_or(Cow::Borrowed(""), |v| env.value(raw(v), escape));
                    env.set(&kv.key.value, v);
                    return;
                }
                // Every value is expanded with the environment before the instruction.
                let values: Vec<(&'a str, Cow<'a, str>)> = pairs
                    .iter()
                    .map(|kv| {
                        let v = kv
                            .value
                            .as_ref()
                            .map_or(Cow::Borrowed(""), |v| env.value(raw(v), escape));
                        (kv.key.value.as_str(), v)
                    })
                    .collect();
                for (k, v) in values {
                    env.set(k, v);
                }
            }
        }
        InstructionKind::Arg => {
            if let Details::Pairs(pairs) = &ins.details {
                for kv in pairs {
                    apply_arg(env, kv, globals, escape);
                }
            }
        }
        InstructionKind::Workdir => env.workdir_set = true,
        InstructionKind::Shell => env.shell_set = true,
        _ => {}
    }
}

/// One `ARG name[=default]` of a stage: a build argument, else the default (expanded),
/// else the global value of the same name.
pub fn apply_arg<'a>(
    env: &mut StageEnv<'a>,
    kv: &'a crate::model::KeyValue,
    globals: &'a Globals,
    escape: char,
) {
    let key = kv.key.value.as_str();
    let value = if let Some(v) = globals.build_arg(key) {
        Some(Cow::Borrowed(v))
    } else if let Some(d) = &kv.value {
        Some(env.value(raw(d), escape))
    } else {
        globals.env.get(key).map(|v| Cow::Borrowed(v.as_str()))
    };
    env.args.set(key, ());
    if let Some(v) = value {
        env.set(key, v);
    }
}

/// What the rules that follow BuildKit's dispatch see besides each instruction and its
/// environment.
pub struct Walk<'a> {
    pub ctx: &'a Ctx<'a>,
    pub globals: &'a Globals,
    /// The parsed `.dockerignore`, when there is one.
    pub dockerignore: Option<&'a crate::rules::dockerignore::DockerIgnore>,
    pub escape: char,
    /// Per instruction index in scope: its text contains a `$` (nothing to expand
    /// otherwise).
    pub has_dollar: Vec<bool>,
}

/// A rule's look at one instruction with the environment before it.
pub type Visit = fn(&Walk, usize, &Instruction, &StageEnv<'_>, &mut Vec<Finding>);

type WalkResult = std::rc::Rc<Vec<Vec<Finding>>>;

/// (session, model address, text address, text length, scope).
type WalkKey = (u64, usize, usize, usize, Option<crate::rules::StageSet>);

thread_local! {
    /// The findings of the last walk in this check session:
    /// (session, model address, text address, text length, findings per walker).
    static WALK_CACHE: std::cell::RefCell<Option<(WalkKey, WalkResult)>> =
        const { std::cell::RefCell::new(None) };
}

/// Forget the cached walk (end of a check session).
pub fn clear_walk_cache() {
    WALK_CACHE.with(|c| c.borrow_mut().take());
}

/// The findings of walk-based rule `id`: all of them come from one walk over the stages,
/// shared by the rules of one `rules::check` call.
pub fn walk_findings(ctx: &Ctx, id: &str) -> Vec<Finding> {
    let walkers = super::WALKERS;
    let Some(slot) = walkers.iter().position(|(w, _)| *w == id) else {
        return Vec::new();
    };
    let session = crate::rules::engine::session();
    let key: WalkKey = (
        session,
        ctx.model as *const _ as usize,
        ctx.text.as_ptr() as usize,
        ctx.text.len(),
        ctx.scope.cloned(),
    );
    if session != 0 {
        let hit = WALK_CACHE.with(|c| {
            c.borrow()
                .as_ref()
                .and_then(|(k, r)| (*k == key).then(|| r.get(slot).cloned().unwrap_or_default()))
        });
        if let Some(v) = hit {
            return v;
        }
    }
    let globals = Globals::new(ctx);
    let ignore = ctx
        .dockerignore
        .map(crate::rules::dockerignore::DockerIgnore::parse);
    // Only the stages in scope are visited.
    let mut has_dollar = vec![false; ctx.model.instructions.len()];
    for (i, ins) in ctx.instructions() {
        if let Some(d) = has_dollar.get_mut(i) {
            *d = ctx
                .text
                .get(ins.span.start..ins.span.end)
                .is_some_and(|t| memchr::memchr(b'$', t.as_bytes()).is_some());
        }
    }
    let walk = Walk {
        ctx,
        globals: &globals,
        dockerignore: ignore.as_ref(),
        escape: ctx.model.escape,
        has_dollar,
    };
    let outs = walk_memoized(&walk);
    let result = outs.get(slot).cloned().unwrap_or_default();
    if session != 0 {
        WALK_CACHE.with(|c| *c.borrow_mut() = Some((key, std::rc::Rc::new(outs))));
    }
    result
}

/// One stage's walk findings, remembered across checks: an edit re-walks only the stages
/// whose text (or whose base stage, or the global scope) changed; the others' findings are
/// taken over, moved with the stage.
struct StageMemo {
    /// What the stage's walk depends on besides its text: the global scope and the memo
    /// key of the stage it is built on.
    context: u64,
    /// The stage's text (from its FROM to the end of its last instruction).
    text: String,
    /// Where that text started.
    start: usize,
    /// Findings per walker.
    outs: Vec<Vec<Finding>>,
    /// The last check generation that used it.
    used: u64,
}

#[derive(Default)]
struct MemoCache {
    stages: std::collections::HashMap<u64, StageMemo>,
    generation: u64,
}

/// Checks after which a stage no document had is forgotten.
const KEEP_CHECKS: u64 = 16;

/// Most stages remembered; more (a huge file) and the memo starts afresh.
const MAX_STAGE_MEMOS: usize = 4096;

thread_local! {
    static STAGE_MEMO: std::cell::RefCell<MemoCache> = std::cell::RefCell::new(MemoCache::default());
}

/// Everything besides a stage's own text and base stage that the walkers see.
fn globals_fingerprint(w: &Walk) -> u64 {
    let g = w.globals;
    let mut fp = Fp::new().u64(w.escape as u64);
    for list in [
        g.env.iter().as_slice(),
        g.defaults_env.iter().as_slice(),
        &g.build_args,
    ] {
        fp = fp.u64(list.len() as u64);
        for (k, v) in list {
            fp = fp.str(k).str(v);
        }
    }
    fp = fp
        .u64(g.defaults_failed as u64)
        .u64(g.declared.len() as u64);
    for d in &g.declared {
        fp = fp.str(d);
    }
    match w.ctx.dockerignore {
        Some(t) => fp.u64(1).str(t).0,
        None => fp.u64(0).0,
    }
}

/// Each stage's base stage and expanded base name, as `walk_stages` resolves them.
type Bases = std::rc::Rc<(Vec<Option<usize>>, Vec<Option<String>>)>;

thread_local! {
    /// The last resolution, by a fingerprint of what it reads: the FROM lines and the
    /// global scope (the same in every check that does not edit them).
    static BASES: std::cell::RefCell<Option<(u64, Bases)>> = const { std::cell::RefCell::new(None) };
}

fn stage_bases(w: &Walk, globals: u64) -> Bases {
    let model = w.ctx.model;
    let mut fp = Fp::new().u64(globals);
    for stage in &model.stages {
        let from = model
            .instructions
            .get(stage.from)
            .map_or(Span::new(0, 0), |i| i.span);
        fp = fp.str(w.ctx.slice(from));
    }
    let key = fp.0;
    if let Some(hit) = BASES.with(|b| {
        b.borrow()
            .as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    }) {
        return hit;
    }
    let n = model.stages.len();
    let escape = model.escape;
    let mut by_name: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut parents: Vec<Option<usize>> = Vec::with_capacity(n);
    let mut bases: Vec<Option<String>> = Vec::with_capacity(n);
    for stage in &model.stages {
        let word = model
            .instructions
            .get(stage.from)
            .and_then(from_base)
            .map(raw);
        // FROM lines often repeat the same word (`${BASE_IMAGE}`): expanded once each.
        let same = word.is_some() && stage.index > 0 && {
            let prev = model.stages.get(stage.index - 1);
            prev.and_then(|p| model.instructions.get(p.from))
                .and_then(from_base)
                .map(raw)
                == word
        };
        let base = match (same, bases.last()) {
            (true, Some(b)) => b.clone(),
            _ => word.map(|word| {
                lex::expand(word, &w.globals.env, escape)
                    .result
                    .to_ascii_lowercase()
            }),
        };
        parents.push(base.as_deref().and_then(|b| by_name.get(b).copied()));
        bases.push(base);
        if let Some(k) = stage.key() {
            by_name.insert(k, stage.index);
        }
    }
    let result: Bases = std::rc::Rc::new((parents, bases));
    BASES.with(|b| *b.borrow_mut() = Some((key, result.clone())));
    result
}

/// The walkers' findings over every stage, as [`walk_stages`] with every walker would give
/// them, re-walking only the stages the memo does not hold (and the stages they are built
/// on, for their environment).
fn walk_memoized(w: &Walk) -> Vec<Vec<Finding>> {
    let model = w.ctx.model;
    let walkers = super::WALKERS;
    let escape = model.escape;
    let n = model.stages.len();
    let globals = globals_fingerprint(w);
    let (parents, bases) = &*stage_bases(w, globals);
    let stage_text = |si: usize| -> (&str, usize) {
        let sp = model.stages.get(si).map_or(Span::new(0, 0), |s| s.span);
        (w.ctx.slice(sp), sp.start)
    };
    let in_scope: Vec<bool> = (0..n).map(|si| w.ctx.in_scope(Some(si))).collect();
    // Keys are needed for the stages in scope and the stages they are built on.
    let mut keyed = in_scope.clone();
    for si in (0..n).rev() {
        if let (true, Some(p)) = (keyed[si], parents[si]) {
            keyed[p] = true;
        }
    }
    let mut keys: Vec<(u64, u64)> = Vec::with_capacity(n);
    for si in 0..n {
        if !keyed[si] {
            keys.push((0, 0));
            continue;
        }
        let parent_key = parents[si].and_then(|p| keys.get(p)).map_or(0, |k| k.1);
        let context = Fp::new().u64(globals).u64(parent_key).0;
        keys.push((context, Fp::new().u64(context).str(stage_text(si).0).0));
    }
    STAGE_MEMO.with(|m| {
        let mut memo = m.borrow_mut();
        if memo.stages.len() > MAX_STAGE_MEMOS {
            memo.stages.clear();
        }
        memo.generation += 1;
        let generation = memo.generation;
        let mut hit = vec![false; n];
        for si in 0..n {
            if !in_scope[si] {
                // Not reported on: walked only for a stage built on it.
                hit[si] = true;
                continue;
            }
            let (context, key) = keys[si];
            let text = stage_text(si).0;
            if let Some(e) = memo.stages.get_mut(&key) {
                if e.context == context && e.text == text && e.outs.len() == walkers.len() {
                    e.used = generation;
                    hit[si] = true;
                }
            }
        }
        // Stages walked: those not remembered and the stages they are built on.
        let mut needed: Vec<bool> = hit.iter().map(|h| !h).collect();
        let mut has_needed_child = vec![false; n];
        for si in (0..n).rev() {
            if let (true, Some(p)) = (needed[si], parents[si]) {
                needed[p] = true;
                has_needed_child[p] = true;
            }
        }
        let mut envs: Vec<Option<StageEnv>> = Vec::with_capacity(n);
        let mut fresh: Vec<Option<Vec<Vec<Finding>>>> = Vec::with_capacity(n);
        for (si, stage) in model.stages.iter().enumerate() {
            if !needed[si] {
                envs.push(None);
                fresh.push(None);
                continue;
            }
            let parent_env = parents[si]
                .and_then(|p| envs.get(p))
                .and_then(|e| e.as_ref());
            let mut env = match (parent_env, bases[si].as_deref()) {
                (Some(p), _) => p.clone(),
                (None, base) => StageEnv::of_image(base),
            };
            let mut outs: Vec<Vec<Finding>> = vec![Vec::new(); walkers.len()];
            for idx in stage.instructions.clone() {
                let Some(ins) = model.instructions.get(idx) else {
                    break;
                };
                if idx == stage.from {
                    continue;
                }
                if !hit[si] {
                    for ((_, visit), out) in walkers.iter().zip(outs.iter_mut()) {
                        visit(w, idx, ins, &env, out);
                    }
                }
                apply(&mut env, ins, w.globals, escape);
            }
            envs.push(has_needed_child[si].then_some(env));
            fresh.push((!hit[si]).then_some(outs));
        }
        let mut all: Vec<Vec<Finding>> = vec![Vec::new(); walkers.len()];
        for (si, outs) in fresh.into_iter().enumerate() {
            if !in_scope[si] {
                continue;
            }
            let (context, key) = keys[si];
            let (text, start) = stage_text(si);
            match outs {
                Some(outs) => {
                    for (a, o) in all.iter_mut().zip(&outs) {
                        a.extend(o.iter().cloned());
                    }
                    memo.stages.insert(
                        key,
                        StageMemo {
                            context,
                            text: text.to_string(),
                            start,
                            outs,
                            used: generation,
                        },
                    );
                }
                None => {
                    if let Some(e) = memo.stages.get(&key) {
                        let delta = start as isize - e.start as isize;
                        for (a, o) in all.iter_mut().zip(&e.outs) {
                            a.extend(o.iter().map(|f| f.moved(delta)));
                        }
                    }
                }
            }
        }
        // Forget stages not seen in the last checks (other documents, earlier versions).
        memo.stages
            .retain(|_, e| e.used + KEEP_CHECKS >= generation);
        all
    })
}

/// Shell-like split of an expanded EXPOSE argument.
pub fn split_words(s: &str) -> impl Iterator<Item = &str> {
    s.split_whitespace()
}
