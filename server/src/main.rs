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
            dockerfile_ls::malloc::tune_for_server();
            dockerfile_ls::malloc::tree_sitter_on_mimalloc();
            dockerfile_ls::threads::start_pool();
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
