"""Another campaign, no code change: ledgers of the same layout in a folder, then build.

The example campaign (tests/example_campaign, synthetic rows) names a village the shipped
gazetteer lacks: the user is told exactly which file, line and column, adds the place, and the
build succeeds with the campaign's own rules (a 2019 scope).
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.inputs import paths

EXAMPLE = Path(__file__).parents[1] / "example_campaign"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, timeout=900)


@pytest.mark.slow
def test_new_campaign_missing_place_then_build(tmp_path):
    data = tmp_path / "campaign"
    shutil.copytree(EXAMPLE, data)

    told = run("validate", "--data", str(data))
    assert told.returncode == 2
    assert "claims.csv:3: place_ids: 'example-new-village' is not in places.csv; add it to the gazetteer" in told.stderr

    with (data / "places.csv").open("a", encoding="utf-8", newline="") as handle:
        fields = [
            f["name"]
            for r in json.loads(paths.schema_path().read_text())["resources"]
            if r["name"] == "places"
            for f in r["schema"]["fields"]
        ]
        csv.DictWriter(handle, fieldnames=fields, lineterminator="\n").writerow(
            {
                "place_id": "example-new-village",
                "name": "Example New Village",
                "place_type": "locality",
                "governorate": "Idlib",
                "latitude": "35.9",
                "longitude": "36.6",
                "coordinate_source": "https://example.org/synthetic-place",
                "notes": "SYNTHETIC example place",
            }
        )
    assert run("validate", "--data", str(data)).returncode == 0

    out = tmp_path / "out"
    built = run("build", "--data", str(data), "--out", str(out))
    assert built.returncode == 0, built.stderr[-3000:]
    key = json.loads((paths.tables_dir(out) / paths.KEY_NUMBERS_FILE).read_text(encoding="utf-8"))
    assert key["claims_total"] == 3
    assert key["claims_assessable"] == 3  # the campaign's own 2019 scope applies
    assert key["hits"] == 1  # C01 (Kabani warning) is followed by the Kabani incident
    assert (out / "report" / "report.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "figures" / "05-hits-vs-null.png").exists()
    status = subprocess.run(
        ["git", "status", "--porcelain", "figures", "report"], cwd=paths.ROOT, capture_output=True, text=True
    )
    assert status.stdout.strip() == ""
