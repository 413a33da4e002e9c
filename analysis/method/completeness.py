"""How complete are the ledgers? Counts by year beside published totals, and two-list capture-recapture.

Chapman's estimator (Chapman 1951; variance after Seber 1970) is the bias-corrected two-sample
Lincoln-Petersen estimate. Its assumptions - a closed population, two independent lists, every item
equally catchable in each - are stated wherever a figure is shown: the ledger and the EUvsDisinfo
database both favour the loudest official statements, so the lists are positively dependent and the
estimate is biased low. The comparisons are declared in rules.toml [completeness]; the ledger side
(list 1 and the matched rows present in it) is counted from the data, never typed.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from scipy.stats import norm

from analysis.inputs.load import Ledgers


@dataclass(frozen=True)
class Chapman:
    n1: int  # items on list 1
    n2: int  # items on list 2
    m: int  # items on both
    estimate: float
    variance: float
    low: float
    high: float

    @property
    def observed(self) -> int:
        """Distinct items seen on either list."""
        return self.n1 + self.n2 - self.m


def chapman(n1: int, n2: int, m: int, confidence: float = 0.95) -> Chapman:
    """Chapman's two-list estimate of a closed population's size, with a log-normal interval.

    The interval (Chao 1987) is placed on the unseen part f0 = N - observed, so it never falls below
    the number of items actually seen; with no unseen items estimated (f0 = 0) it collapses to a point.
    """
    if min(n1, n2, m) < 0 or m > min(n1, n2):
        raise ValueError(f"need 0 <= m <= min(n1, n2); got n1={n1}, n2={n2}, m={m}")
    estimate = (n1 + 1) * (n2 + 1) / (m + 1) - 1
    variance = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
    observed = n1 + n2 - m
    unseen = estimate - observed
    if unseen <= 0 or variance == 0:
        return Chapman(n1, n2, m, estimate, variance, estimate, estimate)
    z = norm.ppf(0.5 + confidence / 2)
    spread = math.exp(z * math.sqrt(math.log(1 + variance / unseen**2)))
    return Chapman(n1, n2, m, estimate, variance, observed + unseen / spread, observed + unseen * spread)


def _year(frame: pd.DataFrame) -> pd.Series:
    """Year of a row's first possible date (an approximate row counts in the year of its earliest bound)."""
    return frame["date_earliest"].dt.year.astype("Int64")


def counts_by_year(ledgers: Ledgers) -> pd.DataFrame:
    """Rows per year in both ledgers, with the published totals in aggregate_counts.csv whose counted
    period lies inside that calendar year (figures spanning several years are listed in the codebook prose)."""
    claims, incidents, aggregates = ledgers.claims, ledgers.incidents, ledgers.aggregates
    claim_year, incident_year = _year(claims), _year(incidents)
    years = sorted(set(claim_year.dropna()) | set(incident_year.dropna()))
    start, end = aggregates["period_start"], aggregates["period_end"]
    within = start.notna() & end.notna() & (start.dt.year == end.dt.year)
    rows = []
    for year in years:
        in_year = incidents[incident_year == year]
        published = aggregates[within & (start.dt.year == year)]
        rows.append(
            {
                "year": int(year),
                "claims": int((claim_year == year).sum()),
                "incidents": len(in_year),
                "confirmed": int((in_year["evidence_level"] == "confirmed").sum()),
                "credible_report": int((in_year["evidence_level"] == "credible_report").sum()),
                "published totals inside the year (aggregate_counts.csv)": "; ".join(
                    f"{r.count_id}: {r.source_body} {r.count} {r.unit} ({r.period_start:%d %b}-{r.period_end:%d %b})"
                    for r in published.itertuples()
                ),
            }
        )
    undated = int(claim_year.isna().sum())
    if undated:
        rows.append({"year": "no lower date bound", "claims": undated, "incidents": int(incident_year.isna().sum())})
    return pd.DataFrame(rows).fillna("")


@dataclass(frozen=True)
class Comparison:
    name: str
    periods: list[tuple[str, str]]
    list2_size: int
    matched: list[str]
    list2_source: str


def load_comparisons(rules_file: Path) -> list[Comparison]:
    declared = tomllib.loads(rules_file.read_text(encoding="utf-8")).get("completeness", {})
    return [
        Comparison(
            name=c["name"],
            periods=[tuple(p) for p in c["periods"]],
            list2_size=int(c["list2_size"]),
            matched=list(c["matched"]),
            list2_source=c["list2_source"],
        )
        for c in declared.get("comparison", [])
    ]


def in_periods(claims: pd.DataFrame, periods: list[tuple[str, str]]) -> pd.Series:
    """Claims whose first possible date lies in one of the periods (inclusive)."""
    first = claims["date_earliest"]
    inside = pd.Series(False, index=claims.index)
    for start, end in periods:
        inside |= first.between(pd.Timestamp(start), pd.Timestamp(end))
    return inside


def estimate(ledgers: Ledgers, comparison: Comparison) -> Chapman:
    """List 1 = ledger claims in the comparison's periods; m = declared matches found among them."""
    claims = ledgers.claims
    listed = claims.loc[in_periods(claims, comparison.periods), "claim_id"]
    missing = sorted(set(comparison.matched) - set(listed))
    if missing:
        raise ValueError(f"{comparison.name}: matched claims not in the ledger for its periods: {missing}")
    return chapman(len(listed), comparison.list2_size, len(comparison.matched))


def completeness_table(ledgers: Ledgers, rules_file: Path) -> pd.DataFrame:
    rows = []
    for comparison in load_comparisons(rules_file):
        result = estimate(ledgers, comparison)
        rows.append(
            {
                "comparison": comparison.name,
                "ledger rows (n1)": result.n1,
                "EUvsDisinfo announcements (n2)": result.n2,
                "on both (m)": result.m,
                "Chapman estimate": f"{result.estimate:.0f}",
                "95% interval": f"{result.low:.0f}-{result.high:.0f}",
                "ledger share of the estimate": f"{result.n1 / result.estimate:.0%}",
            }
        )
    return pd.DataFrame(rows)
