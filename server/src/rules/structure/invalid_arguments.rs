//! Instructions with arguments BuildKit rejects: wrong count, wrong form, invalid stage
//! names, unknown HEALTHCHECK types, invalid signals.

use super::flags::for_each_scoped;
use crate::model::{Details, Instruction, InstructionKind};
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "InvalidArguments",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Syntax,
    severity: Severity::Error,
    scope: Scope::Stage,
    summary: "Arguments the instruction cannot take",
    docs: "Each instruction expects a certain shape: `FROM image [AS name]` (stage names start \
with a letter and contain only letters, digits, `-`, `_` and `.`), COPY and ADD at least a \
source and a destination (which cannot be a heredoc), WORKDIR, USER, STOPSIGNAL and \
MAINTAINER one argument, ENV, LABEL, ARG, EXPOSE and VOLUME at least one, SHELL a JSON \
array, HEALTHCHECK `NONE` or `[flags] CMD command`, STOPSIGNAL a signal name or number.",
    bad: "FROM alpine AS 1st-stage\nCOPY app.tar.gz\n",
    good: "FROM alpine AS first-stage\nCOPY app.tar.gz /srv/\n",
    check,
};

/// Whether BuildKit accepts `name` (`model::is_stage_name` of it lowercased). An ASCII
/// name is checked as it is, case-insensitively (no lowercased copy of every stage name);
/// others are lowercased, where the Kelvin sign becomes an ASCII `k`.
fn valid_stage_name(name: &str) -> bool {
    if !name.is_ascii() {
        return crate::model::is_stage_name(&name.to_lowercase());
    }
    let b = name.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphabetic()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

const SIGNALS: &[&str] = &[
    "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL",
    "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP",
    "TTIN", "TTOU", "UNUSED", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
];

fn valid_signal(s: &str) -> bool {
    if let Ok(n) = s.parse::<u32>() {
        return n > 0 && n < 65;
    }
    let up = s.to_ascii_uppercase();
    let name = up.strip_prefix("SIG").unwrap_or(&up);
    if SIGNALS.contains(&name) {
        return true;
    }
    // RTMIN+n / RTMAX-n
    name.strip_prefix("RTMIN")
        .or_else(|| name.strip_prefix("RTMAX"))
        .is_some_and(|r| {
            r.is_empty()
                || (r.starts_with('+') || r.starts_with('-'))
                    && r.get(1..).is_some_and(|n| n.parse::<u32>().is_ok())
        })
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for_each_scoped(ctx, |ins| {
        if let Some((span, msg)) = problem(ctx, ins) {
            out.push(RULE.finding(span, msg));
        }
    });
}

/// `s.split_whitespace().count()`, byte by byte for ASCII text (every COPY and ADD is
/// counted on every check).
fn count_fields(s: &str) -> usize {
    if !s.is_ascii() {
        return s.split_whitespace().count();
    }
    // The ASCII characters `char::is_whitespace` accepts.
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    s.as_bytes()
        .split(blank)
        .filter(|field| !field.is_empty())
        .count()
}

fn problem(ctx: &Ctx, ins: &Instruction) -> Option<(crate::model::Span, String)> {
    let name = ins.kind.name();
    let head = ins.keyword_span;
    let nargs = match &ins.json {
        Some(j) => j.items.len(),
        None => ins.words.len(),
    };
    match ins.kind {
        InstructionKind::From => {
            let n = ins.words.len();
            let as_ok = n == 3 && ins.words[1].value.eq_ignore_ascii_case("as");
            if n != 1 && !as_ok {
                return Some((
                    ins.span,
                    "FROM requires either one or three arguments (FROM image [AS name])".into(),
                ));
            }
            if let Details::From {
                stage_name: Some(s),
                ..
            } = &ins.details
            {
                if !valid_stage_name(&s.value) {
                    return Some((
                        s.span,
                        format!(
                            "invalid name for build stage: \"{}\", name can't start with a number or contain symbols",
                            s.value
                        ),
                    ));
                }
            }
        }
        InstructionKind::Copy | InstructionKind::Add => {
            // BuildKit splits the shell form on whitespace only (quotes do not group).
            let nargs = match &ins.json {
                Some(j) => j.items.len(),
                None => count_fields(&ins.rest.value).max(ins.words.len().min(1)),
            };
            if nargs < 2 {
                return Some((
                    head,
                    format!("{name} requires at least two arguments, but only one was provided. Destination could not be determined"),
                ));
            }
            if ins.json.is_none() {
                if let Some(last) = ins.words.last() {
                    if last.raw.starts_with("<<") && last.raw.len() > 2 {
                        return Some((
                            last.span,
                            format!("{name} cannot accept a heredoc as a destination"),
                        ));
                    }
                }
            }
        }
        InstructionKind::Workdir
        | InstructionKind::User
        | InstructionKind::Stopsignal
        | InstructionKind::Maintainer => {
            if ins.rest.value.trim().is_empty() {
                return Some((head, format!("{name} requires exactly one argument")));
            }
            if ins.kind == InstructionKind::Stopsignal {
                let sig = ins.rest.value.trim();
                if !sig.contains('$') && !valid_signal(sig) {
                    return Some((ins.rest.span, format!("invalid signal: {sig}")));
                }
            }
        }
        InstructionKind::Env
        | InstructionKind::Label
        | InstructionKind::Arg
        | InstructionKind::Expose
        | InstructionKind::Volume => {
            if nargs == 0 && ins.rest.value.trim().is_empty() {
                return Some((head, format!("{name} requires at least one argument")));
            }
            if let (InstructionKind::Arg, Details::Pairs(pairs)) = (&ins.kind, &ins.details) {
                if let Some(kv) = pairs.iter().find(|kv| kv.key.value.is_empty()) {
                    return Some((kv.span, "ARG names can not be blank".into()));
                }
            }
            if let (InstructionKind::Volume, Some(j)) = (&ins.kind, &ins.json) {
                if let Some(item) = j.items.iter().find(|w| w.value.trim().is_empty()) {
                    return Some((
                        item.span,
                        "VOLUME specified can not be an empty string".into(),
                    ));
                }
            }
        }
        InstructionKind::Shell => match &ins.json {
            None => {
                return Some((
                    ins.rest.span.cover(head),
                    "SHELL requires the arguments to be in JSON form".into(),
                ))
            }
            Some(j) if j.items.is_empty() => {
                return Some((j.span, "SHELL requires at least one argument".into()))
            }
            _ => {}
        },
        InstructionKind::Healthcheck => {
            let Some(first) = ins.words.first() else {
                return Some((head, "HEALTHCHECK requires at least one argument".into()));
            };
            let ty = first.value.to_ascii_uppercase();
            match ty.as_str() {
                "NONE" => {
                    if ins.words.len() > 1 {
                        return Some((ins.rest.span, "HEALTHCHECK NONE takes no arguments".into()));
                    }
                }
                "CMD" => {
                    let after = ctx.text.get(first.span.end..ins.span.end).unwrap_or("");
                    let after = after.trim().trim_end_matches(['\\', '`']).trim();
                    if after.is_empty() || after == "[]" {
                        return Some((first.span, "Missing command after HEALTHCHECK CMD".into()));
                    }
                }
                _ => {
                    return Some((
                        first.span,
                        format!("Unknown type \"{ty}\" in HEALTHCHECK (try CMD)"),
                    ));
                }
            }
        }
        _ => {}
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_as_split_whitespace() {
        for s in ["", " a  b\t", "a\x0bb\x0cc\r\nd", "é b", "a\u{a0}b"] {
            assert_eq!(
                super::count_fields(s),
                s.split_whitespace().count(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn stage_names_as_lowercased() {
        // What checking the lowercased name as BuildKit does gives, for each.
        let lowercased = |n: &str| crate::model::is_stage_name(&n.to_lowercase());
        for n in [
            "builder",
            "Builder",
            "BUILD-2.x_y",
            "1st",
            "",
            "a b",
            "é",
            "\u{212a}ey",
            "x\u{130}",
            "-a",
            "a/b",
            "Z9",
        ] {
            assert_eq!(super::valid_stage_name(n), lowercased(n), "{n:?}");
        }
    }
}
