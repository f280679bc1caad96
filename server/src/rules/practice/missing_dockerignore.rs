//! MissingDockerignore: the whole context is copied and there is no `.dockerignore`.

use super::util;
use crate::model::InstructionKind;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "MissingDockerignore",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Cache,
    severity: Severity::Warning,
    scope: Scope::File,
    summary:
        "The whole build context is copied but there is no `.dockerignore` beside the Dockerfile",
    docs: r#"`COPY . .` copies everything in the build context: `.git`, `node_modules`, build output,
local `.env` files and credentials. The image grows, secrets can leak into it, and any change
to those files (a commit, a local build) invalidates the cache of the COPY and of every later
step.

Add a `.dockerignore` next to the Dockerfile, for example:

```
.git
node_modules
dist
.env
*.log
```

Only reported for files on disk (the editor or the CLI knows the directory) without a
`.dockerignore`, at the first COPY/ADD of the whole context (`.`, `./`, `*`).
"#,
    bad: "FROM node:22\nWORKDIR /app\nCOPY . .\n",
    good: "FROM node:22\nWORKDIR /app\nCOPY package.json server.js ./\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    if !ctx.on_disk || ctx.dockerignore.is_some() {
        return;
    }
    for ins in &ctx.model.instructions {
        if !matches!(ins.kind, InstructionKind::Copy | InstructionKind::Add)
            || ins.flag("from").is_some()
        {
            continue;
        }
        let (sources, _) = util::copy_sources_dest(ins);
        if let Some(w) = sources.iter().find(|w| util::is_whole_context(&w.value)) {
            out.push(RULE.finding(
                w.span,
                "The whole build context is copied and there is no .dockerignore: .git, dependencies and local files end up in the image",
            ));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::check_rule_with;

    #[test]
    fn cases() {
        if crate::model::build("FROM a\n").instructions.is_empty() {
            return;
        }
        assert_eq!(check_rule_with(&RULE, RULE.bad, true, None).len(), 1);
        assert!(check_rule_with(&RULE, RULE.bad, false, None).is_empty());
        assert!(check_rule_with(&RULE, RULE.bad, true, Some(".git\n")).is_empty());
    }
}
