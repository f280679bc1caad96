//! Any other ecosystem: the original stage as the builder, and a runner on the same image
//! that copies the working directory and the install locations it knows (Bundler's and
//! RubyGems', `cargo install`'s, `make install`'s prefix), as a safe starting point.

use super::analyze::{Cat, Src, What};
use super::render::{self, fill_context, EnvMode, OutStage};
use super::route::{Dest, Part, Routed};
use super::{
    add_part, before_cmd, create_user, is_source_copy, runner_flags, secret_flags, secret_note,
    Common, Plan,
};

pub fn plan(src: &Src, r: &Routed, c: &Common) -> Option<Plan> {
    if c.app_guessed || c.app == "/" {
        return None;
    }
    // Web servers that start as root to bind port 80 and drop privileges themselves.
    let image = src.image.raw.to_ascii_lowercase();
    if ["apache", "httpd", "nginx", "caddy", "traefik"]
        .iter()
        .any(|w| image.contains(w))
    {
        return None;
    }
    // Something must install or build: a known package manager, or an install into a
    // directory the runner can copy (`make install`).
    let dirs = install_dirs(src);
    if !r.foreign && r.tools.is_empty() && !super::go::builds_go(src) && dirs.is_empty() {
        return None;
    }
    let mut b = OutStage::new("builder", src.image_text.clone(), src.from_flags.clone());
    b.notes
        .push("# builder: the original stage: dependencies and build".to_string());
    if c.app_synth {
        b.add(c.from_pos, 1, super::synth_workdir(src, c, true));
    }
    let mut bundler = false;
    let mut noted = false;
    for item in &src.items {
        match &item.what {
            What::Cmd | What::Entrypoint | What::Meta | What::Healthcheck | What::User { .. } => {}
            What::Arg | What::Env => {
                if let Some(t) = render::without_secrets(src, item) {
                    b.add_item(item, t);
                }
            }
            What::Run(run) => {
                if run.cmds.iter().any(|c| c.cat == Cat::UserSetup) && run.cmds.len() == 1 {
                    continue;
                }
                bundler |= run.cmds.iter().any(|c| c.program() == "bundle");
                let install = run
                    .cmds
                    .iter()
                    .any(|c| matches!(c.cat, Cat::Install(_) | Cat::Foreign));
                let fl = secret_flags(src, item.index, install);
                if !fl.is_empty() && !noted {
                    if let Some(n) = secret_note(src) {
                        b.add(item.index, -1, n);
                        noted = true;
                    }
                }
                let part = Part {
                    item: item.index,
                    cmds: None,
                    dest: Dest::Build,
                };
                let text = render::run_text(src, &part, &[], &fl)?;
                add_part(&mut b, src, &part, text);
            }
            _ => b.keep(item),
        }
    }
    stages_done(src, r, c, b, bundler, dirs)
}

fn stages_done(
    src: &Src,
    r: &Routed,
    c: &Common,
    builder: OutStage,
    bundler: bool,
    mut dirs: Vec<String>,
) -> Option<Plan> {
    let kw = |k: &str| src.kw(k);
    let mut run = OutStage::new("runner", src.image_text.clone(), runner_flags(src));
    if bundler && !dirs.iter().any(|d| d == GEM_HOME) {
        dirs.insert(0, GEM_HOME.to_string());
    }
    dirs.retain(|d| !within(d, &c.app));
    let copied = match dirs.as_slice() {
        [] => c.app.clone(),
        [d] => format!("{} and {d}", c.app),
        _ => format!("{} and the install directories", c.app),
    };
    run.notes.push(format!(
        "# runner: the same image with {copied} copied from the builder, as an unprivileged user"
    ));
    if r.system {
        run.notes.push(
            "# System packages installed in the builder are not here: install the ones needed at run time."
                .to_string(),
        );
    }
    if c.app_synth {
        run.add(c.from_pos, 1, super::synth_workdir(src, c, false));
    }
    let copy = kw("COPY");
    let at = c.app_pos;
    if c.user.is_none() {
        run.add(at, 1, create_user(src));
    }
    for dir in &dirs {
        run.add(at, 2, format!("{copy} --from=builder {dir} {dir}"));
    }
    let owner = if c.user.is_none() {
        " --chown=app:app"
    } else {
        ""
    };
    run.add(
        at,
        3,
        format!("{copy} --from=builder{owner} {} {}", c.app, c.app),
    );
    for item in &src.items {
        match &item.what {
            What::Meta | What::Healthcheck | What::Cmd | What::Entrypoint => run.keep(item),
            What::User { root: false } if Some(item.index) == c.user => run.keep(item),
            What::Copy(super::analyze::CopyKind::Runtime) if !is_source_copy(src, c, item) => {
                run.keep(item)
            }
            _ => {}
        }
    }
    for part in r.parts_to(Dest::User) {
        if let Some(t) = render::run_text(src, part, &[], &[]) {
            add_part(&mut run, src, part, t);
        }
    }
    if c.user.is_none() {
        run.add(before_cmd(src), -1, format!("{} app", kw("USER")));
    }
    fill_context(src, &mut run, &[], EnvMode::Runtime);
    Some(Plan {
        stages: vec![builder, run],
        needs_syntax: !src.secret_args.is_empty() || !src.secret_envs.is_empty(),
    })
}

