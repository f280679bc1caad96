//! Any other ecosystem: the original stage as the builder, and a runner on the same image
//! that copies the working directory (and the install locations it knows, such as
//! Bundler's), as a safe starting point.

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
    // Something must install or build: a known package manager.
    if !r.foreign && r.tools.is_empty() && !super::go::builds_go(src) {
        return None;
    }
    let flags = src.from_flags.clone();
    let mut b = OutStage::new("builder", src.image_text.clone(), flags.clone());
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
    stages_done(src, r, c, b, bundler, flags)
}

fn stages_done(
    src: &Src,
    r: &Routed,
    c: &Common,
    builder: OutStage,
    bundler: bool,
    _flags: String,
) -> Option<Plan> {
    let kw = |k: &str| src.kw(k);
    let mut run = OutStage::new("runner", src.image_text.clone(), runner_flags(src));
    run.notes.push(format!(
        "# runner: the same image with {} copied from the builder, as an unprivileged user",
        c.app
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
    if bundler {
        run.add(
            at,
            2,
            format!("{copy} --from=builder /usr/local/bundle /usr/local/bundle"),
        );
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
