"""Synthetic ledgers in the dtypes load() gives, built in memory (no CSV, no validation): shared by
the matching benchmark (benchmarks/bench_match.py) and the unit tests of the matching
(tests/unit/test_match_count_only.py, test_match_streaming.py), which import it as `synthetic`
(pytest's pythonpath in pyproject.toml lists benchmarks/).

synthetic_ledgers(n_claims, n_incidents, n_places, seed, years): a gazetteer of n_places places inside
Syria's bounding box (lat 32.3-37.4, lon 35.7-42.4) with districts and governorates; claims and
incidents dated over 2017-2019 (incidents over the `years` before 2020), ~15% of claims dated only
approximately (some with an open upper bound, so not assessable), ~20% of incidents with month
precision. synthetic_rules(rules): the declared rules with the scope widened to 2017-2019.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.inputs.load import Ledgers, resources
from analysis.inputs.rules import Rules

N_PLACES = 2_000
LAT, LON = (32.3, 37.4), (35.7, 42.4)
EPOCH_2017, EPOCH_2020 = np.datetime64("2017-01-01"), np.datetime64("2020-01-01")
# Rough centres of Syria's governorates; every synthetic district belongs to the nearest one.
GOVERNORATES = {
    "Idlib": (35.9, 36.6),
    "Aleppo": (36.2, 37.4),
    "Hama": (35.2, 36.9),
    "Latakia": (35.6, 35.9),
    "Tartus": (34.9, 36.0),
    "Homs": (34.6, 37.8),
    "Damascus": (33.5, 36.3),
    "Rif Dimashq": (33.5, 36.9),
    "Daraa": (32.7, 36.2),
    "Quneitra": (33.1, 35.85),
    "As-Suwayda": (32.7, 36.7),
    "Deir ez-Zor": (35.2, 40.2),
    "Raqqa": (35.9, 38.9),
    "Hasakah": (36.6, 40.8),
}
N_DISTRICTS = 65  # Syria has 65 districts


# --- synthetic ledgers ---------------------------------------------------------------------------


def _points(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Half uniform over the bounding box, half clustered in the north-west (Idlib/Hama/Aleppo),
    as the real incidents are; clipped to the box."""
    lat = rng.uniform(*LAT, n)
    lon = rng.uniform(*LON, n)
    nw = rng.random(n) < 0.5
    lat[nw] = rng.normal(35.8, 0.45, nw.sum())
    lon[nw] = rng.normal(36.8, 0.5, nw.sum())
    return np.clip(lat, *LAT), np.clip(lon, *LON)


def _nearest(lat, lon, c_lat, c_lon) -> np.ndarray:
    d = (lat[:, None] - c_lat[None, :]) ** 2 + ((lon[:, None] - c_lon[None, :]) * 0.82) ** 2
    return d.argmin(axis=1)


def _days_to_dates(days: np.ndarray) -> np.ndarray:
    """Day offsets from 2017-01-01 (NaN = unknown) as datetime64[us], like load() gives."""
    out = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[D]")
    known = ~np.isnan(days)
    out[known] = EPOCH_2017 + days[known].astype(np.int64)
    return out.astype("datetime64[us]")


def _frame(resource_name: str, n: int, values: dict) -> pd.DataFrame:
    """A frame with every codebook column in the dtype to_frame() gives; unset text is <NA>."""
    columns = {}
    for field in resources()[resource_name]["schema"]["fields"]:
        name, kind = field["name"], field["type"]
        value = values.get(name)
        if kind == "date":
            columns[name] = value if value is not None else _days_to_dates(np.full(n, np.nan))
        elif kind == "number":
            columns[name] = pd.array(value if value is not None else np.full(n, np.nan), "Float64")
        elif kind == "integer":
            columns[name] = pd.array(value if value is not None else [pd.NA] * n, "Int64")
        else:
            columns[name] = pd.array(value if value is not None else [pd.NA] * n, "string")
    frame = pd.DataFrame(columns)
    for name in ("place_list", "_line"):
        if name in values:
            frame[name] = values[name]
    return frame


