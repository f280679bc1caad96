//! Hover: documentation of keywords, flags, `--mount` options and directives; what a
//! stage reference points at; where a variable is defined and what it resolves to; the
//! parts of a base image reference; and the explanation of any finding under the cursor.
//!
//! All content is Markdown. Everything is a pure function of the model, the text and the
//! findings, in byte spans.

use super::completion::rule_markdown;
use super::docs;
use crate::model::{
    Details, Flag, FlagOption, Instruction, Model, Span, Stage, StageRefKind, VarKind,
};
use crate::rules::Finding;

#[derive(Clone, Debug, Default)]
pub struct Options<'a> {
    /// `--build-arg` values that override ARG defaults.
    pub build_args: &'a [(String, String)],
    /// Where rule documentation lives (a page with one anchor per rule id, lower case).
    pub rules_doc_url: Option<&'a str>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoverInfo {
    pub markdown: String,
    /// What the hover is about (highlighted by the client).
    pub span: Span,
}

/// Hover at byte `offset`.
pub fn hover(
    model: &Model,
    text: &str,
    offset: usize,
    findings: &[Finding],
    opts: &Options,
) -> Option<HoverInfo> {
    let offset = super::completion::snap_offset(text, offset);
    let element = element_hover(model, text, offset, opts);
    let mut rules: Vec<String> = Vec::new();
    let mut rule_span: Option<Span> = None;
    for f in findings
        .iter()
        .filter(|f| f.span.contains(offset) || f.span.is_empty() && f.span.start == offset)
    {
        let mut s = format!("**{}**: {}", f.rule, f.message);
        if let Some(r) = crate::rules::find(f.rule) {
            if r.summary != &*f.message {
                s.push_str(&format!("\n\n_{}_", r.summary));
            }
            if !r.docs.is_empty() {
                s.push_str("\n\n");
                s.push_str(r.docs.trim());
            }
        }
        if let Some(url) = opts.rules_doc_url {
            s.push_str(&format!(
                "\n\n[{} documentation]({}#{})",
                f.rule,
                url,
                f.rule.to_ascii_lowercase()
            ));
        }
        if !rules.contains(&s) {
            rules.push(s);
        }
        rule_span = Some(rule_span.map_or(
            f.span,
            |r: Span| if f.span.len() < r.len() { f.span } else { r },
        ));
    }
    match (element, rules.is_empty()) {
        (None, true) => None,
        (Some((md, span)), true) => Some(HoverInfo { markdown: md, span }),
        (element, false) => {
            let mut parts = rules;
            let span = match element {
                Some((md, span)) => {
                    parts.push(md);
                    span
                }
                None => rule_span.unwrap_or_default(),
            };
            Some(HoverInfo {
                markdown: parts.join("\n\n---\n\n"),
                span,
            })
        }
    }
}

fn element_hover(
    model: &Model,
    text: &str,
    offset: usize,
    opts: &Options,
) -> Option<(String, Span)> {
    // Parser directives.
    if let Some(d) = model.directives.iter().find(|d| d.span.touches(offset)) {
        let doc = docs::directive(&d.name)?;
        let mut md = docs::directive_markdown(doc);
        if d.name.eq_ignore_ascii_case("check") && d.value_span.contains(offset) {
            if let Some((word, span)) =
                word_at(text, offset, |ch| ch.is_ascii_alphanumeric() || ch == '_')
            {
                if let Some(rule) = rule_markdown(word) {
                    return Some((rule, span));
                }
            }
        }
        if d.value_span.touches(offset) && !d.value.is_empty() {
            if let Some(v) = doc.values.iter().find(|v| v.value == d.value) {
                md = format!(
                    "**`# {}={}`**: {}\n\n---\n\n{}",
                    doc.name, v.value, v.summary, md
                );
            }
            return Some((md, d.value_span));
        }
        return Some((md, d.name_span));
    }
    // Suppression comments: the rule id under the cursor.
    if let Some(c) = model.comments.iter().find(|c| c.span.contains(offset)) {
        let line = text.get(c.span.start..c.span.end)?;
        if !line.contains("ignore=") {
            return None;
        }
        let (word, span) = word_at(text, offset, |ch| ch.is_ascii_alphanumeric() || ch == '_')?;
        return rule_markdown(word).map(|md| (md, span));
    }
    // Variable uses (also in heredoc bodies and shell commands).
    if let Some(u) = model.var_uses.iter().find(|u| u.span.contains(offset)) {
        return Some((var_use_markdown(model, text, u, opts), u.span));
    }
    let (_, ins) = model.instruction_at(offset)?;
    instruction_hover(model, text, ins, offset, opts)
}

