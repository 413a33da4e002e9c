"""The incidents behind the hits: every incident that any rule of the grid matches, told in full.

All the hits in the sensitivity grid may come through one or two incidents; a reader must see
what each is, who alleged it, what each investigating body found, why it carries its evidence
grade, and which claims and how many rules it touches. Generated from the verdict grid and the
incidents ledger, so it stays true for any campaign and any outcome.
"""

from __future__ import annotations

import pandas as pd

from analysis.inputs.load import Ledgers
from analysis.inputs.rules import EVIDENCE_ORDER

# Each body's finding has its own column in the incidents ledger (see data/README.md).
FINDING_COLUMNS = {
    "opcw_ffm_finding": "OPCW Fact-Finding Mission",
    "opcw_attribution": "OPCW attribution (IIT or JIM)",
    "un_coi_finding": "UN Commission of Inquiry",
    "other_findings": "Other findings",
}


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA else str(value)


def _incident_ids(cell: str) -> list[str]:
    return [i for i in cell.split(";") if i]


def _date(row: pd.Series, exact: str) -> str:
    """The exact date when known, else the bounds ('between 2018-09-01 and ?')."""
    if pd.notna(row.get(exact)) and _text(row.get("date_precision")) == "day":
        return pd.Timestamp(row[exact]).strftime("%Y-%m-%d")
    low, high = (row.get(c) for c in ("date_earliest", "date_latest"))
    low = pd.Timestamp(low).strftime("%Y-%m-%d") if pd.notna(low) else "?"
    high = pd.Timestamp(high).strftime("%Y-%m-%d") if pd.notna(high) else "?"
    return low if low == high else f"between {low} and {high}"


def decisive_incidents(grid: pd.DataFrame, ledgers: Ledgers, primary: dict) -> list[dict]:
    """One entry per incident that any rule matches, most rules first.

    grid: report/tables/verdicts_grid.csv (one row per rule x claim, all columns as text).
    primary: the primary rule as key_numbers.json gives it (its min_evidence and rule_id).
    """
    hits = grid[grid["verdict"] == "materialized"].copy()
    hits["incident"] = hits["matched_incidents"].map(_incident_ids)
    hits = hits.explode("incident").dropna(subset=["incident"])
    if hits.empty:
        return []
    claims = ledgers.claims.set_index("claim_id")
    incidents = ledgers.incidents.set_index("incident_id")
    places = ledgers.places.set_index("place_id")
    prediction_rules = set(
        grid.loc[(grid["verdict"] == "materialized") & (grid["scored_as"] == "prediction"), "rule_id"]
    )
    # The incidents behind each rule's prediction hits: a rule "depends only on" an incident when
    # every prediction hit it gives comes through that incident alone.
    behind = hits[hits["scored_as"] == "prediction"].groupby("rule_id")["incident"].agg(set)
    primary_bar = EVIDENCE_ORDER.index(primary["min_evidence"])
    out = []
    for incident_id, part in hits.groupby("incident"):
        incident = incidents.loc[incident_id]
        level = _text(incident["evidence_level"])
        touched = []
        for scored_as, rows in part.groupby("scored_as"):
            for claim_id, claim_rows in rows.groupby("claim_id"):
                claim = claims.loc[claim_id]
                touched.append(
                    {
                        "claim_id": claim_id,
                        "scored_as": scored_as,
                        "rules": claim_rows["rule_id"].nunique(),
                        "claimant": _text(claim["claimant"]),
                        "claim_type": _text(claim["claim_type"]),
                        "date_made": _date(claim, "date_made"),
                    }
                )
        predictions = part[part["scored_as"] == "prediction"]
        out.append(
            {
                "incident_id": incident_id,
                "date": _date(incident, "date"),
                "place_text": _text(incident["place_text"]),
                "places": [places.loc[p, "name"] for p in incident["place_list"] if p in places.index],
                "agent": _text(incident["agent"]),
                "alleged_perpetrator": _text(incident["alleged_perpetrator"]),
                "perpetrator_side": _text(incident["perpetrator_side"]),
                "findings": [
                    {"body": body, "finding": _text(incident[column])}
                    for column, body in FINDING_COLUMNS.items()
                    if column in incident.index and _text(incident[column])
                ],
                "evidence_level": level,
                "below_primary_bar": EVIDENCE_ORDER.index(level) < primary_bar,
                "primary_min_evidence": primary["min_evidence"],
                "evidence_bars_with_hits": [e for e in EVIDENCE_ORDER[::-1] if e in set(part["min_evidence"])],
                "notes": _text(incident.get("notes")),
                "verification_notes": _text(incident.get("verification_notes")),
                "claims": sorted(touched, key=lambda c: (c["scored_as"] != "prediction", -c["rules"], c["claim_id"])),
                "rules": part["rule_id"].nunique(),
                "prediction_rules": predictions["rule_id"].nunique(),
                "occurrence_rules": part.loc[part["scored_as"] == "occurrence", "rule_id"].nunique(),
                "rules_with_prediction_hits": len(prediction_rules),
                "rules_only_through_it": sum(1 for s in behind if s == {incident_id}),
                "max_predictions_matched": int(predictions.groupby("rule_id")["claim_id"].nunique().max())
                if not predictions.empty
                else 0,
            }
        )
    return sorted(out, key=lambda d: (-d["rules"], d["incident_id"]))