def _place_lists(n: int, n_places: int, weights: list[float], rng) -> tuple[list, list]:
    """n lists of 1..len(weights) distinct-ish place indices; also the ';'-joined id strings."""
    k = rng.choice(np.arange(1, len(weights) + 1), n, p=weights)
    flat = rng.integers(0, n_places, k.sum())
    ends = np.cumsum(k)
    ids = np.array([f"p{i:05d}" for i in range(n_places)], dtype=object)
    flat_ids = ids[flat]
    lists = [flat_ids[e - c : e].tolist() for e, c in zip(ends, k, strict=True)]
    return lists, [";".join(x) for x in lists]


def synthetic_places(n_places: int, rng: np.random.Generator) -> pd.DataFrame:
    gov_names = np.array(list(GOVERNORATES), dtype=object)
    g_lat, g_lon = (np.array([c[i] for c in GOVERNORATES.values()]) for i in (0, 1))
    d_lat, d_lon = _points(N_DISTRICTS, rng)
    d_gov = gov_names[_nearest(d_lat, d_lon, g_lat, g_lon)]
    d_name = np.array([f"{g} D{i:02d} District" for i, g in enumerate(d_gov)], dtype=object)

    n_points = n_places - len(gov_names)
    lat, lon = _points(n_points, rng)
    district_of = _nearest(lat, lon, d_lat, d_lon)
    kinds = ["locality", "neighbourhood", "site", "district", "region"]
    place_type = rng.choice(kinds, n_points, p=[0.80, 0.08, 0.06, 0.04, 0.02]).astype(object)
    district = d_name[district_of].copy()
    district[place_type == "region"] = None  # a region spans districts
    no_point = rng.random(n_points) < 0.01  # gazetteer entries whose coordinates are unknown
    lat[no_point], lon[no_point] = np.nan, np.nan

    n = n_places
    return _frame(
        "places",
        n,
        {
            "place_id": [f"p{i:05d}" for i in range(n)],
            "name": [f"Place {i}" for i in range(n)],
            "place_type": np.concatenate([np.full(len(gov_names), "governorate", object), place_type]),
            "district": np.concatenate([np.full(len(gov_names), None, object), district]),
            "governorate": np.concatenate([gov_names, d_gov[district_of]]),
            "latitude": np.concatenate([g_lat, lat]),
            "longitude": np.concatenate([g_lon, lon]),
            "coordinate_source": np.where(
                np.isnan(np.concatenate([g_lat, lat])), None, "https://example.org/gazetteer"
            ),
            "_line": np.arange(2, n + 2),
        },
    )


def synthetic_claims(n: int, n_places: int, rng: np.random.Generator) -> pd.DataFrame:
    span = int((EPOCH_2020 - EPOCH_2017) / np.timedelta64(1, "D"))
    day = rng.integers(0, span, n).astype(float)
    approximate = rng.random(n) < 0.15
    early = day.copy()
    late = day.copy()
    early[approximate] -= rng.integers(0, 15, approximate.sum())
    late[approximate] = early[approximate] + rng.integers(1, 31, approximate.sum())
    open_ended = approximate & (rng.random(n) < 0.2)  # like C01: no upper bound, not assessable
    late[open_ended] = np.nan
    made = np.where(approximate, np.nan, day)
    lists, joined = _place_lists(n, n_places, [0.7, 0.2, 0.1], rng)
    stated = np.where(rng.random(n) < 0.1, rng.integers(1, 15, n), -1)
    groups = ["rcross", "other_russian_gov", "russian_state_media", "syrian_gov"]
    types = ["imminent_attack", "chemicals_moved", "staging_video", "attack_occurred", "other"]
    return _frame(
        "claims",
        n,
        {
            "claim_id": [f"C{i:07d}" for i in range(n)],
            "date_made": _days_to_dates(made),
            "date_precision": np.where(approximate, "approximate", "day").astype(object),
            "date_earliest": _days_to_dates(early),
            "date_latest": _days_to_dates(late),
            "claimant": np.full(n, "Synthetic claimant", object),
            "claimant_group": rng.choice(groups, n, p=[0.35, 0.15, 0.35, 0.15]).astype(object),
            "claim_type": rng.choice(types, n, p=[0.35, 0.2, 0.15, 0.25, 0.05]).astype(object),
            "accuses_white_helmets": rng.choice(["yes", "no"], n, p=[0.7, 0.3]).astype(object),
            "place_ids": joined,
            "stated_window_days": pd.array(np.where(stated < 0, None, stated), "Int64"),
            "source_urls": np.full(n, "https://example.org/claim", object),
            "verification": np.full(n, "verified", object),
            "place_list": lists,
            "_line": np.arange(2, n + 2),
        },
    )


