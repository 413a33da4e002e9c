"""Proportions with intervals, and the base-rate null model."""

from __future__ import annotations

import functools
import itertools
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from analysis.inputs.rules import Rule, Rules
from analysis.method.match import Prepared, candidate_pairs, claim_windows, is_scored, qualifying

CONFIDENCE = 0.95
DEFAULT_METHOD = "clopper-pearson"


@dataclass(frozen=True)
class Proportion:
    hits: int
    n: int
    rate: float
    ci_low: float
    ci_high: float
    method: str

    def text(self) -> str:
        """'0 of 22 (95% CI 0.0%-15.4%, Clopper-Pearson)': always with the denominator."""
        if self.n == 0:
            return "0 of 0 (no claims to score)"
        return (
            f"{self.hits} of {self.n} ({CONFIDENCE:.0%} CI {self.ci_low:.1%}–{self.ci_high:.1%}, "
            f"{self.method.replace('-', '–').title()})"
        )

    def as_dict(self) -> dict:
        return asdict(self)


@functools.lru_cache(maxsize=4096)  # the grid asks for the same (hits, n) hundreds of times
def proportion(hits: int, n: int, method: str = DEFAULT_METHOD, confidence: float = CONFIDENCE) -> Proportion:
    """Hit rate with a two-sided interval: clopper-pearson (exact), wilson or jeffreys."""
    if n == 0:
        return Proportion(0, 0, float("nan"), float("nan"), float("nan"), method)
    if method in ("clopper-pearson", "wilson"):
        scipy_method = "exact" if method == "clopper-pearson" else "wilson"
        ci = stats.binomtest(hits, n).proportion_ci(confidence, method=scipy_method)
        low, high = float(ci.low), float(ci.high)
    elif method == "jeffreys":
        alpha = 1 - confidence
        posterior = stats.beta(hits + 0.5, n - hits + 0.5)
        # Brown, Cai & DasGupta (2001): the bound is set to 0 (or 1) at the boundary.
        low = 0.0 if hits == 0 else float(posterior.ppf(alpha / 2))
        high = 1.0 if hits == n else float(posterior.ppf(1 - alpha / 2))
    else:
        raise ValueError(f"unknown interval method {method!r}")
    return Proportion(hits, n, hits / n, low, high, method)


def all_intervals(hits: int, n: int) -> dict[str, Proportion]:
    return {m: proportion(hits, n, m) for m in ("clopper-pearson", "wilson", "jeffreys")}


def breakdown(verdict_table: pd.DataFrame, claims: pd.DataFrame, by: str) -> pd.DataFrame:
    """Hits and intervals by a claims column (claimant_group, claim_type, month)."""
    scored = verdict_table[is_scored(verdict_table["verdict"])]
    merged = scored.merge(claims[["claim_id", "claimant_group", "claim_type", "date_earliest"]], on="claim_id")
    merged["month"] = merged["date_earliest"].dt.strftime("%Y-%m")
    rows = []
    for value, group in merged.groupby(by, sort=True):
        p = proportion(int((group["verdict"] == "materialized").sum()), len(group))
        rows.append({by: value, "hits": p.hits, "n": p.n, "rate": p.rate, "ci_low": p.ci_low, "ci_high": p.ci_high})
    return pd.DataFrame(rows, columns=[by, "hits", "n", "rate", "ci_low", "ci_high"])


# --- base-rate null model ----------------------------------------------------------------------


def day_number(value: pd.Timestamp) -> float:
    return float(value.to_datetime64().astype("datetime64[D]").astype(np.int64))


@dataclass(frozen=True)
class Coverage:
    """Which start days of the reference period would make each assessable claim a hit.

    matrix[k, s] is True when a window of claim rows[k]'s length, at its places, starting on
    reference day s (day ref_first + s), contains a qualifying incident. own_start[k] is the start
    day of the claim's real window, so the row's observed verdict is matrix[k, own_start - ref_first]
    whenever that day lies in the reference period.
    """

    rows: np.ndarray  # positions in prep.claims
    own_start: np.ndarray  # day numbers
    ref_first: float
    matrix: np.ndarray  # bool, (len(rows), days in reference period)

    @property
    def p0(self) -> np.ndarray:
        return self.matrix.mean(axis=1)


