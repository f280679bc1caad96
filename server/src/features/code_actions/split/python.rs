//! Python: pip with requirements files, poetry, uv. Dependencies go into a virtual
//! environment that the runner copies.

use super::analyze::{program_words, Cat, CopyKind, Src, Tool, What};
use super::render::{self, fill_context, EnvMode, OutStage};
use super::route::{Dest, Routed};
use super::{
    add_part, add_runtime_items, add_setup, before_cmd, copy_without_owner, create_user, has_setup,
    is_source_copy, json_array, last_of, secret_flags, secret_note, slim_variant, words_of, Common,
    Plan,
};
use crate::model::Span;

fn cache_target(tool: Tool) -> &'static str {
    match tool {
        Tool::Poetry => "/root/.cache/pypoetry",
        Tool::Uv => "/root/.cache/uv",
        _ => "/root/.cache/pip",
    }
}

/// `-r` files of the pip installs, as COPY sources (a file in a directory brings the
/// directory: requirement files include each other).
fn requirement_sources(src: &Src, r: &Routed) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for part in r.parts_to(Dest::Deps) {
        let item = src.item(part.item)?;
        let What::Run(run) = &item.what else {
            continue;
        };
        for cmd in &run.cmds {
            if cmd.cat != Cat::Install(Tool::Pip) {
                continue;
            }
            let (_, args) = program_words(&cmd.command);
            let mut it = args.iter().peekable();
            while let Some(a) = it.next() {
                let file = if a.text == "-r" || a.text == "--requirement" {
                    it.next().map(|w| (w.text.to_string(), w.literal))
                } else if let Some(f) = a.text.strip_prefix("--requirement=") {
                    Some((f.to_string(), a.literal))
                } else {
                    a.text
                        .strip_prefix("-r")
                        .filter(|f| !f.is_empty())
                        .map(|f| (f.to_string(), a.literal))
                };
                let Some((f, literal)) = file else {
                    continue;
                };
                if !literal
                    || f.contains('$')
                    || f.contains("..")
                    || f.contains(char::is_whitespace)
                {
                    return None;
                }
                let f = if let Some(rel) = f.strip_prefix(&format!("{}/", "")) {
                    rel.to_string()
                } else {
                    f
                };
                if f.starts_with('/') {
                    return None;
                }
                let f = f.trim_start_matches("./").to_string();
                let source = match f.split_once('/') {
                    Some((dir, _)) => format!("{dir}/"),
                    None => f,
                };
                if !out.contains(&source) {
                    out.push(source);
                }
            }
        }
    }
    Some(out)
}

/// A `poetry install` / `uv sync` rewritten for deps (`deps_only`: without the project) or
/// for the builder.
fn rewrite(src: &Src, cmd: &super::analyze::Cmd, tool: Tool, deps_only: bool, dev: bool) -> String {
    let (name, args) = program_words(&cmd.command);
    let prefix = src.slice(Span::new(cmd.span().start, name.span.start));
    let mut kept: Vec<String> = Vec::new();
    let mut sub_seen = false;
    for a in args {
        let t = a.text.as_str();
        if !sub_seen && !t.starts_with('-') {
            sub_seen = true;
            continue;
        }
        if t == "--no-root" || t == "--no-install-project" {
            continue;
        }
        kept.push(src.slice(a.span).to_string());
    }
    let has = |f: &str| {
        kept.iter()
            .any(|k| k == f || k.starts_with(&format!("{f}=")))
    };
    let groups_given = has("--only") || has("--with") || has("--without") || has("--no-dev");
    let locked = has("--frozen") || has("--locked");
    let dev_given = has("--no-dev") || has("--dev") || has("--all-groups");
    let mut out = format!("{prefix}{}", src.slice(name.span));
    match tool {
        Tool::Poetry => {
            out.push_str(" install");
            if deps_only {
                kept.push("--no-root".into());
            }
            if !dev && !groups_given {
                kept.push("--only".into());
                kept.push("main".into());
            }
        }
        _ => {
            out.push_str(" sync");
            if !locked {
                kept.insert(0, "--frozen".into());
            }
            if deps_only {
                kept.push("--no-install-project".into());
            }
            if !dev && !dev_given {
                kept.push("--no-dev".into());
            }
        }
    }
    for k in kept {
        out.push(' ');
        out.push_str(&k);
    }
    out
}

