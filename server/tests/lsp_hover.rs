//! Hover through the real server binary: keyword, flag and mount documentation, stage
//! references, variables with resolved values, image parts, directives and findings.
//! Expected ranges are computed here from byte offsets, independently of the server.

mod common;

use common::{position_at, Client};
use dockerfile_ls::document::Snapshot;
use serde_json::{json, Value};

const URI: &str = "file:///test/Dockerfile";

struct Session {
    client: Client,
    encoding: &'static str,
    version: i64,
}

impl Session {
    fn with(capabilities: Value, encoding: &'static str) -> Session {
        let mut client = Client::spawn();
        let init = client.initialize_with(capabilities);
        assert_eq!(init["capabilities"]["hoverProvider"], json!(true), "{init}");
        assert_eq!(
            init["capabilities"]["positionEncoding"]
                .as_str()
                .unwrap_or("utf-16"),
            encoding
        );
        Session {
            client,
            encoding,
            version: 0,
        }
    }

    fn new() -> Session {
        Session::with(json!({}), "utf-16")
    }

    fn pos(&self, text: &str, offset: usize) -> Value {
        let (line, character) = position_at(text, offset, self.encoding);
        json!({"line": line, "character": character})
    }

    /// Hover at the `|` marker: `(text, result)`.
    fn hover(&mut self, src: &str) -> (String, Value) {
        let offset = src.find('|').expect("cursor marker");
        let text = format!("{}{}", &src[..offset], &src[offset + 1..]);
        self.version += 1;
        if self.version == 1 {
            self.client.open(URI, self.version, &text);
        } else {
            self.client.change_full(URI, self.version, &text);
        }
        let pos = self.pos(&text, offset);
        let r = self.client.call_ok(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": pos}),
        );
        (text, r)
    }

    fn markdown(&mut self, src: &str) -> String {
        let (_, r) = self.hover(src);
        assert_eq!(r["contents"]["kind"], "markdown", "{r}");
        r["contents"]["value"].as_str().unwrap().to_string()
    }

    /// Markdown, checking that the hover range covers exactly `covered` (its first occurrence
    /// in the text).
    fn markdown_over(&mut self, src: &str, covered: &str) -> String {
        self.markdown_over_nth(src, covered, 0)
    }

    /// Like `markdown_over`, with the `nth` occurrence (0-based) of `covered`.
    fn markdown_over_nth(&mut self, src: &str, covered: &str, nth: usize) -> String {
        let (text, r) = self.hover(src);
        let start = text
            .match_indices(covered)
            .nth(nth)
            .expect("covered text")
            .0;
        let want =
            json!({"start": self.pos(&text, start), "end": self.pos(&text, start + covered.len())});
        assert_eq!(r["range"], want, "{src:?}: {r}");
        r["contents"]["value"].as_str().unwrap().to_string()
    }
}

#[test]
fn instruction_keywords() {
    let mut s = Session::new();
    for (src, kw, needle) in [
        ("FROM a\nCO|PY . /app\n", "COPY", "COPY [--from="),
        ("F|ROM alpine\n", "FROM", "new build stage"),
        ("FROM a\nR|UN make\n", "RUN", "--mount"),
        (
            "FROM a\nhealth|check NONE\n",
            "healthcheck",
            "HEALTHCHECK NONE",
        ),
        ("FROM a\nON|BUILD RUN x\n", "ONBUILD", "another build"),
        (
            "FROM a\nSHEL|L [\"/bin/bash\", \"-c\"]\n",
            "SHELL",
            "JSON array",
        ),
    ] {
        let md = s.markdown_over(src, kw);
        assert!(md.contains(needle), "{kw}: {md}");
    }
    // every instruction has documentation
    for kw in [
        "ADD",
        "ARG",
        "CMD",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "LABEL",
        "MAINTAINER",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    ] {
        let md = s.markdown(&format!("FROM a\n{}|{} x\n", &kw[..1], &kw[1..]));
        assert!(md.contains(&format!("{kw} ")), "{kw}: {md}");
    }
}

