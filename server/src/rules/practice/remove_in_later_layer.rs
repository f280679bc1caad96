//! RemoveInLaterLayer: deleting, in a later RUN, a file an earlier instruction added.

use super::util;
use crate::model::{InstructionKind, Span};
use crate::rules::{Category, Ctx, Finding, Related, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "RemoveInLaterLayer",
    aliases: &[],
    buildkit: false,
    experimental: false,
    category: Category::Size,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "A RUN removes a file that an earlier layer added: the image still contains it",
    docs: r#"Layers only add: removing a file in a later RUN hides it, but the layer that added it
still ships it. A downloaded archive or copied installer deleted "to save space" in the next
step saves nothing.

Download, use and delete in the same RUN, or avoid the copy with a bind mount:
`RUN --mount=type=bind,source=installer.sh,target=/tmp/installer.sh sh /tmp/installer.sh`.

Reported, in stages that end up in the final image, when `rm` names exactly the destination of
an earlier COPY/ADD of the stage, or a file an earlier RUN of the stage downloaded with
`curl -o <file>` / `wget -O <file>`. Only absolute literal paths are compared.
"#,
    bad: "FROM debian:bookworm-slim\nCOPY installer.sh /tmp/installer.sh\nRUN sh /tmp/installer.sh\nRUN rm /tmp/installer.sh\n",
    good: "FROM debian:bookworm-slim\nRUN --mount=type=bind,source=installer.sh,target=/tmp/installer.sh sh /tmp/installer.sh\n",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let model = ctx.model;
    let scripts = util::scripts(ctx);
    let final_chain = util::final_chain(model);
    for stage in ctx.stages() {
        if !util::chain_contains(&final_chain, stage.index) {
            continue;
        }
        // Paths added by earlier instructions: (path, where, instruction index).
        let mut added: Vec<(String, Span, usize)> = Vec::new();
        for i in stage.instructions.clone() {
            let Some(ins) = model.instructions.get(i) else {
                continue;
            };
            match ins.kind {
                InstructionKind::Copy | InstructionKind::Add => {
                    let (sources, dest) = util::copy_sources_dest(ins);
                    let Some(dest) = dest else { continue };
                    let d = dest.value.as_str();
                    if !d.starts_with('/') || d.contains('$') {
                        continue;
                    }
                    if d.ends_with('/') {
                        for s in &sources {
                            let name = s
                                .value
                                .trim_end_matches('/')
                                .rsplit('/')
                                .next()
                                .unwrap_or("");
                            if !name.is_empty()
                                && !name.contains(['*', '?', '$'])
                                && name != "."
                                && !s.value.contains("://")
                            {
                                added.push((format!("{d}{name}"), dest.span, i));
                            }
                        }
                    } else if d != "/" {
                        added.push((d.to_string(), dest.span, i));
                    }
                }
                InstructionKind::Run => {
                    let Some(script) = util::script(&scripts, i) else {
                        continue;
                    };
                    // Removals of paths added by earlier instructions.
                    for inv in util::invocations(&script) {
                        if inv.program != "rm" {
                            continue;
                        }
                        for a in inv.positionals(&[]) {
                            let t = a.text.trim_end_matches('/');
                            if !a.literal || !t.starts_with('/') || t.len() < 2 {
                                continue;
                            }
                            if let Some((_, span, _)) = added
                                .iter()
                                .find(|(p, _, j)| p.trim_end_matches('/') == t && *j != i)
                            {
                                let mut f = RULE.finding(
                                    a.span,
                                    format!("`{t}` was added by an earlier layer: removing it here does not make the image smaller"),
                                );
                                f.related.push(Related {
                                    span: *span,
                                    message: "added here".into(),
                                });
                                out.push(f);
                            }
                        }
                    }
                    // Downloads of this RUN.
                    for inv in util::invocations(&script) {
                        let target = match inv.program {
                            "curl" => inv.value_of(&["-o", "--output"]),
                            "wget" => inv.value_of(&["-O", "--output-document"]),
                            _ => None,
                        };
                        if let Some(t) = target.filter(|t| {
                            t.literal && t.text.starts_with('/') && t.text != "/dev/null"
                        }) {
                            added.push((t.text.to_string(), t.span, i));
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::practice::test_support::check_rule;

    #[test]
    fn cases() {
        if crate::model::build("FROM a\n").instructions.is_empty() {
            return;
        }
        assert_eq!(check_rule(&RULE, "FROM a\nRUN curl -o /tmp/x.tgz https://e/x.tgz\nRUN tar -xzf /tmp/x.tgz && rm -f /tmp/x.tgz\n").len(), 1);
        assert!(check_rule(&RULE, "FROM a\nRUN curl -o /tmp/x.tgz https://e/x.tgz && tar -xzf /tmp/x.tgz && rm -f /tmp/x.tgz\n").is_empty());
        assert_eq!(check_rule(&RULE, "FROM a\nCOPY a.deb b.deb /tmp/\nRUN dpkg -i /tmp/a.deb /tmp/b.deb && rm /tmp/a.deb\n").len(), 1);
    }
}
