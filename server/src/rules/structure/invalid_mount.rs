//! `RUN --mount=...` options: types, keys per type, values, required targets.

use super::flags::for_each_scoped;
use crate::model::{Flag, InstructionKind, Span};
use crate::rules::buildkit::common::suggest;
use crate::rules::suppress::parse_go_bool;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "InvalidMount",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Syntax,
    severity: Severity::Error,
    scope: Scope::Stage,
    summary: "A `RUN --mount` option BuildKit rejects",
    docs: "`--mount` takes comma-separated `key=value` options. `type` is `bind` (the \
default), `cache`, `tmpfs`, `secret` or `ssh`, and each type has its keys:\n\n\
| type | keys |\n|---|---|\n\
| bind | `target` (`dst`, `destination`), `source` (`src`), `from`, `readonly` (`ro`), `readwrite` (`rw`) |\n\
| cache | `target`, `id`, `sharing` (`shared`, `private`, `locked`), `from`, `source`, `mode`, `uid`, `gid`, `readonly` |\n\
| tmpfs | `target`, `size` |\n\
| secret | `id`, `target`, `env`, `required`, `mode`, `uid`, `gid` |\n\
| ssh | `id`, `target`, `required`, `mode`, `uid`, `gid` |\n\n\
A cache or tmpfs mount without `target` is mounted over the working directory (a \
warning; a bind mount without `target`, e.g. `--mount=from=stage`, is a common idiom); a \
secret mount needs an `id`, `target` or `env`. `mode` is octal, `uid`/`gid` decimal, `required`/`readonly`/`readwrite` booleans, \
`size` a byte size such as `64m`. Keys BuildKit rejects are errors; keys it accepts but \
ignores for the type are warnings.",
    bad: "FROM golang:1.23\nRUN --mount=type=cache,target=/root/.cache/go-build,sharing=everyone go build ./...\n",
    good: "FROM golang:1.23\nRUN --mount=type=cache,target=/root/.cache/go-build,sharing=locked go build ./...\n",
    check,
};

const TYPES: &[&str] = &["bind", "cache", "tmpfs", "secret", "ssh"];
const KNOWN: &[&str] = &[
    "type",
    "from",
    "source",
    "src",
    "target",
    "dst",
    "destination",
    "readonly",
    "ro",
    "readwrite",
    "rw",
    "required",
    "size",
    "id",
    "sharing",
    "mode",
    "uid",
    "gid",
    "env",
];

fn allowed(ty: &str, key: &str) -> bool {
    let target = matches!(key, "target" | "dst" | "destination");
    let ro = matches!(key, "readonly" | "ro" | "readwrite" | "rw");
    let source = matches!(key, "source" | "src");
    match ty {
        "bind" => target || source || ro || key == "from",
        "cache" => {
            target
                || source
                || ro
                || matches!(key, "id" | "sharing" | "from" | "mode" | "uid" | "gid")
        }
        "tmpfs" => target || ro || key == "size",
        "secret" => {
            target || source || matches!(key, "id" | "env" | "required" | "mode" | "uid" | "gid")
        }
        "ssh" => target || matches!(key, "id" | "required" | "mode" | "uid" | "gid"),
        _ => true,
    }
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for_each_scoped(ctx, |ins| {
        if ins.kind != InstructionKind::Run {
            return;
        }
        for f in ins
            .flags
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case("mount"))
        {
            check_mount(f, out);
        }
    });
}

