//! Findings remembered per region across the checks of changing documents (the language
//! server's analyses). A file is cut into regions: the lines before the first FROM, then
//! one region per stage, from its FROM to the next FROM. A [`Scope::Stage`] rule's
//! findings in a region depend only on what the region's key covers (see [`Scope`]), so
//! after an edit such a rule looks only at the regions whose key changed; the findings of
//! the others are taken over, moved with their region. A region has two keys: its own
//! text with the stages it is built on (`Stage` rules), and that with the stages it
//! copies from (`StageAndSources` rules, whose findings remember the second key).

use super::fingerprint::Fp;
use super::{CheckOptions, Finding, Rule, Scope, StageSet};
use crate::model::{Model, Span, StageRefKind};
use std::cell::RefCell;
use std::collections::HashMap;

/// Checks after which a region no document had is forgotten.
const KEEP_CHECKS: u64 = 16;

/// Most regions remembered; more (huge files, many documents) and the memo starts afresh.
const MAX_ENTRIES: usize = 16_384;

/// One region's findings per rule, with spans relative to the region's start.
struct Entry {
    /// The text the key covers (fingerprints can collide; texts are compared too).
    text: Box<str>,
    /// Per rule (registry order): the findings, once a check has computed them, with the
    /// sources key they depended on (0 for `Scope::Stage` rules).
    outs: Vec<Option<(u64, Vec<Finding>)>>,
    /// The last check generation that used it.
    used: u64,
}

#[derive(Default)]
struct Memo {
    entries: HashMap<u64, Entry>,
    generation: u64,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// Where a region's remembered findings come from in this check.
enum Source {
    /// Its own entry (taken out of the memo for the check, put back at the end).
    Own(Entry),
    /// An earlier region with the same key and text (a repeated stage).
    Same(usize),
}

struct Region {
    /// Where its findings lie: from its FROM (0 for the prelude) to the next FROM.
    span: Span,
    /// The text, the stages it is built on, the global context.
    key: u64,
    /// `key` with the keys of the stages it copies or mounts from.
    sources: u64,
    /// The text the key covers.
    keyed: Span,
    source: Source,
}

impl Region {
    /// Keep `found` (spans relative to the region) as rule `slot`'s findings here, with
    /// the sources key `tag`, when the region has an entry of its own.
    fn remember(&mut self, slot: usize, tag: u64, found: Vec<Finding>) {
        if let Source::Own(e) = &mut self.source {
            if let Some(o) = e.outs.get_mut(slot) {
                *o = Some((tag, found));
            }
        }
    }
}

/// One check's regions and their entries.
pub(super) struct Plan {
    regions: Vec<Region>,
    generation: u64,
    rules: usize,
    /// No region had an entry in the memo.
    cold: bool,
    /// The regions have their keys and entries (see [`Plan::new`]).
    keyed: bool,
    /// Per rule (registry position): the regions where its findings are not remembered,
    /// and those where some are, ascending. Read once per check, so that each rule then
    /// looks at a few regions instead of all (an edit of a 200-stage file touched one).
    missing: Vec<Vec<usize>>,
    remembered: Vec<Vec<usize>>,
}

impl Plan {
    /// Cut `text` into regions and take their entries from the memo. While the memo is
    /// empty (a process's first check) nothing can be remembered: the regions are keyed
    /// only when their findings are kept ([`Remembering::finish`]), after the check.
    pub fn new(model: &Model, text: &str, opts: &CheckOptions, rules: usize) -> Plan {
        let (generation, empty) = MEMO.with(|m| {
            let mut m = m.borrow_mut();
            m.generation += 1;
            (m.generation, m.entries.is_empty())
        });
        let mut plan = Plan {
            regions: regions(model, text),
            generation,
            rules,
            cold: true,
            keyed: false,
            missing: Vec::new(),
            remembered: Vec::new(),
        };
        if !empty {
            plan.key(model, text, opts);
            if !plan.cold {
                plan.index_rules();
            }
        }
        plan
    }

