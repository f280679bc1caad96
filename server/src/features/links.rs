//! Document links: base images to their registry pages, the `# syntax=` image, and the
//! URLs ADD downloads. Links are computed from the text alone (no network).
//!
//! No link for a FROM naming an earlier stage, for `scratch`, or for an image whose
//! variables cannot be resolved from ARG defaults and build args.

use super::inlay_hints::FromScope;
use crate::model::{InstructionKind, Model, Span, VarUse, Word};
use std::collections::HashSet;

/// One link, in byte spans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub span: Span,
    pub target: String,
    pub tooltip: Option<String>,
}

/// Every link of the document, in document order.
pub fn document_links(model: &Model, text: &str, build_args: &[(String, String)]) -> Vec<Link> {
    let mut out = Vec::new();
    if let Some(d) = model.directive("syntax") {
        let span = trim_span(text, d.value_span);
        if let Some(target) = image_page(d.value.trim()) {
            out.push(Link {
                span,
                tooltip: Some(format!("Open {} in its registry", d.value.trim())),
                target,
            });
        }
    }
    let scope = FromScope::new(model, build_args);
    let mut from_uses: Vec<&VarUse> = model
        .var_uses
        .iter()
        .filter(|u| {
            model
                .instructions
                .get(u.instruction)
                .is_some_and(|i| i.kind == InstructionKind::From)
        })
        .collect();
    from_uses.sort_by_key(|u| u.span.start);
    // FROM instructions that name an earlier stage (by the model's references).
    let mut from_stage = vec![false; model.instructions.len()];
    for r in &model.stage_refs {
        if r.target.is_some_and(|t| r.stage.is_none_or(|s| t < s)) {
            if let Some(b) = from_stage.get_mut(r.instruction) {
                *b = true;
            }
        }
    }
    // Names of the stages before the current one, lower-cased.
    let mut earlier: HashSet<String> = HashSet::new();
    for (i, stage) in model.stages.iter().enumerate() {
        if let Some(k) = i
            .checked_sub(1)
            .and_then(|p| model.stages.get(p))
            .and_then(|s| s.key())
        {
            earlier.insert(k);
        }
        let Some(img) = &stage.image else { continue };
        if img.span.is_empty() || from_stage.get(stage.from).copied().unwrap_or(false) {
            continue;
        }
        let name = if img.has_variables {
            match scope.expand_span(text, img.span, &from_uses) {
                Some(s) => s,
                None => continue,
            }
        } else {
            img.raw.clone()
        };
        // An image named like an earlier stage after expansion is that stage.
        if earlier.contains(&name.to_ascii_lowercase()) {
            continue;
        }
        if let Some(target) = image_page(&name) {
            out.push(Link {
                span: trim_span(text, img.span),
                tooltip: Some(format!("Open {name} in its registry")),
                target,
            });
        }
    }
    for ins in &model.instructions {
        if ins.kind != InstructionKind::Add {
            continue;
        }
        let sources: &[Word] = match &ins.json {
            Some(j) => j.items.split_last().map_or(&[], |(_, s)| s),
            None => ins.words.split_last().map_or(&[], |(_, s)| s),
        };
        for w in sources {
            let url = w.value.as_str();
            let is_url = (url.starts_with("https://") || url.starts_with("http://"))
                && url.len() > "https://".len()
                && !url.contains(['$', ' ', '\t', '"', '\'', '<', '>']);
            if is_url {
                out.push(Link {
                    span: trim_span(text, w.span),
                    target: url.to_string(),
                    tooltip: None,
                });
            }
        }
    }
    out.sort_by_key(|l| l.span.start);
    out
}

/// The span without surrounding whitespace and quotes.
fn trim_span(text: &str, span: Span) -> Span {
    let Some(s) = text.get(span.start..span.end) else {
        return span;
    };
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return span;
    }
    let lead = s.len() - s.trim_start().len();
    let inner = Span::new(span.start + lead, span.start + lead + trimmed.len());
    super::navigation::name_span(text, inner)
}

