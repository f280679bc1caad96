//! PipeToShell: a downloaded script piped straight into a shell.

use super::util;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "PipeToShell",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Security,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "A script downloaded with curl/wget is piped into a shell without verification",
    docs: r#"`curl https://… | sh` runs whatever the server (or anyone in between) sends at build
time, with the build's privileges, and leaves no trace of what ran. A truncated download may
even run half a script.

Download to a file, verify it against a known checksum (or signature), then run it:

```dockerfile
RUN curl -fsSLo /tmp/install.sh https://example.com/install.sh \
 && echo "<sha256>  /tmp/install.sh" | sha256sum -c - \
 && sh /tmp/install.sh && rm /tmp/install.sh
```

or use `ADD --checksum=sha256:… https://… /tmp/install.sh`. Reported when a pipeline has
`curl` or `wget` before `sh`, `bash`, `zsh`, `dash`, `ash` or `ksh` reading standard input.
"#,
    bad: "FROM debian:bookworm-slim\nRUN curl -fsSL https://example.com/install.sh | sh\n",
    good: "FROM debian:bookworm-slim\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/install.sh /tmp/install.sh\nRUN sh /tmp/install.sh\n",
    check,
};

/// Whether a shell with these arguments reads its script from standard input.
fn reads_stdin(args: &[crate::rules::shell::ShellWord]) -> bool {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let t = a.text.as_str();
        if t == "--" || t == "-" || t == "-s" {
            return true;
        }
        if t == "-c" || (t.starts_with('-') && !t.starts_with("--") && t.contains('c')) {
            return false;
        }
        if t == "-o" || t == "+o" {
            it.next();
            continue;
        }
        if t.starts_with('-') || t.starts_with('+') {
            continue;
        }
        return false;
    }
    true
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, _, script) in util::runs(ctx) {
        for p in &script.pipelines {
            let cmds: Vec<_> = p
                .commands
                .iter()
                .filter_map(|i| script.commands.get(*i))
                .collect();
            let Some(dl) = cmds
                .iter()
                .position(|c| matches!(c.invocation().program, "curl" | "wget"))
            else {
                continue;
            };
            let shell = cmds.iter().skip(dl + 1).find(|c| {
                let inv = c.invocation();
                matches!(inv.program, "sh" | "bash" | "zsh" | "dash" | "ash" | "ksh")
                    && reads_stdin(inv.args)
            });
            if let Some(sh) = shell {
                out.push(RULE.finding(
                    sh.span,
                    "A downloaded script is run without verifying it: download to a file, check its checksum, then run it",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::check_rule;

    #[test]
    fn cases() {
        assert_eq!(
            check_rule(
                &RULE,
                "FROM a\nRUN wget -qO- https://x/i.sh | sudo bash -s -- --yes\n"
            )
            .len(),
            1
        );
        assert!(check_rule(
            &RULE,
            "FROM a\nRUN curl -fsSL https://x/k.asc | gpg --dearmor -o /k.gpg\n"
        )
        .is_empty());
        assert!(check_rule(&RULE, "FROM a\nRUN curl -fsSL https://x/a.tgz | tar -xz\n").is_empty());
        assert!(check_rule(
            &RULE,
            "FROM a\nRUN curl -fsSL https://x/v | sh -c 'read v; echo $v'\n"
        )
        .is_empty());
        assert!(check_rule(&RULE, "FROM a\nRUN echo \"curl x | sh\"\n").is_empty());
    }
}