    /// Fingerprint the regions and take their entries from the memo (new ones where it
    /// has none).
    fn key(&mut self, model: &Model, text: &str, opts: &CheckOptions) {
        let n = model.stages.len();
        let first = self.regions.first().map_or(0, |r| r.span.end);
        // What every finding may depend on: the prelude, every FROM line, the options.
        let mut global = Fp::new()
            .u64(model.escape as u64)
            .u64(n as u64)
            .str(text.get(..first).unwrap_or(""));
        for s in &model.stages {
            let from = model
                .instructions
                .get(s.from)
                .map_or(Span::new(0, 0), |i| i.span);
            global = global.str(text.get(from.start..from.end).unwrap_or(""));
        }
        global = global.u64(opts.build_args.len() as u64);
        for (k, v) in &opts.build_args {
            global = global.str(k).str(v);
        }
        global = match &opts.dockerignore {
            Some(d) => global.u64(1).str(d),
            None => global.u64(0),
        }
        .u64(opts.on_disk as u64);
        // The stages each stage names: (target, built on it).
        let mut named: Vec<Vec<(usize, bool)>> = vec![Vec::new(); n];
        for r in &model.stage_refs {
            if let (Some(s), Some(t)) = (r.stage, r.target) {
                if t < s && s < n {
                    named[s].push((t, r.kind == StageRefKind::FromImage));
                }
            }
        }
        if let Some(prelude) = self.regions.first_mut() {
            prelude.key = global.0;
            prelude.sources = global.0;
        }
        // Per stage: (key, sources key).
        let mut keys: Vec<(u64, u64)> = Vec::with_capacity(n);
        for (i, region) in self.regions.iter_mut().skip(1).enumerate() {
            let keyed = region.keyed;
            let mut fp = global.str(text.get(keyed.start..keyed.end).unwrap_or(""));
            for &(t, _) in named[i].iter().filter(|(_, base)| *base) {
                fp = fp.u64(keys.get(t).map_or(0, |k| k.0));
            }
            let mut sources = fp;
            for &(t, _) in &named[i] {
                sources = sources.u64(keys.get(t).map_or(0, |k| k.1));
            }
            keys.push((fp.0, sources.0));
            region.key = fp.0;
            region.sources = sources.0;
        }
        self.keyed = true;
        self.take_entries(text);
    }

    fn index_rules(&mut self) {
        let mut missing = vec![Vec::new(); self.rules];
        let mut remembered = vec![Vec::new(); self.rules];
        for ri in 0..self.regions.len() {
            let outs = self.entry(ri).map_or(&[][..], |e| &e.outs[..]);
            for (slot, m) in missing.iter_mut().enumerate() {
                match outs.get(slot) {
                    Some(Some((_, found))) if !found.is_empty() => remembered[slot].push(ri),
                    Some(Some(_)) => {}
                    Some(None) | None => m.push(ri),
                }
            }
        }
        self.missing = missing;
        self.remembered = remembered;
    }

    fn take_entries(&mut self, text: &str) {
        let mut seen: HashMap<u64, usize> = HashMap::with_capacity(self.regions.len());
        MEMO.with(|m| {
            let mut m = m.borrow_mut();
            for ri in 0..self.regions.len() {
                let keyed = self.regions[ri].keyed;
                let keyed = text.get(keyed.start..keyed.end).unwrap_or("");
                let key = self.regions[ri].key;
                if let Some(&rj) = seen.get(&key) {
                    if let Source::Own(e) = &self.regions[rj].source {
                        if &*e.text == keyed {
                            self.regions[ri].source = Source::Same(rj);
                            continue;
                        }
                    }
                }
                let entry = match m.entries.remove(&key) {
                    Some(e) if &*e.text == keyed && e.outs.len() == self.rules => {
                        self.cold = false;
                        e
                    }
                    _ => Entry {
                        text: keyed.into(),
                        outs: (0..self.rules).map(|_| None).collect(),
                        used: 0,
                    },
                };
                seen.entry(key).or_insert(ri);
                self.regions[ri].source = Source::Own(entry);
            }
        });
    }

