//! Folding ranges, semantic tokens (full and range), selection ranges and formatting
//! (whole document, range, on-type) through the real server binary, in UTF-16 and UTF-8.
//! Positions are computed here from byte offsets, independently of the server.

mod common;

use common::{position_at, Client};
use dockerfile_ls::config::FormatOptions;
use dockerfile_ls::features::format::format_text;
use serde_json::{json, Value};

const URI: &str = "file:///test/Dockerfile";

/// A client that offers `encodings` (none: the UTF-16 default) and opened `text`.
fn session(text: &str, encodings: &[&str]) -> (Client, String, Value) {
    let mut client = Client::spawn();
    let caps = if encodings.is_empty() {
        json!({})
    } else {
        json!({"general": {"positionEncodings": encodings}})
    };
    let init = client.initialize_with(caps);
    let enc = init["capabilities"]["positionEncoding"]
        .as_str()
        .unwrap_or("utf-16")
        .to_string();
    client.open(URI, 1, text);
    (client, enc, init)
}

fn doc() -> Value {
    json!({"uri": URI})
}

fn pos(text: &str, offset: usize, enc: &str) -> Value {
    let (line, character) = position_at(text, offset, enc);
    json!({"line": line, "character": character})
}

/// Byte offset of a protocol position (clamped to the line), computed independently.
fn offset_of(text: &str, p: &Value, enc: &str) -> usize {
    let line = p["line"].as_u64().expect("line") as usize;
    let col = p["character"].as_u64().expect("character") as usize;
    let mut start = 0;
    for _ in 0..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut units = 0;
    for (i, ch) in text[start..end].char_indices() {
        if units >= col {
            return start + i;
        }
        units += match enc {
            "utf-8" => ch.len_utf8(),
            "utf-16" => ch.len_utf16(),
            _ => 1,
        };
    }
    end
}

