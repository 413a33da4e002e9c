"""Shared fixtures: copies of the shipped ledgers, a one-cell CSV editor and synthetic ledgers.

Synthetic ledgers are written as real CSV files with every codebook column (read from
data/datapackage.json), so tests exercise the same validation and typing path as the shipped data:
    ledgers = analysis.inputs.load.load(directory)
    rules = analysis.inputs.rules.load_rules(directory / "rules.toml")
"""

from __future__ import annotations

import csv
import itertools
import json
import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
CSV_FILES = ("claims.csv", "incidents.csv", "places.csv", "aggregate_counts.csv")
ID_COLUMNS = {
    "claims.csv": "claim_id",
    "incidents.csv": "incident_id",
    "places.csv": "place_id",
    "aggregate_counts.csv": "count_id",
}


def codebook_columns() -> dict[str, list[str]]:
    """File name -> column names, in codebook order."""
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    return {r["path"]: [f["name"] for f in r["schema"]["fields"]] for r in package["resources"]}


COLUMNS = codebook_columns()


# --- copies of the shipped data -------------------------------------------------------------------


def copy_data(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in (*CSV_FILES, "offensives.csv", "rules.toml", "campaign.toml"):  # campaigns name offensives
        shutil.copy2(DATA / name, target / name)
    return target


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A temporary folder holding copies of data/*.csv, data/rules.toml and data/campaign.toml."""
    return copy_data(tmp_path / "data")


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        records = list(csv.reader(handle))
    return records[0], records[1:]


def write_rows(path: Path, header: list[str], rows: Iterable[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def edit_cell(path: Path, row_id: str, column: str, value: str) -> str:
    """Set one cell of a CSV file (row found by its id in the first column); return the old value."""
    header, rows = read_rows(path)
    col = header.index(column)
    hits = [row for row in rows if row[0] == row_id]
    if len(hits) != 1:
        raise KeyError(f"{row_id!r} found {len(hits)} times in {path.name}")
    old, hits[0][col] = hits[0][col], value
    write_rows(path, header, rows)
    return old


def drop_column(path: Path, column: str) -> None:
    header, rows = read_rows(path)
    col = header.index(column)
    write_rows(
        path, [h for i, h in enumerate(header) if i != col], ([c for i, c in enumerate(r) if i != col] for r in rows)
    )


def line_of(path: Path, row_id: str) -> int:
    """Physical line (1 = header) of the row whose first cell is row_id, by scanning the raw text."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(row_id + ","):
            return number
    raise KeyError(row_id)


@pytest.fixture
def cell_editor():
    return edit_cell


# --- synthetic ledgers ----------------------------------------------------------------------------

URL = "https://example.org/source"


def _claim_row(spec: dict, number: int) -> dict:
    row = {
        "claim_id": f"C{number:02d}",
        "date_made": "2018-09-01",
        "date_precision": "day",
        "claimant": "Test claimant",
        "claimant_group": "rcross",
        "claim_type": "imminent_attack",
        "accuses_white_helmets": "yes",
        "summary": "synthetic claim",
        "source_urls": URL,
        "verification": "verified",
    }
    row.update(spec)
    if row["date_precision"] == "day":
        row.setdefault("date_earliest", row["date_made"])
        row.setdefault("date_latest", row["date_made"])
    return row


def _incident_row(spec: dict, number: int) -> dict:
    row = {
        "incident_id": f"SYR-CW-2018-{number:03d}",
        "date": "2018-09-10",
        "date_precision": "day",
        "agent": "chlorine",
        "perpetrator_side": "armed_opposition",
        "opcw_ffm_finding": "none",
        "opcw_attribution": "none",
        "un_coi_finding": "none",
        "evidence_level": "confirmed",
        "source_urls": URL,
        "verification": "verified",
    }
    row.update(spec)
    if row["date_precision"] == "day":
        row.setdefault("date_earliest", row["date"])
        row.setdefault("date_latest", row["date"])
    return row


def _place_row(spec: dict) -> dict:
    row = {"place_type": "locality", "governorate": "Idlib"}
    row.update(spec)
    row.setdefault("name", row["place_id"])
    if row.get("latitude") not in (None, "") and row.get("coordinate_source") is None:
        row["coordinate_source"] = URL
    return row


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _write_dicts(path: Path, rows: list[dict]) -> None:
    header = COLUMNS[path.name]
    for row in rows:
        unknown = set(row) - set(header)
        if unknown:
            raise KeyError(f"{path.name}: unknown columns {sorted(unknown)}")
    write_rows(path, header, ([_cell(row.get(c)) for c in header] for row in rows))


DEFAULT_AGGREGATE = {
    "count_id": "AGG-01",
    "source_body": "Test body",
    "count": 1,
    "unit": "attack",
    "what_is_counted": "synthetic",
    "source_urls": URL,
    "verification": "verified",
}


def write_ledgers(directory: Path, claims=(), incidents=(), places=(), rules_text: str | None = None) -> Path:
    """Write minimal valid ledgers (every codebook column) into directory and return it.

    Claims and incidents need only the cells a test cares about (place_ids at least); ids, dates
    and the other required cells get defaults. Day-precision rows get bounds equal to their date.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    _write_dicts(directory / "claims.csv", [_claim_row(dict(c), i) for i, c in enumerate(claims, 1)])
    _write_dicts(directory / "incidents.csv", [_incident_row(dict(c), i) for i, c in enumerate(incidents, 1)])
    _write_dicts(directory / "places.csv", [_place_row(dict(p)) for p in places])
    _write_dicts(directory / "aggregate_counts.csv", [DEFAULT_AGGREGATE])
    if rules_text is None:
        shutil.copy2(DATA / "rules.toml", directory / "rules.toml")
    else:
        (directory / "rules.toml").write_text(rules_text, encoding="utf-8")
    return directory


_counter = itertools.count()


@pytest.fixture(scope="session")
def make_ledgers(tmp_path_factory):
    """make_ledgers(claims=[...], incidents=[...], places=[...]) -> a new folder of valid CSVs.

    Session-scoped (a factory that makes a fresh folder per call) so hypothesis tests can use it.
    """

    def make(claims=(), incidents=(), places=(), rules_text=None) -> Path:
        directory = tmp_path_factory.mktemp(f"ledgers{next(_counter)}", numbered=True)
        return write_ledgers(directory, claims, incidents, places, rules_text)

    return make


@pytest.fixture(scope="session")
def load_synthetic(make_ledgers):
    """Like make_ledgers, but returns (Ledgers, Rules) loaded through the project's own loaders."""
    from analysis.inputs.load import load
    from analysis.inputs.rules import load_rules

    def make_and_load(claims=(), incidents=(), places=(), rules_text=None):
        directory = make_ledgers(claims, incidents, places, rules_text)
        return load(directory), load_rules(directory / "rules.toml")

    return make_and_load


# --- random synthetic ledgers (hypothesis) ---------------------------------------------------------

DISTRICTS = {"Idlib": ["Idlib District", "Ariha District"], "Hama": ["Mahardah District"]}
EVIDENCE = ["confirmed", "credible_report", "alleged_unverified", "disputed"]
SIDES = ["government", "armed_opposition", "isis", "unknown"]
CLAIM_TYPES = ["imminent_attack", "chemicals_moved", "staging_video", "attack_occurred", "other"]
CLAIMANT_GROUPS = ["rcross", "other_russian_gov", "russian_state_media", "syrian_gov"]
BASE_DAY = "2018-07-15"  # random dates are offsets from here; scope is 2018-08-01 .. 2018-11-30


def _iso(offset: int) -> str:
    import pandas as pd

    return (pd.Timestamp(BASE_DAY) + pd.Timedelta(days=offset)).strftime("%Y-%m-%d")


def ledger_specs(max_places: int = 6, max_claims: int = 5, max_incidents: int = 6):
    """Hypothesis strategy: (claims, incidents, places) specs for write_ledgers / load_synthetic.

    Places lie in a ~90 x 65 km box of north-western Syria so every radius in the grid matters;
    districts belong to exactly one governorate, as in the real gazetteer.
    """
    from hypothesis import strategies as st

    @st.composite
    def place(draw, index):
        governorate = draw(st.sampled_from(sorted(DISTRICTS)))
        district = draw(st.one_of(st.none(), st.sampled_from(DISTRICTS[governorate])))
        place_type = draw(st.sampled_from(["locality"] * 5 + ["site", "region", "governorate", "district"]))
        spec = dict(place_id=f"p{index}", place_type=place_type, governorate=governorate, district=district)
        if draw(st.integers(0, 4)) > 0:
            spec["latitude"] = round(draw(st.floats(35.0, 35.8)), 4)
            spec["longitude"] = round(draw(st.floats(36.3, 37.0)), 4)
        return spec

    def place_list(draw, n_places, most):
        chosen = draw(st.lists(st.integers(0, n_places - 1), min_size=1, max_size=most, unique=True))
        return ";".join(f"p{i}" for i in chosen)

    @st.composite
    def claim(draw, n_places):
        spec = dict(
            place_ids=place_list(draw, n_places, 3),
            claim_type=draw(st.sampled_from(CLAIM_TYPES)),
            claimant_group=draw(st.sampled_from(CLAIMANT_GROUPS)),
            stated_window_days=draw(st.one_of(st.none(), st.integers(0, 10))),
        )
        first = draw(st.integers(0, 150))
        if draw(st.integers(0, 3)) > 0:
            spec.update(date_made=_iso(first), date_precision="day")
        else:
            last = first + draw(st.integers(0, 15))
            spec.update(
                date_made=None,
                date_precision="approximate",
                date_earliest=draw(st.sampled_from([_iso(first)] * 3 + [None])),
                date_latest=draw(st.sampled_from([_iso(last)] * 3 + [None])),
            )
        return spec

    @st.composite
    def incident(draw, n_places):
        spec = dict(
            place_ids=place_list(draw, n_places, 2),
            evidence_level=draw(st.sampled_from(EVIDENCE)),
            perpetrator_side=draw(st.sampled_from(SIDES)),
        )
        first = draw(st.integers(0, 180))
        if draw(st.booleans()):
            spec.update(date=_iso(first), date_precision="day")
        else:
            spec.update(
                date=None,
                date_precision=draw(st.sampled_from(["month", "approximate"])),
                date_earliest=_iso(first),
                date_latest=_iso(first + draw(st.integers(0, 40))),
            )
        return spec

    @st.composite
    def ledgers(draw):
        n_places = draw(st.integers(1, max_places))
        places = [draw(place(i)) for i in range(n_places)]
        claims = draw(st.lists(claim(n_places), min_size=1, max_size=max_claims))
        incidents = draw(st.lists(incident(n_places), min_size=1, max_size=max_incidents))
        return claims, incidents, places

    return ledgers()
