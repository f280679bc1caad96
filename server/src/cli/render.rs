//! Output formats of `check`: human (rustc/ruff style), JSON and SARIF 2.1.0.
//!
//! Lines and columns are 1-based; columns count characters (Unicode scalar values).

use crate::document::LineIndex;
use crate::rules::{Finding, Severity};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// One checked file: how to name it, its text and its findings.
pub struct Report {
    /// The path as given or found (`-` for stdin).
    pub name: String,
    pub text: String,
    pub line_index: LineIndex,
    pub findings: Vec<Finding>,
}

impl Report {
    /// A report on `text`; the line index is built here.
    pub fn new(name: String, text: String, findings: Vec<Finding>) -> Report {
        let line_index = LineIndex::new(&text);
        Report {
            name,
            text,
            line_index,
            findings,
        }
    }

    /// Findings in document order (stable for equal positions), each with its location.
    pub fn located(&self) -> Vec<(&Finding, Location)> {
        let mut starts = Locator::new(self);
        let mut ends = Locator::new(self);
        sorted(&self.findings)
            .into_iter()
            .map(|f| {
                let start = starts.locate(f.span.start, None);
                let end = ends.locate(f.span.end.max(f.span.start), Some(start));
                let loc = Location {
                    line: start.line + 1,
                    column: start.col + 1,
                    end_line: end.line + 1,
                    end_column: end.col + 1,
                };
                (f, loc)
            })
            .collect()
    }
}

/// 1-based line and character column of a finding's start and end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// A byte offset with its 0-based line and character column.
#[derive(Clone, Copy, Debug)]
struct Point {
    offset: usize,
    line: usize,
    col: usize,
}

/// Byte offsets → character columns, counting from the last point found on the same line
/// (or a given one) rather than from the line's start: thousands of findings on one long
/// line then cost time linear in the line, not quadratic.
struct Locator<'a> {
    text: &'a str,
    index: &'a LineIndex,
    last: Option<Point>,
}

impl<'a> Locator<'a> {
    fn new(report: &'a Report) -> Self {
        Locator {
            text: &report.text,
            index: &report.line_index,
            last: None,
        }
    }

    /// The point at `offset` (clamped, moved back to a character boundary); `hint` is a
    /// known point that may be counted from.
    fn locate(&mut self, offset: usize, hint: Option<Point>) -> Point {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.index.line_of(offset);
        let line_start = Point {
            offset: self.index.line_start(line),
            line,
            col: 0,
        };
        let from = [self.last, hint]
            .into_iter()
            .flatten()
            .filter(|p| p.line == line && p.offset <= offset)
            .fold(
                line_start,
                |best, p| if p.offset > best.offset { p } else { best },
            );
        let col = from.col + self.text[from.offset..offset].chars().count();
        let point = Point { offset, line, col };
        self.last = Some(point);
        point
    }
}

/// Findings in document order (stable for equal positions).
pub fn sorted(findings: &[Finding]) -> Vec<&Finding> {
    let mut v: Vec<&Finding> = findings.iter().collect();
    v.sort_by_key(|f| (f.span.start, f.span.end));
    v
}

// ---------------------------------------------------------------- human

/// ANSI styling, or none.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn severity(&self, sev: Severity, text: &str) -> String {
        let code = match sev {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;36",
            Severity::Hint => "1;32",
        };
        self.paint(code, text)
    }
}

/// `path:line:col: severity[Rule]: message`, then the source line with a caret
/// underline, for every finding; a summary line at the end.
pub fn human(reports: &[Report], style: Style) -> String {
    let mut out = String::new();
    let mut counts = Counts::default();
    for report in reports {
        human_report(&mut out, report, style, &mut counts);
    }
    summary(&mut out, reports.len(), &counts);
    out
}

/// Findings by severity class.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub others: usize,
}

/// One file's findings in the human format (no summary); `counts` is added to.
pub fn human_report(out: &mut String, report: &Report, style: Style, counts: &mut Counts) {
    for (f, loc) in report.located() {
        match f.severity {
            Severity::Error => counts.errors += 1,
            Severity::Warning => counts.warnings += 1,
            _ => counts.others += 1,
        }
        let _ = writeln!(
            out,
            "{}:{}:{}: {}: {}",
            style.paint("1", &report.name),
            loc.line,
            loc.column,
            style.severity(f.severity, &format!("{}[{}]", f.severity.as_str(), f.rule)),
            f.message
        );
        snippet(out, report, f, loc, style);
    }
}

/// The last line of the human format.
pub fn summary(out: &mut String, files: usize, counts: &Counts) {
    let Counts {
        errors,
        warnings,
        others,
    } = *counts;
    let total = errors + warnings + others;
    if total == 0 {
        let _ = writeln!(
            out,
            "No problems found in {files} file{}.",
            if files == 1 { "" } else { "s" }
        );
    } else {
        let _ = writeln!(
            out,
            "Found {total} problem{} ({errors} error{}, {warnings} warning{}, {others} other).",
            if total == 1 { "" } else { "s" },
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" },
        );
    }
}

/// Longest source line shown whole, in bytes; a longer one is shown as a window of about
/// this size around the finding, so that the output per finding is bounded.
const MAX_SHOWN: usize = 160;
/// Bytes of context kept before a finding in a window.
const CONTEXT_BEFORE: usize = 60;

