//! Navigation and structure through the real server binary: definition, references,
//! document highlights, prepareRename/rename (and their refusals), document and workspace
//! symbols, document links and inlay hints.
//!
//! Fixtures mark the cursor with `‸` and expected ranges with `«…»`; positions are
//! converted here from byte offsets, independently of the server, in the negotiated
//! encoding (UTF-16 unless a test offers another).

mod common;

use common::{position_at, Client};
use serde_json::{json, Value};

const URI: &str = "file:///test/Dockerfile";
const CURSOR: char = '‸';

/// A fixture without its markers: the text, the cursor offset, the marked spans.
struct Fixture {
    text: String,
    cursor: Option<usize>,
    marks: Vec<(usize, usize)>,
}

fn fixture(src: &str) -> Fixture {
    let mut text = String::with_capacity(src.len());
    let mut cursor = None;
    let mut marks = Vec::new();
    let mut open = Vec::new();
    for c in src.chars() {
        match c {
            CURSOR => cursor = Some(text.len()),
            '«' => open.push(text.len()),
            '»' => marks.push((open.pop().expect("unbalanced «»"), text.len())),
            _ => text.push(c),
        }
    }
    assert!(open.is_empty(), "unbalanced «»");
    marks.sort_unstable();
    Fixture {
        text,
        cursor,
        marks,
    }
}

/// A protocol position in `encoding` -> byte offset, computed here.
fn offset_of(text: &str, line: u64, character: u64, encoding: &str) -> usize {
    let mut start = 0;
    for _ in 0..line {
        start = text[start..]
            .find('\n')
            .map_or(text.len(), |i| start + i + 1);
    }
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let content = text[start..end].trim_end_matches('\r');
    let mut units = 0u64;
    for (i, ch) in content.char_indices() {
        if units >= character {
            return start + i;
        }
        units += match encoding {
            "utf-8" => ch.len_utf8(),
            "utf-16" => ch.len_utf16(),
            _ => 1,
        } as u64;
    }
    start + content.len()
}

struct Session {
    client: Client,
    encoding: String,
    version: i64,
    text: String,
}

impl Session {
    fn new() -> Session {
        Session::with_encodings(&[])
    }

    fn with_encodings(encodings: &[&str]) -> Session {
        let mut client = Client::spawn();
        let caps = if encodings.is_empty() {
            json!({})
        } else {
            json!({"general": {"positionEncodings": encodings}})
        };
        let init = client.initialize_with(caps);
        let c = &init["capabilities"];
        for p in [
            "definitionProvider",
            "referencesProvider",
            "documentHighlightProvider",
            "documentSymbolProvider",
            "workspaceSymbolProvider",
            "inlayHintProvider",
        ] {
            assert_eq!(c[p], json!(true), "{p}: {init}");
        }
        assert_eq!(
            c["renameProvider"]["prepareProvider"],
            json!(true),
            "{init}"
        );
        assert!(c["documentLinkProvider"].is_object(), "{init}");
        let encoding = c["positionEncoding"]
            .as_str()
            .unwrap_or("utf-16")
            .to_string();
        Session {
            client,
            encoding,
            version: 0,
            text: String::new(),
        }
    }

    /// Open (first time) or replace the document's text.
    fn load(&mut self, text: &str) {
        self.version += 1;
        if self.version == 1 {
            self.client.open(URI, self.version, text);
        } else {
            self.client.change_full(URI, self.version, text);
        }
        self.text = text.to_string();
    }

    fn pos(&self, offset: usize) -> Value {
        let (line, character) = position_at(&self.text, offset, &self.encoding);
        json!({"line": line, "character": character})
    }

    fn span(&self, range: &Value) -> (usize, usize) {
        let at = |p: &Value| {
            offset_of(
                &self.text,
                p["line"].as_u64().expect("line"),
                p["character"].as_u64().expect("character"),
                &self.encoding,
            )
        };
        (at(&range["start"]), at(&range["end"]))
    }

