//! Go to definition, find references and document highlights.
//!
//! Three kinds of symbols have names in a Dockerfile:
//! - build stages: `FROM … AS name`, referenced by `COPY/ADD --from=name`,
//!   `RUN --mount=…,from=name` and `FROM name`;
//! - variables (ARG and ENV), scoped the way BuildKit scopes them: a use refers to the
//!   definition in scope (resolved by the model), a global ARG and its re-declarations in
//!   stages are one build argument (one symbol), an ENV shadowing an ARG is another symbol;
//! - heredoc delimiters: the `<<EOF` marker and the closing `EOF` line.
//!
//! Everything here is a pure function of the model and the text, in byte spans.

use crate::hash::FastMap;
use crate::model::{Heredoc, Model, Span, VarKind};

/// A named thing the cursor can be on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Symbol {
    /// A stage, by index into `Model::stages`.
    Stage(usize),
    /// A variable, by the index into `Model::vars` of its root definition (for a build
    /// argument declared globally: the first global ARG of that name).
    Var(usize),
    /// Uses of a variable that has no definition in scope (nor a predefined one).
    FreeVar(String),
    /// A heredoc: `Model::instructions[instruction].heredocs[index]`.
    Heredoc { instruction: usize, index: usize },
}

/// The part an occurrence plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Where the name is declared (stage name, ARG/ENV name, heredoc marker).
    Definition,
    /// Where the name is used.
    Reference,
}

/// One place a symbol's name appears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// The name itself (without `$`, `{`, quotes, `<<`).
    pub span: Span,
    pub role: Role,
    /// A stage referenced by its index (`--from=0`): it has no name to rename.
    pub by_index: bool,
    /// A stage named through variables (`FROM ${BASE}`, `--from=$B`): the text is not the
    /// name.
    pub via_variable: bool,
}

/// Read/write/text, as document highlights distinguish them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HighlightKind {
    Text,
    Read,
    Write,
}

/// The symbol under (or just after) `offset`, and the span of the name there.
pub fn symbol_at(model: &Model, text: &str, offset: usize) -> Option<(Symbol, Span)> {
    // Variable uses: the name first, then the innermost expansion around the cursor.
    if let Some(u) = model.var_uses.iter().find(|u| u.name_span.touches(offset)) {
        return Some((use_symbol(model, u.def, &u.name), u.name_span));
    }
    // Definitions (ARG/ENV names).
    if let Some((i, d)) = model.vars.iter().enumerate().find(|(_, d)| {
        d.kind != VarKind::Predefined && !d.name_span.is_empty() && d.name_span.touches(offset)
    }) {
        return Some((Symbol::Var(var_root(model, i)), d.name_span));
    }
    if let Some(u) = model
        .var_uses
        .iter()
        .filter(|u| u.span.contains(offset))
        .min_by_key(|u| u.span.len())
    {
        return Some((use_symbol(model, u.def, &u.name), u.name_span));
    }
    // Stage references and stage names.
    if let Some(r) = model.stage_refs.iter().find(|r| r.span.touches(offset)) {
        if let Some(t) = r.target {
            return Some((Symbol::Stage(t), r.span));
        }
    }
    for (i, s) in model.stages.iter().enumerate() {
        if let Some(name) = &s.name {
            if name.span.touches(offset) {
                return Some((Symbol::Stage(i), name_span(text, name.span)));
            }
        }
    }
    // Heredoc delimiters: the marker (anywhere on `<<-"EOF"`) or the closing line.
    if let Some((ii, ins)) = model.instruction_at(offset) {
        for (hi, h) in ins.heredocs.iter().enumerate() {
            let (marker, end) = heredoc_spans(text, h);
            if h.marker_span.touches(offset) {
                if let Some(m) = marker {
                    return Some((
                        Symbol::Heredoc {
                            instruction: ii,
                            index: hi,
                        },
                        m,
                    ));
                }
            }
            if let Some(e) = end.filter(|e| e.touches(offset)) {
                return Some((
                    Symbol::Heredoc {
                        instruction: ii,
                        index: hi,
                    },
                    e,
                ));
            }
        }
    }
    None
}

