"""Circular matches, association (against brute force), the specification curve and alarm
coverage, on synthetic ledgers and on the shipped data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.inputs.declared import load_method
from analysis.inputs.load import load
from analysis.inputs.rules import load_rules
from analysis.method import association, inference, match
from analysis.method.stories import reviewed_stories
from tests.conftest import DATA

PLACES = [
    dict(place_id="a", governorate="Idlib", latitude=35.9, longitude=36.6),
    dict(place_id="b", governorate="Idlib", latitude=35.8, longitude=36.4),
    dict(place_id="h", governorate="Hama", latitude=35.3, longitude=36.6),
]
SHORT_REFERENCE = (
    (DATA / "rules.toml")
    .read_text(encoding="utf-8")
    .replace('reference_from = "2017-01-01"', 'reference_from = "2018-07-01"')
    .replace('reference_to = "2019-12-31"', 'reference_to = "2018-12-31"')
)


def test_circular_incident_is_excluded_before_matching(load_synthetic):
    ledgers, rules = load_synthetic(
        [dict(place_ids="a", date_made="2018-09-01")],
        [dict(place_ids="b", date="2018-09-05", independent_of_claimants="no", evidence_level="confirmed")],
        PLACES,
    )
    method = load_method(rules)
    used, ids = inference.independent_of_claimants(ledgers, method)
    assert ids == ["SYR-CW-2018-001"] and used.incidents.empty
    prep_all, prep_used = match.prepare(ledgers, rules), match.prepare(used, rules)
    assert match.verdicts(prep_all, rules.primary)["verdict"].tolist() == ["materialized"]
    assert match.verdicts(prep_used, rules.primary)["verdict"].tolist() == ["not_materialized"]


def _brute_trigger(warnings, attacks, delta, offset, ref_first, n_days):
    """Stories with an attack in [first, last + delta] of a row, warnings moved circularly."""
    hit_stories = set()
    for _, w in warnings.iterrows():
        start = ref_first + (w["first"] - ref_first + offset) % n_days
        end = start + (w["last"] - w["first"]) + delta
        for _, a in attacks.iterrows():
            if not (w["governorates"] & a["governorates"]):
                continue
            days = np.arange(a["first"], a["last"] + 1)
            # the attack series is circular too: compare on the circle
            shifted = (np.arange(start, end + 1) - ref_first) % n_days
            if np.isin((days - ref_first) % n_days, shifted).any():
                hit_stories.add(w["story_id"])
    return len(hit_stories)


def test_association_counts_match_brute_force(load_synthetic):
    ledgers, rules = load_synthetic(
        [
            dict(place_ids="a", date_made="2018-09-01", story_id="S01"),
            dict(place_ids="b", date_made="2018-09-03", story_id="S01"),
            dict(place_ids="h", date_made="2018-10-20", story_id="S02"),
        ],
        [
            dict(place_ids="b", date="2018-09-20", perpetrator_side="government"),
            dict(place_ids="h", date="2018-08-01", perpetrator_side="isis"),
            dict(place_ids="a", date="2018-12-25", perpetrator_side="government"),
        ],
        PLACES,
        rules_text=SHORT_REFERENCE,
    )
    method = load_method(rules)
    prep = match.prepare(ledgers, rules)
    predictions = (prep.claims["is_prediction"] & prep.claims["assessable"]).to_numpy()
    result = association.association(prep, rules, method, predictions, reviewed_stories(ledgers.claims))
    warnings = association.warning_series(prep, predictions, reviewed_stories(ledgers.claims))
    ref_first = float(pd.Timestamp("2018-07-01").to_datetime64().astype("datetime64[D]").astype(np.int64))
    n_days = 184
    for attribution in ("government", "any"):
        attacks = association.attack_series(prep, method, attribution)
        for row in result["by_attribution"][attribution]["by_delta"]:
            delta = row["delta_days"]
            counts = [_brute_trigger(warnings, attacks, delta, k, ref_first, n_days) for k in range(n_days)]
            assert row["trigger_after"]["hits"] == counts[0]
            assert row["trigger_after"]["p_surrogate_at_least"] == pytest.approx(np.mean(np.array(counts) >= counts[0]))
    government = result["by_attribution"]["government"]["primary"]
    assert government["trigger_after"]["hits"] == 1  # S01 then the 20 Sep attack in Idlib
    assert government["self_control"] == {"after": 1, "before": 0, "p_two_sided": 1.0}
    # Attacks from the scope start to 30 days after its end: 20 Sep (preceded) and 25 Dec (not).
    assert government["precursor"]["hits"] == 1 and government["precursor"]["n"] == 2


def test_spec_curve_observed_equals_the_sensitivity_table():
    ledgers, rules = load(), load_rules()
    method = load_method(rules)
    used, _ = inference.independent_of_claimants(ledgers, method)
    prep = match.prepare(used, rules)
    grid = match.grid_verdicts(prep, rules)
    hits = (
        grid[(grid["scored_as"] == "prediction") & (grid["verdict"] == "materialized")]
        .groupby("rule_id")["claim_id"]
        .count()
    )
    scored = _primary_select(prep, rules)
    curve = inference.spec_curve(prep, rules, scored)
    table = curve["table"].set_index("rule_id")
    assert (table["hits"] == hits.reindex(table.index).fillna(0)).all()
    assert curve["observed_rules_with_hits"] == int((hits > 0).sum())
    assert 0 <= curve["p_at_most_observed"] <= 1


def _primary_select(prep, rules):
    from analysis.method.stats import coverage

    cover = coverage(prep, rules.primary, rules)
    return (prep.claims["is_prediction"] & prep.claims["assessable"]).to_numpy()[cover.rows]


def test_alarm_coverage_counts_governorate_days(load_synthetic):
    ledgers, rules = load_synthetic(
        [dict(place_ids="a", date_made="2018-11-20")],  # window 20 Nov + 30 days, cut at 30 Nov
        [dict(place_ids="b", date="2018-11-25", evidence_level="confirmed")],
        PLACES,
    )
    prep = match.prepare(ledgers, rules)
    scored = (prep.claims["is_prediction"] & prep.claims["assessable"]).to_numpy()
    alarm = inference.alarm_coverage(prep, rules, ledgers.places, scored)
    days = (rules.scope.date_to - rules.scope.date_from).days + 1
    assert alarm["governorates"] == 2 and alarm["days"] == days
    assert alarm["governorate_days_under_warning"] == 11
    assert alarm["share"] == pytest.approx(11 / (2 * days))
    assert alarm["incidents_in_period"] == 1 and alarm["incidents_under_warning"] == 1


def test_shipped_key_numbers_hold_both_nulls_and_stories():
    from analysis.outputs.results import compute

    key = compute(load(), load_rules()).key_numbers
    d = key["dependence"]
    p = d["primary"]
    assert p["rows"]["n"] == key["claims_assessable"] and p["rows"]["hits"] == key["hits"]
    assert p["independent_null"]["p_zero_hits"] == pytest.approx(key["null_model"]["p_zero_hits"])
    assert p["stories"]["n"] == d["stories"]["scored"] <= p["rows"]["n"]
    # The shipped ledger's echoes make chance hits lumpier: more variance and more zeros.
    assert p["shift_rows"]["variance"] > p["dependence"]["independent_variance"]
    assert p["shift_rows"]["p_zero_hits"] > p["independent_null"]["p_zero_hits"]
    assert p["dependence"]["effective_n"] == pytest.approx(p["rows"]["n"] / p["dependence"]["design_effect"])
    assert "SYR-CW-2018-009" in d["circular"]["incident_ids"]


def test_bad_method_setting_names_the_file_and_setting(data_copy):
    from analysis.inputs.load import DataError

    path = data_copy / "rules.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("max_gap_days = 7", "max_gap_days = -1"), encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_method(load_rules(path))
    assert str(err.value).startswith("rules.toml: ") and "max_gap_days" in str(err.value)
