//! SecretValue: credentials written literally into the Dockerfile.

use std::cell::RefCell;
use std::rc::Rc;

use std::collections::HashMap;

use crate::model::{InstructionKind, Span};
use crate::rules::shell::FxBuild;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "SecretValue",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Security,
    severity: Severity::Error,
    scope: Scope::Stage,
    summary: "A secret (token, access key, private key) is written literally in the Dockerfile",
    docs: r#"Values of ARG, ENV and LABEL, RUN lines, heredoc bodies and every other instruction are
searched for credentials with a recognisable shape. Such a value is stored in the image (its
config or its layers, and `docker history`), in the build cache and in version control.

Recognised (low false positives: the token's fixed prefix and length must match):
- private key blocks: `-----BEGIN … PRIVATE KEY-----` (RSA, EC, DSA, OPENSSH, PGP, PKCS#8);
- AWS access key ids: `AKIA`/`ASIA` + 16 upper-case letters or digits (the documentation's
  `…EXAMPLE` keys are ignored);
- GitHub tokens: `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` + 36 characters, `github_pat_` + 70 or
  more;
- GitLab personal access tokens: `glpat-` + 20 or more;
- Slack tokens: `xoxb-`, `xoxa-`, `xoxp-`, `xoxr-`, `xoxs-` + 10 or more;
- npm tokens: `npm_` + 36, and `_authToken=` followed by a literal value (not `${VAR}`);
- Stripe live keys: `sk_live_`/`rk_live_` + 20 or more;
- Google API keys: `AIza` + 35.

Pass secrets at build time with secret mounts instead:
`RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci`, with
`docker build --secret id=npm_token,env=NPM_TOKEN .`, and revoke any credential that was
committed.
"#,
    bad: "FROM node:22\nENV NPM_TOKEN=npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8\nRUN npm ci\n",
    good: "FROM node:22\nRUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci\n",
    check,
};

/// Secrets of one instruction: (start, end, description), relative to its start, comment
/// lines inside it left out.
type Found = Rc<[(usize, usize, &'static str)]>;

#[derive(Default)]
struct Memo {
    escape: char,
    /// Instruction text → (what it holds, generation last used).
    by_text: HashMap<String, (Found, u64), FxBuild>,
    generation: u64,
}

/// Checks after which an instruction text no document had is forgotten.
const KEEP_CHECKS: u64 = 16;
/// Most instruction texts remembered.
const MAX_TEXTS: usize = 65_536;

thread_local! {
    /// What the instructions of the last checks hold (the findings depend on an
    /// instruction's text and the escape character only): an edit scans only the
    /// instructions it changed.
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.escape != ctx.model.escape {
            m.by_text.clear();
            m.escape = ctx.model.escape;
        }
        m.generation += 1;
        let generation = m.generation;
        for (_, ins) in ctx.instructions() {
            let kind = match &ins.kind {
                InstructionKind::Unknown(_) => continue,
                k => k.name(),
            };
            let span = ins.span;
            let Some(text) = ctx.text.get(span.start..span.end) else {
                continue;
            };
            let found = match m.by_text.get_mut(text) {
                Some((f, used)) => {
                    *used = generation;
                    f.clone()
                }
                None => {
                    let f = find_in(ins, text);
                    m.by_text.insert(text.to_string(), (f.clone(), generation));
                    f
                }
            };
            for (start, end, what) in found.iter() {
                out.push(RULE.finding(
                    Span::new(span.start + start, span.start + end),
                    format!(
                        "{what} written in {kind}: it is stored in the image and the build cache; use a secret mount and revoke it"
                    ),
                ));
            }
        }
        // Texts not seen in the last checks (other documents, earlier versions) are
        // forgotten; a huge number of texts starts the memo afresh.
        if m.by_text.len() > MAX_TEXTS {
            m.by_text.clear();
        }
        m.by_text.retain(|_, (_, used)| *used + KEEP_CHECKS >= generation);
    });
}

/// The secrets of one instruction (`text` is its text).
fn find_in(ins: &crate::model::Instruction, text: &str) -> Found {
    let base = ins.span.start;
    scan(text)
        .into_iter()
        .filter(|(start, _, _)| {
            !ins.inner_comments
                .iter()
                .any(|c| c.span.contains(base + start))
        })
        .collect()
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Count of bytes from `i` matching `pred`.
fn run_len(bytes: &[u8], i: usize, pred: impl Fn(u8) -> bool) -> usize {
    bytes
        .get(i..)
        .unwrap_or(&[])
        .iter()
        .take_while(|b| pred(**b))
        .count()
}

/// Secrets found in `text`: (start, end, description).
pub fn scan(text: &str) -> Vec<(usize, usize, &'static str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // Only bytes that can start a match are looked at.
        if !matches!(b, b'-' | b'A' | b'g' | b'x' | b'n' | b's' | b'r' | b'_') {
            i += 1;
            continue;
        }
        let rest = &bytes[i..];
        let mut found: Option<(usize, usize, &'static str)> = None;
        if b == b'-' {
            if rest.starts_with(b"-----BEGIN ") {
                let line_end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
                let header = rest.get(11..line_end).unwrap_or(&[]);
                if let Some(close) = find(header, b"-----") {
                    if find(&header[..close], b"PRIVATE KEY").is_some() {
                        found = Some((0, 11 + close + 5, "a private key"));
                    }
                }
            }
        } else if b == b'_' {
            if rest.starts_with(b"_authToken=") {
                found = auth_token(rest).map(|(s, len)| (s, len, "an npm auth token"));
            }
        } else if i == 0 || !is_word_byte(bytes[i - 1]) {
            found = token_at(rest).map(|(len, what)| (0, len, what));
        }
        match found {
            Some((skip, len, what)) => {
                out.push((i + skip, i + skip + len, what));
                i += (skip + len).max(1);
            }
            None => i += 1,
        }
    }
    out
}

/// `_authToken=<literal>` (npm registry configuration): (value offset, value length).
fn auth_token(rest: &[u8]) -> Option<(usize, usize)> {
    let vstart = "_authToken=".len();
    let quote = matches!(rest.get(vstart), Some(b'"' | b'\''));
    let s = vstart + usize::from(quote);
    let len = run_len(rest, s, |b| {
        !b.is_ascii_whitespace() && b != b'"' && b != b'\'' && b != b'\\'
    });
    let value = rest.get(s..s + len)?;
    let literal =
        len >= 8 && !value.contains(&b'$') && !value.starts_with(b"<") && !value.starts_with(b"%");
    literal.then_some((s, len))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A token starting exactly at the start of `s`: (length, description).
fn token_at(s: &[u8]) -> Option<(usize, &'static str)> {
    let alnum = |b: u8| b.is_ascii_alphanumeric();
    let ends_clean = |len: usize| s.get(len).is_none_or(|b| !is_word_byte(*b));
    let upper_alnum = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    let first = *s.first()?;
    match first {
        b'A' => {
            if (s.starts_with(b"AKIA") || s.starts_with(b"ASIA"))
                && run_len(s, 4, upper_alnum) == 16
                && ends_clean(20)
            {
                if s[..20].ends_with(b"EXAMPLE") {
                    return None;
                }
                return Some((20, "an AWS access key id"));
            }
            if s.starts_with(b"AIza") {
                let n = run_len(s, 4, |b| alnum(b) || b == b'_' || b == b'-');
                if n == 35 {
                    return Some((39, "a Google API key"));
                }
            }
            None
        }
        b'g' => {
            for p in [&b"ghp_"[..], b"gho_", b"ghu_", b"ghs_", b"ghr_"] {
                if s.starts_with(p) && run_len(s, 4, alnum) == 36 && ends_clean(40) {
                    return Some((40, "a GitHub token"));
                }
            }
            if s.starts_with(b"github_pat_") {
                let n = run_len(s, 11, |b| alnum(b) || b == b'_');
                if n >= 70 {
                    return Some((11 + n, "a GitHub token"));
                }
            }
            if s.starts_with(b"glpat-") {
                let n = run_len(s, 6, |b| alnum(b) || b == b'_' || b == b'-');
                if n >= 20 && s[6..6 + n].iter().any(|b| b.is_ascii_digit()) {
                    return Some((6 + n, "a GitLab token"));
                }
            }
            None
        }
        b'x' => {
            if s.starts_with(b"xox")
                && matches!(s.get(3), Some(b'b' | b'a' | b'p' | b'r' | b's'))
                && s.get(4) == Some(&b'-')
            {
                let n = run_len(s, 5, |b| alnum(b) || b == b'-');
                if n >= 10 && s[5..5 + n].iter().any(|b| b.is_ascii_digit()) {
                    return Some((5 + n, "a Slack token"));
                }
            }
            None
        }
        b'n' => {
            if s.starts_with(b"npm_") && run_len(s, 4, alnum) == 36 && ends_clean(40) {
                return Some((40, "an npm token"));
            }
            None
        }
        b's' | b'r' => {
            if s.starts_with(b"sk_live_") || s.starts_with(b"rk_live_") {
                let n = run_len(s, 8, alnum);
                if n >= 20 {
                    return Some((8 + n, "a Stripe live key"));
                }
            }
            None
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::check_rule;

    fn kinds(text: &str) -> Vec<&'static str> {
        scan(text).into_iter().map(|(_, _, w)| w).collect()
    }

    #[test]
    fn recognises_tokens() {
        assert_eq!(
            kinds("ENV K=AKIAABCDEFGHIJKLMNOP"),
            ["an AWS access key id"]
        );
        assert!(kinds("ENV K=AKIAIOSFODNN7EXAMPLE").is_empty());
        assert_eq!(
            kinds("RUN git clone https://ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@github.com/x/y"),
            ["a GitHub token"]
        );
        assert_eq!(kinds("echo glpat-abcDEF1234567890xyzw"), ["a GitLab token"]);
        assert_eq!(kinds("X=xoxb-1234567890-abcdefghij"), ["a Slack token"]);
        assert_eq!(
            kinds("//registry.example.com/:_authToken=abcdef123456"),
            ["an npm auth token"]
        );
        assert!(kinds("//registry.example.com/:_authToken=${NPM_TOKEN}").is_empty());
        assert_eq!(
            kinds("-----BEGIN RSA PRIVATE KEY-----\nMIIE"),
            ["a private key"]
        );
        assert!(kinds("-----BEGIN PUBLIC KEY-----").is_empty());
        assert_eq!(
            kinds("STRIPE=sk_live_abcdefghijklmnopqrstuvwx"),
            ["a Stripe live key"]
        );
        assert_eq!(
            kinds("KEY=AIzaSyA1234567890abcdefghijklmnopqrstuv"),
            ["a Google API key"]
        );
        // Not tokens: too short, embedded in a longer word, placeholders.
        assert!(kinds("ghp_short").is_empty());
        assert!(kinds("xghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").is_empty());
        assert!(kinds("sk_test_abcdefghijklmnopqrstuvwx").is_empty());
        assert!(kinds("GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D").is_empty());
    }

    #[test]
    fn examples() {
        if crate::model::build("FROM a\n").instructions.is_empty() {
            return;
        }
        assert_eq!(check_rule(&RULE, RULE.bad).len(), 1);
        assert!(check_rule(&RULE, RULE.good).is_empty());
        let heredoc = "FROM node:22\nCOPY <<EOF /root/.npmrc\n//registry.example.com/:_authToken=0123456789abcdef\nEOF\n";
        assert_eq!(check_rule(&RULE, heredoc).len(), 1);
    }
}