def synthetic_incidents(m: int, n_places: int, rng: np.random.Generator, years: float = 3.0) -> pd.DataFrame:
    """m incidents dated over the `years` before 2020 (default 2017-2019)."""
    span = int((EPOCH_2020 - EPOCH_2017) / np.timedelta64(1, "D"))
    day = rng.integers(span - round(years * 365.25), span, m).astype(float)
    precision = rng.choice(["day", "month", "approximate"], m, p=[0.75, 0.2, 0.05]).astype(object)
    dates = EPOCH_2017 + day.astype(np.int64)
    month_first = dates.astype("datetime64[M]").astype("datetime64[D]")
    month_last = (dates.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    early, late = day.copy(), day.copy()
    month = precision == "month"
    early[month] = (month_first[month] - EPOCH_2017).astype(float)
    late[month] = (month_last[month] - EPOCH_2017).astype(float)
    approx = precision == "approximate"
    early[approx] -= rng.integers(0, 10, approx.sum())
    late[approx] = early[approx] + rng.integers(1, 21, approx.sum())
    lists, joined = _place_lists(m, n_places, [0.9, 0.1], rng)
    agents = ["chlorine", "sarin", "mustard", "tear_gas", "unknown", "other"]
    sides = ["government", "armed_opposition", "isis", "unknown"]
    levels = ["confirmed", "credible_report", "alleged_unverified", "disputed"]
    return _frame(
        "incidents",
        m,
        {
            "incident_id": [f"SYN-{i:06d}" for i in range(m)],
            "date": _days_to_dates(np.where(precision == "day", day, np.nan)),
            "date_precision": precision,
            "date_earliest": _days_to_dates(early),
            "date_latest": _days_to_dates(late),
            "place_ids": joined,
            "agent": rng.choice(agents, m, p=[0.6, 0.1, 0.1, 0.05, 0.1, 0.05]).astype(object),
            "perpetrator_side": rng.choice(sides, m, p=[0.6, 0.15, 0.1, 0.15]).astype(object),
            "evidence_level": rng.choice(levels, m, p=[0.15, 0.35, 0.4, 0.1]).astype(object),
            "source_urls": np.full(m, "https://example.org/incident", object),
            "verification": np.full(m, "verified", object),
            "place_list": lists,
            "_line": np.arange(2, m + 2),
        },
    )


def synthetic_ledgers(
    n_claims: int, n_incidents: int, n_places: int = N_PLACES, seed: int = 0, years: float = 3.0
) -> Ledgers:
    rng = np.random.default_rng(seed)
    places = synthetic_places(n_places, rng)
    return Ledgers(
        claims=synthetic_claims(n_claims, n_places, rng),
        incidents=synthetic_incidents(n_incidents, n_places, rng, years),
        places=places,
        aggregates=_frame("aggregate_counts", 0, {}),
        data_dir=Path("/nonexistent/synthetic"),
    )


def synthetic_rules(rules: Rules) -> Rules:
    """The declared rules with the scope widened to the synthetic ledgers' 2017-2019."""
    scope = replace(rules.scope, date_from=pd.Timestamp("2017-01-01"), date_to=pd.Timestamp("2019-12-31"))
    return replace(rules, scope=scope)
