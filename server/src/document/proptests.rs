//! Property: any sequence of incremental edits through the store leaves the same text,
//! syntax tree, model and findings as opening the final text fresh, whether the analyses in between
//! recycle older models (or cannot), and whether the tree is re-parsed incrementally or
//! in full.

use super::{Change, DocumentStore, Encoding, LineCol, LineIndex};
use crate::rules::CheckOptions;
use proptest::prelude::*;
use std::sync::Arc;

const BASES: &[&str] = &[
    "",
    "FROM alpine:3.20\nRUN apk add --no-cache curl\n",
    "# syntax=docker/dockerfile:1\n# escape=`\nFROM mcr.microsoft.com/windows AS build\nRUN dir `\n  c:\\\nCOPY . c:\\app\n",
    "ARG V=1\nFROM node:${V} AS deps\nWORKDIR /app\nCOPY package.json ./\nRUN --mount=type=cache,target=/root/.npm \\\n    npm ci\n\nFROM deps\nCMD [\"node\", \"x.js\"]\n",
    "FROM debian\r\nRUN <<EOF\r\napt-get update\r\nEOF\r\nCOPY <<-EOT /etc/x\r\n\thello é 😀\r\n\tEOT\r\n",
    "FROM a\nRUN echo a \\\n# comment\n\n  b\nENV A=1 B=\"two words\" \\\n    C=${A:-x}\nLABEL k=v\nONBUILD RUN x\nHEALTHCHECK CMD curl -f http://x/ || exit 1\n",
];

const FRAGMENTS: &[&str] = &[
    "",
    "\n",
    "\r\n",
    " ",
    "\t",
    "\\",
    "\\\n",
    "`\n",
    "#",
    "# escape=`\n",
    "# escape=\\\n",
    "# syntax=x\n",
    "FROM alpine AS b\n",
    "RUN ",
    "RUN echo hi\n",
    "COPY --from=b /a /b\n",
    "<<EOF\n",
    "EOF\n",
    "<<-EOT\n",
    "\tEOT\n",
    "\"",
    "'",
    "$X",
    "${Y:-z}",
    "[\"a\", \"b\"]",
    "=",
    "--mount=type=cache,target=/c ",
    "é",
    "😀",
    "ARG A=1\n",
    "ENV K v\n",
    "FROM b AS c\n",
    "COPY --from=0 . .\n",
    "RUN --mount=from=b,target=/t ls\n",
    "RUN apt-get install x\n",
    "USER root\n",
    "# hadolint ignore=DL3008\n",
    "x",
    "AS",
    "\n\n",
];

/// The findings of a check on a thread of its own: no memo or cache of an earlier check.
fn cold_findings(text: &str) -> Vec<crate::rules::Finding> {
    std::thread::scope(|s| {
        s.spawn(|| {
            let model = crate::model::build(text);
            crate::rules::check(&model, text, &CheckOptions::default())
        })
        .join()
        .unwrap_or_default()
    })
}

fn encoding() -> impl Strategy<Value = Encoding> {
    prop_oneof![
        Just(Encoding::Utf8),
        Just(Encoding::Utf16),
        Just(Encoding::Utf32)
    ]
}

fn change() -> impl Strategy<Value = Change> {
    let pos = (0u32..14, 0u32..40).prop_map(|(line, col)| LineCol { line, col });
    let text = prop_oneof![
        4 => prop::sample::select(FRAGMENTS).prop_map(str::to_string),
        1 => "[ -~\n]{0,12}",
    ];
    (prop::option::weighted(0.95, (pos.clone(), pos)), text)
        .prop_map(|(range, text)| Change { range, text })
}

/// The reference: apply a change to a plain string through `LineIndex` (which clamps
/// like the rope does).
fn apply_reference(text: &mut String, change: &Change, enc: Encoding) {
    let Some((a, b)) = change.range else {
        *text = change.text.clone();
        return;
    };
    let idx = LineIndex::new(text);
    let (a, b) = if b < a { (b, a) } else { (a, b) };
    let start = idx.offset(text, a, enc);
    let end = idx.offset(text, b, enc).max(start);
    text.replace_range(start..end, &change.text);
}

