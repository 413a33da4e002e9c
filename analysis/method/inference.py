"""Stories, both nulls, the two questions, circular matches, the specification curve, alarm
coverage and power: the numbers issue 13 adds to key_numbers (under the key "dependence")."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from analysis.inputs.campaign import load_declaration
from analysis.inputs.declared import Method
from analysis.inputs.load import Ledgers
from analysis.inputs.rules import Rule, Rules
from analysis.method import association, dependence, match, stats, stories


def _likelihood_entry(level: float, hits, p0) -> dict:
    """The likelihood ratio of the record under chance against a reliability level, both ways round
    (the report states whichever is above one)."""
    ratio = dependence.likelihood_ratio(hits, p0, level)
    inverse = 1 / ratio if ratio and ratio == ratio and ratio != float("inf") else float("nan")
    return {"reliability": level, "chance_over_reliable": ratio, "reliable_over_chance": inverse}


def independent_of_claimants(ledgers: Ledgers, method: Method) -> tuple[Ledgers, list[str]]:
    """The ledgers the matching sees under the declared circular-match policy, and the ids of
    incidents whose documentation rests on the claimants (excluded under policy 'exclude')."""
    incidents = ledgers.incidents
    circular = incidents["independent_of_claimants"].eq("no").fillna(False).to_numpy(bool)
    ids = incidents.loc[circular, "incident_id"].tolist()
    if method.circular_policy != "exclude" or not ids:
        return ledgers, ids
    return replace(ledgers, incidents=incidents.loc[~circular].reset_index(drop=True)), ids


def score_rule(prep: match.Prepared, rules: Rules, rule: Rule, story: pd.Series, method: Method) -> dict:
    """Per row and per story, with both nulls, design effect, zero bounds and power."""
    table = match.verdicts(prep, rule, explain=False, ids=False)  # counts only: no pairs formed
    scored = match.scored_by_claim(table)
    hit = table.set_index("claim_id")["verdict"].eq("materialized")
    cover = stats.coverage(prep, rule, rules)
    ids = prep.claims["claim_id"].to_numpy()
    select = scored.reindex(ids[cover.rows]).fillna(False).to_numpy(bool)
    score = dependence.story_score(cover, ids, select, story, hit)
    p0 = cover.p0[select]
    rows = stats.proportion(int(hit[scored].sum()), int(scored.sum()))
    by_story = stats.proportion(int(score.table["hit"].sum()), len(score.table))
    confidence = method.upper_bound_confidence
    independent = stats.null_model(pd.Series(p0), rows.hits)
    return {
        "rule_id": rule.rule_id,
        "rule_text": rule.describe(),
        "rows": rows.as_dict() | {"text": rows.text()},
        "stories": by_story.as_dict() | {"text": by_story.text()},
        "upper_bound_rows": dependence.upper_bound(rows.hits, rows.n, confidence),
        "upper_bound_stories": dependence.upper_bound(by_story.hits, by_story.n, confidence),
        "independent_null": {"expected_hits": independent.expected_hits, "p_zero_hits": independent.p_zero_hits}
        | {"p_at_most_observed": independent.p_at_most_observed, "p_at_least_observed": independent.p_at_least_observed}
        | {"observed_hits": independent.observed_hits},
        "shift_rows": score.rows_null.as_dict(),
        "shift_stories": score.stories_null.as_dict(),
        "dependence": score.dependence.as_dict(),
        "likelihood_ratios": [
            _likelihood_entry(level, score.table["hit"].to_numpy(), score.table["p0_shift"].to_numpy())
            for level in method.reliability_levels
        ],
        "power": dependence.detectable_rate(
            by_story.n, float(score.table["p0_shift"].mean()) if by_story.n else 0.0, method.alpha, method.power
        ).as_dict(),
        "story_table": score.table.to_dict("records"),
        "_cover": cover,
        "_select": select,
    }


def spec_curve(prep: match.Prepared, rules: Rules, primary_select: np.ndarray) -> dict:
    """Every grid rule under the same rigid shifts: the joint statistic is how many rules give at
    least one hit; its null distribution comes from shifting the ledger once for all rules."""
    per_rule, rule_ids, observed = [], [], []
    offsets = None
    # One spatial join per geography, wide enough for the longest window of any grid rule.
    longest = max(
        float(np.nanmax(np.subtract(*match.claim_windows(prep.claims, rule)[::-1]), initial=0.0)) for rule in rules.grid
    )
    joins: dict[tuple, pd.DataFrame] = {}
    for rule in rules.grid:
        key = (rule.geography, rule.radius_km)
        if key not in joins:
            joins[key] = stats.spanning_pairs(prep, rule, rules, longest)
        cover = stats.coverage(prep, rule, rules, joins[key])
        offsets = dependence.shift_offsets(cover, primary_select) if offsets is None else offsets
        counts = dependence.shifted_hits(cover, primary_select, offsets).sum(axis=0)
        zero = int(np.flatnonzero(offsets == 0)[0]) if (offsets == 0).any() else None
        per_rule.append(counts)
        rule_ids.append(rule.rule_id)
        observed.append(int(counts[zero]) if zero is not None else None)
    counts = np.vstack(per_rule) if per_rule else np.zeros((0, 0))
    statistic = (counts > 0).sum(axis=0)
    observed_stat = int(sum(1 for k in observed if k))
    table = pd.DataFrame(
        {
            "rule_id": rule_ids,
            "hits": observed,
            "null_mean_hits": counts.mean(axis=1),
            "p_at_least_observed": [(row >= k).mean() for row, k in zip(counts, observed, strict=True)],
        }
    ).sort_values(["hits", "null_mean_hits", "rule_id"], ascending=[True, True, True])
    return {
        "rules": len(rule_ids),
        "offsets": int(counts.shape[1]),
        "observed_rules_with_hits": observed_stat,
        "null_mean_rules_with_hits": float(statistic.mean()),
        "p_at_least_observed": float((statistic >= observed_stat).mean()),
        "p_at_most_observed": float((statistic <= observed_stat).mean()),
        "table": table.reset_index(drop=True),
    }


def alarm_coverage(prep: match.Prepared, rules: Rules, places: pd.DataFrame, select_rows: np.ndarray) -> dict:
    """Share of governorate-days of the scope period under some scored warning's window."""
    first, last = stats.day_number(rules.scope.date_from), stats.day_number(rules.scope.date_to)
    days = int(last - first + 1)
    governorates = sorted(places["governorate"].dropna().unique())
    index = {g: i for i, g in enumerate(governorates)}
    under = np.zeros((len(governorates), days), bool)
    start, end = match.claim_windows(prep.claims, rules.primary)
    cp = prep.claim_places
    for row, group in cp.groupby("row"):
        if not select_rows[row]:
            continue
        lo, hi = int(max(start[row], first) - first), int(min(end[row], last) - first)
        for g in set(group["governorate"].dropna()):
            if hi >= lo:
                under[index[g], lo : hi + 1] = True
    incidents = prep.incidents
    levels = rules.primary.evidence_levels()
    ip = prep.incident_places
    in_period = (
        incidents["evidence_level"].isin(levels) & (incidents["day_last"] >= first) & (incidents["day_first"] <= last)
    )
    caught = 0
    for row in np.flatnonzero(in_period.to_numpy()):
        lo = int(max(incidents["day_first"].iat[row], first) - first)
        hi = int(min(incidents["day_last"].iat[row], last) - first)
        govs = set(ip.loc[ip["row"] == row, "governorate"].dropna())
        caught += any(under[index[g], lo : hi + 1].any() for g in govs if g in index)
    by_gov = [
        {"governorate": g, "share_of_days": float(under[i].mean())}
        for i, g in enumerate(governorates)
        if under[i].any()
    ]
    return {
        "governorates": len(governorates),
        "days": days,
        "governorate_days": len(governorates) * days,
        "governorate_days_under_warning": int(under.sum()),
        "share": float(under.mean()) if under.size else float("nan"),
        "by_governorate": by_gov,
        "incidents_in_period": int(in_period.sum()),
        "incidents_under_warning": int(caught),
    }


