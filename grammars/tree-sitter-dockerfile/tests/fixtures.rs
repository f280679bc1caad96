//! Every real-world Dockerfile and every BuildKit parser case that BuildKit accepts
//! parses with no ERROR and no MISSING node.

use std::fs;
use std::path::{Path, PathBuf};

use tree_sitter::{Node, Parser, Tree};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn parse(text: &[u8]) -> Tree {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_dockerfile::LANGUAGE.into())
        .expect("grammar ABI is supported by the runtime");
    parser.parse(text, None).expect("parse returns a tree")
}

/// `file:line:column kind` of every ERROR and MISSING node.
fn problems(path: &Path, tree: &Tree) -> Vec<String> {
    fn walk(node: Node, path: &Path, out: &mut Vec<String>) {
        if node.is_error() || node.is_missing() {
            let p = node.start_position();
            let what = if node.is_missing() {
                format!("MISSING {}", node.kind())
            } else {
                "ERROR".to_string()
            };
            out.push(format!(
                "{}:{}:{}: {what}",
                path.display(),
                p.row + 1,
                p.column + 1
            ));
        }
        if node.has_error() {
            let mut cursor = node.walk();
            for child in node.children(&mut cursor) {
                walk(child, path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(tree.root_node(), path, &mut out);
    out
}

fn assert_clean(files: &[PathBuf]) {
    assert!(!files.is_empty(), "no fixture files found");
    let mut all = Vec::new();
    for file in files {
        let text = fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let tree = parse(&text);
        assert_eq!(
            tree.root_node().end_byte(),
            text.len(),
            "{}: the tree does not cover the file",
            file.display()
        );
        all.extend(problems(file, &tree));
    }
    assert!(all.is_empty(), "syntax errors:\n{}", all.join("\n"));
}

fn case_dockerfiles(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("Dockerfile"))
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn real_corpus_parses_without_errors() {
    let dir = fixtures().join("corpus/real");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .filter(|path| path.file_name().is_some_and(|name| name != "SOURCES.md"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 60,
        "expected the real corpus, found {} files",
        files.len()
    );
    assert_clean(&files);
}

#[test]
fn buildkit_parser_cases_parse_without_errors() {
    // Every case under buildkit-parser/ is one BuildKit's parser accepts (it has a dump).
    let files = case_dockerfiles(&fixtures().join("buildkit-parser"));
    assert!(
        files.len() >= 30,
        "expected the BuildKit cases, found {}",
        files.len()
    );
    assert_clean(&files);
}

#[test]
fn buildkit_check_cases_parse_without_errors() {
    assert_clean(&case_dockerfiles(&fixtures().join("buildkit-checks")));
}

#[test]
fn bench_inputs_parse_without_errors() {
    let dir = fixtures().join("bench");
    assert_clean(&[dir.join("Dockerfile.big"), dir.join("Dockerfile.node")]);
}

#[test]
fn buildkit_negative_cases() {
    let dir = fixtures().join("buildkit-parser-negative");
    // `ENV PATH` (no value) is a parse error for BuildKit and for the grammar.
    let text = fs::read(dir.join("env_no_value/Dockerfile")).expect("env_no_value");
    assert!(parse(&text).root_node().has_error());
    // The other negative cases are rejected for reasons that are not syntax (no
    // instructions, a JSON array that is not all strings): the tree stays whole.
    for case in ["empty_dockerfile", "only_comments", "shykes-nested-json"] {
        let path = dir.join(case).join("Dockerfile");
        let text = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let tree = parse(&text);
        assert_eq!(problems(&path, &tree), Vec::<String>::new());
    }
}

#[test]
fn instruction_line_ranges_match_buildkit() {
    // buildkit-parser-lineinfo/testfile-line/expected.json: 1-based inclusive ranges
    // [5,5], [11,12], [17,31]; empty continuation lines count towards the range.
    let path = fixtures().join("buildkit-parser-lineinfo/testfile-line/Dockerfile");
    let text = fs::read(&path).expect("lineinfo fixture");
    let tree = parse(&text);
    let root = tree.root_node();
    let mut cursor = root.walk();
    let ranges: Vec<(usize, usize)> = root
        .named_children(&mut cursor)
        .filter(|node| node.kind().ends_with("_instruction"))
        .map(|node| (node.start_position().row + 1, node.end_position().row + 1))
        .collect();
    assert_eq!(ranges, vec![(5, 5), (11, 12), (17, 31)]);
}
