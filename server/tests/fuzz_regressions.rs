//! Fuzz findings kept as regression tests, and hostile inputs whose cost must stay bounded.
//!
//! Inputs live in `tests/fixtures/fuzz/` (see its README): `model_grammar-*` files are
//! Dockerfile texts run through the model, the grammar and the rules; `lsp_framing-*` files
//! are raw client streams fed to the LSP framing decoder. The checks are the fuzz targets'
//! own invariants (nothing panics, spans in bounds). Hostile texts (deep nesting, a huge
//! heredoc, a million flags) are analysed under a generous timeout that only detects a
//! hang; nothing here asserts speed.

use dockerfile_ls::document::Snapshot;
use dockerfile_ls::lsp::framing::{Decoder, Frame};
use dockerfile_ls::model::{self, Span};
use dockerfile_ls::rules::{self, CheckOptions};
use dockerfile_ls::syntax;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/fuzz")
}

fn inputs(prefix: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(fixtures())
        .expect("tests/fixtures/fuzz")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    out.sort();
    out
}

/// Every `Span { start, end }` in a `Debug` rendering.
fn debug_spans(debug: &str) -> Vec<Span> {
    let mut out = Vec::new();
    for piece in debug.split("Span { start: ").skip(1) {
        let num = |s: &str| {
            s[..s.bytes().take_while(u8::is_ascii_digit).count()]
                .parse()
                .ok()
        };
        let Some(start) = num(piece) else { continue };
        let Some(rest) = piece.split_once(", end: ").map(|(_, r)| r) else {
            continue;
        };
        if let Some(end) = num(rest) {
            out.push(Span { start, end });
        }
    }
    out
}

/// The fuzz target `model_grammar`'s invariants.
fn check_text(name: &str, text: &str) {
    let snap = Snapshot::from_text(text);
    for span in debug_spans(&format!("{:?}", snap.model)) {
        assert!(
            span.start <= span.end && span.end <= text.len(),
            "{name}: model span {span:?} out of bounds"
        );
    }
    for e in syntax::errors(snap.tree()) {
        assert!(
            e.span.start <= e.span.end && e.span.end <= text.len(),
            "{name}"
        );
    }
    for f in &snap.findings {
        let spans = std::iter::once(f.span)
            .chain(f.related.iter().map(|r| r.span))
            .chain(f.fix.iter().flat_map(|x| x.edits.iter().map(|e| e.span)));
        for s in spans {
            assert!(
                s.start <= s.end
                    && s.end <= text.len()
                    && text.is_char_boundary(s.start)
                    && text.is_char_boundary(s.end),
                "{name}: {} span {s:?} out of bounds or inside a character",
                f.rule
            );
        }
    }
    let _ = model::dump(text);
}

#[test]
fn model_grammar_inputs() {
    let all = inputs("model_grammar-");
    assert!(!all.is_empty());
    for (name, bytes) in all {
        check_text(&name, &String::from_utf8_lossy(&bytes));
    }
}

fn decode(bytes: &[u8], chunk: usize) -> Vec<Frame> {
    let mut d = Decoder::new();
    let mut out = Vec::new();
    for piece in bytes.chunks(chunk.max(1)) {
        d.push(piece);
        out.extend(std::iter::from_fn(|| d.next_frame()));
    }
    out
}

#[test]
fn lsp_framing_inputs() {
    let all = inputs("lsp_framing-");
    assert!(!all.is_empty());
    for (name, bytes) in all {
        let whole = decode(&bytes, bytes.len());
        for chunk in [1, 2, 3, 7, 64] {
            let messages = |frames: &[Frame]| -> Vec<Vec<u8>> {
                frames
                    .iter()
                    .filter_map(|f| match f {
                        Frame::Message(m) => Some(m.clone()),
                        Frame::Reply(_) => None,
                    })
                    .collect()
            };
            let pieces = decode(&bytes, chunk);
            assert_eq!(
                messages(&whole),
                messages(&pieces),
                "{name}, chunks of {chunk}"
            );
            for f in &pieces {
                if let Frame::Message(m) = f {
                    let v: serde_json::Value = serde_json::from_slice(m).expect(&name);
                    assert_eq!(v["jsonrpc"], "2.0", "{name}");
                }
            }
        }
    }
}