def published_null(
    prep: match.Prepared, rules: Rules, aggregates: pd.DataFrame, select: np.ndarray, cover, country: str
) -> dict:
    """Chance hits anywhere in the country from a published count, beside the ledger's own at the
    same geography. The published count used: all attacks in the country (the campaign's declared
    `country`), the shortest stated period that covers the whole scope period (a declared-by-rule
    choice, not a pick)."""
    rates = stats.aggregate_rates(aggregates, rules.primary.window_days)
    covering = rates[
        (rates["geography"] == country)
        & (rates["perpetrator"] == "all")
        & (rates["period_start"] <= rules.scope.date_from)
        & (rates["period_end"] >= rules.scope.date_to)
    ]
    anywhere = replace(rules.primary, geography="anywhere")
    ledger_cover = stats.coverage(prep, anywhere, rules)
    ledger_p0 = ledger_cover.p0[select]
    out = {
        "ledger_expected_anywhere": float(ledger_p0.sum()),
        "ledger_p_zero_anywhere": dependence.independent_p_zero(ledger_p0),
    }
    if covering.empty:
        return out | {"count_id": None}
    chosen = (
        covering.assign(days=(covering["period_end"] - covering["period_start"]).dt.days)
        .sort_values(["days", "count_id"])
        .iloc[0]
    )
    per_day = float(chosen["per_30_days"]) / 30
    start, end = match.claim_windows(prep.claims, rules.primary)
    lengths = (end - start + 1)[cover.rows][select]  # days in each window
    p_pub = 1 - np.exp(-per_day * lengths)
    return out | {
        "count_id": chosen["count_id"],
        "source_body": chosen["source_body"],
        "count": int(chosen["count"]),
        "period_start": chosen["period_start"],
        "period_end": chosen["period_end"],
        "per_30_days": float(chosen["per_30_days"]),
        "published_expected_anywhere": float(p_pub.sum()),
        "published_p_zero_anywhere": dependence.independent_p_zero(p_pub),
        "ledger_share_of_published": float(ledger_p0.sum() / p_pub.sum()) if p_pub.sum() else None,
    }


