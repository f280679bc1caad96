//! `# check=` values BuildKit cannot parse (as a directive or above an instruction).

use crate::rules::suppress::{CheckSettings, Suppressions};
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "InvalidCheckDirective",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Syntax,
    severity: Severity::Error,
    scope: Scope::File,
    summary: "A `# check=` value BuildKit cannot parse",
    docs: "The `check` directive takes up to three `;`-separated options: `skip=` a \
comma-separated list of rule names or `all`, `error=` a boolean, and `experimental=` rule \
names or `all`, e.g. `# check=skip=JSONArgsRecommended;error=true`. Anything after a space \
is a comment. An unknown option or a non-boolean `error` fails the build.",
    bad: "# check=skip=JSONArgsRecommended;fail=true\nFROM alpine\n",
    good: "# check=skip=JSONArgsRecommended;error=true\nFROM alpine\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    if let Some(d) = ctx.model.directive("check") {
        if let Err(e) = CheckSettings::parse_directive_value(&d.value) {
            out.push(RULE.finding(d.value_span, format!("failed to parse check options: {e}")));
        }
    }
    for (span, e) in Suppressions::from_model(ctx.model).invalid {
        out.push(RULE.finding(span, format!("failed to parse check options: {e}")));
    }
}