#[test]
fn flags_and_mount_options() {
    let mut s = Session::new();
    let md = s.markdown_over("FROM a\nCOPY --li|nk . /app\n", "--link");
    assert!(md.contains("independent layer"), "{md}");
    let md = s.markdown_over(
        "FROM a\nADD --check|sum=sha256:abc https://x/y /y\n",
        "--checksum",
    );
    assert!(md.contains("digest"), "{md}");
    let md = s.markdown_over("FROM a\nRUN --network=no|ne make\n", "none");
    assert!(md.contains("No network access"), "{md}");
    let md = s.markdown_over(
        "FROM a\nRUN --mount=type=ca|che,target=/root/.cache make\n",
        "cache",
    );
    assert!(md.contains("persistent cache"), "{md}");
    let md = s.markdown_over(
        "FROM a\nRUN --mount=type=cache,shar|ing=locked,target=/x make\n",
        "sharing",
    );
    assert!(md.contains("concurrent"), "{md}");
    let md = s.markdown_over(
        "FROM a\nRUN --mount=type=secret,id=npm,ta|rget=/root/.npmrc make\n",
        "target",
    );
    assert!(md.contains("secret"), "{md}");
    let md = s.markdown("FROM a\nHEALTHCHECK --start-inter|val=2s CMD true\n");
    assert!(md.contains("start period"), "{md}");
    let md = s.markdown("FROM --plat|form=$BUILDPLATFORM golang\n");
    assert!(md.contains("BUILDPLATFORM"), "{md}");
}

#[test]
fn stage_references_show_the_from_line() {
    let mut s = Session::new();
    let text = "FROM golang:1.22 AS build\nRUN go build -o /out/app\nFROM alpine\nCOPY --from=bu|ild /out/app /app\n";
    // the range is the reference itself
    let (t, r) = s.hover(text);
    let start = t.find("build /out").unwrap();
    assert_eq!(r["range"]["start"], s.pos(&t, start));
    assert_eq!(r["range"]["end"], s.pos(&t, start + 5));
    let md = r["contents"]["value"].as_str().unwrap();
    assert!(
        md.contains("FROM golang:1.22 AS build") && md.contains("line 1"),
        "{md}"
    );
    let md = s.markdown("FROM node AS deps\nRUN npm ci\nFROM node\nRUN --mount=type=bind,from=de|ps,source=/node_modules,target=/m true\n");
    assert!(md.contains("FROM node AS deps"), "{md}");
    let md = s.markdown("FROM alpine AS base\nFROM ba|se\n");
    assert!(md.contains("Stage `base`"), "{md}");
    let md = s.markdown("FROM alpine\nFROM alpine\nCOPY --from=|0 /a /b\n");
    assert!(md.contains("Stage 0"), "{md}");
}

#[test]
fn variables_show_definition_and_value() {
    let mut s = Session::new();
    let src = "ARG VERSION=1.2\nFROM alpine\nARG VERSION\nENV APP_VERSION=${VERSION}-r1\nRUN echo $APP_VER|SION\n";
    let md = s.markdown_over(src, "$APP_VERSION");
    assert!(
        md.contains("ENV APP_VERSION=${VERSION}-r1")
            && md.contains("line 4")
            && md.contains("`1.2-r1`"),
        "{md}"
    );
    let md = s.markdown("ARG VERSION=1.2\nFROM alpine\nARG VERSION\nRUN echo ${VER|SION}\n");
    assert!(
        md.contains("global ARG on line 1") && md.contains("`1.2`"),
        "{md}"
    );
    let md = s.markdown("ARG TAG=3.20\nFROM alpine:${T|AG}\n");
    assert!(md.contains("`3.20`"), "{md}");
    let md = s.markdown("FROM alpine\nRUN echo $UNDEF|INED\n");
    assert!(md.contains("not defined"), "{md}");
    let md = s.markdown("FROM alpine\nRUN echo $TARGET|ARCH\n");
    assert!(md.contains("ARG TARGETARCH"), "{md}");
    // on the definition itself
    let md = s.markdown_over(
        "FROM alpine\nENV HO|ME_DIR=/home/app\nWORKDIR $HOME_DIR\n",
        "HOME_DIR",
    );
    assert!(
        md.contains("ENV HOME_DIR=/home/app") && md.contains("1 use"),
        "{md}"
    );
}

