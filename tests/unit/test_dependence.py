"""The rigid-shift null against brute-force re-matching, closed forms for zeros and power, and
the property that a rigid shift of independent claims reproduces the independent null."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from scipy import stats

from analysis.method import dependence as dep
from analysis.method.match import prepare, verdicts
from analysis.method.stats import Coverage, coverage, poisson_binomial_pmf
from tests.conftest import DATA, ledger_specs

FAST = settings(deadline=None, max_examples=25)
SHORT_REFERENCE = (
    (DATA / "rules.toml")
    .read_text(encoding="utf-8")
    .replace('reference_from = "2017-01-01"', 'reference_from = "2018-06-01"')
    .replace('reference_to = "2019-12-31"', 'reference_to = "2019-01-31"')
)


def _predictions(prep, cover):
    return prep.claims["is_prediction"].to_numpy()[cover.rows]


@FAST
@given(specs=ledger_specs(max_claims=4, max_incidents=5))
def test_rigid_shift_equals_rematching_the_shifted_ledger(load_synthetic, specs):
    ledgers, rules = load_synthetic(*specs, rules_text=SHORT_REFERENCE)
    prep = prepare(ledgers, rules)
    for rule in (rules.primary, replace(rules.primary, geography="radius", radius_km=25, window_days=7)):
        cover = coverage(prep, rule, rules)
        select = _predictions(prep, cover)
        offsets = dep.shift_offsets(cover, select)
        counts = dep.shifted_hits(cover, select, offsets).sum(axis=0)
        ids = set(prep.claims["claim_id"].to_numpy()[cover.rows][select])
        for position, offset in enumerate(offsets):
            if position % max(1, len(offsets) // 40):
                continue  # a spread of offsets is enough; re-matching every one is slow
            moved = prep.claims.copy()
            moved["day_first"] += offset
            moved["day_last"] += offset
            shifted = replace(prep, claims=moved)
            table = verdicts(shifted, rule, explain=False)
            brute = int(((table["verdict"] == "materialized") & table["claim_id"].isin(ids)).sum())
            assert counts[position] == brute, (rule.rule_id, offset)


def test_offsets_keep_every_start_inside_the_reference_period():
    cover = Coverage(np.array([0, 1]), np.array([12.0, 15.0]), 10.0, np.zeros((2, 10), bool))
    offsets = dep.shift_offsets(cover, np.array([True, True]))
    assert offsets.min() == -2 and offsets.max() == 4  # starts 2..5 of days 0..9


def test_unit_hits_brute_force():
    rng = np.random.default_rng(1)
    hits = rng.random((6, 9)) < 0.3
    units = np.array(["b", "a", "b", "c", "a", "a"])
    out = dep.unit_hits(hits, units)
    for k, label in enumerate(["a", "b", "c"]):
        assert (out[k] == hits[units == label].any(axis=0)).all()


def test_shift_null_summaries():
    null = dep.shift_null(np.array([0, 0, 1, 3]), units=3, observed=0)
    assert null.p_zero_hits == 0.5 and null.p_at_most_observed == 0.5 and null.p_at_least_observed == 1.0
    assert null.expected_hits == 1.0 and null.variance == pytest.approx(1.5) and null.maximum == 3


def test_perfect_echoes_have_design_effect_n():
    """n rows that always hit together: variance n^2 p(1-p) against n p(1-p), so deff = n."""
    n, p = 5, 0.2
    counts = np.array([n] * 20 + [0] * 80)
    d = dep.design_effect(np.full(n, p), counts, stories=1)
    assert d.design_effect == pytest.approx(n) and d.effective_n == pytest.approx(1.0)


@pytest.mark.parametrize("n", [1, 4, 7, 32])
def test_upper_bound_zero_closed_form(n):
    assert dep.upper_bound(0, n, 0.95) == pytest.approx(1 - 0.05 ** (1 / n))


def test_likelihood_ratio_closed_form():
    assert dep.likelihood_ratio(np.zeros(4, bool), np.full(4, 0.058), 0.5) == pytest.approx((0.942 / 0.5) ** 4)
    # A hit that chance could not produce makes the record impossible under chance.
    assert dep.likelihood_ratio(np.array([True]), np.array([0.0]), 0.5) == 0.0


@pytest.mark.parametrize("n,p0", [(7, 0.06), (32, 0.05), (12, 0.3), (5, 0.2)])
def test_detectable_rate_brute_force(n, p0):
    power = dep.detectable_rate(n, p0, 0.05, 0.8)
    c = power.critical_hits
    tails = [sum(stats.binom.pmf(k, n, p0) for k in range(c_, n + 1)) for c_ in range(n + 1)]
    assert tails[c] <= 0.05 and (c == 0 or tails[c - 1] > 0.05)
    achieved = sum(stats.binom.pmf(k, n, power.detectable_rate) for k in range(c, n + 1))
    assert achieved == pytest.approx(0.8, abs=1e-9)


def test_detectable_rate_none_when_nothing_is_significant():
    assert math.isnan(dep.detectable_rate(2, 0.5, 0.05, 0.8).detectable_rate)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rigid_shift_of_independent_claims_reproduces_the_independent_null(seed):
    """Claims at separate places, each facing its own independent incident series: shifting
    them together is (approximately) drawing each independently, so mean and P(0) agree."""
    rng = np.random.default_rng(seed)
    n_claims, n_days, window = 6, 3000, 20
    rates = rng.uniform(0.002, 0.02, n_claims)
    incidents = rng.random((n_claims, n_days + window)) < rates[:, None]
    # Coverage of a window [s, s+window] at claim k's place.
    csum = np.concatenate([np.zeros((n_claims, 1)), np.cumsum(incidents, axis=1)], axis=1)
    matrix = (csum[:, window + 1 : n_days + window + 1] - csum[:, :n_days]) > 0
    starts = 100 + rng.integers(0, 60, n_claims).astype(float)
    cover = Coverage(np.arange(n_claims), starts, 0.0, matrix)
    select = np.ones(n_claims, bool)
    counts = dep.shifted_hits(cover, select, dep.shift_offsets(cover, select)).sum(axis=0)
    pmf = poisson_binomial_pmf(cover.p0)
    assert counts.mean() == pytest.approx(cover.p0.sum(), rel=0.05)
    assert (counts == 0).mean() == pytest.approx(pmf[0], abs=0.04)
    assert counts.var() == pytest.approx((cover.p0 * (1 - cover.p0)).sum(), rel=0.2)
