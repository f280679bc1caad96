//! What BuildKit rejects when it reads a Dockerfile: syntax errors, unknown instructions,
//! instructions before FROM, unknown or repeated flags, invalid flag and `--mount` values,
//! malformed arguments. All are errors; `# check=` does not skip them.

mod flags;
mod instruction_before_from;
mod invalid_arguments;
mod invalid_directive;
mod invalid_expansion;
mod invalid_expose_port;
mod invalid_flag_value;
mod invalid_image_reference;
mod invalid_mount;
mod invalid_onbuild_trigger;
mod missing_from;
mod syntax_error;
mod unknown_flag;
mod unknown_instruction;

pub use flags::{flag_spec, FlagKind};

use super::Rule;

/// Every rule of this family, in the order `dockerfile-ls rules` lists them.
pub static RULES: &[&Rule] = &[
    &syntax_error::RULE,
    &unknown_instruction::RULE,
    &missing_from::RULE,
    &instruction_before_from::RULE,
    &invalid_arguments::RULE,
    &unknown_flag::RULE,
    &unknown_flag::DUPLICATE,
    &invalid_flag_value::RULE,
    &invalid_mount::RULE,
    &invalid_onbuild_trigger::RULE,
    &invalid_expose_port::RULE,
    &invalid_expansion::RULE,
    &invalid_image_reference::RULE,
    &invalid_directive::RULE,
];

#[cfg(test)]
mod tests {
    use crate::rules::{Ctx, Finding, Severity};

    fn errors(text: &str) -> Vec<Finding> {
        let model = crate::model::build(text);
        let ctx = Ctx {
            model: &model,
            text,
            build_args: &[],
            dockerignore: None,
            on_disk: false,
            scope: None,
        };
        let mut out = Vec::new();
        for r in super::RULES {
            (r.check)(&ctx, &mut out);
        }
        out.retain(|f| f.severity == Severity::Error);
        out
    }

    fn messages(text: &str) -> Vec<String> {
        errors(text)
            .into_iter()
            .map(|f| format!("{}: {}", f.rule, f.message))
            .collect()
    }

    #[test]
    fn valid_files_have_no_errors() {
        let ok = [
            "FROM alpine\n",
            "ARG V=1\nFROM alpine:$V AS build\nRUN --mount=type=cache,target=/root/.cache,sharing=locked --network=none true\n",
            "FROM alpine\nRUN --mount=type=secret,id=npm,env=NPM_TOKEN --mount=type=ssh true\n",
            "FROM alpine\nRUN --mount=type=bind,from=build,source=/out,target=/in,rw true\n",
            "FROM alpine\nRUN --mount=type=tmpfs,target=/tmp,size=64m --security=insecure true\n",
            "FROM alpine\nCOPY --from=0 --chown=1:1 --chmod=0755 --link a /b\n",
            "FROM alpine\nCOPY --chmod=u=rwX,go=rX a /b\nCOPY --parents --exclude=*.md --exclude=x ./src/ /app/\n",
            "FROM alpine\nADD --checksum=sha256:0123abcd --keep-git-dir=true --unpack=false https://x/y.tgz /y\n",
            "FROM alpine\nHEALTHCHECK --interval=30s --timeout=5s --start-period=1m --start-interval=2s --retries=3 CMD wget -q localhost\n",
            "FROM alpine\nHEALTHCHECK NONE\n",
            "FROM alpine\nHEALTHCHECK CMD [\"true\"]\n",
            "FROM alpine\nEXPOSE 80 443/tcp 53/udp 8000-8010 9000-9001/sctp $PORT\n",
            "FROM alpine\nSTOPSIGNAL SIGTERM\nSTOPSIGNAL 9\nSTOPSIGNAL $SIG\n",
            "FROM alpine\nSHELL [\"/bin/sh\", \"-c\"]\nONBUILD RUN true\n",
            "FROM --platform=$BUILDPLATFORM golang AS build-env\nFROM build-env\n",
            "FROM --platform=linux/arm64/v8 alpine AS arm\n",
            "FROM ghcr.io/owner/img:1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
            "# check=skip=JSONArgsRecommended;error=true // comment\nFROM alpine\n",
        ];
        for text in ok {
            assert!(errors(text).is_empty(), "{text:?}: {:?}", messages(text));
        }
    }

