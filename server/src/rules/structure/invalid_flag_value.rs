//! Flag values BuildKit rejects: booleans, missing values, `--network`, `--security`,
//! `--chmod`, `--checksum`, `--platform` and HEALTHCHECK durations and retries.

use super::flags::{flag_spec, for_each_scoped, FlagKind};
use crate::model::{Flag, InstructionKind};
use crate::rules::buildkit::reference::parse_platform;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "InvalidFlagValue",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Syntax,
    severity: Severity::Error,
    scope: Scope::Stage,
    summary: "A flag value BuildKit rejects",
    docs: "Checked values: boolean flags (`--link`, `--parents`, `--keep-git-dir`, \
`--unpack`) take nothing or `true`/`false`; other flags need a value; RUN `--network` is \
`default`, `none` or `host`; RUN `--security` is `insecure` or `sandbox`; `--chmod` is an \
octal mode up to `7777` (or a symbolic mode such as `u+x`); ADD `--checksum` is a digest \
`algorithm:hex`; FROM `--platform` is `os[/arch[/variant]]`; HEALTHCHECK durations are Go \
durations (`30s`, `1m30s`) of at least 1ms and `--retries` a non-negative integer. Values \
with variables are not checked, except where BuildKit does not expand them.",
    bad: "FROM alpine\nCOPY --chmod=999 app /app\n",
    good: "FROM alpine\nCOPY --chmod=755 app /app\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for_each_scoped(ctx, |ins| {
        let spec = flag_spec(&ins.kind);
        for f in &ins.flags {
            let name = f.name.to_ascii_lowercase();
            let Some((_, kind)) = spec.iter().find(|(n, _)| *n == name) else {
                continue;
            };
            let span = f.value_span.unwrap_or(f.span);
            let value = f.value.as_deref();
            match (kind, value) {
                (FlagKind::Bool, None) => continue,
                (FlagKind::Bool, Some(v)) => {
                    if !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false") {
                        out.push(RULE.finding(
                            span,
                            format!("expecting boolean value for flag {name}, not: {v}"),
                        ));
                    }
                    continue;
                }
                (_, None) => {
                    out.push(RULE.finding(f.span, format!("missing a value on flag `--{name}`")));
                    continue;
                }
                _ => {}
            }
            let v = value.unwrap_or("");
            if let Some(msg) = check_value(&ins.kind, &name, v, f) {
                out.push(RULE.finding(span, msg));
            }
        }
    });
}

fn check_value(kind: &InstructionKind, name: &str, v: &str, _f: &Flag) -> Option<String> {
    let has_var = v.contains('$');
    match (kind, name) {
        (InstructionKind::Run, "network") => (!matches!(v, "default" | "none" | "host"))
            .then(|| format!("invalid network mode \"{v}\": expected default, none or host")),
        (InstructionKind::Run, "security") => (!matches!(v, "insecure" | "sandbox"))
            .then(|| format!("invalid security mode \"{v}\": expected insecure or sandbox")),
        (InstructionKind::Copy | InstructionKind::Add, "chmod") if !has_var => (!valid_chmod(v)).then(|| {
            format!("invalid chmod parameter: '{v}'. it should be octal string and between 0 and 07777")
        }),
        (InstructionKind::Add, "checksum") if !has_var => (!valid_digest(v))
            .then(|| format!("invalid checksum digest \"{v}\": expected algorithm:hex, e.g. sha256:...")),
        (InstructionKind::From, "platform") if !has_var => parse_platform(v)
            .is_none()
            .then(|| format!("failed to parse platform \"{v}\": expected os[/arch[/variant]]")),
        (InstructionKind::Healthcheck, "retries") => match v.parse::<i64>() {
            Err(_) => Some(format!("invalid --retries value \"{v}\": expected an integer")),
            Ok(n) if n < 0 => Some(format!("--retries cannot be negative ({n})")),
            Ok(_) => None,
        },
        (InstructionKind::Healthcheck, _) => match parse_go_duration(v) {
            None => Some(format!("time: invalid duration \"{v}\" for --{name}")),
            Some(ns) if ns != 0 && ns < 1_000_000 => {
                Some(format!("Interval \"{name}\" cannot be less than 1ms"))
            }
            Some(_) => None,
        },
        _ => None,
    }
}

fn valid_chmod(v: &str) -> bool {
    if !v.is_empty() && v.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return u32::from_str_radix(v, 8).is_ok_and(|m| m <= 0o7777);
    }
    // Symbolic modes: [ugoa]*[+-=][rwxXst]* , separated by commas.
    !v.is_empty()
        && v.split(',').all(|clause| {
            let rest = clause.trim_start_matches(['u', 'g', 'o', 'a']);
            let mut chars = rest.chars();
            let mut ok = false;
            while let Some(op) = chars.next() {
                if !matches!(op, '+' | '-' | '=') {
                    return false;
                }
                ok = true;
                let perms: String = chars
                    .clone()
                    .take_while(|c| !matches!(c, '+' | '-' | '='))
                    .collect();
                if !perms
                    .chars()
                    .all(|c| matches!(c, 'r' | 'w' | 'x' | 'X' | 's' | 't'))
                {
                    return false;
                }
                for _ in 0..perms.chars().count() {
                    chars.next();
                }
            }
            ok
        })
}

fn valid_digest(v: &str) -> bool {
    let Some((alg, hex)) = v.split_once(':') else {
        return false;
    };
    !alg.is_empty()
        && alg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'_' | b'-'))
        && !hex.is_empty()
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Go's `time.ParseDuration`, in nanoseconds.
pub fn parse_go_duration(s: &str) -> Option<i128> {
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let num: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let mult: f64 = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += num * mult;
    }
    let v = total as i128;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_go_duration("30s"), Some(30_000_000_000));
        assert_eq!(parse_go_duration("1m30s"), Some(90_000_000_000));
        assert_eq!(parse_go_duration("0"), Some(0));
        assert_eq!(parse_go_duration("10"), None);
        assert_eq!(parse_go_duration("5x"), None);
    }

    #[test]
    fn chmod() {
        assert!(valid_chmod("755"));
        assert!(valid_chmod("0644"));
        assert!(!valid_chmod("999"));
        assert!(!valid_chmod("17777"));
        assert!(valid_chmod("u+x"));
        assert!(valid_chmod("u=rwX,go=rX"));
        assert!(!valid_chmod("rwx"));
    }
}