def spanning_pairs(prep: Prepared, rule: Rule, rules: Rules, longest: float) -> pd.DataFrame:
    """Candidate (claim, incident) pairs in place for windows up to `longest` days starting
    anywhere in the reference period. Geography does not depend on time, so one join with a window
    spanning the whole period finds every incident some shifted window could catch."""
    ref_first, ref_last = day_number(rules.reference_from), day_number(rules.reference_to)
    shifted = prep.claims.copy()
    shifted["day_first"] = ref_first
    shifted["day_last"] = ref_first
    shifted["is_occurrence"] = False
    wide = Prepared(shifted, prep.claim_places, prep.incidents, prep.incident_places)
    span_rule = replace(rule, window_days=int(ref_last - ref_first + longest), stated_frame="ignore")
    return candidate_pairs(wide, span_rule)


def coverage(prep: Prepared, rule: Rule, rules: Rules, pairs: pd.DataFrame | None = None) -> Coverage:
    """The claim windows slid across every start day of the reference period (places and
    lengths kept): the basis of both the independent null (p0) and the rigid-shift null.

    pairs: candidate pairs from spanning_pairs() for the rule's geography, shared across rules;
    any superset of the true candidates gives the same result (the day arithmetic below is exact)."""
    claims = prep.claims
    ref_first, ref_last = day_number(rules.reference_from), day_number(rules.reference_to)
    n_days = int(ref_last - ref_first + 1)
    start, end = claim_windows(claims, rule)
    lengths = end - start  # window length in days, minus one
    scored = claims["assessable"].to_numpy() & ~np.isnan(lengths)
    rows = np.flatnonzero(scored)
    position = np.full(len(claims), -1)
    position[rows] = np.arange(len(rows))
    if pairs is None:
        pairs = spanning_pairs(prep, rule, rules, float(np.nanmax(lengths, initial=0.0)))
    pairs = pairs.loc[qualifying(pairs, prep, rule)]
    claim_row = pairs["claim_row"].to_numpy(dtype=np.int64)
    incident_row = pairs["incident_row"].to_numpy(dtype=np.int64)
    keep = scored[claim_row]
    claim_row, incident_row = claim_row[keep], incident_row[keep]
    # Start days s whose window [s, s+len] overlaps incident [a, b]: s in [a-len, b].
    lo = np.maximum(prep.incidents["day_first"].to_numpy()[incident_row] - lengths[claim_row], ref_first)
    hi = np.minimum(prep.incidents["day_last"].to_numpy()[incident_row], ref_last)
    ok = hi >= lo
    k = position[claim_row[ok]]
    diff = np.zeros((len(rows), n_days + 1), np.int64)
    np.add.at(diff, (k, (lo[ok] - ref_first).astype(np.int64)), 1)
    np.add.at(diff, (k, (hi[ok] - ref_first).astype(np.int64) + 1), -1)
    matrix = np.cumsum(diff, axis=1)[:, :n_days] > 0
    return Coverage(rows, start[rows], ref_first, matrix)


def chance_of_incident(prep: Prepared, rule: Rule, rules: Rules, cover: Coverage | None = None) -> pd.Series:
    """For each scored claim: the share of windows of the same length, at the same places, that
    contain a qualifying documented incident, over the reference period.

    The claim's window is slid across every start day of the reference period (keeping its
    geography and length); p0 is the fraction of start days whose window catches an incident.
    """
    cover = coverage(prep, rule, rules) if cover is None else cover
    p0 = np.full(len(prep.claims), np.nan)
    p0[cover.rows] = cover.p0
    return pd.Series(p0, index=prep.claims["claim_id"], name="p0")


