"""The method declarations of rules.toml beyond the scoring rules: stories, the as-stated
question, the dependence null, the association test, circular matches, the specification curve
and alarm coverage. Read from the same file as analysis.inputs.rules; problems name the file."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from analysis.inputs import paths
from analysis.inputs.load import DataError, Problem
from analysis.inputs.rules import EVIDENCE_ORDER, SHAPES, Rule, Rules

ATTRIBUTIONS = ("government", "any")
CIRCULAR_POLICIES = ("exclude", "include")


@dataclass(frozen=True)
class Method:
    story_max_gap_days: int
    reactive_lookback_days: int
    reactive_min_evidence: str
    as_stated: Rule  # the primary rule with the as-stated shape
    reliability_levels: tuple[float, ...]
    upper_bound_confidence: float
    null: str
    delta_days: tuple[int, ...]
    primary_delta_days: int
    association_geography: str
    association_min_evidence: str
    attributions: tuple[str, ...]
    surrogate: str
    self_control: str
    alpha: float
    power: float
    circular_policy: str
    spec_statistic: str
    alarm_unit: str
    # [campaigns]: how each declared campaign is analysed (region filter, reference period), with
    # per-campaign overrides as (campaign id, region, reference) triples.
    campaign_region: str = "campaign"
    campaign_reference: str = "campaign"
    campaign_overrides: tuple[tuple[str, str, str], ...] = ()
    # [offensive_phase]: what to do with an offensive whose end is unknown; where an attack is placed.
    phase_end_unknown: str = "skip"
    phase_attack_day: str = "first_possible"

    def campaign_plan(self, campaign_id: str) -> tuple[str, str]:
        """The declared (region filter, reference period) of one campaign."""
        for cid, region, reference in self.campaign_overrides:
            if cid == campaign_id:
                return region, reference
        return self.campaign_region, self.campaign_reference

    def as_dict(self) -> dict:
        out = asdict(self)
        out["as_stated"] = asdict(self.as_stated) | {"rule_id": self.as_stated.rule_id}
        return out


def _choice(value, allowed, name: str):
    if value not in allowed:
        raise ValueError(f"{name} {value!r} is not one of: {', '.join(map(str, allowed))}")
    return value


def _probability(value, name: str, open_interval: bool = True) -> float:
    number = float(value)
    if not (0 < number < 1) if open_interval else not (0 <= number <= 1):
        raise ValueError(f"{name} = {value!r} must lie between 0 and 1")
    return number


def _days(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} = {value!r} must be a whole number of days, 0 or more")
    return value


def load_method(rules: Rules, path: Path | None = None) -> Method:
    """The declared method of the campaign whose scoring rules are `rules`."""
    path = Path(path or rules.source)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return _build(_with_project_defaults(raw, path), rules)
    except tomllib.TOMLDecodeError as err:
        raise DataError([Problem(path.name, getattr(err, "lineno", None), None, f"TOML syntax: {err}")]) from err
    except (OSError, KeyError, ValueError, TypeError) as err:
        message = f"missing setting {err}" if isinstance(err, KeyError) else str(err)
        raise DataError([Problem(path.name, None, None, message)]) from err


METHOD_SECTIONS = (
    "stories",
    "as_stated",
    "dependence",
    "association",
    "circular",
    "specification_curve",
    "alarm_coverage",
    "campaigns",
    "offensive_phase",
)
CAMPAIGN_REGIONS = ("campaign", "none")
CAMPAIGN_REFERENCES = ("campaign", "null_model")


def _with_project_defaults(raw: dict, path: Path) -> dict:
    """A folder whose rules.toml declares none of the method sections uses the project's declared
    method (data/rules.toml), section by section; a section it does declare is used as written."""
    default = paths.DEFAULT_DATA_DIR / "rules.toml"
    if all(name in raw for name in METHOD_SECTIONS) or path.resolve() == default.resolve():
        return raw
    project = tomllib.loads(default.read_text(encoding="utf-8"))
    return {**{name: project[name] for name in METHOD_SECTIONS if name in project}, **raw}


def _build(raw: dict, rules: Rules) -> Method:
    s, a, d, x = raw["stories"], raw["as_stated"], raw["dependence"], raw["association"]
    deltas = tuple(_days(v, "[association] delta_days") for v in x["delta_days"])
    primary_delta = _days(x["primary_delta_days"], "[association] primary_delta_days")
    if not deltas or primary_delta not in deltas:
        raise ValueError("[association] primary_delta_days must be one of delta_days")
    levels = tuple(_probability(v, "[as_stated] reliability_levels") for v in a["reliability_levels"])
    return Method(
        story_max_gap_days=_days(s["max_gap_days"], "[stories] max_gap_days"),
        reactive_lookback_days=_days(s["reactive_lookback_days"], "[stories] reactive_lookback_days"),
        reactive_min_evidence=_choice(s["reactive_min_evidence"], EVIDENCE_ORDER, "reactive_min_evidence"),
        as_stated=replace(rules.primary, shape=_choice(a["shape"], SHAPES, "[as_stated] shape")),
        reliability_levels=levels,
        upper_bound_confidence=_probability(a["upper_bound_confidence"], "[as_stated] upper_bound_confidence"),
        null=_choice(d["null"], ("rigid_shift",), "[dependence] null"),
        delta_days=deltas,
        primary_delta_days=primary_delta,
        association_geography=_choice(x["geography"], ("governorate",), "[association] geography"),
        association_min_evidence=_choice(x["min_evidence"], EVIDENCE_ORDER, "[association] min_evidence"),
        attributions=tuple(_choice(v, ATTRIBUTIONS, "[association] attributions") for v in x["attributions"]),
        surrogate=_choice(x["surrogate"], ("circular_shift",), "[association] surrogate"),
        self_control=_choice(x["self_control"], ("preceding_window",), "[association] self_control"),
        alpha=_probability(x["alpha"], "[association] alpha"),
        power=_probability(x["power"], "[association] power"),
        circular_policy=_choice(raw["circular"]["policy"], CIRCULAR_POLICIES, "[circular] policy"),
        spec_statistic=_choice(
            raw["specification_curve"]["statistic"], ("rules_with_hits",), "[specification_curve] statistic"
        ),
        alarm_unit=_choice(raw["alarm_coverage"]["unit"], ("governorate_day",), "[alarm_coverage] unit"),
        **_campaign_settings(raw.get("campaigns", {}), raw.get("offensive_phase", {})),
    )


def _campaign_settings(c: dict, phase: dict) -> dict:
    """[campaigns] and [offensive_phase]; a folder that declares neither gets the project's."""

    def plan(table: dict, where: str, default: tuple[str, str]) -> tuple[str, str]:
        region = _choice(table.get("region", default[0]), CAMPAIGN_REGIONS, f"{where} region")
        reference = _choice(table.get("reference", default[1]), CAMPAIGN_REFERENCES, f"{where} reference")
        return region, reference

    region, reference = plan(c, "[campaigns]", ("campaign", "campaign"))
    overrides = tuple(
        (str(cid), *plan(table, f"[campaigns.overrides.{cid}]", (region, reference)))
        for cid, table in c.get("overrides", {}).items()
    )
    return {
        "campaign_region": region,
        "campaign_reference": reference,
        "campaign_overrides": overrides,
        "phase_end_unknown": _choice(phase.get("end_unknown", "skip"), ("skip",), "[offensive_phase] end_unknown"),
        "phase_attack_day": _choice(
            phase.get("attack_day", "first_possible"), ("first_possible",), "[offensive_phase] attack_day"
        ),
    }
