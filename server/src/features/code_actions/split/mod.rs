//! "Split into deps, builder and runner stages": a single-stage Dockerfile that installs
//! dependencies, rewritten as a multi-stage build.
//!
//! - `deps` installs the dependencies from the manifests alone (a layer that is rebuilt
//!   only when they change), with the locked install command and, when the file uses
//!   BuildKit syntax, a cache mount;
//! - `builder` (when there is a build step) copies the dependencies and the sources and
//!   runs the user's build;
//! - `runner` starts from the same image (or its standard slim variant, or distroless)
//!   and copies only what runs, as an unprivileged user.
//!
//! A `base` stage holds system packages and tools when several stages need them. Node
//! (npm, yarn, pnpm, Next.js), Python (pip, poetry, uv) and Go have their own plans;
//! anything else gets the generic one (the original stage as builder, a runner that copies
//! the working directory). What the user wrote is kept: directives, global ARGs, ARG/ENV
//! where they are used, LABEL, EXPOSE, HEALTHCHECK, CMD/ENTRYPOINT, comments, line ends.
//! Secret-looking ARGs become `RUN --mount=type=secret` on the commands that need them.

mod analyze;
mod generic;
mod go;
mod node;
mod python;
mod render;
mod route;

use crate::model::{ImageRef, InstructionKind, Model, Span};
use analyze::{Family, Item, Src, What};
use render::OutStage;
use route::{Dest, Part, Routed};

pub const TITLE: &str = "Split into deps, builder and runner stages";
pub const TITLE_DISTROLESS: &str = "Split into stages: deps, builder and a distroless runner";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    /// The runner starts from the same image (or its slim variant).
    Standard,
    /// The runner is a distroless image (Node; Go's standard runner already is).
    Distroless,
}

impl Variant {
    pub const ALL: [Variant; 2] = [Variant::Standard, Variant::Distroless];

    pub fn id(self) -> &'static str {
        match self {
            Variant::Standard => "standard",
            Variant::Distroless => "distroless",
        }
    }

    pub fn from_id(id: &str) -> Option<Variant> {
        Variant::ALL.iter().copied().find(|v| v.id() == id)
    }
}

pub fn title(v: Variant) -> &'static str {
    match v {
        Variant::Standard => TITLE,
        Variant::Distroless => TITLE_DISTROLESS,
    }
}

/// Whether the split is worth offering at `range`: a single-stage file, the range inside
/// (or covering) its stage.
pub fn offered_at(model: &Model, text: &str, range: Span) -> bool {
    let _ = text;
    if model.stages.len() != 1 || !model.errors.is_empty() {
        return false;
    }
    let Some(stage) = model.stages.first() else {
        return false;
    };
    let Some(from) = model.instructions.get(stage.from) else {
        return false;
    };
    range.end >= from.span.start || range.start >= from.span.start
}

/// The variants that apply to the file.
pub fn variants(model: &Model, text: &str) -> Vec<Variant> {
    Variant::ALL
        .iter()
        .copied()
        .filter(|&v| split(model, text, v).is_some())
        .collect()
}

