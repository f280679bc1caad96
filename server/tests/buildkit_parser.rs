//! The model judged by BuildKit's own parser test cases: the parse dump of every
//! `buildkit-parser` case byte for byte, rejection of every negative case, the line ranges of
//! `testfile-line`; plus the real corpus (no errors) and hostile input (no panic, every span
//! inside the text and on character boundaries).

use dockerfile_ls::model::{self, Details, Instruction, Model, Span};
use proptest::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn case_dirs(folder: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(fixtures().join(folder))
        .expect("fixture folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn read(p: &Path) -> String {
    let bytes = fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("{}: not UTF-8: {e}", p.display()))
}

/// A readable account of where two dumps differ.
fn diff(expected: &str, actual: &str) -> String {
    let mut out = String::new();
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    for k in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(k).copied(), a.get(k).copied());
        if x != y {
            out.push_str(&format!(
                "  line {}:\n    expected: {:?}\n    actual:   {:?}\n",
                k + 1,
                x,
                y
            ));
        }
    }
    if out.is_empty() {
        out = format!(
            "  (line ends differ) expected {:?}, actual {:?}\n",
            expected, actual
        );
    }
    out
}

#[test]
fn parse_cases_dump_exactly() {
    let dirs = case_dirs("buildkit-parser");
    assert_eq!(dirs.len(), 33, "expected the 33 upstream cases");
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        let text = read(&dir.join("Dockerfile"));
        let expected = read(&dir.join("result"));
        match model::dump(&text) {
            Ok(actual) if actual == expected => {}
            Ok(actual) => failures.push(format!("{name}:\n{}", diff(&expected, &actual))),
            Err(e) => failures.push(format!("{name}: rejected: {e}")),
        }
    }
    let passed = dirs.len() - failures.len();
    assert!(
        failures.is_empty(),
        "{passed}/{} cases match\n{}",
        dirs.len(),
        failures.join("\n")
    );
}

#[test]
fn negative_cases_are_rejected() {
    let dirs = case_dirs("buildkit-parser-negative");
    assert_eq!(dirs.len(), 4);
    for dir in dirs {
        let text = read(&dir.join("Dockerfile"));
        assert!(
            model::dump(&text).is_err(),
            "{} should be rejected",
            dir.display()
        );
        assert!(!model::build(&text).errors.is_empty());
    }
}

#[test]
fn line_ranges_match_buildkit() {
    let dir = fixtures().join("buildkit-parser-lineinfo/testfile-line");
    let text = read(&dir.join("Dockerfile"));
    let expected: serde_json::Value =
        serde_json::from_str(&read(&dir.join("expected.json"))).expect("json");
    let m = model::build(&text);
    assert!(m.errors.is_empty(), "{:?}", m.errors);
    let ranges = model::line_ranges(&m);
    let want: Vec<(usize, usize)> = expected["children"]
        .as_array()
        .expect("children")
        .iter()
        .map(|c| {
            (
                c[0].as_u64().unwrap_or(0) as usize,
                c[1].as_u64().unwrap_or(0) as usize,
            )
        })
        .collect();
    assert_eq!(ranges, want);
    let root = (
        expected["root"]["startLine"].as_u64().unwrap_or(0) as usize,
        expected["root"]["endLine"].as_u64().unwrap_or(0) as usize,
    );
    assert_eq!(
        (ranges.first().map(|r| r.0), ranges.last().map(|r| r.1)),
        (Some(root.0), Some(root.1))
    );
}

#[test]
fn real_corpus_builds_without_errors() {
    let dir = fixtures().join("corpus/real");
    let mut n = 0;
    for e in fs::read_dir(&dir).expect("corpus") {
        let p = e.expect("entry").path();
        if p.is_dir() || p.file_name().is_some_and(|f| f == "SOURCES.md") {
            continue;
        }
        let text = read(&p);
        let m = model::build(&text);
        assert!(m.errors.is_empty(), "{}: {:?}", p.display(), m.errors);
        assert!(!m.stages.is_empty(), "{}: no stages", p.display());
        check_spans(&text, &m);
        n += 1;
    }
    assert!(n >= 60, "only {n} corpus files");
}

fn check_span(text: &str, s: Span, what: &str) {
    assert!(
        s.start <= s.end && s.end <= text.len(),
        "{what}: {s:?} out of bounds (len {})",
        text.len()
    );
    assert!(
        text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
        "{what}: {s:?} not on a char boundary"
    );
}

fn check_instruction(text: &str, i: &Instruction) {
    check_span(text, i.span, "instruction");
    check_span(text, i.keyword_span, "keyword");
    check_span(text, i.rest.span, "rest");
    for w in &i.words {
        check_span(text, w.span, "word");
    }
    for f in &i.flags {
        check_span(text, f.span, "flag");
        check_span(text, f.name_span, "flag name");
        f.value_span
            .into_iter()
            .for_each(|s| check_span(text, s, "flag value"));
        for o in &f.options {
            check_span(text, o.span, "option");
            check_span(text, o.key_span, "option key");
            o.value_span
                .into_iter()
                .for_each(|s| check_span(text, s, "option value"));
        }
    }
    if let Some(j) = &i.json {
        check_span(text, j.span, "json");
        j.items
            .iter()
            .for_each(|w| check_span(text, w.span, "json item"));
    }
    for h in &i.heredocs {
        check_span(text, h.marker_span, "heredoc marker");
        check_span(text, h.body_span, "heredoc body");
        h.end_span
            .into_iter()
            .for_each(|s| check_span(text, s, "heredoc end"));
    }
    for c in &i.inner_comments {
        check_span(text, c.span, "inner comment");
    }
    match &i.details {
        Details::From {
            image,
            as_keyword,
            stage_name,
        } => {
            if let Some(img) = image {
                check_span(text, img.span, "image");
                check_span(text, img.name_span, "image name");
                img.tag_span
                    .into_iter()
                    .for_each(|s| check_span(text, s, "tag"));
                img.digest_span
                    .into_iter()
                    .for_each(|s| check_span(text, s, "digest"));
            }
            as_keyword
                .iter()
                .chain(stage_name.iter())
                .for_each(|w| check_span(text, w.span, "from word"));
        }
        Details::Pairs(p) => {
            for kv in p {
                check_span(text, kv.span, "pair");
                check_span(text, kv.key.span, "key");
                kv.value
                    .iter()
                    .for_each(|v| check_span(text, v.span, "value"));
            }
        }
        Details::Onbuild(inner) => check_instruction(text, inner),
        Details::Healthcheck { cmd, .. } => cmd
            .iter()
            .for_each(|w| check_span(text, w.span, "healthcheck")),
        Details::None => {}
    }
    assert!(i.start_line <= i.end_line);
}

