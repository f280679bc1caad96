#!/usr/bin/env python3
"""Generate a directory of many Dockerfiles for measuring `dockerfile-ls check` at scale.

Each file is one of the real Dockerfiles of tests/fixtures/corpus/real with small,
deterministic variations (a label, an environment variable, a changed image tag, a
removed line, a comment), so that no two files are identical. Every shell-form RUN also
starts with a no-op `: vN;` unique to its file, so that no two files share a script (an
analysis cache keyed by script text would otherwise make 10,000 files cost as much as the
68 originals); --shared-runs leaves the RUN lines as they are. Files are spread over
nested directories, 100 per directory, some with a .dockerignore, as in a monorepo.

    scripts/gen_scale_corpus.py OUT_DIR [--count 10000] [--seed 1] [--shared-runs]
    dockerfile-ls check OUT_DIR > /dev/null

OUT_DIR must not exist yet (the script never deletes anything).
"""

import argparse
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "tests", "fixtures", "corpus", "real")
PER_DIR = 100


def sources():
    names = sorted(
        n
        for n in os.listdir(CORPUS)
        if os.path.isfile(os.path.join(CORPUS, n)) and not n.endswith(".md")
    )
    out = []
    for name in names:
        with open(os.path.join(CORPUS, name), encoding="utf-8") as f:
            out.append(f.read())
    if not out:
        sys.exit(f"no Dockerfiles in {CORPUS}")
    return out


RUN_SHELL_FORM = re.compile(r"(?i)^(\s*RUN\s+(?:--\S+\s+)*)(?![\[<])(?=\S)")


def distinct_runs(lines, i):
    """`: v<i>; ` at the start of every shell-form RUN's command (after its flags)."""
    return [RUN_SHELL_FORM.sub(lambda m: f"{m.group(1)}: v{i}; ", line, count=1) for line in lines]


def vary(text, i, rng, shared_runs=False):
    """One small, deterministic change of `text` (and an index-specific label)."""
    lines = text.split("\n")
    if not shared_runs:
        lines = distinct_runs(lines, i)
    kind = rng.randrange(5)
    if kind == 0:
        # Another tag on the first FROM.
        for k, line in enumerate(lines):
            m = re.match(r"(?i)(FROM\s+(?:--\S+\s+)*[^\s:@]+):(\S+)(.*)", line)
            if m:
                lines[k] = f"{m.group(1)}:{m.group(2)}-v{i % 7}{m.group(3)}"
                break
    elif kind == 1:
        # An ENV after the first FROM.
        for k, line in enumerate(lines):
            if line.upper().startswith("FROM"):
                lines.insert(k + 1, f"ENV GENERATED_{i % 13}=value{i}")
                break
    elif kind == 2 and len(lines) > 4:
        # Drop one line that is not a FROM and does not continue another.
        k = rng.randrange(1, len(lines) - 1)
        if not lines[k].upper().startswith("FROM") and not lines[k - 1].endswith("\\"):
            del lines[k]
    elif kind == 3:
        lines.insert(0, f"# generated variant {i}")
    text = "\n".join(lines)
    if not text.endswith("\n"):
        text += "\n"
    return text + f'LABEL org.example.variant="{i}"\n'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--shared-runs", action="store_true", help="keep the RUN lines as they are")
    args = ap.parse_args()
    if os.path.exists(args.out):
        sys.exit(f"{args.out} exists; give a new directory")
    rng = random.Random(args.seed)
    texts = sources()
    total = 0
    for i in range(args.count):
        group, member = divmod(i, PER_DIR)
        d = os.path.join(args.out, f"team{group // 10:02d}", f"svc{group:03d}", f"app{member:02d}")
        os.makedirs(d)
        text = vary(texts[i % len(texts)], i, rng, args.shared_runs)
        name = "Dockerfile" if member % 4 else f"{member}.Dockerfile"
        with open(os.path.join(d, name), "w", encoding="utf-8") as f:
            f.write(text)
        if member % 3 == 0:
            with open(os.path.join(d, ".dockerignore"), "w", encoding="utf-8") as f:
                f.write(".git\nnode_modules\n*.log\n")
        total += len(text.encode())
    print(f"{args.count} Dockerfiles, {total} bytes, under {args.out}")


if __name__ == "__main__":
    main()