fn use_symbol(model: &Model, def: Option<usize>, name: &str) -> Symbol {
    match def {
        Some(d) if d < model.vars.len() => Symbol::Var(var_root(model, d)),
        _ => Symbol::FreeVar(name.to_string()),
    }
}

/// The root definition of variable `i`: a global ARG, or a stage ARG re-declaring one
/// (with or without a default: the build argument is the same), maps to the first global
/// ARG of its name; anything else is its own root.
pub fn var_root(model: &Model, i: usize) -> usize {
    root_with(model, i, |name| {
        model
            .vars
            .iter()
            .position(|v| v.kind == VarKind::GlobalArg && v.name == name)
    })
}

/// [`var_root`] of every variable, in one pass (`var_root` of each in turn would search
/// the variables once per variable).
pub fn var_roots(model: &Model) -> Vec<usize> {
    let mut first_global: FastMap<&str, usize> = FastMap::default();
    for (i, v) in model.vars.iter().enumerate() {
        if v.kind == VarKind::GlobalArg {
            first_global.entry(v.name.as_str()).or_insert(i);
        }
    }
    (0..model.vars.len())
        .map(|i| root_with(model, i, |name| first_global.get(name).copied()))
        .collect()
}

/// [`var_root`], `first_global` giving the first global ARG of a name.
fn root_with(model: &Model, i: usize, first_global: impl Fn(&str) -> Option<usize>) -> usize {
    let Some(d) = model.vars.get(i) else { return i };
    if !matches!(d.kind, VarKind::GlobalArg | VarKind::Arg) {
        return i;
    }
    let global = match d.global {
        Some(g) => model.vars.get(g).map(|g| g.name.as_str()),
        None => Some(d.name.as_str()),
    };
    global.and_then(first_global).or(d.global).unwrap_or(i)
}

/// The name inside a word's span, without surrounding quotes.
pub(crate) fn name_span(text: &str, span: Span) -> Span {
    let Some(s) = text.get(span.start..span.end) else {
        return span;
    };
    let b = s.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        Span::new(span.start + 1, span.end - 1)
    } else {
        span
    }
}

/// The delimiter's spans in the `<<EOF` marker and in the closing line, when found.
pub fn heredoc_spans(text: &str, h: &Heredoc) -> (Option<Span>, Option<Span>) {
    let find = |span: Span| -> Option<Span> {
        if h.delimiter.is_empty() {
            return None;
        }
        let s = text.get(span.start..span.end)?;
        let i = s.rfind(h.delimiter.as_str())?;
        Some(Span::new(
            span.start + i,
            span.start + i + h.delimiter.len(),
        ))
    };
    (find(h.marker_span), h.end_span.and_then(find))
}

/// Where the stage is declared: its name, or for an unnamed stage its base image (or the
/// FROM keyword).
pub fn stage_definition_span(model: &Model, text: &str, stage: usize) -> Option<Span> {
    let s = model.stages.get(stage)?;
    if let Some(n) = &s.name {
        return Some(name_span(text, n.span));
    }
    if let Some(img) = &s.image {
        if !img.span.is_empty() {
            return Some(img.span);
        }
    }
    model.instructions.get(s.from).map(|i| i.keyword_span)
}

