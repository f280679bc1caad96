//! Bad input never panics, hangs or loses text: NUL bytes, invalid UTF-8, huge files,
//! huge lines, unterminated heredocs, unbalanced quotes and brackets.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use tree_sitter::Parser;

/// Parses `text` on another thread and fails if that takes longer than `limit`.
fn parse_within(name: &str, text: Vec<u8>, limit: Duration) -> bool {
    let (tx, rx) = mpsc::channel();
    let len = text.len();
    thread::spawn(move || {
        let mut parser = Parser::new();
        parser
            .set_language(&tree_sitter_dockerfile::LANGUAGE.into())
            .expect("grammar ABI is supported by the runtime");
        let tree = parser.parse(&text, None).expect("parse returns a tree");
        let root = tree.root_node();
        // Re-parse with the old tree too: the incremental path must cope as well.
        let again = parser.parse(&text, Some(&tree)).expect("re-parse");
        let _ = tx.send((
            root.start_byte(),
            root.end_byte(),
            root.has_error(),
            again.root_node().end_byte(),
        ));
    });
    match rx.recv_timeout(limit) {
        Ok((start, end, has_error, end_again)) => {
            assert!(
                start <= end && end <= len,
                "{name}: root {start}..{end} of {len}"
            );
            assert_eq!(end, end_again, "{name}: re-parse covers different text");
            has_error
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name}: parsing took over {limit:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{name}: the parser panicked"),
    }
}

const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn nul_bytes() {
    parse_within(
        "NUL",
        b"FROM a\0b\nRUN \0\0\n\0\nENV A=\0 B=\"\0\"\n\0".to_vec(),
        LIMIT,
    );
    parse_within("only NUL", vec![0; 4096], LIMIT);
}

#[test]
fn invalid_utf8() {
    let mut bytes = Vec::new();
    for i in 0..20_000u32 {
        bytes.push((i.wrapping_mul(2_654_435_761) >> 13) as u8);
        if i % 97 == 0 {
            bytes.extend_from_slice(b"\nRUN \xff\xfe <<\xc3\n");
        }
    }
    parse_within("raw invalid UTF-8", bytes.clone(), LIMIT);
    let lossy = String::from_utf8_lossy(&bytes).into_owned();
    parse_within("lossy UTF-8", lossy.into_bytes(), LIMIT);
    parse_within(
        "truncated sequence",
        b"FROM a\nRUN echo \xe2\x82".to_vec(),
        LIMIT,
    );
}

#[test]
fn five_megabyte_file() {
    let big = include_str!("../../../tests/fixtures/bench/Dockerfile.big");
    let mut text = Vec::with_capacity(5_300_000);
    while text.len() < 5_000_000 {
        text.extend_from_slice(big.as_bytes());
    }
    assert!(!parse_within("5 MB", text, Duration::from_secs(120)));
}

#[test]
fn one_megabyte_lines() {
    let long = "a".repeat(1 << 20);
    let cases = [
        format!("RUN echo {long}\n"),
        format!("ENV A={long}\n"),
        format!("COPY {long} /x\n"),
        format!("FROM {long}\n"),
        format!("# {long}\n"),
        format!("LABEL a=\"{long}\n"),
        format!("CMD [\"{long}\"]\n"),
        format!("RUN <<{long}\nbody\n"),
        format!("{long}\n"),
        "\\\n".repeat(1 << 19),
        "$".repeat(1 << 20),
        "[".repeat(1 << 20),
    ];
    for (i, text) in cases.into_iter().enumerate() {
        parse_within(&format!("long line {i}"), text.into_bytes(), LIMIT);
    }
}

#[test]
fn unterminated_heredocs() {
    for text in [
        "RUN <<EOF\n",
        "RUN <<EOF",
        "RUN <<EOF\nbody\nmore",
        "FROM a\nCOPY <<A <<B /x\na\nA\nb\n",
        "RUN <<-EOF\n\tbody\n\tEO",
        "RUN <<'EOF\nbody\n",
        "RUN << EOF\nbody\n",
        "RUN <<\nx\n",
        "RUN cat <<EOF <<EOF <<EOF <<EOF <<EOF <<EOF <<EOF <<EOF <<EOF <<EOF\nEOF\n",
    ] {
        parse_within(text, text.as_bytes().to_vec(), LIMIT);
    }
}

#[test]
fn unbalanced_quotes_and_brackets() {
    for text in [
        "ENV A=\"x\n",
        "ENV A='x\nRUN ok\n",
        "LABEL \"a=b\nFROM x\n",
        "CMD [\"a\", \"b\"\nRUN ok\n",
        "CMD [\"a\nRUN ok\n",
        "CMD ]]]\n",
        "ENV A=${B\nRUN ok\n",
        "ENV A=${B:-${C:-${D\n",
        "RUN echo \"unterminated \\\n  still\n",
        "COPY [\"a\", \n",
        "ARG A=\"\\\"\n",
        "FROM a:${\n",
        "RUN --mount=type=cache,target=\"/x\n",
    ] {
        parse_within(text, text.as_bytes().to_vec(), LIMIT);
    }
}

#[test]
fn a_broken_line_leaves_the_rest_parsed() {
    let text = "FROM alpine\nRUN echo one\nFROM a b c d e\nENV A=1\nRUN echo two\n";
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_dockerfile::LANGUAGE.into())
        .expect("language");
    let tree = parser.parse(text, None).expect("parse");
    let root = tree.root_node();
    assert!(root.has_error());
    let mut cursor = root.walk();
    let kinds: Vec<&str> = root
        .named_children(&mut cursor)
        .filter(|n| !n.is_error())
        .map(|n| n.kind())
        .collect();
    assert!(kinds.contains(&"env_instruction"), "{}", root.to_sexp());
    assert_eq!(
        kinds.iter().filter(|k| **k == "run_instruction").count(),
        2,
        "{}",
        root.to_sexp()
    );
}
