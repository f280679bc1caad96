//! The rules' documentation, generated from the registry (`docs/rules.md`, `explain`).

use super::{registry, Category, Rule};

/// Which family a rule belongs to, for listings.
pub fn family(rule: &Rule) -> &'static str {
    if rule.buildkit {
        "BuildKit check"
    } else if rule.category == Category::Syntax {
        "build error"
    } else {
        "best practice"
    }
}

fn anchor(id: &str) -> String {
    id.to_ascii_lowercase()
}

fn one_line(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// One rule's documentation as Markdown (a `##` heading and its body).
pub fn rule_markdown(rule: &Rule) -> String {
    let mut s = String::new();
    s.push_str(&format!("## {}\n\n", rule.id));
    let mut meta = vec![
        family(rule).to_string(),
        format!("category: {}", rule.category.as_str()),
        format!("default: {}", rule.severity.as_str()),
    ];
    if rule.experimental {
        meta.push("experimental (off unless enabled)".into());
    }
    if !rule.aliases.is_empty() {
        meta.push(format!("aliases: {}", rule.aliases.join(", ")));
    }
    s.push_str(&format!("*{}*\n\n", meta.join(" · ")));
    s.push_str(&format!("{}.\n\n", rule.summary.trim_end_matches('.')));
    s.push_str(rule.docs.trim());
    s.push_str("\n\n");
    if !rule.bad.is_empty() {
        s.push_str("Reported:\n\n```dockerfile\n");
        s.push_str(rule.bad.trim_end());
        s.push_str("\n```\n\n");
    }
    if !rule.good.is_empty() {
        s.push_str("Not reported:\n\n```dockerfile\n");
        s.push_str(rule.good.trim_end());
        s.push_str("\n```\n\n");
    }
    s
}

/// `docs/rules.md`: an index table and every rule's documentation.
pub fn rules_markdown() -> String {
    let rules: Vec<&Rule> = registry().collect();
    let mut s = String::new();
    s.push_str("# Rules\n\n");
    s.push_str(
        "<!-- Generated from the rule registry; do not edit. Regenerate with\n     \
         UPDATE_DOCS=1 cargo test -p dockerfile-ls --test rule_docs -->\n\n",
    );
    s.push_str(&format!(
        "dockerfile-ls has {} rules. *Build errors* are what BuildKit rejects when it reads the \
file; *BuildKit checks* are BuildKit's build checks (`docker build --check`) with the same \
names and messages; *best practices* go beyond BuildKit.\n\n",
        rules.len()
    ));
    s.push_str(
        "Configure levels in `.dockerfile-ls.toml` (`[rules] RuleId = \"off\" | \"hint\" | \
\"information\" | \"warning\" | \"error\"`, ids or aliases) or in the editor's `dockerfile-ls` \
settings. Suppress findings with BuildKit's `# check=skip=RuleA,RuleB` directive (for the \
whole file, or in a comment directly above one instruction), `# dockerfile-ls ignore=RuleA` \
above an instruction, or hadolint's `# hadolint ignore=DL3008` and `# hadolint global \
ignore=DL3008` through the aliases. `# check=error=true` turns BuildKit-check findings into errors and \
`# check=experimental=RuleA|all` enables experimental rules.\n\n",
    );
    s.push_str(
        "BuildKit's InvalidBaseImagePlatform check is not implemented: it compares the \
platform of the pulled base image with the target platform, which needs a registry.\n\n",
    );
    s.push_str(
        "| Rule | Aliases | Kind | Category | Default | Summary |\n|---|---|---|---|---|---|\n",
    );
    for r in &rules {
        s.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} | {}{} | {} |\n",
            r.id,
            anchor(r.id),
            r.aliases.join(", "),
            family(r),
            r.category.as_str(),
            r.severity.as_str(),
            if r.experimental {
                " (experimental)"
            } else {
                ""
            },
            one_line(r.summary)
        ));
    }
    s.push('\n');
    for r in &rules {
        s.push_str(&rule_markdown(r));
    }
    while s.ends_with("\n\n") {
        s.pop();
    }
    s
}