fn apply_edits(text: &str, edits: &Value, enc: &str) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .as_array()
        .expect("edits")
        .iter()
        .map(|e| {
            let a = offset_of(text, &e["range"]["start"], enc);
            let b = offset_of(text, &e["range"]["end"], enc);
            (a, b, e["newText"].as_str().expect("newText").to_string())
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    let mut last = usize::MAX;
    for (a, b, t) in spans {
        assert!(
            a <= b && b <= last,
            "overlapping or inverted edits: {edits}"
        );
        out.replace_range(a..b, &t);
        last = a;
    }
    out
}

/// Decoded semantic token: (line, start, length, type name, modifier names).
type Tok = (u32, u32, u32, String, Vec<String>);

fn decode(data: &Value, init: &Value) -> Vec<Tok> {
    let legend = &init["capabilities"]["semanticTokensProvider"]["legend"];
    let types: Vec<String> = legend["tokenTypes"]
        .as_array()
        .expect("types")
        .iter()
        .map(|t| t.as_str().unwrap_or_default().to_string())
        .collect();
    let mods: Vec<String> = legend["tokenModifiers"]
        .as_array()
        .expect("modifiers")
        .iter()
        .map(|t| t.as_str().unwrap_or_default().to_string())
        .collect();
    let nums: Vec<u32> = data
        .as_array()
        .expect("data")
        .iter()
        .map(|n| n.as_u64().expect("u32") as u32)
        .collect();
    assert_eq!(nums.len() % 5, 0);
    let (mut line, mut start) = (0u32, 0u32);
    let mut out = Vec::new();
    for c in nums.chunks(5) {
        if c[0] > 0 {
            line += c[0];
            start = c[1];
        } else {
            start += c[1];
        }
        let ty = types
            .get(c[3] as usize)
            .cloned()
            .expect("type index in legend");
        let m: Vec<String> = (0..mods.len())
            .filter(|i| c[4] & (1 << i) != 0)
            .map(|i| mods[i].clone())
            .collect();
        assert!(c[4] >> mods.len() == 0, "modifier bit outside the legend");
        out.push((line, start, c[2], ty, m));
    }
    out
}

/// The text a token covers (the token must stay on its line).
fn token_text(text: &str, t: &Tok, enc: &str) -> String {
    let a = offset_of(text, &json!({"line": t.0, "character": t.1}), enc);
    let b = offset_of(text, &json!({"line": t.0, "character": t.1 + t.2}), enc);
    let line_end = text[a..].find('\n').map_or(text.len(), |i| a + i);
    assert!(b <= line_end, "token {t:?} crosses a line end");
    text[a..b].to_string()
}

const STRUCTURE: &str = "# syntax=docker/dockerfile:1\n\
# first comment\n\
# second comment\n\
ARG BASE=alpine:3.20\n\
FROM $BASE AS build\n\
RUN --mount=type=cache,target=/root/.cache \\\n    echo \"héllo 😀 \\\n  wörld\" && \\\n    echo $HOME\n\
COPY <<EOF /etc/conf\n\
key=value\n\
EOF\n\
\n\
FROM build\n\
COPY --from=build /a /b\n\
EXPOSE 8080/tcp\n";

#[test]
fn capabilities_announce_structure_features() {
    let (_client, _enc, init) = session(STRUCTURE, &[]);
    let caps = &init["capabilities"];
    assert_eq!(caps["foldingRangeProvider"], json!(true), "{caps}");
    assert_eq!(caps["selectionRangeProvider"], json!(true), "{caps}");
    assert_eq!(caps["documentFormattingProvider"], json!(true), "{caps}");
    assert_eq!(
        caps["documentRangeFormattingProvider"],
        json!(true),
        "{caps}"
    );
    assert_eq!(
        caps["documentOnTypeFormattingProvider"]["firstTriggerCharacter"],
        json!("\n")
    );
    let st = &caps["semanticTokensProvider"];
    assert_eq!(st["range"], json!(true), "{st}");
    assert_eq!(st["full"], json!(true), "{st}");
    let types = st["legend"]["tokenTypes"].to_string();
    for t in [
        "keyword",
        "parameter",
        "property",
        "string",
        "variable",
        "comment",
        "macro",
        "class",
        "operator",
        "number",
    ] {
        assert!(
            types.contains(&format!("\"{t}\"")),
            "{t} missing from {types}"
        );
    }
}

#[test]
fn folding_ranges() {
    let (mut client, _enc, _) = session(STRUCTURE, &[]);
    let r = client.call_ok("textDocument/foldingRange", json!({"textDocument": doc()}));
    let folds: Vec<(u64, u64, Option<String>)> = r
        .as_array()
        .expect("array")
        .iter()
        .map(|f| {
            (
                f["startLine"].as_u64().unwrap_or(99),
                f["endLine"].as_u64().unwrap_or(99),
                f["kind"].as_str().map(str::to_string),
            )
        })
        .collect();
    let has = |a: u64, b: u64| folds.iter().any(|f| f.0 == a && f.1 == b);
    // Comment block (directive + two comments).
    assert!(
        folds.contains(&(0, 2, Some("comment".to_string()))),
        "{folds:?}"
    );
    // First stage: FROM (4) to the heredoc's closing line (11).
    assert!(has(4, 11), "stage: {folds:?}");
    // Continued RUN: lines 5-8.
    assert!(has(5, 8), "RUN: {folds:?}");
    // Heredoc: COPY line (9) to EOF (11).
    assert!(has(9, 11), "heredoc: {folds:?}");
    // Second stage: 13-15.
    assert!(has(13, 15), "stage 2: {folds:?}");
    for f in &folds {
        assert!(f.1 > f.0, "one-line fold {f:?}");
    }
}

fn find_tok<'a>(toks: &'a [Tok], text: &str, enc: &str, needle: &str, ty: &str) -> &'a Tok {
    toks.iter()
        .find(|t| t.3 == ty && token_text(text, t, enc) == needle)
        .unwrap_or_else(|| panic!("no {ty} token {needle:?} in {toks:?}"))
}