/// The whole file, split; `None` when the split does not apply.
pub fn split(model: &Model, text: &str, variant: Variant) -> Option<String> {
    let src = analyze::read(model, text)?;
    let routed = route::route(&src);
    let families: Vec<Family> = {
        let mut f: Vec<Family> = Vec::new();
        for t in &routed.tools {
            if !f.contains(&t.family()) {
                f.push(t.family());
            }
        }
        if f.is_empty() && go::builds_go(&src) {
            f.push(Family::Go);
        }
        f
    };
    let common = Common::new(&src, &routed)?;
    let mut generic_plan = false;
    let plan = if routed.unsplittable || routed.foreign || families.len() != 1 {
        if variant != Variant::Standard {
            return None;
        }
        generic_plan = true;
        generic::plan(&src, &routed, &common)?
    } else {
        let planned = match families.first()? {
            Family::Node => node::plan(&src, &routed, &common, variant),
            Family::Python if variant == Variant::Standard => python::plan(&src, &routed, &common),
            Family::Go if variant == Variant::Standard => go::plan(&src, &routed, &common),
            _ => return None,
        };
        match planned {
            Some(p) => p,
            None if variant == Variant::Standard => {
                generic_plan = true;
                generic::plan(&src, &routed, &common)?
            }
            None => return None,
        }
    };
    let secret_mounts = plan
        .stages
        .iter()
        .flat_map(|s| &s.entries)
        .any(|e| e.text.contains("--mount=type=secret,"));
    let add_syntax = (plan.needs_syntax || secret_mounts) && !src.has_syntax;
    let mut plan = plan;
    if let Some(name) = &src.stage.name {
        if let Some(last) = plan.stages.last_mut() {
            if !name.value.eq_ignore_ascii_case(last.name) {
                last.notes.push(format!(
                    "# The original stage was named {}: build targets that named it now name {}",
                    name.value, last.name
                ));
            }
        }
    }
    let out = render::render(&src, &plan.stages, add_syntax);
    let out = finish(&out, generic_plan)?;
    Some(out)
}

/// A generated plan.
pub(crate) struct Plan {
    pub stages: Vec<OutStage>,
    /// Uses syntax that needs a `# syntax=` directive (`env=` on secret mounts).
    pub needs_syntax: bool,
}

/// Checks on the result: it parses, every `--from` names an earlier stage; a broad COPY
/// left before an install (generic plan) is reordered with the rule's own fix.
fn finish(out: &str, reorder: bool) -> Option<String> {
    let mut current = out.to_string();
    for _ in 0..if reorder { 3 } else { 0 } {
        let model = crate::model::build(&current);
        if !model.errors.is_empty() {
            return None;
        }
        let findings =
            crate::rules::check(&model, &current, &crate::rules::CheckOptions::default());
        let Some(fix) = findings
            .iter()
            .filter(|f| f.rule == "CacheBustingCopy")
            .find_map(|f| f.fix.clone())
        else {
            break;
        };
        let next = super::apply_edits(&current, &fix.edits);
        if next == current {
            break;
        }
        current = next;
    }
    let model = crate::model::build(&current);
    if !model.errors.is_empty() || model.stages.len() < 2 {
        return None;
    }
    let refs_ok = model.stage_refs.iter().all(|r| {
        r.kind == crate::model::StageRefKind::FromImage
            || r.target.is_some()
            || r.name.contains('/')
            || r.name.contains(':')
    });
    refs_ok.then_some(current)
}

/// The WORKDIR line the plans add when the file has none (with a note in the first stage).
pub(crate) fn synth_workdir(src: &Src, c: &Common, first: bool) -> String {
    let line = format!("{} {}", src.kw("WORKDIR"), c.app);
    if first && c.app_guessed {
        format!(
            "# The file had no WORKDIR: the application now lives in {}\n{line}",
            c.app
        )
    } else {
        line
    }
}

/// What every plan needs to know.
pub(crate) struct Common {
    /// The application directory (absolute).
    pub app: String,
    /// No WORKDIR in the file: the plans add `WORKDIR <app>`.
    pub app_synth: bool,
    /// Nothing in the file says where the application is (`/app` is a guess).
    pub app_guessed: bool,
    /// Where the runner's copies go (after the WORKDIR that sets `app`).
    pub app_pos: usize,
    /// The FROM instruction's index.
    pub from_pos: usize,
    /// Program run by the container (first word of ENTRYPOINT, else of CMD).
    pub program: Option<String>,
    /// The last non-root USER of the file.
    pub user: Option<usize>,
}

