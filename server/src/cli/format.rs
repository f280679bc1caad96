//! `dockerfile-ls format`: format Dockerfiles in place.
//!
//! Exit status: 0 when every input was formatted (or, with `--check`, is already
//! formatted); 1 with `--check` when some input would change; 2 on a usage error or when
//! some input could not be read or written (the other inputs are still processed).

use super::options::options_for;
use super::walk::{collect_inputs, Input};
use super::{EXIT_FAILURE, EXIT_FINDINGS, EXIT_OK};
use crate::config::Config;
use crate::features::format::format_text;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Format Dockerfiles: keyword case, spacing, continuation indentation, blank lines.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write nothing: list the files that would change and exit with 1 if there are any.
    #[arg(long)]
    pub check: bool,
    /// Files or directories to format (`-` formats standard input to standard output).
    /// Directories are searched for Dockerfiles like `check` does. Default: the current
    /// directory.
    pub paths: Vec<PathBuf>,
}

pub fn run(args: Args) -> i32 {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let (inputs, mut errors) = collect_inputs(&paths);
    if inputs.iter().filter(|i| **i == Input::Stdin).count() > 1 {
        eprintln!("dockerfile-ls: `-` (standard input) given more than once");
        return EXIT_FAILURE;
    }
    let base = Config::default();
    let mut would_change = 0usize;
    for input in &inputs {
        match format_one(input, &base, args.check) {
            Ok(changed) => would_change += changed as usize,
            Err(e) => errors.push(e),
        }
    }
    for e in &errors {
        eprintln!("dockerfile-ls: error: {e}");
    }
    if inputs.is_empty() && errors.is_empty() {
        eprintln!("dockerfile-ls: no Dockerfiles found");
    }
    if !errors.is_empty() {
        EXIT_FAILURE
    } else if args.check && would_change > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// Format one input; `Ok(true)` when its text changes (or would, with `check`).
fn format_one(input: &Input, base: &Config, check: bool) -> Result<bool, String> {
    match input {
        Input::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("<stdin>: {e}"))?;
            let text = utf8("<stdin>", bytes)?;
            let formatted = format_with_config(&text, None, base);
            let changed = formatted != text;
            if check {
                if changed {
                    println!("-");
                }
            } else {
                let mut out = std::io::stdout().lock();
                out.write_all(formatted.as_bytes())
                    .and_then(|_| out.flush())
                    .map_err(|e| format!("<stdout>: {e}"))?;
            }
            Ok(changed)
        }
        Input::File(path) => {
            let name = path.display().to_string();
            let bytes = std::fs::read(path).map_err(|e| format!("{name}: {e}"))?;
            let text = utf8(&name, bytes)?;
            let formatted = format_with_config(&text, Some(path), base);
            let changed = formatted != text;
            if changed {
                if check {
                    println!("{name}");
                } else {
                    std::fs::write(path, formatted.as_bytes())
                        .map_err(|e| format!("{name}: {e}"))?;
                    eprintln!("dockerfile-ls: formatted {name}");
                }
            }
            Ok(changed)
        }
    }
}

fn utf8(name: &str, bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{name}: not valid UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Format with the options of the `.dockerfile-ls.toml` that applies to `path`.
fn format_with_config(text: &str, path: Option<&Path>, base: &Config) -> String {
    let (options, warnings) = options_for(path, base, &[]);
    for w in warnings {
        eprintln!("dockerfile-ls: warning: {w}");
    }
    format_text(text, &options.config.format)
}
