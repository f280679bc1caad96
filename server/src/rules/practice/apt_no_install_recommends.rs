//! AptNoInstallRecommends: `apt-get install` pulls in recommended packages.

use super::util;
use crate::model::InstructionKind;
use crate::rules::{Category, Ctx, Finding, Fix, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "AptNoInstallRecommends",
    aliases: &["DL3015"],
    buildkit: false,
    experimental: false,
    category: Category::Size,
    severity: Severity::Info,
    scope: Scope::Stage,
    summary: "`apt-get install` without `--no-install-recommends` installs recommended packages too",
    docs: r#"By default APT installs the *recommended* packages of everything it installs: often
documentation, optional tools and libraries the image never uses, and more to patch.

Add `--no-install-recommends` (and name what you need explicitly). Not reported when the
option is given as `-o APT::Install-Recommends=false`, or when a RUN of the stage before
writes an APT configuration mentioning `Install-Recommends`.

The fix inserts `--no-install-recommends` after `install`. It is not applied automatically: a
package your build needs might come only as a recommendation.
"#,
    bad: "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
    good: "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
    check,
};

/// Where `Install-Recommends` is configured (an apt option set by a RUN or written by a
/// COPY): each stage is looked at once per check, and what its chain of base stages holds
/// once too (an install in every one of thousands of chained stages must not look at every
/// earlier instruction).
struct Configured<'a> {
    ctx: &'a Ctx<'a>,
    /// Per stage: the first configuring instruction, once looked at.
    first: Vec<Option<Option<usize>>>,
    /// Per stage: whether it or a stage it is built on configures it, once known.
    chain: Vec<Option<bool>>,
}

impl<'a> Configured<'a> {
    fn new(ctx: &'a Ctx<'a>) -> Self {
        let n = ctx.model.stages.len();
        Configured {
            ctx,
            first: vec![None; n],
            chain: vec![None; n],
        }
    }

    /// Whether instruction `index` comes after such a configuration, in its stage or in a
    /// stage it is built on.
    fn before(&mut self, index: usize) -> bool {
        let model = self.ctx.model;
        let Some(stage) = model.instructions.get(index).and_then(|i| i.stage) else {
            return false;
        };
        if self.first(stage).is_some_and(|f| f < index) {
            return true;
        }
        self.parent(stage).is_some_and(|p| self.in_chain(p))
    }

    fn parent(&self, stage: usize) -> Option<usize> {
        let model = self.ctx.model;
        let st = model.stages.get(stage)?;
        util::parent_stage(model, st).filter(|&p| p < stage)
    }

    fn first(&mut self, stage: usize) -> Option<usize> {
        if let Some(Some(known)) = self.first.get(stage) {
            return *known;
        }
        let (model, text) = (self.ctx.model, self.ctx.text);
        let range = model
            .stages
            .get(stage)
            .map_or(0..0, |s| s.instructions.clone());
        let found = range.into_iter().find(|&i| {
            model.instructions.get(i).is_some_and(|ins| {
                matches!(ins.kind, InstructionKind::Run | InstructionKind::Copy)
                    && util::slice(text, ins.span).contains("Install-Recommends")
            })
        });
        if let Some(slot) = self.first.get_mut(stage) {
            *slot = Some(found);
        }
        found
    }

    /// Whether `stage` or a stage it is built on configures it (walked up to the first
    /// stage already known, without recursion).
    fn in_chain(&mut self, stage: usize) -> bool {
        let mut path = Vec::new();
        let mut cur = Some(stage);
        let mut result = false;
        while let Some(c) = cur {
            if let Some(Some(known)) = self.chain.get(c) {
                result = *known;
                break;
            }
            if self.first(c).is_some() {
                result = true;
                path.push(c);
                break;
            }
            path.push(c);
            cur = self.parent(c);
        }
        for c in path {
            if let Some(slot) = self.chain.get_mut(c) {
                *slot = Some(result);
            }
        }
        result
    }
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let mut configured = Configured::new(ctx);
    for (i, _, script) in util::runs(ctx) {
        for inv in util::invocations(&script) {
            if inv.program != "apt-get" && inv.program != "apt" {
                continue;
            }
            let Some(sub) = inv.subcommand(&["-o", "-c", "-t", "--target-release"]) else {
                continue;
            };
            if sub.text != "install" {
                continue;
            }
            let given = util::apt_simulates(&inv)
                || inv.has_option(None, &["no-install-recommends"])
                || inv
                    .args
                    .iter()
                    .any(|a| a.text.contains("Install-Recommends"));
            if given || configured.before(i) {
                continue;
            }
            let mut f = RULE.finding(
                inv.command.span,
                "`apt-get install` without `--no-install-recommends` also installs recommended packages",
            );
            f.fix = Some(Fix {
                title: "Add `--no-install-recommends`".into(),
                edits: vec![util::insert_after(sub.span, "--no-install-recommends")],
                safe: false,
            });
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
        if crate::model::build("FROM a\n").instructions.is_empty() {
            return;
        }
        let f = check_rule(&RULE, RULE.bad);
        assert_eq!(apply(RULE.bad, f[0].fix.as_ref().expect("fix")), "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*\n");
        assert!(check_rule(&RULE, "FROM d\nRUN echo 'APT::Install-Recommends \"0\";' > /etc/apt/apt.conf.d/norec\nRUN apt-get install -y curl\n").is_empty());
    }
}
