//! Every query in `queries/` compiles against the language, and captures what it should.

use tree_sitter::{Language, Parser, Query, QueryCursor, StreamingIterator};

fn language() -> Language {
    tree_sitter_dockerfile::LANGUAGE.into()
}

fn compile(name: &str, source: &str) -> Query {
    Query::new(&language(), source).unwrap_or_else(|e| panic!("queries/{name}: {e}"))
}

const SAMPLE: &str = r#"# syntax=docker/dockerfile:1
ARG BASE=alpine:3.20
FROM --platform=$BUILDPLATFORM docker.io/library/golang:1.22@sha256:abc AS build
ENV CGO_ENABLED=0 GOPATH="/go"
LABEL org.opencontainers.image.title="demo" maintainer="me"
RUN --mount=type=cache,target=/root/.cache \
    # a comment inside the command
    go build -o /out/app ./...
RUN <<EOF
set -e
echo "${BASE:-none}"
EOF
COPY --from=build --chmod=755 /out/app /usr/local/bin/app
EXPOSE 8080/tcp
USER app:app
WORKDIR /srv
HEALTHCHECK --interval=30s CMD ["/usr/local/bin/app", "health"]
ONBUILD RUN echo hi
STOPSIGNAL SIGTERM
SHELL ["/bin/sh", "-c"]
ENTRYPOINT ["/usr/local/bin/app"]
CMD serve --port 8080
"#;

/// The capture names a query produces on the sample.
fn captures(query: &Query) -> Vec<String> {
    let mut parser = Parser::new();
    parser.set_language(&language()).expect("language");
    let tree = parser.parse(SAMPLE, None).expect("parse");
    assert!(
        !tree.root_node().has_error(),
        "{}",
        tree.root_node().to_sexp()
    );
    let mut cursor = QueryCursor::new();
    let mut names = Vec::new();
    let mut matches = cursor.matches(query, tree.root_node(), SAMPLE.as_bytes());
    while let Some(m) = matches.next() {
        for capture in m.captures {
            names.push(query.capture_names()[capture.index as usize].to_string());
        }
    }
    names.sort();
    names.dedup();
    names
}

#[test]
fn highlights_compile_and_capture() {
    let query = compile("highlights.scm", tree_sitter_dockerfile::HIGHLIGHTS_QUERY);
    let names = captures(&query);
    for expected in [
        "keyword",
        "comment",
        "variable",
        "string",
        "label",
        "attribute",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "no @{expected} in {names:?}"
        );
    }
}

#[test]
fn injections_compile_and_capture() {
    let query = compile("injections.scm", tree_sitter_dockerfile::INJECTIONS_QUERY);
    let names = captures(&query);
    assert!(names.iter().any(|n| n == "injection.content"), "{names:?}");
}

#[test]
fn folds_compile_and_capture() {
    let query = compile("folds.scm", tree_sitter_dockerfile::FOLDS_QUERY);
    assert_eq!(captures(&query), vec!["fold".to_string()]);
}

#[test]
fn locals_compile_and_capture() {
    let query = compile("locals.scm", tree_sitter_dockerfile::LOCALS_QUERY);
    let names = captures(&query);
    for expected in ["local.scope", "local.definition.var", "local.reference"] {
        assert!(
            names.iter().any(|n| n == expected),
            "no @{expected} in {names:?}"
        );
    }
}

#[test]
fn node_types_list_the_documented_kinds() {
    for kind in [
        "\"source_file\"",
        "\"directive\"",
        "\"unknown_instruction\"",
        "\"heredoc_body\"",
        "\"json_string_array\"",
        "\"expansion\"",
        "\"flag_option\"",
    ] {
        assert!(
            tree_sitter_dockerfile::NODE_TYPES.contains(kind),
            "{kind} missing from node-types.json"
        );
    }
}
