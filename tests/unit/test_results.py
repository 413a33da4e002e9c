"""Small helpers of analysis.outputs.results that notebooks and figures share, and the declared
shape of key_numbers.json (analysis/outputs/key_numbers.schema.json, JSON Schema draft 2020-12):
the shipped file and the key numbers of the example campaigns conform to it, and it rejects a
key_numbers dict with a required key missing or of the wrong type."""

from __future__ import annotations

import csv
import json
import shutil

import jsonschema
import pandas as pd
import pytest

from analysis.inputs import paths
from analysis.inputs.load import load
from analysis.inputs.rules import load_rules
from analysis.outputs import results
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


SCHEMA = json.loads(results.KEY_NUMBERS_SCHEMA.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _problems(key_numbers: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(key_numbers)]


def _written_key_numbers(data, out) -> dict:
    """Compute the key numbers of a data folder and read them back as the build writes them."""
    computed = results.compute(load(data), load_rules(paths.rules_path(data)))
    paths.report_dir(out).mkdir(parents=True, exist_ok=True)
    results.write(computed, paths.report_dir(out))
    return json.loads((paths.tables_dir(out) / paths.KEY_NUMBERS_FILE).read_text(encoding="utf-8"))


def test_the_schema_is_valid_draft_2020_12():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_shipped_key_numbers_conform():
    shipped = json.loads((paths.tables_dir(paths.ROOT) / paths.KEY_NUMBERS_FILE).read_text(encoding="utf-8"))
    assert _problems(shipped) == []


@pytest.fixture(scope="module")
def example_key_numbers(tmp_path_factory) -> dict:
    """The first example campaign, with the village its gazetteer lacks added (as a user would)."""
    data = tmp_path_factory.mktemp("example") / "campaign"
    shutil.copytree(paths.ROOT / "tests" / "example_campaign", data)
    with (data / "places.csv").open(encoding="utf-8", newline="") as handle:
        first = next(csv.DictReader(handle))
    with (data / "places.csv").open("a", encoding="utf-8", newline="") as handle:
        row = first | {"place_id": "example-new-village", "name": "Example New Village"}
        csv.DictWriter(handle, fieldnames=list(first), lineterminator="\n").writerow(row)
    return _written_key_numbers(data, tmp_path_factory.mktemp("example-out"))


def test_the_example_campaigns_key_numbers_conform(example_key_numbers, tmp_path):
    assert _problems(example_key_numbers) == []
    second = _written_key_numbers(paths.ROOT / "tests" / "example_campaign_2", tmp_path)
    assert second["hits"] > 0  # a record with hits, unlike the shipped one
    assert _problems(second) == []


@pytest.mark.parametrize("key", ["hits", "null_model", "sensitivity", "dependence", "by_campaign"])
def test_a_missing_required_key_is_rejected(example_key_numbers, key):
    broken = {k: v for k, v in example_key_numbers.items() if k != key}
    assert any(f"'{key}' is a required property" in p for p in _problems(broken))


def test_wrong_nested_types_are_rejected(example_key_numbers):
    broken = json.loads(json.dumps(example_key_numbers))
    broken["null_model"]["n"] = "32"
    del broken["sensitivity"]["max_hits"]
    broken["published_counts"] = [{"source": "x"}]
    problems = _problems(broken)
    assert any(p.startswith("null_model/n:") for p in problems)
    assert any("'max_hits' is a required property" in p for p in problems)
    assert any(p.startswith("published_counts/0:") for p in problems)
