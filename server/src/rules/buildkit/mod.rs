//! BuildKit's build checks (`docker build --check`), with BuildKit's rule names and
//! per-occurrence messages. InvalidBaseImagePlatform is not here: it compares the
//! platform of the pulled base image with the target platform, which needs a registry.

pub mod by_name;
pub mod common;
pub mod lex;
pub mod reference;

pub mod consistent_instruction_casing;
pub mod copy_ignored_file;
pub mod duplicate_stage_name;
pub mod expose;
pub mod expose_invalid_format;
pub mod expose_proto_casing;
pub mod from_as_casing;
pub mod from_platform_flag_const_disallowed;
pub mod invalid_default_arg_in_from;
pub mod invalid_definition_description;
pub mod json_args_recommended;
pub mod legacy_key_value_format;
pub mod maintainer_deprecated;
pub mod multiple_instructions_disallowed;
pub mod no_empty_continuation;
pub mod redundant_target_platform;
pub mod reserved_stage_name;
pub mod secrets_used_in_arg_or_env;
pub mod stage_name_casing;
pub mod undefined_arg_in_from;
pub mod undefined_var;
pub mod workdir_relative_path;

use super::Rule;

/// The checks that follow BuildKit's dispatch of each stage (with its variables): they
/// share one walk over the stages per check.
pub static WALKERS: &[(&str, common::Visit)] = &[
    ("JSONArgsRecommended", json_args_recommended::visit),
    ("WorkdirRelativePath", workdir_relative_path::visit),
    ("UndefinedVar", undefined_var::visit),
    ("CopyIgnoredFile", copy_ignored_file::visit),
    ("ExposeProtoCasing", expose_proto_casing::visit),
    ("ExposeInvalidFormat", expose_invalid_format::visit),
];

/// Every BuildKit check, in the order `dockerfile-ls rules` lists them.
pub static RULES: &[&Rule] = &[
    &stage_name_casing::RULE,
    &from_as_casing::RULE,
    &no_empty_continuation::RULE,
    &consistent_instruction_casing::RULE,
    &duplicate_stage_name::RULE,
    &reserved_stage_name::RULE,
    &json_args_recommended::RULE,
    &maintainer_deprecated::RULE,
    &undefined_arg_in_from::RULE,
    &workdir_relative_path::RULE,
    &undefined_var::RULE,
    &multiple_instructions_disallowed::RULE,
    &legacy_key_value_format::RULE,
    &redundant_target_platform::RULE,
    &secrets_used_in_arg_or_env::RULE,
    &invalid_default_arg_in_from::RULE,
    &from_platform_flag_const_disallowed::RULE,
    &copy_ignored_file::RULE,
    &expose_proto_casing::RULE,
    &expose_invalid_format::RULE,
    &invalid_definition_description::RULE,
];

#[cfg(test)]
mod tests {
    use crate::rules::{Ctx, Finding, Rule};

    fn run(rule: &Rule, text: &str) -> Vec<Finding> {
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
        (rule.check)(&ctx, &mut out);
        out
    }

    fn fixed(rule: &Rule, text: &str) -> String {
        let f = run(rule, text);
        let fix = f
            .first()
            .and_then(|f| f.fix.clone())
            .unwrap_or_else(|| panic!("no fix for {text:?}"));
        let mut out = text.to_string();
        let mut edits = fix.edits;
        edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
        for e in edits {
            out.replace_range(e.span.start..e.span.end, &e.new_text);
        }
        out
    }

    #[test]
    fn legacy_key_value_fixes() {
        let r = &super::legacy_key_value_format::RULE;
        assert_eq!(
            fixed(r, "FROM a\nENV A hello world\n"),
            "FROM a\nENV A=\"hello world\"\n"
        );
        assert_eq!(
            fixed(r, "FROM a\nLABEL key value\n"),
            "FROM a\nLABEL key=value\n"
        );
        assert!(run(r, "FROM a\nENV A=1 B=2\n").is_empty());
    }

