//! Code actions: quick fixes, suppressions, fix-all and the split into stages.
//!
//! Everything here is protocol-free: byte [`Span`]s into the document text, [`Edit`]s
//! from the rules engine. `lsp::requests::code_action` converts at the edge and `cli::fix`
//! prints the results.
//!
//! - Quick fixes: a finding's own [`Fix`] (set by its rule), else a provider of
//!   [`quickfix`] keyed by rule id.
//! - Suppressions ([`suppress`]): `# dockerfile-ls ignore=Rule` above the instruction, and
//!   for BuildKit's checks `# check=skip=Rule` in the parser directives.
//! - Fix-all ([`fix_all`]): every safe fix, applied round after round until none is left.
//! - The split ([`split`]): a single-stage file rewritten as deps / builder / runner.

pub mod quickfix;
pub mod split;
pub mod suppress;

use crate::model::{Model, Span};
use crate::rules::{self, CheckOptions, Edit, Finding, Fix, Severity};

/// What kind of action (mapped to the protocol's code action kinds at the edge).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionKind {
    /// `quickfix`: resolves (or suppresses) one finding.
    QuickFix,
    /// `refactor.rewrite`: the split into stages.
    RefactorRewrite,
    /// `source.fixAll.dockerfile-ls`: every safe fix.
    FixAll,
}

/// One code action: a title and the edits to the document (byte spans of its text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub title: String,
    pub kind: ActionKind,
    pub edits: Vec<Edit>,
    /// The finding it resolves (index into the findings it was computed from).
    pub finding: Option<usize>,
    /// The best action for its finding (editors may apply it with one key).
    pub preferred: bool,
    /// The split variant, for split actions.
    pub split: Option<split::Variant>,
}

/// Which kinds the client asked for (`context.only`); `None` means all.
#[derive(Clone, Copy, Debug, Default)]
pub struct Want {
    pub quickfix: bool,
    pub refactor: bool,
    pub fix_all: bool,
}

impl Want {
    pub const ALL: Want = Want {
        quickfix: true,
        refactor: true,
        fix_all: true,
    };
}

/// The fixes offered for one finding: its own fix, else the providers' (rule-specific)
/// ones. Safe fixes first.
pub fn fixes_for(model: &Model, text: &str, finding: &Finding) -> Vec<Fix> {
    let mut out: Vec<Fix> = Vec::new();
    if let Some(fix) = &finding.fix {
        if !fix.edits.is_empty() && edits_valid(text, &fix.edits) {
            out.push(fix.clone());
        }
    }
    if out.is_empty() {
        for fix in quickfix::provide(model, text, finding) {
            if !fix.edits.is_empty() && edits_valid(text, &fix.edits) {
                out.push(fix);
            }
        }
    }
    out.sort_by_key(|f| !f.safe);
    out
}

/// Every action for the findings in `findings` whose span touches `range` (a cursor or a
/// selection), plus fix-all and the split.
pub fn actions(
    model: &Model,
    text: &str,
    findings: &[Finding],
    range: Span,
    want: Want,
    options: &CheckOptions,
) -> Vec<Action> {
    let selected: Vec<usize> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| overlaps(f.span, range))
        .map(|(i, _)| i)
        .collect();
    let mut out = Vec::new();
    if want.quickfix {
        for &i in &selected {
            if let Some(f) = findings.get(i) {
                out.extend(actions_for_finding(model, text, f, i));
            }
        }
    }
    if want.refactor {
        out.extend(split_actions(model, text, range));
    }
    if want.fix_all {
        if let Some(a) = fix_all_action(model, text, findings, options) {
            out.push(a);
        }
    }
    out
}

/// Quick fixes and suppressions for one finding (`index` into the snapshot's findings).
pub fn actions_for_finding(
    model: &Model,
    text: &str,
    finding: &Finding,
    index: usize,
) -> Vec<Action> {
    let mut out = Vec::new();
    for (n, fix) in fixes_for(model, text, finding).into_iter().enumerate() {
        out.push(Action {
            title: fix.title,
            kind: ActionKind::QuickFix,
            edits: fix.edits,
            finding: Some(index),
            preferred: n == 0 && fix.safe,
            split: None,
        });
    }
    for (title, edits) in suppress::suppressions(model, text, finding) {
        out.push(Action {
            title,
            kind: ActionKind::QuickFix,
            edits,
            finding: Some(index),
            preferred: false,
            split: None,
        });
    }
    out
}

