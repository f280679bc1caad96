//! MissingCacheMount: package downloads without a BuildKit cache mount.

use super::util;
use crate::rules::shell::Invocation;
use crate::rules::{Category, Ctx, Finding, Fix, Rule, Severity};

pub const RULE: Rule = Rule {
    id: "MissingCacheMount",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Cache,
    severity: Severity::Hint,
    summary: "A package install downloads everything again on each rebuild: add a BuildKit cache mount",
    docs: r#"When a Dockerfile opts into BuildKit's syntax (a `# syntax=` directive), `RUN` can mount a
persistent cache: `RUN --mount=type=cache,target=/root/.npm npm ci`. When the install layer is
rebuilt (the manifests changed), the packages that did not change come from the cache instead
of the network, and the cache is not part of the image.

Reported for the installers whose cache is only a download cache, so that a mount changes
nothing else: `npm ci|install` (`/root/.npm`), `yarn [install]` (`/usr/local/share/.cache/yarn`),
`pnpm install` (`/root/.local/share/pnpm/store`), `pip install` (`/root/.cache/pip`, not with
`--no-cache-dir`) and `uv sync` / `uv pip install` (`/root/.cache/uv`, not with `--no-cache`).
Only in files with a `# syntax=` directive, and only when the RUN has no cache mount for that
directory.

The fix adds the mount for root's home directory; it is offered only when the stage runs as
root (after a `USER` switch the cache directory is elsewhere). Go modules, Maven, Gradle and
Cargo keep the packages themselves in their cache directory: a cache mount there must be given
to every RUN that builds, so it is left to you.
"#,
    bad: "# syntax=docker/dockerfile:1\nFROM node:22\nCOPY package*.json ./\nRUN npm ci\n",
    good: "# syntax=docker/dockerfile:1\nFROM node:22\nCOPY package*.json ./\nRUN --mount=type=cache,target=/root/.npm npm ci\n",
    check,
};

/// The cache directory an install downloads into, when it is one of the handled installers.
fn cache_target(inv: &Invocation) -> Option<&'static str> {
    if !matches!(inv.program, "npm" | "yarn" | "pnpm" | "pip" | "uv") {
        return None;
    }
    let pos: Vec<&str> = inv
        .positionals(&["--prefix", "-C", "--cwd", "--dir", "-r", "--requirement"])
        .iter()
        .map(|w| w.text.as_str())
        .collect();
    match inv.program {
        "npm"
            if matches!(
                pos.first(),
                Some(&("ci" | "install" | "i" | "clean-install"))
            ) =>
        {
            Some("/root/.npm")
        }
        "yarn"
            if pos.is_empty() || pos.first() == Some(&"install") || pos.first() == Some(&"add") =>
        {
            Some("/usr/local/share/.cache/yarn")
        }
        "pnpm" if matches!(pos.first(), Some(&("install" | "i" | "add" | "fetch"))) => {
            Some("/root/.local/share/pnpm/store")
        }
        "pip" if pos.first() == Some(&"install") && !inv.has_option(None, &["no-cache-dir"]) => {
            Some("/root/.cache/pip")
        }
        "uv" if (pos.first() == Some(&"sync")
            || (pos.first() == Some(&"pip") && pos.get(1) == Some(&"install")))
            && !inv.has_option(None, &["no-cache"]) =>
        {
            Some("/root/.cache/uv")
        }
        _ => None,
    }
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    if ctx.model.directive("syntax").is_none() {
        return;
    }
    for (i, ins, script) in util::runs(ctx) {
        let mut targets: Vec<&'static str> = Vec::new();
        let mut first = None;
        for inv in util::invocations(&script) {
            let Some(t) = cache_target(&inv) else {
                continue;
            };
            let base = t.trim_start_matches("/root");
            if util::has_cache_mount(ins, &[t]) || util::has_cache_mount(ins, &[base]) {
                continue;
            }
            // Configured elsewhere (npm --cache, PIP_NO_CACHE_DIR…): leave it.
            if (inv.program == "pip"
                && util::env_set_before(ctx.model, i, "PIP_NO_CACHE_DIR").is_some())
                || (inv.program == "npm" && inv.has_option(None, &["cache"]))
            {
                continue;
            }
            if !targets.contains(&t) {
                targets.push(t);
            }
            first.get_or_insert(inv.command.span);
        }
        let Some(span) = first else { continue };
        let mounts: Vec<String> = targets
            .iter()
            .map(|t| format!("`--mount=type=cache,target={t}`"))
            .collect();
        let mut f = RULE.finding(
            span,
            format!(
                "Packages are downloaded again on every rebuild of this layer: add {}",
                mounts.join(" and ")
            ),
        );
        if !util::non_root_before(ctx.model, i) {
            let flags: Vec<String> = targets
                .iter()
                .map(|t| format!("--mount=type=cache,target={t}"))
                .collect();
            f.fix = Some(Fix {
                title: "Add a cache mount".into(),
                edits: vec![util::insert_after(ins.keyword_span, &flags.join(" "))],
                safe: false,
            });
        }
        out.push(f);
    }
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
        assert_eq!(apply(RULE.bad, f[0].fix.as_ref().expect("fix")), RULE.good);
        assert!(
            check_rule(&RULE, "FROM node\nRUN npm ci\n").is_empty(),
            "no syntax directive"
        );
        assert!(check_rule(
            &RULE,
            "# syntax=docker/dockerfile:1\nFROM python\nRUN pip install --no-cache-dir -r r.txt\n"
        )
        .is_empty());
        let f = check_rule(
            &RULE,
            "# syntax=docker/dockerfile:1\nFROM python\nUSER app\nRUN pip install -r r.txt\n",
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].fix.is_none());
    }
}
