"""Wall time of a full build against running the five notebooks by hand, and of a no-op build.

Run it (from the repository root):

    .venv/bin/python benchmarks/bench_build.py          # also part of `make benchmark`

In one run, on this machine, with nothing written into the repository (every output goes to a
temporary folder):
  1. by hand: each notebook run one by one with `jupyter nbconvert --to html --execute`, its
     figures sent to a temporary folder through $ANALYSIS_OUT_DIR (the kernels find no build
     artifact there, so each computes the results itself, as in a fresh `make lab`);
  2. full rebuild: `python -m analysis build --force --out TMP` into an empty folder;
  3. no-op rebuild: the same command without --force, right after.
Targets (issue 15): full <= 0.6 x by hand and <= 30 s; no-op <= 5 % of full.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(command: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(command)}\n{result.stderr[-3000:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args(argv)
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        by_hand_out, build_out = Path(tmp) / "by-hand", Path(tmp) / "build"
        env = {**os.environ, "ANALYSIS_OUT_DIR": str(by_hand_out)}
        each = []
        for nb in notebooks:
            command = [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--execute", str(nb)]
            each.append(timed([*command, "--output-dir", str(by_hand_out / "html")], env))
            print(f"  nbconvert --execute {nb.name}: {each[-1]:.1f} s", flush=True)
        by_hand = sum(each)
        build = [sys.executable, "-m", "analysis", "build", "--out", str(build_out)]
        full = timed([*build, "--force"])
        print(f"  build --force: {full:.1f} s", flush=True)
        noop = timed(build)
        print(f"  build (no-op): {noop:.2f} s", flush=True)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"\nbench_build: {len(notebooks)} notebooks, {cores} cores available, load average {os.getloadavg()[0]:.1f}")
    print(f"{'':34}{'seconds':>9}  {'ratio':>7}  target")
    print(f"{'notebooks by hand (nbconvert)':34}{by_hand:9.1f}")
    print(f"{'full rebuild (build --force)':34}{full:9.1f}  {full / by_hand:7.2f}  <= 0.60 x by hand, <= 30 s")
    print(f"{'no-op rebuild':34}{noop:9.2f}  {noop / full:7.1%}  <= 5 % of full")
    return 0


if __name__ == "__main__":
    sys.exit(main())
