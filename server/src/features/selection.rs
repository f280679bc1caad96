//! Selection ranges ("expand selection"): word → variable / flag option / flag / argument
//! → instruction arguments → instruction → stage → file.
//!
//! The chain comes from the model (every element strictly contains the previous one); the
//! syntax tree's named nodes are slotted in where they fit between two model ranges, so
//! finer structure the model does not record still shows up.

use crate::model::{Details, Instruction, Model, Span};
use tree_sitter::Tree;

/// The selection chain at `offset`, innermost first, each range strictly containing the
/// previous one. Never empty for a non-empty text (the whole file is last).
pub fn chain(text: &str, model: &Model, tree: Option<&Tree>, offset: usize) -> Vec<Span> {
    let offset = offset.min(text.len());
    let mut cands: Vec<Span> = Vec::new();
    if let Some(w) = word_at(text, offset) {
        cands.push(w);
    }
    for c in &model.comments {
        cands.push(c.span);
    }
    for d in &model.directives {
        cands.extend([d.name_span, d.value_span, d.span]);
    }
    if let Some((_, ins)) = model.instruction_at(offset) {
        instruction(ins, &mut cands);
        for u in &model.var_uses {
            if ins.span.touches(u.span.start) {
                cands.extend([u.name_span, u.span]);
            }
        }
        for r in &model.stage_refs {
            if ins.span.touches(r.span.start) {
                cands.push(r.span);
            }
        }
    }
    if let Some(stage) = model.stage_at(offset) {
        // Only when the offset is inside the stage's text, not in blank lines after it.
        cands.push(stage.span);
    }
    // Comment blocks: runs of consecutive comment lines.
    if let Some(i) = model.comments.iter().position(|c| c.span.touches(offset)) {
        let (mut a, mut b) = (i, i);
        while a > 0 && model.comments[a - 1].line + 1 == model.comments[a].line {
            a -= 1;
        }
        while b + 1 < model.comments.len()
            && model.comments[b].line + 1 == model.comments[b + 1].line
        {
            b += 1;
        }
        if b > a {
            cands.push(model.comments[a].span.cover(model.comments[b].span));
        }
    }
    cands.push(Span::new(0, text.len()));

    let mut cands: Vec<Span> = cands
        .into_iter()
        .filter(|s| {
            s.touches(offset)
                && s.end <= text.len()
                && (!s.is_empty() || s.start == 0 && s.end == text.len())
        })
        .collect();
    cands.sort_by_key(|s| (s.len(), std::cmp::Reverse(s.start)));
    let mut out: Vec<Span> = Vec::new();
    for c in cands {
        match out.last() {
            Some(last) if *last == c || !(c.start <= last.start && last.end <= c.end) => {}
            _ => out.push(c),
        }
    }
    if let Some(tree) = tree {
        slot_tree_nodes(tree, offset, &mut out);
    }
    out
}

fn slot_tree_nodes(tree: &Tree, offset: usize, out: &mut Vec<Span>) {
    let Some(mut node) = tree.root_node().descendant_for_byte_range(offset, offset) else {
        return;
    };
    loop {
        if node.is_named() && !node.is_error() {
            let s = Span::new(node.start_byte(), node.end_byte());
            if !s.is_empty() && s.touches(offset) {
                // Find where it fits: after every range it contains, before one containing it.
                let pos = out.partition_point(|o| o.start >= s.start && o.end <= s.end && *o != s);
                let fits_inner = pos == 0 || out.get(pos - 1).is_some_and(|o| *o != s);
                let fits_outer = out
                    .get(pos)
                    .is_some_and(|o| o.start <= s.start && s.end <= o.end && *o != s);
                let ordered = out[..pos]
                    .iter()
                    .all(|o| s.start <= o.start && o.end <= s.end);
                if fits_inner && fits_outer && ordered {
                    out.insert(pos, s);
                }
            }
        }
        match node.parent() {
            Some(p) => node = p,
            None => break,
        }
    }
}

fn instruction(ins: &Instruction, out: &mut Vec<Span>) {
    out.push(ins.span);
    out.push(ins.keyword_span);
    if !ins.rest.span.is_empty() {
        out.push(ins.rest.span);
    }
    // Arguments (flags to end): from the first flag to the end of the rest.
    if let Some(first) = ins.flags.first() {
        let end = if ins.rest.span.is_empty() {
            ins.flags
                .last()
                .map(|f| f.span.end)
                .unwrap_or(first.span.end)
        } else {
            ins.rest.span.end
        };
        out.push(Span::new(first.span.start, end.max(first.span.end)));
    }
    for f in &ins.flags {
        out.push(f.span);
        out.push(Span::new(f.span.start, f.name_span.end.max(f.span.start)));
        if let Some(v) = f.value_span {
            out.push(v);
        }
        for o in &f.options {
            out.extend([o.span, o.key_span]);
            out.extend(o.value_span);
        }
    }
    for w in &ins.words {
        out.push(w.span);
    }
    if let Some(j) = &ins.json {
        out.push(j.span);
        out.extend(j.items.iter().map(|w| w.span));
    }
    for h in &ins.heredocs {
        out.extend([h.marker_span, h.body_span]);
        out.extend(h.end_span);
        let end = h.end_span.map(|e| e.end).unwrap_or(h.body_span.end);
        if h.body_span.start > 0 {
            out.push(Span::new(h.body_span.start, end.max(h.body_span.start)));
        }
    }
    match &ins.details {
        Details::From {
            image,
            as_keyword,
            stage_name,
        } => {
            if let Some(img) = image {
                out.extend([img.span, img.name_span]);
                out.extend(img.tag_span);
                out.extend(img.digest_span);
            }
            out.extend(as_keyword.iter().map(|w| w.span));
            out.extend(stage_name.iter().map(|w| w.span));
        }
        Details::Pairs(pairs) => {
            for p in pairs {
                out.extend([p.span, p.key.span]);
                out.extend(p.value.iter().map(|w| w.span));
            }
        }
        Details::Onbuild(inner) => instruction(inner, out),
        Details::Healthcheck { cmd, .. } => out.extend(cmd.iter().map(|w| w.span)),
        Details::None => {}
    }
}

/// The run of word characters around `offset` (letters and digits of any script, `_`).
fn word_at(text: &str, offset: usize) -> Option<Span> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset)?;
    let after = text.get(offset..)?;
    let a = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word(c))
        .last()
        .map_or(offset, |(i, _)| i);
    let b = offset
        + after
            .chars()
            .take_while(|&c| is_word(c))
            .map(char::len_utf8)
            .sum::<usize>();
    (b > a).then_some(Span::new(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_is_strictly_nested() {
        let text = "FROM alpine AS base\nRUN --mount=type=cache,target=/root/.cache echo $HOME\n";
        let model = crate::model::build(text);
        let tree = crate::syntax::parse(text, None);
        for off in 0..=text.len() {
            let c = chain(text, &model, Some(&tree), off);
            assert!(!c.is_empty());
            assert_eq!(*c.last().unwrap(), Span::new(0, text.len()));
            for w in c.windows(2) {
                assert!(
                    w[1].start <= w[0].start && w[0].end <= w[1].end && w[0] != w[1],
                    "{off}: {c:?}"
                );
            }
        }
        let off = text.find("cache,").unwrap() + 1;
        let c = chain(text, &model, None, off);
        assert_eq!(&text[c[0].start..c[0].end], "cache");
    }
}
