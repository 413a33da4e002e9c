"""The declared scoring rules (data/rules.toml) as typed objects, and the sensitivity grid."""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from analysis.inputs import paths
from analysis.inputs.campaign import toml_problem
from analysis.inputs.load import DataError, Problem

# Ordered weakest to strongest; a rule's min_evidence admits its level and every stronger one.
EVIDENCE_ORDER = ["disputed", "alleged_unverified", "credible_report", "confirmed"]
GEOGRAPHY_LEVELS = ["radius", "district", "governorate", "anywhere"]
SHAPES = ["accused_side", "any"]
STATED_FRAME = ["ignore", "replace"]


@dataclass(frozen=True)
class Rule:
    window_days: int
    geography: str
    radius_km: float
    min_evidence: str
    shape: str
    stated_frame: str = "ignore"
    occurrence_lookback_days: int = 3

    @property
    def rule_id(self) -> str:
        geo = f"radius{self.radius_km:g}km" if self.geography == "radius" else self.geography
        frame = "-stated" if self.stated_frame == "replace" else ""
        return f"w{self.window_days}{frame}-{geo}-{self.min_evidence}-{self.shape}"

    def describe(self, area: str = "") -> str:
        """The rule in words; `area` names where "anywhere" is (the campaign's country)."""
        geo = {
            "radius": f"within {self.radius_km:g} km of a named place",
            "district": "in a district the claim names",
            "governorate": "in a governorate the claim names",
            "anywhere": f"anywhere in {area}" if area else "anywhere",
        }[self.geography]
        frame = " (or the claim's own time frame)" if self.stated_frame == "replace" else ""
        shape = "any chemical incident" if self.shape == "any" else "an incident by the accused side"
        return f"{shape}, evidence at least '{self.min_evidence}', within {self.window_days} days{frame}, {geo}"

    def evidence_levels(self) -> list[str]:
        return EVIDENCE_ORDER[EVIDENCE_ORDER.index(self.min_evidence) :]


@dataclass(frozen=True)
class Scope:
    date_from: pd.Timestamp
    date_to: pd.Timestamp
    claimant_groups: tuple[str, ...]
    prediction_types: tuple[str, ...]
    occurrence_types: tuple[str, ...]


@dataclass(frozen=True)
class Rules:
    scope: Scope
    primary: Rule
    grid: tuple[Rule, ...]
    reference_from: pd.Timestamp
    reference_to: pd.Timestamp
    accused_sides: tuple[str, ...]
    cumulative_series: tuple[tuple[str, ...], ...]
    source: Path

    def as_dict(self) -> dict:
        return {
            "primary": asdict(self.primary) | {"rule_id": self.primary.rule_id},
            "grid_size": len(self.grid),
        }


def parse_geography(text: str) -> tuple[str, float]:
    level, _, km = text.partition(":")
    if level not in GEOGRAPHY_LEVELS or (level == "radius") != bool(km):
        raise ValueError(f"geography {text!r}: use radius:KM, district, governorate or anywhere")
    return level, float(km) if km else 0.0


def _check_choice(value: str, allowed: list[str], name: str) -> str:
    if value not in allowed:
        raise ValueError(f"{name} {value!r} is not one of: {', '.join(allowed)}")
    return value


def load_rules(path: Path | None = None) -> Rules:
    path = Path(path or paths.rules_path())
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return _build(raw, path)
    except tomllib.TOMLDecodeError as err:
        raise DataError([toml_problem(path, err)]) from err
    except (OSError, UnicodeDecodeError, KeyError, ValueError, TypeError) as err:
        message = f"missing setting {err}" if isinstance(err, KeyError) else str(err)
        raise DataError([Problem(path.name, None, None, message)]) from err


def _date(section: dict, key: str, name: str) -> pd.Timestamp:
    """A date setting, or a ValueError naming the setting (load_rules reports it as a DataError)."""
    value = section[key]
    try:
        return pd.Timestamp(value)
    except (ValueError, TypeError) as err:
        raise ValueError(f"[{name}] {key} = {value!r} is not a date (YYYY-MM-DD)") from err


def _build(raw: dict, path: Path) -> Rules:
    s, p, g, n = raw["scope"], raw["primary"], raw["sensitivity"], raw["null_model"]
    scope = Scope(
        date_from=_date(s, "date_from", "scope"),
        date_to=_date(s, "date_to", "scope"),
        claimant_groups=tuple(s["claimant_groups"]),
        prediction_types=tuple(s["prediction_types"]),
        occurrence_types=tuple(s["occurrence_types"]),
    )
    lookback = int(p.get("occurrence_lookback_days", 3))
    primary = Rule(
        window_days=int(p["window_days"]),
        geography=_check_choice(p["geography"], GEOGRAPHY_LEVELS, "geography"),
        # radius_km only means something for the radius level; zero otherwise so equal rules compare equal.
        radius_km=float(p.get("radius_km", 0)) if p["geography"] == "radius" else 0.0,
        min_evidence=_check_choice(p["min_evidence"], EVIDENCE_ORDER, "min_evidence"),
        shape=_check_choice(p["shape"], SHAPES, "shape"),
        stated_frame=_check_choice(p.get("stated_frame", "ignore"), STATED_FRAME, "stated_frame"),
        occurrence_lookback_days=lookback,
    )
    grid = []
    for window, frame, geo, evidence, shape in itertools.product(
        g["window_days"], g["stated_frame"], g["geography"], g["min_evidence"], g["shape"]
    ):
        level, km = parse_geography(geo)
        grid.append(
            Rule(
                window_days=int(window),
                geography=level,
                radius_km=km,
                min_evidence=_check_choice(evidence, EVIDENCE_ORDER, "min_evidence"),
                shape=_check_choice(shape, SHAPES, "shape"),
                stated_frame=_check_choice(frame, STATED_FRAME, "stated_frame"),
                occurrence_lookback_days=lookback,
            )
        )
    if any(rule.window_days < 0 for rule in (primary, *grid)):
        raise ValueError("window_days must be 0 or more")
    if "reconciliation" in raw:
        raise ValueError("[reconciliation] moved to campaign.toml: declare it as a [[campaign.published_count]]")
    if primary.rule_id not in {r.rule_id for r in grid}:
        grid.append(primary)  # the primary rule is always part of the sensitivity table
    return Rules(
        scope=scope,
        primary=primary,
        grid=tuple(grid),
        reference_from=pd.Timestamp(n["reference_from"]),
        reference_to=pd.Timestamp(n["reference_to"]),
        accused_sides=tuple(n["accused_sides"]),
        cumulative_series=tuple(tuple(ids) for ids in n.get("cumulative_series", [])),
        source=path,
    )
