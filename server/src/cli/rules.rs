//! `dockerfile-ls rules` (list every rule) and `dockerfile-ls explain RULE` (one rule's
//! documentation, by id or alias).

use super::{EXIT_FAILURE, EXIT_OK};
use crate::rules::{self, Rule};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// One rule per line in aligned columns.
    Text,
    /// A JSON array of rule descriptions.
    Json,
    /// The full documentation (what docs/rules.md holds).
    Markdown,
}

/// List every rule: id, aliases, kind, category, default severity and summary.
#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

/// Print a rule's documentation, with an example that triggers it and its correction.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A rule id (e.g. `UndefinedVar`) or alias (e.g. `DL3025`).
    pub rule: String,
}

fn kind(r: &Rule) -> &'static str {
    if r.buildkit {
        "buildkit"
    } else if r.category == rules::Category::Syntax {
        "error"
    } else {
        "practice"
    }
}

/// The listing as text: a header and one aligned row per rule.
pub fn rules_table() -> String {
    let rows: Vec<[String; 6]> = rules::registry()
        .map(|r| {
            [
                r.id.to_string(),
                if r.aliases.is_empty() {
                    "-".into()
                } else {
                    r.aliases.join(",")
                },
                kind(r).to_string(),
                r.category.as_str().to_string(),
                if r.experimental {
                    format!("{} (experimental)", r.severity.as_str())
                } else {
                    r.severity.as_str().to_string()
                },
                r.summary.replace('`', ""),
            ]
        })
        .collect();
    let header = ["RULE", "ALIASES", "KIND", "CATEGORY", "DEFAULT", "SUMMARY"].map(String::from);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(rows.iter()) {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows.iter()) {
        for (i, cell) in row.iter().enumerate() {
            if i < 5 {
                out.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            } else {
                out.push_str(cell);
            }
        }
        out.push('\n');
    }
    out
}

pub fn rules_json() -> serde_json::Value {
    serde_json::Value::Array(
        rules::registry()
            .map(|r| {
                serde_json::json!({
                    "id": r.id,
                    "aliases": r.aliases,
                    "kind": kind(r),
                    "buildkit": r.buildkit,
                    "experimental": r.experimental,
                    "category": r.category.as_str(),
                    "severity": r.severity.as_str(),
                    "summary": r.summary,
                    "url": super::rule_doc_url(r.id),
                })
            })
            .collect(),
    )
}

pub fn run_rules(args: RulesArgs) -> i32 {
    let text = match args.format {
        ListFormat::Text => rules_table(),
        ListFormat::Json => {
            let mut s = serde_json::to_string_pretty(&rules_json()).unwrap_or_default();
            s.push('\n');
            s
        }
        ListFormat::Markdown => {
            let mut s = rules::rules_markdown();
            s.push('\n');
            s
        }
    };
    print!("{text}");
    EXIT_OK
}

pub fn run_explain(args: ExplainArgs) -> i32 {
    match rules::find(&args.rule) {
        Some(rule) => {
            print!("{}", rules::rule_markdown(rule));
            println!("More: {}", super::rule_doc_url(rule.id));
            EXIT_OK
        }
        None => {
            let hint = rules::suggest_rule(&args.rule)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            eprintln!(
                "dockerfile-ls: unknown rule `{}`{hint}; `dockerfile-ls rules` lists them",
                args.rule
            );
            EXIT_FAILURE
        }
    }
}
