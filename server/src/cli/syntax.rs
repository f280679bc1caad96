//! `dockerfile-ls syntax FILE`: the tree-sitter tree as an S-expression;
//! `dockerfile-ls syntax --buildkit FILE`: BuildKit's parser dump of the file (the format
//! of BuildKit's conformance `result` files), from the model.

use super::{EXIT_FAILURE, EXIT_FINDINGS, EXIT_OK};
use std::io::Read;
use std::path::PathBuf;

/// Print a file's syntax tree, or BuildKit's reading of it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print BuildKit's parser dump (one `(instruction "arg" ...)` line per instruction)
    /// instead of the tree-sitter tree.
    #[arg(long)]
    pub buildkit: bool,
    /// The Dockerfile (`-` reads standard input).
    pub file: PathBuf,
}

pub fn run(args: Args) -> i32 {
    let bytes = if args.file.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::stdin().lock().read_to_end(&mut b).map(|_| b)
    } else {
        std::fs::read(&args.file)
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => {
            eprintln!("dockerfile-ls: error: {}: {e}", args.file.display());
            return EXIT_FAILURE;
        }
    };
    let Ok(text) = String::from_utf8(bytes) else {
        eprintln!(
            "dockerfile-ls: error: {}: not valid UTF-8",
            args.file.display()
        );
        return EXIT_FAILURE;
    };
    if args.buildkit {
        match buildkit_dump(&text) {
            Ok(dump) => {
                // Exactly a conformance `result` file: the dump, ending with one newline
                // (`model::dump` already ends its text with it).
                if dump.ends_with('\n') {
                    print!("{dump}");
                } else {
                    println!("{dump}");
                }
                EXIT_OK
            }
            Err(message) => {
                eprintln!("dockerfile-ls: {}: {message}", args.file.display());
                EXIT_FINDINGS
            }
        }
    } else {
        let tree = crate::syntax::parse(&text, None);
        println!("{}", tree.root_node().to_sexp());
        EXIT_OK
    }
}

/// BuildKit's `Dump()` of the file, or its parse error.
fn buildkit_dump(text: &str) -> Result<String, String> {
    crate::model::dump(text)
}
