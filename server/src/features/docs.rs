//! Offline documentation: instructions, their flags, `--mount` types and keys, parser
//! directives, predefined build arguments and well-known base images.
//!
//! Everything here is plain data written for this project. Completion, hover and signature
//! help read it; other features may too. Lookups are case-insensitive where Dockerfiles are.

/// One parameter of an instruction's syntax, as shown by signature help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// Shown in the signature, e.g. `[--from=<stage>]` or `<src>...`.
    pub label: &'static str,
    pub kind: ParamKind,
    pub doc: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// `--name[=value]`; the name without dashes.
    Flag(&'static str),
    /// One positional word.
    Word,
    /// One or more positional words (only the last positional may follow it).
    Repeated,
    /// A fixed keyword such as `AS` or `CMD`.
    Keyword(&'static str),
    /// The rest of the line (a shell command, a JSON array, pairs ...).
    Rest,
}

/// One way to write an instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Form {
    /// Short name of the form (`shell form`, `exec form`), empty when there is only one.
    pub name: &'static str,
    pub params: &'static [Param],
}

impl Form {
    /// The signature line: keyword and parameter labels separated by single spaces.
    pub fn label(&self, keyword: &str) -> String {
        let mut s = keyword.to_string();
        for p in self.params {
            s.push(' ');
            s.push_str(p.label);
        }
        s
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstructionDoc {
    pub name: &'static str,
    /// One sentence.
    pub summary: &'static str,
    /// Markdown paragraphs after the summary.
    pub details: &'static str,
    pub forms: &'static [Form],
    /// A short example (Dockerfile text).
    pub example: &'static str,
    /// Snippet text inserted after the keyword and a space (LSP snippet syntax).
    pub snippet: &'static str,
    /// Names of the flags it accepts, without dashes, in the order they are offered.
    pub flags: &'static [&'static str],
}

/// A documented value of a flag, mount key or directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueDoc {
    pub value: &'static str,
    pub summary: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlagDoc {
    /// Upper-case instruction keyword.
    pub instruction: &'static str,
    /// Without dashes.
    pub name: &'static str,
    /// Placeholder for the value (`<stage>`), `None` for a boolean flag written bare.
    pub value: Option<&'static str>,
    pub summary: &'static str,
    pub details: &'static str,
    pub values: &'static [ValueDoc],
    /// The Dockerfile frontend version that introduced it, when that matters.
    pub since: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MountTypeDoc {
    pub name: &'static str,
    pub summary: &'static str,
    pub details: &'static str,
    /// Keys valid for this type, in the order they are offered.
    pub keys: &'static [&'static str],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MountKeyDoc {
    pub key: &'static str,
    /// Other spellings BuildKit accepts for the same key.
    pub aliases: &'static [&'static str],
    /// The mount types this description applies to.
    pub types: &'static [&'static str],
    pub summary: &'static str,
    pub values: &'static [ValueDoc],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectiveDoc {
    pub name: &'static str,
    pub summary: &'static str,
    pub details: &'static str,
    pub values: &'static [ValueDoc],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgDoc {
    pub name: &'static str,
    pub summary: &'static str,
    /// A typical value, for illustration.
    pub example: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageDoc {
    /// Repository as written in FROM (`node`, `gcr.io/distroless/static-debian12`).
    pub name: &'static str,
    pub summary: &'static str,
    /// Common tags, most recommended first.
    pub tags: &'static [&'static str],
}

// ---------------------------------------------------------------------------------------
// Instructions
// ---------------------------------------------------------------------------------------

const fn flag(label: &'static str, name: &'static str, doc: &'static str) -> Param {
    Param {
        label,
        kind: ParamKind::Flag(name),
        doc,
    }
}
const fn word(label: &'static str, doc: &'static str) -> Param {
    Param {
        label,
        kind: ParamKind::Word,
        doc,
    }
}
const fn repeated(label: &'static str, doc: &'static str) -> Param {
    Param {
        label,
        kind: ParamKind::Repeated,
        doc,
    }
}
const fn keyword(label: &'static str, doc: &'static str) -> Param {
    Param {
        label,
        kind: ParamKind::Keyword(label),
        doc,
    }
}
const fn rest(label: &'static str, doc: &'static str) -> Param {
    Param {
        label,
        kind: ParamKind::Rest,
        doc,
    }
}

const RUN_FLAGS: [Param; 3] = [
    flag(
        "[--mount=<mount>]",
        "mount",
        "Attach a cache, secret, SSH agent, tmpfs or bind mount for this command only.",
    ),
    flag(
        "[--network=<mode>]",
        "network",
        "Network access of the command: `default`, `none` or `host`.",
    ),
    flag(
        "[--security=<mode>]",
        "security",
        "`insecure` runs with elevated privileges; `sandbox` is the default.",
    ),
];

const COPY_FLAGS: [Param; 6] = [
    flag("[--from=<stage|image|context>]", "from", "Copy from an earlier stage, an image or a named build context instead of the build context."),
    flag("[--chown=<user>:<group>]", "chown", "Owner of the copied files."),
    flag("[--chmod=<perms>]", "chmod", "Permissions of the copied files (octal or symbolic)."),
    flag("[--link]", "link", "Copy into an independent layer that survives changes to earlier layers."),
    flag("[--parents]", "parents", "Keep the parent directories of the sources below the destination."),
    flag("[--exclude=<pattern>]", "exclude", "Leave out files matching the pattern (repeatable)."),
];

const ADD_FLAGS: [Param; 7] = [
    flag(
        "[--chown=<user>:<group>]",
        "chown",
        "Owner of the added files.",
    ),
    flag(
        "[--chmod=<perms>]",
        "chmod",
        "Permissions of the added files.",
    ),
    flag("[--link]", "link", "Add into an independent layer."),
    flag(
        "[--checksum=<digest>]",
        "checksum",
        "Verify a remote file against this digest.",
    ),
    flag(
        "[--keep-git-dir]",
        "keep-git-dir",
        "Keep the `.git` directory when adding a Git repository.",
    ),
    flag(
        "[--unpack]",
        "unpack",
        "Whether local or remote archives are extracted.",
    ),
    flag(
        "[--exclude=<pattern>]",
        "exclude",
        "Leave out files matching the pattern (repeatable).",
    ),
];

const HEALTHCHECK_FLAGS: [Param; 5] = [
    flag(
        "[--interval=<duration>]",
        "interval",
        "Time between two checks (default 30s).",
    ),
    flag(
        "[--timeout=<duration>]",
        "timeout",
        "A check taking longer counts as failed (default 30s).",
    ),
    flag(
        "[--start-period=<duration>]",
        "start-period",
        "Grace period after start during which failures do not count (default 0s).",
    ),
    flag(
        "[--start-interval=<duration>]",
        "start-interval",
        "Time between checks during the start period (default 5s).",
    ),
    flag(
        "[--retries=<n>]",
        "retries",
        "Consecutive failures before the container is unhealthy (default 3).",
    ),
];

