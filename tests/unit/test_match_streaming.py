"""Streaming the candidate pairs (match.candidate_chunks) changes memory, never verdicts.

Synthetic ledgers from the benchmark's builder (benchmarks/synthetic.py), with a tiny pair
budget so that every geography is cut into many slices of claims."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import synthetic

from analysis.inputs.rules import load_rules
from analysis.method import match

GEOGRAPHIES = ["radius", "district", "governorate", "anywhere"]


@pytest.fixture(scope="module")
def prepared():
    rules = synthetic.synthetic_rules(load_rules())
    ledgers = synthetic.synthetic_ledgers(3_000, 2_000, n_places=300, seed=7)
    return match.prepare(ledgers, rules), rules


@pytest.mark.parametrize("geography", GEOGRAPHIES)
def test_chunks_together_are_the_candidate_pairs(prepared, monkeypatch, geography):
    prep, rules = prepared
    monkeypatch.setattr(match, "FIRST_CHUNK_CLAIMS", 50)
    rule = replace(rules.primary, geography=geography, radius_km=25.0)
    whole = match.candidate_pairs(prep, rule)
    chunks = list(match.candidate_chunks(prep, rule, budget=2_000))
    assert len(chunks) > 3
    assert pd.concat(chunks, ignore_index=True).equals(whole.reset_index(drop=True))


@pytest.mark.parametrize("geography", GEOGRAPHIES)
@pytest.mark.parametrize("shape", ["any", "accused_side"])
@pytest.mark.parametrize("min_evidence", ["confirmed", "alleged_unverified"])
def test_streamed_verdicts_equal_the_verdicts_from_all_pairs(prepared, monkeypatch, geography, shape, min_evidence):
    prep, rules = prepared
    rule = replace(rules.primary, geography=geography, radius_km=25.0, shape=shape, min_evidence=min_evidence)
    from_all_pairs = match.verdicts(prep, rule, explain=False, pairs=match.candidate_pairs(prep, rule))
    monkeypatch.setattr(match, "PAIR_BUDGET", 1_000)
    monkeypatch.setattr(match, "FIRST_CHUNK_CLAIMS", 50)
    streamed = match.verdicts(prep, rule, explain=False)
    pd.testing.assert_frame_equal(streamed, from_all_pairs)
    assert (streamed["verdict"] == "materialized").any()


def test_qualifying_only_chunks_are_the_qualifying_pairs(prepared, monkeypatch):
    prep, rules = prepared
    monkeypatch.setattr(match, "FIRST_CHUNK_CLAIMS", 50)
    rule = replace(rules.primary, geography="district", shape="accused_side")
    pairs = match.candidate_pairs(prep, rule)
    expected = pairs.loc[match.qualifying(pairs, prep, rule), ["claim_row", "incident_row"]]
    got = pd.concat(match.candidate_chunks(prep, rule, budget=500, qualifying_only=True), ignore_index=True)
    assert np.array_equal(got.to_numpy(dtype=np.int64), expected.to_numpy(dtype=np.int64))
