#!/usr/bin/env python3
"""Seed fuzz/corpus/<target>/ from the test fixtures (the corpus itself is not committed).

model_grammar and incremental_edits get every Dockerfile of tests/fixtures/corpus/real,
buildkit-parser, buildkit-checks and the fuzz regressions; lsp_framing gets client streams
made of LSP messages carrying those texts, with and without garbage between them.
Existing corpus files are kept; seeds are named by content hash, so running it twice adds
nothing.

    python3 fuzz/seed_corpus.py
"""

import hashlib
import json
import os

FUZZ = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(FUZZ, "..", "tests", "fixtures")


def dockerfiles():
    out = []
    real = os.path.join(FIXTURES, "corpus", "real")
    for name in sorted(os.listdir(real)):
        path = os.path.join(real, name)
        if os.path.isfile(path) and not name.endswith(".md"):
            out.append(path)
    for suite in ("buildkit-parser", "buildkit-checks"):
        root = os.path.join(FIXTURES, suite)
        for case in sorted(os.listdir(root)):
            path = os.path.join(root, case, "Dockerfile")
            if os.path.isfile(path):
                out.append(path)
    fuzz = os.path.join(FIXTURES, "fuzz")
    for name in sorted(os.listdir(fuzz)):
        if name.startswith("model_grammar-"):
            out.append(os.path.join(fuzz, name))
    texts = []
    for path in out:
        with open(path, "rb") as f:
            texts.append(f.read())
    return texts


def frame(body):
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def lsp_streams(texts):
    """A didOpen and a didChange per text; every third stream has garbage in between."""
    streams = []
    for i, text in enumerate(texts):
        s = text.decode("utf-8", "replace")
        msgs = [
            {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
                "textDocument": {"uri": "file:///w/Dockerfile", "languageId": "dockerfile",
                                 "version": 1, "text": s}}},
            {"jsonrpc": "2.0", "id": i, "method": "textDocument/hover", "params": {
                "textDocument": {"uri": "file:///w/Dockerfile"},
                "position": {"line": 0, "character": 1}}},
        ]
        stream = b""
        for m in msgs:
            if i % 3 == 0:
                stream += b"\r\nxx: y\r\n"
            stream += frame(json.dumps(m).encode())
        # The first byte selects the input variant (raw bytes).
        streams.append(b"\x00" + stream)
    streams.append(b"\x00" + frame(b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}'))
    return streams


def write(target, seeds):
    d = os.path.join(FUZZ, "corpus", target)
    os.makedirs(d, exist_ok=True)
    added = 0
    for seed in seeds:
        path = os.path.join(d, "seed-" + hashlib.sha1(seed).hexdigest()[:16])
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(seed)
            added += 1
    print(f"{target}: {added} seeds added, {len(os.listdir(d))} in the corpus")


def main():
    texts = dockerfiles()
    write("model_grammar", texts)
    write("incremental_edits", texts)
    write("lsp_framing", lsp_streams(texts))


if __name__ == "__main__":
    main()
