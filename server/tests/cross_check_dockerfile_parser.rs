//! Cross-check of our model's instruction list against the `dockerfile-parser` crate
//! (a dev-dependency only: it cannot parse heredocs, `# escape=` or `RUN --mount`).
//! On every corpus file it parses, both must list the same instructions (keyword and
//! start offset) in the same order. Files it rejects are skipped, but at least some
//! must be compared.

use dockerfile_parser::{Dockerfile, Instruction};
use std::path::Path;

fn keyword(ins: &Instruction) -> String {
    match ins {
        Instruction::From(_) => "FROM".into(),
        Instruction::Arg(_) => "ARG".into(),
        Instruction::Label(_) => "LABEL".into(),
        Instruction::Run(_) => "RUN".into(),
        Instruction::Entrypoint(_) => "ENTRYPOINT".into(),
        Instruction::Cmd(_) => "CMD".into(),
        Instruction::Copy(_) => "COPY".into(),
        Instruction::Env(_) => "ENV".into(),
        Instruction::Misc(m) => m.instruction.content.to_ascii_uppercase(),
    }
}

#[test]
fn instruction_lists_agree_on_files_both_parse() {
    let dirs = ["corpus/real", "bench"];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let (mut compared, mut skipped) = (0, 0);
    let mut mismatches = Vec::new();
    for dir in dirs {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.is_file()
                    && p.file_name()
                        .is_some_and(|n| n.to_string_lossy().contains("Dockerfile"))
            })
            .collect();
        paths.sort();
        for path in paths {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Ok(theirs) = Dockerfile::parse(&text) else {
                skipped += 1;
                continue;
            };
            compared += 1;
            let theirs: Vec<(String, usize)> = theirs
                .instructions
                .iter()
                .map(|i| (keyword(i), i.span().start))
                .collect();
            let model = dockerfile_ls::model::build(&text);
            let ours: Vec<(String, usize)> = model
                .instructions
                .iter()
                .map(|i| {
                    (
                        i.keyword.to_ascii_uppercase().to_string(),
                        i.keyword_span.start,
                    )
                })
                .collect();
            if ours != theirs {
                let first = ours
                    .iter()
                    .zip(&theirs)
                    .position(|(a, b)| a != b)
                    .unwrap_or(ours.len().min(theirs.len()));
                mismatches.push(format!(
                    "{}: first difference at instruction {first}: ours {:?}, theirs {:?} ({} vs {} instructions)",
                    path.display(),
                    ours.get(first),
                    theirs.get(first),
                    ours.len(),
                    theirs.len()
                ));
            }
        }
    }
    eprintln!("compared {compared} files, skipped {skipped} that dockerfile-parser rejects");
    assert!(compared >= 10, "only {compared} files compared");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