    fn at_cursor(&mut self, method: &str, f: &Fixture, extra: Value) -> Value {
        self.load(&f.text);
        let mut params = json!({
            "textDocument": {"uri": URI},
            "position": self.pos(f.cursor.expect("cursor marker")),
        });
        if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        self.client.call(method, params)
    }

    fn ok_at_cursor(&mut self, method: &str, f: &Fixture, extra: Value) -> Value {
        let resp = self.at_cursor(method, f, extra);
        assert!(resp.get("error").is_none(), "{method} failed: {resp}");
        resp["result"].clone()
    }

    /// The spans of a list of locations (all in this document), sorted.
    fn location_spans(&self, result: &Value) -> Vec<(usize, usize)> {
        let list = match result {
            Value::Null => Vec::new(),
            Value::Array(a) => a.clone(),
            one => vec![one.clone()],
        };
        let mut spans: Vec<(usize, usize)> = list
            .iter()
            .map(|l| {
                assert_eq!(l["uri"], URI, "{l}");
                self.span(&l["range"])
            })
            .collect();
        spans.sort_unstable();
        spans
    }

    /// The text after applying a rename's workspace edit.
    fn apply(&self, edit: &Value) -> String {
        let edits = edit["changes"][URI]
            .as_array()
            .expect("edits for the document");
        let mut spans: Vec<((usize, usize), String)> = edits
            .iter()
            .map(|e| {
                (
                    self.span(&e["range"]),
                    e["newText"].as_str().expect("newText").to_string(),
                )
            })
            .collect();
        spans.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
        let mut out = self.text.clone();
        for ((a, b), new) in spans {
            out.replace_range(a..b, &new);
        }
        out
    }

    fn rename(&mut self, src: &str, new_name: &str) -> Value {
        let f = fixture(src);
        self.at_cursor("textDocument/rename", &f, json!({"newName": new_name}))
    }

    fn renamed(&mut self, src: &str, new_name: &str) -> String {
        let resp = self.rename(src, new_name);
        assert!(resp.get("error").is_none(), "rename failed: {resp}");
        self.apply(&resp["result"])
    }
}

// ---------------------------------------------------------------------------------------
// definition

#[test]
fn definition_of_stage_references() {
    let mut s = Session::new();
    let base = "FROM golang:1.22 AS «builder»\n\
        RUN go build -o /out/app .\n\
        FROM builder AS test\n\
        RUN --mount=type=cache,target=/root/.cache,from=builder go test ./...\n\
        FROM alpine\n\
        COPY --from=builder /out/app /app\n";
    for (needle, at) in [
        ("FROM builder AS", 7),
        ("from=builder go", 7),
        ("--from=builder /out", 10),
    ] {
        let i = base.find(needle).expect(needle) + at;
        let src = format!("{}{CURSOR}{}", &base[..i], &base[i..]);
        let f = fixture(&src);
        let r = s.ok_at_cursor("textDocument/definition", &f, json!({}));
        assert_eq!(s.location_spans(&r), f.marks, "{needle}: {r}");
    }
}

#[test]
fn definition_of_index_reference_and_nothing_elsewhere() {
    let mut s = Session::new();
    let f = fixture("FROM «alpine:3.20»\nRUN true\nFROM scratch\nCOPY --from=‸0 /etc /etc\n");
    let r = s.ok_at_cursor("textDocument/definition", &f, json!({}));
    assert_eq!(s.location_spans(&r), f.marks, "{r}");
    let f = fixture("FROM alp‸ine\nRUN true\n");
    let r = s.ok_at_cursor("textDocument/definition", &f, json!({}));
    assert_eq!(r, Value::Null);
}