impl Common {
    fn new(src: &Src, r: &Routed) -> Option<Common> {
        let from_pos = src.stage.from;
        let limit = r.first_install.or(r.last_build).unwrap_or(usize::MAX);
        let workdirs: Vec<(&Item, &String)> = src
            .items
            .iter()
            .filter_map(|i| match &i.what {
                What::Workdir(p) => Some((i, p)),
                _ => None,
            })
            .collect();
        let chosen = workdirs
            .iter()
            .rev()
            .find(|(i, _)| i.index < limit)
            .or_else(|| workdirs.first());
        let mut app_guessed = false;
        let (app, app_synth, app_pos) = match chosen {
            Some((item, path)) => {
                if !path.starts_with('/')
                    || path.contains('$')
                    || path.contains(char::is_whitespace)
                {
                    return None;
                }
                let p = path.trim_end_matches('/');
                (
                    if p.is_empty() {
                        "/".to_string()
                    } else {
                        p.to_string()
                    },
                    false,
                    item.index,
                )
            }
            None => {
                // The destination of a whole-context COPY, else /app.
                let dest = src.items.iter().find_map(|i| {
                    let ins = src.model.instructions.get(i.index)?;
                    if !matches!(ins.kind, InstructionKind::Copy | InstructionKind::Add) {
                        return None;
                    }
                    let (sources, dest) = analyze::copy_sources_dest(ins);
                    let dest = dest?;
                    (sources.iter().any(|s| is_whole_context(s))
                        && dest.starts_with('/')
                        && dest.len() > 1
                        && !dest.contains('$'))
                    .then(|| dest.trim_end_matches('/').to_string())
                });
                app_guessed = dest.is_none();
                (dest.unwrap_or_else(|| "/app".to_string()), true, from_pos)
            }
        };
        let program = last_of(src, What::is_entrypoint)
            .or_else(|| last_of(src, What::is_cmd))
            .and_then(|i| src.model.instructions.get(i.index))
            .and_then(|ins| ins.words.first())
            .map(|w| w.value.to_string());
        let user = src
            .items
            .iter()
            .rev()
            .find(|i| matches!(i.what, What::User { .. }))
            .filter(|i| matches!(i.what, What::User { root: false }))
            .map(|i| i.index);
        Some(Common {
            app,
            app_synth,
            app_guessed,
            app_pos,
            from_pos,
            program,
            user,
        })
    }

    /// A path of the application directory (`dist` → `/app/dist`).
    pub fn in_app(&self, rel: &str) -> String {
        let rel = rel.trim_start_matches("./");
        if self.app == "/" {
            format!("/{rel}")
        } else if rel.is_empty() || rel == "." {
            self.app.clone()
        } else {
            format!("{}/{rel}", self.app)
        }
    }
}

impl What {
    fn is_cmd(&self) -> bool {
        matches!(self, What::Cmd)
    }
    fn is_entrypoint(&self) -> bool {
        matches!(self, What::Entrypoint)
    }
}

/// The last item of a kind.
pub(crate) fn last_of<'s>(src: &'s Src, pred: fn(&What) -> bool) -> Option<&'s Item> {
    src.items.iter().rev().find(|i| pred(&i.what))
}