pub const INSTRUCTIONS: &[InstructionDoc] = &[
    InstructionDoc {
        name: "FROM",
        summary: "Starts a new build stage from a base image, an earlier stage or `scratch`.",
        details: "Every stage begins with `FROM`. The image may be written `name[:tag][@digest]` and may use \
global `ARG`s declared before the first `FROM`. Naming the stage with `AS name` lets later stages refer to it \
in `COPY --from`, `RUN --mount=from=` and `FROM name`.\n\n`--platform` selects the platform of the base \
image, e.g. `$BUILDPLATFORM` for a stage that only builds tools.",
        forms: &[Form {
            name: "",
            params: &[
                flag("[--platform=<platform>]", "platform", "Platform of the base image, e.g. `linux/amd64` or `$BUILDPLATFORM`."),
                word("<image>[:<tag>][@<digest>]", "The base image or the name of an earlier stage; `scratch` starts empty."),
                keyword("[AS", "Name this stage."),
                word("<name>]", "The stage name, used by `--from=` and later `FROM` lines."),
            ],
        }],
        example: "FROM --platform=$BUILDPLATFORM golang:1.22 AS build",
        snippet: "${1:image}:${2:tag}${3: AS ${4:name}}",
        flags: &["platform"],
    },
    InstructionDoc {
        name: "RUN",
        summary: "Runs a command in a new layer on top of the current image.",
        details: "In shell form the command is passed to the stage's shell (`/bin/sh -c` unless `SHELL` changed it); \
in exec form (a JSON array) it runs directly without a shell, so no variable expansion happens. A heredoc \
(`RUN <<EOF`) runs a multi-line script.\n\n`--mount` gives the command access to caches, secrets, the SSH agent or \
other stages without baking them into the layer.",
        forms: &[
            Form {
                name: "shell form",
                params: &[RUN_FLAGS[0], RUN_FLAGS[1], RUN_FLAGS[2], rest("<command>", "A command line for the shell.")],
            },
            Form {
                name: "exec form",
                params: &[
                    RUN_FLAGS[0],
                    RUN_FLAGS[1],
                    RUN_FLAGS[2],
                    rest("[\"<executable>\", \"<param>\", ...]", "A JSON array: the program and its arguments, no shell."),
                ],
            },
        ],
        example: "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt",
        snippet: "${1:command}",
        flags: &["mount", "network", "security"],
    },
    InstructionDoc {
        name: "CMD",
        summary: "Sets the default command (or default arguments of `ENTRYPOINT`) of the container.",
        details: "Only the last `CMD` of the final stage counts. Prefer the exec form (a JSON array) so the process \
receives signals directly. With an `ENTRYPOINT`, `CMD` supplies its default arguments, which `docker run` \
arguments replace.",
        forms: &[
            Form { name: "exec form", params: &[rest("[\"<executable>\", \"<param>\", ...]", "A JSON array: the program and its arguments.")] },
            Form { name: "shell form", params: &[rest("<command>", "A command line run with the stage's shell.")] },
        ],
        example: "CMD [\"node\", \"server.js\"]",
        snippet: "[\"${1:executable}\"${2:, \"${3:param}\"}]",
        flags: &[],
    },
    InstructionDoc {
        name: "LABEL",
        summary: "Adds metadata to the image as key/value pairs.",
        details: "Several pairs may be given on one line. Quote values containing spaces. Labels are inherited from \
the base image; the OCI annotation keys (`org.opencontainers.image.*`) are the common vocabulary.",
        forms: &[Form { name: "", params: &[repeated("<key>=<value>...", "One or more `key=value` pairs.")] }],
        example: "LABEL org.opencontainers.image.source=\"https://example.com/repo\"",
        snippet: "${1:key}=\"${2:value}\"",
        flags: &[],
    },
    InstructionDoc {
        name: "MAINTAINER",
        summary: "Deprecated: records the image author. Use `LABEL org.opencontainers.image.authors=...` instead.",
        details: "Kept for compatibility only; the value ends up in the image's author field.",
        forms: &[Form { name: "", params: &[rest("<name>", "The author.")] }],
        example: "LABEL org.opencontainers.image.authors=\"team@example.com\"",
        snippet: "${1:name}",
        flags: &[],
    },
    InstructionDoc {
        name: "EXPOSE",
        summary: "Documents the ports the container listens on.",
        details: "Ports are `port[/protocol]` with `tcp` (default) or `udp`. Exposing a port publishes nothing; \
it is information for `docker run -P` and for readers.",
        forms: &[Form { name: "", params: &[repeated("<port>[/<protocol>]...", "One or more ports, e.g. `8080` or `53/udp`.")] }],
        example: "EXPOSE 8080/tcp",
        snippet: "${1:port}",
        flags: &[],
    },
    InstructionDoc {
        name: "ENV",
        summary: "Sets environment variables for the rest of the stage and for the running container.",
        details: "Values are visible to later instructions of the stage, to stages built `FROM` this one and at run \
time. Use `ARG` for values needed only during the build, and never put secrets in `ENV`. The legacy form \
`ENV KEY value` (one pair, no `=`) is discouraged.",
        forms: &[Form { name: "", params: &[repeated("<key>=<value>...", "One or more `key=value` pairs.")] }],
        example: "ENV NODE_ENV=production PORT=8080",
        snippet: "${1:KEY}=${2:value}",
        flags: &[],
    },
    InstructionDoc {
        name: "ADD",
        summary: "Adds local files, remote URLs, Git repositories or archives to the image.",
        details: "Unlike `COPY`, `ADD` fetches URLs, clones Git repositories and extracts local tar archives. Prefer \
`COPY` for plain local files. `--checksum` pins the content of a remote file.",
        forms: &[
            Form {
                name: "",
                params: &[
                    ADD_FLAGS[0], ADD_FLAGS[1], ADD_FLAGS[2], ADD_FLAGS[3], ADD_FLAGS[4], ADD_FLAGS[5], ADD_FLAGS[6],
                    repeated("<src>...", "Sources: paths in the build context, URLs or Git repositories."),
                    word("<dest>", "Destination in the image; a directory when it ends with `/`."),
                ],
            },
            Form {
                name: "JSON form",
                params: &[
                    ADD_FLAGS[0], ADD_FLAGS[1], ADD_FLAGS[2], ADD_FLAGS[3], ADD_FLAGS[4], ADD_FLAGS[5], ADD_FLAGS[6],
                    rest("[\"<src>\", ..., \"<dest>\"]", "Sources then destination as a JSON array (for paths with spaces)."),
                ],
            },
        ],
        example: "ADD --checksum=sha256:... https://example.com/tool.tar.gz /tmp/",
        snippet: "${1:src} ${2:dest}",
        flags: &["chown", "chmod", "link", "checksum", "keep-git-dir", "unpack", "exclude"],
    },
    InstructionDoc {
        name: "COPY",
        summary: "Copies files from the build context, an earlier stage, an image or a named context.",
        details: "Sources are relative to the build context (or to the root of the `--from` source). `COPY --link` \
puts the files in an independent layer, so rebuilding earlier layers does not invalidate it. Copy dependency \
manifests before the rest of the sources to keep the dependency layer cached.",
        forms: &[
            Form {
                name: "",
                params: &[
                    COPY_FLAGS[0], COPY_FLAGS[1], COPY_FLAGS[2], COPY_FLAGS[3], COPY_FLAGS[4], COPY_FLAGS[5],
                    repeated("<src>...", "Sources, relative to the context or to the `--from` source; wildcards allowed."),
                    word("<dest>", "Destination in the image; a directory when it ends with `/`."),
                ],
            },
            Form {
                name: "JSON form",
                params: &[
                    COPY_FLAGS[0], COPY_FLAGS[1], COPY_FLAGS[2], COPY_FLAGS[3], COPY_FLAGS[4], COPY_FLAGS[5],
                    rest("[\"<src>\", ..., \"<dest>\"]", "Sources then destination as a JSON array (for paths with spaces)."),
                ],
            },
        ],
        example: "COPY --from=build --chown=app:app /out/app /usr/local/bin/app",
        snippet: "${1:src} ${2:dest}",
        flags: &["from", "chown", "chmod", "link", "parents", "exclude"],
    },
    InstructionDoc {
        name: "ENTRYPOINT",
        summary: "Sets the executable the container runs; `CMD` then supplies its default arguments.",
        details: "Use the exec form (a JSON array) so the program runs as PID 1 and receives signals. In shell form \
the command is wrapped in `/bin/sh -c`, which ignores `CMD` and `docker run` arguments.",
        forms: &[
            Form { name: "exec form", params: &[rest("[\"<executable>\", \"<param>\", ...]", "A JSON array: the program and its fixed arguments.")] },
            Form { name: "shell form", params: &[rest("<command>", "A command line run with the stage's shell.")] },
        ],
        example: "ENTRYPOINT [\"/usr/local/bin/app\"]",
        snippet: "[\"${1:executable}\"]",
        flags: &[],
    },
    InstructionDoc {
        name: "VOLUME",
        summary: "Marks paths as mount points for external or anonymous volumes.",
        details: "Changes made to a declared volume path by later build instructions are discarded, so declare \
volumes after preparing their contents.",
        forms: &[
            Form { name: "", params: &[repeated("<path>...", "One or more paths in the container.")] },
            Form { name: "JSON form", params: &[rest("[\"<path>\", ...]", "Paths as a JSON array.")] },
        ],
        example: "VOLUME /var/lib/data",
        snippet: "${1:/data}",
        flags: &[],
    },
    InstructionDoc {
        name: "USER",
        summary: "Sets the user (and optionally group) for the rest of the stage and for the container.",
        details: "Accepts names or numeric ids: `user[:group]`. Running as a non-root user limits what a compromised \
process can do; numeric ids work even when the name is not in `/etc/passwd`.",
        forms: &[Form { name: "", params: &[word("<user>[:<group>]", "A user name or UID, optionally with a group name or GID.")] }],
        example: "USER 10001:10001",
        snippet: "${1:user}",
        flags: &[],
    },
    InstructionDoc {
        name: "WORKDIR",
        summary: "Sets the working directory for later instructions and the container, creating it if needed.",
        details: "Relative paths are resolved against the previous `WORKDIR`. Prefer `WORKDIR` over `RUN cd ...`, \
which only affects that one command.",
        forms: &[Form { name: "", params: &[word("<path>", "An absolute path (or one relative to the previous WORKDIR).")] }],
        example: "WORKDIR /app",
        snippet: "${1:/app}",
        flags: &[],
    },
    InstructionDoc {
        name: "ARG",
        summary: "Declares a build argument, optionally with a default value.",
        details: "Values come from `--build-arg` at build time. An `ARG` before the first `FROM` is global: usable in \
`FROM` lines, and inside a stage only after re-declaring it with `ARG NAME`. An `ARG` inside a stage is visible \
from its declaration to the end of that stage. Build arguments are recorded in the image history, so they \
are no place for secrets: use `RUN --mount=type=secret`.",
        forms: &[Form { name: "", params: &[repeated("<name>[=<default>]...", "One or more names, each with an optional default.")] }],
        example: "ARG NODE_VERSION=20",
        snippet: "${1:NAME}${2:=${3:default}}",
        flags: &[],
    },
    InstructionDoc {
        name: "ONBUILD",
        summary: "Registers an instruction to run later, when another build uses this image as its base.",
        details: "The wrapped instruction is stored in the image and executed at the start of any build that \
says `FROM` this image. `ONBUILD` cannot wrap `ONBUILD`, `FROM` or `MAINTAINER`.",
        forms: &[Form { name: "", params: &[word("<INSTRUCTION>", "The instruction to run in the downstream build."), rest("<arguments>", "Its arguments.")] }],
        example: "ONBUILD COPY . /app/src",
        snippet: "${1:INSTRUCTION}",
        flags: &[],
    },
    InstructionDoc {
        name: "STOPSIGNAL",
        summary: "Sets the signal sent to the container to stop it.",
        details: "A name such as `SIGTERM` or `SIGQUIT`, or a number. The default is `SIGTERM`.",
        forms: &[Form { name: "", params: &[word("<signal>", "A signal name (`SIGINT`) or number (`2`).")] }],
        example: "STOPSIGNAL SIGQUIT",
        snippet: "${1:SIGTERM}",
        flags: &[],
    },
    InstructionDoc {
        name: "HEALTHCHECK",
        summary: "Tells the container runtime how to test that the container still works.",
        details: "`HEALTHCHECK CMD ...` runs the command periodically: exit code 0 means healthy, 1 unhealthy. \
`HEALTHCHECK NONE` disables a check inherited from the base image. Only the last `HEALTHCHECK` counts.",
        forms: &[
            Form {
                name: "check",
                params: &[
                    HEALTHCHECK_FLAGS[0], HEALTHCHECK_FLAGS[1], HEALTHCHECK_FLAGS[2], HEALTHCHECK_FLAGS[3], HEALTHCHECK_FLAGS[4],
                    keyword("CMD", "Introduces the check command."),
                    rest("<command>", "The command (shell or exec form) that performs the check."),
                ],
            },
            Form { name: "disable", params: &[keyword("NONE", "Turn off any check inherited from the base image.")] },
        ],
        example: "HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost/ || exit 1",
        snippet: "${1:--interval=30s }CMD ${2:command}",
        flags: &["interval", "timeout", "start-period", "start-interval", "retries"],
    },
    InstructionDoc {
        name: "SHELL",
        summary: "Replaces the shell used by the shell form of later RUN, CMD and ENTRYPOINT instructions.",
        details: "Must be written as a JSON array, e.g. `[\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]`. The setting \
lasts until the end of the stage or the next `SHELL`.",
        forms: &[Form { name: "", params: &[rest("[\"<executable>\", \"<param>\", ...]", "The shell and its options, as a JSON array.")] }],
        example: "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]",
        snippet: "[\"${1:/bin/bash}\", \"${2:-c}\"]",
        flags: &[],
    },
];

