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
