//! SecretValue: credentials written literally into the Dockerfile.

use crate::model::{InstructionKind, Span};
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

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    // No memo of its own: the rule is stage-scoped, so after an edit the engine runs it
    // on the changed stages only, and a scan costs little (`Scan::run`).
    let mut buf = Scan::default();
    for (_, ins) in ctx.instructions() {
        let kind = match &ins.kind {
            InstructionKind::Unknown(_) => continue,
            k => k.name(),
        };
        let span = ins.span;
        let Some(text) = ctx.text.get(span.start..span.end) else {
            continue;
        };
        for &(start, end, what) in buf.run(text) {
            let at = span.start + start;
            if ins.inner_comments.iter().any(|c| c.span.contains(at)) {
                continue;
            }
            out.push(RULE.finding(
                Span::new(at, span.start + end),
                format!(
                    "{what} written in {kind}: it is stored in the image and the build cache; use a secret mount and revoke it"
                ),
            ));
        }
    }
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

/// [`Scan::run`] with buffers of its own.
#[cfg(test)]
fn scan(text: &str) -> Vec<(usize, usize, &'static str)> {
    let mut buf = Scan::default();
    buf.run(text);
    buf.found
}

/// The buffers of a scan, kept from one instruction to the next: most instructions have a
/// candidate (any `A`), and a vector for each was ~1,400 allocations in a check of the
/// 5,000-line stress file.
#[derive(Default)]
struct Scan {
    starts: Vec<usize>,
    found: Vec<(usize, usize, &'static str)>,
}

impl Scan {
    /// Secrets found in `text`: (start, end, description), left to right, none inside
    /// another.
    fn run(&mut self, text: &str) -> &[(usize, usize, &'static str)] {
        let bytes = text.as_bytes();
        self.found.clear();
        candidates(bytes, &mut self.starts);
        self.starts.sort_unstable();
        self.starts.dedup();
        let mut next = 0;
        for &i in &self.starts {
            if i < next {
                continue;
            }
            if let Some((skip, len, what)) = secret_at(bytes, i) {
                self.found.push((i + skip, i + skip + len, what));
                next = i + (skip + len).max(1);
            }
        }
        &self.found
    }
}

/// Where a secret may start: every prefix `secret_at` knows has a `-`, `_` or `A` at a
/// fixed place (`-----BEGIN `, `glpat-`, `xoxb-`; `_authToken=`, `ghp_`, `npm_`,
/// `github_pat_`, `sk_live_`; `AKIA`, `AIza`), and those bytes are found with memchr.
fn candidates(bytes: &[u8], out: &mut Vec<usize>) {
    let at = |p: usize, s: &[u8]| bytes.get(p..).is_some_and(|r| r.starts_with(s));
    let back = |p: usize, k: usize, s: &[u8]| p >= k && at(p - k, s);
    out.clear();
    for p in memchr::memchr3_iter(b'-', b'_', b'A', bytes) {
        match bytes[p] {
            b'-' => {
                if at(p, b"-----BEGIN ") {
                    out.push(p);
                }
                if back(p, 5, b"glpat") {
                    out.push(p - 5);
                }
                if back(p, 4, b"xox") {
                    out.push(p - 4);
                }
            }
            b'_' => {
                if at(p, b"_authToken=") {
                    out.push(p);
                }
                if back(p, 3, b"gh") || back(p, 3, b"npm") {
                    out.push(p - 3);
                }
                if back(p, 6, b"github") {
                    out.push(p - 6);
                }
                if back(p, 2, b"sk_live_") || back(p, 2, b"rk_live_") {
                    out.push(p - 2);
                }
            }
            _ => out.push(p),
        }
    }
}

/// The secret starting at `i` (a prefix's start): (offset of its value, length, what).
fn secret_at(bytes: &[u8], i: usize) -> Option<(usize, usize, &'static str)> {
    let rest = bytes.get(i..)?;
    match rest.first()? {
        b'-' => {
            let line_end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
            let header = rest.get(11..line_end).unwrap_or(&[]);
            let close = find(header, b"-----")?;
            find(&header[..close], b"PRIVATE KEY")?;
            Some((0, 11 + close + 5, "a private key"))
        }
        b'_' => auth_token(rest).map(|(s, len)| (s, len, "an npm auth token")),
        // A token starts a word.
        _ if i > 0 && is_word_byte(bytes[i - 1]) => None,
        _ => token_at(rest).map(|(len, what)| (0, len, what)),
    }
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

    /// The reading `scan` replaced: every byte looked at in turn.
    fn scan_bytewise(text: &str) -> Vec<(usize, usize, &'static str)> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let found = match bytes[i] {
                b'-' if bytes[i..].starts_with(b"-----BEGIN ") => secret_at(bytes, i),
                b'_' if bytes[i..].starts_with(b"_authToken=") => secret_at(bytes, i),
                b'-' | b'_' => None,
                _ if i > 0 && is_word_byte(bytes[i - 1]) => None,
                _ => token_at(&bytes[i..]).map(|(len, what)| (0, len, what)),
            };
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

    proptest::proptest! {
        /// Looking only at the candidates finds what looking everywhere finds.
        #[test]
        fn scan_equals_the_bytewise_reading(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "npm_", "_authToken=", "AKIA", "ABCDEFGHIJKLMNOP", "ghp_", "github_pat_", "glpat-",
                "xoxb-", "sk_live_", "-----BEGIN ", "PRIVATE KEY", "-----", "a1", "aaaaaaaaaaaa",
                "0123456789", " ", "=", "\n", "$", "é", "AIza", "_", "-", "ASIA", "gho_",
                "xoxp-", "rk_live_",
            ]), 0..24),
        ) {
            let text = parts.concat();
            proptest::prop_assert_eq!(scan(&text), scan_bytewise(&text));
        }
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
