//! The formatter: golden files, idempotence and meaning preservation over every fixture,
//! formatter options, and the `dockerfile-ls format` command line.
//!
//! Golden files live in `tests/fixtures/format/<name>.in.Dockerfile` (input) and
//! `<name>.out.Dockerfile` (expected output). `UPDATE_GOLDEN=1 cargo test --test
//! format_golden` rewrites the outputs (review the diff by eye).

use dockerfile_ls::config::{FormatOptions, KeywordCase};
use dockerfile_ls::features::format::format_text;
use dockerfile_ls::model;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn read(path: &Path) -> String {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Collapse blanks outside shell quotes inside the Go-quoted strings of one dump line.
/// Only used for instructions whose arguments a shell splits into words.
fn normalize_shell_line(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    let mut in_go = false;
    let (mut single, mut double) = (false, false);
    let mut blank = false;
    let mut escaped = false;
    while let Some(c) = chars.next() {
        if !in_go {
            out.push(c);
            if c == '"' {
                in_go = true;
                single = false;
                double = false;
                blank = false;
                escaped = false;
            }
            continue;
        }
        // Inside a Go-quoted string: `\x` sequences are one character of the argument.
        let (tok, is_blank) = match c {
            '"' => {
                in_go = false;
                out.push('"');
                continue;
            }
            '\\' => {
                let n = chars.next().unwrap_or('\\');
                (format!("\\{n}"), n == 't')
            }
            ' ' => (" ".to_string(), true),
            c => (c.to_string(), false),
        };
        if escaped {
            // The character after a shell escape is literal.
            escaped = false;
            blank = false;
            out.push_str(&tok);
            continue;
        }
        if is_blank && !single && !double {
            if !blank {
                out.push(' ');
            }
            blank = true;
            continue;
        }
        blank = false;
        match tok.as_str() {
            "'" if !double => single = !single,
            "\\\"" if !single => double = !double,
            "\\\\" if !single => escaped = true,
            _ => {}
        }
        out.push_str(&tok);
    }
    out
}

fn normalize(dump: &str) -> String {
    dump.lines()
        .map(|l| {
            let shell = [
                "(run",
                "(cmd",
                "(entrypoint",
                "(shell",
                "(healthcheck",
                "(onbuild",
            ]
            .iter()
            .any(|p| l.starts_with(p));
            if shell {
                normalize_shell_line(l)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the formatter must not change: BuildKit's dump (blanks between shell words
/// aside), the heredoc bodies and the parser directives.
fn assert_same_meaning(name: &str, before: &str, after: &str) {
    if let Ok(a) = model::dump(before) {
        let b = model::dump(after)
            .unwrap_or_else(|e| panic!("{name}: formatted file no longer parses: {e}"));
        if a != b {
            assert_eq!(normalize(&a), normalize(&b), "{name}: the dump changed");
        }
    }
    let (ma, mb) = (model::build(before), model::build(after));
    let bodies = |m: &model::Model| -> Vec<String> {
        m.instructions
            .iter()
            .flat_map(|i| i.heredocs.iter().map(|h| h.body.clone()))
            .collect()
    };
    assert_eq!(bodies(&ma), bodies(&mb), "{name}: heredoc bodies changed");
    let dirs = |m: &model::Model| -> Vec<(String, String)> {
        m.directives
            .iter()
            .map(|d| (d.name.clone(), d.value.clone()))
            .collect()
    };
    assert_eq!(dirs(&ma), dirs(&mb), "{name}: directives changed");
    assert_eq!(ma.escape, mb.escape, "{name}: escape character changed");
    assert_eq!(
        ma.instructions.len(),
        mb.instructions.len(),
        "{name}: instruction count changed"
    );
}

fn check_file(name: &str, text: &str, opts: &FormatOptions) -> String {
    let once = format_text(text, opts);
    let twice = format_text(&once, opts);
    assert_eq!(once, twice, "{name}: formatting is not idempotent");
    assert_same_meaning(name, text, &once);
    once
}

#[test]
fn golden_files() {
    let dir = fixtures().join("format");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut inputs: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("tests/fixtures/format")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".in.Dockerfile"))
        .collect();
    inputs.sort();
    assert!(
        inputs.len() >= 10,
        "expected at least 10 golden inputs, found {}",
        inputs.len()
    );
    let mut failures = Vec::new();
    for input in inputs {
        let name = input
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .replace(".in.Dockerfile", "");
        let text = read(&input);
        let got = check_file(&name, &text, &FormatOptions::default());
        let out_path = dir.join(format!("{name}.out.Dockerfile"));
        if update {
            fs::write(&out_path, &got).expect("write golden");
            continue;
        }
        let want = fs::read_to_string(&out_path).unwrap_or_default();
        if got != want {
            failures.push(format!("--- {name}: expected\n{want}\n--- got\n{got}"));
        }
        // The expected output is itself formatted.
        assert_eq!(
            format_text(&want, &FormatOptions::default()),
            want,
            "{name}.out is not a fixed point"
        );
    }
    assert!(
        failures.is_empty(),
        "golden mismatches (UPDATE_GOLDEN=1 to regenerate):\n{}",
        failures.join("\n")
    );
}

#[test]
fn corpus_is_idempotent_and_keeps_meaning() {
    let mut files: Vec<PathBuf> = Vec::new();
    let real = fixtures().join("corpus/real");
    for e in fs::read_dir(&real).expect("corpus/real").flatten() {
        let p = e.path();
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if p.is_file() && name != "SOURCES.md" {
            files.push(p);
        }
    }
    for e in fs::read_dir(fixtures().join("buildkit-parser"))
        .expect("buildkit-parser")
        .flatten()
    {
        let p = e.path().join("Dockerfile");
        if p.is_file() {
            files.push(p);
        }
    }
    files.sort();
    assert!(files.len() > 60, "{} files", files.len());
    let variants = [
        FormatOptions::default(),
        FormatOptions {
            indent_width: 2,
            keyword_case: KeywordCase::Lower,
            blank_lines_between_stages: 2,
        },
        FormatOptions {
            indent_width: 0,
            keyword_case: KeywordCase::Upper,
            blank_lines_between_stages: 0,
        },
    ];
    for p in &files {
        let text = read(p);
        for opts in &variants {
            check_file(&p.display().to_string(), &text, opts);
        }
    }
}

#[test]
fn options_change_case_indent_and_stage_gaps() {
    let text = "FROM a AS x\nRUN echo a \\\n  && echo b\nFROM x\nrun echo c\n";
    let opts = FormatOptions {
        indent_width: 2,
        keyword_case: KeywordCase::Lower,
        blank_lines_between_stages: 2,
    };
    let got = check_file("options", text, &opts);
    assert_eq!(
        got,
        "from a AS x\nrun echo a \\\n  && echo b\n\n\nfrom x\nrun echo c\n"
    );
    let opts = FormatOptions {
        indent_width: 4,
        keyword_case: KeywordCase::Upper,
        blank_lines_between_stages: 0,
    };
    let got = check_file("options", "from a\nrun x\n\n\nfrom b\n", &opts);
    assert_eq!(got, "FROM a\nRUN x\nFROM b\n");
    // Dominant: a tie is upper case.
    let got = check_file("tie", "from a\nRUN b\n", &FormatOptions::default());
    assert_eq!(got, "FROM a\nRUN b\n");
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dockerfile-ls"))
}

#[test]
fn cli_check_exit_codes_and_in_place_rewrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let messy = dir.path().join("Dockerfile");
    let clean = dir.path().join("clean.Dockerfile");
    fs::write(&messy, "FROM alpine\nrun   echo hi   \n").expect("write");
    fs::write(&clean, "FROM alpine\nRUN echo hi\n").expect("write");

    let out = bin()
        .args(["format", "--check"])
        .arg(&clean)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "clean file: {out:?}");

    let out = bin()
        .args(["format", "--check"])
        .arg(&messy)
        .arg(&clean)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "messy file: {out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("Dockerfile"), "names the file: {stdout}");
    assert_eq!(
        fs::read_to_string(&messy).expect("read"),
        "FROM alpine\nrun   echo hi   \n",
        "--check writes nothing"
    );

    let out = bin().arg("format").arg(&messy).output().expect("run");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        fs::read_to_string(&messy).expect("read"),
        "FROM alpine\nRUN echo hi\n"
    );

    let out = bin()
        .args(["format", "--check"])
        .arg(&messy)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "now formatted: {out:?}");

    let missing = dir.path().join("missing.Dockerfile");
    let out = bin()
        .args(["format", "--check"])
        .arg(&missing)
        .output()
        .expect("run");
    assert!(!out.status.success(), "a missing file is an error: {out:?}");
    assert_ne!(
        out.status.code(),
        Some(1),
        "errors are not 'would change': {out:?}"
    );
}