// ---------------------------------------------------------------------------------------
// Flags
// ---------------------------------------------------------------------------------------

const BOOL_VALUES: &[ValueDoc] = &[
    ValueDoc {
        value: "true",
        summary: "Enabled.",
    },
    ValueDoc {
        value: "false",
        summary: "Disabled.",
    },
];

/// Platform values offered after `--platform=`.
pub const PLATFORMS: &[ValueDoc] = &[
    ValueDoc {
        value: "$BUILDPLATFORM",
        summary: "The platform of the machine running the build (for tool stages).",
    },
    ValueDoc {
        value: "$TARGETPLATFORM",
        summary: "The platform the image is being built for.",
    },
    ValueDoc {
        value: "linux/amd64",
        summary: "64-bit x86 Linux.",
    },
    ValueDoc {
        value: "linux/arm64",
        summary: "64-bit ARM Linux (Apple silicon, Graviton ...).",
    },
    ValueDoc {
        value: "linux/arm/v7",
        summary: "32-bit ARMv7 Linux (Raspberry Pi 2/3 ...).",
    },
    ValueDoc {
        value: "linux/arm/v6",
        summary: "32-bit ARMv6 Linux.",
    },
    ValueDoc {
        value: "linux/386",
        summary: "32-bit x86 Linux.",
    },
    ValueDoc {
        value: "linux/ppc64le",
        summary: "64-bit little-endian POWER Linux.",
    },
    ValueDoc {
        value: "linux/s390x",
        summary: "IBM Z Linux.",
    },
    ValueDoc {
        value: "linux/riscv64",
        summary: "64-bit RISC-V Linux.",
    },
    ValueDoc {
        value: "windows/amd64",
        summary: "64-bit Windows.",
    },
];

