"""Small helpers of analysis.outputs.results that notebooks and figures share."""

from __future__ import annotations

import pandas as pd

from analysis.outputs.results import hits_by_claim, incident_governorates


def test_hits_by_claim_counts_rules_per_materialized_claim():
    grid = pd.DataFrame(
        {
            "rule_id": ["a", "b", "c", "a", "b"],
            "claim_id": ["C1", "C1", "C1", "C2", "C2"],
            "verdict": ["materialized", "materialized", "not_materialized", "materialized", "out_of_scope"],
        }
    )
    counts = hits_by_claim(grid)
    assert counts.to_dict() == {"C1": 2, "C2": 1}
    assert list(counts.index) == ["C1", "C2"]  # most rules first


def test_incident_governorate_is_that_of_the_first_place():
    places = pd.DataFrame({"place_id": ["x", "y"], "governorate": ["Idlib", "Hama"]})
    incidents = pd.DataFrame({"place_list": [["y", "x"], ["x"], []]})
    governorates = incident_governorates(incidents, places)
    assert governorates.iloc[:2].tolist() == ["Hama", "Idlib"]
    assert pd.isna(governorates.iloc[2])  # an incident without places has no governorate
