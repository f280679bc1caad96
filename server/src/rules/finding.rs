//! What a rule reports: protocol-free findings with byte ranges and optional fixes.

use crate::model::Span;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    Syntax,
    Correctness,
    Cache,
    Security,
    Size,
    Style,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Syntax => "syntax",
            Category::Correctness => "correctness",
            Category::Cache => "cache",
            Category::Security => "security",
            Category::Size => "size",
            Category::Style => "style",
        }
    }
}

/// Diagnostic tags shown by editors (greyed out, struck through).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    Unnecessary,
    Deprecated,
}

/// Replace `span` with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub new_text: String,
}

/// An edit that resolves a finding. `safe` fixes are applied by `fix` and fix-all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
    pub safe: bool,
}

/// Another place that explains the finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule id (PascalCase), e.g. `CacheBustingCopy`.
    pub rule: &'static str,
    pub severity: Severity,
    pub span: Span,
    /// Shared: a remembered finding is copied into every later check of its region.
    pub message: std::sync::Arc<str>,
    pub related: Vec<Related>,
    pub tags: Vec<Tag>,
    pub fix: Option<Fix>,
}

impl Finding {
    /// The same finding `delta` bytes further (every span in it): a remembered finding
    /// after the text before it changed length.
    pub fn moved(&self, delta: isize) -> Finding {
        self.clone().move_by(delta)
    }

    /// This finding moved `delta` bytes, in place (see [`Finding::moved`]).
    pub fn move_by(mut self, delta: isize) -> Finding {
        if delta == 0 {
            return self;
        }
        let mv = |s: &mut Span| {
            *s = Span::new(
                s.start.saturating_add_signed(delta),
                s.end.saturating_add_signed(delta),
            )
        };
        mv(&mut self.span);
        for r in &mut self.related {
            mv(&mut r.span);
        }
        if let Some(fix) = &mut self.fix {
            for e in &mut fix.edits {
                mv(&mut e.span);
            }
        }
        self
    }

    /// Every span the finding holds: its own, related places, fix edits.
    pub fn spans(&self) -> impl Iterator<Item = Span> + '_ {
        std::iter::once(self.span)
            .chain(self.related.iter().map(|r| r.span))
            .chain(self.fix.iter().flat_map(|f| f.edits.iter().map(|e| e.span)))
    }
}