/// The run of `is_word` characters around `offset`.
fn word_at(text: &str, offset: usize, is_word: impl Fn(char) -> bool) -> Option<(&str, Span)> {
    let before = text.get(..offset)?;
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let after = text.get(offset..)?;
    let end = offset + after.find(|c: char| !is_word(c)).unwrap_or(after.len());
    if start == end {
        return None;
    }
    Some((text.get(start..end)?, Span::new(start, end)))
}

fn instruction_hover(
    model: &Model,
    text: &str,
    ins: &Instruction,
    offset: usize,
    opts: &Options,
) -> Option<(String, Span)> {
    if ins.keyword_span.contains(offset)
        || ins.keyword_span.end == offset && !ins.keyword_span.is_empty()
    {
        let doc = docs::instruction(ins.kind.name());
        return match doc {
            Some(d) => Some((docs::instruction_markdown(d), ins.keyword_span)),
            None => Some((
                format!("`{}` is not a Dockerfile instruction.", ins.keyword),
                ins.keyword_span,
            )),
        };
    }
    if let Details::Onbuild(inner) = &ins.details {
        if inner.span.touches(offset) {
            return instruction_hover(model, text, inner, offset, opts);
        }
    }
    // Inside a heredoc body: nothing but variables (handled before).
    if ins
        .heredocs
        .iter()
        .any(|h| h.body_span.contains(offset) || h.end_span.is_some_and(|e| e.touches(offset)))
    {
        return None;
    }
    for f in &ins.flags {
        if f.span.contains(offset) {
            return flag_hover(model, ins, f, offset);
        }
    }
    if let Some(r) = model.stage_refs.iter().find(|r| r.span.contains(offset)) {
        if let Some(st) = r.target.and_then(|t| model.stages.get(t)) {
            return Some((stage_markdown(model, text, st), r.span));
        }
    }
    match &ins.details {
        Details::From {
            image,
            as_keyword,
            stage_name,
        } => {
            if let Some(img) = image.as_ref().filter(|i| i.span.contains(offset)) {
                return Some((image_markdown(model, img, ins, opts), img.span));
            }
            if let Some(w) = as_keyword.as_ref().filter(|w| w.span.contains(offset)) {
                return Some((
                    "**`AS <name>`**\n\nNames this build stage so that `COPY --from=`, `RUN --mount=from=` and later `FROM` lines can refer to it. BuildKit compares stage names case-insensitively.".to_string(),
                    w.span,
                ));
            }
            if let Some(w) = stage_name.as_ref().filter(|w| w.span.contains(offset)) {
                let st = model
                    .stages
                    .iter()
                    .find(|s| s.name.as_ref().is_some_and(|n| n.span == w.span))?;
                return Some((stage_markdown(model, text, st), w.span));
            }
        }
        Details::Pairs(pairs) => {
            if let Some(kv) = pairs.iter().find(|kv| kv.key.span.contains(offset)) {
                if let Some(v) = model.vars.iter().find(|v| v.name_span == kv.key.span) {
                    return Some((var_def_markdown(model, text, v, ins, opts), kv.key.span));
                }
            }
        }
        Details::Healthcheck { cmd: Some(w), .. } if w.span.contains(offset) => {
            let d = docs::instruction("HEALTHCHECK")?;
            return Some((docs::instruction_markdown(d), w.span));
        }
        _ => {}
    }
    None
}