/// Where the official Ruby images install gems and bundles (`GEM_HOME`, `BUNDLE_PATH`).
const GEM_HOME: &str = "/usr/local/bundle";

/// Whether `dir` is `app` or inside it (copied with it already).
fn within(dir: &str, app: &str) -> bool {
    let app = app.trim_end_matches('/');
    dir == app || dir.strip_prefix(app).is_some_and(|r| r.starts_with('/'))
}

/// The directories outside the application that the builder's commands install into, as
/// far as they say: the runner starts from the base image again and needs them too (a
/// `cargo install`ed binary is in Cargo's `bin`, not in the working directory). Paths with
/// variables are left out: the runner could not name them.
fn install_dirs(src: &Src) -> Vec<String> {
    let cmds: Vec<&super::analyze::Cmd> = src
        .items
        .iter()
        .filter_map(|i| match &i.what {
            What::Run(run) => Some(run.cmds.iter()),
            _ => None,
        })
        .flatten()
        .collect();
    // A prefix given when configuring applies to the later `make install`.
    let configured = cmds.iter().find_map(|c| {
        let inv = c.command.invocation();
        inv.args.iter().enumerate().find_map(|(i, w)| {
            let t = w.text.as_str();
            t.strip_prefix("--prefix=")
                .or_else(|| t.strip_prefix("-DCMAKE_INSTALL_PREFIX="))
                .or_else(|| t.strip_prefix("-DCMAKE_INSTALL_PREFIX:PATH="))
                .map(str::to_string)
                .or_else(|| {
                    (t == "--prefix" && inv.program == "configure")
                        .then(|| inv.args.get(i + 1).map(|v| v.text.to_string()))
                        .flatten()
                })
        })
    });
    let mut out: Vec<String> = Vec::new();
    for c in cmds {
        let inv = c.command.invocation();
        let args = inv.args;
        let words: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
        let dir = match inv.program {
            "cargo" if words.first() == Some(&"install") => {
                let root = option_value(&words, "--root")
                    .or_else(|| stage_env(src, "CARGO_INSTALL_ROOT"))
                    .or_else(|| stage_env(src, "CARGO_HOME"))
                    .unwrap_or_else(|| {
                        if src.image.name.ends_with("rust") {
                            "/usr/local/cargo".to_string()
                        } else {
                            "/root/.cargo".to_string()
                        }
                    });
                Some(format!("{}/bin", root.trim_end_matches('/')))
            }
            "gem" if words.first() == Some(&"install") => {
                Some(stage_env(src, "GEM_HOME").unwrap_or_else(|| GEM_HOME.to_string()))
            }
            "make" | "ninja" | "gmake" if words.contains(&"install") => words
                .iter()
                .find_map(|w| {
                    w.strip_prefix("PREFIX=")
                        .or_else(|| w.strip_prefix("prefix="))
                })
                .map(str::to_string)
                .or_else(|| configured.clone())
                .or_else(|| Some("/usr/local".to_string())),
            "cmake" if words.contains(&"--install") => option_value(&words, "--prefix")
                .or_else(|| configured.clone())
                .or_else(|| Some("/usr/local".to_string())),
            _ => None,
        };
        if let Some(d) = dir {
            let d = d.trim_end_matches('/').to_string();
            let usable = d.starts_with('/') && d.len() > 1 && !d.contains('$');
            if usable && !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out
}

/// The value of `--name value` or `--name=value` among `words`.
fn option_value(words: &[&str], name: &str) -> Option<String> {
    words.iter().enumerate().find_map(|(i, w)| {
        if *w == name {
            words.get(i + 1).map(|v| v.to_string())
        } else {
            w.strip_prefix(name)
                .and_then(|r| r.strip_prefix('='))
                .map(str::to_string)
        }
    })
}

/// The literal value the stage's last `ENV name=...` gives (none when it has variables).
fn stage_env(src: &Src, name: &str) -> Option<String> {
    src.model
        .vars
        .iter()
        .rfind(|v| {
            v.kind == crate::model::VarKind::Env
                && v.stage == Some(src.stage.index)
                && v.name == name
        })
        .and_then(|v| v.value.as_ref())
        .map(|v| v.trim_matches('"').to_string())
        .filter(|v| !v.contains('$'))
}