#[test]
fn definition_of_variables_follows_buildkit_scoping() {
    let mut s = Session::new();
    // a FROM use: the global ARG
    let f =
        fixture("ARG «VERSION»=3.20\nFROM alpine:${VER‸SION}\nARG VERSION\nRUN echo $VERSION\n");
    let r = s.ok_at_cursor("textDocument/definition", &f, json!({}));
    assert_eq!(s.location_spans(&r), f.marks, "{r}");
    // a stage use: the stage's re-declaration
    let f =
        fixture("ARG VERSION=3.20\nFROM alpine:${VERSION}\nARG «VERSION»\nRUN echo $VER‸SION\n");
    let r = s.ok_at_cursor("textDocument/definition", &f, json!({}));
    assert_eq!(s.location_spans(&r), f.marks, "{r}");
    // the re-declaration: the global ARG
    let f =
        fixture("ARG «VERSION»=3.20\nFROM alpine:${VERSION}\nARG VERS‸ION\nRUN echo $VERSION\n");
    let r = s.ok_at_cursor("textDocument/definition", &f, json!({}));
    assert_eq!(s.location_spans(&r), f.marks, "{r}");
    // after an ENV shadowing the ARG: the ENV
    let f = fixture("FROM alpine\nARG A=1\nENV «A»=${A}-2\nRUN echo ${‸A}\n");
    let r = s.ok_at_cursor("textDocument/definition", &f, json!({}));
    assert_eq!(s.location_spans(&r), f.marks, "{r}");
    // the ENV value's own use: the ARG before it
    let f = fixture("FROM alpine\nARG «A»=1\nENV A=${‸A}-2\nRUN echo ${A}\n");
    let r = s.ok_at_cursor("textDocument/definition", &f, json!({}));
    assert_eq!(s.location_spans(&r), f.marks, "{r}");
    // a global ARG not re-declared in the stage is not in scope there
    let f = fixture("ARG V=1\nFROM alpine\nRUN echo $‸V\n");
    let r = s.ok_at_cursor("textDocument/definition", &f, json!({}));
    assert_eq!(r, Value::Null);
}

#[test]
fn definition_of_heredoc_closing_line() {
    let mut s = Session::new();
    let f = fixture("FROM alpine\nRUN <<-«EOT» bash\n\techo hi\n\tEO‸T\n");
    let r = s.ok_at_cursor("textDocument/definition", &f, json!({}));
    assert_eq!(s.location_spans(&r), f.marks, "{r}");
}

// ---------------------------------------------------------------------------------------
// references and highlights

const STAGES: &str = "FROM golang:1.22 AS «bu‸ild»\n\
    RUN go build -o /out/app .\n\
    FROM «build» AS test\n\
    RUN --mount=type=cache,target=/root/.cache,from=«build» go test ./...\n\
    FROM alpine\n\
    COPY --from=«build» /out/app /app\n\
    COPY --from=«0» /etc/ssl /etc/ssl\n";

#[test]
fn references_of_a_stage_with_and_without_declaration() {
    let mut s = Session::new();
    let f = fixture(STAGES);
    let r = s.ok_at_cursor(
        "textDocument/references",
        &f,
        json!({"context": {"includeDeclaration": true}}),
    );
    assert_eq!(s.location_spans(&r), f.marks, "{r}");
    let r = s.ok_at_cursor(
        "textDocument/references",
        &f,
        json!({"context": {"includeDeclaration": false}}),
    );
    assert_eq!(s.location_spans(&r), f.marks[1..].to_vec(), "{r}");
}

