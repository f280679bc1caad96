//! AptListsNotRemoved: `apt-get update` leaves the package lists in the layer.

use super::util;
use crate::model::Instruction;
use crate::rules::shell::{Script, Scripts};
use crate::rules::{Category, Ctx, Finding, Fix, Rule, Scope, Severity};

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
    let scripts = util::scripts(ctx);
    let final_chain = util::final_chain(model);
    // For each instruction index: whether a RUN at or after it installs without updating
    // (found once, when a fix needs it).
    let mut later: Option<Vec<bool>> = None;
    // The stages of the final image in file order (the chain is nearest first).
    for &si in final_chain.iter().rev() {
        let Some(stage) = model.stages.get(si).filter(|_| ctx.in_scope(Some(si))) else {
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
            check_run(ctx, &scripts, &mut later, i, ins, &script, out);
        }
    }
}

fn check_run(
    ctx: &Ctx,
    scripts: &Scripts,
    later: &mut Option<Vec<bool>>,
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
        let later = later.get_or_insert_with(|| {
            let n = ctx.model.instructions.len();
            let mut v = vec![false; n + 1];
            for j in (0..n).rev() {
                let here = util::script(scripts, j).is_some_and(|s| installs_without_update(&s));
                v[j] = here || v[j + 1];
            }
            v
        });
        let later_needs_lists = later.get(i + 1).copied().unwrap_or(false);
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
