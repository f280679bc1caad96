//! UseraddHighUid: `useradd` with a high UID and without `-l`.

use super::util;
use crate::rules::{Category, Ctx, Finding, Fix, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "UseraddHighUid",
    aliases: &["DL3046"],
    buildkit: false,
    experimental: false,
    category: Category::Size,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "`useradd` with a high UID and without `-l` writes a huge lastlog file",
    docs: r#"`useradd` records the new user in `/var/log/lastlog` and `/var/log/faillog`, files indexed
by UID: for UID 1000000 they are hundreds of megabytes. They are sparse on disk, but image
layers store them in full.

Pass `-l` (`--no-log-init`), or use a UID of 65535 or less. Reported for UIDs above 65535
given as a literal number with `-u`/`--uid`.

The fix inserts `-l` after `useradd`.
"#,
    bad: "FROM debian:bookworm-slim\nRUN useradd -u 1000000 -m app\n",
    good: "FROM debian:bookworm-slim\nRUN useradd -l -u 1000000 -m app\n",
    check,
};

fn uid_of(args: &[crate::rules::shell::ShellWord]) -> Option<u64> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let t = a.text.as_str();
        let v = if t == "-u" || t == "--uid" {
            it.next().map(|w| w.text.to_string())
        } else {
            t.strip_prefix("--uid=")
                .or_else(|| {
                    t.strip_prefix("-u")
                        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                })
                .map(str::to_string)
        };
        if let Some(v) = v {
            return v.parse().ok();
        }
    }
    None
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, _, script) in util::runs(ctx) {
        for inv in util::invocations(&script) {
            if inv.program != "useradd" {
                continue;
            }
            if inv.has_option(Some('l'), &["no-log-init"]) {
                continue;
            }
            let Some(uid) = uid_of(inv.args).filter(|u| *u > 65535) else {
                continue;
            };
            let mut f = RULE.finding(
                inv.command.span,
                format!("`useradd` with UID {uid} and without `-l` adds a lastlog file of hundreds of MB to the layer"),
            );
            f.fix = Some(Fix {
                title: "Add `-l`".into(),
                edits: vec![util::insert_after(inv.name.span, "-l")],
                safe: true,
            });
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::{apply, check_rule};

    #[test]
    fn cases() {
        let f = check_rule(&RULE, RULE.bad);
        assert_eq!(apply(RULE.bad, f[0].fix.as_ref().expect("fix")), RULE.good);
        assert!(check_rule(
            &RULE,
            "FROM d\nRUN useradd -u 1000 app && useradd --no-log-init --uid=200000 b\n"
        )
        .is_empty());
        assert_eq!(
            check_rule(&RULE, "FROM d\nRUN useradd --uid=200000 b\n").len(),
            1
        );
        assert!(check_rule(&RULE, "FROM d\nRUN useradd -u \"$UID\" b\n").is_empty());
    }
}
