//! Node (npm, yarn, pnpm) and Next.js.

use super::analyze::{program_words, Cat, CopyKind, Src, Tool, What};
use super::render::{self, fill_context, EnvMode, OutStage};
use super::route::{Dest, Routed};
use super::{
    add_part, add_runtime_items, add_setup, before_cmd, copy_without_owner, has_setup,
    is_broad_copy, is_source_copy, json_array, last_of, major_version, runtime_paths, secret_flags,
    secret_note, slim_variant, words_of, Common, Plan, Variant,
};
use crate::model::Span;

/// Programs every official node image has.
const NODE_PROGRAMS: &[&str] = &["node", "npm", "npx", "yarn", "corepack", "sh", "bash"];

fn cache_target(tool: Tool) -> &'static str {
    match tool {
        Tool::Yarn => "/usr/local/share/.cache/yarn",
        Tool::Pnpm => "/root/.local/share/pnpm/store",
        _ => "/root/.npm",
    }
}

fn manifests(tool: Tool, secrets: bool) -> String {
    let base = match tool {
        Tool::Yarn => "package.json yarn.lock",
        Tool::Pnpm => "package.json pnpm-lock.yaml",
        _ => "package*.json",
    };
    if secrets {
        format!("{base} .npmrc*")
    } else {
        base.to_string()
    }
}

/// The locked install, keeping the user's other flags. `production`: install only the
/// production dependencies (no build step follows).
fn locked_install(src: &Src, cmd: &super::analyze::Cmd, tool: Tool, production: bool) -> String {
    let (name, args) = program_words(&cmd.command);
    let prefix = src.slice(Span::new(cmd.span().start, name.span.start));
    let mut kept: Vec<String> = Vec::new();
    let mut sub_seen = false;
    let mut skip_next = false;
    for a in args {
        let t = a.text.as_str();
        if skip_next {
            skip_next = false;
            continue;
        }
        if !sub_seen && !t.starts_with('-') {
            sub_seen = true;
            continue;
        }
        let drop = match tool {
            Tool::Npm => {
                t == "--production"
                    || t.starts_with("--only=")
                    || t == "--omit=dev"
                    || t == "--frozen-lockfile"
                    || t == "--pure-lockfile"
                    || t == "--non-interactive"
                    || t == "--no-package-lock"
            }
            Tool::Yarn => t == "--production" || t == "--prod" || t == "--production=true",
            Tool::Pnpm => t == "--prod" || t == "-P" || t == "--production",
            _ => false,
        };
        if t == "--only" || t == "--omit" {
            skip_next = true;
            continue;
        }
        if !drop {
            kept.push(src.slice(a.span).to_string());
        }
    }
    let has = |f: &str| kept.iter().any(|k| k == f);
    let mut out = format!("{prefix}{}", src.slice(name.span));
    match tool {
        Tool::Npm => {
            out.push_str(" ci");
            if production {
                kept.push("--omit=dev".into());
            }
        }
        Tool::Yarn => {
            out.push_str(" install");
            if !has("--frozen-lockfile") && !has("--immutable") && !has("--pure-lockfile") {
                kept.insert(0, "--frozen-lockfile".into());
            }
            if production {
                kept.push("--production".into());
            }
        }
        _ => {
            out.push_str(" install");
            if !has("--frozen-lockfile") && !has("--no-frozen-lockfile") {
                kept.insert(0, "--frozen-lockfile".into());
            }
            if production {
                kept.push("--prod".into());
            }
        }
    }
    for k in kept {
        out.push(' ');
        out.push_str(&k);
    }
    out
}

fn prune(src: &Src, tool: Tool) -> String {
    let run = src.kw("RUN");
    match tool {
        Tool::Yarn => {
            let mount = if src.buildkit {
                format!(" --mount=type=cache,target={}", cache_target(tool))
            } else {
                String::new()
            };
            format!("{run}{mount} yarn install --production --ignore-scripts --prefer-offline --frozen-lockfile")
        }
        Tool::Pnpm => format!("{run} pnpm prune --prod"),
        _ => format!("{run} npm prune --omit=dev"),
    }
}

/// A Next.js app: `next build` in a RUN, or a build step with `next` in CMD/ENTRYPOINT.
fn is_next(src: &Src, r: &Routed) -> bool {
    let next_build = src.items.iter().any(|i| {
        let What::Run(run) = &i.what else {
            return false;
        };
        run.cmds.iter().any(|c| {
            let (name, args) = program_words(&c.command);
            let words: Vec<&str> = std::iter::once(name.text.as_str())
                .chain(args.iter().map(|a| a.text.as_str()))
                .collect();
            words
                .windows(2)
                .any(|w| w[0].rsplit('/').next() == Some("next") && w[1] == "build")
        })
    });
    let next_cmd = src.items.iter().any(|i| {
        matches!(i.what, What::Cmd | What::Entrypoint)
            && words_of(src, i).iter().any(|w| {
                w.rsplit('/').next() == Some("next") || w.split_whitespace().any(|x| x == "next")
            })
    });
    next_build || (next_cmd && r.has(Dest::Build))
}