#[test]
fn cli_stdin_to_stdout() {
    let run = |args: &[&str], input: &str| {
        let mut child = bin()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write");
        child.wait_with_output().expect("wait")
    };
    let out = run(&["format", "-"], "FROM alpine\r\nrun echo hi  \r\n");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "FROM alpine\r\nRUN echo hi\r\n"
    );

    let out = run(&["format", "--check", "-"], "FROM alpine\nrun x\n");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let out = run(&["format", "--check", "-"], "FROM alpine\n");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn meaning_check_sees_quoted_whitespace() {
    // Blanks between shell words are insignificant, blanks inside quotes are not.
    assert_eq!(
        normalize("(run \"echo a    b\")"),
        normalize("(run \"echo a b\")")
    );
    assert_ne!(
        normalize("(run \"echo \\\"a    b\\\"\")"),
        normalize("(run \"echo \\\"a b\\\"\")")
    );
    assert_ne!(
        normalize("(run \"echo 'a    b'\")"),
        normalize("(run \"echo 'a b'\")")
    );
    // An escaped blank is literal.
    assert_ne!(
        normalize("(run \"echo a\\\\  b\")"),
        normalize("(run \"echo a\\\\ b\")")
    );
    assert_eq!(
        normalize("(run \"echo a\\\\  b\")"),
        normalize("(run \"echo a\\\\     b\")")
    );
    // Other instructions compare exactly.
    assert_ne!(
        normalize("(env \"A\" \"a    b\" \"\")"),
        normalize("(env \"A\" \"a b\" \"\")")
    );
}

