"""Uncertainty that respects dependence: stories as units, the rigid-shift null, design effect,
what a zero rules out, and power.

Why a rigid calendar shift of the whole ledger (and not block shifts of the incident series):
moving every claim by the same number of days keeps everything that makes the rows dependent —
echoes stay together, claims keep their places and window lengths, and the incident series keeps
its own clustering in time and space — while breaking only the link the null denies, the timing of
the claims relative to the incidents. Block shifts of the incident series would have to choose a
block length (how long an offensive lasts) and would cut offensives at block edges; the rigid
shift needs no such choice and is exhaustive over offsets, so it needs no random seed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.method.stats import Coverage, poisson_binomial_pmf

# --- the rigid-shift null ----------------------------------------------------------------------


def shift_offsets(cover: Coverage, select: np.ndarray) -> np.ndarray:
    """Every offset (days) that keeps each selected claim's window start in the reference period."""
    if not select.any():
        return np.arange(0)
    start = cover.own_start[select] - cover.ref_first
    n_days = cover.matrix.shape[1]
    return np.arange(int(-start.min()), int(n_days - 1 - start.max()) + 1)


def shifted_hits(cover: Coverage, select: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """hits[k, j]: would selected claim k be a hit if the whole ledger moved by offsets[j] days?"""
    start = (cover.own_start[select] - cover.ref_first).astype(np.int64)
    columns = start[:, None] + offsets[None, :]
    return np.take_along_axis(cover.matrix[select], columns, axis=1)


def unit_hits(hits: np.ndarray, units: np.ndarray) -> np.ndarray:
    """Per offset, how many units (stories) have at least one hit row: shape (n_units, n_offsets)."""
    labels, index = np.unique(units, return_inverse=True)
    out = np.zeros((len(labels), hits.shape[1]), bool)
    np.logical_or.at(out, index, hits)
    return out


@dataclass(frozen=True)
class ShiftNull:
    """The distribution of chance hits over every rigid shift of the ledger."""

    units: int
    offsets: int
    observed_hits: int
    expected_hits: float
    variance: float
    p_zero_hits: float
    p_at_most_observed: float
    p_at_least_observed: float
    percentile_90: float
    maximum: int

    def as_dict(self) -> dict:
        return asdict(self)


def shift_null(counts: np.ndarray, units: int, observed: int) -> ShiftNull:
    counts = np.asarray(counts)
    if len(counts) == 0:
        nan = float("nan")
        return ShiftNull(units, 0, observed, nan, nan, nan, nan, nan, nan, 0)
    return ShiftNull(
        units=units,
        offsets=len(counts),
        observed_hits=observed,
        expected_hits=float(counts.mean()),
        variance=float(counts.var()),
        p_zero_hits=float((counts == 0).mean()),
        p_at_most_observed=float((counts <= observed).mean()),
        p_at_least_observed=float((counts >= observed).mean()),
        percentile_90=float(np.percentile(counts, 90)),
        maximum=int(counts.max()),
    )


@dataclass(frozen=True)
class Dependence:
    """Rows against stories: the two nulls side by side, and the design effect."""

    independent_variance: float
    shift_variance: float
    design_effect: float
    rows: int
    effective_n: float
    stories: int

    def as_dict(self) -> dict:
        return asdict(self)


def design_effect(p0: np.ndarray, shift_counts: np.ndarray, stories: int) -> Dependence:
    """Kish's design effect read directly as a variance ratio: the variance of chance hits under
    the rigid shift (dependence kept) over their variance if the rows were independent."""
    p0 = np.asarray(p0, float)
    independent = float((p0 * (1 - p0)).sum())
    shifted = float(np.var(shift_counts)) if len(shift_counts) else float("nan")
    deff = shifted / independent if independent > 0 else float("nan")
    effective = len(p0) / deff if deff and deff > 0 else float("nan")
    return Dependence(independent, shifted, deff, len(p0), effective, stories)


# --- what a zero rules out -------------------------------------------------------------------------


def upper_bound(hits: int, n: int, confidence: float) -> float:
    """One-sided exact (Clopper–Pearson) upper bound on a hit rate; 1 - (1-c)**(1/n) for 0 of n."""
    if n == 0:
        return float("nan")
    if hits >= n:
        return 1.0
    return float(stats.beta.ppf(confidence, hits + 1, n - hits))


def likelihood_ratio(story_hit: np.ndarray, story_p0: np.ndarray, reliability: float) -> float:
    """P(record | chance) / P(record | reliable): stories as independent units; under chance a
    story comes true with its own chance p0 (from the rigid shift), under reliability with
    probability `reliability` (or its chance, if that is higher)."""
    hit = np.asarray(story_hit, bool)
    p0 = np.asarray(story_p0, float)
    p1 = np.maximum(p0, reliability)
    # A story certain under both (p0 = 1) makes both logs -inf: the ratio is undefined (nan), silently.
    with np.errstate(divide="ignore", invalid="ignore"):
        log_chance = np.where(hit, np.log(p0, where=p0 > 0, out=np.full(len(p0), -np.inf)), np.log1p(-p0))
        log_reliable = np.where(hit, np.log(p1), np.log1p(-p1))
        return float(np.exp(log_chance.sum() - log_reliable.sum()))


# --- power -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Power:
    n: int
    null_rate: float
    critical_hits: int | None  # fewest hits that would be significant; None: none would be
    detectable_rate: float  # smallest true rate found with the declared power; nan: none
    alpha: float
    power: float

    @property
    def times_chance(self) -> float:
        """How many times the chance rate the detectable rate is (nan without both)."""
        if not self.null_rate or self.detectable_rate != self.detectable_rate:
            return float("nan")
        return self.detectable_rate / self.null_rate

    def as_dict(self) -> dict:
        return {**asdict(self), "times_chance": self.times_chance}


def detectable_rate(n: int, null_rate: float, alpha: float, power: float) -> Power:
    """Smallest true hit rate that an exact one-sided binomial test of n units against null_rate
    detects with the given power. P(X >= c | p) is the regularised incomplete beta I_p(c, n-c+1),
    so the rate solving P(X >= c | p) = power is a beta quantile."""
    if n == 0:
        return Power(0, null_rate, None, float("nan"), alpha, power)
    tail = stats.binom.sf(np.arange(n + 1) - 1, n, null_rate)  # P(X >= c) for c = 0..n
    significant = np.flatnonzero(tail <= alpha)
    if len(significant) == 0:
        return Power(n, null_rate, None, float("nan"), alpha, power)
    c = int(significant[0])
    return Power(n, null_rate, c, float(stats.beta.ppf(power, c, n - c + 1)), alpha, power)


# --- putting it together for one rule ------------------------------------------------------------


@dataclass
class StoryScore:
    table: pd.DataFrame  # one row per story with a scored prediction: rows, hit, p0 under the shift
    rows_null: ShiftNull
    stories_null: ShiftNull
    dependence: Dependence


def story_score(
    cover: Coverage, claim_ids: np.ndarray, select: np.ndarray, story: pd.Series, hit: pd.Series
) -> StoryScore:
    """Per-story verdicts and both levels of the rigid-shift null for the selected coverage rows.

    select: which coverage rows (scored predictions) count; story/hit: by claim id."""
    ids = claim_ids[cover.rows][select]
    units = story.reindex(ids).to_numpy()
    offsets = shift_offsets(cover, select)
    hits = shifted_hits(cover, select, offsets)
    by_story = unit_hits(hits, units)
    labels = np.unique(units)
    row_hit = hit.reindex(ids).to_numpy(bool)
    observed_story = pd.Series(row_hit).groupby(units).any().reindex(labels).to_numpy(bool)
    table = pd.DataFrame(
        {
            "story_id": labels,
            "rows": pd.Series(units).value_counts().reindex(labels).to_numpy(),
            "claim_ids": [";".join(ids[units == s]) for s in labels],
            "hit": observed_story,
            "p0_shift": by_story.mean(axis=1) if by_story.shape[1] else np.nan,
        }
    )
    p0 = cover.p0[select]
    return StoryScore(
        table=table,
        rows_null=shift_null(hits.sum(axis=0), len(ids), int(row_hit.sum())),
        stories_null=shift_null(by_story.sum(axis=0), len(labels), int(observed_story.sum())),
        dependence=design_effect(p0, hits.sum(axis=0), len(labels)),
    )


def independent_p_zero(p0: np.ndarray) -> float:
    return float(poisson_binomial_pmf(np.asarray(p0, float))[0])