    fn entry(&self, ri: usize) -> Option<&Entry> {
        match &self.regions.get(ri)?.source {
            Source::Own(e) => Some(e),
            Source::Same(rj) => match &self.regions.get(*rj)?.source {
                Source::Own(e) => Some(e),
                Source::Same(_) => None,
            },
        }
    }

    /// Whether no region's findings are remembered (a document's first check).
    pub fn is_cold(&self) -> bool {
        self.cold
    }

    /// The regions where the findings of `rule` (registry position `slot`) are not
    /// remembered, ascending, with the scope to run it on; `None` when there are none.
    pub fn unknown(&self, slot: usize, rule: &Rule) -> Option<(Vec<usize>, StageSet)> {
        if self.cold {
            // A first check: nothing is remembered anywhere.
            let scope = StageSet {
                prelude: true,
                stages: vec![true; self.regions.len() - 1],
            };
            return Some(((0..self.regions.len()).collect(), scope));
        }
        let unknown: Vec<usize> = if rule.scope == Scope::StageAndSources {
            // Remembered with the sources key they depended on: compare it everywhere.
            let known = |ri: usize| {
                let want = self.regions[ri].sources;
                self.entry(ri)
                    .and_then(|e| e.outs.get(slot))
                    .is_some_and(|o| o.as_ref().is_some_and(|(k, _)| *k == want))
            };
            (0..self.regions.len()).filter(|&ri| !known(ri)).collect()
        } else {
            self.missing.get(slot).cloned().unwrap_or_default()
        };
        if unknown.is_empty() {
            return None;
        }
        let mut scope = StageSet {
            prelude: false,
            stages: vec![false; self.regions.len() - 1],
        };
        for &ri in &unknown {
            match ri.checked_sub(1) {
                None => scope.prelude = true,
                Some(si) => scope.stages[si] = true,
            }
        }
        Some((unknown, scope))
    }

    /// Append the findings of `rule` over the whole file to `out`: `fresh`, its findings
    /// in the `unknown` regions (see [`Plan::unknown`]), and the remembered ones
    /// elsewhere. The fresh ones go to `later` too, to be remembered once the findings
    /// are out ([`Remembering::finish`]).
    pub fn collect(
        &self,
        slot: usize,
        rule: &Rule,
        unknown: Vec<usize>,
        mut fresh: Vec<Finding>,
        out: &mut Vec<Finding>,
        later: &mut Vec<Fresh>,
    ) {
        if !unknown.is_empty() {
            // The rule looked at the stages these regions are built on too: its findings
            // there are remembered already.
            fresh.retain(|f| unknown.binary_search(&self.region_of(f.span.start)).is_ok());
            out.extend(fresh.iter().cloned());
        }
        if unknown.len() != self.regions.len() {
            let remembered = self.remembered.get(slot).map_or(&[][..], |r| &r[..]);
            for &ri in remembered {
                if unknown.binary_search(&ri).is_ok() {
                    continue;
                }
                let start = self.regions[ri].span.start as isize;
                if let Some(Some((_, found))) = self.entry(ri).and_then(|e| e.outs.get(slot)) {
                    out.extend(found.iter().map(|f| f.moved(start)));
                }
            }
        }
        if !unknown.is_empty() {
            later.push(Fresh {
                slot,
                sources: rule.scope == Scope::StageAndSources,
                unknown,
                found: fresh,
            });
        }
    }

    /// The region `offset` lies in.
    fn region_of(&self, offset: usize) -> usize {
        self.regions
            .partition_point(|r| r.span.start <= offset)
            .saturating_sub(1)
    }

