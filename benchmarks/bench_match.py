"""Wall time and peak memory of claim-incident matching, on synthetic and on the real ledgers.

Run it (from the repository root):

    make benchmark                                   # = .venv/bin/python benchmarks/bench_match.py
    .venv/bin/python benchmarks/bench_match.py --quick            # 10^3 and 10^4 claims only
    .venv/bin/python benchmarks/bench_match.py --sizes 1e4,1e5    # chosen sizes
    .venv/bin/python benchmarks/bench_match.py --no-real          # skip the real-ledger grid

What is measured
  (a) Synthetic ledgers of n claims (default 10^3 .. 10^6) against 10^4 incidents, on a synthetic
      gazetteer of ~2,000 places inside Syria's bounding box (lat 32.3-37.4, lon 35.7-42.4) with
      districts and governorates. Claims and incidents are dated over 2017-2019; ~15% of claims
      are dated only approximately (some with an open upper bound, so not assessable) and ~20% of
      incidents have month precision. The frames are built in memory with the dtypes load() gives
      (no CSV, no validation) by benchmarks/synthetic.py, which the matching tests share. The
      primary rule of data/rules.toml is run at each geography level (radius 25 km, district,
      governorate, anywhere), along two paths:
        count-only  match.verdicts(prep, rule, explain=False, ids=False) -> match.hits: one flag per
                    claim, no candidate pair is ever formed (what the grid counts, nulls and
                    specification curve need);
        with ids    match.verdicts(prep, rule, explain=False): the qualifying pairs, streamed in
                    slices, to list matched_incidents (up to --ids-max claims; slow for 'anywhere').
      Every row is its own subprocess (build the ledgers, match.prepare, one timed verdicts call),
      so its peak RSS belongs to that case alone. The synthetic run widens the rules' scope to
      2017-2019 so that every dated claim goes through the join (with the declared Aug-Nov 2018
      scope only ~1 claim in 9 would, which flatters the numbers). After the table the targets
      (10^6 claims: every geography <= 2 GiB peak; the primary rule's geography <= 10 s) are
      checked against the rows.
  (b) The full sensitivity grid on the real ledgers (analysis.inputs.load.load(), load_rules()):
      match.grid_verdicts, and results.compute (everything the report quotes).
  (c) Claims fixed at 10^4 (radius 25 km), incidents 10^4, 10^5, 10^6 at the same density per
      day (spread over 3, 30 and 300 years): n x m grows 100-fold while the candidate pairs stay
      the same. Skipped by --quick and --no-m-scan.

Columns
  time s      wall time of the step (perf_counter), measured WITHOUT tracemalloc running; in (a)
              the best of --repeat runs (default 3) in the same subprocess.
  join s      the part of `time` spent in the pair join (match._pairs, wrapped so verdicts runs
              once); "-" on count-only rows: the join was never called.
  x prev      time(n) / time(n/10) for the same step (in (c): time(m) / time(m/10)).
  pairs       pairs the join formed (with ids: the qualifying ones; (b): all candidates).
  hits        claims whose verdict is 'materialized' (the two paths must agree).
  trace MiB   (b), (c): tracemalloc peak of what the step allocates, from a second run after the
              timed ones; steps slower than --trace-max-s are not rerun: "n/t".
  base MiB    (a): peak RSS of the case's subprocess before the timed step (ledgers + prepare).
  peak MiB    resource.getrusage(RUSAGE_SELF).ru_maxrss of the subprocess after the step: the
              case's peak resident memory, data included.

Each subprocess runs under an address-space limit of --mem-gb (default 2) + 3 GiB of headroom
for the interpreter and libraries, so a runaway step raises MemoryError instead of swapping.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from synthetic import N_PLACES, synthetic_ledgers, synthetic_rules  # noqa: E402

from analysis.inputs.rules import Rules, load_rules  # noqa: E402
from analysis.method import match  # noqa: E402

DEFAULT_SIZES = [10**3, 10**4, 10**5, 10**6]
QUICK_SIZES = [10**3, 10**4]
N_INCIDENTS = 10**4
RADIUS_KM = 25.0
LEVELS = ["radius", "district", "governorate", "anywhere"]
SUBPROCESS_TIMEOUT_S = 900


def synthetic_rule(rules: Rules, level: str):
    return replace(rules.primary, geography=level, radius_km=RADIUS_KM)


def level_label(level: str) -> str:
    return f"radius {RADIUS_KM:g} km" if level == "radius" else level


# --- measuring one step (inside a child process) -------------------------------------------------


class JoinMeter:
    """Stands in for match._pairs (the join of one slice of claims, which candidate_pairs and the
    streaming candidate_chunks look up by name in the match module) to count the pairs and time the
    join without a second run. verdicts(explain=False) streams only the pairs that qualify (evidence
    and shape), so there `pairs` counts those; grid_verdicts and explain=True count all candidates."""

    def __init__(self):
        self.original = match._pairs
        self.reset()

    def reset(self):
        self.seconds, self.calls, self.slices, self.pairs = 0.0, 0, 0, 0

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        pairs = self.original(*args, **kwargs)
        self.seconds += time.perf_counter() - start
        self.slices += 1
        self.calls = 1  # one join, however many slices of claims it was streamed in
        self.pairs += len(pairs)
        return pairs


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def timed(meter: JoinMeter, fn) -> dict:
    """Run fn once, untraced: wall time, join time and pairs, process maxrss afterwards."""
    gc.collect()
    meter.reset()
    start = time.perf_counter()
    try:
        result = fn()
    except MemoryError:
        return {"status": "MemoryError (address-space limit reached)", "maxrss_mib": maxrss_mib()}
    except Exception as err:  # noqa: BLE001 - report and go on with the other steps
        return {"status": f"error: {type(err).__name__}: {err}"[:200], "maxrss_mib": maxrss_mib()}
    elapsed = time.perf_counter() - start
    del result
    gc.collect()
    return {
        "status": "ok",
        "time_s": elapsed,
        "join_s": meter.seconds if meter.calls else None,
        "joins": meter.calls,
        "pairs": meter.pairs if meter.calls else None,
        "maxrss_mib": maxrss_mib(),
    }


def traced_peak_mib(fn) -> float | str:
    """tracemalloc peak of what fn allocates (memory held before it started is not counted)."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        result = fn()
        peak = tracemalloc.get_traced_memory()[1] - base
        del result
    except MemoryError:
        return "MemoryError"
    finally:
        tracemalloc.stop()
        gc.collect()
    return peak / 2**20


