//! GemUnpinned: `gem install <gem>` without a version.

use super::util;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "GemUnpinned",
    aliases: &["DL3028"],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Info,
    scope: Scope::Stage,
    summary: "`gem install` of a gem without a version",
    docs: r#"`gem install rails` installs the newest version at build time, so rebuilding the same
Dockerfile may install a different, possibly incompatible, version.

Pin it: `gem install rails -v 7.2.1` or `gem install rails:7.2.1`; or use a `Gemfile.lock` with
`bundle install`. Not reported when `-v`/`--version` is given, for `name:version` words, local
`.gem` files and words with variables.
"#,
    bad: "FROM ruby:3.3\nRUN gem install bundler\n",
    good: "FROM ruby:3.3\nRUN gem install bundler -v 2.5.22\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, _, script) in util::runs(ctx) {
        for inv in util::invocations(&script) {
            if inv.program != "gem" {
                continue;
            }
            let with_value = [
                "-v",
                "--version",
                "-i",
                "--install-dir",
                "-n",
                "--bindir",
                "-s",
                "--source",
                "-p",
                "--http-proxy",
                "--platform",
                "-g",
                "--file",
            ];
            let pos = inv.positionals(&with_value);
            if pos.first().map(|w| w.text.as_str()) != Some("install")
                || inv.has_option(None, &["version"])
            {
                continue;
            }
            if inv
                .args
                .iter()
                .any(|a| a.text == "-v" || a.text == "-g" || a.text == "--file")
            {
                continue;
            }
            for w in pos.iter().skip(1) {
                let t = w.text.as_str();
                if !w.literal || t.contains([':', '/', '$', '*']) || t.ends_with(".gem") {
                    continue;
                }
                out.push(RULE.finding(w.span, format!("`{t}` is installed without a version: add `-v <version>` or write `{t}:<version>`")));
            }
        }
    }
}
