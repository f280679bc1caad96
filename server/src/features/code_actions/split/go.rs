//! Go: modules downloaded in deps, a static binary built in builder, a distroless runner.

use super::analyze::{program_words, Cat, CopyKind, Src, What};
use super::render::{self, fill_context, EnvMode, OutStage};
use super::route::{Dest, Routed};
use super::{
    add_part, add_setup, before_cmd, copy_without_owner, is_broad_copy, is_source_copy, json_array,
    last_of, runner_flags, secret_flags, secret_note, words_of, Common, Plan,
};
use crate::model::Span;

const MOD_CACHE: &str = "--mount=type=cache,target=/go/pkg/mod";
const BUILD_CACHE: &str = "--mount=type=cache,target=/root/.cache/go-build";

/// A `go build` or `go install` somewhere in a RUN.
pub fn builds_go(src: &Src) -> bool {
    src.items.iter().any(|i| {
        let What::Run(run) = &i.what else {
            return false;
        };
        run.cmds.iter().any(|c| {
            c.program() == "go" && c.cat == Cat::Build && go_sub(c).is_some_and(|s| s == "build")
        })
    })
}

fn go_sub(c: &super::analyze::Cmd) -> Option<String> {
    let (_, args) = program_words(&c.command);
    args.iter()
        .find(|a| !a.text.starts_with('-'))
        .map(|a| a.text.to_string())
}

/// The value CGO_ENABLED is given by an ENV of the file, if any.
fn env_cgo(src: &Src) -> Option<String> {
    src.model
        .vars
        .iter()
        .rev()
        .find(|v| v.name == "CGO_ENABLED" && v.kind == crate::model::VarKind::Env)
        .map(|v| v.value.as_deref().unwrap_or_default().to_string())
}

