//! A rule is data (id, aliases, category, severity, docs with examples) plus one check.

use super::{Category, Finding, Severity};
use crate::model::{Instruction, Model, Stage, StageRefKind};

/// Everything a check may look at. Built once per analysis by the engine.
pub struct Ctx<'a> {
    pub model: &'a Model,
    pub text: &'a str,
    /// `--build-arg KEY=VALUE` values (CLI) in the order given.
    pub build_args: &'a [(String, String)],
    /// Contents of the `.dockerignore` beside the Dockerfile, when there is one.
    pub dockerignore: Option<&'a str>,
    /// Whether the file's directory is known (a file on disk), so that rules about
    /// sibling files (e.g. a missing `.dockerignore`) can speak.
    pub on_disk: bool,
    /// Where findings are wanted (`None`: everywhere). The engine drops findings elsewhere,
    /// so a rule may ignore it; a [`Scope::Stage`] rule that honours it saves the work.
    pub scope: Option<&'a StageSet>,
}

/// The part of a file a check reports on: the stages marked, and the lines before the
/// first FROM when `prelude` is set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StageSet {
    pub prelude: bool,
    pub stages: Vec<bool>,
}

impl<'a> Ctx<'a> {
    /// The text of a span (empty when it is out of range or splits a character).
    pub fn slice(&self, span: crate::model::Span) -> &'a str {
        self.text.get(span.start..span.end).unwrap_or_default()
    }

    /// Whether findings in this stage (`None`: before the first FROM) are wanted.
    pub fn in_scope(&self, stage: Option<usize>) -> bool {
        match (self.scope, stage) {
            (None, _) => true,
            (Some(s), None) => s.prelude,
            (Some(s), Some(i)) => s.stages.get(i).copied().unwrap_or(false),
        }
    }

    /// The stages in scope.
    pub fn stages(&self) -> impl Iterator<Item = &'a Stage> + 'a {
        let scope = self.scope;
        self.model.stages.iter().filter(move |s| {
            scope.is_none_or(|sc| sc.stages.get(s.index).copied().unwrap_or(false))
        })
    }

    /// The instructions in scope with their indices, in order (those before the first
    /// FROM when the prelude is in scope).
    pub fn instructions(&self) -> Scoped<'a> {
        Scoped {
            all: &self.model.instructions,
            ranges: StageSet::ranges(self.scope, self.model).into_iter(),
            current: 0..0,
        }
    }
}

/// The iterator of [`Ctx::instructions`]: range by range, one index at a time (nested
/// iterator adapters cost several times as much per instruction).
pub struct Scoped<'a> {
    all: &'a [Instruction],
    ranges: std::vec::IntoIter<std::ops::Range<usize>>,
    current: std::ops::Range<usize>,
}

impl<'a> Iterator for Scoped<'a> {
    type Item = (usize, &'a Instruction);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(i) = self.current.next() {
                if let Some(ins) = self.all.get(i) {
                    return Some((i, ins));
                }
                self.current = 0..0;
            }
            self.current = self.ranges.next()?;
        }
    }
}

impl StageSet {
    /// These stages and the stages they are built on (`FROM <stage>`), recursively.
    pub fn with_bases(&self, model: &Model) -> StageSet {
        let mut out = self.clone();
        // References come in document order: backwards, one pass marks a chain; another
        // pass only if something was marked out of order.
        loop {
            let mut marked = false;
            let refs = model.stage_refs.iter().rev();
            let bases = refs.filter(|r| r.kind == StageRefKind::FromImage);
            for (s, t) in bases.filter_map(|r| Some((r.stage?, r.target?))) {
                if t < s && out.stages.get(s).copied().unwrap_or(false) {
                    if let Some(x) = out.stages.get_mut(t).filter(|x| !**x) {
                        *x = true;
                        marked = true;
                    }
                }
            }
            if !marked {
                return out;
            }
        }
    }

    /// The ranges of instruction indices in `scope` (`None`: all), in order.
    pub fn ranges(scope: Option<&StageSet>, model: &Model) -> Vec<std::ops::Range<usize>> {
        let all = model.instructions.len();
        let Some(sc) = scope else {
            return std::iter::once(0..all).collect();
        };
        let first = model.stages.first().map_or(all, |s| s.from);
        let mut out = Vec::new();
        if sc.prelude {
            out.push(0..first);
        }
        for (si, _) in sc.stages.iter().enumerate().filter(|(_, on)| **on) {
            if let Some(s) = model.stages.get(si) {
                out.push(s.instructions.clone());
            }
        }
        out
    }
}

/// What a rule's findings depend on, so that the engine knows what an edit invalidates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Anything in the file: checked again after every change.
    File,
    /// A finding in a stage's region (from its FROM to the next FROM) depends only on the
    /// text from the end of the previous stage to the next FROM, on the stages it is built
    /// on (`FROM <stage>`, recursively), on the lines before the first FROM, on every FROM
    /// line and on the options (build args, `.dockerignore`); a finding before the first
    /// FROM only on the last three. Messages hold no line numbers. Remembered findings are
    /// then reused for stages an edit did not touch.
    Stage,
    /// As `Stage`, and also on the stages the region copies or mounts from (`--from=`,
    /// `--mount=from=`) and theirs, recursively.
    StageAndSources,
}

pub type CheckFn = fn(&Ctx, &mut Vec<Finding>);

/// Static description of a rule. One `pub const RULE: Rule` per rule file.
pub struct Rule {
    /// Stable PascalCase id; BuildKit's name where BuildKit has the same check.
    pub id: &'static str,
    /// Other names accepted in suppressions, e.g. hadolint's `DL3008`.
    pub aliases: &'static [&'static str],
    /// One of BuildKit's build checks (same name, same messages).
    pub buildkit: bool,
    /// Off unless enabled (BuildKit's `experimental=` or configuration).
    pub experimental: bool,
    pub category: Category,
    pub severity: Severity,
    pub scope: Scope,
    /// One line: what it reports.
    pub summary: &'static str,
    /// Markdown: why it matters and what to do instead.
    pub docs: &'static str,
    /// A Dockerfile that must trigger the rule (executed as a test).
    pub bad: &'static str,
    /// The corrected Dockerfile, which must not trigger it (executed as a test).
    pub good: &'static str,
    pub check: CheckFn,
}

impl Rule {
    /// A finding of this rule at its default severity; the engine applies configuration.
    pub fn finding(
        &self,
        span: crate::model::Span,
        message: impl Into<std::sync::Arc<str>>,
    ) -> Finding {
        Finding {
            rule: self.id,
            severity: self.severity,
            span,
            message: message.into(),
            related: Vec::new(),
            tags: Vec::new(),
            fix: None,
        }
    }
}
