//! PipUnpinned: `pip install <package>` without a version.

use super::util;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "PipUnpinned",
    aliases: &["DL3013"],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Info,
    scope: Scope::Stage,
    summary: "`pip install` of a package without a version",
    docs: r#"`pip install flask` installs whatever version is current when the layer is built: two
builds of the same Dockerfile may differ, and a new major release can break the image.

Pin versions (`flask==3.0.3`), or install from a requirements or lock file
(`pip install -r requirements.txt`) or with a constraints file (`-c constraints.txt`,
`PIP_CONSTRAINT`).

Not reported: version specifiers (`==`, `>=`, `~=`, `<`, `!=`, `@ url`), paths, URLs, archives
and wheels, words with variables, installs with `-r`/`-c`/`-e`, and upgrades of pip's own
tooling (`pip install -U pip setuptools wheel`).
"#,
    bad: "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask\n",
    good: "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.3\n",
    check,
};

const WITH_VALUE: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--src",
    "--upgrade-strategy",
    "--progress-bar",
    "--trusted-host",
    "--cache-dir",
    "--only-binary",
    "--no-binary",
    "--config-settings",
    "-C",
    "--global-option",
    "--log",
    "--proxy",
    "--retries",
    "--timeout",
    "--exists-action",
    "--cert",
    "--client-cert",
    "--report",
    "--python",
];

fn is_pinned_or_not_a_name(word: &str) -> bool {
    word.contains(['=', '<', '>', '~', '@', '/', '$', '*'])
        || word.starts_with('.')
        || word.ends_with(".whl")
        || word.ends_with(".zip")
        || word.ends_with(".tar.gz")
        || word.ends_with(".tgz")
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let mut env = util::EnvBefore::new(ctx.model);
    for (i, _, script) in util::runs(ctx) {
        if !util::invocations(&script).any(|inv| inv.program == "pip") {
            continue;
        }
        if env.get(i, "PIP_CONSTRAINT").is_some() {
            continue;
        }
        for inv in util::invocations(&script) {
            if inv.program != "pip" {
                continue;
            }
            let pos = inv.positionals(WITH_VALUE);
            if pos.first().map(|w| w.text.as_str()) != Some("install") {
                continue;
            }
            if inv.args.iter().any(|a| {
                matches!(
                    a.text.as_str(),
                    "-r" | "--requirement" | "-c" | "--constraint" | "-e" | "--editable"
                ) || a.text.starts_with("--requirement=")
                    || a.text.starts_with("--constraint=")
            }) {
                continue;
            }
            let upgrade = inv.has_option(Some('U'), &["upgrade"]);
            for w in pos.iter().skip(1) {
                let name = w.text.split('[').next().unwrap_or("").to_ascii_lowercase();
                if !w.literal || is_pinned_or_not_a_name(&w.text) || name.is_empty() {
                    continue;
                }
                if upgrade && matches!(name.as_str(), "pip" | "setuptools" | "wheel") {
                    continue;
                }
                out.push(RULE.finding(
                    w.span,
                    format!(
                        "`{}` is installed without a version: pin it (`{}==<version>`)",
                        w.text, w.text
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::check_rule;

    #[test]
    fn cases() {
        if crate::model::build("FROM a\n").instructions.is_empty() {
            return;
        }
        assert!(check_rule(&RULE, "FROM p\nRUN pip install -U pip setuptools && pip install 'a>=1' b==2 ./x . https://x/y.whl \"c[extra]==1\"\n").is_empty());
        assert_eq!(
            check_rule(&RULE, "FROM p\nRUN pip install --target /x a 'b[c]'\n").len(),
            2
        );
    }
}
