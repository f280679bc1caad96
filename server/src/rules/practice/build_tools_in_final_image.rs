//! BuildToolsInFinalImage: a single-stage build that compiles ships its toolchain.

use super::util;
use crate::rules::shell::Invocation;
use crate::rules::{Category, Ctx, Finding, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "BuildToolsInFinalImage",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Size,
    severity: Severity::Hint,
    scope: Scope::Stage,
    summary: "A single-stage Dockerfile compiles the application and ships the build tools",
    docs: r#"When the only stage both builds the application (`go build`, `cargo build`,
`mvn package`, `gradle build`, `dotnet publish`, `npm run build`, `tsc`, …) and runs it, the
image carries the compiler, the SDK, development dependencies and intermediate files. The
image is larger and offers more to an attacker.

Build in a first stage and copy only the result into a small runtime stage:

```dockerfile
FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app .

FROM gcr.io/distroless/static
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
```

The code action *Split into build and runtime stages* does this rewrite. Generic tools
(`make`, `gcc`) are not reported: images built from source usually remove them in the same
`RUN`.
"#,
    bad: "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app .\nCMD [\"app\"]\n",
    good: "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n\nFROM gcr.io/distroless/static\nCOPY --from=build /out/app /app\nCMD [\"/app\"]\n",
    check,
};

/// A description of the build step, when the invocation compiles the application.
pub fn compile_step(inv: &Invocation) -> Option<String> {
    let pos: Vec<&str> = inv
        .positionals(&["-o", "-C", "--prefix", "-f", "--file", "-p"])
        .iter()
        .map(|w| w.text.as_str())
        .collect();
    let first = pos.first().copied();
    let second = pos.get(1).copied();
    let hit = match inv.program {
        "go" => first == Some("build"),
        "cargo" => {
            matches!(first, Some("build" | "install"))
                && !inv.args.iter().any(|a| a.text == "--help")
        }
        "mvn" | "mvnw" => pos
            .iter()
            .any(|p| matches!(*p, "package" | "install" | "verify")),
        "gradle" | "gradlew" => pos.iter().any(|p| {
            matches!(
                *p,
                "build" | "assemble" | "bootJar" | "shadowJar" | "installDist"
            )
        }),
        "dotnet" => matches!(first, Some("publish" | "build")),
        "npm" => first == Some("run") && second.is_some_and(|s| s.starts_with("build")),
        "yarn" | "pnpm" | "bun" => {
            first == Some("build")
                || (first == Some("run") && second.is_some_and(|s| s.starts_with("build")))
        }
        "tsc" => true,
        _ => false,
    };
    hit.then(|| {
        let mut s = inv.name.text.rsplit('/').next().unwrap_or("").to_string();
        for p in pos.iter().take(2) {
            s.push(' ');
            s.push_str(p);
        }
        s
    })
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let model = ctx.model;
    if model.stages.len() != 1 || util::is_scratch(model, 0) {
        return;
    }
    // Only the first build step of the file is reported: with a single stage, a RUN before
    // the FROM counts too, so the whole (single-stage) file is read whatever the scope.
    let whole = Ctx {
        scope: None,
        ..*ctx
    };
    for (_, _, script) in util::runs(&whole) {
        for c in script.commands.iter().filter(|c| !c.substitution) {
            let inv = c.invocation();
            if let Some(step) = compile_step(&inv) {
                out.push(RULE.finding(
                    c.span,
                    format!(
                        "This single-stage image builds with `{step}` and ships the build tools; build in a separate stage and copy the result (code action: split into build and runtime stages)"
                    ),
                ));
                return;
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
        if crate::model::build("FROM a\n").instructions.is_empty() {
            return;
        }
        assert_eq!(
            check_rule(
                &RULE,
                "FROM node:22\nCOPY . .\nRUN npm ci && npm run build\n"
            )
            .len(),
            1
        );
        assert!(check_rule(
            &RULE,
            "FROM node:22\nCOPY . .\nRUN npm ci && npm run test\n"
        )
        .is_empty());
        assert!(check_rule(&RULE, "FROM debian\nRUN make && make install\n").is_empty());
        assert!(check_rule(&RULE, "FROM node:22\nRUN echo \"npm run build\"\n").is_empty());
    }
}