/// Every span of the model lies inside `text` and on character boundaries.
fn check_spans(text: &str, m: &Model) {
    m.instructions
        .iter()
        .for_each(|i| check_instruction(text, i));
    m.directives.iter().for_each(|d| {
        check_span(text, d.span, "directive");
        check_span(text, d.name_span, "directive name");
        check_span(text, d.value_span, "directive value");
    });
    m.comments
        .iter()
        .for_each(|c| check_span(text, c.span, "comment"));
    m.stages
        .iter()
        .for_each(|s| check_span(text, s.span, "stage"));
    m.vars
        .iter()
        .for_each(|v| check_span(text, v.name_span, "var"));
    m.var_uses.iter().for_each(|u| {
        check_span(text, u.span, "use");
        check_span(text, u.name_span, "use name");
        assert!(u.def.is_none_or(|d| d < m.vars.len()));
    });
    m.stage_refs
        .iter()
        .for_each(|r| check_span(text, r.span, "stage ref"));
    m.errors
        .iter()
        .for_each(|e| check_span(text, e.span, "error"));
    // Queries at every offset must not panic either (sampled on long texts).
    let step = (text.len() / 12).max(1);
    for off in (0..=text.len()).step_by(step) {
        let _ = m.vars_in_scope(off);
        let _ = m.resolve("A", off, &[]);
        let _ = m.instruction_at(off);
        let _ = m.stage_at(off);
    }
    let _ = model::dump_model(m);
}

fn hostile(text: &str) {
    let m = model::build(text);
    check_spans(text, &m);
}

#[test]
fn hostile_inputs_do_not_panic() {
    let big_line = format!("FROM a\nRUN {}\n", "x".repeat(1 << 20));
    let cases: Vec<String> = vec![
        String::new(),
        "\0\0FROM\0a\0".into(),
        big_line,
        "FROM a\nRUN <<EOF\nno end".into(),
        "FROM a\nCOPY <<A <<B /x\nA\n".into(),
        "FROM a\nRUN echo \"unbalanced 'quotes\nCMD [\"a\", [\"b\"\nENV X=\"open".into(),
        "FROM a\nRUN x \\".into(),
        "\\".into(),
        "`".into(),
        "# escape=`\nFROM a `".into(),
        "FROM a\r\nRUN b \\\r\n  c\r\n\r\nENV A=1 \\\r\n\r\n  B=2\r\n".into(),
        "FROM a\rRUN b\r".into(),
        "\u{feff}\u{feff}FROM é\u{a0}ß AS ☃\nRUN ${é:-${ß}} $☃\n".into(),
        "FROM a\nRUN --mount=type=bind,\"from=x,y\",target=/a ls\n".into(),
        "FROM a\nCOPY --from= --chown=\"\" \"\" ''\n".into(),
        "ONBUILD ".repeat(10_000),
        format!("FROM a\nCMD {}", "[".repeat(100_000)),
        format!("FROM a\nRUN {}", "${A:-".repeat(10_000)),
        format!("FROM a\nENV {}", "\"".repeat(1001)),
        "FROM a\nHEALTHCHECK\u{a0}CMD x\nSTOPSIGNAL\nEXPOSE\n".into(),
        "FROM ${X:-a}:${Y/:/}@${Z}\n".into(),
        "ARG A=$A\nFROM $A\nARG A\nENV A=$A B=${A}\nRUN echo $A\n".into(),
    ];
    for c in &cases {
        hostile(c);
    }
}

proptest! {
    // XorShift: the default ChaCha generator dominates the run time in debug builds.
    #![proptest_config(ProptestConfig {
        cases: 512,
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    })]
    #[test]
    fn random_dockerfiles_do_not_panic(
        text in proptest::collection::vec(
            prop_oneof![
                Just("FROM "), Just("RUN "), Just("COPY "), Just("ENV "), Just("ARG "),
                Just("ONBUILD "), Just("HEALTHCHECK "), Just("CMD "), Just("LABEL "), Just("AS "),
                Just("--mount=type=cache,from=x,"), Just("--from="), Just("<<EOF"), Just("<<-'E'"),
                Just("EOF"), Just("\tE"), Just("# escape=`"), Just("# syntax=x"), Just("#"),
                Just("\\"), Just("`"), Just("\n"), Just("\r\n"), Just("\r"), Just(" "), Just("\t"),
                Just("\""), Just("'"), Just("["), Just("]"), Just(","), Just("="), Just("$"),
                Just("${"), Just("}"), Just(":-"), Just("a"), Just("é"), Just("☃"), Just("\u{a0}"),
                Just("\0"), Just("0"), Just("@sha256:"), Just(":"), Just("/"),
            ],
            0..60,
        ).prop_map(|v| v.concat())
    ) {
        hostile(&text);
    }
}
