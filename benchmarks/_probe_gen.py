import sys, time, tracemalloc, resource
from dataclasses import replace
sys.path.insert(0, "/work/main/benchmarks")
import numpy as np
from bench_match import synthetic_ledgers, synthetic_rules
from analysis import match
from analysis.rules import load_rules

n = int(sys.argv[1]); trace = len(sys.argv) > 2 and sys.argv[2] == "trace"
t = time.perf_counter()
L = synthetic_ledgers(n, 10_000, 2000, seed=1)
R = synthetic_rules(load_rules())
print("gen", time.perf_counter() - t, flush=True)
if trace:
    tracemalloc.start()
t = time.perf_counter()
P = match.prepare(L, R)
print("prepare", time.perf_counter() - t, flush=True)
for g in ["radius", "district", "governorate", "anywhere"]:
    rule = replace(R.primary, geography=g, radius_km=25.0)
    t = time.perf_counter()
    pairs = match.candidate_pairs(P, rule)
    t1 = time.perf_counter() - t
    t = time.perf_counter()
    v = match.verdicts(P, rule, explain=False, pairs=pairs)
    t2 = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else 0
    if trace:
        tracemalloc.reset_peak()
    print(g, len(pairs), f"join {t1:.2f} verdicts {t2:.2f} peak {peak:.0f}MB rss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024:.0f}MB",
          v["verdict"].value_counts().to_dict(), flush=True)