/// The split actions offered at `range` (every variant that applies).
pub fn split_actions(model: &Model, text: &str, range: Span) -> Vec<Action> {
    if !split::offered_at(model, text, range) {
        return Vec::new();
    }
    split::Variant::ALL
        .iter()
        .filter_map(|&v| {
            let out = split::split(model, text, v)?;
            Some(Action {
                title: split::title(v).to_string(),
                kind: ActionKind::RefactorRewrite,
                edits: diff_edits(text, &out),
                finding: None,
                preferred: false,
                split: Some(v),
            })
        })
        .collect()
}

/// The fix-all action, when some safe fix exists.
pub fn fix_all_action(
    model: &Model,
    text: &str,
    findings: &[Finding],
    options: &CheckOptions,
) -> Option<Action> {
    let any_safe = findings.iter().any(|f| {
        fixes_for(model, text, f)
            .first()
            .is_some_and(|fix| fix.safe)
    });
    if !any_safe {
        return None;
    }
    let fixed = fix_all(text, options);
    if fixed == text {
        return None;
    }
    Some(Action {
        title: "Fix all auto-fixable problems".to_string(),
        kind: ActionKind::FixAll,
        edits: diff_edits(text, &fixed),
        finding: None,
        preferred: false,
        split: None,
    })
}

/// The safe fixes of one round that do not overlap (in document order), or none.
pub fn safe_edits(model: &Model, text: &str, findings: &[Finding]) -> Vec<Edit> {
    let mut chosen: Vec<Edit> = Vec::new();
    let mut taken = Taken::default();
    for f in findings {
        let Some(fix) = fixes_for(model, text, f).into_iter().find(|x| x.safe) else {
            continue;
        };
        if fix.edits.iter().any(|e| taken.clashes(e.span)) {
            continue;
        }
        for e in fix.edits {
            taken.insert(e.span);
            chosen.push(e);
        }
    }
    chosen
}

/// The spans of the edits chosen so far, by start: none of them clash with each other,
/// so only those starting at or before a new span's end can clash with it, and going
/// back from there the first one that ends before its start ends the search (a file's
/// thousands of fixes are not each compared with all the others).
#[derive(Default)]
struct Taken(std::collections::BTreeSet<(usize, usize)>);

impl Taken {
    fn clashes(&self, span: Span) -> bool {
        self.0
            .range(..=(span.end, usize::MAX))
            .rev()
            .take_while(|&&(_, end)| end >= span.start)
            .any(|&(start, end)| edits_clash(Span::new(start, end), span))
    }

    fn insert(&mut self, span: Span) {
        self.0.insert((span.start, span.end));
    }
}

/// Fixes tried one at a time in a round whose fixes together were refused.
const MAX_SINGLE_TRIES: usize = 32;

/// Apply every safe fix, round after round (a fix may reveal another), until nothing
/// changes. A round whose result does not parse, or that adds error-severity findings, is
/// retried one fix at a time, keeping only the fixes that do neither.
pub fn fix_all(text: &str, options: &CheckOptions) -> String {
    let mut current = text.to_string();
    for _ in 0..8 {
        let model = crate::model::build(&current);
        let findings = rules::check(&model, &current, options);
        let edits = safe_edits(&model, &current, &findings);
        if edits.is_empty() {
            break;
        }
        let errors_before = error_count(&findings);
        let parse_errors_before = model.errors.len();
        let next = apply_edits(&current, &edits);
        let accept = |candidate: &str| {
            let m = crate::model::build(candidate);
            m.errors.len() <= parse_errors_before
                && error_count(&rules::check(&m, candidate, options)) <= errors_before
        };
        if next != current && accept(&next) {
            current = next;
            continue;
        }
        // One fix at a time, a few of them: each try checks the whole file again.
        let mut progressed = false;
        for f in findings.iter().take(MAX_SINGLE_TRIES) {
            let Some(fix) = fixes_for(&model, &current, f).into_iter().find(|x| x.safe) else {
                continue;
            };
            let candidate = apply_edits(&current, &fix.edits);
            if candidate != current && accept(&candidate) {
                current = candidate;
                progressed = true;
                break;
            }
        }
        if !progressed {
            break;
        }
    }
    current
}

fn error_count(findings: &[Finding]) -> usize {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count()
}

/// Apply non-overlapping edits (spans into `text`). Edits at the same offset keep their
/// order; an edit overlapping an earlier one, or out of range, is skipped.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0usize;
    for e in sorted {
        if e.span.start < pos || e.span.end < e.span.start {
            continue;
        }
        let (Some(before), Some(_)) = (
            text.get(pos..e.span.start),
            text.get(e.span.start..e.span.end),
        ) else {
            continue;
        };
        out.push_str(before);
        out.push_str(&e.new_text);
        pos = e.span.end;
    }
    out.push_str(text.get(pos..).unwrap_or_default());
    out
}