#[test]
fn references_of_a_global_arg_include_redeclarations_not_env() {
    let mut s = Session::new();
    let src = "ARG «NODE_VERSION»=20\n\
        FROM node:${«NODE_V‸ERSION»}-alpine AS build\n\
        ARG «NODE_VERSION»\n\
        RUN echo \"$«NODE_VERSION»\"\n\
        ENV NODE_VERSION=${«NODE_VERSION»}.1\n\
        RUN echo ${NODE_VERSION}\n\
        FROM node:$«NODE_VERSION»\n";
    let f = fixture(src);
    let r = s.ok_at_cursor(
        "textDocument/references",
        &f,
        json!({"context": {"includeDeclaration": true}}),
    );
    assert_eq!(s.location_spans(&r), f.marks, "{r}");
    // the ENV is its own symbol
    let src = "ARG NODE_VERSION=20\n\
        FROM node:${NODE_VERSION}-alpine AS build\n\
        ARG NODE_VERSION\n\
        ENV «NODE_VER‸SION»=${NODE_VERSION}.1\n\
        RUN echo ${«NODE_VERSION»}\n";
    let f = fixture(src);
    let r = s.ok_at_cursor(
        "textDocument/references",
        &f,
        json!({"context": {"includeDeclaration": true}}),
    );
    assert_eq!(s.location_spans(&r), f.marks, "{r}");
}

#[test]
fn highlights_have_read_and_write_kinds() {
    let mut s = Session::new();
    let f = fixture(STAGES);
    let r = s.ok_at_cursor("textDocument/documentHighlight", &f, json!({}));
    let list = r.as_array().expect("highlights");
    let mut got: Vec<((usize, usize), i64)> = list
        .iter()
        .map(|h| (s.span(&h["range"]), h["kind"].as_i64().unwrap_or(1)))
        .collect();
    got.sort_unstable();
    let want: Vec<((usize, usize), i64)> = f
        .marks
        .iter()
        .enumerate()
        .map(|(i, m)| (*m, if i == 0 { 3 } else { 2 }))
        .collect();
    assert_eq!(got, want, "{r}");
    // heredoc delimiters: text
    let f = fixture("FROM alpine\nCOPY <<«E‸OF» /etc/motd\nhello\n«EOF»\n");
    let r = s.ok_at_cursor("textDocument/documentHighlight", &f, json!({}));
    let list = r.as_array().expect("highlights");
    let mut spans: Vec<(usize, usize)> = list.iter().map(|h| s.span(&h["range"])).collect();
    spans.sort_unstable();
    assert_eq!(spans, f.marks, "{r}");
    assert!(list.iter().all(|h| h["kind"] == 1), "{r}");
}

// ---------------------------------------------------------------------------------------
// rename

#[test]
fn prepare_rename_range_and_placeholder() {
    let mut s = Session::new();
    let f = fixture("FROM golang AS «builder»\nFROM alpine\nCOPY --from=buil‸der /a /b\n");
    let r = s.ok_at_cursor("textDocument/prepareRename", &f, json!({}));
    assert_eq!(r["placeholder"], "builder", "{r}");
    // the range is the name under the cursor (the reference), not the declaration
    let want = f.text.rfind("builder").map(|i| (i, i + 7));
    assert_eq!(Some(s.span(&r["range"])), want, "{r}");
    // nothing to rename: null
    for src in [
        "FROM alp‸ine\n",
        "FROM alpine AS a\nFROM scratch\nCOPY --from=‸0 / /\n",
        "FROM alpine\nRUN echo $TARGET‸ARCH\n",
        "FROM alpine\nRUN echo $UNDE‸FINED\n",
    ] {
        let f = fixture(src);
        let r = s.ok_at_cursor("textDocument/prepareRename", &f, json!({}));
        assert_eq!(r, Value::Null, "{src}");
    }
}

#[test]
fn rename_stage_across_all_reference_kinds_keeps_index_references() {
    let mut s = Session::new();
    let out = s.renamed(STAGES, "compile");
    assert_eq!(
        out,
        "FROM golang:1.22 AS compile\n\
         RUN go build -o /out/app .\n\
         FROM compile AS test\n\
         RUN --mount=type=cache,target=/root/.cache,from=compile go test ./...\n\
         FROM alpine\n\
         COPY --from=compile /out/app /app\n\
         COPY --from=0 /etc/ssl /etc/ssl\n"
    );
    // from a reference, with the declaration in another case
    let out = s.renamed(
        "FROM golang AS Build\nFROM alpine\nCOPY --from=bu‸ild /a /b\n",
        "b2",
    );
    assert_eq!(
        out,
        "FROM golang AS b2\nFROM alpine\nCOPY --from=b2 /a /b\n"
    );
}