fn check_tokens(enc_offer: &[&str], want_enc: &str) {
    let (mut client, enc, init) = session(STRUCTURE, enc_offer);
    assert_eq!(enc, want_enc);
    let r = client.call_ok(
        "textDocument/semanticTokens/full",
        json!({"textDocument": doc()}),
    );
    let toks = decode(&r["data"], &init);
    let text = STRUCTURE;
    for t in &toks {
        token_text(text, t, &enc);
    }
    // Sorted, non-overlapping.
    for w in toks.windows(2) {
        assert!(
            (w[0].0, w[0].1 + w[0].2) <= (w[1].0, w[1].1),
            "overlap {w:?}"
        );
    }
    find_tok(&toks, text, &enc, "syntax", "macro");
    find_tok(&toks, text, &enc, "# first comment", "comment");
    let base = find_tok(&toks, text, &enc, "BASE", "variable");
    assert!(base.4.contains(&"declaration".to_string()), "{base:?}");
    find_tok(&toks, text, &enc, "FROM", "keyword");
    find_tok(&toks, text, &enc, "AS", "keyword");
    let stage = toks
        .iter()
        .find(|t| t.3 == "class" && t.0 == 4)
        .expect("stage name");
    assert_eq!(token_text(text, stage, &enc), "build");
    assert!(stage.4.contains(&"declaration".to_string()), "{stage:?}");
    find_tok(&toks, text, &enc, "$BASE", "variable");
    find_tok(&toks, text, &enc, "--mount", "parameter");
    find_tok(&toks, text, &enc, "type", "property");
    find_tok(&toks, text, &enc, "$HOME", "variable");
    find_tok(&toks, text, &enc, "&&", "operator");
    // The string over a continuation is split per line; columns count in `enc`.
    find_tok(&toks, text, &enc, "\"héllo 😀 \\", "string");
    find_tok(&toks, text, &enc, "  wörld\"", "string");
    find_tok(&toks, text, &enc, "EOF", "string");
    // `--from=build` names the stage.
    let from_ref = toks
        .iter()
        .find(|t| t.0 == 14 && t.3 == "class")
        .expect("stage ref");
    assert_eq!(token_text(text, from_ref, &enc), "build");
    find_tok(&toks, text, &enc, "8080/tcp", "number");

    // Range: lines 5-8 only, and the same tokens as the full response there.
    let start = text.find("RUN").expect("RUN");
    let end = text.find("COPY <<").expect("COPY");
    let r = client.call_ok(
        "textDocument/semanticTokens/range",
        json!({"textDocument": doc(), "range": {"start": pos(text, start, &enc), "end": pos(text, end - 1, &enc)}}),
    );
    let part = decode(&r["data"], &init);
    let want: Vec<Tok> = toks
        .iter()
        .filter(|t| (5..=8).contains(&t.0))
        .cloned()
        .collect();
    assert!(!part.is_empty());
    assert_eq!(part, want);
}

#[test]
fn semantic_tokens_utf16() {
    check_tokens(&[], "utf-16");
}

#[test]
fn semantic_tokens_utf8() {
    check_tokens(&["utf-8", "utf-16"], "utf-8");
}

#[test]
fn selection_ranges_nest_from_word_to_file() {
    let text = STRUCTURE;
    let (mut client, enc, _) = session(text, &[]);
    let a = text.find("target=/root").expect("target") + 2;
    let b = text.find("wörld").expect("world") + 3;
    let r = client.call_ok(
        "textDocument/selectionRange",
        json!({"textDocument": doc(), "positions": [pos(text, a, &enc), pos(text, b, &enc)]}),
    );
    let list = r.as_array().expect("array");
    assert_eq!(list.len(), 2);
    for (i, sel) in list.iter().enumerate() {
        let mut chain: Vec<(usize, usize)> = Vec::new();
        let mut cur = Some(sel);
        while let Some(s) = cur {
            chain.push((
                offset_of(text, &s["range"]["start"], &enc),
                offset_of(text, &s["range"]["end"], &enc),
            ));
            cur = s.get("parent").filter(|p| !p.is_null());
        }
        for w in chain.windows(2) {
            assert!(
                w[1].0 <= w[0].0 && w[0].1 <= w[1].1 && w[0] != w[1],
                "not nested: {chain:?}"
            );
        }
        assert_eq!(*chain.last().expect("file"), (0, text.len()));
        let texts: Vec<&str> = chain.iter().map(|&(x, y)| &text[x..y]).collect();
        if i == 0 {
            assert_eq!(texts[0], "target", "{texts:?}");
            assert!(texts.contains(&"target=/root/.cache"), "{texts:?}");
            assert!(
                texts.contains(&"--mount=type=cache,target=/root/.cache"),
                "{texts:?}"
            );
        } else {
            assert_eq!(texts[0], "wörld", "{texts:?}");
        }
        let run_end = text.find("echo $HOME").expect("run") + "echo $HOME".len();
        let run_start = text.find("RUN").expect("RUN");
        assert!(
            texts.contains(&&text[run_start..run_end]),
            "instruction missing: {texts:?}"
        );
        let stage_start = text.find("FROM $BASE").expect("FROM");
        let stage_end = text.find("EOF\n\n").expect("EOF") + 3;
        assert!(
            texts.contains(&&text[stage_start..stage_end]),
            "stage missing: {texts:?}"
        );
    }
}