pub const FLAGS: &[FlagDoc] = &[
    FlagDoc {
        instruction: "FROM",
        name: "platform",
        value: Some("<platform>"),
        summary: "Chooses the platform variant of a multi-platform base image.",
        details: "Written `os/arch[/variant]`. Use `$BUILDPLATFORM` for stages that run build tools natively and \
cross-compile for `$TARGETPLATFORM`. A constant value makes multi-platform builds produce the same base for \
every target, which is rarely intended.",
        values: PLATFORMS,
        since: None,
    },
    FlagDoc {
        instruction: "RUN",
        name: "mount",
        value: Some("type=<type>[,<key>=<value>...]"),
        summary: "Mounts a cache, secret, SSH agent socket, tmpfs or files from another stage while the command runs.",
        details: "The mount exists only during this `RUN` and is not part of the resulting layer. The value is a \
comma-separated list of `key=value` options; `type` defaults to `bind`. The flag may be repeated.\n\n\
- `type=cache` keeps a directory (package caches) between builds\n\
- `type=secret` exposes a secret file or environment variable\n\
- `type=ssh` forwards the SSH agent\n\
- `type=bind` mounts files from the context or another stage\n\
- `type=tmpfs` mounts an empty in-memory file system",
        values: &[],
        since: None,
    },
    FlagDoc {
        instruction: "RUN",
        name: "network",
        value: Some("<mode>"),
        summary: "Controls network access of the command.",
        details: "`none` is useful to prove a step is hermetic; `host` needs the `network.host` entitlement.",
        values: &[
            ValueDoc { value: "default", summary: "The default build network." },
            ValueDoc { value: "none", summary: "No network access at all (only loopback)." },
            ValueDoc { value: "host", summary: "The host's network stack (requires the network.host entitlement)." },
        ],
        since: None,
    },
    FlagDoc {
        instruction: "RUN",
        name: "security",
        value: Some("<mode>"),
        summary: "Runs the command with or without elevated privileges.",
        details: "`insecure` is like `docker run --privileged` and needs the `security.insecure` entitlement.",
        values: &[
            ValueDoc { value: "insecure", summary: "Run privileged (requires the security.insecure entitlement)." },
            ValueDoc { value: "sandbox", summary: "Run in the default sandbox." },
        ],
        since: None,
    },
    FlagDoc {
        instruction: "COPY",
        name: "from",
        value: Some("<stage|image|context>"),
        summary: "Copies from an earlier stage, an image or a named build context instead of the build context.",
        details: "A stage may be named (`AS build`) or given by its 0-based index. Any other value is treated as \
an image reference or a context given with `--build-context`.",
        values: &[],
        since: None,
    },
    FlagDoc {
        instruction: "COPY",
        name: "chown",
        value: Some("<user>[:<group>]"),
        summary: "Sets the owner of the copied files (names or numeric ids).",
        details: "Without it files are owned by root (UID 0). Names are looked up in the image's `/etc/passwd` and \
`/etc/group`.",
        values: &[],
        since: None,
    },
    FlagDoc {
        instruction: "COPY",
        name: "chmod",
        value: Some("<perms>"),
        summary: "Sets the permissions of the copied files, e.g. `755` or `u=rwx,go=rx`.",
        details: "Octal modes work everywhere; symbolic modes need a recent Dockerfile frontend.",
        values: &[],
        since: None,
    },
    FlagDoc {
        instruction: "COPY",
        name: "link",
        value: None,
        summary: "Copies into an independent layer that does not depend on the layers below.",
        details: "The copy can be reused even when earlier layers change, and rebased onto a new base image without \
rebuilding. Files are not merged with existing directories' ownership in that case.",
        values: BOOL_VALUES,
        since: None,
    },
    FlagDoc {
        instruction: "COPY",
        name: "parents",
        value: None,
        summary: "Keeps the parent directories of each source path below the destination.",
        details: "`COPY --parents a/b/file /dst/` creates `/dst/a/b/file`. A `/./` in a source marks where the kept \
part starts.",
        values: BOOL_VALUES,
        since: Some("1.7"),
    },
    FlagDoc {
        instruction: "COPY",
        name: "exclude",
        value: Some("<pattern>"),
        summary: "Leaves out files matching a pattern; may be repeated.",
        details: "Patterns follow `.dockerignore` syntax and apply to the sources of this instruction only.",
        values: &[],
        since: Some("1.7"),
    },
    FlagDoc {
        instruction: "ADD",
        name: "chown",
        value: Some("<user>[:<group>]"),
        summary: "Sets the owner of the added files (names or numeric ids).",
        details: "Without it files are owned by root. Names are looked up in the image's `/etc/passwd` and `/etc/group`.",
        values: &[],
        since: None,
    },
    FlagDoc {
        instruction: "ADD",
        name: "chmod",
        value: Some("<perms>"),
        summary: "Sets the permissions of the added files.",
        details: "Octal modes such as `644` or `755`.",
        values: &[],
        since: None,
    },
    FlagDoc {
        instruction: "ADD",
        name: "link",
        value: None,
        summary: "Adds into an independent layer that does not depend on the layers below.",
        details: "Same behaviour as `COPY --link`.",
        values: BOOL_VALUES,
        since: None,
    },
    FlagDoc {
        instruction: "ADD",
        name: "checksum",
        value: Some("<algorithm>:<hex>"),
        summary: "Verifies a remote source against a digest, e.g. `sha256:...`.",
        details: "The build fails when the downloaded content differs, which protects against tampered downloads. \
Git sources accept a commit checksum.",
        values: &[],
        since: None,
    },
    FlagDoc {
        instruction: "ADD",
        name: "keep-git-dir",
        value: None,
        summary: "Keeps the `.git` directory when the source is a Git repository.",
        details: "By default only the checked-out files are added.",
        values: BOOL_VALUES,
        since: None,
    },
    FlagDoc {
        instruction: "ADD",
        name: "unpack",
        value: None,
        summary: "Whether archives are extracted into the destination.",
        details: "Local tar archives are extracted by default and remote ones are not; `--unpack=true` or `false` \
overrides that choice.",
        values: BOOL_VALUES,
        since: Some("1.17"),
    },
    FlagDoc {
        instruction: "ADD",
        name: "exclude",
        value: Some("<pattern>"),
        summary: "Leaves out files matching a pattern; may be repeated.",
        details: "Patterns follow `.dockerignore` syntax.",
        values: &[],
        since: Some("1.7"),
    },
    FlagDoc {
        instruction: "HEALTHCHECK",
        name: "interval",
        value: Some("<duration>"),
        summary: "Time between two checks, e.g. `30s` (the default) or `1m`.",
        details: "The first check runs one interval after the container starts.",
        values: &[],
        since: None,
    },
    FlagDoc {
        instruction: "HEALTHCHECK",
        name: "timeout",
        value: Some("<duration>"),
        summary: "A check that runs longer than this counts as failed (default `30s`).",
        details: "",
        values: &[],
        since: None,
    },
    FlagDoc {
        instruction: "HEALTHCHECK",
        name: "start-period",
        value: Some("<duration>"),
        summary: "Start-up time during which failing checks do not count (default `0s`).",
        details: "A successful check during this period marks the container as started.",
        values: &[],
        since: None,
    },
    FlagDoc {
        instruction: "HEALTHCHECK",
        name: "start-interval",
        value: Some("<duration>"),
        summary: "Time between checks during the start period (default `5s`).",
        details: "Needs a runtime recent enough to support it.",
        values: &[],
        since: None,
    },
    FlagDoc {
        instruction: "HEALTHCHECK",
        name: "retries",
        value: Some("<n>"),
        summary: "Consecutive failures needed to report the container unhealthy (default `3`).",
        details: "",
        values: &[],
        since: None,
    },
];

// ---------------------------------------------------------------------------------------
// RUN --mount
// ---------------------------------------------------------------------------------------