#[test]
fn rename_global_arg_with_redeclaration_and_uses() {
    let mut s = Session::new();
    let src = "ARG NODE‸_VERSION=20\n\
        FROM node:${NODE_VERSION}-alpine AS build\n\
        ARG NODE_VERSION\n\
        RUN echo \"$NODE_VERSION\"\n\
        ENV NODE_VERSION=${NODE_VERSION}.1\n\
        RUN echo ${NODE_VERSION}\n\
        FROM node:$NODE_VERSION\n";
    assert_eq!(
        s.renamed(src, "NODE"),
        "ARG NODE=20\n\
         FROM node:${NODE}-alpine AS build\n\
         ARG NODE\n\
         RUN echo \"$NODE\"\n\
         ENV NODE_VERSION=${NODE}.1\n\
         RUN echo ${NODE_VERSION}\n\
         FROM node:$NODE\n"
    );
    // from a use inside the stage: the same symbol
    let from_use = src
        .replace('‸', "")
        .replacen("echo \"$NODE", "echo \"$NO‸DE", 1);
    let first = s.renamed(src, "NODE");
    assert_eq!(s.renamed(&from_use, "NODE"), first);
}

#[test]
fn rename_env_and_heredoc() {
    let mut s = Session::new();
    assert_eq!(
        s.renamed(
            "FROM alpine\nENV A‸PP_HOME=/app\nWORKDIR $APP_HOME\nCOPY . ${APP_HOME}/src\n",
            "ROOT"
        ),
        "FROM alpine\nENV ROOT=/app\nWORKDIR $ROOT\nCOPY . ${ROOT}/src\n"
    );
    assert_eq!(
        s.renamed(
            "FROM alpine\nRUN <<E‸OF\necho one\nEOF\nCOPY <<-\"EOF\" /x\n\tEOF2\n\tEOF\n",
            "SCRIPT"
        ),
        "FROM alpine\nRUN <<SCRIPT\necho one\nSCRIPT\nCOPY <<-\"EOF\" /x\n\tEOF2\n\tEOF\n"
    );
    // the quoted, tab-stripped one, from its closing line
    assert_eq!(
        s.renamed("FROM alpine\nCOPY <<-\"EOF\" /x\n\tbody\n\tE‸OF\n", "END"),
        "FROM alpine\nCOPY <<-\"END\" /x\n\tbody\n\tEND\n"
    );
}

fn error_of(resp: &Value) -> (i64, String) {
    let e = resp
        .get("error")
        .unwrap_or_else(|| panic!("expected an error: {resp}"));
    (
        e["code"].as_i64().expect("code"),
        e["message"].as_str().expect("message").to_string(),
    )
}