fn flag_hover(model: &Model, ins: &Instruction, f: &Flag, offset: usize) -> Option<(String, Span)> {
    let kw = ins.kind.name().to_ascii_uppercase();
    let on_value = f.value_span.is_some_and(|v| v.start <= offset);
    let doc = docs::flag_doc(&kw, &f.name);
    let name_span = Span::new(f.span.start, f.name_span.end.max(f.span.start));
    let Some(doc) = doc else {
        return Some((
            format!("`--{}` is not a flag of `{}`.", f.name, kw),
            name_span,
        ));
    };
    if !on_value {
        return Some((docs::flag_markdown(doc), name_span));
    }
    let vspan = f.value_span.unwrap_or(f.span);
    if doc.name == "mount" {
        if let Some(o) = f
            .options
            .iter()
            .find(|o| o.span.contains(offset) || o.span.end == offset)
        {
            return mount_option_hover(model, f, o, offset);
        }
        return Some((docs::flag_markdown(doc), vspan));
    }
    if doc.name == "from" {
        let md = match model.stage_refs.iter().find(|r| r.span == vspan || r.span.contains(offset)).and_then(|r| r.target) {
            Some(t) => stage_markdown(model, "", model.stages.get(t)?),
            None => format!(
                "`{}` is not a stage defined before this one: BuildKit treats it as an image reference or a named build context.\n\n---\n\n{}",
                f.value.as_deref().unwrap_or(""),
                docs::flag_markdown(doc)
            ),
        };
        return Some((md, vspan));
    }
    let value = f.value.as_deref().unwrap_or("");
    let mut md = docs::flag_markdown(doc);
    if let Some(v) = doc
        .values
        .iter()
        .find(|v| v.value.eq_ignore_ascii_case(value))
    {
        md = format!(
            "**`--{}={}`**: {}\n\n---\n\n{}",
            doc.name, v.value, v.summary, md
        );
    }
    Some((md, vspan))
}

fn mount_option_hover(
    model: &Model,
    f: &Flag,
    o: &FlagOption,
    offset: usize,
) -> Option<(String, Span)> {
    let ty = f
        .options
        .iter()
        .find(|o| o.key.eq_ignore_ascii_case("type"))
        .and_then(|o| o.value.as_deref())
        .unwrap_or("bind")
        .to_ascii_lowercase();
    let key = o.key.to_ascii_lowercase();
    let on_value = o.value_span.is_some_and(|v| v.start <= offset);
    let canon = docs::canonical_mount_key(&key);
    if !on_value {
        let md = match canon.and_then(|k| docs::mount_key(&ty, k)) {
            Some(k) if k.types.contains(&ty.as_str()) || k.key == "type" => {
                docs::mount_key_markdown(&ty, k)
            }
            Some(k) => format!(
                "`{}` is not an option of `type={}` mounts.\n\n---\n\n{}",
                o.key,
                ty,
                docs::mount_key_markdown(&ty, k)
            ),
            None => format!("`{}` is not a `--mount` option.", o.key),
        };
        return Some((md, o.key_span));
    }
    let vspan = o.value_span.unwrap_or(o.span);
    let value = o.value.as_deref().unwrap_or("");
    match canon {
        Some("type") => {
            let md = match docs::mount_type(value) {
                Some(t) => docs::mount_type_markdown(t),
                None => format!("`{value}` is not a mount type: use `bind`, `cache`, `tmpfs`, `secret` or `ssh`."),
            };
            Some((md, vspan))
        }
        Some("from") => {
            let target = model
                .stage_refs
                .iter()
                .find(|r| r.kind == StageRefKind::MountFrom && r.span.contains(offset))
                .and_then(|r| r.target);
            let md = match target.and_then(|t| model.stages.get(t)) {
                Some(st) => stage_markdown(model, "", st),
                None => format!("`{value}` is not a stage defined before this one: BuildKit treats it as an image reference or a named build context."),
            };
            Some((md, vspan))
        }
        Some(k) => {
            let doc = docs::mount_key(&ty, k)?;
            let mut md = docs::mount_key_markdown(&ty, doc);
            if let Some(v) = doc
                .values
                .iter()
                .find(|v| v.value.eq_ignore_ascii_case(value))
            {
                md = format!(
                    "**`{}={}`**: {}\n\n---\n\n{}",
                    doc.key, v.value, v.summary, md
                );
            }
            Some((md, vspan))
        }
        None => None,
    }
}

