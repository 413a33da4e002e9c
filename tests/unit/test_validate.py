"""`python -m analysis validate` on the shipped data and on deliberately broken copies."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, copy_data, drop_column, edit_cell, line_of

from analysis.__main__ import main as cli_main
from analysis.inputs.load import load

SYRIA_LAT = (32.3, 37.4)
SYRIA_LON = (35.7, 42.4)
URL = re.compile(r"^https?://\S+$")


def _start(data_dir: Path | None) -> subprocess.Popen:
    command = [sys.executable, "-m", "analysis", "validate"]
    if data_dir is not None:
        command += ["--data", str(data_dir)]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# Each case breaks one copy of the data and returns the exact problem line expected on stderr.
def _impossible_date(d: Path) -> str:
    edit_cell(d / "claims.csv", "C05", "date_made", "2018-02-30")
    n = line_of(d / "claims.csv", "C05")
    return f"claims.csv:{n}: date_made: '2018-02-30' is not a valid date (YYYY-MM-DD)"


def _unknown_enum(d: Path) -> str:
    edit_cell(d / "claims.csv", "C07", "claimant_group", "kremlin")
    n = line_of(d / "claims.csv", "C07")
    return f"claims.csv:{n}: claimant_group: 'kremlin' is not one of: rcross, other_russian_gov, russian_state_media, syrian_gov"


def _duplicate_id(d: Path) -> str:
    first = line_of(d / "claims.csv", "C05")
    second = line_of(d / "claims.csv", "C06")
    edit_cell(d / "claims.csv", "C06", "claim_id", "C05")
    return f"claims.csv:{second}: claim_id: duplicate id 'C05' (first on line {first})"


def _unknown_place(d: Path) -> str:
    edit_cell(d / "incidents.csv", "SYR-CW-2017-002", "place_ids", "al-lataminah;atlantis")
    n = line_of(d / "incidents.csv", "SYR-CW-2017-002")
    return f"incidents.csv:{n}: place_ids: 'atlantis' is not in places.csv; add it to the gazetteer"


def _missing_column(d: Path) -> str:
    drop_column(d / "claims.csv", "summary")
    return "claims.csv:1: summary: required column is missing from the header"


def _latitude_outside(d: Path) -> str:
    edit_cell(d / "places.csv", "idlib", "latitude", "50")
    n = line_of(d / "places.csv", "idlib")
    return f"places.csv:{n}: latitude: '50' is outside the allowed range 32.3 to 37.4 (outside the area datapackage.json declares)"


BREAKS = {
    "impossible_date": _impossible_date,
    "unknown_enum": _unknown_enum,
    "duplicate_id": _duplicate_id,
    "unknown_place": _unknown_place,
    "missing_column": _missing_column,
    "latitude_outside_syria": _latitude_outside,
}


# Subprocesses pay the slow frictionless import (~3 s of CPU each), so only the shipped data and
# one broken copy go through a real `python -m analysis` process; every case also runs through the
# same entry point in-process (analysis.__main__.main), which must return 2 without raising.
SUBPROCESS_CASES = ("impossible_date",)


@pytest.fixture(scope="module")
def broken_copies(tmp_path_factory):
    copies = {}
    for name, breaker in BREAKS.items():
        directory = copy_data(tmp_path_factory.mktemp(name) / "data")
        copies[name] = (directory, breaker(directory))
    return copies


@pytest.fixture(scope="module")
def cli_results(broken_copies):
    procs = {"shipped": _start(None)}
    procs.update({name: _start(broken_copies[name][0]) for name in SUBPROCESS_CASES})
    results = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        results[name] = (proc.returncode, out, err)
    return results


def test_shipped_data_is_valid(cli_results):
    code, out, err = cli_results["shipped"]
    assert code == 0, err
    assert re.search(r"valid \(\d+ claims, \d+ incidents, \d+ places, \d+ aggregate counts\)", out)
    assert "Traceback" not in err


@pytest.mark.parametrize("case", SUBPROCESS_CASES)
def test_broken_copy_subprocess(cli_results, broken_copies, case):
    code, out, err = cli_results[case]
    assert code == 2, (out, err)
    assert "Traceback" not in err
    lines = err.splitlines()
    assert broken_copies[case][1] in lines, err
    assert lines[-1].endswith("nothing was written.")
    assert out == ""


@pytest.mark.parametrize("case", list(BREAKS))
def test_broken_copy_in_process(broken_copies, capsys, case):
    directory, expected = broken_copies[case]
    code = cli_main(["validate", "--data", str(directory)])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert "Traceback" not in err
    lines = err.splitlines()
    assert expected in lines, err
    assert lines[-1] == f"{len(lines) - 1} problem{'s' if len(lines) != 2 else ''} found; nothing was written."


def test_line_numbers_count_from_header(tmp_path):
    # Independent check that line_of agrees with the loader's own _line column.
    d = copy_data(tmp_path / "data")
    ledgers = load(d)
    for claim_id, line in zip(ledgers.claims["claim_id"], ledgers.claims["_line"], strict=True):
        assert line_of(d / "claims.csv", claim_id) == line


# --- properties of the shipped ledgers --------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    return load()


@pytest.mark.parametrize("frame", ["claims", "incidents"])
def test_every_row_cites_a_url(shipped, frame):
    table = getattr(shipped, frame)
    assert len(table) > 0
    for _, row in table.iterrows():
        urls = str(row["source_urls"]).split(";")
        assert urls and all(URL.match(u) for u in urls), row.iloc[0]


def test_every_referenced_place_exists(shipped):
    known = set(shipped.places["place_id"])
    for frame in (shipped.claims, shipped.incidents):
        for places in frame["place_list"]:
            assert places, "a row names no place"
            assert set(places) <= known, set(places) - known


def test_every_coordinate_is_inside_syria(shipped):
    places = shipped.places
    with_point = places.dropna(subset=["latitude", "longitude"])
    assert len(with_point) > 0
    assert with_point["latitude"].between(*SYRIA_LAT).all()
    assert with_point["longitude"].between(*SYRIA_LON).all()
    # Coordinates come in pairs: never one without the other.
    assert (places["latitude"].isna() == places["longitude"].isna()).all()


def test_claim_date_bounds_are_ordered(shipped):
    for frame in (shipped.claims, shipped.incidents):
        both = frame.dropna(subset=["date_earliest", "date_latest"])
        assert (both["date_earliest"] <= both["date_latest"]).all()
    assert pd.api.types.is_datetime64_any_dtype(shipped.claims["date_made"])
