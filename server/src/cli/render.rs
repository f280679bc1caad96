//! Output formats of `check`: human (rustc/ruff style), JSON and SARIF 2.1.0.
//!
//! Lines and columns are 1-based; columns count characters (Unicode scalar values).

use crate::document::{Encoding, Snapshot};
use crate::model::Span;
use crate::rules::{Finding, Severity};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// One checked file: how to name it, and its analysis.
pub struct Report<'a> {
    /// The path as given or found (`-` for stdin).
    pub name: String,
    pub snap: &'a Snapshot,
}

/// 1-based line and character column of a finding's start and end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub fn location(snap: &Snapshot, span: Span) -> Location {
    let (a, b) = snap.range(span, Encoding::Utf32);
    Location {
        line: a.line as usize + 1,
        column: a.col as usize + 1,
        end_line: b.line as usize + 1,
        end_column: b.col as usize + 1,
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
    let (mut errors, mut warnings, mut others) = (0usize, 0usize, 0usize);
    for report in reports {
        let snap = report.snap;
        for f in sorted(&snap.findings) {
            match f.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                _ => others += 1,
            }
            let loc = location(snap, f.span);
            let _ = writeln!(
                out,
                "{}:{}:{}: {}: {}",
                style.paint("1", &report.name),
                loc.line,
                loc.column,
                style.severity(f.severity, &format!("{}[{}]", f.severity.as_str(), f.rule)),
                f.message
            );
            snippet(&mut out, snap, f, loc, style);
        }
    }
    let total = errors + warnings + others;
    if total == 0 {
        let files = reports.len();
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
    out
}

fn snippet(out: &mut String, snap: &Snapshot, f: &Finding, loc: Location, style: Style) {
    let line_no = loc.line - 1;
    let span = snap.line_index.line_span(&snap.text, line_no);
    let line = snap.slice(span);
    if line.is_empty() && f.span.is_empty() && snap.text.is_empty() {
        out.push('\n');
        return;
    }
    let number = loc.line.to_string();
    let pad = " ".repeat(number.len());
    let gutter = style.paint("1;34", "|");
    // Tabs are shown as 4 spaces, so that the underline lines up.
    let shown: String = line.replace('\t', "    ");
    let width = |s: &str| {
        s.chars()
            .map(|c| if c == '\t' { 4 } else { 1 })
            .sum::<usize>()
    };
    let start = f.span.start.clamp(span.start, span.end);
    let end = if loc.end_line == loc.line {
        f.span.end.clamp(start, span.end)
    } else {
        span.end
    };
    let before = snap.text.get(span.start..start).unwrap_or_default();
    let under = snap.text.get(start..end).unwrap_or_default();
    let carets = "^".repeat(width(under).max(1));
    let _ = writeln!(out, "{pad} {gutter}");
    let _ = writeln!(out, "{} {gutter} {shown}", style.paint("1;34", &number));
    let _ = writeln!(
        out,
        "{pad} {gutter} {}{}",
        " ".repeat(width(before)),
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
            sorted(&r.snap.findings).into_iter().map(move |f| {
                let loc = location(r.snap, f.span);
                JsonFinding {
                    file: &r.name,
                    rule: f.rule,
                    severity: f.severity.as_str(),
                    message: &f.message,
                    line: loc.line,
                    column: loc.column,
                    end_line: loc.end_line,
                    end_column: loc.end_column,
                }
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
        for f in &r.snap.findings {
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
            sorted(&r.snap.findings).into_iter().map(move |f| {
                let loc = location(r.snap, f.span);
                let mut v = json!({
                    "ruleId": f.rule,
                    "level": sarif_level(f.severity),
                    "message": { "text": f.message },
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
