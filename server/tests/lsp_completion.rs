//! Completion, completion resolve and signature help through the real server binary.
//!
//! Each case is a Dockerfile with a `|` cursor marker. Expected text edit ranges are
//! computed here from byte offsets, independently of the server's conversion code.

mod common;

use common::{position_at, Client};
use serde_json::{json, Value};

const URI: &str = "file:///test/Dockerfile";

struct Session {
    client: Client,
    encoding: &'static str,
    version: i64,
    opened: bool,
}

impl Session {
    fn new() -> Session {
        Session::with(json!({}), "utf-16")
    }

    /// A client declaring `capabilities`; `encoding` is what it should end up with.
    fn with(capabilities: Value, encoding: &'static str) -> Session {
        let mut client = Client::spawn();
        let init = client.initialize_with(capabilities);
        let negotiated = init["capabilities"]["positionEncoding"]
            .as_str()
            .unwrap_or("utf-16")
            .to_string();
        assert_eq!(negotiated, encoding, "{init}");
        let triggers = &init["capabilities"]["completionProvider"]["triggerCharacters"];
        for t in ["-", "=", ",", "$", "{", " "] {
            assert!(
                triggers.as_array().unwrap().contains(&json!(t)),
                "{triggers}"
            );
        }
        assert_eq!(
            init["capabilities"]["completionProvider"]["resolveProvider"],
            json!(true)
        );
        Session {
            client,
            encoding,
            version: 0,
            opened: false,
        }
    }

    fn snippets() -> Session {
        Session::with(
            json!({"textDocument": {"completion": {"completionItem": {"snippetSupport": true}}}}),
            "utf-16",
        )
    }

    /// Put `text` (without the marker) in the document; returns the marker's byte offset.
    fn load(&mut self, src: &str) -> (String, usize) {
        let offset = src.find('|').expect("cursor marker");
        let text = format!("{}{}", &src[..offset], &src[offset + 1..]);
        self.version += 1;
        if self.opened {
            self.client.change_full(URI, self.version, &text);
        } else {
            self.client.open(URI, self.version, &text);
            self.opened = true;
        }
        (text, offset)
    }

    fn pos(&self, text: &str, offset: usize) -> Value {
        let (line, character) = position_at(text, offset, self.encoding);
        json!({"line": line, "character": character})
    }

    /// The completion result (list or array → items) at the marker.
    fn complete(&mut self, src: &str) -> (String, usize, Vec<Value>) {
        let (text, offset) = self.load(src);
        let pos = self.pos(&text, offset);
        let result = self.client.call_ok(
            "textDocument/completion",
            json!({"textDocument": {"uri": URI}, "position": pos}),
        );
        let items = match &result {
            Value::Null => Vec::new(),
            Value::Array(a) => a.clone(),
            Value::Object(o) => o
                .get("items")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            other => panic!("unexpected completion result {other}"),
        };
        (text, offset, items)
    }

    fn labels(&mut self, src: &str) -> Vec<String> {
        let (_, _, items) = self.complete(src);
        items
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    }

    /// Labels, and check every item's text edit replaces exactly `replaced` before the cursor.
    fn labels_replacing(&mut self, src: &str, replaced: &str) -> Vec<String> {
        let (text, offset, items) = self.complete(src);
        let start = offset - replaced.len();
        assert_eq!(&text[start..offset], replaced);
        let want = json!({"start": self.pos(&text, start), "end": self.pos(&text, offset)});
        for i in &items {
            assert_eq!(i["textEdit"]["range"], want, "item {i} in {src:?}");
        }
        items
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    }

    fn item(&mut self, src: &str, label: &str) -> Value {
        let (_, _, items) = self.complete(src);
        items
            .into_iter()
            .find(|i| i["label"] == label)
            .unwrap_or_else(|| panic!("no item {label:?} at {src:?}"))
    }
}

fn has(labels: &[String], want: &[&str]) -> bool {
    want.iter().all(|w| labels.iter().any(|l| l == w))
}