    #[test]
    fn invalid_files() {
        let cases: &[(&str, &str)] = &[
            (
                "FROM alpine\nCOPPY a b\n",
                "UnknownInstruction: unknown instruction `COPPY`; did you mean `COPY`?",
            ),
            ("FROM alpine\nrunn x\n", "did you mean `run`?"),
            ("ARG X=1\n", "MissingFrom"),
            ("RUN x\nFROM alpine\n", "InstructionBeforeFrom"),
            ("FROM alpine\nCOPY --form=x a b\n", "did you mean `--from`?"),
            ("FROM alpine\nENV --x=1 A=b\n", "ENV takes no flags"),
            (
                "FROM alpine\nCOPY --chown=1 --chown=2 a b\n",
                "DuplicateFlag",
            ),
            (
                "FROM alpine\nCOPY --link=yes a b\n",
                "expecting boolean value for flag link, not: yes",
            ),
            (
                "FROM alpine\nCOPY --from a b\n",
                "missing a value on flag `--from`",
            ),
            (
                "FROM alpine\nRUN --network=bridge true\n",
                "invalid network mode \"bridge\"",
            ),
            (
                "FROM alpine\nRUN --security=root true\n",
                "invalid security mode",
            ),
            (
                "FROM alpine\nCOPY --chmod=8 a b\n",
                "invalid chmod parameter",
            ),
            (
                "FROM alpine\nHEALTHCHECK --interval=10 CMD true\n",
                "invalid duration",
            ),
            (
                "FROM alpine\nHEALTHCHECK --timeout=1us CMD true\n",
                "cannot be less than 1ms",
            ),
            (
                "FROM alpine\nHEALTHCHECK --retries=-1 CMD true\n",
                "--retries cannot be negative (-1)",
            ),
            (
                "FROM alpine\nHEALTHCHECK NONE x\n",
                "HEALTHCHECK NONE takes no arguments",
            ),
            (
                "FROM alpine\nHEALTHCHECK RUN true\n",
                "Unknown type \"RUN\" in HEALTHCHECK (try CMD)",
            ),
            (
                "FROM alpine\nHEALTHCHECK CMD\n",
                "Missing command after HEALTHCHECK CMD",
            ),
            (
                "FROM alpine\nRUN --mount=type=cahce,target=/x true\n",
                "unsupported mount type \"cahce\" (did you mean cache?)",
            ),
            (
                "FROM alpine\nRUN --mount=type=cache,targt=/x true\n",
                "unexpected key 'targt'",
            ),
            (
                "FROM alpine\nRUN --mount=type=bind,size=1m,target=/x true\n",
                "unexpected key 'size' for mount type 'bind'",
            ),
            (
                "FROM alpine\nRUN --mount=type=cache,target=/x,sharing=all true\n",
                "unsupported sharing value",
            ),
            (
                "FROM alpine\nRUN --mount=type=cache,target=/x,mode=999 true\n",
                "invalid value 999 for mode",
            ),
            (
                "FROM alpine\nRUN --mount=type=cache,target=/x,uid=me true\n",
                "invalid value me for uid",
            ),
            (
                "FROM alpine\nRUN --mount=type=secret,id=a,required=maybe true\n",
                "invalid value for required: maybe",
            ),
            (
                "FROM alpine\nRUN --mount=type=secret true\n",
                "invalid secret mount",
            ),
            (
                "FROM alpine\nRUN --mount=type=tmpfs,target=/t,size=big true\n",
                "invalid value for size: big",
            ),
            ("FROM alpine\nONBUILD ONBUILD RUN x\n", "Chaining ONBUILD"),
            (
                "FROM alpine\nONBUILD FROM x\n",
                "FROM isn't allowed as an ONBUILD trigger",
            ),
            ("FROM alpine\nEXPOSE 80/http\n", "invalid proto: http"),
            (
                "FROM alpine\nEXPOSE 70000\n",
                "invalid containerPort: 70000",
            ),
            ("FROM alpine\nEXPOSE 90-80\n", "invalid containerPort"),
            ("FROM Ubuntu\n", "invalid reference format"),
            ("FROM alpine:\n", "empty tag"),
            ("FROM alpine AS 1st\n", "invalid name for build stage"),
            (
                "FROM alpine AS\n",
                "FROM requires either one or three arguments",
            ),
            (
                "FROM alpine\nCOPY a\n",
                "COPY requires at least two arguments",
            ),
            (
                "FROM alpine\nWORKDIR\n",
                "WORKDIR requires exactly one argument",
            ),
            (
                "FROM alpine\nSHELL /bin/bash -c\n",
                "SHELL requires the arguments to be in JSON form",
            ),
            ("FROM alpine\nSTOPSIGNAL SIGFOO\n", "invalid signal: SIGFOO"),
            (
                "# check=skip=A;bogus=1\nFROM alpine\n",
                "InvalidCheckDirective",
            ),
            ("# escape=x\nFROM alpine\n", "invalid escape token"),
            ("FROM alpine\nRUN <<EOF\nx\n", "unterminated heredoc"),
            ("\n# only a comment\n", "file with no instructions"),
        ];
        for (text, want) in cases {
            let got = messages(text);
            assert!(
                got.iter().any(|m| m.contains(want)),
                "{text:?}: want {want:?}, got {got:?}"
            );
        }
    }
}