pub const MOUNT_TYPES: &[MountTypeDoc] = &[
    MountTypeDoc {
        name: "bind",
        summary: "Mounts files from the build context or another stage, read-only by default (the default type).",
        details: "Nothing is copied into the layer, which makes it the cheapest way to use sources only needed \
during the command. Writes go to a throw-away layer when `readwrite` is set.",
        keys: &["target", "source", "from", "readwrite"],
    },
    MountTypeDoc {
        name: "cache",
        summary: "Mounts a persistent cache directory that survives between builds (package manager caches).",
        details: "The directory is shared by builds using the same `id` (the target by default). Its contents are \
never part of the image, so the command must work with an empty cache too.",
        keys: &["target", "id", "sharing", "from", "source", "mode", "uid", "gid", "readonly"],
    },
    MountTypeDoc {
        name: "tmpfs",
        summary: "Mounts an empty in-memory file system at the target.",
        details: "Useful for scratch space that must not end up in the layer.",
        keys: &["target", "size"],
    },
    MountTypeDoc {
        name: "secret",
        summary: "Exposes a secret passed with `--secret` as a file or environment variable, without storing it.",
        details: "By default the file is `/run/secrets/<id>`. Secrets never appear in the image or its history.",
        keys: &["id", "target", "env", "required", "mode", "uid", "gid"],
    },
    MountTypeDoc {
        name: "ssh",
        summary: "Forwards an SSH agent socket passed with `--ssh`, e.g. to clone private repositories.",
        details: "Sets `SSH_AUTH_SOCK` for the command; keys stay on the client.",
        keys: &["id", "target", "required", "mode", "uid", "gid"],
    },
];

const ALL_MOUNTS: &[&str] = &["bind", "cache", "tmpfs", "secret", "ssh"];

pub const MOUNT_KEYS: &[MountKeyDoc] = &[
    MountKeyDoc {
        key: "type",
        aliases: &[],
        types: ALL_MOUNTS,
        summary: "Kind of mount: `bind` (default), `cache`, `tmpfs`, `secret` or `ssh`.",
        values: &[
            ValueDoc { value: "bind", summary: "Files from the context or another stage (default)." },
            ValueDoc { value: "cache", summary: "A persistent cache directory." },
            ValueDoc { value: "tmpfs", summary: "An in-memory scratch file system." },
            ValueDoc { value: "secret", summary: "A secret file or environment variable." },
            ValueDoc { value: "ssh", summary: "The SSH agent socket." },
        ],
    },
    MountKeyDoc {
        key: "target",
        aliases: &["dst", "destination"],
        types: &["bind", "cache", "tmpfs"],
        summary: "Where the mount appears inside the container (required).",
        values: &[],
    },
    MountKeyDoc {
        key: "target",
        aliases: &["dst", "destination"],
        types: &["secret", "ssh"],
        summary: "Path of the secret file or agent socket inside the container (defaults under `/run/secrets/`).",
        values: &[],
    },
    MountKeyDoc {
        key: "source",
        aliases: &["src"],
        types: &["bind", "cache"],
        summary: "Path inside the `from` source to mount (its root by default).",
        values: &[],
    },
    MountKeyDoc {
        key: "from",
        aliases: &[],
        types: &["bind"],
        summary: "Stage, image or named context to mount from (the build context by default).",
        values: &[],
    },
    MountKeyDoc {
        key: "from",
        aliases: &[],
        types: &["cache"],
        summary: "Stage or image whose contents seed the cache when it is empty.",
        values: &[],
    },
    MountKeyDoc {
        key: "readwrite",
        aliases: &["rw"],
        types: &["bind"],
        summary: "Allow writes to the mount; the changes are discarded after the command.",
        values: BOOL_VALUES,
    },
    MountKeyDoc {
        key: "readonly",
        aliases: &["ro"],
        types: &["cache"],
        summary: "Mount the cache read-only.",
        values: BOOL_VALUES,
    },
    MountKeyDoc {
        key: "id",
        aliases: &[],
        types: &["cache"],
        summary: "Name of the cache; mounts with the same id share contents (defaults to the target).",
        values: &[],
    },
    MountKeyDoc {
        key: "id",
        aliases: &[],
        types: &["secret"],
        summary: "Id of the secret given to the build with `--secret id=...` (defaults to the target's file name).",
        values: &[],
    },
    MountKeyDoc {
        key: "id",
        aliases: &[],
        types: &["ssh"],
        summary: "Id of the SSH agent or keys given with `--ssh` (defaults to `default`).",
        values: &[],
    },
    MountKeyDoc {
        key: "sharing",
        aliases: &[],
        types: &["cache"],
        summary: "How concurrent builds share the cache: `shared` (default), `private` or `locked`.",
        values: &[
            ValueDoc { value: "shared", summary: "Concurrent writers use the same cache (default)." },
            ValueDoc { value: "private", summary: "A concurrent writer gets a fresh cache of its own." },
            ValueDoc { value: "locked", summary: "A concurrent writer waits until the cache is released." },
        ],
    },
    MountKeyDoc {
        key: "mode",
        aliases: &[],
        types: &["cache"],
        summary: "File mode of a new cache directory, in octal (default `0755`).",
        values: &[],
    },
    MountKeyDoc {
        key: "mode",
        aliases: &[],
        types: &["secret", "ssh"],
        summary: "File mode of the secret file or socket, in octal (default `0400` for secrets, `0600` for ssh).",
        values: &[],
    },
    MountKeyDoc {
        key: "uid",
        aliases: &[],
        types: &["cache", "secret", "ssh"],
        summary: "Numeric user id owning the mount (default `0`).",
        values: &[],
    },
    MountKeyDoc {
        key: "gid",
        aliases: &[],
        types: &["cache", "secret", "ssh"],
        summary: "Numeric group id owning the mount (default `0`).",
        values: &[],
    },
    MountKeyDoc {
        key: "env",
        aliases: &[],
        types: &["secret"],
        summary: "Also (or only, without `target`) expose the secret as this environment variable.",
        values: &[],
    },
    MountKeyDoc {
        key: "required",
        aliases: &[],
        types: &["secret", "ssh"],
        summary: "Fail the build when the secret or agent is not provided (default `false`).",
        values: BOOL_VALUES,
    },
    MountKeyDoc {
        key: "size",
        aliases: &[],
        types: &["tmpfs"],
        summary: "Maximum size of the tmpfs, in bytes or with a unit suffix.",
        values: &[],
    },
];

// ---------------------------------------------------------------------------------------
// Directives, predefined args, BuildKit checks
// ---------------------------------------------------------------------------------------

pub const DIRECTIVES: &[DirectiveDoc] = &[
    DirectiveDoc {
        name: "syntax",
        summary: "Selects the Dockerfile frontend image that parses and builds this file.",
        details: "Pinning `docker/dockerfile:1` gets the latest stable 1.x syntax regardless of the installed \
BuildKit version. Must appear in the leading comment block, before any other comment or instruction.",
        values: &[
            ValueDoc { value: "docker/dockerfile:1", summary: "Latest stable 1.x frontend (recommended)." },
            ValueDoc { value: "docker/dockerfile:1-labs", summary: "Latest 1.x frontend with experimental features." },
            ValueDoc { value: "docker/dockerfile:1.7", summary: "Frontend pinned to the 1.7 line." },
            ValueDoc { value: "docker/dockerfile:1.4", summary: "Frontend pinned to the 1.4 line." },
            ValueDoc { value: "docker/dockerfile-upstream:master", summary: "Unreleased frontend built from the main branch." },
        ],
    },
    DirectiveDoc {
        name: "escape",
        summary: "Sets the character that escapes line ends and characters (`\\` by default).",
        details: "A backtick is handy on Windows, where `\\` is the path separator. Must appear in the leading \
comment block.",
        values: &[
            ValueDoc { value: "\\", summary: "Backslash (the default)." },
            ValueDoc { value: "`", summary: "Backtick (common for Windows images)." },
        ],
    },
    DirectiveDoc {
        name: "check",
        summary: "Configures BuildKit's build checks for this file.",
        details: "`skip=` lists check names to turn off (comma-separated, or `all`); `error=true` makes check \
violations fail the build; `experimental=` enables experimental checks. Options are separated by `;`.",
        values: &[
            ValueDoc { value: "skip=", summary: "Turn off the listed checks (comma-separated, or `all`)." },
            ValueDoc { value: "error=true", summary: "Fail the build when a check reports a problem." },
            ValueDoc { value: "experimental=", summary: "Enable experimental checks (comma-separated, or `all`)." },
        ],
    },
];