#[test]
fn build_args_from_settings_override_defaults() {
    let mut client = Client::spawn();
    client.call_ok(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {},
               "initializationOptions": {"dockerfile-ls": {"buildArgs": {"TAG": "9.9"}}}}),
    );
    client.notify("initialized", json!({}));
    let mut s = Session {
        client,
        encoding: "utf-16",
        version: 0,
    };
    let md = s.markdown("ARG TAG=3.20\nFROM alpine:${T|AG}\n");
    assert!(md.contains("`9.9`"), "{md}");
}

#[test]
fn image_parts() {
    let mut s = Session::new();
    let md = s.markdown_over("FROM node:20-al|pine AS build\n", "node:20-alpine");
    assert!(
        md.contains("docker.io") && md.contains("library/node") && md.contains("`20-alpine`"),
        "{md}"
    );
    let md = s.markdown("FROM ghcr.io/acme/app:1.0@sha256:0123|abcd\n");
    assert!(
        md.contains("ghcr.io")
            && md.contains("acme/app")
            && md.contains("`1.0`")
            && md.contains("sha256:0123abcd"),
        "{md}"
    );
    let md = s.markdown("FROM ubun|tu\n");
    assert!(md.contains("`latest` (implied)"), "{md}");
}

#[test]
fn directives() {
    let mut s = Session::new();
    let md = s.markdown_over("# syn|tax=docker/dockerfile:1\nFROM a\n", "syntax");
    assert!(md.contains("frontend"), "{md}");
    let md = s.markdown("# escape=|`\nFROM a\n");
    assert!(md.contains("Backtick"), "{md}");
    let md = s.markdown("# che|ck=skip=all\nFROM a\n");
    assert!(md.contains("build checks"), "{md}");
}

#[test]
fn findings_are_explained() {
    let mut s = Session::new();
    let text = "FROM alpine\nMAINTAINER me@example.com\n";
    let snap = Snapshot::from_text(text);
    let f = snap
        .findings
        .iter()
        .find(|f| f.rule == "MaintainerDeprecated")
        .expect("finding from the library");
    let inside = f.span.start + 2;
    let src = format!("{}|{}", &text[..inside], &text[inside..]);
    let md = s.markdown(&src);
    assert!(
        md.contains("MaintainerDeprecated") && md.contains("#maintainerdeprecated"),
        "{md}"
    );
    // combined with the keyword's docs
    assert!(md.contains("Deprecated: records"), "{md}");
}

#[test]
fn nothing_on_plain_text_heredocs_and_comments() {
    let mut s = Session::new();
    let (_, r) = s.hover("FROM a\nRUN <<EOF\necho hel|lo\nEOF\n");
    assert_eq!(r, Value::Null);
    let (_, r) = s.hover("FROM a\n# a plain com|ment\n");
    assert_eq!(r, Value::Null);
    let (_, r) = s.hover("FROM a\n\n|\n");
    assert_eq!(r, Value::Null);
}

#[test]
fn crlf_and_non_ascii_in_utf16_and_utf8() {
    for (caps, enc) in [
        (json!({}), "utf-16"),
        (
            json!({"general": {"positionEncodings": ["utf-8"]}}),
            "utf-8",
        ),
    ] {
        let mut s = Session::with(caps, enc);
        let src = "FROM alpine AS bäse\r\nLABEL x=\"é😀\"\r\nFROM alpine\r\nRUN echo \"😀\" && echo ok\r\nCOPY --from=bä|se /a /b\r\n";
        let md = s.markdown_over_nth(src, "bäse", 1);
        assert!(md.contains("Stage `bäse`"), "{md}");
        let src = "FROM alpine\r\nENV É=1 NAME=x\r\nRUN echo \"😀\" $NA|ME\r\n";
        let md = s.markdown_over(src, "$NAME");
        assert!(md.contains("`x`"), "{md}");
    }
}
