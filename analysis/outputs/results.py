"""From validated ledgers and declared rules to every number the report quotes.

The shape of key_numbers.json is declared in key_numbers.schema.json beside this module (JSON
Schema draft 2020-12; tests/unit/test_results.py checks shipped and example key numbers against it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.inputs import declared, paths
from analysis.inputs.campaign import Campaign, Declaration, PublishedCount, in_campaign, load_declaration
from analysis.inputs.load import Ledgers, enum_labels
from analysis.inputs.rules import EVIDENCE_ORDER, Rules
from analysis.method import campaigns, inference, match, stats, stories
from analysis.outputs import claimreview
from analysis.outputs.export import write_csv, write_json

KEY_NUMBERS_SCHEMA = Path(__file__).with_name("key_numbers.schema.json")


@dataclass
class Results:
    ledgers: Ledgers
    rules: Rules
    prep: match.Prepared
    primary: pd.DataFrame
    grid: pd.DataFrame
    sensitivity: pd.DataFrame
    p0: pd.Series
    null: stats.NullResult
    key_numbers: dict
    declaration: Declaration | None = None
    spec_curve: pd.DataFrame | None = None


def _score(table: pd.DataFrame, kind: str) -> stats.Proportion:
    scored = table[match.scored_mask(table, kind)]
    return stats.proportion(int((scored["verdict"] == "materialized").sum()), len(scored))


def sensitivity_table(grid: pd.DataFrame) -> pd.DataFrame:
    keys = ["rule_id", "window_days", "stated_frame", "geography", "min_evidence", "shape"]
    scored = match.is_scored(grid["verdict"])
    hit = grid["verdict"].eq("materialized")
    flags = pd.DataFrame(
        {
            "n": scored & grid["scored_as"].eq("prediction"),
            "hits": hit & grid["scored_as"].eq("prediction"),
            "occurrence_n": scored & grid["scored_as"].eq("occurrence"),
            "occurrence_hits": hit & grid["scored_as"].eq("occurrence"),
        }
    )
    table = flags.groupby([grid[k] for k in keys], sort=False).sum().reset_index()
    matched = grid.groupby("rule_id", sort=False)["matched_incidents"].agg(
        lambda cells: ";".join(sorted({i for c in cells if c for i in c.split(";")}))
    )
    intervals = [stats.proportion(int(k), int(n)) for k, n in zip(table["hits"], table["n"], strict=True)]
    table["hit_rate"] = [p.rate for p in intervals]
    table["ci_low"] = [p.ci_low for p in intervals]
    table["ci_high"] = [p.ci_high for p in intervals]
    table["matched_incidents"] = table["rule_id"].map(matched)
    return table[
        keys + ["n", "hits", "hit_rate", "ci_low", "ci_high", "occurrence_n", "occurrence_hits", "matched_incidents"]
    ]


def reconciliation(claims: pd.DataFrame, count: PublishedCount) -> dict:
    """Our rows that meet a published count's criteria (as we read them), beside its numbers."""
    start, end = count.date_from, count.date_to
    # A claim counts when its possible dates touch the period (undated claims are counted and flagged).
    in_period = ~((claims["date_latest"] < start) | (claims["date_earliest"] > end))
    meets = pd.Series(True, index=claims.index)
    for column, value in count.filters.items():
        if column not in claims:
            raise ValueError(f"published count {count.source!r}: filter column {column!r} is not in claims.csv")
        meets &= claims[column].astype("string").eq(value).fillna(False)
    subset = claims[in_period & meets]
    groups = list(count.by_group)
    return count.as_dict() | {
        "ours_total": len(subset),
        "ours_by_group": {g: int((subset["claimant_group"] == g).sum()) for g in groups},
        "ours_ids": subset["claim_id"].tolist(),
        "ledger_total": len(claims),
        "ledger_by_group": {g: int((claims["claimant_group"] == g).sum()) for g in groups},
        "ledger_failing_filters": int((~meets).sum()),
        # Per counted group, its rows that fail the filters (they drop out of our subset).
        "failing_filters_by_group": {
            g: claims.loc[(claims["claimant_group"] == g) & ~meets, "claim_id"].tolist() for g in groups
        },
    }