/// What happens after a batch of changes.
#[derive(Clone, Copy, Debug)]
enum After {
    Nothing,
    /// Analyse (the store keeps the snapshot and recycles the one it replaces).
    Snapshot,
    /// Analyse and keep the snapshot, as a slow request would: it cannot be recycled.
    Hold,
    /// Parse now (`Document::tree`): later edits re-parse incrementally.
    Tree,
    /// Analyse the revision before the batch, offered after it: too late to be kept.
    Stale,
}

fn after() -> impl Strategy<Value = After> {
    prop_oneof![
        3 => Just(After::Nothing),
        3 => Just(After::Snapshot),
        1 => Just(After::Hold),
        1 => Just(After::Tree),
        1 => Just(After::Stale),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn incremental_edits_match_a_fresh_open(
        base in prop::sample::select(BASES),
        enc in encoding(),
        batches in prop::collection::vec((prop::collection::vec(change(), 1..4), after()), 1..12),
    ) {
        let uri = "file:///p/Dockerfile";
        let mut store = DocumentStore::new();
        store.open(uri, base, 1, None, Arc::new(CheckOptions::default()));
        let mut reference = base.to_string();
        let mut held = Vec::new();
        for (i, (batch, after)) in batches.iter().enumerate() {
            let early = matches!(after, After::Stale).then(|| store.pending(uri)).flatten();
            for c in batch {
                apply_reference(&mut reference, c, enc);
            }
            store.change(uri, i as i32 + 2, batch, enc).map_err(|e| TestCaseError::fail(e.to_string()))?;
            match after {
                After::Nothing => {}
                After::Snapshot | After::Hold => {
                    let snap = store.snapshot(uri).ok_or_else(|| TestCaseError::fail("document vanished"))?;
                    prop_assert_eq!(&*snap.text, reference.as_str());
                    prop_assert_eq!(&snap.model, &crate::model::build(&reference), "text: {:?}", reference);
                    prop_assert_eq!(&snap.line_index, &LineIndex::new(&reference));
                    // Findings remembered per stage across the edits equal a cold check's.
                    prop_assert_eq!(&snap.findings, &cold_findings(&reference), "text: {:?}", reference);
                    let fresh = crate::syntax::parse(&reference, None);
                    prop_assert_eq!(snap.tree().root_node().to_sexp(), fresh.root_node().to_sexp(), "text: {:?}", reference);
                    if matches!(after, After::Hold) {
                        held.push(snap);
                    }
                }
                After::Tree => {
                    let doc = store.document(uri).ok_or_else(|| TestCaseError::fail("document vanished"))?;
                    doc.tree();
                }
                After::Stale => {
                    let (u, revision, snap) = early.ok_or_else(|| TestCaseError::fail("no pending"))?.build();
                    prop_assert!(!store.offer(&u, revision, snap));
                }
            }
        }
        let doc = store.document(uri).ok_or_else(|| TestCaseError::fail("document vanished"))?;
        let fresh = crate::syntax::parse(&reference, None);
        prop_assert_eq!(doc.tree().root_node().to_sexp(), fresh.root_node().to_sexp(), "text: {:?}", reference);
        let snap = store.snapshot(uri).ok_or_else(|| TestCaseError::fail("document vanished"))?;
        prop_assert_eq!(&*snap.text, reference.as_str());
        prop_assert_eq!(snap.tree().root_node().to_sexp(), fresh.root_node().to_sexp(), "text: {:?}", reference);
        prop_assert_eq!(&snap.model, &crate::model::build(&reference));
        prop_assert_eq!(&snap.line_index, &LineIndex::new(&reference));
        prop_assert_eq!(&snap.findings, &cold_findings(&reference), "text: {:?}", reference);
    }
}