    /// Remember a rule's fresh findings in the regions it looked at.
    fn remember(&mut self, fresh: Fresh) {
        let Fresh {
            slot,
            sources,
            unknown,
            found,
        } = fresh;
        let tag = |r: &Region| if sources { r.sources } else { 0 };
        if found.is_empty() {
            // Most rules find nothing: remember that for every region at once.
            for &ri in &unknown {
                if let Some(region) = self.regions.get_mut(ri) {
                    let tag = tag(region);
                    region.remember(slot, tag, Vec::new());
                }
            }
            return;
        }
        let mut per_region: Vec<Vec<Finding>> = vec![Vec::new(); unknown.len()];
        for f in found {
            if let Ok(k) = unknown.binary_search(&self.region_of(f.span.start)) {
                per_region[k].push(f);
            }
        }
        for (&ri, found) in unknown.iter().zip(per_region) {
            let span = self.regions[ri].span;
            let tag = tag(&self.regions[ri]);
            // A finding reaching outside its region would not move with it: not remembered.
            let local = found.iter().all(|f| {
                f.spans()
                    .all(|s| s.start >= span.start && s.end <= span.end)
            });
            if local {
                let base = -(span.start as isize);
                let relative = found.into_iter().map(|f| f.move_by(base)).collect();
                self.regions[ri].remember(slot, tag, relative);
            }
        }
    }
}

/// A rule's findings in the regions a check looked at, to remember.
pub(super) struct Fresh {
    slot: usize,
    /// A `StageAndSources` rule: remembered with the regions' sources keys.
    sources: bool,
    unknown: Vec<usize>,
    found: Vec<Finding>,
}

/// What a check keeps for the next one, left to do once its findings are out: the
/// regions' entries (and, after a process's first check, their keys) and the rules'
/// fresh findings. Dropped unfinished, it forgets them (the next check starts cold).
#[must_use = "finish it (after publishing) to remember the findings"]
pub struct Remembering {
    plan: Plan,
    fresh: Vec<Fresh>,
}

impl Remembering {
    pub(super) fn new(plan: Plan, fresh: Vec<Fresh>) -> Remembering {
        Remembering { plan, fresh }
    }