/// Every occurrence of `symbol`, in document order.
pub fn occurrences(model: &Model, text: &str, symbol: &Symbol) -> Vec<Occurrence> {
    let mut out = Vec::new();
    let def = |span| Occurrence {
        span,
        role: Role::Definition,
        by_index: false,
        via_variable: false,
    };
    let reference = |span| Occurrence {
        span,
        role: Role::Reference,
        by_index: false,
        via_variable: false,
    };
    match symbol {
        Symbol::Stage(i) => {
            if let Some(n) = model.stages.get(*i).and_then(|s| s.name.as_ref()) {
                out.push(def(name_span(text, n.span)));
            }
            for r in model.stage_refs.iter().filter(|r| r.target == Some(*i)) {
                let by_index = !r.name.is_empty() && r.name.bytes().all(|b| b.is_ascii_digit());
                out.push(Occurrence {
                    span: r.span,
                    role: Role::Reference,
                    by_index,
                    via_variable: r.name.contains('$'),
                });
            }
        }
        Symbol::Var(root) => {
            let mut in_symbol = vec![false; model.vars.len()];
            let roots = var_roots(model);
            for (i, d) in model.vars.iter().enumerate() {
                if roots.get(i) == Some(root) {
                    in_symbol[i] = true;
                    if d.kind != VarKind::Predefined && !d.name_span.is_empty() {
                        out.push(def(d.name_span));
                    }
                }
            }
            for u in &model.var_uses {
                if u.def
                    .is_some_and(|d| in_symbol.get(d).copied().unwrap_or(false))
                {
                    out.push(reference(u.name_span));
                }
            }
        }
        Symbol::FreeVar(name) => {
            for u in &model.var_uses {
                if u.name == name && u.def.is_none_or(|d| d >= model.vars.len()) {
                    out.push(reference(u.name_span));
                }
            }
        }
        Symbol::Heredoc { instruction, index } => {
            if let Some(h) = model
                .instructions
                .get(*instruction)
                .and_then(|i| i.heredocs.get(*index))
            {
                let (marker, end) = heredoc_spans(text, h);
                out.extend(marker.map(def));
                out.extend(end.map(reference));
            }
        }
    }
    out.sort_by_key(|o| (o.span.start, o.span.end));
    out.dedup_by_key(|o| o.span);
    out
}

/// Go to definition: where the symbol under the cursor is declared. For a use, the
/// definition in scope; on a stage re-declaration of a global ARG, the global ARG.
pub fn definition(model: &Model, text: &str, offset: usize) -> Vec<Span> {
    // A use goes to the definition BuildKit would use, not to the symbol's root.
    if let Some(u) = model
        .var_uses
        .iter()
        .find(|u| u.name_span.touches(offset))
        .or_else(|| {
            model
                .var_uses
                .iter()
                .filter(|u| u.span.contains(offset))
                .min_by_key(|u| u.span.len())
        })
    {
        return u
            .def
            .and_then(|d| model.vars.get(d))
            .filter(|d| d.kind != VarKind::Predefined && !d.name_span.is_empty())
            .map(|d| vec![d.name_span])
            .unwrap_or_default();
    }
    let Some((symbol, span)) = symbol_at(model, text, offset) else {
        return Vec::new();
    };
    match symbol {
        Symbol::Stage(i) => stage_definition_span(model, text, i).into_iter().collect(),
        Symbol::Var(root) => {
            // On a definition: a re-declaration goes to its global; the root to itself.
            let here = model.vars.iter().position(|d| d.name_span == span);
            let target = match here.and_then(|h| model.vars.get(h).map(|d| (h, d))) {
                Some((_, d)) if d.global.is_some() => d.global.unwrap_or(root),
                // a stage ARG with a default, re-declaring a global build argument
                Some((_, d)) if d.kind == VarKind::Arg => root,
                Some((h, _)) => h,
                None => root,
            };
            model
                .vars
                .get(target)
                .filter(|d| !d.name_span.is_empty())
                .map(|d| vec![d.name_span])
                .unwrap_or_default()
        }
        Symbol::FreeVar(_) => Vec::new(),
        Symbol::Heredoc { .. } => occurrences(model, text, &symbol)
            .into_iter()
            .filter(|o| o.role == Role::Definition)
            .map(|o| o.span)
            .collect(),
    }
}

/// Find references: every occurrence of the symbol under the cursor; declarations only
/// when `include_declaration`.
pub fn references(
    model: &Model,
    text: &str,
    offset: usize,
    include_declaration: bool,
) -> Vec<Span> {
    let Some((symbol, _)) = symbol_at(model, text, offset) else {
        return Vec::new();
    };
    occurrences(model, text, &symbol)
        .into_iter()
        .filter(|o| include_declaration || o.role == Role::Reference)
        .map(|o| o.span)
        .collect()
}

