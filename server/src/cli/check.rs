//! `dockerfile-ls check`: lint files and directories.
//!
//! Exit status: 0 when every input was checked and no finding has error severity; 1 when
//! every input was checked and some finding has error severity; 2 on a usage error or
//! when some input could not be checked (missing, unreadable, not UTF-8): the other
//! inputs are still checked and reported, but the run is incomplete, which outranks
//! findings.

use super::options::{options_for, parse_build_arg};
use super::render::{self, Report, Style};
use super::walk::{collect_inputs, Input};
use super::{EXIT_FAILURE, EXIT_FINDINGS, EXIT_OK};
use crate::config::Config;
use crate::model::Model;
use crate::rules::Severity;
use rayon::prelude::*;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `path:line:col: severity[Rule]: message` with the source line underlined.
    Human,
    /// A JSON array of findings (see README).
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

/// Lint Dockerfiles.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// A build argument, as `docker build --build-arg` takes it (repeatable).
    #[arg(long = "build-arg", value_name = "KEY=VALUE", value_parser = parse_build_arg)]
    pub build_args: Vec<(String, String)>,
    /// Print how many files were checked, in how long, on how many threads (to stderr).
    #[arg(long)]
    pub stats: bool,
    /// Files or directories to check (`-` reads standard input). Directories are searched
    /// for Dockerfile, Containerfile, *.Dockerfile, *.dockerfile, Dockerfile.*,
    /// Containerfile.*, honouring .gitignore. Default: the current directory.
    pub paths: Vec<PathBuf>,
}

/// The outcome of checking one input: its report and the warnings about its
/// configuration, or why it could not be checked.
type Checked = Result<(Report, Vec<String>), String>;

pub fn run(args: Args) -> i32 {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let started = std::time::Instant::now();
    let (inputs, mut errors) = collect_inputs(&paths);
    if inputs.iter().filter(|i| **i == Input::Stdin).count() > 1 {
        eprintln!("dockerfile-ls: `-` (standard input) given more than once");
        return EXIT_FAILURE;
    }
    let base = Config::default();
    let build_args = args.build_args.clone();
    let checked: Vec<Checked> = if let [input] = inputs.as_slice() {
        // One input: on this thread (there is nothing to share out; the rules still use
        // the pool for files with many RUN scripts). The model is left to the process
        // exit: freeing a big file's model takes milliseconds for nothing.
        let checked = check_one(input, &base, &build_args);
        vec![checked.map(|(report, warnings, model)| {
            std::mem::forget(model);
            (report, warnings)
        })]
    } else {
        inputs
            .par_iter()
            .map(|input| {
                check_one(input, &base, &build_args).map(|(report, warnings, _)| (report, warnings))
            })
            .collect()
    };

    let mut reports = Vec::new();
    for c in checked {
        match c {
            Ok((report, warnings)) => {
                for w in warnings {
                    eprintln!("dockerfile-ls: warning: {w}");
                }
                reports.push(report);
            }
            Err(message) => errors.push(message),
        }
    }
    for e in &errors {
        eprintln!("dockerfile-ls: error: {e}");
    }
    if inputs.is_empty() && errors.is_empty() {
        eprintln!("dockerfile-ls: no Dockerfiles found");
    }

    let output = match args.format {
        Format::Human => render::human(&reports, Style { color: use_color() }),
        Format::Json => render::json(&reports),
        Format::Sarif => render::sarif(&reports),
    };
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(output.as_bytes())
        .and_then(|_| stdout.flush())
        .is_err()
    {
        return EXIT_FAILURE;
    }

    if args.stats {
        let threads = if inputs.len() == 1 {
            1
        } else {
            rayon::current_num_threads()
        };
        print_stats(&reports, started.elapsed(), threads);
    }
    if !errors.is_empty() {
        EXIT_FAILURE
    } else if reports
        .iter()
        .any(|r| r.findings.iter().any(|f| f.severity == Severity::Error))
    {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// Read and check one input. Only the model and the rules are needed (no syntax tree: the
/// rules read the model). The model is returned for the caller to free, or not.
fn check_one(
    input: &Input,
    base: &Config,
    build_args: &[(String, String)],
) -> Result<(Report, Vec<String>, Model), String> {
    let (name, path, bytes) = match input {
        Input::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("<stdin>: {e}"))?;
            ("-".to_string(), None, bytes)
        }
        Input::File(path) => {
            let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            (path.display().to_string(), Some(path), bytes)
        }
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{name}: not valid UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    let (mut options, warnings) = options_for(path.map(PathBuf::as_path), base, build_args);
    apply_environment(&mut options);
    let model = crate::model::build(&text);
    let findings = crate::rules::check(&model, &text, &options);
    Ok((Report::new(name, text, findings), warnings, model))
}

/// `--stats`: files, bytes, time and throughput of the run, on standard error.
fn print_stats(reports: &[Report], elapsed: std::time::Duration, threads: usize) {
    let bytes: usize = reports.iter().map(|r| r.text.len()).sum();
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        reports.len() as f64 / secs
    } else {
        0.0
    };
    eprintln!(
        "dockerfile-ls: checked {} file{} ({bytes} bytes) in {secs:.3} s: {rate:.0} files/s on {threads} thread{}",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        if threads == 1 { "" } else { "s" },
    );
}

/// What the environment adds to the options: `BUILDKIT_DOCKERFILE_CHECK` (BuildKit's
/// build-check settings, same syntax as the `# check=` directive, which it replaces).
fn apply_environment(options: &mut crate::rules::CheckOptions) {
    if let Ok(value) = std::env::var("BUILDKIT_DOCKERFILE_CHECK") {
        options.buildkit_check = Some(value);
    }
}

/// Colour only on a terminal, and not when `NO_COLOR` is set (to anything non-empty).
fn use_color() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::stdout().is_terminal()
}
