//! Image references in FROM lines: `[registry/]name[:tag][@digest]`.

use super::Span;

/// A parsed image reference. Parts are `None` when absent. Variables (`${X}`) are kept
/// as written; `has_variables` tells whether any part needs ARG resolution.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ImageRef {
    /// As written (quotes removed).
    pub raw: String,
    pub span: Span,
    /// `ghcr.io`, `localhost:5000`, ...: only when the first path component looks like a host
    /// (contains `.` or `:`, or is `localhost`).
    pub registry: Option<String>,
    /// The repository path without registry, tag or digest (`library/node`, `node`).
    pub name: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
    pub has_variables: bool,
    /// Spans of the parts inside the document, when known.
    pub name_span: Span,
    pub tag_span: Option<Span>,
    pub digest_span: Option<Span>,
}

impl ImageRef {
    /// Parse `s` (quotes already removed). Spans are offsets into `s`, shifted by `base`.
    pub fn parse(s: &str, base: usize) -> ImageRef {
        parse_mapped(s, Span::new(base, base + s.len()), |a, b| {
            Span::new(base + a, base + b)
        })
    }

    /// The registry host a pull would contact (`docker.io` when none is written).
    pub fn registry_or_default(&self) -> &str {
        self.registry.as_deref().unwrap_or("docker.io")
    }
}

/// Positions of `/`, `:` and `@` that are not inside `${...}`.
fn structural(s: &str) -> Vec<(usize, u8)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'$' if b.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth > 0 => depth -= 1,
            c @ (b'/' | b':' | b'@') if depth == 0 => out.push((i, c)),
            _ => {}
        }
        i += 1;
    }
    out
}

/// Parse `s` (the image word with quotes removed); `span` is the whole word in the document
/// and `to_doc` maps a range of `s` to the document.
pub(crate) fn parse_mapped(s: &str, span: Span, to_doc: impl Fn(usize, usize) -> Span) -> ImageRef {
    let marks = structural(s);
    let at = marks.iter().find(|m| m.1 == b'@').map(|m| m.0);
    let name_end = at.unwrap_or(s.len());
    let last_slash = marks
        .iter()
        .filter(|m| m.1 == b'/' && m.0 < name_end)
        .map(|m| m.0)
        .next_back();
    let colon = marks
        .iter()
        .filter(|m| m.1 == b':' && m.0 < name_end && last_slash.is_none_or(|l| m.0 > l))
        .map(|m| m.0)
        .next_back();
    let repo_end = colon.unwrap_or(name_end);
    let first_slash = marks
        .iter()
        .find(|m| m.1 == b'/' && m.0 < repo_end)
        .map(|m| m.0);
    let (registry, name_start) = match first_slash {
        Some(k) => {
            let first = &s[..k];
            if first.contains(['.', ':']) || first == "localhost" {
                (Some(first.to_string()), k + 1)
            } else {
                (None, 0)
            }
        }
        None => (None, 0),
    };
    ImageRef {
        raw: s.to_string(),
        span,
        registry,
        name: s.get(name_start..repo_end).unwrap_or("").to_string(),
        tag: colon.map(|c| s.get(c + 1..name_end).unwrap_or("").to_string()),
        digest: at.map(|a| s.get(a + 1..).unwrap_or("").to_string()),
        has_variables: s.contains('$'),
        name_span: to_doc(name_start, repo_end.max(name_start)),
        tag_span: colon.map(|c| to_doc(c + 1, name_end)),
        digest_span: at.map(|a| to_doc(a + 1, s.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts() {
        let r = ImageRef::parse("node", 0);
        assert_eq!(
            (r.registry.as_deref(), r.name.as_str(), r.tag.as_deref()),
            (None, "node", None)
        );
        let r = ImageRef::parse("library/node:20-alpine", 10);
        assert_eq!(
            (r.registry.as_deref(), r.name.as_str(), r.tag.as_deref()),
            (None, "library/node", Some("20-alpine"))
        );
        assert_eq!(r.tag_span, Some(Span::new(23, 32)));
        let r = ImageRef::parse("localhost:5000/foo/bar:1@sha256:00", 0);
        assert_eq!(r.registry.as_deref(), Some("localhost:5000"));
        assert_eq!(r.name, "foo/bar");
        assert_eq!(r.tag.as_deref(), Some("1"));
        assert_eq!(r.digest.as_deref(), Some("sha256:00"));
        let r = ImageRef::parse("localhost/foo", 0);
        assert_eq!(r.registry.as_deref(), Some("localhost"));
        let r = ImageRef::parse("localhost:5000", 0);
        assert_eq!(
            (r.name.as_str(), r.tag.as_deref()),
            ("localhost", Some("5000"))
        );
        let r = ImageRef::parse("${REG:-docker.io}/img:${TAG:-1}", 0);
        assert!(r.has_variables);
        assert_eq!(r.registry.as_deref(), Some("${REG:-docker.io}"));
        assert_eq!(r.tag.as_deref(), Some("${TAG:-1}"));
        let r = ImageRef::parse("img@sha256:abc", 0);
        assert_eq!(
            (r.name.as_str(), r.tag.as_deref(), r.digest.as_deref()),
            ("img", None, Some("sha256:abc"))
        );
        let r = ImageRef::parse("", 0);
        assert_eq!(r.name, "");
    }
}
