//! `dockerfile-ls fix`: apply every safe quick fix, or split a single-stage file into
//! deps / builder / runner stages (`--split-stages`).
//!
//! Prints the result (default), writes it back (`--write`) or prints a unified diff
//! (`--diff`). Exit status: 0 when done (also when there was nothing to fix); 1 when
//! `--split-stages` does not apply to an input (it is printed unchanged); 2 on a usage error
//! or when an input cannot be read or written.

use super::options::options_for;
use super::{EXIT_FAILURE, EXIT_FINDINGS, EXIT_OK};
use crate::config::Config;
use crate::features::code_actions::{fix_all, split};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Apply the safe quick fixes, or split into deps / builder / runner stages.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rewrite a single-stage Dockerfile as deps, builder and runner stages.
    #[arg(long)]
    pub split_stages: bool,
    /// With --split-stages: use a distroless runner (Node).
    #[arg(long, requires = "split_stages")]
    pub distroless: bool,
    /// Write the result back to the file instead of printing it.
    #[arg(long, conflicts_with = "diff")]
    pub write: bool,
    /// Print a unified diff of the changes instead of the result.
    #[arg(long)]
    pub diff: bool,
    /// Dockerfiles to fix (`-` reads standard input).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

pub fn run(args: Args) -> i32 {
    let stdin_count = args.paths.iter().filter(|p| p.as_os_str() == "-").count();
    if stdin_count > 1 {
        eprintln!("dockerfile-ls: `-` (standard input) given more than once");
        return EXIT_FAILURE;
    }
    if args.write && stdin_count > 0 {
        eprintln!("dockerfile-ls: --write cannot write back to standard input");
        return EXIT_FAILURE;
    }
    if args.paths.len() > 1 && !args.write && !args.diff {
        eprintln!("dockerfile-ls: several files: use --write or --diff");
        return EXIT_FAILURE;
    }
    let mut status = EXIT_OK;
    for path in &args.paths {
        match fix_one(path, &args) {
            Ok(true) => {}
            Ok(false) => status = status.max(EXIT_FINDINGS),
            Err(e) => {
                eprintln!("dockerfile-ls: error: {e}");
                status = EXIT_FAILURE;
            }
        }
    }
    status
}

/// Fix one input; `Ok(false)` when the split was asked for and does not apply.
fn fix_one(path: &Path, args: &Args) -> Result<bool, String> {
    let is_stdin = path.as_os_str() == "-";
    let name = if is_stdin {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let bytes = if is_stdin {
        let mut b = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut b)
            .map_err(|e| format!("{name}: {e}"))?;
        b
    } else {
        std::fs::read(path).map_err(|e| format!("{name}: {e}"))?
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{name}: not valid UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    let (options, warnings) = options_for((!is_stdin).then_some(path), &Config::default(), &[]);
    for w in warnings {
        eprintln!("dockerfile-ls: warning: {w}");
    }
    let mut applied = true;
    let fixed = if args.split_stages {
        let variant = if args.distroless {
            split::Variant::Distroless
        } else {
            split::Variant::Standard
        };
        let model = crate::model::build(&text);
        match split::split(&model, &text, variant) {
            Some(out) => out,
            None => {
                eprintln!("dockerfile-ls: {name}: {}", why_no_split(&model, variant));
                applied = false;
                text.clone()
            }
        }
    } else {
        fix_all(&text, &options)
    };
    if args.diff {
        let diff = similar::TextDiff::from_lines(&text, &fixed);
        let out = diff
            .unified_diff()
            .context_radius(3)
            .header(&diff_name("a", &name), &diff_name("b", &name))
            .to_string();
        print_out(&out)?;
    } else if args.write {
        if fixed != text {
            std::fs::write(path, fixed.as_bytes()).map_err(|e| format!("{name}: {e}"))?;
            eprintln!("dockerfile-ls: fixed {name}");
        }
    } else {
        print_out(&fixed)?;
    }
    Ok(applied)
}

/// `a/Dockerfile`, or `a/tmp/Dockerfile` for an absolute path.
fn diff_name(side: &str, name: &str) -> String {
    format!("{side}/{}", name.trim_start_matches('/'))
}

fn print_out(s: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| format!("<stdout>: {e}"))
}

fn why_no_split(model: &crate::model::Model, variant: split::Variant) -> &'static str {
    if !model.errors.is_empty() {
        "cannot split: the file does not parse"
    } else if model.stages.len() > 1 {
        "cannot split: the file already has several stages"
    } else if model.stages.is_empty() {
        "cannot split: no FROM"
    } else if variant == split::Variant::Distroless {
        "no distroless split: needs a Node app whose CMD runs `node` (exec form) on a Debian-based node:18/20/22 image, without system packages"
    } else {
        "cannot split: no dependency install found (npm, yarn, pnpm, pip, poetry, uv, go, bundle, cargo install, make install, …) or no absolute WORKDIR"
    }
}
