//! Rename and prepareRename for stage names, ARG/ENV variables and heredoc delimiters.
//!
//! A rename rewrites every occurrence of the symbol under the cursor (see
//! `features::navigation`), except references to a stage by its index, which stay as they
//! are. New names are checked the way BuildKit checks them, and a stage cannot take the
//! name of another stage.

use super::navigation::{occurrences, symbol_at, Role, Symbol};
use crate::hash::FastSet;
use crate::model::{Model, Span, VarKind};
use std::fmt;

/// Why a rename is refused; the message is meant for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenameError {
    /// Nothing renamable under the cursor.
    NothingToRename,
    /// The symbol cannot be renamed (predefined variable, undefined variable, index…).
    NotRenamable(String),
    /// The new name is not valid for this kind of symbol.
    InvalidName(String),
    /// The new name is taken.
    Collision(String),
}

impl fmt::Display for RenameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenameError::NothingToRename => {
                f.write_str("nothing to rename here: place the cursor on a stage name, a variable or a heredoc delimiter")
            }
            RenameError::NotRenamable(m) | RenameError::InvalidName(m) | RenameError::Collision(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for RenameError {}

/// prepareRename: the span of the name under the cursor and its current text.
pub fn prepare_rename(
    model: &Model,
    text: &str,
    offset: usize,
) -> Result<(Span, String), RenameError> {
    let (symbol, span) = symbol_at(model, text, offset).ok_or(RenameError::NothingToRename)?;
    check_renamable(model, text, &symbol, span)?;
    let current = text
        .get(span.start..span.end)
        .unwrap_or_default()
        .to_string();
    Ok((span, current))
}

/// The edits renaming the symbol under the cursor to `new_name`, in document order.
pub fn rename(
    model: &Model,
    text: &str,
    offset: usize,
    new_name: &str,
) -> Result<Vec<(Span, String)>, RenameError> {
    let (symbol, span) = symbol_at(model, text, offset).ok_or(RenameError::NothingToRename)?;
    check_renamable(model, text, &symbol, span)?;
    match &symbol {
        Symbol::Stage(i) => {
            validate_stage_name(new_name)?;
            let taken = model.stages.iter().enumerate().any(|(j, s)| {
                j != *i
                    && s.name
                        .as_ref()
                        .is_some_and(|n| n.value.eq_ignore_ascii_case(new_name))
            });
            if taken {
                return Err(RenameError::Collision(format!(
                    "a stage named '{new_name}' already exists; stage names must be unique"
                )));
            }
        }
        Symbol::Var(root) => {
            validate_var_name(new_name)?;
            check_var_collision(model, *root, new_name)?;
        }
        Symbol::FreeVar(_) => {}
        Symbol::Heredoc { instruction, index } => {
            validate_heredoc_delimiter(new_name)?;
            if let Some(h) = model
                .instructions
                .get(*instruction)
                .and_then(|i| i.heredocs.get(*index))
            {
                let ends_early = h.body.lines().any(|l| {
                    let l = l.strip_suffix('\r').unwrap_or(l);
                    let l = if h.strip_tabs {
                        l.trim_start_matches('\t')
                    } else {
                        l
                    };
                    l == new_name
                });
                if ends_early {
                    return Err(RenameError::Collision(format!(
                        "the heredoc body has a line '{new_name}', which would end it early"
                    )));
                }
            }
        }
    }
    Ok(occurrences(model, text, &symbol)
        .into_iter()
        .filter(|o| !o.by_index)
        .map(|o| (o.span, new_name.to_string()))
        .collect())
}

fn check_renamable(
    model: &Model,
    text: &str,
    symbol: &Symbol,
    span: Span,
) -> Result<(), RenameError> {
    match symbol {
        Symbol::Stage(i) => {
            if model.stages.get(*i).and_then(|s| s.name.as_ref()).is_none() {
                return Err(RenameError::NotRenamable(
                    "this stage has no name; name it with `AS name` to rename it".into(),
                ));
            }
            let occ = occurrences(model, text, symbol);
            if occ.iter().any(|o| o.span == span && o.by_index) {
                return Err(RenameError::NotRenamable(
                    "this reference is the stage's index; rename the stage from its name".into(),
                ));
            }
            if let Some(o) = occ.iter().find(|o| o.via_variable) {
                let line = text
                    .get(..o.span.start)
                    .unwrap_or_default()
                    .matches('\n')
                    .count()
                    + 1;
                return Err(RenameError::NotRenamable(format!(
                    "this stage is also named through a variable on line {line}; renaming it would change what that line refers to"
                )));
            }
        }
        Symbol::Var(root) => {
            if model
                .vars
                .get(*root)
                .is_some_and(|d| d.kind == VarKind::Predefined)
            {
                return Err(RenameError::NotRenamable(
                    "this is one of BuildKit's predefined build arguments and cannot be renamed"
                        .into(),
                ));
            }
        }
        Symbol::FreeVar(name) => {
            return Err(RenameError::NotRenamable(format!(
                "'{name}' is not defined by an ARG or ENV in scope and cannot be renamed"
            )));
        }
        Symbol::Heredoc { .. } => {
            let has_def = occurrences(model, text, symbol)
                .iter()
                .any(|o| o.role == Role::Definition);
            if !has_def {
                return Err(RenameError::NotRenamable(
                    "cannot find this heredoc's opening marker".into(),
                ));
            }
        }
    }
    Ok(())
}

/// BuildKit's stage name rule: `^[a-z][a-z0-9-_.]*$`, and not a reserved name.
pub fn validate_stage_name(name: &str) -> Result<(), RenameError> {
    if !crate::model::is_stage_name(name) {
        return Err(RenameError::InvalidName(format!(
            "'{name}' is not a valid stage name: use lowercase letters, digits, '-', '_' and '.', starting with a letter"
        )));
    }
    if name == "scratch" || name == "context" {
        return Err(RenameError::InvalidName(format!(
            "'{name}' is a reserved name and cannot name a stage"
        )));
    }
    Ok(())
}

/// ARG and ENV names: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn validate_var_name(name: &str) -> Result<(), RenameError> {
    let mut chars = name.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(RenameError::InvalidName(format!(
            "'{name}' is not a valid variable name: use letters, digits and '_', not starting with a digit"
        )))
    }
}

