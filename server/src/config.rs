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
    /// found walking up from its directory, up to the file system root (the CLI).
    pub fn discover(path: &Path) -> Option<PathBuf> {
        Config::discover_within(path, None)
    }

    /// Like [`Config::discover`], but never above `root`: directories that are not inside
    /// `root` are not searched (the language server passes the workspace folder holding the
    /// document, so that nothing outside the workspace is read).
    pub fn discover_within(path: &Path, root: Option<&Path>) -> Option<PathBuf> {
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
            if root.is_some_and(|r| !d.starts_with(r)) {
                return None;
            }
            let candidate = d.join(FILE_NAME);
            if candidate.is_file() && root.is_none_or(|r| resolves_inside(&candidate, r)) {
                return Some(candidate);
            }
            dir = d.parent();
        }
        None
    }

    /// Read and parse the configuration file at `path` (see [`read_small_file`]).
    pub fn load(path: &Path) -> Result<Config, String> {
        let text = read_small_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Config::from_toml_str(&text).map_err(|e| format!("{}: {e}", path.display()))
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

/// Whether `path`, its symbolic links resolved, lies inside `root` (resolved too): a link
/// inside the workspace may point anywhere.
pub fn resolves_inside(path: &Path, root: &Path) -> bool {
    match (path.canonicalize(), root.canonicalize()) {
        (Ok(p), Ok(r)) => p.starts_with(r),
        _ => false,
    }
}

/// The largest configuration or ignore file read, in bytes: bigger ones are skipped with a
/// warning (a `.dockerignore` linked to a huge file must not stall the server).
pub const MAX_FILE_SIZE: u64 = 1024 * 1024;

/// Why [`read_small_file`] did not return a text.
#[derive(Debug)]
pub enum ReadError {
    /// A FIFO, socket, device or directory: never opened (a FIFO blocks the opener until a
    /// writer comes, a device may never end).
    NotRegular,
    /// Larger than [`MAX_FILE_SIZE`].
    TooLarge(u64),
    Io(std::io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotRegular => write!(f, "not a regular file; ignored"),
            ReadError::TooLarge(n) => {
                write!(f, "{n} bytes, over the {MAX_FILE_SIZE}-byte limit; ignored")
            }
            ReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl ReadError {
    /// The file is simply not there (no warning is due).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Read a configuration or ignore file, only if it is a regular file (after following
/// symbolic links) of at most [`MAX_FILE_SIZE`] bytes, as UTF-8.
pub fn read_small_file(path: &Path) -> Result<String, ReadError> {
    use std::io::Read;
    // Checked before opening: opening a FIFO for reading blocks.
    check_small_regular(&std::fs::metadata(path).map_err(ReadError::Io)?)?;
    let file = open_nonblocking(path).map_err(ReadError::Io)?;
    // Again on the open file, in case the path was replaced in between.
    check_small_regular(&file.metadata().map_err(ReadError::Io)?)?;
    let mut bytes = Vec::new();
    // `take`: the file may grow after the check.
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            e.utf8_error(),
        ))
    })
}

/// Open for reading; where the platform allows, without blocking even if the path has
/// become a FIFO since it was checked.
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

fn check_small_regular(meta: &std::fs::Metadata) -> Result<(), ReadError> {
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > MAX_FILE_SIZE {
        return Err(ReadError::TooLarge(meta.len()));
    }
    Ok(())
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

    #[test]
    fn discovery_stops_at_the_root() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("a");
        std::fs::create_dir_all(root.join("b/c")).expect("mkdir");
        std::fs::write(tmp.path().join(FILE_NAME), "").expect("write");
        let dockerfile = root.join("b/c/Dockerfile");
        assert_eq!(
            Config::discover(&dockerfile),
            Some(tmp.path().join(FILE_NAME))
        );
        assert_eq!(Config::discover_within(&dockerfile, Some(&root)), None);
        std::fs::write(root.join(FILE_NAME), "").expect("write");
        assert_eq!(
            Config::discover_within(&dockerfile, Some(&root)),
            Some(root.join(FILE_NAME))
        );
        // A root that does not hold the file: nothing is searched.
        assert_eq!(
            Config::discover_within(&dockerfile, Some(&tmp.path().join("z"))),
            None
        );
    }

    #[test]
    fn only_small_regular_files_are_read() {
        let tmp = tempfile::tempdir().expect("tempdir");
        assert!(matches!(
            read_small_file(tmp.path()),
            Err(ReadError::NotRegular)
        ));
        let missing = read_small_file(&tmp.path().join("none"));
        assert!(missing.is_err_and(|e| e.is_not_found()));
        let at_limit = tmp.path().join("at-limit");
        std::fs::write(&at_limit, vec![b'#'; MAX_FILE_SIZE as usize]).expect("write");
        assert_eq!(
            read_small_file(&at_limit).map(|t| t.len()).ok(),
            Some(MAX_FILE_SIZE as usize)
        );
        let over = tmp.path().join("over");
        std::fs::write(&over, vec![b'#'; MAX_FILE_SIZE as usize + 1]).expect("write");
        assert!(matches!(
            read_small_file(&over),
            Err(ReadError::TooLarge(_))
        ));
    }

    /// The check after opening, for a path that became a FIFO after the first check.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn a_fifo_opens_without_blocking_and_is_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let fifo = tmp.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.expect("mkfifo").success());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(open_nonblocking(&fifo).and_then(|f| f.metadata()));
        });
        let meta = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("opening a FIFO blocked")
            .expect("open");
        assert!(matches!(
            check_small_regular(&meta),
            Err(ReadError::NotRegular)
        ));
    }
}
