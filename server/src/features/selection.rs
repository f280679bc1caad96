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
        let target = match &ins.details {
            Details::Onbuild(inner) => inner.as_ref(),
            _ => ins,
        };
        cands.extend(shell_command_at(text, target, model.escape, offset));
        for h in &target.heredocs {
            if h.body_span.touches(offset) {
                cands.extend(body_line_at(text, h.body_span, offset));
            }
        }
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
    out.truncate(MAX_CHAIN);
    out
}

/// Most ranges in one chain, innermost first: a hostile file nests thousands of levels,
/// and a reply nested that deep is more than some clients' JSON readers take.
const MAX_CHAIN: usize = 128;

/// Most syntax tree nodes looked at, from the innermost one out.
const MAX_TREE_NODES: usize = 64;

fn slot_tree_nodes(tree: &Tree, offset: usize, out: &mut Vec<Span>) {
    let Some(leaf) = tree.root_node().descendant_for_byte_range(offset, offset) else {
        return;
    };
    // The nodes from the root down to the leaf. Walking up with `parent()` would search
    // down from the root at every step: quadratic in the depth (a 20,000-level tree took
    // 3.5 s).
    let mut path = vec![tree.root_node()];
    while let Some(next) = path.last().and_then(|n| n.child_with_descendant(leaf)) {
        path.push(next);
        if next == leaf {
            break;
        }
    }
    for &node in path.iter().rev().take(MAX_TREE_NODES) {
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

/// In a shell-form RUN/CMD/ENTRYPOINT, the command around `offset`: the text between
/// the unquoted `&&`, `||`, `|` or `;` on either side, without surrounding blanks.
fn shell_command_at(text: &str, ins: &Instruction, escape: char, offset: usize) -> Option<Span> {
    use crate::model::InstructionKind as K;
    if !ins.is_shell_form() || !matches!(ins.kind, K::Run | K::Cmd | K::Entrypoint) {
        return None;
    }
    let rest = ins.rest.span;
    // Stop before the first heredoc body.
    let end = ins
        .heredocs
        .iter()
        .map(|h| h.body_span.start)
        .filter(|&b| b > rest.start)
        .min()
        .unwrap_or(rest.end)
        .min(rest.end);
    if !(rest.start <= offset && offset <= end) {
        return None;
    }
    let s = text.get(rest.start..end)?;
    let bytes = s.as_bytes();
    let esc = if escape.is_ascii() {
        escape as u8
    } else {
        b'\\'
    };
    let (mut seg_start, mut i) = (0usize, 0usize);
    let mut quote: Option<u8> = None;
    let mut found: Option<(usize, usize)> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) => {
                if q == b'"' && b == esc {
                    i += 2;
                    continue;
                }
                if b == q {
                    quote = None;
                }
                i += 1;
            }
            None => {
                if b == esc {
                    i += 2;
                    continue;
                }
                if b == b'"' || b == b'\'' {
                    quote = Some(b);
                    i += 1;
                    continue;
                }
                let op = match (b, bytes.get(i + 1)) {
                    (b'&', Some(b'&')) | (b'|', Some(b'|')) => 2,
                    (b'|', _) | (b';', _) => 1,
                    _ => 0,
                };
                if op > 0 {
                    if rest.start + seg_start <= offset && offset <= rest.start + i {
                        found = Some((seg_start, i));
                        break;
                    }
                    seg_start = i + op;
                    i += op;
                } else {
                    i += 1;
                }
            }
        }
    }
    let (a, b) = found.unwrap_or((seg_start, bytes.len()));
    let seg = s.get(a..b.min(s.len()))?;
    // Trim blanks and line continuations at both ends.
    let lead = seg.len()
        - seg
            .trim_start_matches(|c: char| c.is_whitespace() || c == escape)
            .len();
    let trail = seg.len()
        - seg
            .trim_end_matches(|c: char| c.is_whitespace() || c == escape)
            .len();
    let span = Span::new(rest.start + a + lead, rest.start + b.min(s.len()) - trail);
    (span.start < span.end && span.touches(offset)).then_some(span)
}

/// The heredoc body line around `offset`, without its indentation and line end.
fn body_line_at(text: &str, body: Span, offset: usize) -> Option<Span> {
    let s = text.get(body.start..body.end)?;
    let rel = offset.checked_sub(body.start)?;
    let a = s.get(..rel)?.rfind('\n').map_or(0, |i| i + 1);
    let b = s.get(rel..)?.find('\n').map_or(s.len(), |i| rel + i);
    let line = s.get(a..b)?;
    let lead = line.len() - line.trim_start().len();
    let trail = line.len() - line.trim_end().len();
    let span = Span::new(body.start + a + lead, body.start + b - trail);
    (span.start < span.end).then_some(span)
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
        let text2 =
            "FROM a\nRUN apt-get update && apt-get install -y \"a && b\" \\\n    && ls -la /tmp\n";
        let model2 = crate::model::build(text2);
        let off = text2.find("-la").unwrap() + 1;
        let c = chain(text2, &model2, None, off);
        let texts: Vec<&str> = c.iter().map(|s| &text2[s.start..s.end]).collect();
        assert!(texts.contains(&"ls -la /tmp"), "{texts:?}");
        let off = text2.find("install").unwrap();
        let c = chain(text2, &model2, None, off);
        let texts: Vec<&str> = c.iter().map(|s| &text2[s.start..s.end]).collect();
        assert!(
            texts.contains(&"apt-get install -y \"a && b\""),
            "{texts:?}"
        );
        let off = text.find("cache,").unwrap() + 1;
        let c = chain(text, &model, None, off);
        assert_eq!(&text[c[0].start..c[0].end], "cache");
    }

    #[test]
    fn deep_nesting_gives_a_short_chain() {
        let text = format!("FROM a\n{}RUN true\n", "ONBUILD ".repeat(20_000));
        let model = crate::model::build(&text);
        let tree = crate::syntax::parse(&text, None);
        let off = text.find("true").unwrap();
        let c = chain(&text, &model, Some(&tree), off);
        assert!(c.len() <= MAX_CHAIN, "{}", c.len());
        assert_eq!(&text[c[0].start..c[0].end], "true");
        for w in c.windows(2) {
            assert!(w[1].start <= w[0].start && w[0].end <= w[1].end && w[0] != w[1]);
        }
    }
}