const MESSY: &str = concat!(
    "FROM alpine AS é\n",
    "run   echo \"ünïcode 😀\"   \\\n",
    "  && echo b\n",
    "COPY   --from=é  /a /b\n",
    "FROM é\n",
    "RUN <<EOF\n",
    "   keep   me   \n",
    "EOF\n\n\n\n",
);

fn check_formatting(offer: &[&str], want_enc: &str) {
    let (mut client, enc, _) = session(MESSY, offer);
    assert_eq!(enc, want_enc);
    let want = format_text(MESSY, &FormatOptions::default());
    assert_eq!(
        want,
        "FROM alpine AS é\nRUN echo \"ünïcode 😀\"   \\\n    && echo b\nCOPY --from=é /a /b\n\nFROM é\nRUN <<EOF\n   keep   me   \nEOF\n"
    );
    let edits = client.call_ok(
        "textDocument/formatting",
        json!({"textDocument": doc(), "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(apply_edits(MESSY, &edits, &enc), want);

    // Formatting the result changes nothing.
    client.change_full(URI, 2, &want);
    let edits = client.call_ok(
        "textDocument/formatting",
        json!({"textDocument": doc(), "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(edits, json!([]), "formatted text still has edits");

    // Range formatting: only the COPY line (and nothing of the other instructions).
    client.change_full(URI, 3, MESSY);
    let a = MESSY.find("COPY").expect("COPY") + 3;
    let r = client.call_ok(
        "textDocument/rangeFormatting",
        json!({"textDocument": doc(), "range": {"start": pos(MESSY, a, &enc), "end": pos(MESSY, a + 2, &enc)},
               "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    let got = apply_edits(MESSY, &r, &enc);
    assert_eq!(
        got,
        MESSY.replace("COPY   --from=é  /a /b", "COPY --from=é /a /b")
    );

    // A range inside the continued RUN formats the whole RUN.
    let a = MESSY.find("&& echo b").expect("&&");
    let r = client.call_ok(
        "textDocument/rangeFormatting",
        json!({"textDocument": doc(), "range": {"start": pos(MESSY, a, &enc), "end": pos(MESSY, a, &enc)},
               "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    let got = apply_edits(MESSY, &r, &enc);
    assert_eq!(
        got,
        MESSY.replace(
            "run   echo \"ünïcode 😀\"   \\\n  && echo b",
            "RUN echo \"ünïcode 😀\"   \\\n    && echo b"
        )
    );
}

#[test]
fn formatting_utf16() {
    check_formatting(&[], "utf-16");
}

#[test]
fn formatting_utf8() {
    check_formatting(&["utf-8"], "utf-8");
}

#[test]
fn on_type_formatting_indents_continuation_lines() {
    let cases: [(&str, &str); 4] = [
        // After an instruction's first line: indent_width.
        (
            "FROM alpine\nRUN apk add \\\n|\n",
            "FROM alpine\nRUN apk add \\\n    \n",
        ),
        // After a hand-aligned continuation line: the same indentation.
        (
            "FROM alpine\nRUN apk add \\\n        curl \\\n  |\n",
            "FROM alpine\nRUN apk add \\\n        curl \\\n        \n",
        ),
        // Not a continuation: nothing.
        (
            "FROM alpine\nRUN apk add\n|\n",
            "FROM alpine\nRUN apk add\n\n",
        ),
        // Inside a heredoc body: nothing.
        (
            "FROM alpine\nRUN <<EOF\necho \\\n|\nEOF\n",
            "FROM alpine\nRUN <<EOF\necho \\\n\nEOF\n",
        ),
    ];
    for (src, want) in cases {
        let offset = src.find('|').expect("cursor");
        let text = format!("{}{}", &src[..offset], &src[offset + 1..]);
        let (mut client, enc, _) = session(&text, &[]);
        let r = client.call_ok(
            "textDocument/onTypeFormatting",
            json!({"textDocument": doc(), "position": pos(&text, offset, &enc), "ch": "\n",
                   "options": {"tabSize": 4, "insertSpaces": true}}),
        );
        let edits = if r.is_null() { json!([]) } else { r };
        assert_eq!(apply_edits(&text, &edits, &enc), want, "{src:?}");
    }
}

#[test]
fn formatting_follows_the_client_settings() {
    let text = "FROM a AS b\nRUN x \\\n    && y\nFROM b\n";
    let (mut client, enc, _) = session(text, &[]);
    client.diagnostics_at(URI, 1);
    client.clear_backlog();
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"dockerfile-ls": {"format": {"keywordCase": "lower", "indentWidth": 2, "blankLinesBetweenStages": 0}}}}),
    );
    // Re-analysed with the new options.
    client.diagnostics_for(URI);
    let edits = client.call_ok(
        "textDocument/formatting",
        json!({"textDocument": doc(), "options": {"tabSize": 8, "insertSpaces": true}}),
    );
    assert_eq!(
        apply_edits(text, &edits, &enc),
        "from a AS b\nrun x \\\n  && y\nfrom b\n"
    );
}

/// Edits sent right after the open, while its full parse may still be under way (it runs
/// in idle time and nothing waits for it): the selection ranges, folding and semantic
/// tokens of the edited text are those of a server opened with that text.
#[test]
fn requests_after_edits_during_the_first_parse_answer_for_the_edited_text() {
    let mut client = Client::spawn();
    client.initialize_with(json!({"general": {"positionEncodings": ["utf-8"]}}));
    // Long enough for its full parse to be under way while the edits come.
    let big = include_str!("../../tests/fixtures/bench/Dockerfile.big");
    let mut text = format!("{STRUCTURE}{big}");
    client.open(URI, 1, &text);
    for (version, line) in [(2, 3), (3, 0), (4, 6), (5, 1)] {
        let insert = format!("LABEL v{version}=\"é😀\"\n");
        client.change(URI, version, (line, 0), (line, 0), &insert);
        let at = text
            .split_inclusive('\n')
            .take(line as usize)
            .map(str::len)
            .sum::<usize>();
        text.insert_str(at, &insert);
    }
    let mut fresh = Client::spawn();
    fresh.initialize_with(json!({"general": {"positionEncodings": ["utf-8"]}}));
    fresh.open(URI, 5, &text);
    let a = text.find("target=/root").expect("target") + 2;
    let b = text.find("wörld").expect("world") + 3;
    let positions = json!([pos(&text, a, "utf-8"), pos(&text, b, "utf-8")]);
    for (method, params) in [
        (
            "textDocument/selectionRange",
            json!({"textDocument": doc(), "positions": positions}),
        ),
        ("textDocument/foldingRange", json!({"textDocument": doc()})),
        (
            "textDocument/semanticTokens/full",
            json!({"textDocument": doc()}),
        ),
    ] {
        let edited = client.call_ok(method, params.clone());
        assert_eq!(edited, fresh.call_ok(method, params), "{method}");
    }
    let diagnostics = client.diagnostics_at(URI, 5);
    assert_eq!(
        diagnostics["diagnostics"],
        fresh.diagnostics_at(URI, 5)["diagnostics"]
    );
}
