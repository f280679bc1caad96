//! Property: the incremental update gives exactly the model a fresh build gives, for any
//! edits (also several at once, as when the base model is a few versions old).

use super::build::{build_split_from, read_whole};
use super::{build, rebuild, update, Model};
use proptest::prelude::*;

/// The first difference between two models, briefly (the models are large).
fn diff(a: &Model, b: &Model) -> Option<String> {
    fn first<T: PartialEq + std::fmt::Debug>(what: &str, x: &[T], y: &[T]) -> Option<String> {
        if x.len() != y.len() {
            return Some(format!("{what}: {} vs {} items", x.len(), y.len()));
        }
        let k = x.iter().zip(y).position(|(p, q)| p != q)?;
        Some(format!("{what}[{k}]:\n  {:?}\nvs\n  {:?}", x[k], y[k]))
    }
    if a.escape != b.escape {
        return Some(format!("escape {:?} vs {:?}", a.escape, b.escape));
    }
    first("directives", &a.directives, &b.directives)
        .or_else(|| first("comments", &a.comments, &b.comments))
        .or_else(|| first("instructions", &a.instructions, &b.instructions))
        .or_else(|| first("stages", &a.stages, &b.stages))
        .or_else(|| first("vars", &a.vars, &b.vars))
        .or_else(|| first("var_uses", &a.var_uses, &b.var_uses))
        .or_else(|| first("stage_refs", &a.stage_refs, &b.stage_refs))
        .or_else(|| first("errors", &a.errors, &b.errors))
        .or_else(|| (a != b).then(|| "models differ".to_string()))
}

const BASES: &[&str] = &[
    "",
    "FROM alpine:3.20\nRUN apk add --no-cache curl\n",
    "# syntax=docker/dockerfile:1\n# escape=`\nFROM mcr.microsoft.com/windows AS build\nRUN dir `\n  c:\\\nCOPY . c:\\app\n",
    "ARG V=1\nFROM node:${V} AS deps\nWORKDIR /app\nCOPY package.json ./\nRUN --mount=type=cache,target=/root/.npm \\\n    npm ci\n\nFROM deps\nCMD [\"node\", \"x.js\"]\n",
    "FROM debian\r\nRUN <<EOF\r\napt-get update\r\nEOF\r\nCOPY <<-EOT /etc/x\r\n\thello é 😀\r\n\tEOT\r\n",
    "FROM a\nRUN echo a \\\n# comment\n\n  b\nENV A=1 B=\"two words\" \\\n    C=${A:-x}\nLABEL k=v\nONBUILD RUN x\nHEALTHCHECK CMD curl -f http://x/ || exit 1\n",
    "ARG BASE=alpine\nFROM ${BASE} AS one\nARG X\nENV Y=$X\nRUN echo $Y\n\nFROM one AS two\nCOPY --from=one /a /b\nRUN --mount=type=bind,from=one,target=/x ls\n# c\nFROM two\nONBUILD COPY <<EOF /x\nhi $Y\nEOF\nUSER $Y\n",
    "FROM a\nRUN <<EOF\nnever closed\nRUN x\nFROM b\n",
];

const FRAGMENTS: &[&str] = &[
    "",
    "\n",
    "\r\n",
    " ",
    "\t",
    "\\",
    "\\\n",
    "`\n",
    "#",
    "# c\n",
    "# escape=`\n",
    "FROM alpine AS b\n",
    "FROM b\n",
    "RUN ",
    "RUN echo hi\n",
    "COPY --from=b /a /b\n",
    "<<EOF\n",
    "EOF\n",
    "<<-EOT\n",
    "\tEOT\n",
    "\"",
    "'",
    "$X",
    "${Y:-z}",
    "[\"a\", \"b\"]",
    "=",
    "--mount=type=cache,target=/c ",
    "é",
    "😀",
    "ARG A=1\n",
    "ARG X\n",
    "ENV K v\n",
    "ENV Y=$A\n",
    "ONBUILD ",
    "x",
    "AS",
    "\n\n",
];

/// An edit: replace `[a, b)` (fractions of the length, snapped to characters) with a text.
#[derive(Clone, Debug)]
struct Edit {
    a: f64,
    len: usize,
    text: String,
}

fn edit() -> impl Strategy<Value = Edit> {
    let text = prop_oneof![
        4 => prop::sample::select(FRAGMENTS).prop_map(str::to_string),
        1 => "[ -~\n]{0,12}",
    ];
    (
        0.0f64..=1.0,
        prop_oneof![3 => Just(0usize), 2 => 0usize..4, 1 => 0usize..40],
        text,
    )
        .prop_map(|(a, len, text)| Edit { a, len, text })
}

