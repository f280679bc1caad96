//! Signature help: the argument structure of the instruction under the cursor, with the
//! parameter being typed marked active.
//!
//! Like completion, this reads the logical line up to the cursor from the text, so it works
//! on half-typed instructions. Signatures come from `docs`.

use super::completion::{locate, logical, snap_offset, Place};
use super::docs::{self, ParamKind};
use crate::model::{InstructionKind, Model};
use tower_lsp_server::ls_types::{
    Documentation, MarkupContent, MarkupKind, ParameterInformation, ParameterLabel, SignatureHelp,
    SignatureInformation,
};

/// Protocol-neutral result: the instruction, its forms, which one and which parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signatures {
    pub instruction: &'static docs::InstructionDoc,
    pub active_form: usize,
    /// Index into the active form's parameters, when one is being typed.
    pub active_param: Option<usize>,
}

/// The signatures at byte `offset`, or `None` outside an instruction's arguments.
pub fn signatures(model: &Model, text: &str, offset: usize) -> Option<Signatures> {
    let offset = snap_offset(text, offset);
    let loc = locate(model, text, offset);
    let Place::Instruction { start } = loc.place else {
        return None;
    };
    let lg = logical(text, start, offset, loc.escape);
    // Still typing the keyword: no signature yet.
    let first = *lg.words.first()?;
    let mut kw = lg.word(first);
    let mut args: Vec<&str> = lg.words[1..].iter().map(|w| lg.word(*w)).collect();
    if InstructionKind::from_keyword(kw) == InstructionKind::Onbuild && !args.is_empty() {
        kw = args.remove(0);
    }
    let doc = docs::instruction(kw)?;
    let cur = lg.current_text();
    let n_flags = args.iter().take_while(|a| a.starts_with("--")).count();
    let in_flags = n_flags == args.len();
    let positional: Vec<&str> = args[n_flags..].to_vec();
    let first_positional = positional
        .first()
        .copied()
        .or(if in_flags && !cur.starts_with('-') {
            Some(cur)
        } else {
            None
        });
    let active_form = choose_form(doc, first_positional.unwrap_or(""));
    let form = doc.forms.get(active_form)?;

    let active_param = if in_flags && cur.starts_with('-') {
        let typed = cur.trim_start_matches('-');
        let name = typed.split('=').next().unwrap_or("").to_ascii_lowercase();
        form.params.iter().position(|p| match p.kind {
            ParamKind::Flag(n) => {
                !name.is_empty()
                    && n.starts_with(&name)
                    && (typed.contains('=') == (n == name) || !typed.contains('='))
            }
            _ => false,
        })
    } else {
        positional_param(form, positional.len())
    };
    Some(Signatures {
        instruction: doc,
        active_form,
        active_param,
    })
}

/// Which form applies, from the first positional word.
fn choose_form(doc: &docs::InstructionDoc, first: &str) -> usize {
    let json = first.starts_with('[');
    let find = |name: &str| doc.forms.iter().position(|f| f.name.contains(name));
    match doc.name {
        "HEALTHCHECK" if first.eq_ignore_ascii_case("NONE") => find("disable").unwrap_or(0),
        _ if json => find("exec").or_else(|| find("JSON")).unwrap_or(0),
        _ => doc
            .forms
            .iter()
            .position(|f| !f.name.contains("exec") && !f.name.contains("JSON"))
            .unwrap_or(0),
    }
}

/// The parameter that the `k`-th positional word (0-based) fills.
fn positional_param(form: &docs::Form, k: usize) -> Option<usize> {
    let params: Vec<(usize, &docs::Param)> = form
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| !matches!(p.kind, ParamKind::Flag(_)))
        .collect();
    let mut i = 0usize; // word index where the current parameter starts
    for (n, (idx, p)) in params.iter().enumerate() {
        match p.kind {
            ParamKind::Rest => return Some(*idx),
            ParamKind::Repeated => {
                let following = params.len() - n - 1;
                if k == i || following == 0 {
                    return Some(*idx);
                }
                // the words after the first one go to what follows (e.g. `<dest>`)
                let j = (k - i - 1).min(following - 1);
                return params.get(n + 1 + j).map(|(idx, _)| *idx);
            }
            _ => {
                if k == i {
                    return Some(*idx);
                }
                i += 1;
            }
        }
    }
    None
}

/// As the protocol's `SignatureHelp`.
pub fn signature_help(model: &Model, text: &str, offset: usize) -> Option<SignatureHelp> {
    let s = signatures(model, text, offset)?;
    let doc = s.instruction;
    let sigs = doc
        .forms
        .iter()
        .map(|f| {
            let label = f.label(doc.name);
            let mut summary = doc.summary.to_string();
            if !f.name.is_empty() {
                summary = format!("_{}_ — {}", f.name, summary);
            }
            SignatureInformation {
                label,
                documentation: Some(markdown(summary)),
                parameters: Some(
                    f.params
                        .iter()
                        .map(|p| ParameterInformation {
                            label: ParameterLabel::Simple(p.label.to_string()),
                            documentation: Some(markdown(p.doc.to_string())),
                        })
                        .collect(),
                ),
                active_parameter: None,
            }
        })
        .collect::<Vec<_>>();
    let nparams = doc.forms.get(s.active_form).map_or(0, |f| f.params.len());
    // An index past the parameters highlights none (when nothing applies).
    let active = s.active_param.unwrap_or(nparams) as u32;
    let mut sigs = sigs;
    if let Some(sig) = sigs.get_mut(s.active_form) {
        sig.active_parameter = Some(active);
    }
    Some(SignatureHelp {
        signatures: sigs,
        active_signature: Some(s.active_form as u32),
        active_parameter: Some(active),
    })
}

