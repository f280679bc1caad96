//! BuildKit's SecretsUsedInArgOrEnv: ARG/ENV names that look like secrets.

use super::common::{go_quote, head_span, on_first_line};
use crate::model::{Details, InstructionKind};
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "SecretsUsedInArgOrEnv",
    aliases: &[],
    buildkit: true,
    experimental: false,
    category: Category::Security,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "ARG or ENV names that suggest a secret",
    docs: "Values of ENV are stored in the image configuration and values of ARG in its \
build history, where anyone with the image can read them. A name with a word such as \
`password`, `secret`, `token`, `key`, `auth` or `apikey` (as a whole `_`-separated word) \
suggests secret data. Pass secrets with `RUN --mount=type=secret` instead.\n\nNames that \
also contain `public`, `file` or `version` as a word are not reported.",
    bad: "FROM alpine\nARG GITHUB_TOKEN\nRUN fetch --token \"$GITHUB_TOKEN\"\n",
    good: "FROM alpine\nRUN --mount=type=secret,id=github_token,env=GITHUB_TOKEN fetch --token \"$GITHUB_TOKEN\"\n",
    check,
};

const DENY: &[&str] = &[
    "apikey",
    "auth",
    "credential",
    "credentials",
    "key",
    "password",
    "pword",
    "passwd",
    "secret",
    "token",
];
const ALLOW: &[&str] = &["public", "file", "version"];

/// Whether `key` has one of `words` as a whole `_`-separated word (case-insensitively).
fn has_word(key: &str, words: &[&str]) -> bool {
    key.split('_')
        .any(|part| words.iter().any(|w| part.eq_ignore_ascii_case(w)))
}

pub fn looks_secret(key: &str) -> bool {
    has_word(key, DENY) && !has_word(key, ALLOW)
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, ins) in ctx.instructions() {
        let kind = match ins.kind {
            InstructionKind::Env => "ENV",
            // ARGs before the first FROM are not dispatched, so BuildKit does not check them.
            InstructionKind::Arg if ins.stage.is_some() => "ARG",
            _ => continue,
        };
        let Details::Pairs(pairs) = &ins.details else {
            continue;
        };
        for kv in pairs {
            if looks_secret(&kv.key.value) {
                let span = if kv.key.span.is_empty() {
                    head_span(ctx, ins)
                } else {
                    on_first_line(ctx, ins, kv.key.span)
                };
                out.push(RULE.finding(
                    span,
                    format!(
                        "Do not use ARG or ENV instructions for sensitive data ({kind} {})",
                        go_quote(&kv.key.value)
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::looks_secret;

    #[test]
    fn words() {
        for yes in [
            "SECRET_PASSPHRASE",
            "password",
            "api_key",
            "GITHUB_TOKEN",
            "auth",
            "git_key",
        ] {
            assert!(looks_secret(yes), "{yes}");
        }
        for no in [
            "sunflower",
            "PUBLIC_KEY",
            "SECRET_PASSPHRASE_FILE",
            "AUTH_MODULE_VERSION",
            "monkey",
        ] {
            assert!(!looks_secret(no), "{no}");
        }
    }
}
