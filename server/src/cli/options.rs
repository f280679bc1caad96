//! Building a file's `CheckOptions`: its `.dockerfile-ls.toml`, its `.dockerignore`, build
//! args. Shared by `check` and by the language server.
//!
//! The configuration API (`Config::discover`, `Config::from_toml_str`, `Config::from_json`)
//! belongs to the rules engine; every call to it goes through the small functions at the
//! top of this file.

use crate::config::{read_small_file, resolves_inside, Config};
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
    Config::load(path)
}

/// The ignore file BuildKit would read for a Dockerfile whose context is its own
/// directory: `<name>.dockerignore` beside it, else `.dockerignore`. Only regular files of
/// at most [`MAX_FILE_SIZE`](crate::config::MAX_FILE_SIZE) bytes are read; one that is
/// not is reported as an error (and the next candidate is not tried: Docker would not fall
/// back either).
pub fn read_dockerignore(dockerfile: &Path) -> Result<Option<String>, String> {
    read_dockerignore_within(dockerfile, None)
}

/// [`read_dockerignore`], ignoring a file that is a link to outside `root`.
fn read_dockerignore_within(
    dockerfile: &Path,
    root: Option<&Path>,
) -> Result<Option<String>, String> {
    let Some((dir, name)) = dockerfile.parent().zip(dockerfile.file_name()) else {
        return Ok(None);
    };
    let mut specific = name.to_os_string();
    specific.push(".dockerignore");
    for candidate in [dir.join(specific), dir.join(".dockerignore")] {
        // Checked before opening: a file outside the workspace is never read.
        let outside = root.is_some_and(|r| candidate.exists() && !resolves_inside(&candidate, r));
        if outside {
            return Err(format!(
                "{}: leads outside the workspace; ignored",
                candidate.display()
            ));
        }
        match read_small_file(&candidate) {
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(format!("{}: {e}", candidate.display())),
            Ok(text) => return Ok(Some(text)),
        }
    }
    Ok(None)
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
/// `.dockerfile-ls.toml` on top. A configuration or ignore file that cannot be read or
/// parsed is reported in the returned warnings and left out. The configuration is searched
/// up to the file system root (the CLI); see [`options_in_workspace`] for the server.
pub fn options_for(
    path: Option<&Path>,
    base: &Config,
    build_args: &[(String, String)],
) -> (CheckOptions, Vec<String>) {
    options_with(path, None, base, build_args)
}

/// [`options_for`] for a language server with the given workspace folders: nothing outside
/// them is read. The configuration is searched up to the deepest folder holding the
/// document; for a document in no folder, only in its own directory. The ignore file is
/// read beside the document, unless it is a link leading out of that directory.
pub fn options_in_workspace(
    path: Option<&Path>,
    folders: &[PathBuf],
    base: &Config,
    build_args: &[(String, String)],
) -> (CheckOptions, Vec<String>) {
    let root = path.map(|p| workspace_root(p, folders));
    options_with(path, root.as_deref(), base, build_args)
}

/// The directory above which nothing is read for the document at `path`: the deepest
/// workspace folder holding it, else the document's own directory.
fn workspace_root(path: &Path, folders: &[PathBuf]) -> PathBuf {
    let folder = folders
        .iter()
        .filter(|f| path.starts_with(f))
        .max_by_key(|f| f.components().count());
    folder
        .map(PathBuf::as_path)
        .or_else(|| path.parent())
        .unwrap_or(path)
        .to_path_buf()
}

/// `root`: `None` reads without bound (CLI), else nothing outside `root`.
fn options_with(
    path: Option<&Path>,
    root: Option<&Path>,
    base: &Config,
    build_args: &[(String, String)],
) -> (CheckOptions, Vec<String>) {
    let mut warnings = Vec::new();
    let mut config = base.clone();
    if let Some(file) = path.and_then(|p| Config::discover_within(p, root)) {
        match load_config(&file) {
            Ok(c) => config = base.merge(&c),
            Err(e) => warnings.push(e),
        }
    }
    let on_disk = path
        .and_then(Path::parent)
        .is_some_and(|d| d.as_os_str().is_empty() || d.is_dir());
    let dockerignore = match path.map(|p| read_dockerignore_within(p, root)) {
        Some(Ok(text)) => text,
        Some(Err(e)) => {
            warnings.push(e);
            None
        }
        None => None,
    };
    let options = CheckOptions {
        config,
        build_args: build_args.to_vec(),
        dockerignore,
        on_disk,
        ..CheckOptions::default()
    };
    (options, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MAX_FILE_SIZE;
    use crate::rules::Severity;
    use std::fs;

    const ERROR_CONFIG: &str = "[rules]\nUndefinedVar = \"error\"\n";

    fn undefined_var(options: &CheckOptions) -> Option<Option<Severity>> {
        options.config.rules.get("UndefinedVar").copied()
    }

    #[test]
    fn config_above_the_workspace_folder_is_ignored() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let folder = tmp.path().join("ws");
        fs::create_dir_all(folder.join("app")).expect("mkdir");
        fs::write(tmp.path().join(CONFIG_FILE), ERROR_CONFIG).expect("write");
        let dockerfile = folder.join("app/Dockerfile");
        let base = Config::default();

        let (cli, _) = options_for(Some(&dockerfile), &base, &[]);
        assert_eq!(undefined_var(&cli), Some(Some(Severity::Error)));

        let folders = [folder.clone()];
        let (server, _) = options_in_workspace(Some(&dockerfile), &folders, &base, &[]);
        assert_eq!(
            undefined_var(&server),
            None,
            "read above the workspace folder"
        );

        // Inside the folder it is found.
        fs::write(folder.join(CONFIG_FILE), ERROR_CONFIG).expect("write");
        let (server, _) = options_in_workspace(Some(&dockerfile), &folders, &base, &[]);
        assert_eq!(undefined_var(&server), Some(Some(Severity::Error)));
    }

    #[test]
    fn document_outside_every_folder_reads_only_its_directory() {
        let tmp = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(tmp.path().join("loose")).expect("mkdir");
        fs::write(tmp.path().join(CONFIG_FILE), ERROR_CONFIG).expect("write");
        fs::write(tmp.path().join("loose/.dockerignore"), "secret\n").expect("write");
        let dockerfile = tmp.path().join("loose/Dockerfile");
        let folders = [tmp.path().join("elsewhere")];
        let (opts, warnings) =
            options_in_workspace(Some(&dockerfile), &folders, &Config::default(), &[]);
        assert_eq!(undefined_var(&opts), None);
        assert_eq!(opts.dockerignore.as_deref(), Some("secret\n"));
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[cfg(unix)]
    #[test]
    fn links_leading_out_of_the_workspace_are_not_followed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let folder = tmp.path().join("ws");
        fs::create_dir_all(&folder).expect("mkdir");
        fs::write(tmp.path().join("outside.toml"), ERROR_CONFIG).expect("write");
        fs::write(tmp.path().join("outside.ignore"), "x\n").expect("write");
        std::os::unix::fs::symlink(tmp.path().join("outside.toml"), folder.join(CONFIG_FILE))
            .expect("symlink");
        std::os::unix::fs::symlink(
            tmp.path().join("outside.ignore"),
            folder.join(".dockerignore"),
        )
        .expect("symlink");
        let dockerfile = folder.join("Dockerfile");
        let folders = [folder.clone()];
        let (opts, warnings) =
            options_in_workspace(Some(&dockerfile), &folders, &Config::default(), &[]);
        assert_eq!(undefined_var(&opts), None);
        assert_eq!(opts.dockerignore, None);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        // The CLI follows them.
        let (cli, _) = options_for(Some(&dockerfile), &Config::default(), &[]);
        assert_eq!(undefined_var(&cli), Some(Some(Severity::Error)));
        assert_eq!(cli.dockerignore.as_deref(), Some("x\n"));
    }

    /// The server's options for `dockerfile` (workspace: its directory) on another thread;
    /// panics if they have not come within 20 s.
    #[cfg(unix)]
    fn options_without_blocking(dockerfile: PathBuf) -> (CheckOptions, Vec<String>) {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let folders = dockerfile
                .parent()
                .map(Path::to_path_buf)
                .into_iter()
                .collect::<Vec<_>>();
            let base = Config::default();
            let _ = tx.send(options_in_workspace(
                Some(&dockerfile),
                &folders,
                &base,
                &[],
            ));
        });
        rx.recv_timeout(std::time::Duration::from_secs(20))
            .expect("reading the options blocked")
    }

    #[cfg(unix)]
    fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .expect("run mkfifo");
        assert!(status.success());
    }

    #[cfg(unix)]
    #[test]
    fn fifos_are_not_opened() {
        let tmp = tempfile::tempdir().expect("tempdir");
        mkfifo(&tmp.path().join(".dockerignore"));
        mkfifo(&tmp.path().join(CONFIG_FILE));
        let (opts, warnings) = options_without_blocking(tmp.path().join("Dockerfile"));
        assert_eq!(opts.dockerignore, None);
        assert_eq!(opts.config, Config::default());
        assert!(
            warnings.iter().any(|w| w.contains("not a regular file")),
            "{warnings:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_not_read() {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::os::unix::fs::symlink("/dev/zero", tmp.path().join(".dockerignore")).expect("symlink");
        let (tx, rx) = std::sync::mpsc::channel();
        let dockerfile = tmp.path().join("Dockerfile");
        std::thread::spawn(move || {
            let _ = tx.send(options_for(Some(&dockerfile), &Config::default(), &[]));
        });
        let (opts, warnings) = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("reading the options blocked");
        assert_eq!(opts.dockerignore, None);
        assert!(warnings[0].contains("not a regular file"), "{warnings:?}");
    }

    #[test]
    fn oversized_ignore_file_is_skipped_with_a_warning() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let big = "x\n".repeat(MAX_FILE_SIZE as usize / 2 + 1);
        fs::write(tmp.path().join("Dockerfile.dockerignore"), big).expect("write");
        let (opts, warnings) = options_for(
            Some(&tmp.path().join("Dockerfile")),
            &Config::default(),
            &[],
        );
        assert_eq!(opts.dockerignore, None);
        assert!(warnings[0].contains("limit"), "{warnings:?}");
    }
}