#[test]
fn stage_names_only_before_the_current_stage() {
    let mut s = Session::new();
    let src = "FROM golang:1.22 AS build\nRUN go build\nFROM build AS test\nFROM busybox\nFROM alpine AS final\nCOPY --from=| /out /app\nFROM scratch AS later\n";
    let labels = s.labels_replacing(src, "");
    // named stages by name; an index only for the unnamed one
    assert_eq!(labels, ["build", "test", "2"]);
    let (_, _, items) = s.complete(src);
    let sort = |l: &str| {
        items.iter().find(|i| i["label"] == l).unwrap()["sortText"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(sort("test") < sort("2"), "names sort before indices");
    // partially typed
    assert_eq!(
        s.labels_replacing("FROM a AS build\nFROM b\nCOPY --from=bu| x y\n", "bu"),
        ["build"]
    );
    // ADD --from and RUN --mount=...,from=
    assert_eq!(
        s.labels("FROM a AS one\nFROM b AS two\nADD --from=| x y\n"),
        ["one"]
    );
    assert_eq!(
        s.labels_replacing(
            "FROM a AS deps\nFROM b\nRUN --mount=type=bind,from=de|,target=/d true\n",
            "de"
        ),
        ["deps"]
    );
    // the first stage has no earlier stage
    assert!(s
        .labels("FROM a AS one\nCOPY --from=| x y\nFROM b AS two\n")
        .is_empty());
}

#[test]
fn mount_types_keys_and_values() {
    let mut s = Session::new();
    assert_eq!(
        s.labels("FROM a\nRUN --mount=type=|"),
        ["bind", "cache", "tmpfs", "secret", "ssh"]
    );
    assert_eq!(
        s.labels_replacing("FROM a\nRUN --mount=type=cache,|", ""),
        ["target", "id", "sharing", "from", "source", "mode", "uid", "gid", "readonly"]
    );
    assert_eq!(
        s.labels("FROM a\nRUN --mount=type=secret,|"),
        ["id", "target", "env", "required", "mode", "uid", "gid"]
    );
    assert_eq!(
        s.labels("FROM a\nRUN --mount=type=ssh,|"),
        ["id", "target", "required", "mode", "uid", "gid"]
    );
    assert_eq!(
        s.labels("FROM a\nRUN --mount=type=bind,|"),
        ["target", "source", "from", "readwrite"]
    );
    assert_eq!(
        s.labels("FROM a\nRUN --mount=type=tmpfs,|"),
        ["target", "size"]
    );
    // a key already present is not offered again; the item inserts `key=`
    let labels = s.labels_replacing(
        "FROM a\nRUN --mount=type=cache,target=/root/.cache,sh|",
        "sh",
    );
    assert!(!labels.contains(&"target".to_string()) && labels.contains(&"sharing".to_string()));
    let item = s.item("FROM a\nRUN --mount=type=cache,target=/x,sh|", "sharing");
    assert_eq!(item["textEdit"]["newText"], "sharing=");
    assert_eq!(
        s.labels("FROM a\nRUN --mount=type=cache,target=/x,sharing=|"),
        ["shared", "private", "locked"]
    );
    assert_eq!(
        s.labels("FROM a\nRUN --mount=type=secret,id=t,required=|"),
        ["true", "false"]
    );
    assert_eq!(
        s.labels("FROM a\nRUN --mount=type=bind,readwrite=|"),
        ["true", "false"]
    );
}

#[test]
fn flags_and_flag_values() {
    let mut s = Session::new();
    assert_eq!(
        s.labels_replacing("FROM a\nRUN --|", "--"),
        ["--mount", "--network", "--security"]
    );
    assert_eq!(
        s.labels("FROM a\nCOPY --|"),
        [
            "--from",
            "--chown",
            "--chmod",
            "--link",
            "--parents",
            "--exclude"
        ]
    );
    let add = s.labels("FROM a\nADD --|");
    assert!(
        has(
            &add,
            &[
                "--chown",
                "--chmod",
                "--link",
                "--checksum",
                "--keep-git-dir",
                "--unpack",
                "--exclude"
            ]
        ),
        "{add:?}"
    );
    assert_eq!(s.labels("FROM --|"), ["--platform"]);
    assert_eq!(
        s.labels("FROM a\nHEALTHCHECK --|"),
        [
            "--interval",
            "--timeout",
            "--start-period",
            "--start-interval",
            "--retries"
        ]
    );
    // flags already present are not offered again
    let l = s.labels_replacing("FROM a\nCOPY --chown=1:1 --link --c|", "--c");
    assert!(
        !l.contains(&"--chown".to_string())
            && !l.contains(&"--link".to_string())
            && l.contains(&"--chmod".to_string())
    );
    // valued flags insert `--name=`, boolean ones just the name
    assert_eq!(
        s.item("FROM a\nCOPY --f|", "--from")["textEdit"]["newText"],
        "--from="
    );
    assert_eq!(
        s.item("FROM a\nCOPY --l|", "--link")["textEdit"]["newText"],
        "--link"
    );
    assert_eq!(
        s.labels("FROM a\nRUN --network=|"),
        ["default", "none", "host"]
    );
    assert_eq!(
        s.labels("FROM a\nRUN --security=|"),
        ["insecure", "sandbox"]
    );
    let p = s.labels_replacing("FROM --platform=linux/|", "linux/");
    assert!(
        has(
            &p,
            &[
                "$BUILDPLATFORM",
                "$TARGETPLATFORM",
                "linux/amd64",
                "linux/arm64",
                "linux/arm/v7"
            ]
        ),
        "{p:?}"
    );
}

#[test]
fn instructions_keywords_and_snippets() {
    let mut s = Session::new();
    let l = s.labels_replacing("FROM alpine\nCO|", "CO");
    assert!(has(&l, &["COPY", "RUN", "ENV", "HEALTHCHECK", "ONBUILD"]));
    let copy = s.item("FROM alpine\nCO|", "COPY");
    assert_eq!(copy["textEdit"]["newText"], "COPY ");
    assert_ne!(
        copy["insertTextFormat"],
        json!(2),
        "no snippets without client support"
    );
    assert_eq!(s.labels("FROM node:20 |"), ["AS"]);
    assert_eq!(s.labels("from node:20 a|"), ["as"]);
    let h = s.labels("FROM a\nHEALTHCHECK --interval=30s |");
    assert!(
        has(&h, &["CMD", "NONE", "--timeout"]) && !h.contains(&"--interval".to_string()),
        "{h:?}"
    );
    // no keywords in the middle of an instruction
    assert!(!s
        .labels("FROM a\nRUN apt-get update && \\\n    CO|")
        .contains(&"COPY".to_string()));
    assert!(s.labels("FROM a\nRUN apt-get ins|").is_empty());

    let mut s = Session::snippets();
    let copy = s.item("FROM alpine\nCO|", "COPY");
    assert_eq!(copy["insertTextFormat"], json!(2), "{copy}");
    assert!(
        copy["textEdit"]["newText"]
            .as_str()
            .unwrap()
            .starts_with("COPY ${1:"),
        "{copy}"
    );
}

#[test]
fn variables_after_dollar_and_brace() {
    let mut s = Session::new();
    let src =
        "ARG GLOBAL=1\nFROM alpine\nARG VERSION=2\nENV APP_HOME=/app\nRUN echo $|\nENV LATER=1\n";
    let l = s.labels_replacing(src, "");
    assert!(
        has(&l, &["VERSION", "APP_HOME", "TARGETARCH", "HTTP_PROXY"]),
        "{l:?}"
    );
    assert!(
        !l.contains(&"LATER".to_string()) && !l.contains(&"GLOBAL".to_string()),
        "{l:?}"
    );
    // `${` inserts the closing brace unless one follows
    let item = s.item("FROM alpine\nARG VERSION=2\nRUN echo ${VE|", "VERSION");
    assert_eq!(item["textEdit"]["newText"], "VERSION}");
    let item = s.item("FROM alpine\nARG VERSION=2\nRUN echo ${VE|}", "VERSION");
    assert_eq!(item["textEdit"]["newText"], "VERSION");
    // global ARGs in FROM lines
    let l = s.labels_replacing("ARG BASE=alpine\nARG TAG=3\nFROM ${BASE}:${T|", "T");
    assert!(has(&l, &["TAG", "BASE", "TARGETPLATFORM"]), "{l:?}");
}

#[test]
fn directives_and_suppression_comments() {
    let mut s = Session::new();
    let l = s.labels_replacing("# sy|\nFROM a\n", "sy");
    assert!(has(&l, &["syntax", "escape", "check"]), "{l:?}");
    assert!(s
        .labels("# syntax=|\nFROM a\n")
        .contains(&"docker/dockerfile:1".to_string()));
    assert_eq!(s.labels("# escape=|\nFROM a\n"), ["\\", "`"]);
    let l = s.labels("# check=|\nFROM a\n");
    assert!(has(&l, &["skip=", "error=true"]), "{l:?}");
    let l = s.labels_replacing("# check=skip=JSONArgsRecommended,Sta|\nFROM a\n", "Sta");
    assert!(
        l.contains(&"StageNameCasing".to_string())
            && !l.contains(&"JSONArgsRecommended".to_string()),
        "{l:?}"
    );
    // not a directive once an instruction was seen
    assert!(!s.labels("FROM a\n# sy|\n").contains(&"syntax".to_string()));
    // suppression comments: rule ids, hadolint aliases
    let l = s.labels_replacing("FROM a\n# dockerfile-ls ignore=|\nMAINTAINER me\n", "");
    assert!(l.contains(&"MaintainerDeprecated".to_string()), "{l:?}");
    let l = s.labels("FROM a\n# hadolint ignore=|\nRUN apt-get install x\n");
    assert!(
        !l.is_empty() && l.iter().all(|x| x.starts_with("DL") || x.starts_with("SC")),
        "{l:?}"
    );
}

#[test]
fn images_and_tags() {
    let mut s = Session::new();
    let l = s.labels("FROM |");
    assert!(
        has(
            &l,
            &[
                "node",
                "python",
                "golang",
                "rust",
                "alpine",
                "debian",
                "ubuntu",
                "nginx",
                "postgres",
                "redis",
                "eclipse-temurin",
                "scratch"
            ]
        ),
        "{l:?}"
    );
    assert!(l.iter().any(|x| x.starts_with("gcr.io/distroless/")));
    assert!(l.iter().any(|x| x.starts_with("mcr.microsoft.com/dotnet/")));
    let l = s.labels_replacing("FROM node:2|", "2");
    assert!(l.contains(&"20-alpine".to_string()), "{l:?}");
    assert!(s
        .labels("FROM gcr.io/distroless/static-debian12:|")
        .contains(&"nonroot".to_string()));
    // earlier stages are offered as bases too
    assert!(s
        .labels("FROM alpine AS base\nFROM |")
        .contains(&"base".to_string()));
}

#[test]
fn nothing_in_heredocs_or_comments() {
    let mut s = Session::new();
    assert!(s.labels("FROM a\nRUN <<EOF\nCO|\nEOF\n").is_empty());
    assert!(s
        .labels("FROM a\nRUN <<EOF\napt-get install $|\nEOF\n")
        .is_empty());
    assert!(s
        .labels("FROM a\nCOPY <<-EOT /etc/x\n\tCO|\n\tEOT\n")
        .is_empty());
    assert!(s.labels("FROM a\n# install CO|\nRUN x\n").is_empty());
    assert!(s
        .labels("FROM a\nRUN apt-get update \\\n  # comment CO|\n  && x\n")
        .is_empty());
    // after a heredoc closes, completion is back
    assert!(s
        .labels("FROM a\nRUN <<EOF\necho\nEOF\nCO|")
        .contains(&"COPY".to_string()));
}

#[test]
fn resolve_adds_documentation() {
    let mut s = Session::new();
    for (src, label, needle) in [
        ("FROM a\nCO|", "COPY", "COPY [--from="),
        ("FROM a\nCOPY --|", "--link", "independent layer"),
        ("FROM a\nRUN --mount=type=|", "cache", "persistent"),
        ("FROM a\nRUN --mount=type=cache,|", "sharing", "shared"),
        ("# |\nFROM a", "syntax", "frontend"),
        ("FROM |", "node", "Node.js"),
        ("FROM a\nRUN echo $|", "TARGETARCH", "TARGETPLATFORM"),
    ] {
        let item = s.item(src, label);
        assert!(item["data"]["uri"] == URI, "{item}");
        let resolved = s.client.call_ok("completionItem/resolve", item);
        let doc = resolved["documentation"]["value"]
            .as_str()
            .unwrap_or_default();
        assert_eq!(resolved["documentation"]["kind"], "markdown", "{resolved}");
        assert!(doc.contains(needle), "{label}: {doc}");
    }
}

/// Text edits replace the partial word exactly, with CRLF line ends and non-ASCII
/// characters (2- and 4-byte, surrogate pairs in UTF-16) before the cursor.
#[test]
fn crlf_and_non_ascii_in_utf16_and_utf8() {
    for (caps, enc) in [
        (json!({}), "utf-16"),
        (
            json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
            "utf-8",
        ),
    ] {
        let mut s = Session::with(caps, enc);
        let l = s.labels_replacing(
            "FROM alpine AS bäse\r\nFROM alpine\r\nRUN --mount=type=cache,target=/é😀,sh|\r\n",
            "sh",
        );
        assert!(
            l.contains(&"sharing".to_string()) && !l.contains(&"target".to_string()),
            "{l:?}"
        );
        let l = s.labels_replacing(
            "FROM alpine AS bäse\r\nLABEL x=\"😀\"\r\nFROM alpine\r\nCOPY --from=b| /a /b\r\n",
            "b",
        );
        assert_eq!(l, ["bäse"]);
        let l = s.labels_replacing("FROM alpine\r\nLABEL a=\"é😀\" b=\"x\"\r\nEN|\r\n", "EN");
        assert!(l.contains(&"ENV".to_string()));
        let l = s.labels_replacing("FROM alpine\r\nENV É=1 V=2\r\nRUN echo \"😀\" ${V|", "V");
        assert!(l.contains(&"V".to_string()), "{l:?}");
        // a continuation with CRLF is one instruction: no keywords
        assert!(!s
            .labels("FROM a\r\nRUN echo 😀 \\\r\n  EN|\r\n")
            .contains(&"ENV".to_string()));
    }
}

#[test]
fn incomplete_lines_and_triggers() {
    let mut s = Session::new();
    // end of file without a newline, trigger context included
    let (text, offset) = s.load("FROM a\nRUN --mount=type=cache,|");
    let pos = s.pos(&text, offset);
    let r = s.client.call_ok(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": pos, "context": {"triggerKind": 2, "triggerCharacter": ","}}),
    );
    assert!(r["items"].as_array().is_some_and(|a| !a.is_empty()), "{r}");
    // odd positions never fail
    for src in [
        "|",
        "\n\n|",
        "RUN \\|",
        "FROM a\nRUN --mount=|,,=,",
        "FROM a\nCOPY --from=|",
        "# check=skip=|",
        "FROM a AS|",
    ] {
        let _ = s.labels(src);
    }
    // a position past the end of a line or of the document is clamped
    let (_, _) = s.load("FROM a\nCO|");
    let r = s.client.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 99}}),
    );
    assert!(r.get("error").is_none(), "{r}");
    let r = s.client.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": {"line": 40, "character": 0}}),
    );
    assert!(r.get("error").is_none(), "{r}");
}