    #[test]
    fn exec_form_fixes() {
        let r = &super::json_args_recommended::RULE;
        assert_eq!(
            fixed(r, "FROM a\nCMD node server.js --port=80\n"),
            "FROM a\nCMD [\"node\", \"server.js\", \"--port=80\"]\n"
        );
        let f = run(r, "FROM a\nCMD echo $HOME && run\n");
        assert!(f[0].fix.as_ref().is_some_and(|x| !x.safe));
        assert!(run(r, "FROM a\nSHELL [\"bash\", \"-c\"]\nCMD echo hi\n").is_empty());
        // Inherited SHELL from a base stage.
        assert!(run(
            r,
            "FROM a AS b\nSHELL [\"bash\", \"-c\"]\nFROM b\nCMD echo hi\n"
        )
        .is_empty());
    }

    #[test]
    fn casing_fixes() {
        let r = &super::stage_name_casing::RULE;
        assert_eq!(
            fixed(r, "FROM a AS Build\nFROM b\nCOPY --from=Build /x /x\n"),
            "FROM a AS build\nFROM b\nCOPY --from=build /x /x\n"
        );
        let r = &super::from_as_casing::RULE;
        assert_eq!(fixed(r, "from a AS b\n"), "from a as b\n");
        let r = &super::consistent_instruction_casing::RULE;
        assert_eq!(fixed(r, "FROM a\nRun x\nRUN y\n"), "FROM a\nRUN x\nRUN y\n");
        let r = &super::maintainer_deprecated::RULE;
        assert_eq!(
            fixed(r, "FROM a\nMAINTAINER Jane \"J\" Doe <j@x.org>\n"),
            "FROM a\nLABEL org.opencontainers.image.authors=\"Jane \\\"J\\\" Doe <j@x.org>\"\n"
        );
        let r = &super::redundant_target_platform::RULE;
        assert_eq!(
            fixed(r, "FROM --platform=$TARGETPLATFORM alpine\n"),
            "FROM alpine\n"
        );
        let r = &super::expose_proto_casing::RULE;
        assert_eq!(
            fixed(r, "FROM a\nEXPOSE 80/TCP 81\n"),
            "FROM a\nEXPOSE 80/tcp 81\n"
        );
    }

    #[test]
    fn undefined_var_scoping() {
        let r = &super::undefined_var::RULE;
        let msgs = |t: &str| {
            run(r, t)
                .into_iter()
                .map(|f| f.message.to_string())
                .collect::<Vec<_>>()
        };
        // Defined in the same ENV: expanded before it is set.
        assert_eq!(
            msgs("FROM scratch\nENV A=1 B=$A\n"),
            vec!["Usage of undefined variable '$A'"]
        );
        assert!(msgs("FROM scratch\nENV A=1\nENV B=$A\n").is_empty());
        // ARG pairs see the earlier ones; declared-without-value ARGs are fine.
        assert!(msgs("FROM scratch\nARG A=1 B=$A\nARG C\nCOPY $C /x\n").is_empty());
        // Global ARGs are not visible in a stage unless redeclared.
        assert_eq!(msgs("ARG G=1\nFROM scratch\nCOPY $G /x\n").len(), 1);
        assert!(msgs("ARG G=1\nFROM scratch\nARG G\nCOPY $G /x\n").is_empty());
        // RUN is expanded by the shell, not BuildKit.
        assert!(msgs("FROM scratch\nRUN echo $NOPE\n").is_empty());
        // Known variables of official images.
        assert!(msgs("FROM golang:1.23\nENV PATH=$GOPATH/bin:$PATH\n").is_empty());
        // Inherited from a base stage.
        assert!(msgs("FROM scratch AS a\nENV X=1\nFROM a\nWORKDIR /$X\n").is_empty());
    }

    #[test]
    fn secrets_and_platforms() {
        let r = &super::secrets_used_in_arg_or_env::RULE;
        assert!(run(r, "ARG TOKEN\nFROM scratch\n").is_empty());
        assert_eq!(run(r, "FROM scratch\nARG TOKEN\n").len(), 1);
        let r = &super::from_platform_flag_const_disallowed::RULE;
        assert_eq!(run(r, "FROM --platform=linux/arm64 alpine\n").len(), 1);
        assert!(run(r, "FROM --platform=linux/arm64 alpine AS build-arm64\n").is_empty());
        assert!(run(r, "FROM --platform=$BUILDPLATFORM alpine\n").is_empty());
        let r = &super::undefined_arg_in_from::RULE;
        assert!(run(r, "FROM --platform=$BUILDPLATFORM alpine:$TARGETARCH\n").is_empty());
        assert_eq!(run(r, "FROM alpine:$TAG\n").len(), 1);
    }
}