fn apply(text: &mut String, e: &Edit) {
    let mut a = ((text.len() as f64) * e.a) as usize;
    a = a.min(text.len());
    while !text.is_char_boundary(a) {
        a -= 1;
    }
    let mut b = (a + e.len).min(text.len());
    while !text.is_char_boundary(b) {
        b += 1;
    }
    text.replace_range(a..b, &e.text);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Each version from the one before (an editor's keystrokes).
    #[test]
    fn update_after_each_edit_equals_a_fresh_build(
        base in prop::sample::select(BASES),
        edits in prop::collection::vec(edit(), 1..10),
    ) {
        let mut text = base.to_string();
        let mut model = build(&text);
        for e in &edits {
            let old = text.clone();
            apply(&mut text, e);
            update(&mut model, &old, &text);
            let d = diff(&model, &build(&text));
            prop_assert!(d.is_none(), "{}\nfrom {:?}\nto {:?}", d.unwrap_or_default(), old, text);
        }
    }

    /// A text read in two halves at once (whatever its size here) gives the model of a
    /// reading in one go, also where the split falls in a heredoc or a continuation.
    #[test]
    fn a_split_reading_equals_one_reading(
        base in prop::sample::select(BASES),
        edits in prop::collection::vec(edit(), 0..12),
        second in prop::sample::select(BASES),
    ) {
        let mut text = base.to_string();
        for e in &edits {
            apply(&mut text, e);
        }
        text.push_str(second);
        let d = diff(&build_split_from(&text, 0), &read_whole(&text));
        prop_assert!(d.is_none(), "{}\nin {:?}", d.unwrap_or_default(), text);
    }

    /// A version from one a few edits older (a recycled model).
    #[test]
    fn rebuild_from_an_older_version_equals_a_fresh_build(
        base in prop::sample::select(BASES),
        edits in prop::collection::vec(edit(), 1..5),
    ) {
        let mut text = base.to_string();
        let model = build(&text);
        let old = text.clone();
        for e in &edits {
            apply(&mut text, e);
        }
        let m = rebuild(model, &old, &text);
        let d = diff(&m, &build(&text));
        prop_assert!(d.is_none(), "{}\nfrom {:?}\nto {:?}", d.unwrap_or_default(), old, text);
    }
}

/// The bench file is read in two halves (it has a `FROM` line after its middle).
#[test]
fn the_bench_file_is_read_in_two_halves() {
    let big = include_str!("../../../tests/fixtures/bench/Dockerfile.big");
    assert!(big.len() >= super::build::SPLIT_MIN);
    // An instruction starts at the split: the first half's reading stops there.
    let (at, _) = super::build::split_point(big).expect("a FROM after the middle");
    let whole = read_whole(big);
    assert!(whole.instructions.iter().any(|i| i.span.start == at));
    let d = diff(&build(big), &whole);
    assert!(d.is_none(), "{}", d.unwrap_or_default());
}

/// The middle of a text may fall inside a character: the split is still found.
#[test]
fn a_split_point_after_a_multibyte_middle() {
    let text = format!("{}\nFROM b\nRUN x\n", "é".repeat(50));
    let (at, line) = super::build::split_point(&text).expect("a FROM after the middle");
    assert_eq!((&text[at..at + 4], line), ("FROM", 1));
    let d = diff(&build_split_from(&text, 0), &read_whole(&text));
    assert!(d.is_none(), "{}", d.unwrap_or_default());
}

/// Edits on the 5,000-line bench file: lines changed, added and removed at many places.
#[test]
fn update_on_the_bench_file() {
    let big = include_str!("../../../tests/fixtures/bench/Dockerfile.big");
    let lines: Vec<&str> = big.split_inclusive('\n').collect();
    let mut model = build(big);
    let mut text = big.to_string();
    for (k, step) in [7usize, 131, 977, 1500, 2501, 4000, 4998]
        .iter()
        .enumerate()
    {
        let at = lines.get(*step).copied().unwrap_or("");
        let old = text.clone();
        let pos = old.find(at).unwrap_or(old.len() / 2) + k % 3;
        let edits = [
            " ",
            "RUN x \\\n",
            "",
            "FROM y AS s\n",
            "<<EOF\n",
            "ENV Q=$GLOBAL_VERSION\n",
        ];
        let ins = edits[k % edits.len()];
        let end = (pos + k % 2).min(old.len());
        let mut pos = pos.min(end);
        while !old.is_char_boundary(pos) {
            pos -= 1;
        }
        text.replace_range(pos..end, ins);
        update(&mut model, &old, &text);
        let d = diff(&model, &build(&text));
        assert!(d.is_none(), "edit {k} at {pos}: {}", d.unwrap_or_default());
    }
}
