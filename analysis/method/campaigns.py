"""The two questions for every declared campaign (campaign.toml), each over its own scope.

Nothing here re-implements a statistic: each campaign gets the declared rules with its own scope
(period, and region filter) and reference period (rules.toml [campaigns]), and the existing
machinery (analysis.method.inference for rows, stories and both nulls, analysis.method.association for the
trigger and precursor rates, surrogates and power) runs on them. This module adds only what the
campaigns need beyond it: the offensive phase of a warning (rules.toml [offensive_phase]) and the
self-controlled comparison inside the same governorates and offensive phase.

Shape in key_numbers.json: "by_campaign" is a list, one entry per declared campaign in
declaration order (the first is the campaign the report describes), each with
  id, title, period_from, period_to, region, offensives      as declared (campaign.toml)
  region_filter, reference, reference_from, reference_to      as declared (rules.toml [campaigns])
  claims_in_period, claims, reactive_rows, reactive_ids      claim rows (any type) in its period /
                                                             in its scope; reactive ones among them
  scored_rows, scored_stories                                scored predictions, and their stories
  primary, as_stated                                         analysis.method.inference.score_rule (rows,
                                                             stories, both nulls, bounds, power)
  association                                                analysis.method.association.association,
                                                             with "self_control_phase" per delta
primary, as_stated and association are null when the campaign has no scored prediction.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from analysis.inputs.campaign import Campaign, Declaration, in_campaign, offensive_span
from analysis.inputs.declared import Method
from analysis.inputs.load import Ledgers
from analysis.inputs.rules import Rules
from analysis.method import association, inference, match, stats

# --- scope -----------------------------------------------------------------------------------------


def campaign_rules(rules: Rules, method: Method, campaign: Campaign) -> Rules:
    """The declared rules with the campaign's period as scope and its declared reference period."""
    _, reference = method.campaign_plan(campaign.id)
    if pd.isna(campaign.period_from) or pd.isna(campaign.period_to):
        return rules  # an empty folder: nothing to narrow
    scope = replace(rules.scope, date_from=campaign.period_from, date_to=campaign.period_to)
    if reference == "campaign":
        return replace(rules, scope=scope, reference_from=campaign.period_from, reference_to=campaign.period_to)
    return replace(rules, scope=scope)


def in_region(prep: match.Prepared, campaign: Campaign, region: str) -> np.ndarray:
    """Per claim row: does it name a place in the campaign's region? ("none": every row does.)"""
    n = len(prep.claims)
    if region == "none" or not campaign.region_areas:
        return np.ones(n, bool)
    cp = prep.claim_places
    rows = cp.loc[cp[campaign.region_level].isin(campaign.region_areas), "row"].to_numpy(dtype=np.int64)
    keep = np.zeros(n, bool)
    keep[rows] = True
    return keep


def narrowed(prep: match.Prepared, keep: np.ndarray) -> match.Prepared:
    """The same prepared ledgers with only the `keep` rows left in scope."""
    claims = prep.claims.copy()
    claims["in_scope"] = claims["in_scope"].to_numpy(bool) & keep
    claims["assessable"] = claims["assessable"].to_numpy(bool) & keep
    return replace(prep, claims=claims)


# --- offensive phase -------------------------------------------------------------------------------


def phase_table(offensives: pd.DataFrame | None) -> pd.DataFrame:
    """Offensives that bound a phase: first and last day (day numbers) and governorates. Rows
    with no end read are skipped ([offensive_phase] end_unknown = "skip")."""
    if offensives is None or offensives.empty:
        return pd.DataFrame({"offensive_id": [], "first": [], "last": [], "areas": []})
    spans = offensive_span(offensives).dropna(subset=["first", "last"]).reset_index(drop=True)
    return spans.assign(
        first=[stats.day_number(d) for d in spans["first"]], last=[stats.day_number(d) for d in spans["last"]]
    )


def phase_of(phases: pd.DataFrame, governorates: frozenset[str], day: float) -> frozenset[str]:
    """The offensives covering any of the governorates on the day (empty: no offensive)."""
    return frozenset(
        oid
        for oid, first, last, areas in zip(
            phases["offensive_id"], phases["first"], phases["last"], phases["areas"], strict=True
        )
        if first <= day <= last and governorates & areas
    )


def poisson_binomial_two_sided(p: np.ndarray, observed: int) -> float:
    """P of an outcome no more likely than `observed` (the binomial test's two-sided rule)."""
    pmf = stats.poisson_binomial_pmf(np.asarray(p, float))
    return float(min(1.0, pmf[pmf <= pmf[observed] * (1 + 1e-7)].sum()))


