//! BuildKit's parse dump (`Node.Dump()`), reproduced from the model, for the conformance
//! cases: one `(keyword ["flags"] "arg" ...)` line per instruction with Go quoting, exactly
//! as `frontend/dockerfile/parser` prints it (see the conformance FORMAT.md).

use super::words::{go_lower, go_quote, is_space, split_token_ws};
use super::{build, Details, Instruction, InstructionKind, Model};

/// The dump of `text` followed by a newline (what a case's `result` file holds), or the
/// message of the first error when BuildKit's parser would reject the text.
pub fn dump(text: &str) -> Result<String, String> {
    dump_model(&build(text))
}

/// [`dump`] of an already built model.
pub fn dump_model(model: &Model) -> Result<String, String> {
    if let Some(e) = model.errors.first() {
        return Err(e.message.clone());
    }
    let mut out = String::new();
    for ins in &model.instructions {
        out.push('(');
        node(ins, &mut out);
        out.push_str(")\n");
    }
    Ok(out)
}

/// 1-based inclusive line ranges of the instructions, as BuildKit's nodes report them.
pub fn line_ranges(model: &Model) -> Vec<(usize, usize)> {
    model
        .instructions
        .iter()
        .map(|i| (i.start_line + 1, i.end_line + 1))
        .collect()
}

fn arg(s: &str, out: &mut String) {
    out.push(' ');
    go_quote(s, out);
}

fn split_args(s: &str, out: &mut String) {
    for (a, b) in split_token_ws(s) {
        arg(&s[a..b], out);
    }
}

/// `parseMaybeJSON`: the JSON items, or the whole text as one string.
fn maybe_json(ins: &Instruction, text: &str, out: &mut String) {
    match &ins.json {
        Some(j) => j.items.iter().for_each(|w| arg(&w.value, out)),
        None if !text.is_empty() => arg(text, out),
        None => {}
    }
}

fn node(ins: &Instruction, out: &mut String) {
    let start = out.len();
    out.push_str(&go_lower(&ins.keyword));
    if !ins.flags.is_empty() {
        out.push_str(" [");
        for (k, f) in ins.flags.iter().enumerate() {
            if k > 0 {
                out.push(' ');
            }
            let mut s = format!("--{}", f.name);
            if let Some(v) = &f.value {
                s.push('=');
                s.push_str(v);
            }
            go_quote(&s, out);
        }
        out.push(']');
    }
    let rest = ins.rest.value.as_str();
    match &ins.kind {
        InstructionKind::Run
        | InstructionKind::Cmd
        | InstructionKind::Entrypoint
        | InstructionKind::Shell => maybe_json(ins, rest, out),
        InstructionKind::Add | InstructionKind::Copy | InstructionKind::Volume => match &ins.json {
            Some(j) => j.items.iter().for_each(|w| arg(&w.value, out)),
            None => split_args(rest, out),
        },
        InstructionKind::From | InstructionKind::Expose => split_args(rest, out),
        InstructionKind::Maintainer
        | InstructionKind::User
        | InstructionKind::Workdir
        | InstructionKind::Stopsignal => {
            if !rest.is_empty() {
                arg(rest, out)
            }
        }
        InstructionKind::Healthcheck => {
            let sep = rest.find(is_space).unwrap_or(rest.len());
            if sep > 0 {
                arg(&rest[..sep], out);
                maybe_json(ins, rest[sep..].trim_start_matches(is_space), out);
            }
        }
        InstructionKind::Env | InstructionKind::Label => {
            if let Details::Pairs(pairs) = &ins.details {
                for p in pairs {
                    arg(&p.key.raw, out);
                    arg(p.value.as_ref().map_or("", |v| v.raw.as_str()), out);
                    arg(if p.legacy { "" } else { "=" }, out);
                }
            }
        }
        InstructionKind::Arg => {
            if let Details::Pairs(pairs) = &ins.details {
                for p in pairs {
                    match &p.value {
                        Some(v) => arg(&format!("{}={}", p.key.raw, v.raw), out),
                        None => arg(&p.key.raw, out),
                    }
                }
            }
        }
        InstructionKind::Onbuild => {
            if let Details::Onbuild(inner) = &ins.details {
                out.push_str(" (");
                node(inner, out);
                out.push(')');
            }
        }
        InstructionKind::Unknown(_) => arg("", out),
    }
    // Go trims the node's string (only an empty keyword leaves a leading space).
    if out[start..].starts_with(' ') {
        out.remove(start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let d = |t: &str| dump(t).expect("dump");
        assert_eq!(
            d("FROM a AS b\nBADCMD x y\n"),
            "(from \"a\" \"AS\" \"b\")\n(badcmd \"\")\n"
        );
        assert_eq!(
            d("ONBUILD --x RUN [\"a\"]\n"),
            "(onbuild [\"--x\"] (run \"a\"))\n"
        );
        assert_eq!(
            d("FROM a\nARG x y=\"1 2\"\nHEALTHCHECK\n"),
            "(from \"a\")\n(arg \"x\" \"y=\\\"1 2\\\"\")\n(healthcheck)\n"
        );
        assert_eq!(d("\\\n"), "(\"\")\n");
        assert_eq!(
            dump("FROM a\nENV A\n"),
            Err("ENV must have two arguments".to_string())
        );
    }

    #[test]
    fn lines() {
        let m = build("\nFROM a\nRUN a \\\n\n b\n");
        assert_eq!(line_ranges(&m), vec![(2, 2), (3, 5)]);
    }
}
