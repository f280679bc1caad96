//! NodeCacheNotCleaned: npm/yarn download caches left in the image.

use super::util;
use crate::rules::{Category, Ctx, Finding, Fix, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "NodeCacheNotCleaned",
    aliases: &["DL3060"],
    buildkit: false,
    experimental: false,
    category: Category::Size,
    severity: Severity::Info,
    scope: Scope::Stage,
    summary: "npm/yarn installs leave their download cache in the image",
    docs: r#"`npm ci`/`npm install` keep every downloaded tarball in `~/.npm/_cacache`, and yarn (v1) in
`/usr/local/share/.cache/yarn`: often as large as `node_modules` itself, and useless in the
image.

Clean the cache in the same RUN (`npm cache clean --force`, `yarn cache clean`), or, with
BuildKit, keep it in a cache mount (`RUN --mount=type=cache,target=/root/.npm npm ci`), which
also speeds rebuilds up.

Not reported when the same RUN cleans the cache (or removes it with `rm -rf`), when the RUN
mounts a cache for it, when `--cache` points npm elsewhere, and in stages that do not end up
in the final image (build stages whose `node_modules` are copied out).

The fix appends the clean command to the RUN.
"#,
    bad: "FROM node:22-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev\n",
    good: "FROM node:22-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev && npm cache clean --force\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let final_chain = util::final_chain(ctx.model);
    for (i, ins, script) in util::runs(ctx) {
        if !util::in_final_image(ctx.model, &final_chain, i) {
            continue;
        }
        for tool in ["npm", "yarn"] {
            let install = util::invocations(&script).find(|inv| {
                inv.program == tool
                    && !inv.has_option(None, &["cache", "cache-folder"])
                    && match (
                        tool,
                        inv.subcommand(&["--prefix", "-C", "--cwd", "--workspace", "-w"])
                            .map(|w| w.text.as_str()),
                    ) {
                        ("npm", Some(s)) => {
                            matches!(s, "ci" | "install" | "i" | "clean-install" | "add")
                        }
                        ("yarn", s) => matches!(s, None | Some("install" | "add")),
                        _ => false,
                    }
            });
            let Some(install) = install else { continue };
            let cleaned = util::invocations(&script).any(|inv| {
                inv.program == tool && inv.subcommand(&[]).is_some_and(|s| s.text == "cache")
            }) || util::removes(
                &script,
                &[
                    "/root/.npm",
                    "~/.npm",
                    "$HOME/.npm",
                    "/usr/local/share/.cache/yarn",
                    "/root/.cache/yarn",
                ],
            );
            let mounted = util::has_cache_mount(
                ins,
                &["/root/.npm", "/usr/local/share/.cache/yarn", "/root/.cache"],
            ) || ins.flags.iter().any(|f| {
                f.name.eq_ignore_ascii_case("mount")
                    && (util::slice(ctx.text, f.span).contains(".npm")
                        || util::slice(ctx.text, f.span).contains("yarn"))
            });
            if cleaned || mounted {
                continue;
            }
            let clean = if tool == "npm" {
                "npm cache clean --force"
            } else {
                "yarn cache clean"
            };
            let mut f = RULE.finding(
                install.command.span,
                format!("The {tool} download cache stays in this layer: add `{clean}` at the end of the RUN"),
            );
            if let Some(edit) = util::append_to_run(ctx.text, ins, &script, clean) {
                f.fix = Some(Fix {
                    title: format!("Append `{clean}`"),
                    edits: vec![edit],
                    safe: true,
                });
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::{apply, check_rule};

    #[test]
    fn cases() {
        let f = check_rule(&RULE, RULE.bad);
        assert_eq!(apply(RULE.bad, f[0].fix.as_ref().expect("fix")), RULE.good);
        assert!(check_rule(
            &RULE,
            "FROM node AS b\nRUN npm ci\nFROM node\nCOPY --from=b /n /n\n"
        )
        .is_empty());
        assert!(check_rule(
            &RULE,
            "FROM node\nRUN --mount=type=cache,target=/root/.npm npm ci\n"
        )
        .is_empty());
        assert_eq!(
            check_rule(&RULE, "FROM node\nRUN yarn install --frozen-lockfile\n").len(),
            1
        );
        assert!(check_rule(&RULE, "FROM node\nRUN yarn install && yarn cache clean\n").is_empty());
        assert!(
            check_rule(
                &RULE,
                "FROM node\nRUN npm install -g npm@10 && npm run build\n"
            )
            .len()
                == 1
        );
    }
}