mod generated {
    use super::*;
    use dockerfile_ls::document::{Encoding, LineIndex};
    use dockerfile_ls::features::{folding, format, selection, semantic_tokens};
    use proptest::prelude::*;

    /// Dockerfile-like lines built from fragments that exercise the formatter's edge
    /// cases: case, blanks, tabs, quotes, continuations, heredocs, comments, CRLF,
    /// directives, non-ASCII text.
    fn line() -> impl Strategy<Value = String> {
        let frag = prop::sample::select(vec![
            "FROM",
            "from",
            "RUN",
            "run",
            "COPY",
            "ENV",
            "ARG",
            "LABEL",
            "ONBUILD",
            "HEALTHCHECK",
            "CMD",
            "WORKDIR",
            "AS",
            "--from=a",
            "--mount=type=cache,target=/x",
            "--chown=1",
            "alpine",
            "a=b",
            "echo",
            "&&",
            " ",
            "  ",
            "\t",
            "\"",
            "'",
            "\\",
            "`",
            "$X",
            "${Y:-z}",
            "<<EOF",
            "<<-EOF",
            "EOF",
            "\tEOF",
            "#",
            "# escape=`",
            "# syntax=x",
            "[\"a\",",
            "\"b\"]",
            "é",
            "😀",
            "\r",
        ]);
        prop::collection::vec(frag, 0..8).prop_map(|v| v.concat())
    }

    fn file() -> impl Strategy<Value = String> {
        (prop::collection::vec(line(), 0..14), any::<bool>()).prop_map(|(lines, nl)| {
            let mut s = lines.join("\n");
            if nl {
                s.push('\n');
            }
            s
        })
    }

