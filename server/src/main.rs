//! The `dockerfile-ls` binary: a language server over stdio (the default, or `--stdio`)
//! and a command-line linter. A subcommand is one `Command` variant here plus one file
//! in `cli/` with its `Args` and `run`.

use clap::{Parser, Subcommand};
use dockerfile_ls::{cli, lsp};

#[derive(Debug, Parser)]
#[command(
    name = "dockerfile-ls",
    version,
    about = "A language server and linter for Dockerfiles",
    long_about = "A language server and linter for Dockerfiles.\n\n\
                  Without a subcommand (or with --stdio) it serves the Language Server Protocol \
                  over standard input and output. Set DOCKERFILE_LS_LOG (e.g. `debug`) for logs \
                  on standard error."
)]
struct Cli {
    /// Serve the Language Server Protocol over standard input/output (the default).
    #[arg(long)]
    stdio: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    Check(cli::check::Args),
    Fix(cli::fix::Args),
    Format(cli::format::Args),
    Syntax(cli::syntax::Args),
    Rules(cli::rules::RulesArgs),
    Explain(cli::rules::ExplainArgs),
}

fn main() {
    init_tracing();
    let args = Cli::parse();
    let code = match args.command {
        None => {
            one_malloc_arena();
            lsp::run_stdio()
        }
        Some(Command::Check(a)) => cli::check::run(a),
        Some(Command::Fix(a)) => cli::fix::run(a),
        Some(Command::Format(a)) => cli::format::run(a),
        Some(Command::Syntax(a)) => cli::syntax::run(a),
        Some(Command::Rules(a)) => cli::rules::run_rules(a),
        Some(Command::Explain(a)) => cli::rules::run_explain(a),
    };
    std::process::exit(code);
}

/// The server allocates on several threads (tokio's workers answer requests, its blocking
/// threads analyse), and glibc gives each such thread an arena of its own that keeps what is
/// freed in it: every thread that once built a snapshot or a large response held megabytes
/// of free memory. One arena lets every thread reuse it (peak resident memory on the
/// 5,000-line stress file under lspbench: 74 → 49 MB at 4fd6f33, 40 → 36 MB at ad5431d
/// once the pipeline allocated less). Without fastbins, small blocks
/// freed by one thread are merged as they are freed instead of in bulk (`malloc_consolidate`)
/// by the next large allocation of the analysing thread, which kept one arena from slowing
/// the edits. Called before the runtime starts any thread.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn one_malloc_arena() {
    // SAFETY: mallopt only sets allocator parameters; no other thread allocates yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_MXFAST, 0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn one_malloc_arena() {}

/// Logs go to standard error (standard output carries the protocol), at the level or
/// filter given by `DOCKERFILE_LS_LOG` (default `warn`).
fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("DOCKERFILE_LS_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