def _rules_with_hits(ledgers: Ledgers, rules: Rules) -> tuple[int, int, list[str]]:
    grid = match.grid_verdicts(match.prepare(ledgers, rules), rules)
    hits = grid[(grid["scored_as"] == "prediction") & (grid["verdict"] == "materialized")]
    matched = sorted({i for cell in hits["matched_incidents"] if cell for i in cell.split(";")})
    per_rule = hits.groupby("rule_id")["claim_id"].count()
    return int(hits["rule_id"].nunique()), int(per_rule.max()) if len(per_rule) else 0, matched


def circular_numbers(
    ledgers: Ledgers, rules: Rules, method: Method, circular_ids: list[str], used_rules_with_hits: int
) -> dict:
    """What the circular incidents would add to the grid, and what regrading them would change."""
    including, max_including, matched_including = _rules_with_hits(ledgers, rules)
    incidents = ledgers.incidents
    regrade = incidents["incident_id"].isin(circular_ids) & incidents["evidence_level"].eq("disputed")
    regraded_ids = incidents.loc[regrade, "incident_id"].tolist()
    regraded = replace(
        ledgers,
        incidents=incidents.assign(evidence_level=incidents["evidence_level"].where(~regrade, "alleged_unverified")),
    )
    regraded_including, _, _ = _rules_with_hits(regraded, rules)
    return {
        "policy": method.circular_policy,
        "incident_ids": circular_ids,
        "rules_with_hits": used_rules_with_hits,
        "rules_with_hits_including_circular": including,
        "max_hits_including_circular": max_including,
        "incidents_matched_including_circular": matched_including,
        "regraded_ids": regraded_ids,
        "rules_with_hits_including_circular_regraded": regraded_including,
    }


def compute(
    ledgers: Ledgers,
    circular_ids: list[str],
    rules: Rules,
    method: Method,
    prep: match.Prepared,
    sensitivity: pd.DataFrame,
) -> tuple[dict, pd.DataFrame]:
    claims = ledgers.claims
    story = stories.reviewed_stories(claims)
    proposed = stories.propose_stories(prep, method.story_max_gap_days)
    reactive = stories.reactive(prep, method.reactive_lookback_days, method.reactive_min_evidence)
    primary = score_rule(prep, rules, rules.primary, story, method)
    as_stated = score_rule(prep, rules, method.as_stated, story, method)
    scored_rows = (
        match.scored_by_claim(match.verdicts(prep, rules.primary, explain=False, ids=False))
        .reindex(prep.claims["claim_id"])
        .fillna(False)
        .to_numpy(bool)
    )
    accused_in_reference = prep.incidents["accused_side"] & prep.incidents["evidence_level"].isin(
        method.as_stated.evidence_levels()
    )
    curve = spec_curve(prep, rules, primary["_select"])
    stories_all = story.nunique()
    table = pd.DataFrame(primary["story_table"])
    out = {
        "method": method.as_dict(),
        "stories": {
            "all_rows": len(claims),
            "total": int(stories_all),
            "scored": len(table),
            "rows_scored": int(table["rows"].sum()) if len(table) else 0,
            "largest_rows": int(table["rows"].max()) if len(table) else 0,
            "largest_id": table.sort_values(["rows", "story_id"], ascending=[False, True])["story_id"].iloc[0]
            if len(table)
            else None,
            "table": primary["story_table"],
            "rule_agrees": not stories.disagreements(story, proposed),
            "reactive_ids": sorted(reactive.index[reactive.to_numpy() & scored_rows].tolist()),
        },
        "primary": {k: v for k, v in primary.items() if not k.startswith("_") and k != "story_table"},
        "as_stated": {k: v for k, v in as_stated.items() if not k.startswith("_") and k != "story_table"}
        | {"accused_side_incidents": int(accused_in_reference.sum())},
        "association": association.association(prep, rules, method, scored_rows, story),
        "spec_curve": {k: v for k, v in curve.items() if k != "table"},
        "alarm": alarm_coverage(prep, rules, ledgers.places, scored_rows),
        "published_null": published_null(
            prep,
            rules,
            ledgers.aggregates,
            primary["_select"],
            primary["_cover"],
            load_declaration(ledgers.data_dir, claims).main.country,
        ),
        "circular": circular_numbers(ledgers, rules, method, circular_ids, int((sensitivity["hits"] > 0).sum())),
    }
    return out, curve["table"]