    fn indent() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["", " ", "  ", "    ", "\t", "\t\t", "        ", " \t"])
            .prop_map(str::to_string)
    }

    fn word() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "echo",
            "a",
            "&&",
            "||",
            ";",
            "|",
            "\"x  y\"",
            "'a  b'",
            "\"q",
            "'s",
            "x\\ y",
            "$V",
            "${W:-d}",
            "--f=1",
            "--mount=type=cache,target=/c",
            "k=v",
            "k=\"a b\"",
            "[\"a\",",
            "\"b\"]",
            "<<EOF",
            "é",
            "#c",
        ])
        .prop_map(str::to_string)
    }

    /// One instruction: keyword, words, maybe continuation lines (with varied
    /// indentation, quotes left open across lines, comment and empty lines inside), maybe
    /// a heredoc body.
    fn instruction() -> impl Strategy<Value = String> {
        let kw = prop::sample::select(vec![
            "FROM",
            "from",
            "RUN",
            "run",
            "Run",
            "COPY",
            "ENV",
            "ARG",
            "LABEL",
            "CMD",
            "WORKDIR",
            "ONBUILD RUN",
            "HEALTHCHECK --interval=1s CMD",
            "USER",
            "EXPOSE",
        ]);
        let sep = prop::sample::select(vec![" ", "  ", "\t", " \t "]);
        let cont = (
            indent(),
            prop::collection::vec(word(), 0..4),
            prop::sample::select(vec![0u8, 1, 2, 3]),
        );
        (
            kw,
            sep,
            prop::collection::vec(word(), 0..4),
            prop::collection::vec(cont, 0..4),
            any::<bool>(),
        )
            .prop_map(|(kw, sep, words, conts, heredoc)| {
                let mut s = format!("{kw}{sep}{}", words.join(" "));
                for (ind, ws, kind) in conts {
                    match kind {
                        0 => s.push_str(" \\\n"),
                        1 => s.push_str("\\\n"),
                        2 => s.push_str(" \\  \n# inner comment\n"),
                        _ => s.push_str(" \\\n   \n"),
                    }
                    s.push_str(&ind);
                    s.push_str(&ws.join(" "));
                }
                if heredoc && s.contains("<<EOF") {
                    s.push_str("\n  body  \n\tEOF x\nEOF");
                }
                s
            })
    }

    fn structured_file() -> impl Strategy<Value = String> {
        let item = prop_oneof![
            4 => instruction(),
            1 => Just(String::new()),
            1 => Just("# comment  ".to_string()),
            1 => Just("  # indented comment".to_string()),
        ];
        (
            prop::collection::vec(item, 0..12),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(items, crlf, nl)| {
                let mut s = items.join("\n");
                if nl {
                    s.push('\n');
                }
                if crlf {
                    s = s.replace('\n', "\r\n");
                }
                s
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        #[test]
        fn structured_inputs_keep_meaning(text in structured_file()) {
            for opts in [
                FormatOptions::default(),
                FormatOptions { indent_width: 0, keyword_case: KeywordCase::Lower, blank_lines_between_stages: 2 },
            ] {
                let want = check_file("structured", &text, &opts);
                // The protocol edits (minimal, in any encoding) give the same text, and so
                // does a range covering the whole file.
                let model = model::build(&text);
                let idx = LineIndex::new(&text);
                for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                    for range in [None, Some(dockerfile_ls::model::Span::new(0, text.len()))] {
                        let edits = format::text_edits(&text, &idx, &model, &opts, range, enc);
                        let mut out = text.clone();
                        let mut last = usize::MAX;
                        for e in edits.iter().rev() {
                            prop_assert!(e.span.end <= last, "overlapping edits");
                            prop_assert_eq!(idx.offset(&text, e.range.0, enc), e.span.start);
                            prop_assert_eq!(idx.offset(&text, e.range.1, enc), e.span.end);
                            out.replace_range(e.span.start..e.span.end, &e.new_text);
                            last = e.span.start;
                        }
                        prop_assert_eq!(&out, &want);
                    }
                }
            }
        }

        #[test]
        fn formatter_and_structure_never_panic(text in file()) {
            for opts in [
                FormatOptions::default(),
                FormatOptions { indent_width: 0, keyword_case: KeywordCase::Lower, blank_lines_between_stages: 0 },
            ] {
                check_file("generated", &text, &opts);
            }
            let model = model::build(&text);
            let idx = LineIndex::new(&text);
            for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                let toks = semantic_tokens::tokens(&text, &idx, &model, None, enc);
                semantic_tokens::encode(&toks);
            }
            folding::folds(&idx, &model);
            let tree = dockerfile_ls::syntax::parse(&text, None);
            for off in (0..=text.len()).step_by(7) {
                let c = selection::chain(&text, &model, Some(&tree), off);
                for w in c.windows(2) {
                    prop_assert!(w[1].start <= w[0].start && w[0].end <= w[1].end && w[0] != w[1]);
                }
            }
        }
    }
}

#[test]
fn cli_uses_the_configuration_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(
        dir.path().join(".dockerfile-ls.toml"),
        "[format]\nindent_width = 2\nkeyword_case = \"lower\"\nblank_lines_between_stages = 2\n",
    )
    .expect("write config");
    let file = dir.path().join("Dockerfile");
    fs::write(&file, "FROM a AS b\nRUN x \\\n    && y\nFROM b\n").expect("write");
    let out = bin().arg("format").arg(&file).output().expect("run");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        fs::read_to_string(&file).expect("read"),
        "from a AS b\nrun x \\\n  && y\n\n\nfrom b\n"
    );
}
