//! CacheBustingCopy: a broad COPY of the build context before a dependency install.

use super::util::{self, Eco};
use crate::model::{Instruction, InstructionKind, Span};
use crate::rules::shell::Command;
use crate::rules::{Category, Ctx, Edit, Finding, Fix, Related, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "CacheBustingCopy",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Cache,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "The build context (or a source directory) is copied before dependencies are installed",
    docs: r#"A `COPY . .` (or `COPY src/ …`, `ADD . …`) that comes before a dependency install makes
every change to any copied file invalidate the cache of the install: `npm ci`, `pip install -r`,
`go mod download`, `bundle install`, `apt-get install`, … run again on every source edit.

Copy only the dependency manifests first (`package.json` and the lock file,
`requirements.txt`, `go.mod`/`go.sum`, `Gemfile`/`Gemfile.lock`, …), install, and copy the rest
of the sources afterwards. The install layer is then reused until the manifests change.

Recognised installs, also inside `&&` chains, continued lines and heredoc bodies: `npm ci`,
`npm install` (without package arguments), `yarn [install]`, `pnpm install|fetch`,
`bun install`, `pip install -r …`, `uv sync`, `uv pip install -r …`, `poetry install`,
`pipenv install|sync`, `go mod download`, `bundle install`, `composer install`,
`mvn dependency:go-offline|resolve`, `gradle dependencies`, `dotnet restore`, `mix deps.get`,
and system packages (`apt-get install`, `apk add`, `yum|dnf install`, `zypper install`).

Broad copies are copies of the whole context (`.`, `./`, `*`, `/`) and of usual source
directories (`src`, `app`, `lib`, `cmd`, `pkg`, `internal`, …). Copies from another stage or
image (`--from`) are not. Nothing is reported when an install of the same kind already ran
before the broad copy in the stage (the manifests were copied and installed first).

The fix (not applied automatically) inserts a COPY of the manifests and the install before the
broad copy, and removes the install from its later place when it can.
"#,
    bad: "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n",
    good: "FROM node:22-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nCMD [\"node\", \"server.js\"]\n",
    check,
};

/// Source directories whose copy is "broad" (besides the whole context).
const SOURCE_DIRS: &[&str] = &[
    "src",
    "app",
    "lib",
    "cmd",
    "pkg",
    "internal",
    "source",
    "sources",
    "packages",
    "apps",
    "server",
    "client",
    "web",
    "frontend",
    "backend",
    "api",
    "components",
    "pages",
];

fn is_broad_source(source: &str) -> bool {
    if util::is_whole_context(source) {
        return true;
    }
    let s = source
        .strip_prefix("./")
        .unwrap_or(source)
        .trim_end_matches('/');
    SOURCE_DIRS.contains(&s)
}

/// A broad COPY: its index and the broad source's text.
fn broad_copy(ins: &Instruction) -> Option<String> {
    if !matches!(ins.kind, InstructionKind::Copy | InstructionKind::Add)
        || ins.flag("from").is_some()
    {
        return None;
    }
    let (sources, _) = util::copy_sources_dest(ins);
    sources
        .iter()
        .find(|w| is_broad_source(&w.value))
        .map(|w| w.value.to_string())
}