pub fn plan(src: &Src, r: &Routed, c: &Common) -> Option<Plan> {
    if r.has(Dest::Late) || r.has(Dest::User) {
        return None;
    }
    let alpine = src.image.raw.to_ascii_lowercase().contains("alpine");
    let env_cgo = env_cgo(src);
    let mut cgo_on = env_cgo.as_deref() == Some("1");
    let kw = |k: &str| src.kw(k);
    let flags = src.from_flags.clone();
    let mut stages: Vec<OutStage> = Vec::new();

    // Where the build and the binaries are.
    let program_path = c.program.as_ref().filter(|p| p.contains('/')).map(|p| {
        if p.starts_with('/') {
            p.clone()
        } else {
            c.in_app(p)
        }
    });
    let mut binaries: Vec<String> = Vec::new();
    let mut go_bin = false;
    let mut rewrites: Vec<(Span, String)> = Vec::new();
    for part in r.parts_to(Dest::Build) {
        let item = src.item(part.item)?;
        let What::Run(run) = &item.what else {
            continue;
        };
        for (k, cmd) in run.cmds.iter().enumerate() {
            if part.cmds.as_ref().is_some_and(|ks| !ks.contains(&k)) {
                continue;
            }
            if cmd.program() != "go" {
                continue;
            }
            let sub = go_sub(cmd).unwrap_or_default();
            if sub != "build" && sub != "install" {
                continue;
            }
            let assigned = cmd
                .command
                .assignments
                .iter()
                .find(|(k, _)| k == "CGO_ENABLED")
                .map(|(_, v)| v.clone());
            if assigned.as_deref() == Some("1") {
                cgo_on = true;
            }
            if assigned.is_none() && env_cgo.is_none() {
                rewrites.push((
                    Span::new(cmd.span().start, cmd.span().start),
                    "CGO_ENABLED=0 ".to_string(),
                ));
            }
            if sub == "install" {
                go_bin = true;
                continue;
            }
            let (_, args) = program_words(&cmd.command);
            let mut out: Option<String> = None;
            let mut it = args.iter();
            while let Some(a) = it.next() {
                if a.text == "-o" {
                    out = it.next().map(|w| w.text.to_string());
                } else if let Some(v) = a.text.strip_prefix("-o=") {
                    out = Some(v.to_string());
                }
            }
            let target = match out {
                Some(o) => {
                    if o.contains('$') || o.ends_with('/') {
                        return None;
                    }
                    if o.starts_with('/') {
                        o
                    } else {
                        c.in_app(&o)
                    }
                }
                None => {
                    let t = program_path
                        .clone()
                        .unwrap_or_else(|| "/out/app".to_string());
                    let build_word = args.iter().find(|a| a.text == "build")?;
                    rewrites.push((
                        Span::new(build_word.span.end, build_word.span.end),
                        format!(" -o {t}"),
                    ));
                    t
                }
            };
            if !binaries.contains(&target) {
                binaries.push(target);
            }
        }
    }
    if binaries.is_empty() && !go_bin {
        return None;
    }
    if cgo_on && alpine {
        return None;
    }

    // deps
    let mut deps = OutStage::new("deps", src.image_text.clone(), flags.clone());
    deps.notes.push(
        "# deps: the modules alone, downloaded from go.mod and go.sum (rebuilt only when they change)"
            .to_string(),
    );
    add_setup(&mut deps, src, r, None);
    if c.app_synth {
        deps.add(c.from_pos, 1, super::synth_workdir(src, c, true));
    }
    let first_source = src
        .items
        .iter()
        .find(|i| is_source_copy(src, c, i))
        .map(|i| i.index);
    let anchor = r
        .first_install
        .or(first_source)
        .or_else(|| r.parts_to(Dest::Build).map(|p| p.item).min())?;
    let mut manifest_copied = false;
    for item in &src.items {
        match &item.what {
            What::Copy(CopyKind::Manifest)
                if item.index < anchor.max(first_source.unwrap_or(0)) =>
            {
                deps.keep(item);
                manifest_copied = true;
            }
            What::Copy(CopyKind::Source) if item.index < anchor && !is_broad_copy(src, item) => {
                deps.add_item(item, copy_without_owner(src, item));
            }
            _ => {}
        }
    }
    if !manifest_copied {
        deps.add(anchor, -3, format!("{} go.mod go.sum ./", kw("COPY")));
    }
    if let Some(note) = secret_note(src) {
        deps.add(anchor, -2, note);
    }
    let mut downloaded = false;
    for part in r.parts_to(Dest::Deps) {
        let mut fl = Vec::new();
        if src.buildkit {
            fl.push(MOD_CACHE.to_string());
        }
        fl.extend(secret_flags(src, part.item, true));
        let text = render::run_text(src, part, &[], &fl)?;
        add_part(&mut deps, src, part, text);
        downloaded = true;
    }
    if !downloaded {
        let mut line = kw("RUN");
        if src.buildkit {
            line.push(' ');
            line.push_str(MOD_CACHE);
        }
        for f in secret_flags(src, anchor, true) {
            line.push(' ');
            line.push_str(&f);
        }
        line.push_str(" go mod download");
        deps.add(anchor, -1, line);
    }
    fill_context(src, &mut deps, &[], EnvMode::Build);
    let deps_used = deps.used.clone();
    stages.push(deps);

    // builder
    let mut b = OutStage::new("builder", "deps", "");
    b.parent = Some(0);
    b.notes.push(if cgo_on {
        "# builder: the binary (cgo enabled: the runner has glibc)".to_string()
    } else {
        "# builder: a static binary".to_string()
    });
    for item in &src.items {
        if (is_source_copy(src, c, item) || matches!(item.what, What::Copy(CopyKind::Manifest)))
            && !deps_used.contains(&item.index)
        {
            b.add_item(item, copy_without_owner(src, item));
        }
    }
    for part in r.parts_to(Dest::Build) {
        let mut fl = Vec::new();
        if src.buildkit {
            fl.push(MOD_CACHE.to_string());
            fl.push(BUILD_CACHE.to_string());
        }
        fl.extend(secret_flags(src, part.item, false));
        let text = render::run_text(src, part, &rewrites, &fl)?;
        add_part(&mut b, src, part, text);
    }
    fill_context(src, &mut b, &deps_used, EnvMode::Builder);
    stages.push(b);

    // runner
    let image = if cgo_on {
        "gcr.io/distroless/base-debian12:nonroot"
    } else {
        "gcr.io/distroless/static-debian12:nonroot"
    };
    let mut run = OutStage::new("runner", image, runner_flags(src));
    run.shell = false;
    run.notes.push(
        "# runner: only the binary, on a distroless image (no shell, no package manager), as a non-root user"
            .to_string(),
    );
    if c.app_synth {
        run.add(c.from_pos, 1, super::synth_workdir(src, c, false));
    }
    let copy = kw("COPY");
    let at = c.app_pos;
    for (k, bin) in binaries.iter().enumerate() {
        run.add(
            at,
            1 + k as i32,
            format!("{copy} --from=builder {bin} {bin}"),
        );
    }
    if go_bin {
        run.add(
            at,
            20,
            format!("{copy} --from=builder /go/bin/ /usr/local/bin/"),
        );
    }
    for item in &src.items {
        match &item.what {
            What::Meta => run.keep(item),
            What::Copy(CopyKind::Runtime) if !is_source_copy(src, c, item) => run.keep(item),
            What::Healthcheck => {
                let ins = src.model.instructions.get(item.index)?;
                let exec = ins.json.is_some()
                    || words_of(src, item)
                        .first()
                        .is_some_and(|w| w.eq_ignore_ascii_case("NONE"));
                if exec {
                    run.keep(item);
                } else {
                    let commented: String = item.text.lines().map(|l| format!("# {l}\n")).collect();
                    run.add(
                        item.index,
                        0,
                        format!(
                            "{}# HEALTHCHECK in shell form needs a shell, which distroless images do not have:\n{commented}",
                            item.comments
                        ),
                    );
                }
            }
            _ => {}
        }
    }
    let ep = last_of(src, |w| matches!(w, What::Entrypoint));
    let cmd = last_of(src, |w| matches!(w, What::Cmd));
    for item in [ep, cmd].into_iter().flatten() {
        let ins = src.model.instructions.get(item.index)?;
        if ins.json.is_some() {
            run.keep(item);
        } else {
            let words = words_of(src, item);
            if words
                .iter()
                .any(|w| w.contains(['$', '|', '&', ';', '>', '<', '*', '`', '(']))
            {
                return None;
            }
            run.add_item(
                item,
                format!(
                    "# exec form: distroless images have no shell\n{} {}",
                    ins.keyword,
                    json_array(&words)
                ),
            );
        }
    }
    if ep.is_none() && cmd.is_none() {
        let bin = binaries.first()?;
        run.add(
            usize::MAX,
            0,
            format!(
                "{} {}",
                kw("ENTRYPOINT"),
                json_array(std::slice::from_ref(bin))
            ),
        );
    }
    run.add(
        before_cmd(src),
        -1,
        format!("{} nonroot:nonroot", kw("USER")),
    );
    fill_context(src, &mut run, &[], EnvMode::Runtime);
    stages.push(run);
    Some(Plan {
        stages,
        needs_syntax: !src.secret_args.is_empty() || !src.secret_envs.is_empty(),
    })
}
