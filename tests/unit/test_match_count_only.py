"""The count-only path (match.hits, verdicts(..., ids=False)) gives the same verdicts as the
materialising path, which forms the candidate pairs: on random small ledgers and on the shipped
data, for every rule of the grid."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import synthetic
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.inputs.load import load
from analysis.inputs.rules import load_rules
from analysis.method import match

GEOGRAPHIES = ["radius", "district", "governorate", "anywhere"]


def brute_overlap(c_key, c_start, c_end, i_key, i_first, i_last) -> np.ndarray:
    """Reference: every claim against every incident."""
    return np.array(
        [
            bool(np.any((i_key == k) & (i_last >= s) & (i_first <= e)))
            for k, s, e in zip(c_key, c_start, c_end, strict=True)
        ],
        dtype=bool,
    )


@settings(max_examples=200, deadline=None)
@given(
    claims=st.lists(st.tuples(st.integers(0, 3), st.integers(-5, 40), st.integers(0, 20)), max_size=30),
    incidents=st.lists(
        st.tuples(st.integers(0, 3), st.integers(-5, 40), st.integers(0, 10), st.booleans()), max_size=30
    ),
)
def test_any_overlap_equals_brute_force(claims, incidents):
    c = np.array(claims, dtype=float).reshape(-1, 3)
    i = np.array(incidents, dtype=float).reshape(-1, 4)
    c_key, c_start, c_end = c[:, 0].astype(np.int64), c[:, 1], c[:, 1] + c[:, 2]
    i_key, i_first = i[:, 0].astype(np.int64), i[:, 1]
    i_last = np.where(i[:, 3] == 1, np.nan, i[:, 1] + i[:, 2])  # some incidents undated: never match
    got = match._any_overlap(c_key, c_start, c_end, i_key, i_first, i_last)
    assert got.tolist() == brute_overlap(c_key, c_start, c_end, i_key, i_first, i_last).tolist()


def _same_verdicts(prep, rule) -> pd.Series:
    materialised = match.verdicts(prep, rule, explain=False, pairs=match.candidate_pairs(prep, rule))
    counted = match.verdicts(prep, rule, explain=False, ids=False)
    assert "matched_incidents" not in counted.columns
    pd.testing.assert_frame_equal(counted, materialised.drop(columns="matched_incidents"))
    return counted["verdict"]


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_claims=st.integers(1, 300),
    n_incidents=st.integers(1, 300),
    n_places=st.integers(20, 120),
    geography=st.sampled_from(GEOGRAPHIES),
    radius_km=st.sampled_from([5.0, 10.0, 25.0, 50.0]),
    window_days=st.sampled_from([2, 7, 30, 90]),
    stated_frame=st.sampled_from(["ignore", "replace"]),
    min_evidence=st.sampled_from(["confirmed", "credible_report", "alleged_unverified", "disputed"]),
    shape=st.sampled_from(["any", "accused_side"]),
)
def test_count_only_equals_materialising_on_random_ledgers(
    seed, n_claims, n_incidents, n_places, geography, radius_km, window_days, stated_frame, min_evidence, shape
):
    rules = synthetic.synthetic_rules(load_rules())
    ledgers = synthetic.synthetic_ledgers(n_claims, n_incidents, n_places=n_places, seed=seed)
    prep = match.prepare(ledgers, rules)
    rule = replace(
        rules.primary,
        geography=geography,
        radius_km=radius_km,
        window_days=window_days,
        stated_frame=stated_frame,
        min_evidence=min_evidence,
        shape=shape,
    )
    _same_verdicts(prep, rule)


@pytest.mark.parametrize("geography", GEOGRAPHIES)
def test_count_only_finds_hits_and_misses_on_a_larger_ledger(geography):
    """Not a vacuous agreement: both verdicts occur, and the paths agree claim by claim."""
    rules = synthetic.synthetic_rules(load_rules())
    prep = match.prepare(synthetic.synthetic_ledgers(3_000, 2_000, n_places=300, seed=11), rules)
    rule = replace(
        rules.primary,
        geography=geography,
        radius_km=25.0,
        window_days=2,
        min_evidence="confirmed",
        shape="accused_side",
    )
    verdict = _same_verdicts(prep, rule)
    assert {"materialized", "not_materialized"} <= set(verdict)


def test_count_only_forms_no_pairs(monkeypatch):
    rules = synthetic.synthetic_rules(load_rules())
    prep = match.prepare(synthetic.synthetic_ledgers(500, 500, n_places=100, seed=3), rules)

    def refuse(*args, **kwargs):
        raise AssertionError("the count-only path formed candidate pairs")

    monkeypatch.setattr(match, "_pairs", refuse)
    for geography in GEOGRAPHIES:
        match.verdicts(prep, replace(rules.primary, geography=geography, radius_km=25.0), explain=False, ids=False)


def test_count_only_refuses_explanations():
    rules = synthetic.synthetic_rules(load_rules())
    prep = match.prepare(synthetic.synthetic_ledgers(10, 10, n_places=30, seed=1), rules)
    with pytest.raises(ValueError, match="count-only"):
        match.verdicts(prep, rules.primary, explain=True, ids=False)


def test_count_only_equals_materialising_on_the_shipped_data_for_every_grid_rule():
    rules = load_rules()
    prep = match.prepare(load(), rules)
    hits = 0
    for rule in rules.grid:
        hits += int((_same_verdicts(prep, rule) == "materialized").sum())
    assert hits > 0