fn line_of(model: &Model, ins_index: usize) -> usize {
    model
        .instructions
        .get(ins_index)
        .map_or(0, |i| i.start_line + 1)
}

/// The first line of an instruction as written.
fn first_line(text: &str, ins: &Instruction) -> String {
    let s = text.get(ins.span.start..ins.span.end).unwrap_or("");
    s.lines().next().unwrap_or("").trim_end().to_string()
}

fn stage_markdown(model: &Model, text: &str, st: &Stage) -> String {
    let from = model.instructions.get(st.from);
    let line = from.map(|i| {
        let l = first_line(text, i);
        if l.is_empty() {
            // no text at hand: rebuild it from the model
            let mut s = i.keyword.to_string();
            for f in &i.flags {
                s.push_str(&format!(" --{}", f.name));
                if let Some(v) = &f.value {
                    s.push('=');
                    s.push_str(v);
                }
            }
            if let Some(img) = &st.image {
                s.push(' ');
                s.push_str(&img.raw);
            }
            if let Some(n) = &st.name {
                s.push_str(" AS ");
                s.push_str(&n.value);
            }
            s
        } else {
            l
        }
    });
    let title = match &st.name {
        Some(n) => format!("**Stage `{}`** (index {})", n.value, st.index),
        None => format!("**Stage {}** (unnamed)", st.index),
    };
    let refs = model
        .stage_refs
        .iter()
        .filter(|r| r.target == Some(st.index))
        .count();
    let mut md = format!("{title}, defined on line {}", line_of(model, st.from));
    md.push_str(&format!(
        "\n\n```dockerfile\n{}\n```",
        line.unwrap_or_default()
    ));
    if let Some(base) = model.stage_base(st.index).and_then(|b| model.stages.get(b)) {
        md.push_str(&format!(
            "\n\nBuilds on stage {}.",
            base.name
                .as_ref()
                .map_or(base.index.to_string(), |n| format!("`{}`", n.value))
        ));
    }
    md.push_str(&format!(
        "\n\n{} reference{} in this file.",
        refs,
        if refs == 1 { "" } else { "s" }
    ));
    md
}

fn image_markdown(
    model: &Model,
    img: &crate::model::ImageRef,
    ins: &Instruction,
    opts: &Options,
) -> String {
    let mut md = format!("**Image** `{}`\n\n", img.raw);
    let official = img.registry.is_none() && !img.name.contains('/');
    md.push_str("| part | value |\n|---|---|\n");
    md.push_str(&format!(
        "| registry | `{}`{} |\n",
        img.registry_or_default(),
        if img.registry.is_none() {
            " (default)"
        } else {
            ""
        }
    ));
    let name = if official {
        format!("library/{}", img.name)
    } else {
        img.name.clone()
    };
    md.push_str(&format!("| name | `{}` |\n", name));
    match &img.tag {
        Some(t) => md.push_str(&format!("| tag | `{t}` |\n")),
        None if img.digest.is_none() => md.push_str("| tag | `latest` (implied) |\n"),
        None => {}
    }
    if let Some(d) = &img.digest {
        md.push_str(&format!("| digest | `{d}` |\n"));
    }
    if img.has_variables {
        let resolved = crate::model::expand(&img.raw, |n| {
            model.resolve(n, ins.span.start, opts.build_args)
        });
        md.push_str(&format!(
            "\nWith the current build arguments: `{resolved}`\n"
        ));
    }
    if img.raw.eq_ignore_ascii_case("scratch") {
        md.push_str("\n`scratch` is the empty image: the stage starts with no files at all.\n");
    } else if let Some(d) = docs::image(&format!(
        "{}{}",
        img.registry
            .as_deref()
            .map(|r| format!("{r}/"))
            .unwrap_or_default(),
        img.name
    )) {
        md.push_str(&format!("\n{}\n", d.summary));
    }
    md
}