pub fn plan(src: &Src, r: &Routed, c: &Common, variant: Variant) -> Option<Plan> {
    let tool = *r.tools.first()?;
    if !matches!(tool, Tool::Npm | Tool::Yarn | Tool::Pnpm) {
        return None;
    }
    let has_build = r.has(Dest::Build);
    let next = is_next(src, r);
    let distroless = variant == Variant::Distroless;
    let alpine = src.image.raw.to_ascii_lowercase().contains("alpine");
    let program = c.program.clone().unwrap_or_default();
    let program_base = program.rsplit('/').next().unwrap_or_default().to_string();
    let runner_needs_setup = r.system_runtime
        || (r.tool_setup
            && !program.is_empty()
            && !program.contains('/')
            && !program.ends_with(".js")
            && !NODE_PROGRAMS.contains(&program_base.as_str()));
    let healthcheck_tools = src.items.iter().any(|i| {
        matches!(i.what, What::Healthcheck)
            && words_of(src, i).iter().skip(1).take(1).any(|w| {
                let p = w.rsplit('/').next().unwrap_or_default();
                !NODE_PROGRAMS.contains(&p) && !p.ends_with(".js")
            })
    });
    let setup = has_setup(src, r);
    let consumers = 1 + has_build as usize + runner_needs_setup as usize;
    let use_base = setup && consumers >= 2;

    // The distroless runner: exec-form `node …` CMD, glibc image, no runtime setup.
    let mut distroless_cmd: Option<Vec<String>> = None;
    let mut distroless_image = String::new();
    if distroless {
        let major = major_version(src)?;
        if alpine || runner_needs_setup || healthcheck_tools || !matches!(major, 18 | 20 | 22) {
            return None;
        }
        if r.has(Dest::Late) || r.has(Dest::User) {
            return None;
        }
        if src
            .items
            .iter()
            .any(|i| matches!(i.what, What::Healthcheck))
        {
            return None;
        }
        if last_of(src, |w| matches!(w, What::Entrypoint)).is_some() {
            return None;
        }
        if !next {
            let cmd = last_of(src, |w| matches!(w, What::Cmd))?;
            let ins = src.model.instructions.get(cmd.index)?;
            ins.json.as_ref()?;
            let words = words_of(src, cmd);
            if words.first().map(String::as_str) != Some("node") || words.len() < 2 {
                return None;
            }
            distroless_cmd = Some(words.into_iter().skip(1).collect());
        }
        distroless_image = format!("gcr.io/distroless/nodejs{major}-debian12:nonroot");
    }

    let build_from = if use_base {
        "base".to_string()
    } else {
        src.image_text.clone()
    };
    let mut stages: Vec<OutStage> = Vec::new();
    let flags = src.from_flags.clone();

    // base
    if use_base {
        let mut base = OutStage::new("base", src.image_text.clone(), flags.clone());
        base.notes
            .push("# base: the system packages and tools the other stages need".to_string());
        add_setup(&mut base, src, r, None);
        fill_context(src, &mut base, &[], EnvMode::Build);
        // WORKDIR belongs to each stage below.
        base.entries.retain(|e| !is_workdir(&e.text));
        let wd: Vec<usize> = workdir_items(src);
        base.used.retain(|u| !wd.contains(u));
        stages.push(base);
    }
    let base_used: Vec<usize> = stages.first().map(|b| b.used.clone()).unwrap_or_default();

    // deps
    let mut deps = OutStage::new("deps", build_from.clone(), flags.clone());
    deps.notes.push(
        "# deps: the dependencies alone, installed from the manifests (rebuilt only when they change)"
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
            .chain(r.first_install)
            .min();
        add_setup(&mut deps, src, r, cap);
    }
    if c.app_synth {
        deps.add(c.from_pos, 1, super::synth_workdir(src, c, true));
    }
    let first_install = r.first_install?;
    let mut manifest_copied = false;
    for item in &src.items {
        match &item.what {
            What::Copy(CopyKind::Manifest) if item.index < first_install => {
                deps.keep(item);
                manifest_copied = true;
            }
            What::Copy(CopyKind::Source)
                if item.index < first_install && !is_broad_copy(src, item) =>
            {
                deps.add_item(item, copy_without_owner(src, item));
            }
            _ => {}
        }
    }
    let secrets = !src.secret_args.is_empty();
    if !manifest_copied {
        deps.add(
            first_install,
            -2,
            format!("{} {} ./", src.kw("COPY"), manifests(tool, secrets)),
        );
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
                if t == tool {
                    install = true;
                    replace.push((cmd.span(), locked_install(src, cmd, tool, !has_build)));
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
    let deps_index = stages.len();
    stages.push(deps);

    let node_modules = c.in_app("node_modules");
    // builder
    if has_build {
        let mut b = OutStage::new("builder", build_from.clone(), flags.clone());
        b.notes.push(if next {
            "# builder: build the application".to_string()
        } else {
            "# builder: build the application, then keep only the production dependencies"
                .to_string()
        });
        if use_base {
            b.flags.clear();
            b.parent = Some(0);
        }
        if c.app_synth {
            b.add(c.from_pos, 1, super::synth_workdir(src, c, false));
        }
        let sources: Vec<usize> = src
            .items
            .iter()
            .filter(|i| is_source_copy(src, c, i))
            .map(|i| i.index)
            .collect();
        let broad = src.items.iter().any(|i| is_broad_copy(src, i));
        let anchor = sources
            .iter()
            .copied()
            .min()
            .or_else(|| r.parts_to(Dest::Build).map(|p| p.item).min())?;
        b.add(
            anchor,
            -1,
            format!(
                "{} --from=deps {node_modules} ./node_modules",
                src.kw("COPY")
            ),
        );
        let mut first_broad = true;
        for item in &src.items {
            let manifest = matches!(item.what, What::Copy(CopyKind::Manifest));
            if sources.contains(&item.index) || (manifest && !broad) {
                let mut text = copy_without_owner(src, item);
                if tool == Tool::Yarn && !next && first_broad && is_broad_copy(src, item) {
                    // Yarn prunes with an install, after the sources by necessity.
                    text = format!(
                        "# dockerfile-ls ignore=CacheBustingCopy (the dependencies come from deps; the install at the end prunes them)\n{text}"
                    );
                    first_broad = false;
                }
                b.add_item(item, text);
            }
        }
        if next {
            let first_build = r.parts_to(Dest::Build).map(|p| p.item).min()?;
            b.add(
                first_build,
                -1,
                format!(
                    "# public/ is optional in Next.js; the runner copies it\n{} mkdir -p public",
                    src.kw("RUN")
                ),
            );
        }
        for part in r.parts_to(Dest::Build) {
            let fl = secret_flags(src, part.item, false);
            let text = render::run_text(src, part, &[], &fl)?;
            add_part(&mut b, src, part, text);
        }
        if !next {
            b.add(usize::MAX, 0, prune(src, tool));
        }
        fill_context(src, &mut b, &base_used, EnvMode::Builder);
        stages.push(b);
    }

    // runner
    let runner_from = if distroless {
        distroless_image.clone()
    } else if runner_needs_setup && use_base {
        "base".to_string()
    } else if runner_needs_setup || healthcheck_tools {
        src.image_text.clone()
    } else {
        slim_variant(src).unwrap_or_else(|| src.image_text.clone())
    };
    let mut run = OutStage::new(
        "runner",
        runner_from.clone(),
        if runner_from == "base" || distroless {
            String::new()
        } else {
            super::runner_flags(src)
        },
    );
    if runner_from == "base" {
        run.parent = Some(0);
    }
    run.shell = !distroless;
    run.notes.push(if next {
        "# runner: Next.js standalone output; next.config must set output: 'standalone'".to_string()
    } else {
        "# runner: only what the application needs at run time, as an unprivileged user".to_string()
    });
    if runner_from != src.image_text && runner_from != "base" && !distroless {
        run.notes.push(format!(
            "# {runner_from} is the slim variant of {}",
            src.image_text
        ));
    }
    if healthcheck_tools && !runner_needs_setup && !distroless {
        if let Some(slim) = slim_variant(src) {
            run.notes.push(format!(
                "# {}, not {slim}: the HEALTHCHECK uses a tool the slim variant does not have",
                src.image_text
            ));
        }
    }
    if distroless {
        run.notes.push(
            "# Distroless: no shell or package manager; the image runs node on the CMD's script"
                .to_string(),
        );
    }
    if c.app_synth {
        run.add(c.from_pos, 1, super::synth_workdir(src, c, false));
    }
    let user_sets = |name: &str| {
        src.items
            .iter()
            .any(|i| matches!(i.what, What::Env) && src.defined(i.index).iter().any(|n| n == name))
    };
    let at = c.app_pos;
    let env = src.kw("ENV");
    let copy = src.kw("COPY");
    if !user_sets("NODE_ENV") {
        run.add(at, 1, format!("{env} NODE_ENV=production"));
    }
    let owner = if distroless {
        "nonroot:nonroot"
    } else {
        "node:node"
    };
    if has_build && next {
        let port = exposed_port(src).unwrap_or_else(|| "3000".to_string());
        let env_line = if user_sets("PORT") {
            format!("{env} HOSTNAME=0.0.0.0")
        } else {
            format!("{env} PORT={port} HOSTNAME=0.0.0.0")
        };
        run.add(at, 2, env_line);
        run.add(
            at,
            3,
            format!("{copy} --from=builder {} ./public", c.in_app("public")),
        );
        run.add(
            at,
            4,
            format!(
                "{copy} --from=builder --chown={owner} {} ./",
                c.in_app(".next/standalone")
            ),
        );
        run.add(
            at,
            5,
            format!(
                "{copy} --from=builder --chown={owner} {} ./.next/static",
                c.in_app(".next/static")
            ),
        );
    } else if has_build {
        match runtime_paths(src, c, &[".js", ".mjs", ".cjs", ".json"]) {
            Some(paths) if !paths.is_empty() => {
                run.add(
                    at,
                    3,
                    format!("{copy} --from=builder {} ./", c.in_app("package.json")),
                );
                run.add(
                    at,
                    4,
                    format!("{copy} --from=builder {node_modules} ./node_modules"),
                );
                for (k, p) in paths.iter().enumerate() {
                    run.add(
                        at,
                        5 + k as i32,
                        format!("{copy} --from=builder {} ./{p}", c.in_app(p)),
                    );
                }
            }
            _ => {
                run.add(at, 3, format!("{copy} --from=builder {} ./", c.app));
            }
        }
    } else {
        run.add(
            at,
            3,
            format!("{copy} --from=deps {node_modules} ./node_modules"),
        );
        let broad = src.items.iter().any(|i| is_broad_copy(src, i));
        for item in &src.items {
            let manifest = matches!(item.what, What::Copy(CopyKind::Manifest));
            if is_source_copy(src, c, item) || (manifest && !broad) {
                run.keep(item);
            }
        }
    }
    if distroless {
        for item in &src.items {
            match &item.what {
                What::Meta => run.keep(item),
                What::Copy(CopyKind::Runtime) if !is_source_copy(src, c, item) => run.keep(item),
                _ => {}
            }
        }
        run.add(before_cmd(src), -1, format!("{} nonroot", src.kw("USER")));
        let args = if next {
            vec!["server.js".to_string()]
        } else {
            distroless_cmd.unwrap_or_default()
        };
        let cmd_item = last_of(src, |w| matches!(w, What::Cmd));
        let line = format!("{} {}", src.kw("CMD"), json_array(&args));
        match cmd_item {
            Some(item) => run.add_item(item, line),
            None => run.add(usize::MAX, 0, line),
        }
    } else {
        add_runtime_items(&mut run, src, c, r, next);
        if next {
            let cmd_item = last_of(src, |w| matches!(w, What::Cmd));
            let line = format!("{} [\"node\", \"server.js\"]", src.kw("CMD"));
            match cmd_item {
                Some(item) => run.add_item(item, line),
                None => run.add(usize::MAX, 0, line),
            }
        }
        if c.user.is_none() {
            run.add(before_cmd(src), -1, format!("{} node", src.kw("USER")));
        }
    }
    let parent_used = if runner_from == "base" {
        base_used.clone()
    } else {
        Vec::new()
    };
    fill_context(src, &mut run, &parent_used, EnvMode::Runtime);
    stages.push(run);
    let _ = deps_index;
    Some(Plan {
        stages,
        needs_syntax: secrets || !src.secret_envs.is_empty(),
    })
}

pub(crate) fn is_workdir(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim_start().starts_with('#'))
        .is_some_and(|l| l.trim_start().to_ascii_uppercase().starts_with("WORKDIR"))
}

pub(crate) fn workdir_items(src: &Src) -> Vec<usize> {
    src.items
        .iter()
        .filter(|i| matches!(i.what, What::Workdir(_)))
        .map(|i| i.index)
        .collect()
}

/// The first port of the first EXPOSE.
fn exposed_port(src: &Src) -> Option<String> {
    let item = src
        .items
        .iter()
        .find(|i| i.kind == crate::model::InstructionKind::Expose)?;
    let w = words_of(src, item).into_iter().next()?;
    let port = w.split('/').next()?.to_string();
    (!port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())).then_some(port)
}