def ledger_counts(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims by month made (or 'undated') and claimant group."""
    month = claims["date_made"].dt.strftime("%Y-%m").fillna("undated")
    table = pd.crosstab(month.rename("month"), claims["claimant_group"])
    table["total"] = table.sum(axis=1)
    return table.reset_index()


def incident_governorates(incidents: pd.DataFrame, places: pd.DataFrame, level: str = "governorate") -> pd.Series:
    """The area (a gazetteer column, the governorate by default) of each incident's first (main) place."""
    gov = places.set_index("place_id")[level]
    return incidents["place_list"].map(lambda ids: gov.get(ids[0]) if ids else None)


def hits_by_claim(grid: pd.DataFrame) -> pd.Series:
    """For each claim that materializes under some rule: how many rules of the grid make it a hit."""
    hits = grid[grid["verdict"] == "materialized"]
    return hits.groupby("claim_id")["rule_id"].count().rename("rules with a hit").sort_values(ascending=False)


def incident_summary(ledgers: Ledgers, campaign: Campaign) -> dict:
    incidents = ledgers.incidents
    if campaign.region_areas:
        areas = incident_governorates(incidents, ledgers.places, campaign.region_level)
        in_region = areas.isin(campaign.region_areas)
    else:  # no declared region: the whole gazetteer is the region
        in_region = pd.Series(True, index=incidents.index)
    in_period = (incidents["date_latest"] >= campaign.period_from) & (incidents["date_earliest"] <= campaign.period_to)
    by_level = incidents["evidence_level"].value_counts().reindex(EVIDENCE_ORDER[::-1], fill_value=0)
    return {
        "total": len(incidents),
        "first_date": incidents["date_earliest"].min(),
        "last_date": incidents["date_latest"].max(),
        "by_evidence_level": by_level.to_dict(),
        "in_region_total": int(in_region.sum()),
        "in_period_in_region": incidents.loc[in_region & in_period, "incident_id"].tolist(),
        "in_period_in_region_levels": incidents.loc[in_region & in_period, "evidence_level"].tolist(),
    }


def compute(ledgers: Ledgers, rules: Rules) -> Results:
    declaration = load_declaration(ledgers.data_dir, ledgers.claims)
    campaign = declaration.main
    method = declared.load_method(rules)
    # Incidents documented only by the claimants cannot confirm their warnings ([circular]).
    used, circular_ids = inference.independent_of_claimants(ledgers, method)
    prep = match.prepare(used, rules)
    primary = match.verdicts(prep, rules.primary)
    grid = match.grid_verdicts(prep, rules)
    sensitivity = sensitivity_table(grid)
    prediction, occurrence = _score(primary, "prediction"), _score(primary, "occurrence")
    intervals = stats.all_intervals(prediction.hits, prediction.n)

    p0 = stats.chance_of_incident(prep, rules.primary, rules)
    null = stats.null_model(p0[match.scored_by_claim(primary)], prediction.hits)

    claims = ledgers.claims
    # The ledger may hold several campaigns: the report describes the first, so its counts do too.
    described = in_campaign(claims, campaign)
    scope_predictions = primary[(primary["scored_as"] == "prediction") & (primary["verdict"] != "out_of_scope")]
    with_hits = sensitivity[sensitivity["hits"] > 0]
    widest = sensitivity.sort_values(["hits", "ci_high"], ascending=False).iloc[0]
    key = {
        "claims_total": len(described),
        "claims_in_ledger": len(claims),
        "claims_in_scope": len(scope_predictions),
        "claims_assessable": prediction.n,
        "claims_not_assessable": int((scope_predictions["verdict"] == "not_assessable").sum()),
        "claims_out_of_scope": int((primary["verdict"] == "out_of_scope").sum()),
        "hits": prediction.hits,
        "hit_rate": prediction.rate,
        "ci_low": prediction.ci_low,
        "ci_high": prediction.ci_high,
        "ci_method": prediction.method,
        "ci_text": prediction.text(),
        "intervals": {m: {"low": p.ci_low, "high": p.ci_high} for m, p in intervals.items()},
        "occurrence": occurrence.as_dict() | {"text": occurrence.text()},
        "rule": {
            "id": rules.primary.rule_id,
            "text": rules.primary.describe(campaign.country),
            **rules.as_dict()["primary"],
        },
        "null_model": null.as_dict() | {"reference_from": rules.reference_from, "reference_to": rules.reference_to},
        "sensitivity": {
            "rules": len(sensitivity),
            "rules_with_hits": len(with_hits),
            "max_hits": int(widest["hits"]),
            "max_hits_rule": widest["rule_id"],
            "max_hits_n": int(widest["n"]),
            "max_hits_incidents": widest["matched_incidents"],
            "occurrence_rules_with_hits": int((sensitivity["occurrence_hits"] > 0).sum()),
            "incidents_matched_by_any_rule": sorted(
                {i for cell in with_hits["matched_incidents"] if cell for i in cell.split(";")}
            ),
            # The strictest evidence bar under which any prediction materializes (None: no rule).
            "strictest_evidence_with_hits": next(
                (lvl for lvl in EVIDENCE_ORDER[::-1] if (with_hits["min_evidence"] == lvl).any()), None
            ),
        },
        "by_claimant_group": stats.breakdown(
            primary[primary["scored_as"] == "prediction"], claims, "claimant_group"
        ).to_dict("records"),
        "by_claim_type": stats.breakdown(primary[primary["scored_as"] == "prediction"], claims, "claim_type").to_dict(
            "records"
        ),
        "by_month": stats.breakdown(primary[primary["scored_as"] == "prediction"], claims, "month").to_dict("records"),
        "ledger_counts": ledger_counts(described).to_dict("records"),
        "claims_by_group": described["claimant_group"].value_counts().sort_index().to_dict(),
        "claims_by_type": described["claim_type"].value_counts().sort_index().to_dict(),
        "claims_verification": described["verification"].value_counts().sort_index().to_dict(),
        "incidents_verification": ledgers.incidents["verification"].value_counts().sort_index().to_dict(),
        "campaign": campaign.as_dict()
        | {
            "others": [c.as_dict() for c in declaration.campaigns[1:]],
            # Display names of the claimant groups, in the codebook's order (the folder's own datapackage.json).
            "claimant_groups": enum_labels("claims", "claimant_group", ledgers.data_dir),
        },
        "published_counts": [reconciliation(described, count) for count in campaign.published_counts],
        "incidents": incident_summary(ledgers, campaign),
        "aggregate_rates": stats.aggregate_rates(ledgers.aggregates, rules.primary.window_days).to_dict("records"),
        "aggregate_increments": stats.series_increments(
            ledgers.aggregates, rules.cumulative_series, rules.primary.window_days
        ).to_dict("records"),
        # Publishing bodies, most rows first (ties in ledger order).
        "aggregate_sources": ledgers.aggregates["source_body"].dropna().value_counts(sort=True).index.tolist(),
        "places_total": len(ledgers.places),
        "places_with_coordinates": int(ledgers.places["latitude"].notna().sum()),
        "source_urls_total": int(
            sum(len(str(u).split(";")) for f in (claims, ledgers.incidents) for u in f["source_urls"])
        ),
    }
    key["dependence"], spec_curve = inference.compute(ledgers, circular_ids, rules, method, prep, sensitivity)
    # Both questions per declared campaign, each over its declared scope (rules.toml [campaigns]).
    key["by_campaign"] = campaigns.compute(
        used,
        rules,
        method,
        declaration,
        stories.reviewed_stories(claims),
        stories.reactive(prep, method.reactive_lookback_days, method.reactive_min_evidence),
    )
    return Results(ledgers, rules, prep, primary, grid, sensitivity, p0, null, key, declaration, spec_curve)


def write(results: Results, report_dir: Path) -> list[Path]:
    """The machine tables, into report_dir's tables/ folder (paths.tables_in)."""
    out = paths.tables_in(report_dir)
    files = {
        paths.KEY_NUMBERS_FILE: lambda p: write_json(results.key_numbers, p),
        paths.VERDICTS_FILE: lambda p: write_csv(
            results.primary.merge(results.p0.rename("p0_chance").reset_index(), on="claim_id", how="left"), p
        ),
        paths.GRID_VERDICTS_FILE: lambda p: write_csv(results.grid, p),
        paths.SPEC_CURVE_FILE: lambda p: write_csv(results.spec_curve, p),
        paths.SENSITIVITY_FILE: lambda p: write_csv(results.sensitivity, p),
        paths.CLAIMREVIEW_FILE: lambda p: write_json(
            claimreview.claim_reviews(
                results.primary,
                results.ledgers.claims,
                results.key_numbers["rule"]["text"],
                results.ledgers.data_dir,
            ),
            p,
            script_safe=True,
        ),
    }
    for name, writer in files.items():
        writer(out / name)
    return [out / name for name in files]
