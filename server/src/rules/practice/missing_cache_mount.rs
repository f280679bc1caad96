//! MissingCacheMount: package downloads without a BuildKit cache mount.

use super::util;
use crate::model::Model;
use crate::rules::shell::Invocation;
use crate::rules::{Category, Ctx, Finding, Fix, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "MissingCacheMount",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Cache,
    severity: Severity::Hint,
    scope: Scope::Stage,
    summary: "A package install or build starts from nothing on each rebuild: add a BuildKit cache mount",
    docs: r#"When a Dockerfile opts into BuildKit's syntax (a `# syntax=` directive), `RUN` can mount a
persistent cache: `RUN --mount=type=cache,target=/root/.npm npm ci`. When the install layer is
rebuilt (the manifests changed), the packages that did not change come from the cache instead
of the network, and the cache is not part of the image.

Reported, only in files with a `# syntax=` directive, for a RUN without a cache mount on the
tool's cache directory:

| tool | cache directory |
|---|---|
| `npm ci`, `npm install` | `/root/.npm` |
| `yarn [install]` | `/usr/local/share/.cache/yarn` |
| `pnpm install` | `/root/.local/share/pnpm/store` |
| `pip install` (not with `--no-cache-dir` or `PIP_NO_CACHE_DIR`) | `/root/.cache/pip` |
| `uv sync`, `uv pip install` (not with `--no-cache`) | `/root/.cache/uv` |
| `apt-get install` | `/var/cache/apt` and `/var/lib/apt` (`sharing=locked`) |
| `go build`, `go install`, `go test`, `go run`, `go vet` | `/root/.cache/go-build` (`$GOCACHE`) |
| `go mod download`, `go get`, `go install pkg@version` | `$GOMODCACHE` (`/go/pkg/mod` in the `golang` images) |
| `cargo build`, `cargo fetch`, `cargo install` | `$CARGO_HOME/registry` (`/usr/local/cargo/registry` in the `rust` images) |
| `mvn` | `/root/.m2` |
| `gradle`, `./gradlew` | `/root/.gradle` |
| `dotnet restore`, `dotnet publish`, `dotnet build` | `/root/.nuget/packages` |

`GOMODCACHE`, `GOPATH`, `GOCACHE` and `CARGO_HOME` set with ENV or ARG are followed.

The fix adds the mounts after `RUN`. It is offered only when the stage runs as root (after a
`USER` switch the cache directories are elsewhere), and is not applied automatically. Keep in
mind that what is in a cache mount is not in the image: Go modules, Maven and Gradle
repositories and Cargo's registry are then downloaded again by a later RUN that does not mount
the same cache (it still works, only slower), and `apt-get install` in a later RUN needs its own
`apt-get update`. On Debian and Ubuntu images, downloaded `.deb` files are kept in the cache
only after removing `/etc/apt/apt.conf.d/docker-clean`.
"#,
    bad: "# syntax=docker/dockerfile:1\nFROM node:22\nCOPY package*.json ./\nRUN npm ci\n",
    good: "# syntax=docker/dockerfile:1\nFROM node:22\nCOPY package*.json ./\nRUN --mount=type=cache,target=/root/.npm npm ci\n",
    check,
};

/// What an install's cache directories depend on besides its command: the variables set
/// before it and the image its stage is built on, each found once per check.
struct Around<'a> {
    model: &'a Model,
    env: util::EnvBefore<'a>,
    /// Per stage, the last stage of its chain (the one built on an image), once asked.
    roots: Option<Vec<usize>>,
}

impl<'a> Around<'a> {
    fn new(model: &'a Model) -> Self {
        Around {
            model,
            env: util::EnvBefore::new(model),
            roots: None,
        }
    }

    /// A literal value (no variables) set with ENV/ARG before instruction `i`.
    fn literal_env(&mut self, i: usize, name: &str) -> Option<String> {
        self.env
            .get(i, name)
            .filter(|v| !v.is_empty() && !v.contains('$'))
    }

