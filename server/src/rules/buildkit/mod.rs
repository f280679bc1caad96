//! BuildKit's build checks (`docker build --check`), with BuildKit's rule names and
//! per-occurrence messages. InvalidBaseImagePlatform is not here: it compares the
//! platform of the pulled base image with the target platform, which needs a registry.

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
pub(crate) static WALKERS: &[(&str, common::Visit)] = &[
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