struct Found {
    run: usize,
    command: Command,
    eco: Eco,
    files: Vec<String>,
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let model = ctx.model;
    let scripts = util::scripts(ctx);
    for stage in ctx.stages() {
        let range = stage.instructions.clone();
        // Ecosystems installed so far in the stage.
        let mut installed: Vec<Eco> = Vec::new();
        let mut pending: Option<(usize, String, Vec<Found>)> = None;
        for i in range.clone() {
            let Some(ins) = model.instructions.get(i) else {
                continue;
            };
            if pending.is_none() {
                if let Some(src) = broad_copy(ins) {
                    pending = Some((i, src, Vec::new()));
                    continue;
                }
            }
            if ins.kind != InstructionKind::Run {
                continue;
            }
            let Some(script) = util::script(&scripts, i) else {
                continue;
            };
            for c in script.commands.iter().filter(|c| !c.substitution) {
                let inv = c.invocation();
                let Some(inst) = util::classify_install(&inv) else {
                    continue;
                };
                if let Some((_, _, found)) = &mut pending {
                    if !installed.contains(&inst.eco) && !found.iter().any(|f| f.eco == inst.eco) {
                        found.push(Found {
                            run: i,
                            command: c.clone(),
                            eco: inst.eco,
                            files: inst.files,
                        });
                    }
                }
                if pending.is_none() && !installed.contains(&inst.eco) {
                    installed.push(inst.eco);
                }
            }
        }
        let Some((copy_index, source, found)) = pending else {
            continue;
        };
        if found.is_empty() {
            continue;
        }
        let Some(copy) = model.instructions.get(copy_index) else {
            continue;
        };
        out.push(finding(ctx, &scripts, copy_index, copy, &source, &found));
    }
}

fn finding(
    ctx: &Ctx,
    scripts: &crate::rules::shell::Scripts,
    copy_index: usize,
    copy: &Instruction,
    source: &str,
    found: &[Found],
) -> Finding {
    let first = &found[0];
    let what = util::slice(ctx.text, first.command.span);
    let what = what
        .split_whitespace()
        .take(4)
        .collect::<Vec<_>>()
        .join(" ");
    let scope = if util::is_whole_context(source) {
        "the whole build context".to_string()
    } else {
        format!("`{source}`")
    };
    let message = if first.eco.is_system() {
        format!(
            "COPY of {scope} comes before `{what}`: any change to the copied files reinstalls the packages; install them before copying the sources"
        )
    } else {
        format!(
            "COPY of {scope} comes before `{what}`: any change to the copied files re-runs the install; copy the {} manifests and install first",
            first.eco.name()
        )
    };
    let mut f = RULE.finding(copy.span, message);
    for fd in found {
        f.related.push(Related {
            span: fd.command.span,
            message: format!("{} install after the broad COPY", fd.eco.name()),
        });
    }
    f.fix = build_fix(ctx, scripts, copy_index, copy, first);
    f
}

/// Manifest sources to copy for an install, or `None` when no fix is offered.
fn manifest_sources(found: &Found) -> Option<Vec<String>> {
    let program = found.command.invocation().program.to_string();
    let v = |s: &[&str]| Some(s.iter().map(|x| x.to_string()).collect());
    match found.eco {
        Eco::Npm => v(&["package*.json"]),
        Eco::Yarn => v(&["package.json", "yarn.lock"]),
        Eco::Pnpm => v(&["package.json", "pnpm-lock.yaml"]),
        Eco::Bun => v(&["package.json", "bun.lock*"]),
        Eco::Pip => {
            let files: Vec<String> = found.files.clone();
            let ok = !files.is_empty()
                && files.iter().all(|f| {
                    !f.is_empty()
                        && !f.starts_with('/')
                        && !f.contains('$')
                        && !f.contains("..")
                        && !f.contains('/')
                        && !f.contains(char::is_whitespace)
                });
            ok.then_some(files)
        }
        Eco::Poetry => v(&["pyproject.toml", "poetry.lock*"]),
        Eco::Uv => v(&["pyproject.toml", "uv.lock"]),
        Eco::Pipenv => v(&["Pipfile", "Pipfile.lock"]),
        Eco::Go => v(&["go.mod", "go.sum"]),
        Eco::Bundler => v(&["Gemfile", "Gemfile.lock"]),
        Eco::Composer => v(&["composer.json", "composer.lock"]),
        Eco::Maven if program == "mvn" => v(&["pom.xml"]),
        Eco::Gradle if program == "gradle" => v(&["build.gradle*", "settings.gradle*"]),
        Eco::Mix => v(&["mix.exs", "mix.lock"]),
        e if e.is_system() => Some(Vec::new()),
        _ => None,
    }
}