/// The largest character boundary of `text` at or before `i`.
fn floor_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Display width of a source excerpt: tabs are shown as 4 spaces.
fn width(s: &str) -> usize {
    s.chars().map(|c| if c == '\t' { 4 } else { 1 }).sum()
}

fn snippet(out: &mut String, report: &Report, f: &Finding, loc: Location, style: Style) {
    let text = report.text.as_str();
    let line = report.line_index.line_span(text, loc.line - 1);
    if line.is_empty() && f.span.is_empty() && text.is_empty() {
        out.push('\n');
        return;
    }
    let start = f.span.start.clamp(line.start, line.end);
    let end = if loc.end_line == loc.line {
        f.span.end.clamp(start, line.end)
    } else {
        line.end
    };
    // The part of the line shown: all of it, or a window from a little before the finding.
    let (from, to) = if line.end - line.start <= MAX_SHOWN {
        (line.start, line.end)
    } else {
        let from = floor_boundary(text, start.saturating_sub(CONTEXT_BEFORE).max(line.start));
        (from, floor_boundary(text, (from + MAX_SHOWN).min(line.end)))
    };
    let (start, end) = (
        floor_boundary(text, start.max(from)),
        floor_boundary(text, end.min(to)),
    );
    let slice = |a: usize, b: usize| text.get(a..b.max(a)).unwrap_or_default();
    let ellipsis_before = if from > line.start { "…" } else { "" };
    let ellipsis_after = if to < line.end { "…" } else { "" };
    let number = loc.line.to_string();
    let pad = " ".repeat(number.len());
    let gutter = style.paint("1;34", "|");
    let shown = slice(from, to).replace('\t', "    ");
    let before = width(ellipsis_before) + width(slice(from, start));
    let carets = "^".repeat(width(slice(start, end)).max(1));
    let _ = writeln!(out, "{pad} {gutter}");
    let _ = writeln!(
        out,
        "{} {gutter} {ellipsis_before}{shown}{ellipsis_after}",
        style.paint("1;34", &number)
    );
    let _ = writeln!(
        out,
        "{pad} {gutter} {}{}",
        " ".repeat(before),
        style.severity(f.severity, &carets)
    );
    out.push('\n');
}

// ---------------------------------------------------------------- JSON

/// One finding in the JSON output (fields in this order).
#[derive(serde::Serialize)]
struct JsonFinding<'a> {
    file: &'a str,
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

/// A JSON array of `{"file","rule","severity","message","line","column","end_line",
/// "end_column"}`.
pub fn json(reports: &[Report]) -> String {
    let items: Vec<JsonFinding> = reports
        .iter()
        .flat_map(|r| {
            r.located().into_iter().map(move |(f, loc)| JsonFinding {
                file: &r.name,
                rule: f.rule,
                severity: f.severity.as_str(),
                message: &f.message,
                line: loc.line,
                column: loc.column,
                end_line: loc.end_line,
                end_column: loc.end_column,
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}

// ---------------------------------------------------------------- SARIF

/// What SARIF says about one rule.
pub struct RuleInfo {
    pub id: String,
    pub summary: Option<String>,
    pub severity: Option<Severity>,
}

/// The rules to list in `tool.driver.rules`: every rule of the registry, then any other
/// rule id that has findings.
pub fn rule_infos(reports: &[Report]) -> Vec<RuleInfo> {
    let mut infos: Vec<RuleInfo> = crate::rules::registry()
        .map(|r| RuleInfo {
            id: r.id.to_string(),
            summary: Some(r.summary.to_string()),
            severity: Some(r.severity),
        })
        .collect();
    for r in reports {
        for f in &r.findings {
            if !infos.iter().any(|i| i.id == f.rule) {
                infos.push(RuleInfo {
                    id: f.rule.to_string(),
                    summary: None,
                    severity: None,
                });
            }
        }
    }
    infos
}

fn sarif_level(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

/// A relative path as a URI reference (forward slashes, reserved characters escaped).
fn uri_reference(name: &str) -> String {
    let mut out = String::new();
    for b in name.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

pub fn sarif(reports: &[Report]) -> String {
    let rules = rule_infos(reports);
    let rule_index = |id: &str| rules.iter().position(|r| r.id == id);
    let rules_json: Vec<Value> = rules
        .iter()
        .map(|r| {
            let mut v = json!({
                "id": r.id,
                "name": r.id,
                "helpUri": super::rule_doc_url(&r.id),
            });
            if let Some(s) = &r.summary {
                v["shortDescription"] = json!({ "text": s });
            }
            if let Some(sev) = r.severity {
                v["defaultConfiguration"] = json!({ "level": sarif_level(sev) });
            }
            v
        })
        .collect();
    let results: Vec<Value> = reports
        .iter()
        .flat_map(|r| {
            r.located().into_iter().map(move |(f, loc)| {
                let mut v = json!({
                    "ruleId": f.rule,
                    "level": sarif_level(f.severity),
                    "message": { "text": &*f.message },
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": { "uri": uri_reference(&r.name) },
                            "region": {
                                "startLine": loc.line,
                                "startColumn": loc.column,
                                "endLine": loc.end_line,
                                "endColumn": loc.end_column,
                            }
                        }
                    }],
                });
                if let Some(i) = rule_index(f.rule) {
                    v["ruleIndex"] = json!(i);
                }
                v
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "dockerfile-ls",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/dockerfile-ls/dockerfile-ls",
                    "rules": rules_json,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