pub fn plan(src: &Src, r: &Routed, c: &Common) -> Option<Plan> {
    let tool = *r.tools.first()?;
    if !matches!(tool, Tool::Pip | Tool::Poetry | Tool::Uv) {
        return None;
    }
    let has_build = r.has(Dest::Build);
    let builder = has_build || tool != Tool::Pip;
    let first_install = r.first_install?;
    let user_venv = r.venv.as_ref().map(|v| {
        if v.starts_with('/') {
            v.trim_end_matches('/').to_string()
        } else {
            c.in_app(v)
        }
    });
    let venv = match (&user_venv, tool) {
        (Some(v), _) => v.clone(),
        (None, Tool::Uv) => c.in_app(".venv"),
        (None, _) => "/opt/venv".to_string(),
    };
    let venv_in_app = venv.starts_with(&format!("{}/", c.app));
    let runner_needs_setup = r.system_runtime;
    let setup = has_setup(src, r);
    let use_base = setup && runner_needs_setup;
    let flags = src.from_flags.clone();
    let build_from = if use_base {
        "base".to_string()
    } else {
        src.image_text.clone()
    };
    let kw = |k: &str| src.kw(k);
    let mut stages: Vec<OutStage> = Vec::new();
    if use_base {
        let mut base = OutStage::new("base", src.image_text.clone(), flags.clone());
        base.notes.push(
            "# base: the system packages the other stages need (move build-only ones, such as compilers and -dev headers, to deps)"
                .to_string(),
        );
        add_setup(&mut base, src, r, None);
        fill_context(src, &mut base, &[], EnvMode::Build);
        let wd = super::node::workdir_items(src);
        base.entries.retain(|e| !super::node::is_workdir(&e.text));
        base.used.retain(|u| !wd.contains(u));
        stages.push(base);
    }
    let base_used: Vec<usize> = stages.first().map(|b| b.used.clone()).unwrap_or_default();

    // deps
    let mut deps = OutStage::new("deps", build_from.clone(), flags.clone());
    deps.notes.push(
        "# deps: the dependencies alone, in a virtual environment (rebuilt only when the manifests change)"
            .to_string(),
    );
    if use_base {
        deps.flags.clear();
        deps.parent = Some(0);
    } else if setup {
        let cap = src
            .items
            .iter()
            .find(|i| matches!(i.what, What::Copy(CopyKind::Manifest)))
            .map(|i| i.index)
            .into_iter()
            .chain(Some(first_install))
            .min();
        add_setup(&mut deps, src, r, cap);
    }
    if c.app_synth {
        deps.add(c.from_pos, 1, super::synth_workdir(src, c, true));
    }
    // The virtual environment is created before the manifests are copied.
    let venv_at = src
        .items
        .iter()
        .find(|i| matches!(i.what, What::Copy(CopyKind::Manifest)) && i.index < first_install)
        .map_or(first_install, |i| i.index);
    let env = kw("ENV");
    if user_venv.is_none() {
        match tool {
            Tool::Uv => deps.add(
                venv_at,
                -5,
                format!("{env} UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy"),
            ),
            _ => {
                deps.add(venv_at, -5, format!("{} python -m venv {venv}", kw("RUN")));
                deps.add(
                    venv_at,
                    -4,
                    format!("{env} VIRTUAL_ENV={venv} PATH=\"{venv}/bin:$PATH\""),
                );
            }
        }
    }
    let mut manifest_copied = false;
    for item in &src.items {
        match &item.what {
            What::Copy(CopyKind::Manifest) if item.index < first_install => {
                deps.keep(item);
                manifest_copied = true;
            }
            What::Copy(CopyKind::Source)
                if item.index < first_install && !super::is_broad_copy(src, item) =>
            {
                deps.add_item(item, copy_without_owner(src, item));
            }
            _ => {}
        }
    }
    if !manifest_copied {
        let sources = match tool {
            Tool::Poetry => vec!["pyproject.toml".to_string(), "poetry.lock*".to_string()],
            Tool::Uv => vec!["pyproject.toml".to_string(), "uv.lock".to_string()],
            _ => requirement_sources(src, r)?,
        };
        if !sources.is_empty() {
            let dirs: Vec<&String> = sources.iter().filter(|s| s.ends_with('/')).collect();
            let files: Vec<&String> = sources.iter().filter(|s| !s.ends_with('/')).collect();
            let copy = kw("COPY");
            let mut k = -3;
            if !files.is_empty() {
                let f: Vec<&str> = files.iter().map(|s| s.as_str()).collect();
                deps.add(first_install, k, format!("{copy} {} ./", f.join(" ")));
                k += 1;
            }
            for d in dirs {
                deps.add(first_install, k, format!("{copy} {d} ./{d}"));
            }
        }
    }
    if let Some(note) = secret_note(src) {
        deps.add(first_install, -1, note);
    }
    for part in r.parts_to(Dest::Deps) {
        let item = src.item(part.item)?;
        let What::Run(run) = &item.what else {
            continue;
        };
        let mut replace: Vec<(Span, String)> = Vec::new();
        let mut install = false;
        for (k, cmd) in run.cmds.iter().enumerate() {
            if part.cmds.as_ref().is_some_and(|ks| !ks.contains(&k)) {
                continue;
            }
            if let Cat::Install(t) = cmd.cat {
                install = true;
                if t == tool && tool != Tool::Pip {
                    replace.push((cmd.span(), rewrite(src, cmd, tool, true, has_build)));
                }
            }
        }
        let mut fl = Vec::new();
        if src.buildkit && install {
            fl.push(format!("--mount=type=cache,target={}", cache_target(tool)));
        }
        fl.extend(secret_flags(src, part.item, install));
        let text = render::run_text(src, part, &replace, &fl)?;
        add_part(&mut deps, src, part, text);
    }
    fill_context(src, &mut deps, &base_used, EnvMode::Build);
    // What the builder inherits: deps and, through it, base.
    let mut deps_used = deps.used.clone();
    deps_used.extend(base_used.iter().copied());
    stages.push(deps);
    let deps_index = stages.len() - 1;

    // builder: built on deps (the virtual environment is there).
    if builder {
        let mut b = OutStage::new("builder", "deps", "");
        b.parent = Some(deps_index);
        b.notes
            .push("# builder: the application, installed with its dependencies".to_string());
        let anchor = src
            .items
            .iter()
            .rev()
            .find(|i| is_source_copy(src, c, i))
            .map(|i| i.index)
            .or_else(|| r.parts_to(Dest::Build).map(|p| p.item).min())
            .unwrap_or(usize::MAX - 1);
        let mut first = true;
        for item in &src.items {
            if is_source_copy(src, c, item) && !deps_used.contains(&item.index) {
                let mut text = copy_without_owner(src, item);
                if first && tool != Tool::Pip && super::is_broad_copy(src, item) {
                    // deps installed the dependencies; the install below adds the project.
                    text = format!(
                        "# dockerfile-ls ignore=CacheBustingCopy (dependencies come from deps; the install below adds the project)\n{text}"
                    );
                }
                first = false;
                b.add_item(item, text);
            }
        }
        if tool != Tool::Pip {
            // Install the project itself (it needs the sources).
            let install = r.parts_to(Dest::Deps).find_map(|p| {
                let item = src.item(p.item)?;
                let What::Run(run) = &item.what else {
                    return None;
                };
                run.cmds
                    .iter()
                    .find(|c| c.cat == Cat::Install(tool))
                    .map(|c| (p.item, c))
            });
            if let Some((at, cmd)) = install {
                let mut fl = Vec::new();
                if src.buildkit {
                    fl.push(format!(" --mount=type=cache,target={}", cache_target(tool)));
                }
                fl.extend(
                    secret_flags(src, at, true)
                        .into_iter()
                        .map(|f| format!(" {f}")),
                );
                b.add(
                    anchor,
                    1,
                    format!(
                        "{}{} {}",
                        kw("RUN"),
                        fl.concat(),
                        rewrite(src, cmd, tool, false, has_build)
                    ),
                );
            }
        }
        for part in r.parts_to(Dest::Build) {
            let fl = secret_flags(src, part.item, false);
            let text = render::run_text(src, part, &[], &fl)?;
            add_part(&mut b, src, part, text);
        }
        fill_context(src, &mut b, &deps_used, EnvMode::Builder);
        stages.push(b);
    }

    // runner
    let runner_from = if use_base {
        "base".to_string()
    } else if runner_needs_setup {
        src.image_text.clone()
    } else {
        slim_variant(src).unwrap_or_else(|| src.image_text.clone())
    };
    let mut run = OutStage::new(
        "runner",
        runner_from.clone(),
        if use_base {
            String::new()
        } else {
            super::runner_flags(src)
        },
    );
    if use_base {
        run.parent = Some(0);
    }
    run.notes.push(
        "# runner: the virtual environment and the application, run as an unprivileged user"
            .to_string(),
    );
    if runner_from != src.image_text && runner_from != "base" {
        run.notes.push(format!(
            "# {runner_from} is the slim variant of {}; install here the system libraries a dependency needs at run time",
            src.image_text
        ));
    }
    if c.app_synth {
        run.add(c.from_pos, 1, super::synth_workdir(src, c, false));
    }
    let at = c.app_pos;
    let copy = kw("COPY");
    if user_venv.is_none() {
        run.add(at, 1, format!("{env} PATH=\"{venv}/bin:$PATH\""));
    }
    if c.user.is_none() {
        run.add(at, 2, create_user(src));
    }
    let from_stage = if builder { "builder" } else { "deps" };
    if builder {
        if !venv_in_app {
            run.add(at, 3, format!("{copy} --from={from_stage} {venv} {venv}"));
        }
        run.add(at, 4, format!("{copy} --from=builder {} ./", c.app));
    } else {
        run.add(at, 3, format!("{copy} --from=deps {venv} {venv}"));
        for item in &src.items {
            if is_source_copy(src, c, item) {
                run.keep(item);
            }
        }
    }
    // CMD/ENTRYPOINT without `poetry run` / `uv run`.
    add_runtime_items(&mut run, src, c, r, true);
    for item in &src.items {
        if !matches!(item.what, What::Cmd | What::Entrypoint) {
            continue;
        }
        if Some(item.index) != last_of(src, |w| matches!(w, What::Cmd)).map(|i| i.index)
            && Some(item.index) != last_of(src, |w| matches!(w, What::Entrypoint)).map(|i| i.index)
        {
            continue;
        }
        match strip_runner(src, item) {
            Some((line, tool_name)) => {
                run.add_item(
                    item,
                    format!(
                        "# `{tool_name} run` dropped: the virtual environment is on PATH\n{line}"
                    ),
                );
            }
            None => run.keep(item),
        }
    }
    if c.user.is_none() {
        run.add(before_cmd(src), -1, format!("{} app", kw("USER")));
    }
    let parent_used = if use_base { base_used } else { Vec::new() };
    fill_context(src, &mut run, &parent_used, EnvMode::Runtime);
    stages.push(run);
    let _ = words_of;
    Some(Plan {
        stages,
        needs_syntax: !src.secret_args.is_empty() || !src.secret_envs.is_empty(),
    })
}

/// `CMD ["poetry", "run", "python", "-m", "app"]` → `CMD ["python", "-m", "app"]` (also
/// `uv run [flags]`), as exec form; `None` when there is nothing to strip.
fn strip_runner(src: &Src, item: &super::analyze::Item) -> Option<(String, &'static str)> {
    let ins = src.model.instructions.get(item.index)?;
    let words: Vec<String> = ins.words.iter().map(|w| w.value.to_string()).collect();
    let tool = match (
        words.first().map(String::as_str),
        words.get(1).map(String::as_str),
    ) {
        (Some("poetry"), Some("run")) => "poetry",
        (Some("uv"), Some("run")) => "uv",
        _ => return None,
    };
    let rest: Vec<String> = words
        .iter()
        .skip(2)
        .skip_while(|w| w.starts_with('-'))
        .cloned()
        .collect();
    if rest.is_empty() {
        return None;
    }
    if ins.json.is_none()
        && rest
            .iter()
            .any(|w| w.contains(['$', '|', '&', ';', '>', '<', '*', '`']))
    {
        return None;
    }
    Some((format!("{} {}", ins.keyword, json_array(&rest)), tool))
}