/// The FROM flags for the runner: a `--platform` naming the build platform is for build
/// stages only.
pub(crate) fn runner_flags(src: &Src) -> String {
    src.from_flags
        .split(' ')
        .filter(|f| !f.contains("BUILDPLATFORM"))
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn is_whole_context(source: &str) -> bool {
    matches!(source, "." | "./" | "*" | "/" | "./*" | ".*")
}

/// A COPY/ADD that copies sources into the application directory.
pub(crate) fn is_source_copy(src: &Src, c: &Common, item: &Item) -> bool {
    match &item.what {
        What::Copy(analyze::CopyKind::Source) => true,
        What::Copy(analyze::CopyKind::Runtime) => {
            let Some(ins) = src.model.instructions.get(item.index) else {
                return false;
            };
            let dest = analyze::copy_sources_dest(ins).1.unwrap_or_default();
            let d = dest.trim_end_matches('/');
            d == c.app || d.starts_with(&format!("{}/", c.app)) || (c.app == "/" && d.is_empty())
        }
        _ => false,
    }
}

/// A COPY of the whole context.
pub(crate) fn is_broad_copy(src: &Src, item: &Item) -> bool {
    let Some(ins) = src.model.instructions.get(item.index) else {
        return false;
    };
    matches!(ins.kind, InstructionKind::Copy | InstructionKind::Add)
        && ins.flag("from").is_none()
        && analyze::copy_sources_dest(ins)
            .0
            .iter()
            .any(|s| is_whole_context(s))
}

/// A COPY as written, without `--chown`/`--chmod` (the build stages run as root and may not
/// have the user).
pub(crate) fn copy_without_owner(src: &Src, item: &Item) -> String {
    let Some(ins) = src.model.instructions.get(item.index) else {
        return item.text.clone();
    };
    let edits: Vec<(Span, String)> = ins
        .flags
        .iter()
        .filter(|f| {
            let n = f.name.to_ascii_lowercase();
            n == "chown" || n == "chmod"
        })
        .map(|f| {
            // The flag and the blank after it.
            let mut end = f.span.end;
            while src
                .text
                .as_bytes()
                .get(end)
                .is_some_and(|b| *b == b' ' || *b == b'\t')
            {
                end += 1;
            }
            (Span::new(f.span.start, end), String::new())
        })
        .collect();
    if edits.is_empty() {
        return item.text.clone();
    }
    render::apply_in(src, ins.span, &edits)
}

/// `--mount=type=secret,…` flags for a RUN at `index`: the secrets it names, and for
/// dependency installs every secret ARG declared before it (package managers read tokens
/// from their configuration, e.g. `.npmrc`).
pub(crate) fn secret_flags(src: &Src, index: usize, install: bool) -> Vec<String> {
    let mut out = Vec::new();
    for item in &src.items {
        let is_arg = matches!(item.what, What::Arg);
        let is_env = matches!(item.what, What::Env);
        if !(is_arg || is_env) || item.index >= index {
            continue;
        }
        for name in src.defined(item.index) {
            let secret = if is_arg {
                src.secret_args.contains(&name)
            } else {
                src.secret_envs.contains(&name)
            };
            if !secret {
                continue;
            }
            if src.uses_secret(index, &name) || (install && is_arg) {
                let flag = format!(
                    "--mount=type=secret,id={},env={name}",
                    name.to_ascii_lowercase()
                );
                if !out.contains(&flag) {
                    out.push(flag);
                }
            }
        }
    }
    out
}

/// A note for the secret ARGs turned into secret mounts.
pub(crate) fn secret_note(src: &Src) -> Option<String> {
    if src.secret_args.is_empty() {
        return None;
    }
    let args: Vec<String> = src
        .secret_args
        .iter()
        .map(|n| format!("--secret id={},env={n}", n.to_ascii_lowercase()))
        .collect();
    let names: Vec<&str> = src.secret_args.iter().map(String::as_str).collect();
    Some(format!(
        "# {} {} passed as a build secret, not stored in the image: docker build {} .",
        names.join(", "),
        if names.len() == 1 { "is" } else { "are" },
        args.join(" ")
    ))
}

/// Add a RUN part (with its comments when it is the first part of the RUN).
pub(crate) fn add_part(stage: &mut OutStage, src: &Src, part: &Part, text: String) {
    let Some(item) = src.item(part.item) else {
        return;
    };
    let first = part.cmds.as_ref().is_none_or(|ks| ks.first() == Some(&0));
    let sub = part
        .cmds
        .as_ref()
        .and_then(|ks| ks.first())
        .map_or(0, |k| *k as i32);
    let comments = if first { item.comments.as_str() } else { "" };
    stage.add_with_comments(item.index, sub, comments, text);
    if !stage.used.contains(&item.index) {
        stage.used.push(item.index);
    }
}

/// Add the setup (system packages, tools, `COPY --from=<image>`) to a stage; with `cap`,
/// setup written after that position moves up to it (before the manifests are copied, so
/// that changing them does not re-run the setup).
pub(crate) fn add_setup(stage: &mut OutStage, src: &Src, r: &Routed, cap: Option<usize>) {
    let mut k = 0;
    for part in r.parts_to(Dest::Setup) {
        let flags = secret_flags(src, part.item, false);
        if let Some(t) = render::run_text(src, part, &[], &flags) {
            match cap.filter(|c| *c < part.item) {
                Some(c) => {
                    let comments = src
                        .item(part.item)
                        .map(|i| i.comments.clone())
                        .unwrap_or_default();
                    let first = part.cmds.as_ref().is_none_or(|ks| ks.first() == Some(&0));
                    stage.add_with_comments(c, -30 + k, if first { &comments } else { "" }, t);
                    k += 1;
                    if !stage.used.contains(&part.item) {
                        stage.used.push(part.item);
                    }
                }
                None => add_part(stage, src, part, t),
            }
        }
    }
    for item in &src.items {
        if matches!(item.what, What::Copy(analyze::CopyKind::Image)) {
            stage.keep(item);
        }
    }
}

/// Whether there is anything to set up.
pub(crate) fn has_setup(src: &Src, r: &Routed) -> bool {
    r.has(Dest::Setup)
        || src
            .items
            .iter()
            .any(|i| matches!(i.what, What::Copy(analyze::CopyKind::Image)))
}

/// Words of the last CMD/ENTRYPOINT/HEALTHCHECK (values).
pub(crate) fn words_of(src: &Src, item: &Item) -> Vec<String> {
    src.model
        .instructions
        .get(item.index)
        .map(|ins| ins.words.iter().map(|w| w.value.to_string()).collect())
        .unwrap_or_default()
}

/// The slim variant of an official `node` or `python` image, when it is a standard tag:
/// `node:20` → `node:20-slim`, `python:3.12-bookworm` → `python:3.12-slim-bookworm`.
pub(crate) fn slim_variant(src: &Src) -> Option<String> {
    let img: &ImageRef = &src.image;
    if img.digest.is_some() {
        return None;
    }
    if img
        .registry
        .as_deref()
        .is_some_and(|r| r != "docker.io" && r != "index.docker.io")
    {
        return None;
    }
    let name = img.name.strip_prefix("library/").unwrap_or(&img.name);
    if name != "node" && name != "python" {
        return None;
    }
    let tag_written = img.tag.clone()?;
    let tag = resolve_tag(src, &tag_written)?;
    let lower = tag.to_ascii_lowercase();
    if ["slim", "alpine", "windows", "nanoserver", "latest"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return None;
    }
    let (version, distro) = match lower.split_once('-') {
        Some((v, d)) => (v, Some(d)),
        None => (lower.as_str(), None),
    };
    let version_ok = version
        .split('.')
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        || (name == "node" && matches!(version, "lts" | "current"));
    if !version_ok {
        return None;
    }
    if let Some(d) = distro {
        if !matches!(d, "bookworm" | "bullseye" | "trixie") {
            return None;
        }
    }
    // Rebuild the tag as written (variables kept).
    let new_tag = match (name, distro) {
        (_, None) => format!("{tag_written}-slim"),
        ("python", Some(_)) => {
            let (v, d) = tag_written.split_once('-')?;
            format!("{v}-slim-{d}")
        }
        (_, Some(_)) => format!("{tag_written}-slim"),
    };
    let tag_at = src.image_text.rfind(&format!(":{tag_written}"))?;
    Some(format!("{}:{new_tag}", src.image_text.get(..tag_at)?))
}

/// A tag with `${VAR}`/`$VAR` replaced by global ARG defaults.
pub(crate) fn resolve_tag(src: &Src, tag: &str) -> Option<String> {
    if !tag.contains('$') {
        return Some(tag.to_string());
    }
    let lookup = |name: &str| {
        src.model
            .vars
            .iter()
            .find(|v| v.name == name && v.kind == crate::model::VarKind::GlobalArg)
            .and_then(|v| v.value.as_deref().map(str::to_string))
    };
    let resolved = crate::model::expand(tag, lookup);
    (!resolved.contains('$') && !resolved.is_empty()).then_some(resolved)
}

/// The major version in an image tag (`20`, `20.11-bookworm` → 20).
pub(crate) fn major_version(src: &Src) -> Option<u32> {
    let tag = resolve_tag(src, src.image.tag.as_deref()?)?;
    let digits: String = tag.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// A JSON array of strings.
pub(crate) fn json_array(items: &[String]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\"")))
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// The user-creation line for an unprivileged `app` user on this image's distribution.
pub(crate) fn create_user(src: &Src) -> String {
    let raw = src.image.raw.to_ascii_lowercase();
    let run = src.kw("RUN");
    if raw.contains("alpine") || raw.contains("busybox") {
        format!("{run} addgroup -S app && adduser -S -G app -H app")
    } else {
        format!("{run} groupadd --system app && useradd --system --gid app --no-create-home app")
    }
}

