//! Flags an instruction does not accept, and flags given twice.

use super::flags::{flag_spec, for_each_scoped, FlagKind};
use crate::model::InstructionKind;
use crate::rules::{Category, Ctx, Finding, Related, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "UnknownFlag",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Syntax,
    severity: Severity::Error,
    scope: Scope::Stage,
    summary: "A flag the instruction does not accept",
    docs: "Each instruction accepts its own flags: FROM `--platform`; RUN `--mount`, \
`--network`, `--security`; COPY `--from`, `--chown`, `--chmod`, `--link`, `--parents`, \
`--exclude`; ADD `--chown`, `--chmod`, `--link`, `--checksum`, `--keep-git-dir`, \
`--exclude`, `--unpack`; HEALTHCHECK `--interval`, `--timeout`, `--start-period`, \
`--start-interval`, `--retries`. Other instructions take none. Any other `--word` at the \
start of the arguments makes the build fail with `Unknown flag`.\n\nAt most 32 unknown \
flags are reported per instruction (the build fails at the first one anyway).",
    bad: "FROM alpine\nCOPY --form=build /app /app\n",
    good: "FROM alpine AS build\nRUN mkdir /app\nFROM alpine\nCOPY --from=build /app /app\n",
    check,
};

pub static DUPLICATE: Rule = Rule {
    id: "DuplicateFlag",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Syntax,
    severity: Severity::Error,
    scope: Scope::Stage,
    summary: "A flag given twice",
    docs: "Only `--mount` (RUN) and `--exclude` (COPY, ADD) may be repeated. Giving any other \
flag twice fails with `Duplicate flag specified`. At most 32 are reported per \
instruction.",
    bad: "FROM alpine\nRUN --network=none --network=host true\n",
    good: "FROM alpine\nRUN --network=none true\n",
    check: check_duplicates,
};

/// Findings of one rule per instruction: a hostile line with a million flags costs
/// bounded memory, and nobody reads more.
const MAX_PER_INSTRUCTION: usize = 32;

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for_each_scoped(ctx, |ins| {
        if matches!(ins.kind, InstructionKind::Unknown(_)) {
            return;
        }
        let spec = flag_spec(&ins.kind);
        let mut reported = 0;
        for f in &ins.flags {
            if reported == MAX_PER_INSTRUCTION {
                break;
            }
            let name = f.name.to_ascii_lowercase();
            if spec.iter().any(|(n, _)| *n == name) {
                continue;
            }
            let mut msg = format!("unknown flag `--{}` for {}", f.name, ins.kind.name());
            if spec.is_empty() {
                msg.push_str(&format!(" ({} takes no flags)", ins.kind.name()));
            } else {
                let best = spec
                    .iter()
                    .map(|(n, _)| (strsim::levenshtein(&name, n), *n))
                    .filter(|(d, _)| *d < 3)
                    .min_by_key(|(d, _)| *d);
                if let Some((_, n)) = best {
                    msg.push_str(&format!("; did you mean `--{n}`?"));
                }
            }
            out.push(RULE.finding(f.span, msg));
            reported += 1;
        }
    });
}

fn check_duplicates(ctx: &Ctx, out: &mut Vec<Finding>) {
    for_each_scoped(ctx, |ins| {
        let spec = flag_spec(&ins.kind);
        // Per accepted flag: where it was first given (one pass, whatever the flag count).
        let mut first: [Option<usize>; 8] = [None; 8];
        let mut reported = 0;
        for (i, f) in ins.flags.iter().enumerate() {
            let Some(k) = spec
                .iter()
                .position(|(n, _)| f.name.eq_ignore_ascii_case(n))
            else {
                continue;
            };
            if spec[k].1 == FlagKind::Strings {
                continue;
            }
            let Some(slot) = first.get_mut(k) else {
                continue;
            };
            let Some(j) = *slot else {
                *slot = Some(i);
                continue;
            };
            if reported == MAX_PER_INSTRUCTION {
                break;
            }
            reported += 1;
            let name = spec[k].0;
            let mut finding = RULE_DUP.finding(
                f.span,
                format!("duplicate flag `--{name}`: it can only be given once"),
            );
            finding.related.push(Related {
                span: ins.flags[j].span,
                message: "first given here".into(),
            });
            out.push(finding);
        }
    });
}

use DUPLICATE as RULE_DUP;