fn kind_word(k: VarKind) -> &'static str {
    match k {
        VarKind::GlobalArg => "global ARG",
        VarKind::Arg => "ARG",
        VarKind::Env => "ENV",
        VarKind::Predefined => "predefined ARG",
    }
}

fn definition_block(v: &crate::model::VarDef) -> String {
    let kw = if v.kind == VarKind::Env { "ENV" } else { "ARG" };
    match &v.value {
        Some(val) => format!("```dockerfile\n{kw} {}={}\n```", v.name, val),
        None => format!("```dockerfile\n{kw} {}\n```", v.name),
    }
}

fn value_line(value: Option<String>) -> String {
    match value {
        Some(v) if v.is_empty() => "Value here: empty string".to_string(),
        Some(v) => format!("Value here: `{}`", v.replace('`', "'")),
        None => {
            "No value here: expands to an empty string unless set with `--build-arg`.".to_string()
        }
    }
}

fn var_use_markdown(model: &Model, text: &str, u: &crate::model::VarUse, opts: &Options) -> String {
    let def = u.def.and_then(|d| model.vars.get(d));
    let mut md = format!("**`{}`**", u.name);
    match def {
        Some(v) if v.kind == VarKind::Predefined => {
            md = match docs::predefined_arg(&v.name) {
                Some(a) => docs::arg_markdown(a),
                None => format!("**`{}`** (predefined by BuildKit)", v.name),
            };
        }
        Some(v) => {
            md.push_str(&format!(" — {}", kind_word(v.kind)));
            if let Some(i) = v.instruction {
                md.push_str(&format!(", defined on line {}", line_of(model, i)));
            }
            md.push_str("\n\n");
            md.push_str(&definition_block(v));
            if let Some(g) = v.global.and_then(|g| model.vars.get(g)) {
                if g.kind == VarKind::GlobalArg {
                    md.push_str(&format!(
                        "\n\nRe-declares the global ARG on line {}{}.",
                        g.instruction.map_or(0, |i| line_of(model, i)),
                        g.value
                            .as_ref()
                            .map(|d| format!(" (default `{d}`)"))
                            .unwrap_or_default()
                    ));
                }
            }
        }
        None => {
            if let Some(a) = docs::predefined_arg(&u.name) {
                md = format!(
                    "{}\n\nNot declared in this scope: add `ARG {}` to the stage to use it here.",
                    docs::arg_markdown(a),
                    u.name
                );
            } else {
                md.push_str(" is not defined here: it expands to an empty string.");
            }
        }
    }
    if u.in_shell {
        md.push_str("\n\nExpanded by the shell when the command runs: ARG and ENV values are in its environment.");
    }
    if def.is_some() {
        md.push_str("\n\n");
        md.push_str(&value_line(model.resolve(
            &u.name,
            u.span.start,
            opts.build_args,
        )));
        if u.modifier.is_some() {
            let written = text.get(u.span.start..u.span.end).unwrap_or("");
            let expanded =
                crate::model::expand(written, |n| model.resolve(n, u.span.start, opts.build_args));
            md.push_str(&format!(
                "\n\n`{}` expands to `{}`",
                written,
                expanded.replace('`', "'")
            ));
        }
    }
    md
}

