"""What a notebook (or the build) needs, obtained once per process: ledgers, rules and results.

The build computes the results once, stores them as an artifact named after the digest of their
inputs (the ledger files, the rules, the codebook and the package's own source) and tells each
notebook kernel where to look (`configure`, in a parameters cell it injects). A kernel whose data
folder matches the artifact loads it; otherwise (an edited ledger, a `make lab` session before
any build) it validates and computes by itself. `work_done()` counts what was really done.
"""

from __future__ import annotations

import collections
import functools
import json
from pathlib import Path

import pandas as pd

from analysis.inputs import paths
from analysis.inputs.load import Ledgers, load
from analysis.inputs.rules import Rules, load_rules
from analysis.outputs import export
from analysis.outputs.results import Results, compute
from analysis.pipeline import artifacts

# What this process did (validated, parsed, computed, loaded from an artifact); see work_done().
WORK: collections.Counter[str] = collections.Counter()
_where: dict[str, Path | None] = {"cache": None}


def configure(data_dir: Path | str | None = None, out_dir: Path | str | None = None, cache_dir=None) -> None:
    """The build's parameters: which data folder, which output root, where its artifacts are."""
    paths.use(data=data_dir, out=out_dir)
    _where["cache"] = Path(cache_dir).resolve() if cache_dir else None
    for cached in (_artifact, _ledgers, _rules):
        cached.cache_clear()
    _computed.clear()


def write_to_outputs(root: Path | str | None = None) -> Path:
    """Ask an interactive session to write its figures into the build's outputs (the repository's
    figures/, or `root`'s) instead of the scratch folder; the data folder stays as it is."""
    target = Path(root or paths.ROOT).resolve()
    paths.write_into(target)
    print(f"figures will be written to {paths.figures_dir(target)}")
    return target


def cache_dir() -> Path:
    return _where["cache"] or paths.cache_dir()


@functools.cache
def _artifact(data: Path) -> Results | None:
    results = artifacts.load_results(cache_dir(), data)
    if results is not None:
        WORK["results loaded from the build's artifact"] += 1
    return results


@functools.cache
def _ledgers(data: Path) -> Ledgers:
    WORK["ledgers validated"] += 1
    return load(data)


@functools.cache
def _rules(data: Path) -> Rules:
    WORK["rules parsed"] += 1
    return load_rules(paths.rules_path(data))


_computed: dict[Path, Results] = {}  # results this process computed itself, by data folder


def _folder(data: Path | None) -> Path:
    return Path(data or paths.data_dir()).resolve()


def _known(data: Path) -> Results | None:
    return _computed.get(data) or _artifact(data)


def ledgers(data: Path | None = None) -> Ledgers:
    found = _known(_folder(data))
    return found.ledgers if found is not None else _ledgers(_folder(data))


def rules(data: Path | None = None) -> Rules:
    found = _known(_folder(data))
    return found.rules if found is not None else _rules(_folder(data))


def results(data: Path | None = None, use_artifact: bool = True) -> Results:
    """The results for `data`: from the build's artifact when it matches, else validated and computed
    here (use_artifact=False: always the latter, as a forced build wants)."""
    folder = _folder(data)
    if folder in _computed:
        return _computed[folder]
    if use_artifact and (found := _artifact(folder)) is not None:
        return found
    WORK["results computed"] += 1
    _computed[folder] = compute(_ledgers(folder), _rules(folder))
    return _computed[folder]


def work_done() -> dict[str, int]:
    return dict(sorted(WORK.items()))


REPORT_MARK = "analysis-build-report:"


def report_to_build() -> None:
    """Printed by the last cell the build injects: the work this kernel did and the files it wrote."""
    written = sorted(str(p) for p in export.WRITTEN)
    print(REPORT_MARK + json.dumps({"work": work_done(), "written": written}))


def show_all_rows() -> None:
    """Audit tables should be read whole, not truncated."""
    pd.set_option("display.max_rows", 500)
    pd.set_option("display.max_colwidth", 200)