#[test]
fn rename_refuses_invalid_names_and_collisions() {
    let mut s = Session::new();
    let src = "FROM golang AS bu‸ild\nFROM alpine AS other\nCOPY --from=build / /\n";
    for bad in ["Build", "1st", "a b", "with/slash", ""] {
        let (code, msg) = error_of(&s.rename(src, bad));
        assert_eq!(code, -32602, "{bad}");
        assert!(msg.contains("not a valid stage name"), "{bad}: {msg}");
    }
    for reserved in ["scratch", "context"] {
        let (code, msg) = error_of(&s.rename(src, reserved));
        assert_eq!(code, -32602);
        assert!(msg.contains("reserved"), "{msg}");
    }
    let (code, msg) = error_of(&s.rename(src, "other"));
    assert_eq!(code, -32602);
    assert!(msg.contains("already exists"), "{msg}");
    // variables
    let src = "FROM alpine\nARG ‸A=1\nENV B=2\nRUN echo $A $B\n";
    for bad in ["1A", "A-B", "A B", "$A"] {
        let (code, msg) = error_of(&s.rename(src, bad));
        assert_eq!(code, -32602, "{bad}");
        assert!(msg.contains("not a valid variable name"), "{bad}: {msg}");
    }
    let (_, msg) = error_of(&s.rename(src, "B"));
    assert!(msg.contains("already defined"), "{msg}");
    // nothing renamable
    let (code, _) = error_of(&s.rename("FROM alp‸ine\n", "x"));
    assert_eq!(code, -32803);
    // the document is untouched and the server still answers
    let f = fixture("FROM golang AS «bu‸ild»\n");
    let r = s.ok_at_cursor(
        "textDocument/references",
        &f,
        json!({"context": {"includeDeclaration": true}}),
    );
    assert_eq!(s.location_spans(&r), f.marks);
}

// ---------------------------------------------------------------------------------------
// positions: non-ASCII text and CRLF line ends

const WIDE: &str = "# Größe 😀\r\n\
    ARG VER=1\r\n\
    FROM alpine AS «bäse»\r\n\
    RUN echo \"😀 ${VER}\" && echo ü\r\n\
    FROM «bäse»\r\n\
    COPY --from=«bä‸se» /😀 /ü\r\n";

#[test]
fn utf16_positions_with_non_ascii_and_crlf() {
    // Stage names and variable names outside ASCII are not valid for BuildKit, but the
    // positions around them must still be exact.
    let mut s = Session::new();
    assert_eq!(s.encoding, "utf-16");
    let f = fixture(WIDE);
    let r = s.ok_at_cursor(
        "textDocument/references",
        &f,
        json!({"context": {"includeDeclaration": true}}),
    );
    assert_eq!(s.location_spans(&r), f.marks, "{r}");
    // the COPY line's reference in raw UTF-16 columns
    let copy = r
        .as_array()
        .expect("locations")
        .iter()
        .find(|l| l["range"]["start"]["line"] == 5)
        .expect("reference on line 5")
        .clone();
    assert_eq!(copy["range"]["start"]["character"], 12);
    assert_eq!(copy["range"]["end"]["character"], 16);
    let out = s.renamed(
        "FROM alpine AS bäse\r\nRUN echo 😀\r\nFROM bäse\r\nCOPY --from=bä‸se /😀 /ü\r\n",
        "base",
    );
    assert_eq!(
        out,
        "FROM alpine AS base\r\nRUN echo 😀\r\nFROM base\r\nCOPY --from=base /😀 /ü\r\n"
    );
}

#[test]
fn utf16_positions_of_variables_after_surrogate_pairs() {
    let mut s = Session::new();
    let src = "FROM alpine\r\nARG «V»=1\r\nRUN echo \"😀😀\" ${«‸V»} ü $«V»\r\n";
    let f = fixture(src);
    let r = s.ok_at_cursor(
        "textDocument/references",
        &f,
        json!({"context": {"includeDeclaration": true}}),
    );
    assert_eq!(s.location_spans(&r), f.marks, "{r}");
    let uses: Vec<u64> = r
        .as_array()
        .expect("locations")
        .iter()
        .filter(|l| l["range"]["start"]["line"] == 2)
        .filter_map(|l| l["range"]["start"]["character"].as_u64())
        .collect();
    // `RUN echo "😀😀" ${` is 18 UTF-16 units; `V} ü $` adds 6
    assert!(uses.contains(&18) && uses.contains(&24), "{uses:?}");
}

#[test]
fn utf8_positions_when_negotiated() {
    let mut s = Session::with_encodings(&["utf-8", "utf-16"]);
    assert_eq!(s.encoding, "utf-8");
    let f = fixture(WIDE);
    let r = s.ok_at_cursor("textDocument/definition", &f, json!({}));
    assert_eq!(s.location_spans(&r), vec![f.marks[0]], "{r}");
}

