#!/usr/bin/env python3
"""Build a profile-guided (PGO) release binary of dockerfile-ls.

Three steps, as rustc's own PGO guide describes them:
  1. build an instrumented binary (`-Cprofile-generate`),
  2. run it on a training workload: `check` (human, JSON and SARIF output) over the
     bundled conformance fixtures, real-world corpus and examples, and LSP sessions
     (`tools/lspbench`: open, edits, completion, hover, symbols, folding, tokens) on every
     fourth corpus file and on one file made of the whole corpus,
  3. merge the profiles with the toolchain's `llvm-profdata` (from rustup's `llvm-tools`
     component, added when missing) and build again with `-Cprofile-use`.

The benchmark inputs (tests/fixtures/bench) are left out of the training on purpose, so
that the benchmarks measure the binary on files it was not trained on.

Both builds use one codegen unit (the release profile has four, for shorter builds).
The binary lands in target/pgo/use/<host>/release/dockerfile-ls (printed at the end).
Building for an explicit --target keeps the flags off build scripts and proc macros.

Usage: python3 scripts/pgo_build.py
"""
import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PGO = ROOT / "target/pgo"
CORPUS = ROOT / "tests/fixtures/corpus/real"


def sh(cmd, **kw):
    print("+", " ".join(map(str, cmd)), file=sys.stderr)
    return subprocess.run(cmd, check=True, **kw)


@functools.cache
def host() -> str:
    out = subprocess.run(["rustc", "-vV"], check=True, capture_output=True, text=True).stdout
    return next(l.split(":", 1)[1].strip() for l in out.splitlines() if l.startswith("host:"))


def llvm_profdata() -> Path:
    sysroot = subprocess.run(["rustc", "--print", "sysroot"], check=True, capture_output=True, text=True).stdout.strip()
    tool = Path(sysroot) / "lib/rustlib" / host() / "bin/llvm-profdata"
    if not tool.exists():
        sh(["rustup", "component", "add", "llvm-tools"])
    if not tool.exists():
        sys.exit(f"pgo_build: {tool} is missing; install rustup's llvm-tools component")
    return tool


def build(target_dir: Path, rustflags: str) -> Path:
    # One codegen unit: the shipped binary is worth the longer build (open median of the
    # 5,000-line file 8.77 → 8.01 ms over PGO alone, 24 interleaved runs).
    env = dict(os.environ, RUSTFLAGS=rustflags, CARGO_PROFILE_RELEASE_CODEGEN_UNITS="1")
    sh(["cargo", "build", "--release", "-p", "dockerfile-ls", "--bin", "dockerfile-ls",
        "--target", host(), "--target-dir", str(target_dir)], cwd=ROOT, env=env)
    return target_dir / host() / "release/dockerfile-ls"


def quiet(cmd):
    # `check` exits 1 when it finds problems: that is expected here.
    subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def train(binary: Path, lspbench: Path):
    fixtures = [str(p) for p in sorted((ROOT / "tests/fixtures").iterdir())
                if p.is_dir() and p.name != "bench"]
    quiet([binary, "check", "--format", "json", *fixtures, "examples"])
    quiet([binary, "check", *fixtures, "examples"])
    quiet([binary, "check", "--format", "sarif", "examples", str(CORPUS)])
    files = sorted(p for p in CORPUS.iterdir() if "Dockerfile" in p.name)
    whole = PGO / "corpus.Dockerfile"
    whole.write_text("\n".join(p.read_text(errors="replace") for p in files))
    for path in files[::4] + sorted((ROOT / "examples").glob("*/Dockerfile")) + [whole]:
        lines = path.read_text(errors="replace").count("\n")
        if lines < 4:
            continue
        quiet([lspbench, "--file", path, "--edits", "20", "--samples", "10",
               "--completion-pos", f"{lines // 2}:2", "--hover-pos", "0:2", "--", binary, "--stdio"])


def build_pgo() -> Path:
    """Build the profile-guided binary and return its path."""
    profdata = llvm_profdata()
    sh(["cargo", "build", "--release", "-p", "lspbench"], cwd=ROOT)
    lspbench = ROOT / "target/release/lspbench"
    raw = PGO / "raw"
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir(parents=True)
    instrumented = build(PGO / "gen", f"-Cprofile-generate={raw}")
    train(instrumented, lspbench)
    merged = PGO / "merged.profdata"
    sh([profdata, "merge", "-o", merged, *sorted(raw.glob("*.profraw"))])
    return build(PGO / "use", f"-Cprofile-use={merged}")


def main():
    print(build_pgo())


if __name__ == "__main__":
    main()
