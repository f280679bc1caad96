//! AddInsteadOfCopy: ADD used for plain local files.

use super::util;
use crate::model::InstructionKind;
use crate::rules::{Category, Ctx, Finding, Fix, Rule, Scope, Severity};

pub const RULE: Rule = Rule {
    id: "AddInsteadOfCopy",
    aliases: &["DL3020"],
    buildkit: false,
    experimental: false,
    category: Category::Correctness,
    severity: Severity::Warning,
    scope: Scope::Stage,
    summary: "ADD copies local files: use COPY",
    docs: r#"`ADD` does more than copy: it downloads URLs, clones Git repositories and unpacks local
tar archives. For plain files and directories `COPY` does the same with no surprises (a file
that happens to be a tarball is not unpacked).

Reported when every source is a local path (or a heredoc) that is not a tar archive
(`.tar`, `.tar.gz`, `.tgz`, `.tar.bz2`, `.tar.xz`, `.tar.zst`, `.gz`, `.bz2`, `.xz`, …), and
no ADD-only option is used (`--checksum`, `--keep-git-dir`, `--unpack`). Sources with
variables are not judged.

The fix replaces `ADD` with `COPY`.
"#,
    bad: "FROM alpine:3.20\nADD entrypoint.sh /usr/local/bin/\n",
    good: "FROM alpine:3.20\nCOPY entrypoint.sh /usr/local/bin/\n",
    check,
};

const ARCHIVE_SUFFIXES: &[&str] = &[
    ".tar", ".gz", ".tgz", ".bz2", ".tbz", ".tbz2", ".xz", ".txz", ".zst", ".tzst", ".lz", ".lzma",
    ".tlz", ".z",
];

fn is_remote_or_archive(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.contains("://")
        || lower.starts_with("git@")
        || lower.contains('$')
        || ARCHIVE_SUFFIXES.iter().any(|s| lower.ends_with(s))
        || lower.ends_with('*')
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, ins) in ctx.instructions() {
        if ins.kind != InstructionKind::Add {
            continue;
        }
        if ins.flags.iter().any(|f| {
            matches!(
                f.name.to_ascii_lowercase().as_str(),
                "checksum" | "keep-git-dir" | "unpack"
            )
        }) {
            continue;
        }
        let (sources, _) = util::copy_sources_dest(ins);
        if sources.iter().any(|w| is_remote_or_archive(&w.value)) {
            continue;
        }
        if sources.is_empty() && ins.heredocs.is_empty() {
            continue;
        }
        let keyword = if ins.keyword.chars().all(|c| c.is_ascii_lowercase()) {
            "copy"
        } else {
            "COPY"
        };
        let mut f = RULE.finding(
            ins.keyword_span,
            "ADD of local files: use COPY, which does not unpack archives or download",
        );
        f.fix = Some(Fix {
            title: "Use COPY".into(),
            edits: vec![util::replace(ins.keyword_span, keyword)],
            safe: true,
        });
        out.push(f);
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
        for ok in [
            "FROM a\nADD https://example.com/x.tar.gz /x\n",
            "FROM a\nADD rootfs.tar.xz /\n",
            "FROM a\nADD --checksum=sha256:abc https://example.com/f /f\n",
            "FROM a\nADD git@github.com:moby/buildkit.git /src\n",
            "FROM a\nADD ${FILE} /x\n",
        ] {
            assert!(check_rule(&RULE, ok).is_empty(), "{ok}");
        }
        assert_eq!(
            check_rule(&RULE, "FROM a\nADD <<EOF /etc/x\nhello\nEOF\n").len(),
            1
        );
    }
}
