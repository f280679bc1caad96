//! Configuration: rule severities and formatter options, from `.dockerfile-ls.toml` and
//! from the client's `dockerfile-ls` settings section.
//!
//! ```toml
//! [rules]
//! UndefinedVar = "error"      # off | hint | information (info) | warning | error
//! DL3008 = "off"              # hadolint aliases work too
//!
//! [format]
//! indent_width = 4
//! keyword_case = "upper"      # upper | lower | dominant
//! blank_lines_between_stages = 1
//! ```

use crate::rules::Severity;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A rule's configured level: off, or a severity.
pub type Level = Option<Severity>;

/// The configuration file's name.
pub const FILE_NAME: &str = ".dockerfile-ls.toml";

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// Per-rule levels by rule id (or alias); `None` turns the rule off.
    pub rules: HashMap<String, Level>,
    pub format: FormatOptions,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FormatOptions {
    /// Spaces before a continuation line's text.
    pub indent_width: usize,
    /// `upper`, `lower` or `preserve` (the file's dominant case).
    pub keyword_case: KeywordCase,
    /// Blank lines between stages.
    pub blank_lines_between_stages: usize,
}

impl Default for FormatOptions {
    fn default() -> Self {
        FormatOptions {
            indent_width: 4,
            keyword_case: KeywordCase::Dominant,
            blank_lines_between_stages: 1,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum KeywordCase {
    Upper,
    Lower,
    /// The case most instructions of the file already use (upper on a tie).
    #[default]
    Dominant,
}

impl KeywordCase {
    pub fn parse(s: &str) -> Option<KeywordCase> {
        match s.to_ascii_lowercase().as_str() {
            "upper" | "uppercase" => Some(KeywordCase::Upper),
            "lower" | "lowercase" => Some(KeywordCase::Lower),
            "dominant" | "preserve" => Some(KeywordCase::Dominant),
            _ => None,
        }
    }
}

/// `off`, `hint`, `information`/`info`, `warning`/`warn`, `error` (case-insensitive).
/// `Some(None)` is "off"; `None` means the text is not a level.
pub fn parse_level(s: &str) -> Option<Level> {
    match s.trim().to_ascii_lowercase().as_str() {
        "off" | "none" | "ignore" | "disable" | "disabled" => Some(None),
        "hint" => Some(Some(Severity::Hint)),
        "information" | "info" => Some(Some(Severity::Info)),
        "warning" | "warn" => Some(Some(Severity::Warning)),
        "error" => Some(Some(Severity::Error)),
        _ => None,
    }
}

impl Config {
    /// Parse a `.dockerfile-ls.toml`. Unknown sections, keys, rules and levels are errors.
    pub fn from_toml_str(text: &str) -> Result<Config, String> {
        let value: toml::Value = text
            .parse::<toml::Table>()
            .map(toml::Value::Table)
            .map_err(|e| e.to_string())?;
        let mut config = Config::default();
        let Some(table) = value.as_table() else {
            return Ok(config);
        };
        for (section, v) in table {
            match section.as_str() {
                "rules" => {
                    let rules = v.as_table().ok_or("[rules] must be a table")?;
                    for (name, level) in rules {
                        if crate::rules::find(name).is_none() {
                            let hint = crate::rules::suggest_rule(name)
                                .map(|s| format!("; did you mean `{s}`?"))
                                .unwrap_or_default();
                            return Err(format!("unknown rule `{name}` in [rules]{hint}"));
                        }
                        let parsed = match level {
                            toml::Value::String(s) => parse_level(s),
                            toml::Value::Boolean(false) => Some(None),
                            _ => None,
                        }
                        .ok_or_else(|| {
                            format!(
                                "invalid level for `{name}`: expected one of off, hint, information, warning, error"
                            )
                        })?;
                        config.rules.insert(name.clone(), parsed);
                    }
                }
                "format" => {
                    let fmt = v.as_table().ok_or("[format] must be a table")?;
                    for (key, val) in fmt {
                        match key.as_str() {
                            "indent_width" => {
                                config.format.indent_width = val
                                    .as_integer()
                                    .and_then(|i| usize::try_from(i).ok())
                                    .filter(|&i| i <= 16)
                                    .ok_or(
                                        "format.indent_width must be an integer between 0 and 16",
                                    )?;
                            }
                            "keyword_case" => {
                                config.format.keyword_case = val
                                    .as_str()
                                    .and_then(KeywordCase::parse)
                                    .ok_or("format.keyword_case must be \"upper\", \"lower\" or \"dominant\"")?;
                            }
                            "blank_lines_between_stages" => {
                                config.format.blank_lines_between_stages = val
                                    .as_integer()
                                    .and_then(|i| usize::try_from(i).ok())
                                    .filter(|&i| i <= 8)
                                    .ok_or("format.blank_lines_between_stages must be an integer between 0 and 8")?;
                            }
                            other => return Err(format!("unknown key `{other}` in [format]")),
                        }
                    }
                }
                other => return Err(format!("unknown section `{other}`")),
            }
        }
        Ok(config)
    }

    /// The client's `dockerfile-ls` settings (`{"rules": {...}, "format": {...}}`).
    /// Entries that do not make sense are ignored.
    pub fn from_json(value: &serde_json::Value) -> Config {
        let mut config = Config::default();
        if let Some(rules) = value.get("rules").and_then(|r| r.as_object()) {
            for (name, level) in rules {
                let parsed = match level {
                    serde_json::Value::String(s) => parse_level(s),
                    serde_json::Value::Bool(false) => Some(None),
                    _ => None,
                };
                if let Some(l) = parsed {
                    config.rules.insert(name.clone(), l);
                }
            }
        }
        if let Some(fmt) = value.get("format").and_then(|f| f.as_object()) {
            let int = |k: &str| {
                fmt.get(k)
                    .and_then(|v| v.as_u64())
                    .and_then(|v| usize::try_from(v).ok())
            };
            if let Some(w) = int("indent_width")
                .or_else(|| int("indentWidth"))
                .filter(|&w| w <= 16)
            {
                config.format.indent_width = w;
            }
            if let Some(c) = fmt
                .get("keyword_case")
                .or_else(|| fmt.get("keywordCase"))
                .and_then(|v| v.as_str())
                .and_then(KeywordCase::parse)
            {
                config.format.keyword_case = c;
            }
            if let Some(b) = int("blank_lines_between_stages")
                .or_else(|| int("blankLinesBetweenStages"))
                .filter(|&b| b <= 8)
            {
                config.format.blank_lines_between_stages = b;
            }
        }
        config
    }

    /// The `.dockerfile-ls.toml` that applies to the Dockerfile at `path`: the first one
    /// found walking up from its directory.
    pub fn discover(path: &Path) -> Option<PathBuf> {
        let start = if path.is_dir() {
            Some(path)
        } else {
            path.parent()
        };
        let mut dir = start.map(|d| {
            if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            }
        });
        while let Some(d) = dir {
            let candidate = d.join(FILE_NAME);
            if candidate.is_file() {
                return Some(candidate);
            }
            dir = d.parent();
        }
        None
    }

    /// `self` with `overlay` on top: rule levels from `overlay` win; format options that
    /// `overlay` changes from the defaults win.
    pub fn merge(&self, overlay: &Config) -> Config {
        let mut out = self.clone();
        for (k, v) in &overlay.rules {
            out.rules.insert(k.clone(), *v);
        }
        let d = FormatOptions::default();
        if overlay.format.indent_width != d.indent_width {
            out.format.indent_width = overlay.format.indent_width;
        }
        if overlay.format.keyword_case != d.keyword_case {
            out.format.keyword_case = overlay.format.keyword_case;
        }
        if overlay.format.blank_lines_between_stages != d.blank_lines_between_stages {
            out.format.blank_lines_between_stages = overlay.format.blank_lines_between_stages;
        }
        out
    }

    /// The configured level of `rule` (by id, then by alias), if any.
    pub fn level_of(&self, rule: &crate::rules::Rule) -> Option<Level> {
        if self.rules.is_empty() {
            return None;
        }
        if let Some(l) = self.rules.get(rule.id) {
            return Some(*l);
        }
        self.rules
            .iter()
            .find(|(k, _)| {
                k.eq_ignore_ascii_case(rule.id)
                    || rule.aliases.iter().any(|a| a.eq_ignore_ascii_case(k))
            })
            .map(|(_, l)| *l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml() {
        let c = Config::from_toml_str(
            "[rules]\nUndefinedVar = \"error\"\nDL4000 = \"off\"\nStageNameCasing = \"info\"\n\n[format]\nindent_width = 2\nkeyword_case = \"lower\"\nblank_lines_between_stages = 2\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.rules.get("UndefinedVar"), Some(&Some(Severity::Error)));
        assert_eq!(c.rules.get("DL4000"), Some(&None));
        assert_eq!(c.rules.get("StageNameCasing"), Some(&Some(Severity::Info)));
        assert_eq!(c.format.indent_width, 2);
        assert_eq!(c.format.keyword_case, KeywordCase::Lower);
        assert_eq!(c.format.blank_lines_between_stages, 2);
        assert!(Config::from_toml_str("[rules]\nNoSuchRule = \"warning\"\n").is_err());
        assert!(Config::from_toml_str("[rules]\nUndefinedVar = \"loud\"\n").is_err());
        assert!(Config::from_toml_str("[format]\nkeyword_case = \"title\"\n").is_err());
        assert!(Config::from_toml_str("not toml [").is_err());
    }

    #[test]
    fn json_and_merge() {
        let v = serde_json::json!({"rules": {"UndefinedVar": "off", "X": 3}, "format": {"indent_width": 2}});
        let c = Config::from_json(&v);
        assert_eq!(c.rules.get("UndefinedVar"), Some(&None));
        assert!(!c.rules.contains_key("X"));
        assert_eq!(c.format.indent_width, 2);
        let base = Config::from_toml_str("[rules]\nUndefinedVar = \"error\"\nFromAsCasing = \"hint\"\n[format]\nkeyword_case = \"upper\"\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let m = base.merge(&c);
        assert_eq!(m.rules.get("UndefinedVar"), Some(&None));
        assert_eq!(m.rules.get("FromAsCasing"), Some(&Some(Severity::Hint)));
        assert_eq!(m.format.indent_width, 2);
        assert_eq!(m.format.keyword_case, KeywordCase::Upper);
    }
}
