//! Building a file's `CheckOptions`: its `.dockerfile-ls.toml`, its `.dockerignore`, build
//! args. Shared by `check` and by the language server.
//!
//! The configuration API (`Config::discover`, `Config::from_toml_str`, `Config::from_json`)
//! belongs to the rules engine; every call to it goes through the small functions at the
//! top of this file.

use crate::config::Config;
use crate::rules::CheckOptions;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Name of the configuration file, looked for in the file's directory and its parents.
pub const CONFIG_FILE: &str = ".dockerfile-ls.toml";

/// The `.dockerfile-ls.toml` that applies to `path` (a Dockerfile), if any.
pub fn discover_config(path: &Path) -> Option<PathBuf> {
    Config::discover(path)
}

/// Parse a configuration file's text.
pub fn parse_config(text: &str) -> Result<Config, String> {
    Config::from_toml_str(text)
}

/// The client's `dockerfile-ls` settings section as a configuration.
pub fn config_from_settings(settings: &Value) -> Config {
    Config::from_json(settings)
}

/// Read and parse the configuration file at `path`.
pub fn load_config(path: &Path) -> Result<Config, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_config(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The ignore file BuildKit would read for a Dockerfile whose context is its own
/// directory: `<name>.dockerignore` beside it, else `.dockerignore`.
pub fn read_dockerignore(dockerfile: &Path) -> Option<String> {
    let dir = dockerfile.parent()?;
    let name = dockerfile.file_name()?.to_str()?;
    let specific = dir.join(format!("{name}.dockerignore"));
    std::fs::read_to_string(specific)
        .ok()
        .or_else(|| std::fs::read_to_string(dir.join(".dockerignore")).ok())
}

/// `KEY=VALUE` (a bare `KEY` gives an empty value, as `docker build --build-arg KEY` takes
/// it from the environment; we do not).
pub fn parse_build_arg(arg: &str) -> Result<(String, String), String> {
    let (k, v) = arg.split_once('=').unwrap_or((arg, ""));
    if k.is_empty() {
        return Err(format!("invalid build arg {arg:?}: expected KEY=VALUE"));
    }
    Ok((k.to_string(), v.to_string()))
}

/// Options for one file: `base` (the client's settings, or defaults) with the file's
/// `.dockerfile-ls.toml` on top. A configuration file that cannot be read or parsed is
/// reported in the returned warnings and `base` alone is used.
pub fn options_for(
    path: Option<&Path>,
    base: &Config,
    build_args: &[(String, String)],
) -> (CheckOptions, Vec<String>) {
    let mut warnings = Vec::new();
    let mut config = base.clone();
    if let Some(file) = path.and_then(discover_config) {
        match load_config(&file) {
            Ok(c) => config = base.merge(&c),
            Err(e) => warnings.push(e),
        }
    }
    let on_disk = path
        .and_then(Path::parent)
        .is_some_and(|d| d.as_os_str().is_empty() || d.is_dir());
    let dockerignore = path.and_then(read_dockerignore);
    let options = CheckOptions {
        config,
        build_args: build_args.to_vec(),
        dockerignore,
        on_disk,
        ..CheckOptions::default()
    };
    (options, warnings)
}
