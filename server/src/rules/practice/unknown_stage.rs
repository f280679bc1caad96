//! UnknownStage: `--from` names no earlier stage.

use crate::model::{Model, Stage, StageRef, StageRefKind};
use crate::rules::{Category, Ctx, Edit, Finding, Fix, Rule, Scope, Severity};
use std::collections::HashMap;

pub const RULE: Rule = Rule {
    id: "UnknownStage",
    aliases: &["DL3022", "DL3023"],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Error,
    scope: Scope::Stage,
    summary: "`--from` refers to a stage that is not defined before it",
    docs: r#"`COPY --from=<x>` and `RUN --mount=…,from=<x>` take a stage name, a stage index or an
image. BuildKit looks `<x>` up among the stages defined *before* the current one; anything else
is pulled as an image, so a misspelt stage name fails the build with an image pull error, and a
stage defined later (or the current stage) cannot be used at all.

Reported:
- a number that is not the index of an earlier stage (`--from=3` with two stages before);
- the name of the current stage, or of a stage defined later in the file;
- a bare word that is not a stage but is close to the name of an earlier stage (a typo):
  at most one edit (insertion, deletion, substitution or transposition) away from it, two for
  names of eight characters or more, or a prefix/extension of it by at most three characters
  (`build` for `builder`). The message suggests the stage. In a file of more than 1,024
  stages, the typo is looked for among the 1,024 stages before the reference.

Not reported: references with a registry, a path (`/`), a tag (`:`) or a digest (`@`), words
containing variables, and bare words far from every stage name (`--from=nginx` is an image).
`FROM <x>` is checked only for the current or a later stage's name.

The fix replaces a misspelt name with the nearest earlier stage.
"#,
    bad: "FROM golang:1.23 AS builder\nRUN go build -o /out/app .\n\nFROM alpine:3.20\nCOPY --from=buidler /out/app /usr/local/bin/app\n",
    good: "FROM golang:1.23 AS builder\nRUN go build -o /out/app .\n\nFROM alpine:3.20\nCOPY --from=builder /out/app /usr/local/bin/app\n",
    check,
};

/// Official images that are also plausible stage names: never taken for a typo.
const KNOWN_IMAGES: &[&str] = &[
    "alpine",
    "busybox",
    "debian",
    "ubuntu",
    "node",
    "golang",
    "python",
    "ruby",
    "rust",
    "nginx",
    "httpd",
    "php",
    "openjdk",
    "eclipse-temurin",
    "maven",
    "gradle",
    "postgres",
    "redis",
    "mysql",
    "mariadb",
    "mongo",
    "centos",
    "fedora",
    "amazonlinux",
    "docker",
    "scratch",
    "perl",
    "erlang",
    "elixir",
    "haskell",
    "swift",
    "julia",
    "bash",
    "caddy",
    "traefik",
    "composer",
    "gcc",
    "clojure",
];

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let model = ctx.model;
    let mut last = None;
    for r in &model.stage_refs {
        if r.target.is_some() || !ctx.in_scope(r.stage) {
            continue;
        }
        if let Some(f) = judge(model, r, &mut last) {
            out.push(f);
        }
    }
}

/// Each stage name (lower case) with the index of the last stage of that name.
type LastByName = HashMap<String, usize>;

