//! UnknownStage: `--from` names no earlier stage.

use crate::model::{Model, StageRef, StageRefKind};
use crate::rules::{Category, Ctx, Edit, Finding, Fix, Rule, Scope, Severity};

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
  (`build` for `builder`). The message suggests the stage.

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
    for r in &model.stage_refs {
        if r.target.is_some() || !ctx.in_scope(r.stage) {
            continue;
        }
        if let Some(f) = judge(model, r) {
            out.push(f);
        }
    }
}

fn judge(model: &Model, r: &StageRef) -> Option<Finding> {
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
    if let Some(s) = model
        .stages
        .iter()
        .skip(current)
        .find(|s| s.key().as_deref() == Some(lower.as_str()))
    {
        let msg = if s.index == current {
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
    for s in model.stages.iter().take(current) {
        let Some(n) = &s.name else { continue };
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
}