/// Entries every runner has: user creation, runtime COPYs, the user's metadata
/// instructions, HEALTHCHECK, CMD/ENTRYPOINT (unless `skip` says otherwise).
pub(crate) fn add_runtime_items(
    stage: &mut OutStage,
    src: &Src,
    c: &Common,
    r: &Routed,
    skip_cmd: bool,
) {
    for item in &src.items {
        match &item.what {
            What::Meta | What::Healthcheck => stage.keep(item),
            What::Cmd | What::Entrypoint if !skip_cmd => stage.keep(item),
            What::User { root: false } if Some(item.index) == c.user => stage.keep(item),
            What::Copy(analyze::CopyKind::Runtime) if !is_source_copy(src, c, item) => {
                stage.keep(item)
            }
            _ => {}
        }
    }
    for part in r.parts_to(Dest::User).chain(r.parts_to(Dest::Late)) {
        let flags = secret_flags(src, part.item, false);
        if let Some(t) = render::run_text(src, part, &[], &flags) {
            add_part(stage, src, part, t);
        }
    }
}

/// Position just before the CMD/ENTRYPOINT (for the USER line), or the end.
pub(crate) fn before_cmd(src: &Src) -> usize {
    src.items
        .iter()
        .find(|i| matches!(i.what, What::Cmd | What::Entrypoint))
        .map_or(usize::MAX, |i| i.index)
}

