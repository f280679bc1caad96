//! Which files `check` looks at: explicit paths as given, directories walked for
//! Dockerfiles (honouring `.gitignore`, `.ignore` and hidden-file conventions).

use std::path::{Path, PathBuf};

/// Whether a file name looks like a Dockerfile: `Dockerfile`, `Containerfile`,
/// `*.Dockerfile`, `*.dockerfile`, `Dockerfile.*`, `Containerfile.*` (but not the
/// `Dockerfile.dockerignore` ignore files).
pub fn is_dockerfile_name(name: &str) -> bool {
    if name.ends_with(".dockerignore") {
        return false;
    }
    name == "Dockerfile"
        || name == "Containerfile"
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
        || name.starts_with("Dockerfile.")
        || name.starts_with("Containerfile.")
}

/// One input of `check`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    File(PathBuf),
    Stdin,
}

/// Expand the command-line paths into inputs, in order. Problems (a path that does not
/// exist, an unreadable directory) are returned as messages; the rest is still listed.
pub fn collect_inputs(paths: &[PathBuf]) -> (Vec<Input>, Vec<String>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if path.is_dir() {
            walk_dir(path, &mut inputs, &mut errors);
        } else if path.exists() {
            inputs.push(Input::File(path.clone()));
        } else {
            errors.push(format!("{}: no such file or directory", path.display()));
        }
    }
    (inputs, errors)
}

fn walk_dir(dir: &Path, inputs: &mut Vec<Input>, errors: &mut Vec<String>) {
    let walker = ignore::WalkBuilder::new(dir)
        // .gitignore applies even outside a git repository.
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry
                    .file_type()
                    .is_some_and(|t| t.is_file() || t.is_symlink());
                let name_ok = entry.file_name().to_str().is_some_and(is_dockerfile_name);
                if is_file && name_ok && entry.path().is_file() {
                    inputs.push(Input::File(entry.into_path()));
                }
            }
            Err(err) => errors.push(err.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for yes in [
            "Dockerfile",
            "Containerfile",
            "app.Dockerfile",
            "x.dockerfile",
            "Dockerfile.dev",
            "Containerfile.prod",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "Dockerfile.dockerignore",
            "dockerfile.txt",
            "README.md",
            "Makefile",
            ".dockerignore",
            "Dockerfilex",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }
}
