"""What a notebook needs, loaded once per kernel: ledgers, rules and results for the current
data folder (data/, or the folder the build points to via $ANALYSIS_DATA_DIR)."""

from __future__ import annotations

import functools

import pandas as pd

from analysis import paths
from analysis.load import Ledgers, load
from analysis.results import Results, compute
from analysis.rules import Rules, load_rules


@functools.cache
def ledgers() -> Ledgers:
    return load(paths.data_dir())


@functools.cache
def rules() -> Rules:
    return load_rules(paths.rules_path(paths.data_dir()))


@functools.cache
def results() -> Results:
    return compute(ledgers(), rules())


def show_all_rows() -> None:
    """Audit tables should be read whole, not truncated."""
    pd.set_option("display.max_rows", 500)
    pd.set_option("display.max_colwidth", 200)