    /// Whether the image instruction `i`'s stage chain is built on is named `…name`.
    fn image_named(&mut self, i: usize, name: &str) -> bool {
        let model = self.model;
        let roots = self
            .roots
            .get_or_insert_with(|| util::roots(&util::parents(model)));
        let stage = model.instructions.get(i).and_then(|x| x.stage).unwrap_or(0);
        roots
            .get(stage)
            .and_then(|&root| model.stages.get(root))
            .and_then(|s| s.image.as_ref())
            .is_some_and(|im| im.name.ends_with(name))
    }
}

/// The cache mounts (target, extra options) an install would use.
fn cache_targets(around: &mut Around, i: usize, inv: &Invocation) -> Vec<(String, &'static str)> {
    if !matches!(
        inv.program,
        "npm"
            | "yarn"
            | "pnpm"
            | "pip"
            | "uv"
            | "apt-get"
            | "go"
            | "cargo"
            | "mvn"
            | "mvnw"
            | "gradle"
            | "gradlew"
            | "dotnet"
    ) {
        return Vec::new();
    }
    let with_value = [
        "--prefix",
        "-C",
        "--cwd",
        "--dir",
        "-r",
        "--requirement",
        "-o",
        "-c",
        "-f",
        "--file",
        "-p",
    ];
    let sub = inv.subcommand(&with_value).map(|w| w.text.as_str());
    let one = |t: &str| vec![(t.to_string(), "")];
    match (inv.program, sub) {
        ("npm", Some("ci" | "install" | "i" | "clean-install"))
            if !inv.has_option(None, &["cache"]) =>
        {
            one("/root/.npm")
        }
        ("yarn", None | Some("install" | "add")) => one("/usr/local/share/.cache/yarn"),
        ("pnpm", Some("install" | "i" | "add" | "fetch")) => one("/root/.local/share/pnpm/store"),
        ("pip", Some("install"))
            if !inv.has_option(None, &["no-cache-dir"])
                && around.env.get(i, "PIP_NO_CACHE_DIR").is_none() =>
        {
            one("/root/.cache/pip")
        }
        ("uv", Some("sync" | "pip")) if !inv.has_option(None, &["no-cache"]) => {
            let pos = inv.positionals(&with_value);
            let install = pos.first().map(|w| w.text.as_str()) == Some("sync")
                || pos
                    .get(1)
                    .is_some_and(|w| w.text == "install" || w.text == "sync");
            if install {
                one("/root/.cache/uv")
            } else {
                Vec::new()
            }
        }
        ("apt-get", Some("install")) => vec![
            ("/var/cache/apt".to_string(), ",sharing=locked"),
            ("/var/lib/apt".to_string(), ",sharing=locked"),
        ],
        ("go", Some(cmd @ ("build" | "install" | "test" | "run" | "vet" | "mod" | "get"))) => {
            if cmd == "mod"
                && inv.positionals(&with_value).get(1).map(|w| w.text.as_str()) != Some("download")
            {
                return Vec::new();
            }
            let golang = around.image_named(i, "golang");
            let modcache = around
                .literal_env(i, "GOMODCACHE")
                .or_else(|| {
                    around
                        .literal_env(i, "GOPATH")
                        .map(|p| format!("{}/pkg/mod", p.trim_end_matches('/')))
                })
                .unwrap_or_else(|| {
                    if golang {
                        "/go/pkg/mod".into()
                    } else {
                        "/root/go/pkg/mod".into()
                    }
                });
            // Modules are downloaded by `go mod download`, `go get` and `go install pkg@version`;
            // other commands may well use a vendor directory.
            let downloads = cmd == "mod"
                || cmd == "get"
                || (cmd == "install"
                    && inv
                        .positionals(&with_value)
                        .iter()
                        .skip(1)
                        .any(|w| w.text.contains('@')));
            let mut v = Vec::new();
            if downloads {
                v.push((modcache, ""));
            }
            if cmd != "mod" && cmd != "get" {
                v.push((
                    around
                        .literal_env(i, "GOCACHE")
                        .unwrap_or_else(|| "/root/.cache/go-build".into()),
                    "",
                ));
            }
            v
        }
        ("cargo", Some("build" | "fetch" | "install" | "test")) => {
            let rust = around.image_named(i, "rust");
            let home = around.literal_env(i, "CARGO_HOME").unwrap_or_else(|| {
                if rust {
                    "/usr/local/cargo".into()
                } else {
                    "/root/.cargo".into()
                }
            });
            vec![(format!("{}/registry", home.trim_end_matches('/')), "")]
        }
        ("mvn" | "mvnw", Some(_)) => one("/root/.m2"),
        ("gradle" | "gradlew", Some(_)) => one("/root/.gradle"),
        ("dotnet", Some("restore" | "publish" | "build")) => one("/root/.nuget/packages"),
        _ => Vec::new(),
    }
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    if ctx.model.directive("syntax").is_none() {
        return;
    }
    let mut users = util::users(ctx.model);
    let mut around = Around::new(ctx.model);
    for (i, ins, script) in util::runs(ctx) {
        let mut targets: Vec<(String, &'static str)> = Vec::new();
        let mut first = None;
        for inv in util::invocations(&script) {
            for (t, opts) in cache_targets(&mut around, i, &inv) {
                let under_home = t
                    .strip_prefix("/root")
                    .filter(|r| !r.is_empty())
                    .map(str::to_string);
                let mounted = util::has_cache_mount(ins, &[t.as_str()])
                    || under_home
                        .as_deref()
                        .is_some_and(|r| util::has_cache_mount(ins, &[r]));
                if mounted {
                    continue;
                }
                if !targets.iter().any(|(x, _)| *x == t) {
                    targets.push((t, opts));
                }
                first.get_or_insert(inv.command.span);
            }
        }
        let Some(span) = first else { continue };
        // Built with `push_str`: this runs for every RUN that installs (hot path).
        let flags: Vec<String> = targets
            .iter()
            .map(|(t, o)| {
                let mut f = String::with_capacity(28 + t.len() + o.len());
                f.push_str("--mount=type=cache,target=");
                f.push_str(t);
                f.push_str(o);
                f
            })
            .collect();
        let mut message = String::from(
            "When this layer is rebuilt, nothing downloaded or compiled before is reused: add ",
        );
        for (k, flag) in flags.iter().enumerate() {
            if k > 0 {
                message.push_str(" and ");
            }
            message.push('`');
            message.push_str(flag);
            message.push('`');
        }
        let mut f = RULE.finding(span, message);
        if !util::non_root_before(&mut users, i) {
            f.fix = Some(Fix {
                title: "Add a cache mount".into(),
                edits: vec![util::insert_after(ins.keyword_span, &flags.join(" "))],
                safe: false,
            });
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::{apply, check_rule};

    #[test]
    fn cases() {
        if crate::model::build("FROM a\n").instructions.is_empty() {
            return;
        }
        let f = check_rule(&RULE, RULE.bad);
        assert_eq!(apply(RULE.bad, f[0].fix.as_ref().expect("fix")), RULE.good);
        assert!(
            check_rule(&RULE, "FROM node\nRUN npm ci\n").is_empty(),
            "no syntax directive"
        );
        assert!(check_rule(
            &RULE,
            "# syntax=docker/dockerfile:1\nFROM python\nRUN pip install --no-cache-dir -r r.txt\n"
        )
        .is_empty());
        let f = check_rule(
            &RULE,
            "# syntax=docker/dockerfile:1\nFROM python\nUSER app\nRUN pip install -r r.txt\n",
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].fix.is_none());
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;
    use crate::rules::practice::test_support::{apply, check_rule};

    #[test]
    fn go_cargo_apt() {
        let t = "# syntax=docker/dockerfile:1\nFROM golang:1.23\nRUN go build -o /out/app .\n";
        let f = check_rule(&RULE, t);
        assert_eq!(
            apply(t, f[0].fix.as_ref().expect("fix")),
            "# syntax=docker/dockerfile:1\nFROM golang:1.23\nRUN --mount=type=cache,target=/root/.cache/go-build go build -o /out/app .\n"
        );
        let t = "# syntax=docker/dockerfile:1\nFROM rust:1.80\nENV CARGO_HOME=/cargo\nRUN cargo build --release\n";
        assert!(check_rule(&RULE, t)[0]
            .message
            .contains("target=/cargo/registry"));
        let t = "# syntax=docker/dockerfile:1\nFROM debian\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y gcc\n";
        assert!(check_rule(&RULE, t).is_empty());
        let t = "# syntax=docker/dockerfile:1\nFROM golang\nRUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache go build .\n";
        assert!(check_rule(&RULE, t).is_empty());
    }
}