def trace(row: dict, fn, args) -> None:
    """Add the tracemalloc peak to a measured row, unless the step is too slow to run again."""
    if row.get("status") != "ok":
        return
    if row["time_s"] > args.trace_max_s:
        row["trace_mib"] = "n/t"
        row["note"] = "n/t: not traced, slower than --trace-max-s"
    else:
        row["trace_mib"] = traced_peak_mib(fn)


def emit(row: dict) -> None:
    print("@@" + json.dumps(row), flush=True)


def limit_address_space(mem_gb: float) -> None:
    """Backstop for a wrong estimate: numpy raises MemoryError instead of the OOM killer acting
    on this (or someone else's) process. The headroom covers the interpreter and libraries."""
    limit = int((mem_gb + 3) * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


PATHS = {
    "count-only": "verdicts(explain=False, ids=False): per-claim hit, no pairs formed",
    "with ids": "verdicts(explain=False): qualifying pairs streamed to list matched_incidents",
}


def child_case(args) -> None:
    """One (claims, geography, path) case in its own process, so that its peak RSS is its own:
    build the synthetic ledgers, prepare, then time one verdicts call."""
    n, level, path = int(args.child_case[0]), args.child_case[1], args.child_case[2]
    m = args.incidents
    limit_address_space(args.mem_gb)
    meter = JoinMeter()
    match._pairs = meter
    rules = synthetic_rules(load_rules())
    ledgers = synthetic_ledgers(n, m, args.places, seed=args.seed)
    start = time.perf_counter()
    prep = match.prepare(ledgers, rules)
    prepare_s = time.perf_counter() - start
    before_mib = maxrss_mib()
    rule = synthetic_rule(rules, level)
    ids = path == "with ids"
    row = {"section": "synthetic", "n": n, "m": m, "level": level_label(level), "step": path}
    found = {}

    def run():
        table = match.verdicts(prep, rule, explain=False, ids=ids)
        found["hits"] = int((table["verdict"] == "materialized").sum())
        return table

    # Best of --repeat runs: the machine is shared, and the least disturbed run is the cost of the step.
    runs = [timed(meter, run) for _ in range(args.repeat)]
    best = min(runs, key=lambda r: r.get("time_s", float("inf")))
    emit(row | best | found | {"prepare_s": prepare_s, "base_mib": before_mib, "maxrss_mib": maxrss_mib()})


def child_mscan(args) -> None:
    """Claims fixed; incidents x10 and x100 at the same density per day (spread over 30 and 300
    years): n x m grows 100-fold while the candidate pairs stay put."""
    n = 10**4
    limit_address_space(args.mem_gb)
    meter = JoinMeter()
    match._pairs = meter
    rules = synthetic_rules(load_rules())
    rule = synthetic_rule(rules, "radius")
    for m, years in ((10**4, 3), (10**5, 30), (10**6, 300)):
        ledgers = synthetic_ledgers(n, m, args.places, seed=args.seed, years=years)
        holder = {}

        def prepare(ledgers=ledgers, holder=holder):
            holder["prep"] = match.prepare(ledgers, rules)
            return holder["prep"]

        row = {"section": "m-scan", "n": n, "m": m, "years": years, "level": level_label("radius")}
        emit(row | {"step": "prepare"} | timed(meter, prepare))
        prep = holder["prep"]
        emit(row | {"step": "verdicts"} | timed(meter, lambda prep=prep: match.verdicts(prep, rule, explain=False)))
        del ledgers, prep, holder
        gc.collect()


def child_real(args) -> None:
    from analysis.inputs.load import load
    from analysis.outputs import results

    limit_address_space(args.mem_gb)
    meter = JoinMeter()
    match._pairs = meter
    holder = {}

    def load_all():
        holder["ledgers"], holder["rules"] = load(), load_rules()
        return holder["ledgers"]

    first = timed(meter, load_all)
    if first["status"] != "ok":
        emit({"section": "real", "n": None, "m": None, "level": "-", "step": "load + validate"} | first)
        return
    ledgers, rules = holder["ledgers"], holder["rules"]
    base = {"section": "real", "n": len(ledgers.claims), "m": len(ledgers.incidents)}
    grid = f"grid ({len(rules.grid)} rules)"
    prep = match.prepare(ledgers, rules)
    steps = [
        ("-", "load + validate", None),
        ("-", "prepare", lambda: match.prepare(ledgers, rules)),
        (grid, "grid_verdicts", lambda: match.grid_verdicts(prep, rules)),
        ("all", "results.compute", lambda: results.compute(ledgers, rules)),
    ]
    rows = [base | {"level": "-", "step": "load + validate"} | first]
    for level, step, fn in steps[1:]:
        rows.append(base | {"level": level, "step": step} | timed(meter, fn))
    for row, (_, _, fn) in zip(rows[1:], steps[1:], strict=True):
        trace(row, fn, args)
    for row in rows:
        emit(row)


# --- the parent: one subprocess per size, one table --------------------------------------------

COLUMNS = [  # header, width, formatter
    ("claims", 8, lambda r: _count(r.get("n"))),
    ("incidents", 9, lambda r: _count(r.get("m"))),
    ("geography", 19, lambda r: r["level"]),
    ("step", 15, lambda r: r["step"]),
    ("time s", 8, lambda r: _num(r.get("time_s"), 3)),
    ("join s", 8, lambda r: _num(r.get("join_s"), 3)),
    ("x prev", 6, lambda r: _num(r.get("ratio"), 1)),
    ("pairs", 11, lambda r: _count(r.get("pairs"))),
    (
        "pairs/claim",
        11,
        lambda r: _num(r["pairs"] / r["n"], 1) if r.get("pairs") and r.get("n") and r.get("joins") == 1 else "-",
    ),
    ("hits", 9, lambda r: _count(r.get("hits"))),
    ("trace MiB", 9, lambda r: _num(r.get("trace_mib"), 0)),
    ("base MiB", 8, lambda r: _num(r.get("base_mib"), 0)),
    ("peak MiB", 8, lambda r: _num(r.get("maxrss_mib"), 0)),
]


def _count(value) -> str:
    return "-" if value is None else f"{int(value):,}"


def _num(value, digits: int) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return f"{value:,.{digits}f}"


def print_header(title: str) -> None:
    print(f"\n{title}")
    line = "  ".join(f"{h:>{w}}" if i not in (2, 3) else f"{h:<{w}}" for i, (h, w, _) in enumerate(COLUMNS))
    print(line + "  note")
    print("-" * (len(line) + 6))


def print_row(row: dict) -> None:
    cells = [fmt(row) for _, _, fmt in COLUMNS]
    line = "  ".join(
        f"{c:>{w}}" if i not in (2, 3) else f"{c:<{w}}"
        for i, (c, (_, w, _)) in enumerate(zip(cells, COLUMNS, strict=True))
    )
    notes = []
    if row.get("status", "ok") != "ok":
        notes.append(row["status"])
    if row.get("joins", 0) > 1:
        notes.append(f"pairs summed over {row['joins']} candidate_pairs calls")
    if row.get("note"):
        notes.append(row["note"])
    print(line + ("  " + "; ".join(notes) if notes else ""), flush=True)


TARGET_SECONDS, TARGET_MIB, TARGET_CLAIMS = 10.0, 2048.0, 10**6


def rules_primary_geography() -> str:
    return level_label(load_rules().primary.geography)


def print_targets(rows: dict[tuple, dict], primary: str) -> None:
    """The issue's targets, checked against the rows just measured (count-only path, 10^6 claims)."""
    largest = max((n for _, _, n in rows), default=0)
    if largest < TARGET_CLAIMS:
        print(f"\nTargets are stated at {TARGET_CLAIMS:,} claims; the largest size run was {largest:,}.")
        return
    print(f"\nTargets at {TARGET_CLAIMS:,} claims (count-only path):")
    labels = [level_label(level) for level in LEVELS]
    for (level, step, n), row in sorted(rows.items(), key=lambda item: labels.index(item[0][0])):
        if n != TARGET_CLAIMS or step != "count-only":
            continue
        ok_mem = row.get("status") == "ok" and row["maxrss_mib"] <= TARGET_MIB
        text = f"  {level:<14} peak {_num(row.get('maxrss_mib'), 0)} MiB <= {TARGET_MIB:.0f}: {'met' if ok_mem else 'MISSED'}"
        if level == primary:
            ok_time = row.get("status") == "ok" and row["time_s"] <= TARGET_SECONDS
            text += f"; primary rule: {_num(row.get('time_s'), 2)} s <= {TARGET_SECONDS:g}: {'met' if ok_time else 'MISSED'}"
        print(text)


def run_child(mode: list[str], args) -> list[dict]:
    command = [sys.executable, str(Path(__file__).resolve()), *mode, *forwarded(args)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    rows = []
    deadline = time.monotonic() + SUBPROCESS_TIMEOUT_S
    try:
        for line in process.stdout:
            if line.startswith("@@"):
                rows.append(json.loads(line[2:]))
            else:
                sys.stderr.write(line)
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(command, SUBPROCESS_TIMEOUT_S)
        code = process.wait(timeout=max(1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        code = f"killed after {SUBPROCESS_TIMEOUT_S} s"
    if code != 0:
        rows.append(
            {
                "level": "-",
                "step": "(subprocess)",
                "status": f"exit {code}; rows above are all it reported",
            }
        )
    return rows


def forwarded(args) -> list[str]:
    return [
        "--incidents",
        str(args.incidents),
        "--places",
        str(args.places),
        "--seed",
        str(args.seed),
        "--mem-gb",
        str(args.mem_gb),
        "--trace-max-s",
        str(args.trace_max_s),
        "--repeat",
        str(args.repeat),
    ]


def parse_sizes(text: str) -> list[int]:
    return sorted({int(float(part)) for part in text.split(",") if part.strip()})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=DEFAULT_SIZES,
        help="claim counts, e.g. 1e3,1e4,1e5,1e6 (default)",
    )
    parser.add_argument("--quick", action="store_true", help="sizes 1e3,1e4 only")
    parser.add_argument("--incidents", type=int, default=N_INCIDENTS)
    parser.add_argument("--places", type=int, default=N_PLACES)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument(
        "--mem-gb",
        type=float,
        default=None,
        help="memory budget per size: the address-space limit is this + 3 GiB (default 2)",
    )
    parser.add_argument(
        "--trace-max-s",
        type=float,
        default=8.0,
        help="rerun under tracemalloc only steps faster than this (default 8 s)",
    )
    parser.add_argument("--no-real", action="store_true", help="skip the real-ledger grid")
    parser.add_argument("--no-m-scan", action="store_true", help="skip the incidents scan")
    parser.add_argument(
        "--ids-max",
        type=parse_sizes,
        default=[10**5],
        help="largest claim count for the 'with ids' path (default 1e5; it streams pairs, so it is slow)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="(a): best of this many runs of each step (default 3)")
    parser.add_argument("--child-case", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--child-real", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-mscan", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.mem_gb = args.mem_gb or 2.0

    args.ids_max = max(args.ids_max)
    if args.child_case:
        child_case(args)
        return 0
    if args.child_real:
        child_real(args)
        return 0
    if args.child_mscan:
        child_mscan(args)
        return 0

    sizes = QUICK_SIZES if args.quick else args.sizes
    started = time.perf_counter()
    print(
        f"bench_match: Python {sys.version.split()[0]}, pandas {pd.__version__},"
        f" numpy {np.__version__}, {os.cpu_count()} CPUs;"
        f" memory budget {args.mem_gb:g} GiB per size,"
        f" 'with ids' up to {args.ids_max:,} claims; (b) and (c) traced if faster than {args.trace_max_s:g} s"
    )
    print_header(
        f"(a) synthetic: primary rule at each geography, {args.incidents:,} incidents,"
        f" {args.places:,} places, scope widened to 2017-2019; one subprocess per row"
    )
    previous: dict[tuple, dict] = {}
    for n in sizes:
        for level in LEVELS:
            for path in PATHS:
                if path == "with ids" and n > args.ids_max:
                    continue
                for row in run_child(["--child-case", str(n), level, path], args):
                    before = previous.get((row["level"], row["step"], n // 10))
                    if before and before.get("time_s") and row.get("time_s"):
                        row["ratio"] = row["time_s"] / before["time_s"]
                    previous[(row["level"], row["step"], n)] = row
                    print_row(row)

    print_targets(previous, rules_primary_geography())

    if not args.no_real:
        print_header("(b) real ledgers: full sensitivity grid (data/, data/rules.toml)")
        for row in run_child(["--child-real"], args):
            print_row(row)

    if not args.quick and not args.no_m_scan:
        print_header(
            "(c) incidents scan: 10^4 claims, radius 25 km, incidents x10 and x100 spread over"
            " 30 and 300 years (same density per day)"
        )
        last: dict[str, float] = {}
        for row in run_child(["--child-mscan"], args):
            if row.get("time_s"):
                if row["step"] in last:
                    row["ratio"] = row["time_s"] / last[row["step"]]
                last[row["step"]] = row["time_s"]
            print_row(row)

    print(
        "\nx prev = time(n) / time(n/10) for the same step. With the incidents fixed, both an\n"
        "output-sensitive join ((n + m) log m + pairs) and a brute-force n x m loop grow ~10x per\n"
        "10x claims; what rules out n x m is that time follows the pairs, not n x m: see the\n"
        "pairs/claim column (flat across n) and table (c), where n x m grows 100-fold.\n"
        f"Total {time.perf_counter() - started:.0f} s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