/// Analyse on another thread; fail (instead of hanging the suite) after a generous limit.
fn bounded(name: &str, text: String) {
    let (tx, rx) = mpsc::channel();
    let n = name.to_string();
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            check_text(&n, &text);
            let _ = tx.send(());
        })
        .expect("thread");
    match rx.recv_timeout(Duration::from_secs(600)) {
        Ok(()) => {}
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name}: analysis did not finish"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{name}: analysis panicked"),
    }
}

/// Deep nesting must cost bounded stack (a stack overflow aborts the whole server): BuildKit's
/// word expansion (`rules::buildkit::lex`) and the shell analysis (`rules::shell`) recurse
/// once per level and stop at a depth limit.
#[test]
fn deeply_nested_variables_and_substitutions() {
    let depth = 20_000;
    let nested_var = format!(
        "FROM alpine\nARG A\nENV X={}{}\nRUN echo $X\n",
        "${A:-".repeat(depth),
        "}".repeat(depth)
    );
    bounded("nested ${A:-", nested_var);
    let nested_shell = format!(
        "FROM alpine\nRUN echo {}x{}\n",
        "$(".repeat(depth),
        ")".repeat(depth)
    );
    bounded("nested $(", nested_shell);
}

#[test]
fn deep_brackets_and_long_continuations() {
    let depth = 20_000;
    let brackets = format!(
        "FROM alpine\nCMD {}\"x\"{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    bounded("nested [", brackets);
    let continuations = format!(
        "FROM alpine\nRUN echo \\\n{}x\n",
        "  a \\\n".repeat(100_000)
    );
    bounded("100k continuation lines", continuations);
    // Comment lines inside an instruction are blanked before its script is read; each line
    // end once looked back over all of them (100,000 took 10 s in a release build).
    let comments = format!(
        "FROM alpine\nRUN echo \\\n{}done\n",
        "# c\n".repeat(100_000)
    );
    bounded("100k comment lines inside a RUN", comments);
    // Moderate nesting works today.
    let d = 500;
    bounded(
        "nested ${A:- 500",
        format!(
            "FROM alpine\nARG A\nENV X={}{}\n",
            "${A:-".repeat(d),
            "}".repeat(d)
        ),
    );
    bounded(
        "nested $( 500",
        format!(
            "FROM alpine\nRUN echo {}x{}\n",
            "$(".repeat(d),
            ")".repeat(d)
        ),
    );
}

#[test]
fn huge_heredoc_and_many_heredocs() {
    let body = "echo line\n".repeat(200_000);
    bounded(
        "2 MB heredoc",
        format!("FROM alpine\nRUN <<EOF\n{body}EOF\nRUN echo after\n"),
    );
    let unterminated = format!("FROM alpine\nRUN <<EOF cat\n{body}");
    bounded("unterminated heredoc", unterminated);
    let many = format!("FROM alpine\nRUN {} true\n", "<<E ".repeat(5_000));
    bounded("5,000 heredocs on one line", many);
    // A 5 MB script: over the shell analysis's size limit, so it is not parsed.
    let body = "apt-get install -y curl\n".repeat(220_000);
    let text = format!("FROM alpine\nRUN <<EOF\n{body}EOF\nRUN apt-get install curl\n");
    let m = model::build(&text);
    let findings = rules::check(&m, &text, &CheckOptions::default());
    let body_start = text.find("apt-get").unwrap_or(0);
    let body_end = body_start + body.len();
    assert!(
        !findings
            .iter()
            .any(|f| (body_start..body_end).contains(&f.span.start)),
        "the 5 MB script is not analysed"
    );
    assert!(findings.iter().any(|f| f.rule == "MissingAssumeYes"));
}

#[test]
fn many_flags() {
    let flags = "--mount=type=cache,target=/x ".repeat(200_000);
    bounded("200k RUN flags", format!("FROM alpine\nRUN {flags}echo\n"));
}

/// Repeated unknown flags report a bounded number of findings per instruction, and chains
/// of stages each built on the previous cost linear time in the rules (they once cost
/// quadratic memory and cubic time).
#[test]
fn a_million_flags_and_chained_stages() {
    let text = format!(
        "FROM alpine\nCOPY {}--link --link a b\n",
        "--a ".repeat(1_000_000)
    );
    let m = model::build(&text);
    let findings = rules::check(&m, &text, &CheckOptions::default());
    let count = |rule: &str| findings.iter().filter(|f| f.rule == rule).count();
    assert_eq!(count("UnknownFlag"), 32);
    assert_eq!(count("DuplicateFlag"), 1);
    drop(m);
    let short = "--a ".repeat(100_000);
    bounded(
        "100k short flags",
        format!("FROM alpine\nCOPY {short}a b\n"),
    );
    let stages: String = (0..20_000)
        .map(|i| format!("FROM s{} AS s{i}\nCOPY a b\n", i.max(1) - 1))
        .collect();
    bounded("20k chained stages", stages);
}

/// The server executes nothing from a Dockerfile: checking one whose instructions would
/// create a file leaves no file behind.
#[test]
fn nothing_in_a_dockerfile_is_executed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let marker = dir.path().join("executed");
    let m = marker.display();
    let text = format!(
        "# syntax=docker/dockerfile:1\nFROM alpine\nRUN touch {m}\nRUN [\"/bin/sh\", \"-c\", \"touch {m}\"]\n\
         SHELL [\"/bin/sh\", \"-c\", \"touch {m}\"]\nCMD touch {m}\nHEALTHCHECK CMD touch {m}\n\
         ONBUILD RUN touch {m}\nARG X=$(touch {m})\nENV Y=`touch {m}`\nRUN <<EOF\ntouch {m}\nEOF\n"
    );
    let file = dir.path().join("Dockerfile");
    std::fs::write(&file, &text).expect("write");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_dockerfile-ls"))
        .arg("check")
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run check");
    assert!(matches!(status.code(), Some(0 | 1)), "{status:?}");
    let fixes = std::process::Command::new(env!("CARGO_BIN_EXE_dockerfile-ls"))
        .args(["format", "-"])
        .stdin(std::fs::File::open(&file).expect("open"))
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run format");
    assert!(fixes.code().is_some());
    assert!(!marker.exists(), "something in the Dockerfile was executed");
}

/// Values that double on every line (`ENV A=$A$A`, `ARG A=$A$A`) must not grow past a
/// bound (the process would abort on a failed allocation) nor be recomputed once per
/// reference (exponential time): both expansion engines, the rules' and the model's.
#[test]
fn doubling_values_stay_bounded() {
    let doubling = |kw: &str, before_from: bool, lines: usize| {
        let body: String = (0..lines).map(|_| format!("{kw} A=$A$A\n")).collect();
        if before_from {
            format!("ARG A=xx\n{body}FROM alpine:$A\nRUN echo $A\n")
        } else {
            format!("FROM alpine\n{kw} A=xx\n{body}LABEL x=$A$A$A\nRUN echo $A\n")
        }
    };
    for (kw, before_from) in [("ENV", false), ("ARG", false), ("ARG", true)] {
        let text = doubling(kw, before_from, 60);
        let m = model::build(&text);
        // The model's own resolution (hover, inlay hints) gives a bounded value.
        let value = m.resolve("A", text.len() - 1, &[]).unwrap_or_default();
        assert!(value.len() <= 64 * 1024, "{kw}: {} bytes", value.len());
        bounded(&format!("doubling {kw}"), text);
    }
}