fn markdown(value: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(active signature label, active parameter label)` at the `|` marker.
    fn at(src: &str) -> Option<(String, Option<String>)> {
        let offset = src.find('|').expect("cursor marker");
        let text = format!("{}{}", &src[..offset], &src[offset + 1..]);
        let model = crate::model::build(&text);
        let h = signature_help(&model, &text, offset)?;
        let sig = &h.signatures[h.active_signature.unwrap() as usize];
        let p = sig
            .parameters
            .as_ref()
            .unwrap()
            .get(h.active_parameter.unwrap() as usize)
            .map(|p| match &p.label {
                ParameterLabel::Simple(s) => s.clone(),
                ParameterLabel::LabelOffsets(_) => unreachable!(),
            });
        Some((sig.label.clone(), p))
    }

    fn active(src: &str) -> Option<String> {
        at(src).and_then(|(_, p)| p)
    }

    #[test]
    fn copy() {
        let (label, p) = at("FROM a\nCOPY |").unwrap();
        assert!(
            label.starts_with("COPY [--from=<stage|image|context>] [--chown=<user>:<group>]"),
            "{label}"
        );
        assert_eq!(p.as_deref(), Some("<src>..."));
        assert_eq!(
            active("FROM a\nCOPY --ch|").as_deref(),
            Some("[--chown=<user>:<group>]")
        );
        assert_eq!(
            active("FROM a\nCOPY --chmod=7|").as_deref(),
            Some("[--chmod=<perms>]")
        );
        assert_eq!(
            active("FROM a\nCOPY --from=x src |").as_deref(),
            Some("<dest>")
        );
        assert_eq!(active("FROM a\nCOPY a b c|").as_deref(), Some("<dest>"));
        assert_eq!(active("FROM a\nCOPY sr|").as_deref(), Some("<src>..."));
        let (label, p) = at("FROM a\nCOPY [\"a\", |").unwrap();
        assert!(label.contains("[\"<src>\""), "{label}");
        assert!(p.unwrap().starts_with("[\"<src>\""));
    }

    #[test]
    fn from_run_healthcheck() {
        assert_eq!(
            active("FROM |").as_deref(),
            Some("<image>[:<tag>][@<digest>]")
        );
        assert_eq!(
            active("FROM --platform=linux/amd64 node |").as_deref(),
            Some("[AS")
        );
        assert_eq!(active("FROM node AS b|").as_deref(), Some("<name>]"));
        assert_eq!(
            active("FROM --pl|").as_deref(),
            Some("[--platform=<platform>]")
        );
        assert_eq!(
            active("FROM a\nRUN --mount=type=cache,target=/x |").as_deref(),
            Some("<command>")
        );
        let (label, _) = at("FROM a\nRUN [\"a\"|").unwrap();
        assert!(label.contains("<executable>"), "{label}");
        assert_eq!(
            active("FROM a\nHEALTHCHECK --interval=1s CMD cu|").as_deref(),
            Some("<command>")
        );
        assert_eq!(
            active("FROM a\nHEALTHCHECK --re|").as_deref(),
            Some("[--retries=<n>]")
        );
        let (label, _) = at("FROM a\nHEALTHCHECK NONE|").unwrap();
        assert_eq!(label, "HEALTHCHECK NONE");
        assert_eq!(
            active("FROM a\nONBUILD COPY a |").as_deref(),
            Some("<dest>")
        );
        assert_eq!(
            active("FROM a\nRUN apt-get update \\\n  && apt-get |").as_deref(),
            Some("<command>")
        );
        assert_eq!(
            active("FROM a\nENV A=1 |").as_deref(),
            Some("<key>=<value>...")
        );
    }

    #[test]
    fn nothing_outside_arguments() {
        assert!(at("FROM a\nCOP|").is_none());
        assert!(at("FROM a\n# COPY |").is_none());
        assert!(at("FROM a\nRUN <<EOF\nCOPY |\nEOF\n").is_none());
        assert!(at("|").is_none());
        assert!(at("FROM a\nBOGUS |").is_none());
    }

    #[test]
    fn labels_are_substrings() {
        for d in docs::INSTRUCTIONS {
            for f in d.forms {
                let label = f.label(d.name);
                for p in f.params {
                    assert_eq!(
                        label.matches(p.label).count(),
                        1,
                        "{} in {}",
                        p.label,
                        label
                    );
                }
            }
        }
    }
}