#[test]
fn signature_help_marks_the_active_parameter() {
    let mut s = Session::new();
    let mut sig = |src: &str| {
        let (text, offset) = s.load(src);
        let pos = s.pos(&text, offset);
        s.client.call_ok(
            "textDocument/signatureHelp",
            json!({"textDocument": {"uri": URI}, "position": pos}),
        )
    };
    let active = |h: &Value| {
        let sig = &h["signatures"][h["activeSignature"].as_u64().unwrap() as usize];
        let p = h["activeParameter"].as_u64().unwrap() as usize;
        (
            sig["label"].as_str().unwrap().to_string(),
            sig["parameters"][p]["label"]
                .as_str()
                .unwrap_or("")
                .to_string(),
        )
    };
    let h = sig("FROM a\nCOPY --from=build |");
    let (label, p) = active(&h);
    assert!(label.starts_with("COPY [--from="), "{label}");
    assert_eq!(p, "<src>...");
    assert!(label.contains(&p));
    assert_eq!(active(&sig("FROM a\nCOPY --chown=1:1 a |")).1, "<dest>");
    assert_eq!(
        active(&sig("FROM a\nCOPY --ch|")).1,
        "[--chown=<user>:<group>]"
    );
    assert_eq!(active(&sig("FROM node AS |")).1, "<name>]");
    assert_eq!(
        active(&sig("FROM a\nRUN --mount=type=cache,target=/x npm |")).1,
        "<command>"
    );
    assert_eq!(sig("FROM a\nRUN <<EOF\nCOPY |\nEOF\n"), Value::Null);
}
