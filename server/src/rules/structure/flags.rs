//! Which flags each instruction accepts, as BuildKit declares them.

use crate::model::{Details, Instruction, InstructionKind};
use crate::rules::Ctx;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagKind {
    /// `--name=value`, once.
    String,
    /// `--name=value`, any number of times.
    Strings,
    /// `--name` or `--name=true|false`, once.
    Bool,
}

/// The flags of an instruction: (name, kind).
pub fn flag_spec(kind: &InstructionKind) -> &'static [(&'static str, FlagKind)] {
    use FlagKind::*;
    match kind {
        InstructionKind::From => &[("platform", String)],
        InstructionKind::Run => &[
            ("mount", Strings),
            ("network", String),
            ("security", String),
            ("device", Strings),
        ],
        InstructionKind::Copy => &[
            ("from", String),
            ("chown", String),
            ("chmod", String),
            ("link", Bool),
            ("parents", Bool),
            ("exclude", Strings),
        ],
        InstructionKind::Add => &[
            ("chown", String),
            ("chmod", String),
            ("link", Bool),
            ("checksum", String),
            ("keep-git-dir", Bool),
            ("exclude", Strings),
            ("unpack", Bool),
        ],
        InstructionKind::Healthcheck => &[
            ("interval", String),
            ("timeout", String),
            ("start-period", String),
            ("start-interval", String),
            ("retries", String),
        ],
        _ => &[],
    }
}

/// Call `f` on the instructions in the check's scope, each followed by the instruction
/// its ONBUILD wraps, if any: the reporting loop of the stage-scoped rules of this family.
pub(super) fn for_each_scoped<'a>(ctx: &Ctx<'a>, mut f: impl FnMut(&'a Instruction)) {
    for (_, ins) in ctx.instructions() {
        f(ins);
        if let Details::Onbuild(inner) = &ins.details {
            f(inner);
        }
    }
}
