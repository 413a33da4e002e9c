"""Stories (echo clusters) against the declared rule, the ledger's reviewed story_id, reactive flags."""

from __future__ import annotations

import pandas as pd

from analysis.inputs import paths
from analysis.inputs.declared import load_method
from analysis.inputs.load import load
from analysis.inputs.rules import load_rules
from analysis.method.match import prepare
from analysis.method.stories import (
    disagreements,
    documented_decisions,
    propose_stories,
    reactive,
    reviewed_stories,
    undocumented,
)

PLACES = [
    dict(place_id="a", governorate="Idlib", latitude=35.9, longitude=36.6),
    dict(place_id="b", governorate="Idlib", latitude=35.8, longitude=36.4),
    dict(place_id="h", governorate="Hama", latitude=35.3, longitude=36.6),
    dict(place_id="idlib-gov", place_type="governorate", governorate="Idlib", latitude=35.7, longitude=36.7),
]


def _stories(load_synthetic, claims, incidents=({"place_ids": "h", "date": "2017-01-01"},)):
    ledgers, rules = load_synthetic(claims, incidents, PLACES)
    return propose_stories(prepare(ledgers, rules), 7)


def test_same_place_within_gap_is_one_story(load_synthetic):
    s = _stories(
        load_synthetic, [dict(place_ids="a", date_made="2018-09-01"), dict(place_ids="a", date_made="2018-09-08")]
    )
    assert s["C01"] == s["C02"]


def test_beyond_gap_or_other_place_or_other_agent_are_apart(load_synthetic):
    s = _stories(
        load_synthetic,
        [
            dict(place_ids="a", date_made="2018-09-01", groups_accused="HTS"),
            dict(place_ids="a", date_made="2018-09-09", groups_accused="HTS"),  # 8 days: beyond the gap
            dict(place_ids="b", date_made="2018-09-02", groups_accused="HTS"),  # other place
            dict(place_ids="a", date_made="2018-09-03", groups_accused="TIP"),  # other accused group
        ],
    )
    assert len(set(s)) == 4


def test_region_only_claim_joins_places_in_its_governorate(load_synthetic):
    s = _stories(
        load_synthetic,
        [
            dict(place_ids="idlib-gov", date_made="2018-09-01"),
            dict(place_ids="b", date_made="2018-09-03"),
            dict(place_ids="h", date_made="2018-09-02"),  # Hama: not in the region
        ],
    )
    assert s["C01"] == s["C02"] != s["C03"]


def test_single_linkage_chains_and_labels_follow_time(load_synthetic):
    s = _stories(
        load_synthetic,
        [
            dict(place_ids="a", date_made="2018-09-20"),
            dict(place_ids="a", date_made="2018-09-13"),
            dict(place_ids="a", date_made="2018-09-06"),  # 14 days from C01, linked through C02
            dict(place_ids="h", date_made="2018-08-01"),
        ],
    )
    assert s["C01"] == s["C02"] == s["C03"]
    assert s["C04"] == "S01" and s["C03"] == "S02"


def test_reactive_when_an_incident_precedes_in_the_governorate(load_synthetic):
    ledgers, rules = load_synthetic(
        [
            dict(place_ids="a", date_made="2018-09-10"),
            dict(place_ids="a", date_made="2018-09-30"),
            dict(place_ids="h", date_made="2018-09-10"),
        ],
        [dict(place_ids="b", date="2018-09-01", evidence_level="credible_report")],
        PLACES,
    )
    flags = reactive(prepare(ledgers, rules), 14, "credible_report")
    assert flags.to_dict() == {"C01": True, "C02": False, "C03": False}
    assert not reactive(prepare(ledgers, rules), 14, "confirmed").any()


def test_disagreements_ignore_label_names_and_need_documenting():
    reviewed = pd.Series({"C01": "S01", "C02": "S01", "C03": "S02"})
    assert disagreements(reviewed, pd.Series({"C01": "X", "C02": "X", "C03": "Y"})) == []
    proposed = pd.Series({"C01": "X", "C02": "Y", "C03": "Y"})
    assert disagreements(reviewed, proposed) == [("C01", "C02"), ("C02", "C03")]
    assert undocumented(reviewed, proposed, {"C02": "split by hand"}) == []
    assert undocumented(reviewed, proposed, {"C01": "why"}) == [("C02", "C03")]


def test_documented_decisions_are_read_from_the_codebook_table():
    text = "# x\n## Story decisions\n\n| claim | rule | reviewed | why |\n|---|---|---|---|\n| `C07` | S03 | S11 | split |\n## Next\n| C09 | a | b | c |\n"
    assert documented_decisions(text) == {"C07": "split"}


def test_shipped_story_ids_follow_the_rule_or_a_documented_decision():
    ledgers = load()
    rules = load_rules()
    proposed = propose_stories(prepare(ledgers, rules), load_method(rules).story_max_gap_days)
    decisions = documented_decisions((paths.data_dir() / "README.md").read_text(encoding="utf-8"))
    assert ledgers.claims["story_id"].notna().all(), "every shipped claim has a reviewed story"
    assert undocumented(reviewed_stories(ledgers.claims), proposed, decisions) == []
