"""Question 2, association: were warnings followed (or preceded) by chemical attacks, of any
attribution and by government-attributed ones, more often than comparable windows?

Event coincidence analysis (Donges et al. 2016) on two event series, warnings and attacks, at
governorate level:
- trigger rate: share of warning stories with an attack in the delta days from the warning on
  ("after"), and, the other way round, in the delta days before it ("before": a reaction);
- precursor rate: share of attacks with a warning in the delta days before them; and the share of
  attacks followed by a warning within delta days (denial after the fact).
Significance comes from circular shifts of the whole warning series within the reference period
(every offset, so each series keeps its own clustering), and from a self-controlled comparison:
attacks in the delta days after each story's first warning against the delta days just before it,
same governorates (a conditional binomial test: under no association each attack is equally likely
to fall in either window).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.inputs.declared import Method
from analysis.inputs.rules import EVIDENCE_ORDER, Rules
from analysis.method.dependence import detectable_rate
from analysis.method.match import Prepared
from analysis.method.stats import day_number, proportion


def _governorates(table: pd.DataFrame, n: int) -> list[frozenset[str]]:
    out = [frozenset()] * n
    for row, group in table.groupby("row"):
        out[row] = frozenset(group["governorate"].dropna())
    return out


def attack_series(prep: Prepared, method: Method, attribution: str) -> pd.DataFrame:
    """Attacks of one attribution class at the declared evidence bar: days and governorates."""
    incidents = prep.incidents
    levels = EVIDENCE_ORDER[EVIDENCE_ORDER.index(method.association_min_evidence) :]
    keep = incidents["evidence_level"].isin(levels)
    if attribution == "government":
        keep &= incidents["perpetrator_side"].eq("government")
    keep &= incidents["day_first"].notna() & incidents["day_last"].notna()
    govs = _governorates(prep.incident_places, len(incidents))
    rows = np.flatnonzero(keep.to_numpy())
    return pd.DataFrame(
        {
            "incident_id": incidents["incident_id"].to_numpy()[rows],
            "first": incidents["day_first"].to_numpy()[rows],
            "last": incidents["day_last"].to_numpy()[rows],
            "governorates": [govs[r] for r in rows],
        }
    )


def warning_series(prep: Prepared, predictions: np.ndarray, story: pd.Series) -> pd.DataFrame:
    """Scored warnings (rows of prep.claims flagged in `predictions`): days, governorates, story."""
    claims = prep.claims
    govs = _governorates(prep.claim_places, len(claims))
    rows = np.flatnonzero(predictions)
    ids = claims["claim_id"].to_numpy()[rows]
    return pd.DataFrame(
        {
            "claim_id": ids,
            "story_id": story.reindex(ids).to_numpy(),
            "first": claims["day_first"].to_numpy()[rows],
            "last": claims["day_last"].to_numpy()[rows],
            "governorates": [govs[r] for r in rows],
        }
    )


class _Grid:
    """Attacks as a circular day x governorate count grid over the reference period, tiled so that
    windows reaching before its start or past its end wrap around (as often as needed: a window
    may be longer than a short reference period, such as one offensive)."""

    def __init__(self, attacks: pd.DataFrame, governorates: list[str], ref_first: float, n_days: int, span: int = 0):
        self.index = {g: i for i, g in enumerate(governorates)}
        self.ref_first, self.n_days = ref_first, n_days
        counts = np.zeros((len(governorates), n_days), np.int64)
        for first, last, govs in zip(attacks["first"], attacks["last"], attacks["governorates"], strict=True):
            lo, hi = int(max(first, ref_first) - ref_first), int(min(last, ref_first + n_days - 1) - ref_first)
            for g in govs:
                if g in self.index and hi >= lo:
                    counts[self.index[g], lo : hi + 1] += 1  # an attack spanning days marks each
        # Windows start in the second copy (any_in) and run at most `span` days on.
        tiled = np.tile(counts, (1, 2 + -(-(span + 1) // n_days)))
        self.cumulative = np.concatenate([np.zeros((len(governorates), 1), np.int64), np.cumsum(tiled, axis=1)], axis=1)

    def any_in(self, govs: list[frozenset[str]], lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """For each row r and offset column: any attack in govs[r] on days lo..hi (day numbers)."""
        a = (lo - self.ref_first).astype(np.int64) % self.n_days + self.n_days
        b = a + (hi - lo).astype(np.int64)
        out = np.zeros(lo.shape, bool)
        for r, row_govs in enumerate(govs):
            for g in row_govs:
                if g in self.index:
                    c = self.cumulative[self.index[g]]
                    out[r] |= (c[b[r] + 1] - c[a[r]]) > 0
        return out


def _story_any(row_hits: np.ndarray, stories: np.ndarray) -> np.ndarray:
    labels, index = np.unique(stories, return_inverse=True)
    out = np.zeros((len(labels), row_hits.shape[1]), bool)
    np.logical_or.at(out, index, row_hits)
    return out


def _covered(events: pd.DataFrame, windows: pd.DataFrame, lo_shift: int, hi_shift: int) -> int:
    """How many events have a window row in one of their governorates with event day in
    [window first + lo_shift, window first + hi_shift] (interval overlap for ranged events)."""
    found = 0
    for first, last, govs in zip(events["first"], events["last"], events["governorates"], strict=True):
        near = windows[[bool(govs & w) for w in windows["governorates"]]]
        if ((near["first"] + lo_shift <= last) & (near["first"] + hi_shift >= first)).any():
            found += 1
    return found


def association(
    prep: Prepared,
    rules: Rules,
    method: Method,
    predictions: np.ndarray,
    story: pd.Series,
    phases: pd.DataFrame | None = None,
) -> dict:
    """Trigger and precursor rates at every declared delta, both attribution classes, with
    circular-shift surrogates, the self-controlled comparison and power.

    phases: offensive phases (analysis.method.campaigns.phase_table); when given, each delta also gets the
    self-controlled comparison inside the same offensive phase ("self_control_phase")."""
    ref_first, ref_last = day_number(rules.reference_from), day_number(rules.reference_to)
    n_days = int(ref_last - ref_first + 1)
    warnings = warning_series(prep, predictions, story)
    warnings = warnings[(warnings["first"] >= ref_first) & (warnings["last"] <= ref_last)].reset_index(drop=True)
    stories = warnings["story_id"].to_numpy()
    n_stories = len(np.unique(stories))
    scope_first, scope_last = day_number(rules.scope.date_from), day_number(rules.scope.date_to)
    offsets = np.arange(n_days)  # circular shifts of the warning series: every offset
    out = {"warnings": len(warnings), "stories": n_stories, "offsets": n_days, "by_attribution": {}}
    for attribution in method.attributions:
        attacks = attack_series(prep, method, attribution)
        governorates = sorted({g for s in (*warnings["governorates"], *attacks["governorates"]) for g in s})
        longest = warnings["last"] - warnings["first"] if len(warnings) else pd.Series([0.0])
        span = int(np.nanmax(longest.to_numpy(float), initial=0.0)) + max(method.delta_days)
        grid = _Grid(attacks, governorates, ref_first, n_days, span)
        # The observed statistic comes from the real calendar: a window running past either end of
        # the reference period sees the attacks that really lie there, not the wrapped-around ones
        # (the same thing whenever the scope lies well inside the reference period).
        real = _Grid(attacks, governorates, ref_first - span, n_days + 2 * span, span)
        govs = list(warnings["governorates"])
        rows = []
        for delta in method.delta_days:
            first = warnings["first"].to_numpy()[:, None] + offsets[None, :]
            last = warnings["last"].to_numpy()[:, None] + offsets[None, :]
            after = _story_any(grid.any_in(govs, first, last + delta), stories)
            before = _story_any(grid.any_in(govs, first - delta, first - 1), stories)
            real_after = _story_any(real.any_in(govs, first[:, :1], last[:, :1] + delta), stories)[:, 0]
            real_before = _story_any(real.any_in(govs, first[:, :1] - delta, first[:, :1] - 1), stories)[:, 0]
            in_period = attacks[(attacks["last"] >= scope_first) & (attacks["first"] <= scope_last + delta)]
            rows.append(
                {
                    "delta_days": delta,
                    "trigger_after": _rate(after, int(real_after.sum())),
                    "trigger_before": _rate(before, int(real_before.sum())),
                    "precursor": proportion(_covered(in_period, warnings, 0, delta), len(in_period)).as_dict(),
                    "followed_by_warning": proportion(
                        _covered(in_period, warnings, -delta, 0), len(in_period)
                    ).as_dict(),
                    "self_control": _self_control(warnings, attacks, delta),
                }
            )
            if phases is not None:
                from analysis.method.campaigns import self_control_by_phase  # campaigns builds on this module

                rows[-1]["self_control_phase"] = self_control_by_phase(warnings, attacks, delta, phases)
        primary = next(r for r in rows if r["delta_days"] == method.primary_delta_days)
        power = detectable_rate(n_stories, primary["trigger_after"]["surrogate_mean_rate"], method.alpha, method.power)
        out["by_attribution"][attribution] = {
            "attacks_in_reference_period": int(((attacks["last"] >= ref_first) & (attacks["first"] <= ref_last)).sum()),
            "by_delta": rows,
            "primary": primary,
            "power": power.as_dict(),
        }
    return out


def _rate(story_hits: np.ndarray, observed: int) -> dict:
    """Observed share and its place among every circular shift (story_hits: stories x offsets;
    offset 0 is the observed series itself, counted on the real calendar)."""
    counts = story_hits.sum(axis=0)
    if len(counts):
        counts[0] = observed
    n = story_hits.shape[0]
    p = proportion(observed, n)
    return {
        "hits": observed,
        "n": n,
        "rate": p.rate,
        "ci_low": p.ci_low,
        "ci_high": p.ci_high,
        "surrogate_mean_rate": float(counts.mean() / n) if n else float("nan"),
        "p_surrogate_at_least": float((counts >= observed).mean()) if len(counts) else float("nan"),
        "p_surrogate_at_most": float((counts <= observed).mean()) if len(counts) else float("nan"),
    }


def _self_control(warnings: pd.DataFrame, attacks: pd.DataFrame, delta: int) -> dict:
    """Attacks in [s, s+delta-1] against [s-delta, s-1], s the story's first warning day."""
    after = before = 0
    for _, group in warnings.groupby("story_id"):
        start = group["first"].min()
        govs = frozenset().union(*group["governorates"])
        # A boolean array, not a list: an empty list would select (no) columns, not rows.
        near = attacks[np.array([bool(govs & g) for g in attacks["governorates"]], dtype=bool)]
        after += int(((near["first"] <= start + delta - 1) & (near["last"] >= start)).sum())
        before += int(((near["first"] <= start - 1) & (near["last"] >= start - delta)).sum())
    total = after + before
    p = float(stats.binomtest(after, total, 0.5).pvalue) if total else float("nan")
    return {"after": after, "before": before, "p_two_sided": p}