pub const PREDEFINED_ARGS: &[ArgDoc] = &[
    ArgDoc {
        name: "TARGETPLATFORM",
        summary: "Platform the image is built for, `os/arch[/variant]`.",
        example: "linux/arm64",
    },
    ArgDoc {
        name: "TARGETOS",
        summary: "Operating system part of `TARGETPLATFORM`.",
        example: "linux",
    },
    ArgDoc {
        name: "TARGETARCH",
        summary: "Architecture part of `TARGETPLATFORM`.",
        example: "arm64",
    },
    ArgDoc {
        name: "TARGETVARIANT",
        summary: "Variant part of `TARGETPLATFORM` (e.g. `v7`), often empty.",
        example: "v7",
    },
    ArgDoc {
        name: "BUILDPLATFORM",
        summary: "Platform of the machine running the build.",
        example: "linux/amd64",
    },
    ArgDoc {
        name: "BUILDOS",
        summary: "Operating system part of `BUILDPLATFORM`.",
        example: "linux",
    },
    ArgDoc {
        name: "BUILDARCH",
        summary: "Architecture part of `BUILDPLATFORM`.",
        example: "amd64",
    },
    ArgDoc {
        name: "BUILDVARIANT",
        summary: "Variant part of `BUILDPLATFORM`, often empty.",
        example: "",
    },
    ArgDoc {
        name: "HTTP_PROXY",
        summary: "Proxy for HTTP requests; passed without being recorded in the history.",
        example: "http://proxy:3128",
    },
    ArgDoc {
        name: "http_proxy",
        summary: "Lower-case spelling of `HTTP_PROXY`.",
        example: "http://proxy:3128",
    },
    ArgDoc {
        name: "HTTPS_PROXY",
        summary: "Proxy for HTTPS requests; not recorded in the history.",
        example: "http://proxy:3128",
    },
    ArgDoc {
        name: "https_proxy",
        summary: "Lower-case spelling of `HTTPS_PROXY`.",
        example: "http://proxy:3128",
    },
    ArgDoc {
        name: "FTP_PROXY",
        summary: "Proxy for FTP requests; not recorded in the history.",
        example: "http://proxy:3128",
    },
    ArgDoc {
        name: "ftp_proxy",
        summary: "Lower-case spelling of `FTP_PROXY`.",
        example: "http://proxy:3128",
    },
    ArgDoc {
        name: "NO_PROXY",
        summary: "Hosts reached without the proxy; not recorded in the history.",
        example: "localhost,.internal",
    },
    ArgDoc {
        name: "no_proxy",
        summary: "Lower-case spelling of `NO_PROXY`.",
        example: "localhost",
    },
    ArgDoc {
        name: "ALL_PROXY",
        summary: "Proxy for every protocol; not recorded in the history.",
        example: "socks5://proxy:1080",
    },
    ArgDoc {
        name: "all_proxy",
        summary: "Lower-case spelling of `ALL_PROXY`.",
        example: "socks5://proxy:1080",
    },
];

/// Names of BuildKit's build checks (for `# check=skip=` when the rule registry has none).
pub const BUILDKIT_CHECKS: &[&str] = &[
    "ConsistentInstructionCasing",
    "CopyIgnoredFile",
    "DuplicateStageName",
    "ExposeInvalidFormat",
    "ExposeProtoCasing",
    "FromAsCasing",
    "FromPlatformFlagConstDisallowed",
    "InvalidBaseImagePlatform",
    "InvalidDefaultArgInFrom",
    "InvalidDefinitionDescription",
    "JSONArgsRecommended",
    "LegacyKeyValueFormat",
    "MaintainerDeprecated",
    "MultipleInstructionsDisallowed",
    "NoEmptyContinuation",
    "RedundantTargetPlatform",
    "ReservedStageName",
    "SecretsUsedInArgOrEnv",
    "StageNameCasing",
    "UndefinedArgInFrom",
    "UndefinedVar",
    "WorkdirRelativePath",
];

// ---------------------------------------------------------------------------------------
// Well-known images
// ---------------------------------------------------------------------------------------