/// Whether every edit is inside the text, on character boundaries, and no two overlap.
pub fn edits_valid(text: &str, edits: &[Edit]) -> bool {
    let mut spans: Vec<Span> = edits.iter().map(|e| e.span).collect();
    spans.sort();
    let in_range = spans.iter().all(|s| {
        s.start <= s.end
            && s.end <= text.len()
            && text.is_char_boundary(s.start)
            && text.is_char_boundary(s.end)
    });
    in_range && spans.windows(2).all(|w| w[0].end <= w[1].start)
}

/// Two edits that cannot be applied together: overlapping ranges, or insertions at the
/// same place (their order would be arbitrary).
fn edits_clash(a: Span, b: Span) -> bool {
    if a.is_empty() && b.is_empty() {
        return a.start == b.start;
    }
    if a.is_empty() {
        return b.start < a.start && a.start < b.end;
    }
    if b.is_empty() {
        return a.start < b.start && b.start < a.end;
    }
    a.start < b.end && b.start < a.end
}

fn overlaps(span: Span, range: Span) -> bool {
    if range.is_empty() {
        span.touches(range.start)
    } else {
        span.start < range.end && range.start < span.end
            || span.is_empty() && range.touches(span.start)
    }
}

/// How long the line diff of an action's edits may search for the smallest one.
const DIFF_TIMEOUT_MS: u64 = 100;

/// Edits turning `old` into `new`, one per changed run of lines (whole lines, so that
/// line ends are never split).
pub fn diff_edits(old: &str, new: &str) -> Vec<Edit> {
    use similar::{DiffOp, TextDiff};
    // Myers' diff costs time in proportion to the size and the number of changes; past
    // the deadline it finishes with a coarser (still exact) set of edits.
    let diff = TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .timeout(std::time::Duration::from_millis(DIFF_TIMEOUT_MS))
        .diff_lines(old, new);
    let old_starts = line_starts(old);
    let new_starts = line_starts(new);
    let at = |starts: &[usize], len: usize, i: usize| starts.get(i).copied().unwrap_or(len);
    let mut edits = Vec::new();
    for op in diff.ops() {
        let (o_start, o_len, n_start, n_len) = match *op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => (old_index, old_len, new_index, 0),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (old_index, 0, new_index, new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (old_index, old_len, new_index, new_len),
        };
        let a = at(&old_starts, old.len(), o_start);
        let b = at(&old_starts, old.len(), o_start + o_len);
        let c = at(&new_starts, new.len(), n_start);
        let d = at(&new_starts, new.len(), n_start + n_len);
        edits.push(Edit {
            span: Span::new(a, b),
            new_text: new.get(c..d).unwrap_or_default().to_string(),
        });
    }
    // Merge edits that touch (an insertion right after a replacement, …).
    let mut merged: Vec<Edit> = Vec::new();
    for e in edits {
        if let Some(last) = merged.last_mut() {
            if last.span.end == e.span.start {
                last.span.end = e.span.end;
                last.new_text.push_str(&e.new_text);
                continue;
            }
        }
        merged.push(e);
    }
    merged
}

/// Byte offsets where each line starts (`similar` counts lines the same way: each ends
/// after its `\n`).
fn line_starts(text: &str) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(
        text.bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .map(|(i, _)| i + 1)
            .filter(|&i| i < text.len()),
    );
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_edits_roundtrip() {
        let cases = [
            ("a\nb\nc\n", "a\nx\nc\n"),
            ("a\nb\nc\n", "a\nb\nc\nd\n"),
            ("a\nb\nc\n", "z\na\nc\n"),
            ("", "a\n"),
            ("a\n", ""),
            ("a\r\nb\r\n", "a\r\nc\r\nb\r\n"),
            ("a\nb", "a\nb\nc"),
            ("no newline", "no newline at all"),
        ];
        for (old, new) in cases {
            let edits = diff_edits(old, new);
            assert!(edits_valid(old, &edits), "{old:?} -> {new:?}: {edits:?}");
            assert_eq!(apply_edits(old, &edits), new, "{edits:?}");
        }
    }

    #[test]
    fn apply_keeps_order_of_insertions() {
        let e = |s, t: &str| Edit {
            span: Span::new(s, s),
            new_text: t.to_string(),
        };
        assert_eq!(apply_edits("ab", &[e(1, "x"), e(1, "y")]), "axyb");
    }

    #[test]
    fn fix_all_applies_safe_fixes() {
        let text = "from alpine AS base\nRUN apk add curl\n";
        let fixed = fix_all(text, &CheckOptions::default());
        assert!(fixed.contains("apk add --no-cache curl"), "{fixed}");
    }
}