/// Top-level paths under the application directory that CMD, ENTRYPOINT and HEALTHCHECK
/// name (`node dist/server.js` → `dist`); `None` when one of them is a file at the top (the
/// whole directory is then needed) or a path cannot be read.
pub(crate) fn runtime_paths(src: &Src, c: &Common, exts: &[&str]) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for item in &src.items {
        if !matches!(item.what, What::Cmd | What::Entrypoint | What::Healthcheck) {
            continue;
        }
        for w in words_of(src, item) {
            if w.starts_with('-') || w.contains('$') || w.contains(char::is_whitespace) {
                continue;
            }
            let rel = if let Some(abs) = w.strip_prefix(&format!("{}/", c.app)) {
                abs.to_string()
            } else if w.starts_with('/') {
                continue;
            } else {
                w.trim_start_matches("./").to_string()
            };
            let looks_path = rel.contains('/') || exts.iter().any(|e| rel.ends_with(e));
            if !looks_path || rel.contains(':') || rel.starts_with("..") {
                continue;
            }
            let top = rel.split('/').next().unwrap_or_default().to_string();
            if top.is_empty() || top == "node_modules" || top == ".venv" {
                continue;
            }
            if !rel.contains('/') {
                return None;
            }
            if !out.contains(&top) {
                out.push(top);
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests;
