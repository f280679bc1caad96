//! BuildKit's JSONArgsRecommended: CMD/ENTRYPOINT in shell form without a SHELL.

use super::common::{head_span, walk_findings, StageEnv, Walk};
use crate::model::{Instruction, InstructionKind};
use crate::rules::{Category, Ctx, Edit, Finding, Fix, Rule, Scope, Severity};

pub static RULE: Rule = Rule {
    id: "JSONArgsRecommended",
    aliases: &["DL3025"],
    buildkit: true,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "CMD and ENTRYPOINT should use the JSON (exec) form",
    docs: "In shell form, `CMD run-server` becomes `/bin/sh -c \"run-server\"`: the shell is \
the container's main process and does not forward signals such as SIGTERM, so \
`docker stop` waits for its timeout and then kills the application without a clean \
shutdown. The JSON form `CMD [\"run-server\"]` runs the program directly.\n\nThe check \
stays quiet in stages that set a SHELL (or inherit one from a base stage), where the \
shell form is deliberate. When the command uses shell features (variables, `&&`, pipes, \
redirections), the suggested fix wraps it in `[\"/bin/sh\", \"-c\", ...]` and is not \
applied automatically; consider `exec` in a script instead.",
    bad: "FROM alpine\nCMD run-server --port 8080\n",
    good: "FROM alpine\nCMD [\"run-server\", \"--port\", \"8080\"]\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    out.extend(walk_findings(ctx, RULE.id));
}

pub fn visit(w: &Walk, _idx: usize, ins: &Instruction, env: &StageEnv, out: &mut Vec<Finding>) {
    if !matches!(ins.kind, InstructionKind::Cmd | InstructionKind::Entrypoint) {
        return;
    }
    if ins.json.is_some() || env.shell_set {
        return;
    }
    let mut f = RULE.finding(
        head_span(w.ctx, ins),
        format!(
            "JSON arguments recommended for {} to prevent unintended behavior related to OS signals",
            ins.keyword
        ),
    );
    f.fix = exec_form_fix(ins);
    out.push(f);
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// `CMD a b` → `CMD ["a", "b"]` when no shell feature is involved (safe), else the
/// explicit `["/bin/sh", "-c", "..."]` form (not safe: it keeps the shell in between).
fn exec_form_fix(ins: &Instruction) -> Option<Fix> {
    if ins.rest.span.is_empty() || !ins.heredocs.is_empty() {
        return None;
    }
    let plain = ins.words.iter().all(|w| {
        !w.raw.is_empty()
            && w.raw.chars().all(|c| {
                c.is_alphanumeric()
                    || matches!(c, '-' | '_' | '.' | '/' | ':' | '=' | ',' | '@' | '+' | '%')
            })
    });
    if plain && !ins.words.is_empty() {
        let items: Vec<String> = ins.words.iter().map(|w| json_string(&w.value)).collect();
        return Some(Fix {
            title: "Use the JSON (exec) form".into(),
            edits: vec![Edit {
                span: ins.rest.span,
                new_text: format!("[{}]", items.join(", ")),
            }],
            safe: true,
        });
    }
    Some(Fix {
        title: "Use the JSON form with an explicit shell".into(),
        edits: vec![Edit {
            span: ins.rest.span,
            new_text: format!("[\"/bin/sh\", \"-c\", {}]", json_string(&ins.rest.value)),
        }],
        safe: false,
    })
}