def self_control_by_phase(warnings: pd.DataFrame, attacks: pd.DataFrame, delta: int, phases: pd.DataFrame) -> dict:
    """Attacks after against before each story's first warning, both windows cut to the days in
    the same offensive phase as that day, same governorates ([offensive_phase] in rules.toml).

    Under no association (a constant rate within a phase) an attack in either cut window falls
    after with probability after_days / (after_days + before_days): the count after is tested
    against that Poisson-binomial distribution."""
    p_after, after, before, compared, without = [], 0, 0, 0, 0
    for _, group in warnings.groupby("story_id"):
        start = int(group["first"].min())
        govs = frozenset().union(*group["governorates"])
        own = phase_of(phases, govs, start)
        after_days = {d for d in range(start, start + delta) if phase_of(phases, govs, d) == own}
        before_days = {d for d in range(start - delta, start) if phase_of(phases, govs, d) == own}
        if not after_days or not before_days:
            without += 1
            continue
        compared += 1
        share = len(after_days) / (len(after_days) + len(before_days))
        near = attacks[np.array([bool(govs & g) for g in attacks["governorates"]], dtype=bool)]
        for day in near["first"]:  # an attack is placed on its first possible day
            if int(day) in after_days:
                after += 1
                p_after.append(share)
            elif int(day) in before_days:
                before += 1
                p_after.append(share)
    expected = float(np.sum(p_after))
    return {
        "stories_compared": compared,
        "stories_without_comparison": without,
        "after": after,
        "before": before,
        "expected_after": expected,
        "p_two_sided": poisson_binomial_two_sided(np.array(p_after), after) if p_after else None,
    }


# --- one campaign ------------------------------------------------------------------------------------


def _public(result: dict) -> dict:
    return {k: v for k, v in result.items() if not k.startswith("_") and k != "story_table"}


def campaign_result(
    used: Ledgers,
    rules: Rules,
    method: Method,
    campaign: Campaign,
    story: pd.Series,
    reactive: pd.Series,
    phases: pd.DataFrame,
) -> dict:
    """Both questions over one campaign's declared scope, with the existing machinery."""
    region, reference = method.campaign_plan(campaign.id)
    crules = campaign_rules(rules, method, campaign)
    full = match.prepare(used, crules)
    keep = in_region(full, campaign, region)
    prep = narrowed(full, keep)
    claims = prep.claims
    period_rows = (
        claims.index.isin(in_campaign(claims, campaign).index) if campaign.declared else np.ones(len(claims), bool)
    )
    rows = period_rows & keep
    ids = claims["claim_id"].to_numpy()
    reactive_rows = reactive.reindex(ids).fillna(False).to_numpy(bool) & rows
    out = {
        "id": campaign.id,
        "title": campaign.title,
        "period_from": campaign.period_from,
        "period_to": campaign.period_to,
        "region": campaign.region,
        "region_filter": region,
        "reference": reference,
        "reference_from": crules.reference_from,
        "reference_to": crules.reference_to,
        "offensives": list(campaign.offensives),
        "claims_in_period": int(period_rows.sum()),
        "claims": int(rows.sum()),
        "reactive_rows": int(reactive_rows.sum()),
        "reactive_ids": sorted(ids[reactive_rows].tolist()),
    }
    scored_rows = (
        match.scored_by_claim(match.verdicts(prep, crules.primary, explain=False, ids=False))
        .reindex(ids)
        .fillna(False)
        .to_numpy(bool)
    )
    out["scored_rows"] = int(scored_rows.sum())
    out["scored_stories"] = int(story.reindex(ids[scored_rows]).nunique())
    if not scored_rows.any():
        return out | {"primary": None, "as_stated": None, "association": None}
    primary = inference.score_rule(prep, crules, crules.primary, story, method)
    as_stated = inference.score_rule(prep, crules, method.as_stated, story, method)
    out["primary"] = _public(primary)
    out["as_stated"] = _public(as_stated)
    out["association"] = association.association(prep, crules, method, scored_rows, story, phases)
    return out


def compute(used: Ledgers, rules: Rules, method: Method, declaration: Declaration, story, reactive) -> list[dict]:
    """Every declared campaign, in declaration order (the last is the whole record when declared)."""
    phases = phase_table(used.extras.get("offensives"))
    return [campaign_result(used, rules, method, c, story, reactive, phases) for c in declaration.campaigns]