/// Document highlights: declarations are writes, uses reads; heredoc delimiters text.
pub fn highlights(model: &Model, text: &str, offset: usize) -> Vec<(Span, HighlightKind)> {
    let Some((symbol, _)) = symbol_at(model, text, offset) else {
        return Vec::new();
    };
    let heredoc = matches!(symbol, Symbol::Heredoc { .. });
    occurrences(model, text, &symbol)
        .into_iter()
        .map(|o| {
            let kind = match (heredoc, o.role) {
                (true, _) => HighlightKind::Text,
                (false, Role::Definition) => HighlightKind::Write,
                (false, Role::Reference) => HighlightKind::Read,
            };
            (o.span, kind)
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::build;

    /// The cursor marker in fixtures.
    pub const CURSOR: char = '‸';

    /// The text without the marker, and the marker's byte offset.
    pub fn fixture(src: &str) -> (String, usize) {
        let offset = src.find(CURSOR).expect("fixture has a cursor marker");
        (src.replacen(CURSOR, "", 1), offset)
    }

    /// The texts of the spans.
    pub fn texts<'a>(text: &'a str, spans: &[Span]) -> Vec<&'a str> {
        spans.iter().map(|s| &text[s.start..s.end]).collect()
    }

    /// The 0-based lines of the spans.
    pub fn lines(text: &str, spans: &[Span]) -> Vec<usize> {
        spans
            .iter()
            .map(|s| text[..s.start].matches('\n').count())
            .collect()
    }

    fn refs(src: &str, decl: bool) -> (String, Vec<Span>) {
        let (text, offset) = fixture(src);
        let m = build(&text);
        let r = references(&m, &text, offset, decl);
        (text, r)
    }

    const STAGES: &str = "FROM golang:1.22 AS build‸er\n\
        RUN go build -o /out/app\n\
        FROM builder AS test\n\
        RUN --mount=type=cache,target=/root,from=builder true\n\
        FROM alpine\n\
        COPY --from=builder /out/app /app\n\
        COPY --from=0 /x /y\n";

    #[test]
    fn stage_references_all_kinds() {
        let (text, r) = refs(STAGES, true);
        assert_eq!(
            texts(&text, &r),
            ["builder", "builder", "builder", "builder", "0"]
        );
        assert_eq!(lines(&text, &r), [0, 2, 3, 5, 6]);
        let (text, r) = refs(STAGES, false);
        assert_eq!(lines(&text, &r), [2, 3, 5, 6]);
    }

    #[test]
    fn stage_definition_from_each_reference() {
        for marker in [
            "FROM build‸er AS",
            "from=buil‸der true",
            "--from=builder‸ /out",
            "--from=‸0",
        ] {
            let src = STAGES
                .replace("‸", "")
                .replacen(&marker.replace('‸', ""), marker, 1);
            let (text, offset) = fixture(&src);
            let m = build(&text);
            let d = definition(&m, &text, offset);
            assert_eq!(lines(&text, &d), [0], "{marker}");
            assert_eq!(texts(&text, &d), ["builder"], "{marker}");
        }
    }

    #[test]
    fn unnamed_stage_definition_is_its_image() {
        let (text, offset) =
            fixture("FROM alpine:3.19\nRUN true\nFROM scratch\nCOPY --from=‸0 / /\n");
        let m = build(&text);
        assert_eq!(
            texts(&text, &definition(&m, &text, offset)),
            ["alpine:3.19"]
        );
    }

    #[test]
    fn stage_names_match_case_insensitively() {
        let (text, r) = refs(
            "FROM alpine AS Bu‸ild\nFROM scratch\nCOPY --from=build / /\n",
            true,
        );
        assert_eq!(texts(&text, &r), ["Build", "build"]);
    }

    const VARS: &str = "ARG VER‸SION=3.19\n\
        FROM alpine:${VERSION}\n\
        ARG VERSION\n\
        RUN echo $VERSION\n\
        ENV VERSION=${VERSION}-x\n\
        RUN echo ${VERSION}\n\
        FROM alpine:$VERSION\n\
        RUN echo ${VERSION:-none}\n";

    #[test]
    fn global_arg_and_redeclaration_are_one_symbol() {
        let (text, r) = refs(VARS, true);
        // global decl, FROM use, stage redeclaration, RUN use, the ENV value's use, 2nd FROM
        assert_eq!(lines(&text, &r), [0, 1, 2, 3, 4, 6]);
        assert!(texts(&text, &r).iter().all(|t| *t == "VERSION"));
        // from the redeclaration: the same set
        let src = VARS
            .replace('‸', "")
            .replacen("ARG VERSION\n", "ARG VERS‸ION\n", 1);
        let (text, r2) = refs(&src, true);
        assert_eq!(r, r2);
        let _ = text;
    }

    #[test]
    fn env_shadowing_an_arg_is_another_symbol() {
        let src = VARS
            .replace('‸', "")
            .replacen("ENV VERSION=", "ENV VER‸SION=", 1);
        let (text, r) = refs(&src, true);
        assert_eq!(lines(&text, &r), [4, 5]);
        // the use after the ENV goes to the ENV
        let src = VARS
            .replace('‸', "")
            .replacen("echo ${VERSION}\n", "echo ${VERS‸ION}\n", 1);
        let (text, offset) = fixture(&src);
        let m = build(&text);
        assert_eq!(lines(&text, &definition(&m, &text, offset)), [4]);
        // unset in the second stage: `${VERSION:-none}` is the global's redeclaration? no:
        // the second stage does not redeclare it, so the use has no definition in scope.
        let src = VARS
            .replace('‸', "")
            .replacen("${VERSION:-none}", "${VERSI‸ON:-none}", 1);
        let (text, offset) = fixture(&src);
        let m = build(&text);
        assert!(definition(&m, &text, offset).is_empty());
    }

    #[test]
    fn use_definition_is_the_def_in_scope() {
        // the RUN use resolves to the stage redeclaration
        let src = VARS
            .replace('‸', "")
            .replacen("echo $VERSION", "echo $VER‸SION", 1);
        let (text, offset) = fixture(&src);
        let m = build(&text);
        assert_eq!(lines(&text, &definition(&m, &text, offset)), [2]);
        // the redeclaration goes to the global
        let src = VARS
            .replace('‸', "")
            .replacen("ARG VERSION\n", "ARG VERSION‸\n", 1);
        let (text, offset) = fixture(&src);
        let m = build(&text);
        assert_eq!(lines(&text, &definition(&m, &text, offset)), [0]);
        // a FROM use goes to the global
        let src = VARS
            .replace('‸', "")
            .replacen("alpine:$VERSION", "alpine:$‸VERSION", 1);
        let (text, offset) = fixture(&src);
        let m = build(&text);
        assert_eq!(lines(&text, &definition(&m, &text, offset)), [0]);
    }

    #[test]
    fn heredoc_marker_and_closing_line() {
        let src = "FROM alpine\nRUN <<‸EOF\necho hi\nEOF\nCOPY <<-\"END\" /x\n\tbody\n\tEND\n";
        let (text, r) = refs(src, true);
        assert_eq!(texts(&text, &r), ["EOF", "EOF"]);
        assert_eq!(lines(&text, &r), [1, 3]);
        let src = "FROM alpine\nRUN <<EOF\necho hi\nEOF\nCOPY <<-\"END\" /x\n\tbody\n\tEN‸D\n";
        let (text, offset) = fixture(src);
        let m = build(&text);
        let d = definition(&m, &text, offset);
        assert_eq!(texts(&text, &d), ["END"]);
        assert_eq!(lines(&text, &d), [4]);
    }

    #[test]
    fn highlight_kinds() {
        let (text, offset) = fixture("FROM alpine AS a\nFROM scratch\nCOPY --from=‸a / /\n");
        let m = build(&text);
        let h = highlights(&m, &text, offset);
        assert_eq!(
            h.iter().map(|(_, k)| *k).collect::<Vec<_>>(),
            [HighlightKind::Write, HighlightKind::Read]
        );
        let (text, offset) = fixture("FROM alpine\nARG ‸A=1\nRUN echo $A\n");
        let m = build(&text);
        let h = highlights(&m, &text, offset);
        assert_eq!(
            h.iter().map(|(_, k)| *k).collect::<Vec<_>>(),
            [HighlightKind::Write, HighlightKind::Read]
        );
    }

    /// The real-world corpus plus odd inputs.
    fn corpus() -> Vec<String> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/corpus/real");
        let mut texts: Vec<String> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "Dockerfile"))
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    .collect()
            })
            .unwrap_or_default();
        assert!(!texts.is_empty(), "no corpus files in {dir}");
        texts.extend(
            [
                "",
                "FROM",
                "FROM a AS",
                "FROM a AS b\nCOPY --from= / /\nCOPY --from=b",
                "ARG\nFROM ${",
                "FROM a\nRUN <<EOF\n",
                "FROM a\nRUN <<\"\"\nx\n",
                "FROM a\r\nENV é=😀 ${é}\r\nRUN --mount=from=a,from= x\r\n",
                "# escape=`\nFROM a AS b\nRUN echo `\n  $X\nCOPY --from=b `\n /a /b\n",
                "ONBUILD COPY --from=x / /\nFROM x AS x\nFROM x\n",
            ]
            .map(String::from),
        );
        texts
    }

    #[test]
    fn no_panics_and_valid_spans_on_the_corpus() {
        for text in corpus() {
            let m = build(&text);
            let ok = |s: &Span| s.start <= s.end && text.get(s.start..s.end).is_some();
            let stride = (text.len() / 1500).max(1);
            for offset in (0..=text.len() + 1).step_by(stride) {
                assert!(definition(&m, &text, offset).iter().all(ok));
                assert!(references(&m, &text, offset, true).iter().all(ok));
                assert!(highlights(&m, &text, offset).iter().all(|(s, _)| ok(s)));
                if let Ok((span, _)) = crate::features::rename::prepare_rename(&m, &text, offset) {
                    assert!(ok(&span));
                    for name in ["x_1", "new-name"] {
                        if let Ok(edits) = crate::features::rename::rename(&m, &text, offset, name)
                        {
                            let mut spans: Vec<Span> = edits.iter().map(|(s, _)| *s).collect();
                            spans.sort();
                            assert!(spans.iter().all(ok));
                            assert!(
                                spans.windows(2).all(|w| w[0].end <= w[1].start),
                                "overlapping edits"
                            );
                        }
                    }
                }
            }
            let idx = crate::document::LineIndex::new(&text);
            let symbols = crate::features::symbols::document_symbols(
                &m,
                &text,
                &idx,
                crate::document::Encoding::Utf16,
            );
            fn contained(s: &tower_lsp_server::ls_types::DocumentSymbol) -> bool {
                let inside = |r: &tower_lsp_server::ls_types::Range| {
                    s.range.start <= r.start && r.end <= s.range.end
                };
                inside(&s.selection_range)
                    && s.children
                        .iter()
                        .flatten()
                        .all(|c| inside(&c.range) && contained(c))
            }
            assert!(symbols.iter().all(contained), "{text}");
            let _ = crate::features::symbols::workspace_symbols(&m, &text, "a");
            assert!(crate::features::links::document_links(&m, &text, &[])
                .iter()
                .all(|l| ok(&l.span)));
            let hints =
                crate::features::inlay_hints::inlay_hints(&m, &text, Span::new(0, text.len()), &[]);
            assert!(hints.iter().all(|h| h.offset <= text.len()));
        }
    }

    #[test]
    fn nothing_on_plain_text_and_out_of_range() {
        let (text, offset) = fixture("FROM alp‸ine\nRUN true\n");
        let m = build(&text);
        assert!(symbol_at(&m, &text, offset).is_none());
        assert!(definition(&m, &text, 10_000).is_empty());
        assert!(references(&m, &text, 10_000, true).is_empty());
    }
}
