"""Completeness: Chapman's two-list estimator against hand values and a brute-force expectation,
and the counts by year against the ledgers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import hypergeom

from analysis.inputs import paths
from analysis.inputs.load import load
from analysis.method.completeness import (
    Comparison,
    chapman,
    completeness_table,
    counts_by_year,
    estimate,
    load_comparisons,
)


def test_chapman_hand_values():
    # (39+1)(7+1)/(6+1) - 1 = 320/7 - 1 = 44.714...; variance 40*8*33*1/(49*8) = 10560/392
    result = chapman(39, 7, 6)
    assert result.estimate == pytest.approx(320 / 7 - 1)
    assert result.variance == pytest.approx(10560 / 392)
    # (33+1)(14+1)/(10+1) - 1 = 510/11 - 1 = 45.36...
    assert chapman(33, 14, 10).estimate == pytest.approx(510 / 11 - 1)


def test_chapman_interval_by_hand():
    result = chapman(39, 7, 6)
    observed = 39 + 7 - 6
    unseen = result.estimate - observed
    spread = math.exp(1.959963984540054 * math.sqrt(math.log(1 + result.variance / unseen**2)))
    assert result.low == pytest.approx(observed + unseen / spread)
    assert result.high == pytest.approx(observed + unseen * spread)


def test_no_unseen_when_one_list_holds_the_other():
    result = chapman(10, 4, 4)
    assert result.estimate == result.low == result.high == 10


@given(st.integers(0, 60), st.integers(0, 60), st.data())
def test_estimate_never_below_what_was_seen(n1, n2, data):
    m = data.draw(st.integers(0, min(n1, n2)))
    result = chapman(n1, n2, m)
    assert result.estimate >= result.observed - 1e-9
    assert result.observed - 1e-9 <= result.low <= result.estimate <= result.high + 1e-9


@pytest.mark.parametrize("population, n1, n2", [(10, 6, 5), (12, 7, 8), (20, 10, 10), (15, 15, 3)])
def test_unbiased_when_the_samples_cover_the_population(population, n1, n2):
    """Chapman (1951): for independent simple random samples with n1 + n2 >= N the estimator is
    exactly unbiased. Brute force over the hypergeometric law of the overlap m."""
    law = hypergeom(population, n1, n2)
    low = max(0, n1 + n2 - population)
    expected = sum(law.pmf(m) * chapman(n1, n2, m).estimate for m in range(low, min(n1, n2) + 1))
    assert expected == pytest.approx(population)


def test_impossible_overlap_is_refused():
    with pytest.raises(ValueError):
        chapman(3, 5, 4)


def test_counts_by_year_add_up_to_the_ledgers():
    ledgers = load()
    table = counts_by_year(ledgers)
    assert table["claims"].sum() == len(ledgers.claims)
    assert table["incidents"].sum() == len(ledgers.incidents)
    assert (table["confirmed"].replace("", 0) <= table["incidents"]).all()


def test_declared_comparisons_match_rows_in_their_periods():
    ledgers = load()
    comparisons = load_comparisons(paths.rules_path())
    assert comparisons, "rules.toml declares the EUvsDisinfo comparisons"
    for comparison in comparisons:
        result = estimate(ledgers, comparison)
        assert result.m == len(comparison.matched) <= result.n2
    assert len(completeness_table(ledgers, paths.rules_path())) == len(comparisons)


def test_a_match_outside_its_period_is_an_error():
    comparison = Comparison("x", [("2018-08-01", "2018-11-30")], 3, ["C1501"], "test")
    with pytest.raises(ValueError, match="C1501"):
        estimate(load(), comparison)