// ---------------------------------------------------------------------------------------
// symbols

const OUTLINE: &str = "# syntax=docker/dockerfile:1\n\
    ARG BASE=alpine:3.20\n\
    FROM ${BASE} AS build\n\
    ENV A=1 B=2\n\
    RUN apk add --no-cache \\\n    curl git\n\
    COPY . /src\n\
    FROM scratch\n\
    COPY --from=build /src /\n\
    CMD [\"/app\"]\n";

#[test]
fn document_symbols_hierarchy() {
    let mut s = Session::new();
    s.load(OUTLINE);
    let r = s.client.call_ok(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    let top = r.as_array().expect("symbols");
    let names: Vec<&str> = top.iter().filter_map(|x| x["name"].as_str()).collect();
    assert_eq!(names, ["BASE", "build", "stage 1"], "{r}");
    assert_eq!(top[0]["kind"], 13, "global ARG is a Variable");
    assert_eq!(top[1]["detail"], "${BASE}");
    assert_eq!(top[2]["detail"], "scratch");
    let children = |i: usize| -> Vec<String> {
        top[i]["children"]
            .as_array()
            .map(|c| {
                c.iter()
                    .filter_map(|x| x["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        children(1),
        ["A", "B", "RUN apk add --no-cache …", "COPY . /src"]
    );
    assert_eq!(children(2), ["COPY --from=build /src /", "CMD [\"/app\"]"]);
    assert_eq!(top[1]["children"][0]["kind"], 13);
    // ranges: the stage spans lines 2..=6, its selection is the name
    assert_eq!(top[1]["range"]["start"]["line"], 2);
    assert_eq!(top[1]["range"]["end"]["line"], 6);
    let sel = s.span(&top[1]["selectionRange"]);
    assert_eq!(&OUTLINE[sel.0..sel.1], "build");
    // the multi-line RUN covers both lines
    let run = &top[1]["children"][2];
    assert_eq!(run["range"]["start"]["line"], 4);
    assert_eq!(run["range"]["end"]["line"], 5);
}

#[test]
fn workspace_symbols_over_open_documents() {
    let mut s = Session::new();
    s.load(OUTLINE);
    let other = "file:///test/other/Dockerfile";
    s.client.open(
        other,
        1,
        "ARG BUILDER_IMAGE=golang\nFROM $BUILDER_IMAGE AS builder\nFROM alpine\n",
    );
    let r = s
        .client
        .call_ok("workspace/symbol", json!({"query": "build"}));
    let mut got: Vec<(String, String)> = r
        .as_array()
        .expect("symbols")
        .iter()
        .map(|x| {
            (
                x["name"].as_str().unwrap_or_default().to_string(),
                x["location"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("BUILDER_IMAGE".to_string(), other.to_string()),
            ("build".to_string(), URI.to_string()),
            ("builder".to_string(), other.to_string()),
        ],
        "{r}"
    );
    let r = s.client.call_ok("workspace/symbol", json!({"query": ""}));
    assert!(r.as_array().expect("symbols").len() >= 8, "{r}");
    let r = s
        .client
        .call_ok("workspace/symbol", json!({"query": "zzz"}));
    assert_eq!(r, json!([]));
}

// ---------------------------------------------------------------------------------------
// links and inlay hints

#[test]
fn document_links_to_registries_and_add_urls() {
    let mut s = Session::new();
    let f = fixture(
        "# syntax=«docker/dockerfile:1.7»\n\
         ARG V=20\n\
         FROM «node:${V}» AS build\n\
         FROM build AS again\n\
         FROM «ghcr.io/astral-sh/uv:0.4» AS uv\n\
         FROM «quay.io/prometheus/node-exporter:v1» AS q\n\
         FROM «mcr.microsoft.com/dotnet/sdk:8.0» AS m\n\
         FROM «gcr.io/distroless/static:nonroot» AS g\n\
         FROM «bitnami/redis:7» AS r\n\
         FROM img:${UNSET} AS unresolved\n\
         FROM scratch\n\
         ADD «https://example.com/a.tar.gz» /dst/\n",
    );
    s.load(&f.text);
    let r = s.client.call_ok(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": URI}}),
    );
    let mut got: Vec<((usize, usize), String)> = r
        .as_array()
        .expect("links")
        .iter()
        .map(|l| {
            (
                s.span(&l["range"]),
                l["target"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    got.sort();
    let spans: Vec<(usize, usize)> = got.iter().map(|(s, _)| *s).collect();
    assert_eq!(spans, f.marks, "{r}");
    let targets: Vec<&str> = got.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        targets,
        [
            "https://hub.docker.com/r/docker/dockerfile",
            "https://hub.docker.com/_/node",
            "https://github.com/orgs/astral-sh/packages?repo_name=uv",
            "https://quay.io/repository/prometheus/node-exporter",
            "https://mcr.microsoft.com/artifact/mar/dotnet/sdk",
            "https://gcr.io/distroless/static",
            "https://hub.docker.com/r/bitnami/redis",
            "https://example.com/a.tar.gz",
        ]
    );
}

fn hints(
    s: &mut Session,
    text: &str,
    range: Option<((u32, u32), (u32, u32))>,
) -> Vec<(usize, String)> {
    s.load(text);
    let lines = text.lines().count() as u32;
    let ((a, b), (c, d)) = range.unwrap_or(((0, 0), (lines + 1, 0)));
    let r = s.client.call_ok(
        "textDocument/inlayHint",
        json!({
            "textDocument": {"uri": URI},
            "range": {"start": {"line": a, "character": b}, "end": {"line": c, "character": d}}
        }),
    );
    r.as_array()
        .expect("hints")
        .iter()
        .map(|h| {
            let p = &h["position"];
            let off = offset_of(
                &s.text,
                p["line"].as_u64().unwrap_or(0),
                p["character"].as_u64().unwrap_or(0),
                &s.encoding,
            );
            (off, h["label"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

#[test]
fn inlay_hints_values_and_stage_indexes() {
    let mut s = Session::new();
    let text = "ARG NODE_VERSION=20-alpine\n\
        FROM node:${NODE_VERSION} AS build\n\
        FROM alpine:3.20\n\
        COPY --from=build /a /a\n\
        FROM ${MISSING:-busybox}\n";
    let got = hints(&mut s, text, None);
    let after = |needle: &str| text.find(needle).map(|i| i + needle.len()).unwrap_or(0);
    assert_eq!(
        got,
        [
            (after("${NODE_VERSION}"), "20-alpine".to_string()),
            (after("alpine:3.20"), "#1".to_string()),
            (after("${MISSING:-busybox}"), "busybox".to_string()),
            (after("${MISSING:-busybox}"), "#2".to_string()),
        ]
    );
    // only the requested lines
    let got = hints(&mut s, text, Some(((2, 0), (3, 0))));
    assert_eq!(got, [(after("alpine:3.20"), "#1".to_string())]);
}

#[test]
fn inlay_hint_positions_in_utf16() {
    let mut s = Session::new();
    let text = "ARG V=1\r\nFROM img😀:${V}\r\nFROM alpine\r\n";
    s.load(text);
    let r = s.client.call_ok(
        "textDocument/inlayHint",
        json!({
            "textDocument": {"uri": URI},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}}
        }),
    );
    let first = &r.as_array().expect("hints")[0];
    // `FROM img😀:${É}` is 15 UTF-16 units
    assert_eq!(
        first["position"],
        json!({"line": 1, "character": 15}),
        "{r}"
    );
}