/// Heredoc delimiters: a non-empty word of letters, digits, `_`, `-` and `.`.
pub fn validate_heredoc_delimiter(name: &str) -> Result<(), RenameError> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(RenameError::InvalidName(format!(
            "'{name}' is not a valid heredoc delimiter: use letters, digits, '_', '-' and '.'"
        )))
    }
}

/// Refuses a variable rename when another variable of the new name is defined where the
/// renamed one is used or defined (global scope or the same stage): the uses would
/// resolve differently.
fn check_var_collision(model: &Model, root: usize, new_name: &str) -> Result<(), RenameError> {
    let roots = super::navigation::var_roots(model);
    // Masks and sets: a variable may have thousands of definitions and uses.
    let member: Vec<bool> = roots.iter().map(|&r| r == root).collect();
    let is_member = |i: usize| member.get(i).copied().unwrap_or(false);
    let Some(old_name) = model.vars.get(root).map(|d| d.name.as_str()) else {
        return Ok(());
    };
    if old_name == new_name {
        return Ok(());
    }
    let mut scopes: FastSet<Option<usize>> = model
        .vars
        .iter()
        .enumerate()
        .filter(|&(i, _)| is_member(i))
        .map(|(_, d)| d.stage)
        .collect();
    scopes.extend(
        model
            .var_uses
            .iter()
            .filter(|u| u.def.is_some_and(is_member))
            .map(|u| u.stage),
    );
    let clash = model.vars.iter().enumerate().find(|&(i, d)| {
        !is_member(i)
            && d.name == new_name
            && (matches!(d.kind, VarKind::GlobalArg | VarKind::Predefined)
                || scopes.contains(&d.stage))
    });
    // An undefined `$NEW` where the renamed variable is visible would start to refer to it.
    let captured = model
        .var_uses
        .iter()
        .any(|u| u.name == new_name && u.def.is_none() && scopes.contains(&u.stage));
    if clash.is_none() && captured {
        return Err(RenameError::Collision(format!(
            "'{new_name}' is used (undefined) in the same scope; renaming would change what it refers to"
        )));
    }
    match clash {
        Some((_, d)) => {
            let what = match d.kind {
                VarKind::Env => "an ENV",
                VarKind::Predefined => "a predefined build argument",
                _ => "an ARG",
            };
            Err(RenameError::Collision(format!(
                "'{new_name}' is already defined by {what} in the same scope"
            )))
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::navigation::tests::{fixture, lines};
    use crate::model::build;

    fn apply(text: &str, edits: &[(Span, String)]) -> String {
        let mut out = text.to_string();
        for (span, new) in edits.iter().rev() {
            out.replace_range(span.start..span.end, new);
        }
        out
    }

    fn renamed(src: &str, new_name: &str) -> Result<String, RenameError> {
        let (text, offset) = fixture(src);
        let m = build(&text);
        rename(&m, &text, offset, new_name).map(|e| apply(&text, &e))
    }

    #[test]
    fn stage_rename_keeps_index_references() {
        let src = "FROM golang AS bui‸ld\nFROM build AS t\nRUN --mount=from=build,target=/x true\nFROM alpine\nCOPY --from=build /a /b\nCOPY --from=0 /c /d\n";
        assert_eq!(
            renamed(src, "compile").unwrap(),
            "FROM golang AS compile\nFROM compile AS t\nRUN --mount=from=compile,target=/x true\nFROM alpine\nCOPY --from=compile /a /b\nCOPY --from=0 /c /d\n"
        );
    }

    #[test]
    fn stage_rename_from_a_reference() {
        let src = "FROM golang AS build\nFROM alpine\nCOPY --from=bu‸ild /a /b\n";
        assert_eq!(
            renamed(src, "b2").unwrap(),
            "FROM golang AS b2\nFROM alpine\nCOPY --from=b2 /a /b\n"
        );
    }

    #[test]
    fn stage_rename_refusals() {
        let src = "FROM golang AS bu‸ild\nFROM alpine AS other\n";
        for bad in ["Build", "1st", "", "a b", "scratch", "context", "x/y"] {
            assert!(
                matches!(renamed(src, bad), Err(RenameError::InvalidName(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            renamed(src, "other"),
            Err(RenameError::Collision(_))
        ));
        assert!(matches!(
            renamed(src, "OTHER"),
            Err(RenameError::InvalidName(_))
        ));
        // by index
        let (text, offset) = fixture("FROM alpine AS a\nFROM scratch\nCOPY --from=‸0 / /\n");
        let m = build(&text);
        assert!(matches!(
            prepare_rename(&m, &text, offset),
            Err(RenameError::NotRenamable(_))
        ));
    }

    #[test]
    fn stage_named_through_a_variable_is_not_renamed() {
        let src = "ARG B=build\nFROM golang AS bu‸ild\nFROM ${B}\n";
        assert!(
            matches!(renamed(src, "b2"), Err(RenameError::NotRenamable(m)) if m.contains("line 3"))
        );
        // references still list it
        let (text, offset) = fixture(src);
        let m = build(&text);
        let r = crate::features::navigation::references(&m, &text, offset, false);
        assert_eq!(lines(&text, &r), [2]);
    }

    #[test]
    fn arg_rename_follows_global_and_redeclaration() {
        let src = "ARG VER‸SION=1\nFROM alpine:${VERSION}\nARG VERSION\nRUN echo $VERSION\nENV VERSION=${VERSION}-x\nRUN echo $VERSION\n";
        assert_eq!(
            renamed(src, "V2").unwrap(),
            "ARG V2=1\nFROM alpine:${V2}\nARG V2\nRUN echo $V2\nENV VERSION=${V2}-x\nRUN echo $VERSION\n"
        );
    }

    #[test]
    fn env_rename() {
        let src = "FROM alpine\nENV A‸PP=/app\nWORKDIR $APP\nRUN echo ${APP}\n";
        assert_eq!(
            renamed(src, "ROOT").unwrap(),
            "FROM alpine\nENV ROOT=/app\nWORKDIR $ROOT\nRUN echo ${ROOT}\n"
        );
    }

    #[test]
    fn env_rename_reaches_stages_built_on_this_one() {
        let src = "FROM alpine AS base\nENV A‸PP=/app\nFROM base AS test\nRUN echo $APP\nFROM alpine\nRUN echo $APP\n";
        assert_eq!(
            renamed(src, "ROOT").unwrap(),
            "FROM alpine AS base\nENV ROOT=/app\nFROM base AS test\nRUN echo $ROOT\nFROM alpine\nRUN echo $APP\n"
        );
    }

    #[test]
    fn var_rename_refusals() {
        let src = "FROM alpine\nARG ‸A=1\nENV B=2\nRUN echo $A $B\n";
        for bad in ["1A", "A-B", "", "a b", "$A"] {
            assert!(
                matches!(renamed(src, bad), Err(RenameError::InvalidName(_))),
                "{bad}"
            );
        }
        assert!(matches!(renamed(src, "B"), Err(RenameError::Collision(_))));
        assert!(matches!(
            renamed(src, "TARGETARCH"),
            Err(RenameError::Collision(_))
        ));
        let src2 = "FROM alpine\nARG ‸A=1\nRUN echo $A $C\n";
        assert!(matches!(renamed(src2, "C"), Err(RenameError::Collision(_))));
        assert_eq!(
            renamed(src, "a_1").unwrap(),
            "FROM alpine\nARG a_1=1\nENV B=2\nRUN echo $a_1 $B\n"
        );
        // an undefined variable
        let (text, offset) = fixture("FROM alpine\nRUN echo $NO‸PE\n");
        let m = build(&text);
        assert!(prepare_rename(&m, &text, offset).is_err());
    }

    #[test]
    fn heredoc_rename() {
        let src = "FROM alpine\nRUN <<-E‸OF\n\techo END\n\tEOF\n";
        assert_eq!(
            renamed(src, "END2").unwrap(),
            "FROM alpine\nRUN <<-END2\n\techo END\n\tEND2\n"
        );
        let src = "FROM alpine\nRUN <<EOF\nEND\nEO‸F\n";
        assert!(matches!(
            renamed(src, "END"),
            Err(RenameError::Collision(_))
        ));
        assert!(matches!(
            renamed(src, "A B"),
            Err(RenameError::InvalidName(_))
        ));
    }

    #[test]
    fn prepare_rename_gives_the_name() {
        let (text, offset) = fixture("FROM alpine AS \"bu‸ild\"\n");
        let m = build(&text);
        let (span, name) = prepare_rename(&m, &text, offset).unwrap();
        assert_eq!(name, "build");
        assert_eq!(lines(&text, &[span]), [0]);
        let (text, offset) = fixture("FROM al‸pine\n");
        let m = build(&text);
        assert_eq!(
            prepare_rename(&m, &text, offset),
            Err(RenameError::NothingToRename)
        );
    }
}