fn var_def_markdown(
    model: &Model,
    _text: &str,
    v: &crate::model::VarDef,
    ins: &Instruction,
    opts: &Options,
) -> String {
    let mut md = format!("**`{}`** — {}", v.name, kind_word(v.kind));
    if let Some(i) = v.instruction {
        md.push_str(&format!(", defined on line {}", line_of(model, i)));
    }
    md.push_str("\n\n");
    md.push_str(&definition_block(v));
    if let Some(g) = v.global.and_then(|g| model.vars.get(g)) {
        if g.kind == VarKind::GlobalArg {
            md.push_str(&format!(
                "\n\nMakes the global ARG from line {} visible in this stage{}.",
                g.instruction.map_or(0, |i| line_of(model, i)),
                g.value
                    .as_ref()
                    .map(|d| format!(" (default `{d}`)"))
                    .unwrap_or_default()
            ));
        } else if g.kind == VarKind::Predefined {
            if let Some(a) = docs::predefined_arg(&g.name) {
                md.push_str(&format!(
                    "\n\nMakes BuildKit's predefined `{}` visible: {}",
                    a.name, a.summary
                ));
            }
        }
    }
    if v.kind == VarKind::GlobalArg {
        md.push_str(
            "\n\nGlobal: usable in FROM lines; a stage must re-declare it (`ARG NAME`) to see it.",
        );
    }
    // The value right after this instruction.
    let after = ins.span.end.saturating_add(1);
    let value = model.resolve(&v.name, after, opts.build_args);
    if v.kind == VarKind::GlobalArg {
        let first_from = model
            .stages
            .first()
            .and_then(|s| model.instructions.get(s.from))
            .map(|i| i.span.start);
        let value = match first_from {
            Some(f) => model.resolve(&v.name, f, opts.build_args),
            None => value,
        };
        md.push_str("\n\n");
        md.push_str(&value_line(value));
    } else {
        md.push_str("\n\n");
        md.push_str(&value_line(value));
    }
    let uses = model
        .var_uses
        .iter()
        .filter(|u| u.def.is_some_and(|d| model.vars.get(d) == Some(v)))
        .count();
    md.push_str(&match uses {
        0 => "\n\nNo use refers to this definition.".to_string(),
        1 => "\n\n1 use refers to this definition.".to_string(),
        n => format!("\n\n{n} uses refer to this definition."),
    });
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_with(src: &str, findings: &[Finding]) -> Option<HoverInfo> {
        let offset = src.find('|').expect("cursor marker");
        let text = format!("{}{}", &src[..offset], &src[offset + 1..]);
        let model = crate::model::build(&text);
        hover(
            &model,
            &text,
            offset,
            findings,
            &Options {
                build_args: &[],
                rules_doc_url: Some("https://example.invalid/rules.md"),
            },
        )
    }

    fn at(src: &str) -> Option<HoverInfo> {
        at_with(src, &[])
    }

    fn md(src: &str) -> String {
        at(src).map(|h| h.markdown).unwrap_or_default()
    }

    fn covered(src: &str) -> String {
        let offset = src.find('|').unwrap();
        let text = format!("{}{}", &src[..offset], &src[offset + 1..]);
        let h = at(src).expect("hover");
        text[h.span.start..h.span.end].to_string()
    }

    #[test]
    fn keywords() {
        let m = md("FROM a\nCO|PY . /app\n");
        assert!(m.contains("COPY [--from="), "{m}");
        assert_eq!(covered("FROM a\nCO|PY . /app\n"), "COPY");
        assert!(md("FROM a\nONBUILD R|UN x").contains("Runs a command"));
        assert!(md("F|ROM a").contains("Starts a new build stage"));
        assert!(md("FROM a\nHEALTHCHECK --interval=5s C|MD true").contains("HEALTHCHECK"));
    }

    #[test]
    fn flags_and_values() {
        let m = md("FROM a\nCOPY --ch|own=1:1 a b");
        assert!(m.contains("--chown"), "{m}");
        assert_eq!(covered("FROM a\nCOPY --ch|own=1:1 a b"), "--chown");
        let m = md("FROM a\nRUN --network=no|ne true");
        assert!(m.contains("No network access"), "{m}");
        assert!(md("FROM --plat|form=linux/amd64 a").contains("platform"));
        assert!(md("FROM a\nCOPY --fo|o=1 a b").contains("not a flag"));
    }

    #[test]
    fn mount_keys_and_types() {
        let m = md("FROM a\nRUN --mount=type=cache,tar|get=/root/.cache true");
        assert!(m.contains("Where the mount appears"), "{m}");
        assert_eq!(
            covered("FROM a\nRUN --mount=type=cache,tar|get=/root/.cache true"),
            "target"
        );
        let m = md("FROM a\nRUN --mount=type=ca|che,target=/x true");
        assert!(m.contains("persistent cache"), "{m}");
        let m = md("FROM a\nRUN --mount=type=cache,target=/x,sharing=lo|cked true");
        assert!(m.contains("waits"), "{m}");
        let m = md("FROM a\nRUN --mount=type=secret,i|d=npm true");
        assert!(m.contains("--secret"), "{m}");
        assert!(md("FROM a\nRUN --mount=type=tmpfs,sh|aring=x true").contains("not an option"));
    }

    #[test]
    fn stage_references() {
        let src =
            "FROM golang:1.22 AS build\nRUN go build\nFROM alpine\nCOPY --from=bu|ild /out /app\n";
        let m = md(src);
        assert!(
            m.contains("Stage `build`")
                && m.contains("FROM golang:1.22 AS build")
                && m.contains("line 1"),
            "{m}"
        );
        assert_eq!(covered(src), "build");
        let m = md("FROM a AS deps\nFROM b\nRUN --mount=from=de|ps,target=/d true\n");
        assert!(m.contains("Stage `deps`"), "{m}");
        let m = md("FROM a AS base\nFROM ba|se\n");
        assert!(m.contains("Stage `base`"), "{m}");
        let m = md("FROM a AS ba|se\nFROM base\n");
        assert!(m.contains("1 reference"), "{m}");
        let m = md("FROM a\nCOPY --from=nginx:la|test /x /y\n");
        assert!(m.contains("image reference"), "{m}");
    }

    #[test]
    fn variables() {
        let src = "ARG VERSION=1.2\nFROM alpine\nARG VERSION\nENV APP_VERSION=${VERSION}-r1\nRUN echo $APP_VER|SION\n";
        let m = md(src);
        assert!(
            m.contains("ENV") && m.contains("line 4") && m.contains("`1.2-r1`"),
            "{m}"
        );
        assert_eq!(covered(src), "$APP_VERSION");
        let m = md("ARG VERSION=1.2\nFROM alpine\nARG VERSION\nRUN echo ${VER|SION}\n");
        assert!(
            m.contains("global ARG on line 1") && m.contains("`1.2`"),
            "{m}"
        );
        let m = md("ARG TAG=3\nFROM alpine:${T|AG}\n");
        assert!(m.contains("`3`"), "{m}");
        let m = md("FROM alpine\nRUN echo ${NOPE:-fallback|}\n");
        assert!(m.contains("not defined"), "{m}");
        let m = md("FROM alpine\nARG X=1\nRUN echo ${X:-fb|}\n");
        assert!(m.contains("expands to `1`"), "{m}");
        let m = md("FROM alpine\nRUN echo $TARGET|ARCH\n");
        assert!(m.contains("ARG TARGETARCH"), "{m}");
        // definitions
        let m = md("FROM alpine\nENV P|ATH_X=/a\nRUN echo $PATH_X\n");
        assert!(m.contains("ENV PATH_X=/a") && m.contains("1 use"), "{m}");
    }

    #[test]
    fn images() {
        let m = md("FROM node:20-al|pine\n");
        assert!(
            m.contains("docker.io") && m.contains("library/node") && m.contains("`20-alpine`"),
            "{m}"
        );
        let m = md("FROM ghcr.io/owner/app@sha256:abc|def\n");
        assert!(
            m.contains("ghcr.io") && m.contains("owner/app") && m.contains("sha256:abcdef"),
            "{m}"
        );
        assert!(md("FROM ubu|ntu\n").contains("`latest` (implied)"));
        let m = md("ARG V=3.20\nFROM alpine:$|V\n");
        assert!(m.contains("`3.20`") || m.contains("global ARG"), "{m}");
        let m = md("ARG V=3.20\nFROM alp|ine:$V\n");
        assert!(m.contains("alpine:3.20"), "{m}");
    }

    #[test]
    fn directives_and_comments() {
        let m = md("# syn|tax=docker/dockerfile:1\nFROM a\n");
        assert!(m.contains("frontend"), "{m}");
        let m = md("# syntax=docker/dockerfile|:1\nFROM a\n");
        assert!(m.contains("Latest stable"), "{m}");
        assert!(md("# esc|ape=`\nFROM a\n").contains("escape"));
        assert!(md("# check=sk|ip=all\nFROM a\n").contains("build checks"));
        assert!(at("FROM a\n# just a com|ment\n").is_none());
        assert!(at("FROM a\nRUN <<EOF\necho h|i\nEOF\n").is_none());
    }

    #[test]
    fn rule_ids_in_comments() {
        let m = md("# check=skip=JSONArgs|Recommended\nFROM a\n");
        assert!(m.contains("**JSONArgsRecommended**"), "{m}");
        assert_eq!(
            covered("# check=skip=JSONArgs|Recommended\nFROM a\n"),
            "JSONArgsRecommended"
        );
        let m = md("FROM a\n# dockerfile-ls ignore=MaintainerDep|recated\nMAINTAINER x\n");
        assert!(m.contains("**MaintainerDeprecated**"), "{m}");
        let alias = crate::rules::registry().find_map(|r| r.aliases.first().map(|a| (r.id, *a)));
        if let Some((id, alias)) = alias {
            let m = md(&format!(
                "FROM a\n# hadolint ignore={}|{}\nRUN x\n",
                &alias[..2],
                &alias[2..]
            ));
            assert!(m.contains(&format!("**{id}**")), "{m}");
        }
    }

    #[test]
    fn findings_are_explained() {
        let text = "FROM a\nMAINTAINER me\n";
        let start = text.find("MAINTAINER").unwrap();
        let f = Finding {
            rule: "MaintainerDeprecated",
            severity: crate::rules::Severity::Warning,
            span: Span::new(start, start + 13),
            message: "The MAINTAINER instruction is deprecated".into(),
            related: vec![],
            tags: vec![],
            fix: None,
        };
        let src = "FROM a\nMAINTAINER m|e\n";
        let h = at_with(src, std::slice::from_ref(&f)).expect("hover");
        assert!(
            h.markdown.contains("MaintainerDeprecated")
                && h.markdown.contains("#maintainerdeprecated"),
            "{}",
            h.markdown
        );
        // combined with the keyword docs on the keyword
        let h = at_with("FROM a\nMAINT|AINER me\n", std::slice::from_ref(&f)).unwrap();
        assert!(
            h.markdown.contains("MaintainerDeprecated")
                && h.markdown.contains("Deprecated: records"),
            "{}",
            h.markdown
        );
    }

    #[test]
    fn never_panics() {
        let text = "# syntax=x\nARG A=${B:-é}\nFROM --platform=$X a:${A} AS s\nRUN --mount=type=cache,target=/x,from=s <<EOF\nécho $A\nEOF\nCOPY --from=0 a b\n";
        let model = crate::model::build(text);
        for o in 0..=text.len() + 1 {
            let _ = hover(&model, text, o, &[], &Options::default());
        }
    }
}
