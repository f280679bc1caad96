//! Folding ranges: stages, continued (multi-line) instructions, heredoc bodies and blocks
//! of comment lines. Whole lines only (0-based, end inclusive), from the model.

use crate::document::LineIndex;
use crate::model::{Details, Heredoc, Instruction, Model};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FoldKind {
    Stage,
    Instruction,
    Heredoc,
    Comment,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    pub start_line: usize,
    pub end_line: usize,
    pub kind: FoldKind,
}

/// Every fold of the document, sorted by start line (outer ranges first), without
/// duplicates and without one-line ranges.
pub fn folds(idx: &LineIndex, model: &Model) -> Vec<Fold> {
    let mut out: Vec<Fold> = Vec::new();
    let mut push = |start_line: usize, end_line: usize, kind: FoldKind| {
        if end_line > start_line {
            out.push(Fold {
                start_line,
                end_line,
                kind,
            });
        }
    };

    for stage in &model.stages {
        let Some(from) = model.instructions.get(stage.from) else {
            continue;
        };
        let last = model
            .instructions
            .get(stage.instructions.clone())
            .and_then(|s| s.iter().map(|i| i.end_line).max())
            .unwrap_or(from.end_line);
        push(from.start_line, last.max(from.end_line), FoldKind::Stage);
    }

    for ins in &model.instructions {
        push(ins.start_line, ins.end_line, FoldKind::Instruction);
        for h in heredocs(ins) {
            // From the line before the body (the marker's line, or the previous heredoc's
            // closing line) to the closing line (or the body's last line).
            let body_start = idx.line_of(h.body_span.start);
            let last = match h.end_span {
                Some(e) => idx.line_of(e.start),
                None if !h.body_span.is_empty() => idx.line_of(h.body_span.end.saturating_sub(1)),
                None => continue,
            };
            push(body_start.saturating_sub(1), last, FoldKind::Heredoc);
        }
    }

    // Runs of consecutive comment lines (directives included, they are comments too).
    let mut lines: Vec<usize> = model.comments.iter().map(|c| c.line).collect();
    lines.extend(model.directives.iter().map(|d| idx.line_of(d.span.start)));
    lines.sort_unstable();
    lines.dedup();
    let mut i = 0;
    while i < lines.len() {
        let mut j = i;
        while j + 1 < lines.len() && lines[j + 1] == lines[j] + 1 {
            j += 1;
        }
        push(lines[i], lines[j], FoldKind::Comment);
        i = j + 1;
    }

    out.sort_by(|a, b| {
        a.start_line
            .cmp(&b.start_line)
            .then(b.end_line.cmp(&a.end_line))
            .then(a.kind.cmp(&b.kind))
    });
    out.dedup_by(|b, a| a.start_line == b.start_line && a.end_line == b.end_line);
    out
}

fn heredocs(ins: &Instruction) -> impl Iterator<Item = &Heredoc> {
    let inner = match &ins.details {
        Details::Onbuild(inner) => Some(inner.heredocs.iter()),
        _ => None,
    };
    ins.heredocs.iter().chain(inner.into_iter().flatten())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folds_of(text: &str) -> Vec<(usize, usize, FoldKind)> {
        let model = crate::model::build(text);
        let idx = LineIndex::new(text);
        folds(&idx, &model)
            .into_iter()
            .map(|f| (f.start_line, f.end_line, f.kind))
            .collect()
    }

    #[test]
    fn stages_instructions_heredocs_comments() {
        let text =
            "# a\n# b\nFROM x AS one\nRUN a \\\n    b\n\nFROM y\nRUN <<EOF\necho\nEOF\nCOPY . .\n";
        let f = folds_of(text);
        assert!(f.contains(&(0, 1, FoldKind::Comment)), "{f:?}");
        assert!(f.contains(&(2, 4, FoldKind::Stage)), "{f:?}");
        assert!(f.contains(&(3, 4, FoldKind::Instruction)), "{f:?}");
        assert!(f.contains(&(6, 10, FoldKind::Stage)), "{f:?}");
        // The heredoc fold and the instruction fold have the same lines: one is kept.
        assert!(f.iter().any(|x| x.0 == 7 && x.1 == 9), "{f:?}");
    }
}