pub const IMAGES: &[ImageDoc] = &[
    ImageDoc {
        name: "scratch",
        summary: "The empty image: no files at all (for static binaries).",
        tags: &[],
    },
    ImageDoc {
        name: "alpine",
        summary: "A small Linux distribution based on musl libc and BusyBox.",
        tags: &["3.20", "3.19", "3.18", "3", "latest", "edge"],
    },
    ImageDoc {
        name: "debian",
        summary: "Debian GNU/Linux; the `-slim` tags drop documentation and locales.",
        tags: &[
            "bookworm-slim",
            "bookworm",
            "trixie-slim",
            "trixie",
            "bullseye-slim",
            "bullseye",
            "12-slim",
            "12",
            "stable-slim",
        ],
    },
    ImageDoc {
        name: "ubuntu",
        summary: "Ubuntu Linux, tagged by release number or code name.",
        tags: &[
            "24.04", "22.04", "20.04", "noble", "jammy", "focal", "latest",
        ],
    },
    ImageDoc {
        name: "busybox",
        summary: "A tiny image with the BusyBox multi-call binary.",
        tags: &["1.36", "1", "stable", "musl", "glibc", "latest"],
    },
    ImageDoc {
        name: "fedora",
        summary: "Fedora Linux.",
        tags: &["40", "41", "latest"],
    },
    ImageDoc {
        name: "rockylinux",
        summary: "Rocky Linux, an Enterprise Linux rebuild.",
        tags: &["9", "9-minimal", "8", "8-minimal"],
    },
    ImageDoc {
        name: "almalinux",
        summary: "AlmaLinux, an Enterprise Linux rebuild.",
        tags: &["9", "9-minimal", "8", "8-minimal"],
    },
    ImageDoc {
        name: "node",
        summary: "Node.js on Debian (default), slim Debian or Alpine.",
        tags: &[
            "22-bookworm-slim",
            "22-alpine",
            "22",
            "20-bookworm-slim",
            "20-alpine",
            "20",
            "18-alpine",
            "18",
            "lts",
            "lts-alpine",
            "lts-slim",
            "current-alpine",
        ],
    },
    ImageDoc {
        name: "python",
        summary: "CPython on Debian (default), slim Debian or Alpine.",
        tags: &[
            "3.12-slim",
            "3.12-alpine",
            "3.12",
            "3.13-slim",
            "3.13",
            "3.11-slim",
            "3.11",
            "3.10-slim",
            "3-slim",
            "3",
        ],
    },
    ImageDoc {
        name: "golang",
        summary: "The Go toolchain, for build stages.",
        tags: &[
            "1.23",
            "1.23-alpine",
            "1.23-bookworm",
            "1.22",
            "1.22-alpine",
            "1.22-bookworm",
            "1",
            "alpine",
        ],
    },
    ImageDoc {
        name: "rust",
        summary: "The Rust toolchain (rustup, cargo), for build stages.",
        tags: &[
            "1",
            "1-slim",
            "1-alpine",
            "1-bookworm",
            "slim-bookworm",
            "alpine",
            "latest",
        ],
    },
    ImageDoc {
        name: "openjdk",
        summary: "Deprecated OpenJDK images; prefer eclipse-temurin.",
        tags: &["21-jdk-slim", "17-jdk-slim"],
    },
    ImageDoc {
        name: "eclipse-temurin",
        summary: "Eclipse Temurin builds of OpenJDK (JDK and JRE).",
        tags: &[
            "21-jre",
            "21-jdk",
            "21-jre-alpine",
            "21-jdk-alpine",
            "17-jre",
            "17-jdk",
            "11-jre",
            "11-jdk",
        ],
    },
    ImageDoc {
        name: "maven",
        summary: "Apache Maven with a JDK, for build stages.",
        tags: &["3-eclipse-temurin-21", "3-eclipse-temurin-17", "3"],
    },
    ImageDoc {
        name: "gradle",
        summary: "Gradle with a JDK, for build stages.",
        tags: &["jdk21", "jdk17", "8-jdk21"],
    },
    ImageDoc {
        name: "ruby",
        summary: "Ruby on Debian (default), slim Debian or Alpine.",
        tags: &["3.3-slim", "3.3-alpine", "3.3", "3-slim", "3"],
    },
    ImageDoc {
        name: "php",
        summary: "PHP as CLI, Apache or FPM variants.",
        tags: &[
            "8.3-fpm-alpine",
            "8.3-apache",
            "8.3-cli",
            "8.3-fpm",
            "8-cli",
        ],
    },
    ImageDoc {
        name: "composer",
        summary: "PHP's Composer dependency manager.",
        tags: &["2", "latest"],
    },
    ImageDoc {
        name: "perl",
        summary: "Perl on Debian.",
        tags: &["5", "5-slim"],
    },
    ImageDoc {
        name: "elixir",
        summary: "Elixir on Erlang/OTP.",
        tags: &["1.17", "1.17-alpine", "1.16"],
    },
    ImageDoc {
        name: "erlang",
        summary: "Erlang/OTP.",
        tags: &["27", "27-alpine", "26"],
    },
    ImageDoc {
        name: "haskell",
        summary: "GHC, cabal and stack.",
        tags: &["9", "9-slim"],
    },
    ImageDoc {
        name: "swift",
        summary: "The Swift toolchain.",
        tags: &["5.10", "5.10-slim", "latest"],
    },
    ImageDoc {
        name: "gcc",
        summary: "The GNU Compiler Collection on Debian.",
        tags: &["14", "13", "latest"],
    },
    ImageDoc {
        name: "nginx",
        summary: "The nginx web server and reverse proxy.",
        tags: &[
            "1.27-alpine",
            "1.27",
            "stable-alpine",
            "stable",
            "alpine",
            "mainline",
            "latest",
        ],
    },
    ImageDoc {
        name: "httpd",
        summary: "The Apache HTTP Server.",
        tags: &["2.4-alpine", "2.4", "alpine"],
    },
    ImageDoc {
        name: "caddy",
        summary: "The Caddy web server with automatic HTTPS.",
        tags: &["2-alpine", "2", "2-builder"],
    },
    ImageDoc {
        name: "traefik",
        summary: "The Traefik reverse proxy.",
        tags: &["v3.1", "v3", "latest"],
    },
    ImageDoc {
        name: "postgres",
        summary: "The PostgreSQL database server.",
        tags: &["16-alpine", "16", "17-alpine", "17", "15-alpine", "15"],
    },
    ImageDoc {
        name: "mysql",
        summary: "The MySQL database server.",
        tags: &["8.4", "8.0", "9"],
    },
    ImageDoc {
        name: "mariadb",
        summary: "The MariaDB database server.",
        tags: &["11", "10.11", "lts"],
    },
    ImageDoc {
        name: "mongo",
        summary: "The MongoDB document database.",
        tags: &["7", "6"],
    },
    ImageDoc {
        name: "redis",
        summary: "The Redis in-memory data store.",
        tags: &["7-alpine", "7", "7.4-alpine", "alpine"],
    },
    ImageDoc {
        name: "memcached",
        summary: "The memcached object cache.",
        tags: &["1-alpine", "1"],
    },
    ImageDoc {
        name: "rabbitmq",
        summary: "The RabbitMQ message broker.",
        tags: &["3-management-alpine", "3-management", "3"],
    },
    ImageDoc {
        name: "docker",
        summary: "The Docker CLI and daemon (for CI and docker-in-docker).",
        tags: &["27-cli", "27-dind", "cli", "dind"],
    },
    ImageDoc {
        name: "gcr.io/distroless/static-debian12",
        summary:
            "Distroless: only CA certificates, time zones and `/etc/passwd`, for static binaries.",
        tags: &["nonroot", "latest", "debug", "debug-nonroot"],
    },
    ImageDoc {
        name: "gcr.io/distroless/base-debian12",
        summary: "Distroless with glibc and OpenSSL, for dynamically linked binaries.",
        tags: &["nonroot", "latest", "debug", "debug-nonroot"],
    },
    ImageDoc {
        name: "gcr.io/distroless/cc-debian12",
        summary: "Distroless with glibc and libgcc/libstdc++, for Rust and C++ binaries.",
        tags: &["nonroot", "latest", "debug", "debug-nonroot"],
    },
    ImageDoc {
        name: "gcr.io/distroless/java21-debian12",
        summary: "Distroless with a Java 21 runtime.",
        tags: &["nonroot", "latest", "debug"],
    },
    ImageDoc {
        name: "gcr.io/distroless/java17-debian12",
        summary: "Distroless with a Java 17 runtime.",
        tags: &["nonroot", "latest", "debug"],
    },
    ImageDoc {
        name: "gcr.io/distroless/nodejs22-debian12",
        summary: "Distroless with a Node.js 22 runtime.",
        tags: &["nonroot", "latest", "debug"],
    },
    ImageDoc {
        name: "gcr.io/distroless/nodejs20-debian12",
        summary: "Distroless with a Node.js 20 runtime.",
        tags: &["nonroot", "latest", "debug"],
    },
    ImageDoc {
        name: "gcr.io/distroless/python3-debian12",
        summary: "Distroless with a Python 3 runtime.",
        tags: &["nonroot", "latest", "debug"],
    },
    ImageDoc {
        name: "mcr.microsoft.com/dotnet/sdk",
        summary: "The .NET SDK, for build stages.",
        tags: &[
            "8.0",
            "8.0-alpine",
            "8.0-bookworm-slim",
            "9.0",
            "9.0-alpine",
        ],
    },
    ImageDoc {
        name: "mcr.microsoft.com/dotnet/aspnet",
        summary: "The ASP.NET Core runtime.",
        tags: &[
            "8.0",
            "8.0-alpine",
            "8.0-bookworm-slim",
            "8.0-jammy-chiseled",
            "9.0",
            "9.0-alpine",
        ],
    },
    ImageDoc {
        name: "mcr.microsoft.com/dotnet/runtime",
        summary: "The .NET runtime for console applications.",
        tags: &["8.0", "8.0-alpine", "8.0-jammy-chiseled", "9.0"],
    },
    ImageDoc {
        name: "mcr.microsoft.com/dotnet/runtime-deps",
        summary: "Only the native dependencies of .NET, for self-contained applications.",
        tags: &["8.0", "8.0-alpine", "8.0-jammy-chiseled", "9.0"],
    },
    ImageDoc {
        name: "cgr.dev/chainguard/static",
        summary: "Chainguard's minimal image for static binaries.",
        tags: &["latest"],
    },
    ImageDoc {
        name: "registry.access.redhat.com/ubi9/ubi-minimal",
        summary: "Red Hat Universal Base Image 9, minimal.",
        tags: &["latest", "9.4"],
    },
];

// ---------------------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------------------

pub fn instruction(name: &str) -> Option<&'static InstructionDoc> {
    INSTRUCTIONS
        .iter()
        .find(|d| d.name.eq_ignore_ascii_case(name))
}

/// A flag of an instruction; the name may carry its leading dashes.
pub fn flag_doc(instruction: &str, name: &str) -> Option<&'static FlagDoc> {
    let name = name.trim_start_matches('-');
    FLAGS.iter().find(|f| {
        f.instruction.eq_ignore_ascii_case(instruction) && f.name.eq_ignore_ascii_case(name)
    })
}

