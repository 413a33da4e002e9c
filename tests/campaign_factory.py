"""Synthetic campaign folders in an invented country, for tests (every row says SYNTHETIC).

Regenerate the committed tests/example_campaign_2 with `python tests/campaign_factory.py` (needed
when data/datapackage.json changes: the example's codebook is derived from it).

`write_campaign` writes ledgers, gazetteer, codebook (datapackage.json with the campaign's own
claimant groups, provinces and coordinate area), rules.toml and, optionally, campaign.toml. The
country, its places and its bodies are invented; the URLs point at example.org. Nothing here is a
fact about the world, and no word of the shipped campaign is used.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.inputs import paths

SYNTHETIC = "SYNTHETIC example for tests and documentation; not a real event."
URL = "https://example.org/synthetic"
COUNTRY = "Exampleland"
GROUPS = {"interior_ministry": "Interior Ministry", "state_broadcaster": "State broadcaster"}
PROVINCES = ["North Province", "South Province", "East Province"]
LAT, LON = (10.0, 14.0), (20.0, 26.0)
# place_id, name, type, district, province, latitude, longitude
PLACES = [
    ("alpha-town", "Alpha Town", "locality", "Alpha District", "North Province", 13.1, 21.2),
    ("beta-village", "Beta Village", "locality", "Alpha District", "North Province", 13.3, 21.6),
    ("gamma-city", "Gamma City", "locality", "Gamma District", "North Province", 12.8, 22.4),
    ("delta-port", "Delta Port", "locality", "Delta District", "South Province", 10.6, 24.9),
    ("north-province", "North Province", "governorate", "", "North Province", 13.0, 22.0),
    ("east-province", "East Province", "governorate", "", "East Province", None, None),
]


@dataclass
class Claim:
    day: str | None  # None: known only within bounds
    group: str = "interior_ministry"
    places: str = "alpha-town"
    kind: str = "imminent_attack"
    bounds: tuple[str | None, str | None] = (None, None)
    names_rescuers: str = "yes"


@dataclass
class Incident:
    day: str
    places: str = "alpha-town"
    evidence: str = "credible_report"
    side: str = "armed_opposition"


@dataclass
class Spec:
    period: tuple[str, str]
    claims: list[Claim]
    incidents: list[Incident] = field(default_factory=list)
    published: dict | None = None  # a [[campaign.published_count]] table, or None
    declared: bool = True
    small_grid: bool = True


def _schema() -> dict:
    package = json.loads(paths.schema_path().read_text(encoding="utf-8"))
    package["name"] = "synthetic-exampleland"
    package["title"] = "SYNTHETIC example campaign in an invented country (Exampleland)"
    package["description"] = SYNTHETIC
    package["sources"] = [{"title": "Synthetic example", "path": URL}]
    for resource in package["resources"]:
        resource["description"] = SYNTHETIC
        for f in resource["schema"]["fields"]:
            if f["name"] == "claimant_group":
                f["constraints"]["enum"] = list(GROUPS)
                f["enumLabels"] = dict(GROUPS)
                f["description"] = "Synthetic claimant groups of Exampleland."
            if f["name"] == "governorate":
                f["constraints"]["enum"] = PROVINCES
                f["description"] = "Province of Exampleland (synthetic)."
            if f["name"] in ("latitude", "longitude"):
                low, high = LAT if f["name"] == "latitude" else LON
                f["constraints"] = {"minimum": low, "maximum": high}
                f["description"] = "WGS84 decimal degrees inside the synthetic country's box."
    return package


def _write_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _fields(package: dict, name: str) -> list[str]:
    resource = next(r for r in package["resources"] if r["name"] == name)
    return [f["name"] for f in resource["schema"]["fields"]]


def _claim_rows(spec: Spec) -> list[dict]:
    rows = []
    for i, c in enumerate(spec.claims, start=1):
        early, late = (c.day, c.day) if c.day else c.bounds
        rows.append(
            {
                "claim_id": f"X-{i}",
                "date_made": c.day or "",
                "date_precision": "day" if c.day else "approximate",
                "date_earliest": early or "",
                "date_latest": late or "",
                "claimant": "Synthetic spokesperson",
                "claimant_group": c.group,
                "outlets": "Synthetic outlet",
                "claim_type": c.kind,
                "accuses_white_helmets": c.names_rescuers,
                "place_ids": c.places,
                "summary": f"Synthetic claim {i}: a warning of a staged attack.",
                "source_urls": URL + f"-claim-{i}",
                "verification": "unverified",
                "verification_notes": SYNTHETIC,
                "notes": SYNTHETIC,
            }
        )
    return rows


def _incident_rows(spec: Spec) -> list[dict]:
    return [
        {
            "incident_id": f"EX-{i}",
            "date": inc.day,
            "date_precision": "day",
            "date_earliest": inc.day,
            "date_latest": inc.day,
            "place_ids": inc.places,
            "agent": "chlorine",
            "alleged_perpetrator": "Synthetic",
            "perpetrator_side": inc.side,
            "opcw_ffm_finding": "not seen",
            "opcw_attribution": "not seen",
            "un_coi_finding": "not seen",
            "evidence_level": inc.evidence,
            "source_urls": URL + f"-incident-{i}",
            "verification": "unverified",
            "verification_notes": SYNTHETIC,
            "notes": SYNTHETIC,
        }
        for i, inc in enumerate(spec.incidents, start=1)
    ]


def _rules(spec: Spec) -> str:
    start, end = spec.period
    ref_from = (pd.Timestamp(start) - pd.DateOffset(years=1)).strftime("%Y-%m-%d")
    ref_to = (pd.Timestamp(end) + pd.DateOffset(years=1)).strftime("%Y-%m-%d")
    if spec.small_grid:
        grid = (
            'window_days = [7, 30]\nstated_frame = ["ignore"]\ngeography = ["governorate", "anywhere"]\n'
            'min_evidence = ["credible_report", "disputed"]\nshape = ["any"]\n'
        )
    else:
        grid = (
            'window_days = [2, 7, 14, 30, 60, 90]\nstated_frame = ["ignore", "replace"]\n'
            'geography = ["radius:10", "radius:25", "district", "governorate", "anywhere"]\n'
            'min_evidence = ["confirmed", "credible_report", "alleged_unverified", "disputed"]\n'
            'shape = ["accused_side", "any"]\n'
        )
    return (
        "# SYNTHETIC example campaign rules.\n[scope]\n"
        f'date_from = "{start}"\ndate_to = "{end}"\n'
        f"claimant_groups = {json.dumps(list(GROUPS))}\n"
        'prediction_types = ["imminent_attack", "chemicals_moved", "staging_video"]\n'
        'occurrence_types = ["attack_occurred"]\n\n'
        '[primary]\nwindow_days = 30\nstated_frame = "ignore"\ngeography = "governorate"\nradius_km = 25\n'
        'min_evidence = "credible_report"\nshape = "any"\noccurrence_lookback_days = 3\n\n'
        f"[sensitivity]\n{grid}\n"
        f'[null_model]\nreference_from = "{ref_from}"\nreference_to = "{ref_to}"\n'
        'accused_sides = ["armed_opposition"]\ncumulative_series = []\n'
    )


def _campaign(spec: Spec) -> str:
    start, end = spec.period
    text = (
        "# SYNTHETIC example campaign in an invented country.\n[[campaign]]\n"
        'id = "exampleland-synthetic"\n'
        'title = "SYNTHETIC: warnings of staged attacks in the north of Exampleland"\n'
        f'period_from = "{start}"\nperiod_to = "{end}"\n'
        'region = "the north of Exampleland"\nregion_level = "governorate"\nregion_areas = ["North Province"]\n'
        f'country = "{COUNTRY}"\n'
        'claimants = "Exampleland\'s (synthetic) ministries and state broadcaster"\n'
        'subject = "invented opponents were preparing staged attacks (synthetic)"\n'
    )
    if spec.published:
        text += "\n[[campaign.published_count]]\n"
        for key, value in spec.published.items():
            if isinstance(value, dict):
                inner = ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items())
                text += f"{key} = {{ {inner} }}\n"
            else:
                text += f"{key} = {json.dumps(value)}\n"
    return text


PUBLISHED = {
    "source": "Example Monitor",
    "title": "A synthetic count",
    "date": "2030-01-01",
    "read_via": "the publication itself",
    "url": URL + "-count",
    "mapping": "one-to-one",
    "criteria": "synthetic criteria: the period and naming the rescuers",
    "filters": {"accuses_white_helmets": "yes"},
    "total": 3,
    "by_group": {"interior_ministry": 2},
}


def write_campaign(folder: Path, spec: Spec) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    package = _schema()
    (folder / "datapackage.json").write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _write_csv(folder / "claims.csv", _fields(package, "claims"), _claim_rows(spec))
    _write_csv(folder / "incidents.csv", _fields(package, "incidents"), _incident_rows(spec))
    places = [
        {
            "place_id": pid,
            "name": name,
            "place_type": kind,
            "district": district,
            "governorate": province,
            "latitude": "" if lat is None else lat,
            "longitude": "" if lon is None else lon,
            "coordinate_source": "" if lat is None else URL + "-place",
            "notes": SYNTHETIC,
        }
        for pid, name, kind, district, province, lat, lon in PLACES
    ]
    _write_csv(folder / "places.csv", _fields(package, "places"), places)
    aggregate = {
        "count_id": "EX-AGG-1",
        "source_body": "Synthetic body",
        "count": 1,
        "unit": "attacks",
        "what_is_counted": SYNTHETIC,
        "geography": COUNTRY,
        "source_urls": URL + "-aggregate",
        "verification": "unverified",
        "notes": SYNTHETIC,
    }
    _write_csv(folder / "aggregate_counts.csv", _fields(package, "aggregate_counts"), [aggregate])
    (folder / "rules.toml").write_text(_rules(spec), encoding="utf-8")
    if spec.declared:
        (folder / "campaign.toml").write_text(_campaign(spec), encoding="utf-8")
    return folder


# The committed example (tests/example_campaign_2): 16 months, two claimant groups, some hits.
EXAMPLE_2 = Spec(
    period=("2021-03-01", "2022-06-30"),
    claims=[
        Claim("2021-03-10", places="alpha-town"),
        Claim("2021-05-02", group="state_broadcaster", places="beta-village", kind="chemicals_moved"),
        Claim("2021-08-15", places="gamma-city", names_rescuers="no"),
        Claim(None, group="state_broadcaster", bounds=("2021-11-01", "2021-11-20"), kind="staging_video"),
        Claim("2022-01-20", places="delta-port"),
        Claim("2022-04-05", group="state_broadcaster", places="north-province"),
        Claim("2022-06-01", places="alpha-town;beta-village", kind="attack_occurred"),
        Claim(None, group="interior_ministry", bounds=("2022-02-01", None), kind="other"),
    ],
    incidents=[
        Incident("2021-03-25", places="alpha-town"),
        Incident("2021-11-28", places="gamma-city", evidence="alleged_unverified"),
        Incident("2022-05-30", places="beta-village", evidence="confirmed", side="unknown"),
        Incident("2020-06-01", places="delta-port", evidence="confirmed", side="government"),
    ],
    published=PUBLISHED,
    small_grid=False,
)


if __name__ == "__main__":  # regenerate the committed example: python tests/campaign_factory.py
    write_campaign(Path(__file__).parent / "example_campaign_2", EXAMPLE_2)