    /// Remember the findings for the next check of `text` (the text, model and options
    /// the check ran with), on the thread that ran it.
    pub fn finish(mut self, model: &Model, text: &str, opts: &CheckOptions) {
        if !self.plan.keyed {
            self.plan.key(model, text, opts);
        }
        for fresh in std::mem::take(&mut self.fresh) {
            self.plan.remember(fresh);
        }
    }
}

/// The regions of `text`, not keyed yet: the prelude, then one per stage.
fn regions(model: &Model, text: &str) -> Vec<Region> {
    let region_start = |i: usize| model.stages.get(i).map_or(text.len(), |s| s.span.start);
    let first = region_start(0).min(text.len());
    let mut regions = Vec::with_capacity(model.stages.len() + 1);
    regions.push(Region {
        span: Span::new(0, first),
        key: 0,
        sources: 0,
        keyed: Span::new(0, first),
        source: Source::Same(usize::MAX),
    });
    for (i, stage) in model.stages.iter().enumerate() {
        let start = stage.span.start.min(text.len());
        let end = region_start(i + 1).clamp(start, text.len());
        // The gap before the FROM (comments about the stage) is keyed too.
        let keyed_start = match i {
            0 => start,
            _ => model.stages[i - 1].span.end.clamp(first, start),
        };
        regions.push(Region {
            span: Span::new(start, end),
            key: 0,
            sources: 0,
            keyed: Span::new(keyed_start, end),
            source: Source::Same(usize::MAX),
        });
    }
    regions
}

impl Drop for Plan {
    /// Put the entries back, forget those unused for a while.
    fn drop(&mut self) {
        if !self.keyed {
            return;
        }
        let generation = self.generation;
        MEMO.with(|m| {
            let mut m = m.borrow_mut();
            for region in self.regions.drain(..) {
                if let Source::Own(mut e) = region.source {
                    e.used = generation;
                    m.entries.insert(region.key, e);
                }
            }
            if m.entries.len() > MAX_ENTRIES {
                m.entries.clear();
            }
            m.entries.retain(|_, e| e.used + KEEP_CHECKS >= generation);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{registry, Scope};

    /// The regions a Stage rule would look at again in a check of `text` now.
    fn unknown_regions(text: &str) -> Vec<usize> {
        let model = crate::model::build(text);
        let opts = CheckOptions::default();
        let plan = Plan::new(&model, text, &opts, registry().count());
        let slot = registry()
            .position(|r| r.scope == Scope::Stage)
            .expect("a stage rule");
        (0..plan.regions.len())
            .filter(|&ri| {
                !plan
                    .entry(ri)
                    .and_then(|e| e.outs.get(slot))
                    .is_some_and(|o| o.is_some())
            })
            .collect()
    }

    /// A check whose remembering is finished only after its findings are taken (as the
    /// server does once it has published them), or never, finds what a cold check finds;
    /// the next check reuses what was remembered late, and nothing of what was dropped.
    #[test]
    fn remembering_late_or_never_changes_no_finding() {
        let opts = CheckOptions::default();
        let a = "FROM debian AS one\nRUN apt-get update && apt-get install curl\nFROM debian AS two\nRUN apt-get install -y wget\nCOPY --from=one /a /b\n";
        let b = a.replace("wget", "wget git");
        let check = |text: &str| {
            let model = crate::model::build(text);
            let (found, remembering) = crate::rules::check_then_remember(&model, text, &opts);
            assert_eq!(found, crate::rules::check(&model, text, &opts), "{text}");
            assert!(!found.is_empty(), "the regions hold findings to remember");
            (model, remembering.expect("a memo"))
        };
        // The memo is empty: the check keys its regions only when finished.
        let (model, remembering) = check(a);
        assert_eq!(unknown_regions(a), vec![0, 1, 2], "nothing remembered yet");
        remembering.finish(&model, a, &opts);
        assert_eq!(unknown_regions(a), Vec::<usize>::new());
        // `two` changed: `one` is taken over; its remembering is dropped unfinished.
        assert_eq!(unknown_regions(&b), vec![2]);
        let (_, dropped) = check(&b);
        drop(dropped);
        assert_eq!(
            unknown_regions(&b),
            vec![2],
            "nothing kept of the dropped one"
        );
        let (model, remembering) = check(&b);
        remembering.finish(&model, &b, &opts);
        assert_eq!(unknown_regions(&b), Vec::<usize>::new());
    }

    #[test]
    fn an_edit_invalidates_its_stage_and_the_stages_built_on_it() {
        let a = "ARG V=1\nFROM alpine AS one\nRUN apt-get install x\n\n# about two\nFROM alpine AS two\nRUN echo\nFROM one AS three\nRUN echo 3\n";
        let model = crate::model::build(a);
        let _ = crate::rules::check_incremental(&model, a, &CheckOptions::default());
        assert_eq!(unknown_regions(a), Vec::<usize>::new());
        // A line inserted in `one`: `one` (region 1) and `three`, built on it (region 3).
        let b = a.replace("RUN apt-get", "# note\nRUN apt-get");
        assert_eq!(unknown_regions(&b), vec![1, 3]);
        // A comment between two stages is in both keys (and `three` is built on `one`).
        let c = a.replace("# about two", "# about the second");
        assert_eq!(unknown_regions(&c), vec![1, 2, 3]);
        // An edit in the last stage invalidates it alone.
        let e = a.replace("echo 3", "echo 4");
        assert_eq!(unknown_regions(&e), vec![3]);
        // The prelude is part of every key.
        let d = a.replace("V=1", "V=2");
        assert_eq!(unknown_regions(&d), vec![0, 1, 2, 3]);
    }
}
