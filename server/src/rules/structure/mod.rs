//! What BuildKit rejects when it reads a Dockerfile: syntax errors, unknown instructions,
//! instructions before FROM, unknown or repeated flags, invalid flag and `--mount` values,
//! malformed arguments. All are errors; `# check=` does not skip them.

mod flags;
mod instruction_before_from;
mod invalid_arguments;
mod invalid_directive;
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
    &invalid_image_reference::RULE,
    &invalid_directive::RULE,
];

/// Every instruction including the ones wrapped by ONBUILD, with whether it is wrapped.
pub(crate) fn all_instructions<'a>(
    model: &'a crate::model::Model,
) -> impl Iterator<Item = (&'a crate::model::Instruction, bool)> {
    model.instructions.iter().flat_map(|i| {
        let inner = match &i.details {
            crate::model::Details::Onbuild(inner) => Some((inner.as_ref(), true)),
            _ => None,
        };
        std::iter::once((i, false)).chain(inner)
    })
}