/// The finding for reference `r`, if any. `last` is filled when first needed (a map: a
/// file of thousands of stages must not compare each reference with every name).
fn judge(model: &Model, r: &StageRef, last: &mut Option<LastByName>) -> Option<Finding> {
    let name = r.name.as_str();
    let current = r.stage?;
    if name.is_empty() || name.contains('$') {
        return None;
    }
    let what = match r.kind {
        StageRefKind::CopyFrom => "--from",
        StageRefKind::MountFrom => "mount from=",
        StageRefKind::FromImage => "FROM",
    };
    if r.kind != StageRefKind::FromImage && name.bytes().all(|b| b.is_ascii_digit()) {
        let n: usize = name.parse().unwrap_or(usize::MAX);
        if n < current {
            return None; // resolved by the model normally; be lenient
        }
        let msg = if n == current {
            format!("`{what}` index {n} is the current stage; only earlier stages (0 to {}) can be used", current.saturating_sub(1))
        } else if current == 0 {
            format!("`{what}` index {n} refers to no earlier stage: this is the first stage")
        } else {
            format!(
                "`{what}` index {n} is not an earlier stage (0 to {})",
                current - 1
            )
        };
        return Some(RULE.finding(r.span, msg));
    }
    if name.contains(['/', ':', '@', '.']) {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    // The current stage or a later one, by name.
    let last = last.get_or_insert_with(|| {
        let keyed = model
            .stages
            .iter()
            .filter_map(|s| Some((s.key()?, s.index)));
        keyed.collect()
    });
    if last.get(&lower).is_some_and(|&l| l >= current) {
        let here = model.stages.get(current).and_then(Stage::key);
        let msg = if here.as_deref() == Some(lower.as_str()) {
            format!(
                "`{name}` is the current stage: a stage cannot use its own files through `{what}`"
            )
        } else {
            format!(
                "stage `{name}` is defined after this one; only earlier stages can be referred to, so this is pulled as an image"
            )
        };
        return Some(RULE.finding(r.span, msg));
    }
    if r.kind == StageRefKind::FromImage {
        return None;
    }
    if KNOWN_IMAGES.contains(&lower.as_str()) {
        return None;
    }
    // A misspelt earlier stage.
    let mut best: Option<(usize, String, bool)> = None;
    let chars = lower.chars().count();
    let nearest = current.saturating_sub(TYPO_WINDOW)..current;
    let mut letters = Letters::of(&lower);
    for s in model.stages.get(nearest).unwrap_or_default() {
        let Some(n) = &s.name else { continue };
        // No typo of a name more than three characters longer or shorter (see `closeness`).
        if n.value.chars().count().abs_diff(chars) > 3 {
            continue;
        }
        if !letters.may_be_close(&n.value) {
            continue;
        }
        let key = n.value.to_ascii_lowercase();
        let Some((d, exact)) = closeness(&lower, &key) else {
            continue;
        };
        if best.as_ref().is_none_or(|(bd, _, _)| d < *bd) {
            best = Some((d, n.value.to_string(), exact));
        }
    }
    let (_, suggestion, single_edit) = best?;
    let mut f = RULE.finding(
        r.span,
        format!("`{name}` is not a stage defined before this one; did you mean `{suggestion}`?"),
    );
    f.fix = Some(Fix {
        title: format!("Replace with `{suggestion}`"),
        edits: vec![Edit {
            span: r.span,
            new_text: suggestion,
        }],
        safe: single_edit,
    });
    Some(f)
}

/// Stages before a reference looked at for a typo: in a file of thousands of stages, the
/// nearest ones (each reference against every stage took minutes on 10,000 of them).
const TYPO_WINDOW: usize = 1024;

/// Whether `closeness` may find `word` (lower case) close to the stage name `stage` (any
/// case): one is a prefix of the other, or they differ in at most four characters counted
/// as multisets (each of at most two edits changes that count by two at most, a
/// transposition not at all). Cheap, so that the edit distance runs only for plausible
/// pairs.
#[cfg(test)]
fn may_be_close(word: &str, stage: &str) -> bool {
    Letters::of(word).may_be_close(stage)
}

/// A reference's letters counted once, to compare with each stage name in the window
/// (counting both words' letters for each pair cost more than the rest of the check).
struct Letters<'a> {
    word: &'a str,
    counts: [u16; 128],
    /// A stage name's letters while it is compared (all zero in between).
    scratch: [u16; 128],
}

impl<'a> Letters<'a> {
    fn of(word: &'a str) -> Self {
        let mut counts = [0u16; 128];
        if word.is_ascii() {
            for b in word.bytes() {
                counts[b as usize] = counts[b as usize].saturating_add(1);
            }
        }
        Letters {
            word,
            counts,
            scratch: [0; 128],
        }
    }

    /// See [`may_be_close`]. The multiset difference is |word| + |stage| minus twice the
    /// letters they share, counted in one pass over the stage name.
    fn may_be_close(&mut self, stage: &str) -> bool {
        let word = self.word;
        if !word.is_ascii() || !stage.is_ascii() {
            return true;
        }
        let n = word.len().min(stage.len());
        if word[..n].eq_ignore_ascii_case(&stage[..n]) {
            return true;
        }
        let mut shared = 0;
        for b in stage.bytes() {
            let i = b.to_ascii_lowercase() as usize;
            self.scratch[i] = self.scratch[i].saturating_add(1);
            if self.scratch[i] <= self.counts[i] {
                shared += 1;
            }
        }
        for b in stage.bytes() {
            self.scratch[b.to_ascii_lowercase() as usize] = 0;
        }
        word.len() + stage.len() - 2 * shared <= 4
    }
}