def poisson_binomial_pmf(p: np.ndarray) -> np.ndarray:
    """Exact distribution of the number of hits for independent claims with chances p."""
    pmf = np.array([1.0])
    for pi in p:
        pmf = np.convolve(pmf, [1 - pi, pi])
    return pmf


@dataclass(frozen=True)
class NullResult:
    n: int
    observed_hits: int
    expected_hits: float
    mean_p0: float
    p_at_most_observed: float
    p_at_least_observed: float
    p_zero_hits: float
    can_distinguish: bool
    verdict_text: str

    def as_dict(self) -> dict:
        return asdict(self)


def null_model(p0: pd.Series, observed_hits: int) -> NullResult:
    p = p0.dropna().to_numpy()
    pmf = poisson_binomial_pmf(p)
    expected = float(p.sum())
    at_most = float(pmf[: observed_hits + 1].sum())
    at_least = float(pmf[observed_hits:].sum()) if observed_hits < len(pmf) else 0.0
    zero = float(pmf[0])
    # The observed count is "distinguishable" from chance only if it sits in a 5% tail of the null.
    # When even zero hits would be unremarkable, say that the null has no power here, rather than
    # imply more than the data show.
    alpha = 0.05
    can_distinguish = at_most < alpha or at_least < alpha
    if at_most < alpha:
        text = "fewer hits than chance alone would produce"
    elif at_least < alpha:
        text = "more hits than chance alone would produce"
    elif zero >= alpha:
        text = (
            "documented incidents were too rare in comparable windows for the null model to tell "
            "these claims apart from random dates"
        )
    else:
        text = "the observed hits are within what chance alone would produce"
    return NullResult(
        len(p),
        observed_hits,
        expected,
        float(p.mean()) if len(p) else float("nan"),
        at_most,
        at_least,
        zero,
        bool(can_distinguish),
        text,
    )


COUNTABLE_UNITS = {"attacks", "incidents", "attack", "incident"}


def aggregate_rates(aggregates: pd.DataFrame, window_days: int) -> pd.DataFrame:
    """For each published count of attacks with a stated period: attacks per 30 days, and the
    Poisson chance that a window of `window_days` somewhere in the counted area holds at least one."""
    table = aggregates[aggregates["unit"].str.lower().isin(COUNTABLE_UNITS)]
    table = table.dropna(subset=["period_start", "period_end"]).copy()
    days = (table["period_end"] - table["period_start"]).dt.days + 1
    table = table.loc[days > 0]
    days = days.loc[table.index]
    table["per_30_days"] = table["count"].astype(float) / days * 30
    table["p_window_any"] = 1 - np.exp(-table["count"].astype(float) / days * window_days)
    return table[
        [
            "count_id",
            "source_body",
            "count",
            "unit",
            "period_start",
            "period_end",
            "geography",
            "perpetrator",
            "per_30_days",
            "p_window_any",
        ]
    ].reset_index(drop=True)


def series_increments(aggregates: pd.DataFrame, series: tuple[tuple[str, ...], ...], window_days: int) -> pd.DataFrame:
    """Attacks recorded between successive cumulative totals of one body (declared in rules.toml)."""
    by_id = aggregates.set_index("count_id")
    rows = []
    for ids in series:
        for earlier, later in itertools.pairwise(ids):
            a, b = by_id.loc[earlier], by_id.loc[later]
            days = (b["period_end"] - a["period_end"]).days
            added = int(b["count"]) - int(a["count"])
            rows.append(
                {
                    "from_id": earlier,
                    "to_id": later,
                    "source_body": b["source_body"],
                    "perpetrator": b["perpetrator"],
                    "geography": b["geography"],
                    "after": a["period_end"],
                    "until": b["period_end"],
                    "days": days,
                    "attacks_added": added,
                    "per_30_days": added / days * 30 if days > 0 else float("nan"),
                    "p_window_any": 1 - np.exp(-added / days * window_days) if days > 0 else float("nan"),
                }
            )
    return pd.DataFrame(rows)