/// Flags of an instruction in the order they are offered.
pub fn flags_of(instruction: &str) -> impl Iterator<Item = &'static FlagDoc> + '_ {
    let names: &'static [&'static str] = self::instruction(instruction)
        .map(|d| d.flags)
        .unwrap_or(&[]);
    names.iter().filter_map(move |n| flag_doc(instruction, n))
}

pub fn mount_type(name: &str) -> Option<&'static MountTypeDoc> {
    MOUNT_TYPES
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(name))
}

/// The canonical key for a spelling (`dst` → `target`), if known.
pub fn canonical_mount_key(key: &str) -> Option<&'static str> {
    MOUNT_KEYS
        .iter()
        .find(|k| {
            k.key.eq_ignore_ascii_case(key) || k.aliases.iter().any(|a| a.eq_ignore_ascii_case(key))
        })
        .map(|k| k.key)
}

/// Description of a mount key for a mount type (`bind` when `ty` is unknown).
pub fn mount_key(ty: &str, key: &str) -> Option<&'static MountKeyDoc> {
    let canon = canonical_mount_key(key)?;
    let ty = mount_type(ty).map(|t| t.name).unwrap_or("bind");
    MOUNT_KEYS
        .iter()
        .filter(|k| k.key == canon)
        .find(|k| k.types.contains(&ty))
        .or_else(|| MOUNT_KEYS.iter().find(|k| k.key == canon))
}

pub fn directive(name: &str) -> Option<&'static DirectiveDoc> {
    DIRECTIVES
        .iter()
        .find(|d| d.name.eq_ignore_ascii_case(name))
}

pub fn predefined_arg(name: &str) -> Option<&'static ArgDoc> {
    PREDEFINED_ARGS.iter().find(|a| a.name == name)
}

/// A well-known image by repository, accepting `docker.io/library/` prefixes.
pub fn image(name: &str) -> Option<&'static ImageDoc> {
    let short = name
        .strip_prefix("docker.io/")
        .or_else(|| name.strip_prefix("index.docker.io/"))
        .unwrap_or(name);
    let short = short.strip_prefix("library/").unwrap_or(short);
    IMAGES.iter().find(|i| i.name.eq_ignore_ascii_case(short))
}

// ---------------------------------------------------------------------------------------
// Markdown renderings (shared by hover and completion resolve)
// ---------------------------------------------------------------------------------------

pub fn instruction_markdown(d: &InstructionDoc) -> String {
    let mut s = String::new();
    s.push_str("```dockerfile\n");
    for f in d.forms {
        s.push_str(&f.label(d.name));
        s.push('\n');
    }
    s.push_str("```\n\n");
    s.push_str(d.summary);
    if !d.details.is_empty() {
        s.push_str("\n\n");
        s.push_str(d.details);
    }
    if !d.example.is_empty() {
        s.push_str("\n\nExample:\n```dockerfile\n");
        s.push_str(d.example);
        s.push_str("\n```");
    }
    s
}

pub fn flag_markdown(f: &FlagDoc) -> String {
    let mut s = format!("**`{} --{}", f.instruction, f.name);
    if let Some(v) = f.value {
        s.push('=');
        s.push_str(v);
    }
    s.push_str("`**\n\n");
    s.push_str(f.summary);
    if !f.details.is_empty() {
        s.push_str("\n\n");
        s.push_str(f.details);
    }
    push_values(&mut s, f.values);
    if let Some(v) = f.since {
        s.push_str(&format!("\n\nNeeds Dockerfile syntax {v} or later."));
    }
    s
}

pub fn mount_type_markdown(t: &MountTypeDoc) -> String {
    let keys: Vec<String> = t.keys.iter().map(|k| format!("`{k}`")).collect();
    format!(
        "**`RUN --mount=type={}`**\n\n{}\n\n{}\n\nKeys: {}",
        t.name,
        t.summary,
        t.details,
        keys.join(", ")
    )
}

pub fn mount_key_markdown(ty: &str, k: &MountKeyDoc) -> String {
    let mut s = format!("**`{}`** (mount option", k.key);
    if k.key != "type" {
        s.push_str(&format!(" of `type={ty}`"));
    }
    s.push_str(")\n\n");
    s.push_str(k.summary);
    if !k.aliases.is_empty() {
        let a: Vec<String> = k.aliases.iter().map(|a| format!("`{a}`")).collect();
        s.push_str(&format!("\n\nAlso written {}.", a.join(", ")));
    }
    push_values(&mut s, k.values);
    s
}

pub fn directive_markdown(d: &DirectiveDoc) -> String {
    let mut s = format!("**`# {}=`** (parser directive)\n\n{}", d.name, d.summary);
    if !d.details.is_empty() {
        s.push_str("\n\n");
        s.push_str(d.details);
    }
    push_values(&mut s, d.values);
    s
}

pub fn arg_markdown(a: &ArgDoc) -> String {
    let mut s = format!(
        "**`{}`** (predefined build argument)\n\n{}",
        a.name, a.summary
    );
    if !a.example.is_empty() {
        s.push_str(&format!("\n\nExample value: `{}`", a.example));
    }
    s
}

pub fn image_markdown(i: &ImageDoc) -> String {
    let mut s = format!("**{}**\n\n{}", i.name, i.summary);
    if !i.tags.is_empty() {
        let t: Vec<String> = i.tags.iter().map(|t| format!("`{t}`")).collect();
        s.push_str(&format!("\n\nCommon tags: {}", t.join(", ")));
    }
    s
}

fn push_values(s: &mut String, values: &[ValueDoc]) {
    if values.is_empty() {
        return;
    }
    s.push_str("\n\nValues:");
    for v in values {
        s.push_str(&format!("\n- `{}`: {}", v.value, v.summary));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::InstructionKind;

    #[test]
    fn every_instruction_is_documented() {
        for k in InstructionKind::ALL.iter() {
            let d = instruction(k.name()).unwrap_or_else(|| panic!("{}", k.name()));
            assert!(!d.forms.is_empty());
            assert!(!d.summary.is_empty());
        }
        assert_eq!(INSTRUCTIONS.len(), InstructionKind::ALL.len());
    }

    #[test]
    fn every_listed_flag_has_docs() {
        for d in INSTRUCTIONS {
            for f in d.flags {
                assert!(flag_doc(d.name, f).is_some(), "{} --{}", d.name, f);
            }
            // every flag parameter of the signatures is a documented flag
            for form in d.forms {
                for p in form.params {
                    if let ParamKind::Flag(n) = p.kind {
                        assert!(d.flags.contains(&n), "{} {}", d.name, n);
                    }
                }
            }
        }
        for f in FLAGS {
            assert!(
                instruction(f.instruction).is_some_and(|d| d.flags.contains(&f.name)),
                "{}",
                f.name
            );
        }
    }

    #[test]
    fn every_mount_key_has_docs_for_its_types() {
        for t in MOUNT_TYPES {
            for k in t.keys {
                let doc = mount_key(t.name, k).expect(k);
                assert!(doc.types.contains(&t.name), "{} {}", t.name, k);
            }
        }
        assert_eq!(canonical_mount_key("dst"), Some("target"));
        assert_eq!(canonical_mount_key("src"), Some("source"));
        assert_eq!(
            mount_key("secret", "id").map(|k| k.types),
            Some(&["secret"][..])
        );
    }

    #[test]
    fn lookups() {
        assert_eq!(
            image("docker.io/library/node").map(|i| i.name),
            Some("node")
        );
        assert!(image("gcr.io/distroless/static-debian12").is_some());
        assert!(directive("SYNTAX").is_some());
        assert!(predefined_arg("TARGETARCH").is_some());
        assert!(flags_of("copy").any(|f| f.name == "parents"));
        let md = instruction_markdown(instruction("COPY").unwrap());
        assert!(md.contains("COPY [--from="));
    }
}