fn check_mount(f: &Flag, out: &mut Vec<Finding>) {
    if f.options.is_empty() {
        if f.value.as_deref().unwrap_or("").is_empty() {
            out.push(RULE.finding(f.span, "empty --mount: expected type=...,target=..."));
        }
        return;
    }
    let mut ty = "bind".to_string();
    let mut type_span: Option<Span> = None;
    for o in &f.options {
        if o.key.eq_ignore_ascii_case("type") {
            if let Some(v) = &o.value {
                ty = v.as_str().to_ascii_lowercase();
                type_span = Some(o.value_span.unwrap_or(o.span));
            }
        }
    }
    let ty_known = TYPES.contains(&ty.as_str()) || ty.contains('$');
    if !ty_known {
        let mut msg = format!("unsupported mount type \"{ty}\"");
        if let Some(s) = suggest(&ty, TYPES.iter().copied(), true) {
            msg.push_str(&format!(" (did you mean {s}?)"));
        }
        out.push(RULE.finding(type_span.unwrap_or(f.span), msg));
        return;
    }
    let has = |k: &[&str]| {
        f.options
            .iter()
            .any(|o| k.iter().any(|x| o.key.eq_ignore_ascii_case(x)))
    };
    let has_target = has(&["target", "dst", "destination"]);
    for o in &f.options {
        let key = o.key.to_ascii_lowercase();
        let value = o.value.as_deref();
        let vspan = o.value_span.unwrap_or(o.span);
        if !KNOWN.contains(&key.as_str()) {
            let mut msg = format!("unexpected key '{key}' in '{}'", field_text(o));
            if let Some(s) = suggest(&key, KNOWN.iter().copied(), true) {
                msg.push_str(&format!(" (did you mean {s}?)"));
            }
            out.push(RULE.finding(o.key_span, msg));
            continue;
        }
        let Some(v) = value else {
            match key.as_str() {
                "readonly" | "ro" | "readwrite" | "rw" => {}
                "required" if ty == "secret" || ty == "ssh" => {}
                "required" => out.push(RULE.finding(
                    o.span,
                    format!("unexpected key 'required' for mount type '{ty}'"),
                )),
                _ => out.push(RULE.finding(
                    o.span,
                    format!("invalid field '{key}' must be a key=value pair"),
                )),
            }
            continue;
        };
        if key == "type" {
            continue;
        }
        // What BuildKit rejects for the type.
        let rejected = match key.as_str() {
            "required" => ty != "secret" && ty != "ssh",
            "size" => ty != "tmpfs",
            "sharing" => ty != "cache",
            "mode" | "uid" | "gid" => !matches!(ty.as_str(), "secret" | "ssh" | "cache"),
            "from" => ty == "secret",
            _ => false,
        };
        if rejected {
            out.push(RULE.finding(
                o.key_span,
                format!("unexpected key '{key}' for mount type '{ty}'"),
            ));
            continue;
        }
        if !allowed(&ty, &key) {
            let mut w = RULE.finding(o.key_span, format!("`{key}` has no effect on a {ty} mount"));
            w.severity = Severity::Warning;
            out.push(w);
            continue;
        }
        if v.contains('$') {
            continue;
        }
        let bad = match key.as_str() {
            "sharing" => (!matches!(v, "shared" | "private" | "locked")).then(|| {
                format!("unsupported sharing value \"{v}\": expected shared, private or locked")
            }),
            "mode" => u32::from_str_radix(v, 8)
                .is_err()
                .then(|| format!("invalid value {v} for mode: expected octal")),
            "uid" | "gid" => v
                .parse::<u32>()
                .is_err()
                .then(|| format!("invalid value {v} for {key}")),
            "required" | "readonly" | "ro" | "readwrite" | "rw" => parse_go_bool(v)
                .is_none()
                .then(|| format!("invalid value for {key}: {v}")),
            "size" => (!valid_size(v)).then(|| format!("invalid value for size: {v}")),
            _ => None,
        };
        if let Some(msg) = bad {
            out.push(RULE.finding(vspan, msg));
        }
    }
    if matches!(ty.as_str(), "cache" | "tmpfs") && !has_target {
        // BuildKit mounts it over the working directory (and fails when that is `/`).
        let mut w = RULE.finding(
            f.span,
            format!("--mount type={ty} has no target: it is mounted over the working directory"),
        );
        w.severity = Severity::Warning;
        out.push(w);
    }
    if ty == "secret" {
        if !has_target && !has(&["id", "env", "source", "src"]) {
            out.push(RULE.finding(
                f.span,
                "invalid secret mount: one of id, target or env is required",
            ));
        }
        if has(&["source", "src"]) && has(&["id"]) {
            out.push(RULE.finding(f.span, "both source and id can't be set"));
        }
    }
}

fn field_text(o: &crate::model::FlagOption) -> String {
    match &o.value {
        Some(v) => format!("{}={v}", o.key),
        None => o.key.to_string(),
    }
}

/// docker's `units.RAMInBytes`: a number with an optional b/k/m/g/t/p unit (and `i`/`b`).
fn valid_size(v: &str) -> bool {
    let num_end = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    if num_end == 0 || v[..num_end].parse::<f64>().is_err() {
        return false;
    }
    let unit = v[num_end..].trim().to_ascii_lowercase();
    matches!(
        unit.as_str(),
        "" | "b"
            | "k"
            | "kb"
            | "kib"
            | "m"
            | "mb"
            | "mib"
            | "g"
            | "gb"
            | "gib"
            | "t"
            | "tb"
            | "tib"
            | "p"
            | "pb"
            | "pib"
    )
}
