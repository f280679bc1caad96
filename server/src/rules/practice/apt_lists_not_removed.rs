//! AptListsNotRemoved: `apt-get update` leaves the package lists in the layer.

use super::util;
use crate::model::{Instruction, InstructionKind, Model};
use crate::rules::shell::{self, Script};
use crate::rules::{Category, Ctx, Finding, Fix, Rule, Scope, Severity, StageSet};

pub const RULE: Rule = Rule {
    id: "AptListsNotRemoved",
    aliases: &["DL3009"],
    buildkit: false,
    experimental: false,
    category: Category::Size,
    severity: Severity::Info,
    scope: Scope::File,
    summary: "`apt-get update` leaves the package lists in the image; remove `/var/lib/apt/lists/*` in the same RUN",
    docs: r#"`apt-get update` downloads the package lists to `/var/lib/apt/lists` (tens of MB). Unless
they are removed in the same `RUN`, they stay in that layer of the image, even if a later
instruction deletes them.

End the RUN with `rm -rf /var/lib/apt/lists/*`, or keep the lists in a cache mount
(`--mount=type=cache,target=/var/lib/apt,sharing=locked`).

Only stages that end up in the final image are checked (the last stage and the stages it is
built on with `FROM <stage>`): the layers of other build stages are not shipped.

The fix appends `&& rm -rf /var/lib/apt/lists/*` to the RUN. It is applied automatically unless
a later RUN installs packages without its own `apt-get update`.
"#,
    bad: "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n",
    good: "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n    && rm -rf /var/lib/apt/lists/*\n",
    check,
};

fn is_apt(program: &str) -> bool {
    matches!(program, "apt-get" | "apt")
}

/// Whether a script installs with apt without updating first.
fn installs_without_update(script: &Script) -> bool {
    let installs = util::invocations(script).any(|inv| {
        is_apt(inv.program)
            && inv.subcommand(&["-o", "-c"]).is_some_and(|w| {
                matches!(
                    w.text.as_str(),
                    "install" | "upgrade" | "dist-upgrade" | "source"
                )
            })
    });
    let updates = util::invocations(script).any(|inv| {
        is_apt(inv.program)
            && inv
                .subcommand(&["-o", "-c"])
                .is_some_and(|w| w.text == "update")
    });
    installs && !updates
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let model = ctx.model;
    // The stages of the final image in file order (the chain is nearest first).
    let chain: Vec<usize> = util::final_chain(model)
        .into_iter()
        .rev()
        .filter(|&si| ctx.in_scope(Some(si)))
        .collect();
    let has_run = |si: usize| {
        model.stages.get(si).is_some_and(|st| {
            util::stage_instructions(model, st)
                .iter()
                .any(|i| i.kind == InstructionKind::Run)
        })
    };
    if !chain.iter().any(|&si| has_run(si)) {
        return;
    }
    // Only the shell analysis of those stages (and of the stages they name), not of the
    // whole file.
    let mut in_chain = vec![false; model.stages.len()];
    for &si in &chain {
        if let Some(x) = in_chain.get_mut(si) {
            *x = true;
        }
    }
    let scripts = shell::scripts_in(
        model,
        ctx.text,
        Some(&stages(model, |si| {
            in_chain.get(si).copied().unwrap_or(false)
        })),
    );
    let mut later = Later::default();
    for &si in &chain {
        let Some(stage) = model.stages.get(si) else {
            continue;
        };
        for i in stage.instructions.clone() {
            let (Some(ins), Some(script)) = (model.instructions.get(i), util::script(&scripts, i))
            else {
                continue;
            };
            // Only the RUNs of stages in the final image (as `in_final_image` decides).
            if ins.stage != Some(si) {
                continue;
            }
            check_run(ctx, &mut later, i, ins, &script, out);
        }
    }
}

/// The set of the stages for which `keep` holds (no prelude).
fn stages(model: &Model, keep: impl Fn(usize) -> bool) -> StageSet {
    StageSet {
        prelude: false,
        stages: (0..model.stages.len()).map(keep).collect(),
    }
}