fn build_fix(
    ctx: &Ctx,
    scripts: &crate::rules::shell::Scripts,
    copy_index: usize,
    copy: &Instruction,
    found: &Found,
) -> Option<Fix> {
    let model = ctx.model;
    let text = ctx.text;
    // Only COPY/ADD between the broad copy and the install: moving the install keeps its
    // environment (WORKDIR, ENV, USER, ARG unchanged).
    for i in copy_index + 1..found.run {
        let ins = model.instructions.get(i)?;
        if !matches!(ins.kind, InstructionKind::Copy | InstructionKind::Add) {
            return None;
        }
    }
    let run = model.instructions.get(found.run)?;
    let script = util::script(scripts, found.run)?;
    let manifests = manifest_sources(found)?;
    let (_, dest) = util::copy_sources_dest(copy);
    let dest = dest?;
    if dest.value.contains('$') || dest.value.contains(char::is_whitespace) {
        return None;
    }
    let dest_dir = match dest.value.as_str() {
        "." | "./" => "./".to_string(),
        d if d.ends_with('/') => d.to_string(),
        d => format!("{d}/"),
    };
    let indent = util::indent_at(text, copy.span.start).to_string();
    let insert_at = util::line_start(text, copy.span.start);
    let mut new_text = String::new();
    let already_copied = model
        .instructions
        .get(
            copy.stage
                .and_then(|s| model.stages.get(s))
                .map(|s| s.instructions.start)
                .unwrap_or(copy_index)..copy_index,
        )
        .unwrap_or(&[])
        .iter()
        .filter(|ins| {
            matches!(ins.kind, InstructionKind::Copy | InstructionKind::Add)
                && ins.flag("from").is_none()
        })
        .any(|ins| {
            util::copy_sources_dest(ins)
                .0
                .iter()
                .any(|w| found.eco.is_manifest(&w.value))
        });
    if !manifests.is_empty() && !already_copied {
        let keep_flags: Vec<&str> = copy
            .flags
            .iter()
            .filter(|f| {
                matches!(
                    f.name.to_ascii_lowercase().as_str(),
                    "chown" | "chmod" | "link"
                )
            })
            .map(|f| util::slice(text, f.span))
            .collect();
        new_text.push_str(&indent);
        new_text.push_str("COPY ");
        for f in keep_flags {
            new_text.push_str(f);
            new_text.push(' ');
        }
        new_text.push_str(&manifests.join(" "));
        new_text.push(' ');
        new_text.push_str(&dest_dir);
        new_text.push('\n');
    }
    let mut edits = Vec::new();
    let essential: Vec<&Command> = script
        .commands
        .iter()
        .filter(|c| !c.substitution && c.name.text != "set")
        .collect();
    let only_install = essential.len() == 1 && essential[0].span == found.command.span;
    let all_system = found.eco.is_system()
        && essential.iter().all(|c| {
            let inv = c.invocation();
            matches!(
                inv.program,
                "apt-get" | "apt" | "apk" | "yum" | "dnf" | "microdnf" | "zypper" | "rm"
            )
        });
    if only_install || all_system {
        // Move the whole RUN before the copy.
        let start = util::line_start(text, run.span.start);
        let end = util::line_end_after(text, run.span.end);
        let run_text = util::slice(text, Span::new(start, end));
        new_text.push_str(run_text);
        if !run_text.ends_with('\n') {
            new_text.push('\n');
        }
        edits.push(Edit {
            span: Span::new(insert_at, insert_at),
            new_text,
        });
        edits.push(Edit {
            span: Span::new(start, end),
            new_text: String::new(),
        });
    } else if found.eco.is_system() {
        return None;
    } else {
        let flags: Vec<&str> = run
            .flags
            .iter()
            .map(|f| util::slice(text, f.span))
            .collect();
        new_text.push_str(&indent);
        new_text.push_str("RUN ");
        for f in flags {
            new_text.push_str(f);
            new_text.push(' ');
        }
        new_text.push_str(util::slice(text, found.command.span));
        new_text.push('\n');
        edits.push(Edit {
            span: Span::new(insert_at, insert_at),
            new_text,
        });
        // Remove `install &&` from the front of the later RUN when it starts the chain.
        let pos = script
            .commands
            .iter()
            .position(|c| c.span == found.command.span)?;
        if pos == 0 && !found.command.heredoc {
            if let Some(next) = script.commands.get(1) {
                let between = util::slice(text, Span::new(found.command.span.end, next.span.start));
                let cleaned: String = between
                    .chars()
                    .filter(|c| !c.is_whitespace() && *c != '\\' && *c != model.escape)
                    .collect();
                if (cleaned == "&&" || cleaned == ";") && next.pipeline.is_none() {
                    edits.push(Edit {
                        span: Span::new(found.command.span.start, next.span.start),
                        new_text: String::new(),
                    });
                }
            }
        }
    }
    Some(Fix {
        title: if manifests.is_empty() || already_copied {
            "Install before the broad COPY".to_string()
        } else {
            format!(
                "Copy {} first and install before the broad COPY",
                manifests.join(" ")
            )
        },
        edits,
        safe: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::{apply, check_rule};

    #[test]
    fn examples() {
        let f = check_rule(&RULE, RULE.bad);
        if f.is_empty() {
            return; // model not available yet
        }
        assert_eq!(f.len(), 1);
        assert!(check_rule(&RULE, RULE.good).is_empty());
    }

    #[test]
    fn chains_heredocs_and_fixes() {
        let text = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN apt-get update && \\\n    pip install --no-cache-dir -r requirements.txt && python -m compileall .\n";
        let f = check_rule(&RULE, text);
        if f.is_empty() && crate::model::build(text).instructions.is_empty() {
            return;
        }
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].related.len(), 1);
        let fixed = apply(text, f[0].fix.as_ref().expect("fix"));
        assert!(fixed.contains("COPY requirements.txt ./\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . ."), "{fixed}");
        assert!(crate::model::build(&fixed).errors.is_empty());

        let heredoc = "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN <<EOF\nset -e\ngo mod download\nEOF\nRUN go build -o /app .\n";
        let f = check_rule(&RULE, heredoc);
        assert_eq!(f.len(), 1);
        let fixed = apply(heredoc, f[0].fix.as_ref().expect("fix"));
        assert!(fixed.starts_with("FROM golang:1.23\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN <<EOF\nset -e\ngo mod download\nEOF\nCOPY . .\nRUN go build"), "{fixed}");
        assert!(check_rule(&RULE, &fixed).is_empty());
    }

    #[test]
    fn not_reported() {
        for text in [
            // manifests copied and installed first
            "FROM node:22\nCOPY package.json yarn.lock ./\nRUN yarn install --frozen-lockfile\nCOPY . .\nRUN yarn install && yarn build\n",
            // copy from another stage
            "FROM node:22 AS b\nRUN true\nFROM node:22\nCOPY --from=b /app .\nRUN npm ci\n",
            // not an install
            "FROM node:22\nCOPY . .\nRUN echo \"npm install\" && npm run build\n",
            // global tool install
            "FROM node:22\nCOPY . .\nRUN npm install -g serve\n",
        ] {
            assert!(check_rule(&RULE, text).is_empty(), "{text}");
        }
    }

    #[test]
    fn move_install_when_manifests_already_copied() {
        let text = "FROM node:22\nWORKDIR /app\nCOPY package*.json ./\nCOPY . .\nRUN npm ci\n";
        let f = check_rule(&RULE, text);
        if crate::model::build(text).instructions.is_empty() {
            return;
        }
        assert_eq!(f.len(), 1);
        let fixed = apply(text, f[0].fix.as_ref().expect("fix"));
        assert_eq!(
            fixed,
            "FROM node:22\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"
        );
    }
}