/// How close a reference is to a stage name: `Some((distance, single_edit))` when it looks
/// like a typo of it.
fn closeness(word: &str, stage: &str) -> Option<(usize, bool)> {
    if word == stage {
        return None;
    }
    let d = strsim::damerau_levenshtein(word, stage);
    let shorter = word.chars().count().min(stage.chars().count());
    let longer = word.chars().count().max(stage.chars().count());
    if d == 1 && shorter >= 3 {
        return Some((d, true));
    }
    if d == 2 && shorter >= 8 {
        return Some((d, false));
    }
    let prefix = stage.starts_with(word) || word.starts_with(stage);
    if prefix && shorter >= 4 && longer - shorter <= 3 {
        return Some((d, false));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::check_rule;

    fn has_model() -> bool {
        !crate::model::build("FROM a\n").instructions.is_empty()
    }

    #[test]
    fn examples() {
        if !has_model() {
            return;
        }
        let f = check_rule(&RULE, RULE.bad);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("did you mean `builder`"),
            "{}",
            f[0].message
        );
        assert!(check_rule(&RULE, RULE.good).is_empty());
    }

    #[test]
    fn cases() {
        if !has_model() {
            return;
        }
        let base = "FROM alpine AS deps\nRUN true\nFROM alpine AS build\n";
        let reported = [
            "COPY --from=dep /a /a\n",
            "COPY --from=5 /a /a\n",
            "COPY --from=1 /a /a\n",
            "COPY --from=build /a /a\n",
            "COPY --from=later /a /a\nFROM alpine AS later\n",
            "RUN --mount=type=bind,from=deps2,target=/x true\n",
        ];
        for r in reported {
            let text = format!("{base}{r}");
            assert_eq!(check_rule(&RULE, &text).len(), 1, "{text}");
        }
        let fine = [
            "COPY --from=deps /a /a\n",
            "COPY --from=0 /a /a\n",
            "COPY --from=nginx /a /a\n",
            "COPY --from=nginx:1.27 /a /a\n",
            "COPY --from=ghcr.io/org/img /a /a\n",
            "COPY --from=${X} /a /a\n",
            "COPY --from=DEPS /a /a\n",
        ];
        for r in fine {
            let text = format!("{base}{r}");
            assert!(check_rule(&RULE, &text).is_empty(), "{text}");
        }
    }

    #[test]
    fn typo_thresholds() {
        assert!(closeness("buidler", "builder").is_some());
        assert!(closeness("build", "builder").is_some());
        assert!(closeness("nginx", "builder").is_none());
        assert!(closeness("ab", "ac").is_none());
        assert!(closeness("runtime", "runtime").is_none());
    }

    proptest::proptest! {
        /// The cheap filter never drops a pair the edit distance would call close, and
        /// ignores the stage name's case.
        #[test]
        fn the_filter_keeps_every_close_pair(a in "[a-e]{0,10}", b in "[a-e]{0,10}") {
            proptest::prop_assert!(closeness(&a, &b).is_none() || may_be_close(&a, &b));
            let upper = b.to_ascii_uppercase();
            proptest::prop_assert_eq!(may_be_close(&a, &b), may_be_close(&a, &upper));
        }

        /// The filter counts the letters both ways as a full histogram of each word would.
        #[test]
        fn the_filter_counts_like_histograms(a in "[a-ex]{0,12}", b in "[a-eA-EX]{0,12}") {
            let mut counts = [0i32; 128];
            a.bytes().for_each(|c| counts[c as usize] += 1);
            b.bytes().for_each(|c| counts[c.to_ascii_lowercase() as usize] -= 1);
            let differ = counts.iter().map(|c| c.unsigned_abs()).sum::<u32>();
            let n = a.len().min(b.len());
            let expected = a[..n].eq_ignore_ascii_case(&b[..n]) || differ <= 4;
            // One `Letters` for many names, as the check uses it.
            let mut letters = Letters::of(&a);
            for _ in 0..2 {
                proptest::prop_assert_eq!(letters.may_be_close(&b), expected);
            }
        }
    }

    /// In a file of thousands of stages, a typo of a recent stage is still found.
    #[test]
    fn a_typo_among_thousands_of_stages() {
        let mut text: String = (0..3000)
            .map(|i| format!("FROM alpine AS stage{i}\nCOPY --from=image{i} /a /b\n"))
            .collect();
        text.push_str("FROM alpine\nCOPY --from=stage2998x /a /b\n");
        let found = check_rule(&RULE, &text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].message.contains("did you mean `stage2998`?"),
            "{}",
            found[0].message
        );
    }
}