/// For the RUNs from the first one asked about on: whether a RUN at or after that index
/// installs without updating. Found once, when a fix first needs it, from the analysis of
/// the RUNs of that stage and the later ones (the fixes asked for next are for later RUNs).
#[derive(Default)]
struct Later(Option<Vec<bool>>);

impl Later {
    /// Whether a RUN after instruction `i` installs with the lists of an earlier update.
    fn after(&mut self, ctx: &Ctx, i: usize) -> bool {
        let model = ctx.model;
        let needs = self.0.get_or_insert_with(|| {
            let first = model
                .instructions
                .get(i)
                .and_then(|ins| ins.stage)
                .unwrap_or(0);
            let scripts =
                shell::scripts_in(model, ctx.text, Some(&stages(model, |si| si >= first)));
            let n = model.instructions.len();
            let mut v = vec![false; n + 1];
            for j in (i.min(n)..n).rev() {
                let here = util::script(&scripts, j).is_some_and(|s| installs_without_update(&s));
                v[j] = here || v[j + 1];
            }
            v
        });
        needs.get(i + 1).copied().unwrap_or(false)
    }
}

fn check_run(
    ctx: &Ctx,
    later: &mut Later,
    i: usize,
    ins: &Instruction,
    script: &Script,
    out: &mut Vec<Finding>,
) {
    let update = util::invocations(script).find(|inv| {
        is_apt(inv.program)
            && inv
                .subcommand(&["-o", "-c"])
                .is_some_and(|s| s.text == "update")
    });
    let Some(update) = update else { return };
    let dist_clean = util::invocations(script).any(|inv| {
        is_apt(inv.program)
            && inv
                .subcommand(&["-o", "-c"])
                .is_some_and(|s| s.text == "dist-clean")
    });
    if dist_clean
        || util::removes(script, &["/var/lib/apt/lists"])
        || util::has_cache_mount(ins, &["/var/lib/apt/lists"])
        || util::has_cache_mount(ins, &["/var/lib/apt"])
    {
        return;
    }
    let mut f = RULE.finding(
        update.command.span,
        "The package lists of `apt-get update` stay in this layer: add `rm -rf /var/lib/apt/lists/*` at the end of the RUN",
    );
    if let Some(edit) = util::append_to_run(ctx.text, ins, script, "rm -rf /var/lib/apt/lists/*") {
        // Later installs relying on these lists would break.
        let later_needs_lists = later.after(ctx, i);
        f.fix = Some(Fix {
            title: "Remove the package lists at the end of the RUN".into(),
            edits: vec![edit],
            safe: !later_needs_lists,
        });
    }
    out.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::{apply, check_rule};

    #[test]
    fn cases() {
        if crate::model::build("FROM a\n").instructions.is_empty() {
            return;
        }
        let f = check_rule(&RULE, RULE.bad);
        let fixed = apply(RULE.bad, f[0].fix.as_ref().expect("fix"));
        assert!(
            fixed.ends_with("curl && rm -rf /var/lib/apt/lists/*\n"),
            "{fixed}"
        );
        assert!(check_rule(&RULE, &fixed).is_empty());
        // build stage: not shipped
        assert!(check_rule(&RULE, "FROM debian AS b\nRUN apt-get update && apt-get install -y gcc\nFROM scratch\nCOPY --from=b /x /x\n").is_empty());
        // heredoc
        let h = "FROM debian\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n";
        let f = check_rule(&RULE, h);
        assert_eq!(apply(h, f[0].fix.as_ref().expect("fix")), "FROM debian\nRUN <<EOF\napt-get update\napt-get install -y curl\nrm -rf /var/lib/apt/lists/*\nEOF\n");
        let later = "FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n";
        let f = check_rule(&RULE, later);
        assert!(!f[0].fix.as_ref().expect("fix").safe);
    }
}
