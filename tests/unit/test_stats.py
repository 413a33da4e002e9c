"""Intervals against scipy and closed forms; the Poisson-binomial null model."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis.method.stats import all_intervals, null_model, poisson_binomial_pmf, proportion

Z = stats.norm.ppf(0.975)
FAST = settings(deadline=None, max_examples=40)


# --- closed forms ---------------------------------------------------------------------------------


def test_clopper_pearson_zero_of_22():
    p = proportion(0, 22, "clopper-pearson")
    assert p.rate == 0.0
    assert p.ci_low == 0.0
    assert p.ci_high == pytest.approx(1 - 0.025 ** (1 / 22), abs=1e-4)
    assert p.ci_high == pytest.approx(0.1544, abs=1e-4)
    assert p.text() == "0 of 22 (95% CI 0.0%–15.4%, Clopper–Pearson)"


@pytest.mark.parametrize("n", [1, 5, 22, 100])
def test_clopper_pearson_all_hits_closed_form(n):
    p = proportion(n, n, "clopper-pearson")
    assert p.ci_high == 1.0
    assert p.ci_low == pytest.approx(0.025 ** (1 / n), abs=1e-9)


@pytest.mark.parametrize("k,n", [(1, 22), (3, 10), (7, 39), (12, 12)])
def test_clopper_pearson_matches_beta_quantiles(k, n):
    p = proportion(k, n, "clopper-pearson")
    low = 0.0 if k == 0 else stats.beta.ppf(0.025, k, n - k + 1)
    high = 1.0 if k == n else stats.beta.ppf(0.975, k + 1, n - k)
    assert p.ci_low == pytest.approx(low, abs=1e-9)
    assert p.ci_high == pytest.approx(high, abs=1e-9)


@pytest.mark.parametrize("n", [1, 10, 22, 39])
def test_wilson_upper_bound_at_zero(n):
    p = proportion(0, n, "wilson")
    assert p.ci_low == pytest.approx(0.0, abs=1e-12)
    assert p.ci_high == pytest.approx(Z**2 / (n + Z**2), abs=1e-9)


@pytest.mark.parametrize("k,n", [(3, 10), (1, 22), (20, 39)])
def test_wilson_closed_form(k, n):
    phat = k / n
    centre = (phat + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(phat * (1 - phat) / n + Z**2 / (4 * n**2))
    p = proportion(k, n, "wilson")
    assert p.ci_low == pytest.approx(centre - half, abs=1e-9)
    assert p.ci_high == pytest.approx(centre + half, abs=1e-9)


@pytest.mark.parametrize("n", [1, 10, 22, 39])
def test_jeffreys_at_zero(n):
    p = proportion(0, n, "jeffreys")
    assert p.ci_low == 0.0
    assert p.ci_high == pytest.approx(stats.beta.ppf(0.975, 0.5, n + 0.5), abs=1e-12)


def test_jeffreys_interior_and_top():
    p = proportion(3, 10, "jeffreys")
    assert p.ci_low == pytest.approx(stats.beta.ppf(0.025, 3.5, 7.5), abs=1e-12)
    assert p.ci_high == pytest.approx(stats.beta.ppf(0.975, 3.5, 7.5), abs=1e-12)
    top = proportion(22, 22, "jeffreys")
    assert top.ci_high == 1.0
    assert top.ci_low == pytest.approx(stats.beta.ppf(0.025, 22.5, 0.5), abs=1e-12)


def test_zero_denominator_and_unknown_method():
    p = proportion(0, 0)
    assert p.n == 0 and math.isnan(p.rate) and math.isnan(p.ci_high)
    assert p.text() == "0 of 0 (no claims to score)"
    with pytest.raises(ValueError):
        proportion(1, 2, "wald")


def test_all_intervals_at_zero_of_22_are_ordered():
    found = all_intervals(0, 22)
    assert set(found) == {"clopper-pearson", "wilson", "jeffreys"}
    # At k = 0 the exact interval is the most conservative, Jeffreys the least.
    assert found["jeffreys"].ci_high < found["wilson"].ci_high < found["clopper-pearson"].ci_high
    assert found["wilson"].ci_high == pytest.approx(0.1487, abs=1e-4)
    assert found["jeffreys"].ci_high == pytest.approx(0.1067, abs=1e-4)


# --- properties -------------------------------------------------------------------------------------

counts = st.integers(min_value=1, max_value=200).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)
methods = st.sampled_from(["clopper-pearson", "wilson", "jeffreys"])


@FAST
@given(counts, methods)
def test_interval_contains_estimate_and_stays_in_unit_interval(kn, method):
    k, n = kn
    p = proportion(k, n, method)
    assert p.rate == k / n
    assert 0.0 <= p.ci_low <= p.rate + 1e-12
    assert p.rate - 1e-12 <= p.ci_high <= 1.0


@FAST
@given(st.integers(min_value=1, max_value=500))
def test_clopper_pearson_at_least_as_wide_as_jeffreys_at_zero(n):
    cp = proportion(0, n, "clopper-pearson")
    jf = proportion(0, n, "jeffreys")
    assert cp.ci_low == jf.ci_low == 0.0
    assert cp.ci_high >= jf.ci_high


@FAST
@given(counts, methods)
def test_interval_is_symmetric_under_relabelling(kn, method):
    k, n = kn
    a, b = proportion(k, n, method), proportion(n - k, n, method)
    assert a.ci_low == pytest.approx(1 - b.ci_high, abs=1e-7)
    assert a.ci_high == pytest.approx(1 - b.ci_low, abs=1e-7)


probabilities = st.lists(st.floats(min_value=0.0, max_value=1.0, allow_nan=False), min_size=0, max_size=30)


@FAST
@given(probabilities)
def test_poisson_binomial_pmf_is_a_distribution(p):
    pmf = poisson_binomial_pmf(np.array(p))
    assert len(pmf) == len(p) + 1
    assert pmf.min() >= -1e-12
    assert pmf.sum() == pytest.approx(1.0, abs=1e-9)
    mean = float(np.dot(np.arange(len(pmf)), pmf))
    assert mean == pytest.approx(sum(p), abs=1e-7)


@FAST
@given(
    st.integers(min_value=0, max_value=40),
    # scipy.stats.binom.pmf itself overflows for subnormal p, so keep p away from 1e-308
    st.one_of(st.sampled_from([0.0, 1.0]), st.floats(min_value=1e-6, max_value=1 - 1e-6)),
)
def test_poisson_binomial_equals_binomial_when_p_equal(n, q):
    pmf = poisson_binomial_pmf(np.full(n, q))
    np.testing.assert_allclose(pmf, stats.binom.pmf(np.arange(n + 1), n, q), atol=1e-12)


def test_poisson_binomial_small_case_by_hand():
    # p = (0.2, 0.5): P(0) = 0.4, P(1) = 0.2*0.5 + 0.8*0.5 = 0.5, P(2) = 0.1
    np.testing.assert_allclose(poisson_binomial_pmf(np.array([0.2, 0.5])), [0.4, 0.5, 0.1])


# --- null model -----------------------------------------------------------------------------------


def test_null_model_zero_hits_with_rare_incidents():
    p0 = pd.Series([0.01] * 10 + [float("nan")])  # unscored claims (NaN) are dropped
    result = null_model(p0, observed_hits=0)
    assert result.n == 10
    assert result.expected_hits == pytest.approx(0.1)
    assert result.mean_p0 == pytest.approx(0.01)
    assert result.p_zero_hits == pytest.approx(0.99**10)
    assert result.p_at_most_observed == pytest.approx(0.99**10)
    assert result.p_at_least_observed == pytest.approx(1.0)
    assert result.can_distinguish is False
    assert "too rare" in result.verdict_text


def test_null_model_zero_hits_with_common_incidents():
    result = null_model(pd.Series([0.5] * 22), observed_hits=0)
    assert result.expected_hits == pytest.approx(11.0)
    assert result.p_zero_hits == pytest.approx(0.5**22)
    assert result.p_at_most_observed == pytest.approx(0.5**22)
    assert result.can_distinguish is True
    assert result.verdict_text == "fewer hits than chance alone would produce"


def test_null_model_tails_against_binomial():
    result = null_model(pd.Series([0.3] * 12), observed_hits=5)
    assert result.p_at_most_observed == pytest.approx(stats.binom.cdf(5, 12, 0.3))
    assert result.p_at_least_observed == pytest.approx(stats.binom.sf(4, 12, 0.3))
    assert result.p_zero_hits == pytest.approx(0.7**12)


def test_null_model_more_hits_than_chance():
    result = null_model(pd.Series([0.1] * 20), observed_hits=8)
    assert result.p_at_least_observed == pytest.approx(stats.binom.sf(7, 20, 0.1))
    assert result.p_at_least_observed < 0.05
    assert result.can_distinguish is True
    assert result.verdict_text == "more hits than chance alone would produce"


def test_null_model_observed_above_n():
    result = null_model(pd.Series([0.5, 0.5]), observed_hits=3)
    assert result.p_at_least_observed == 0.0
    assert result.p_at_most_observed == pytest.approx(1.0)


def test_null_model_empty():
    result = null_model(pd.Series([], dtype=float), observed_hits=0)
    assert result.n == 0
    assert result.expected_hits == 0.0
    assert result.p_zero_hits == 1.0
    assert math.isnan(result.mean_p0)


# Regression: null_model used to judge distinguishability by P(0 hits) alone and called 6 of 10
# (p0 = 0.5) "more hits than chance"; found while writing these tests, fixed in the working tree.
def test_null_model_does_not_claim_a_difference_in_the_bulk():
    # 10 claims with p0 = 0.5: 6 hits is entirely ordinary (P(X >= 6) ~ 0.38).
    result = null_model(pd.Series([0.5] * 10), observed_hits=6)
    assert result.p_at_least_observed == pytest.approx(stats.binom.sf(5, 10, 0.5))
    assert result.p_at_least_observed > 0.3
    assert result.can_distinguish is False
    assert result.verdict_text == "the observed hits are within what chance alone would produce"