/// The web page of an image reference `[registry/]path[:tag][@digest]`, for the
/// registries whose page addresses are known; `None` for `scratch`, invalid names and
/// other registries.
pub fn image_page(reference: &str) -> Option<String> {
    let without_digest = reference.split('@').next().unwrap_or_default();
    // The tag is after the last `:` that follows the last `/`.
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let name = match without_digest
        .get(last_slash..)
        .and_then(|tail| tail.rfind(':'))
    {
        Some(c) => without_digest.get(..last_slash + c)?,
        None => without_digest,
    };
    if name.is_empty() || name.eq_ignore_ascii_case("scratch") {
        return None;
    }
    let (registry, path) = match name.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
            (Some(first), rest)
        }
        _ => (None, name),
    };
    let valid_path = !path.is_empty()
        && path.split('/').all(|c| {
            !c.is_empty()
                && c.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
                })
        });
    if !valid_path {
        return None;
    }
    let registry = registry.map(str::to_ascii_lowercase);
    match registry.as_deref() {
        None
        | Some(
            "docker.io" | "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com",
        ) => {
            let official = path.strip_prefix("library/").unwrap_or(path);
            if official.contains('/') {
                Some(format!("https://hub.docker.com/r/{path}"))
            } else {
                Some(format!("https://hub.docker.com/_/{official}"))
            }
        }
        Some("ghcr.io") => {
            let (org, rest) = path.split_once('/')?;
            let repo = rest.split('/').next().unwrap_or(rest);
            Some(format!(
                "https://github.com/orgs/{org}/packages?repo_name={repo}"
            ))
        }
        Some("quay.io") => Some(format!("https://quay.io/repository/{path}")),
        Some("mcr.microsoft.com") => Some(format!("https://mcr.microsoft.com/artifact/mar/{path}")),
        Some("public.ecr.aws") => Some(format!("https://gallery.ecr.aws/{path}")),
        Some(host) if host == "gcr.io" || host.ends_with(".gcr.io") => {
            Some(format!("https://{host}/{path}"))
        }
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::build;

    #[test]
    fn registry_pages() {
        let cases = [
            ("node", Some("https://hub.docker.com/_/node")),
            ("node:20-alpine", Some("https://hub.docker.com/_/node")),
            (
                "library/node@sha256:abc",
                Some("https://hub.docker.com/_/node"),
            ),
            (
                "docker.io/library/node:20",
                Some("https://hub.docker.com/_/node"),
            ),
            (
                "bitnami/redis:7",
                Some("https://hub.docker.com/r/bitnami/redis"),
            ),
            (
                "docker/dockerfile:1",
                Some("https://hub.docker.com/r/docker/dockerfile"),
            ),
            (
                "ghcr.io/astral-sh/uv:0.4",
                Some("https://github.com/orgs/astral-sh/packages?repo_name=uv"),
            ),
            (
                "quay.io/prometheus/node-exporter",
                Some("https://quay.io/repository/prometheus/node-exporter"),
            ),
            (
                "mcr.microsoft.com/dotnet/sdk:8.0",
                Some("https://mcr.microsoft.com/artifact/mar/dotnet/sdk"),
            ),
            (
                "gcr.io/distroless/static:nonroot",
                Some("https://gcr.io/distroless/static"),
            ),
            ("localhost:5000/app:1", None),
            ("registry.example.com/team/app", None),
            ("scratch", None),
            ("Node", None),
            ("", None),
        ];
        for (reference, want) in cases {
            assert_eq!(image_page(reference).as_deref(), want, "{reference}");
        }
    }

    fn links(text: &str) -> Vec<(String, String)> {
        let m = build(text);
        document_links(&m, text, &[])
            .into_iter()
            .map(|l| (text[l.span.start..l.span.end].to_string(), l.target))
            .collect()
    }

    #[test]
    fn from_syntax_and_add() {
        let text = "# syntax=docker/dockerfile:1.7\n\
            ARG V=20\n\
            FROM node:${V} AS build\n\
            FROM build AS again\n\
            FROM ghcr.io/org/tool:${UNSET} AS t\n\
            FROM scratch\n\
            ADD https://example.com/a.tgz \"https://example.com/b.tgz\" /dst/\n\
            ADD [\"https://example.com/c\", \"/c\"]\n\
            COPY https://example.com/not-a-link /x\n";
        assert_eq!(
            links(text),
            [
                (
                    "docker/dockerfile:1.7".to_string(),
                    "https://hub.docker.com/r/docker/dockerfile".to_string()
                ),
                (
                    "node:${V}".to_string(),
                    "https://hub.docker.com/_/node".to_string()
                ),
                (
                    "https://example.com/a.tgz".to_string(),
                    "https://example.com/a.tgz".to_string()
                ),
                (
                    "https://example.com/b.tgz".to_string(),
                    "https://example.com/b.tgz".to_string()
                ),
                (
                    "https://example.com/c".to_string(),
                    "https://example.com/c".to_string()
                ),
            ]
        );
    }

    #[test]
    fn no_link_for_stages() {
        let text = "ARG B=Build\nFROM golang AS build\nFROM $B\nFROM build\nFROM later\nFROM alpine AS later\n";
        let l = links(text);
        let got: Vec<&str> = l.iter().map(|(s, _)| s.as_str()).collect();
        // `later` is not defined yet where it is used: an image from Docker Hub
        assert_eq!(got, ["golang", "later", "alpine"]);
    }

    #[test]
    fn variable_registry_resolves() {
        let text = "ARG REG=quay.io\nFROM $REG/org/app:1\n";
        assert_eq!(
            links(text),
            [(
                "$REG/org/app:1".to_string(),
                "https://quay.io/repository/org/app".to_string()
            )]
        );
    }
}
