"""The campaign declaration (campaign.toml in the data folder): what the ledger is about.

Every campaign-specific word of the write-up (title, period, region, who made the claims, who
counted them before) is read from here or from the data, never typed into code. A folder may
declare several named campaigns (`[[campaign]]` tables); the report describes the first one. A
folder without a declaration still builds: it is described from its data (the period spans the
claims' dates) and says so.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.inputs.load import DataError, Problem

CAMPAIGN_FILE = "campaign.toml"
MAPPINGS = {
    "one-to-one": "each of our rows was mapped to an entry of the published list",
    "inference": "the published list was not read; which of our rows it counted is inferred from its criteria",
}
TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


def toml_problem(path: Path, err: tomllib.TOMLDecodeError) -> Problem:
    """A TOML syntax error as file:line: message (Python 3.11 keeps the position only in the text)."""
    text = str(err)
    found = TOML_POSITION.search(text)
    line = getattr(err, "lineno", None) or (int(found.group(1)) if found else None)
    column = getattr(err, "colno", None) or (int(found.group(2)) if found else None)
    return Problem(path.name, line, None, f"TOML syntax: {TOML_POSITION.sub('', text)}", column)


def read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise DataError([toml_problem(path, err)]) from err
    except (OSError, UnicodeDecodeError) as err:
        raise DataError([Problem(path.name, None, None, str(err))]) from err


@dataclass(frozen=True)
class PublishedCount:
    """A count someone published before us, and how our rows were compared with it."""

    source: str  # who counted (an organisation's name)
    title: str  # the publication's title
    date: str  # when it was published (YYYY-MM-DD or as precise as known)
    read_via: str  # where we read the number: "the report itself" or a press account
    url: str  # the page the number was read on
    mapping: str  # "one-to-one" (list read, rows mapped) or "inference" (criteria applied)
    criteria: str  # our reading of its inclusion criteria, in words
    date_from: pd.Timestamp
    date_to: pd.Timestamp
    filters: dict[str, str]  # claims.csv column -> value a row must have to be counted
    total: int | None
    by_group: dict[str, int]  # claimant_group -> published count
    notes: str = ""  # anything else the report should say about it (why counts differ, where)

    def as_dict(self) -> dict:
        return {
            "notes": self.notes,
            "source": self.source,
            "title": self.title,
            "date": self.date,
            "read_via": self.read_via,
            "url": self.url,
            "mapping": self.mapping,
            "mapping_text": MAPPINGS[self.mapping],
            "criteria": self.criteria,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "total": self.total,
            "by_group": dict(self.by_group),
        }


@dataclass(frozen=True)
class Campaign:
    id: str
    title: str
    period_from: pd.Timestamp
    period_to: pd.Timestamp
    region: str  # in words: "the north-west of the country"
    region_level: str  # gazetteer column naming the region's areas ("governorate")
    region_areas: tuple[str, ...]  # the areas at that level; empty: the whole gazetteer
    country: str  # where "anywhere" is: the country's name
    claimants: str  # who made the claims, in words
    subject: str  # what they claimed, in words (a clause after "that")
    incident_coverage: str  # how closely the incident ledger was checked, in words ("" if not said)
    published_counts: tuple[PublishedCount, ...] = ()
    declared: bool = True
    offensives: tuple[str, ...] = ()  # offensives.csv ids the campaign is made of (named campaigns)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "period_from": self.period_from,
            "period_to": self.period_to,
            "region": self.region,
            "region_level": self.region_level,
            "region_areas": list(self.region_areas),
            "country": self.country,
            "claimants": self.claimants,
            "subject": self.subject,
            "incident_coverage": self.incident_coverage,
            "declared": self.declared,
            "offensives": list(self.offensives),
        }


@dataclass(frozen=True)
class Declaration:
    campaigns: tuple[Campaign, ...]
    source: Path | None  # None: nothing declared, described from the data

    @property
    def main(self) -> Campaign:
        return self.campaigns[0]


def _date(table: dict, key: str, where: str) -> pd.Timestamp:
    value = table[key]
    try:
        return pd.Timestamp(str(value))
    except (ValueError, TypeError) as err:
        raise ValueError(f"{where} {key} = {value!r} is not a date (YYYY-MM-DD)") from err


def _count(raw: dict, campaign: dict, where: str) -> PublishedCount:
    mapping = raw.get("mapping", "inference")
    if mapping not in MAPPINGS:
        raise ValueError(f"{where} mapping = {mapping!r} is not one of: {', '.join(MAPPINGS)}")
    filters = {str(k): str(v) for k, v in raw.get("filters", {}).items()}
    by_group = {str(k): int(v) for k, v in raw.get("by_group", {}).items()}
    date_from = _date(
        raw if "date_from" in raw else campaign, "date_from" if "date_from" in raw else "period_from", where
    )
    date_to = _date(raw if "date_to" in raw else campaign, "date_to" if "date_to" in raw else "period_to", where)
    return PublishedCount(
        source=str(raw["source"]),
        title=str(raw.get("title", "")),
        date=str(raw.get("date", "")),
        read_via=str(raw.get("read_via", "the publication itself")),
        url=str(raw.get("url", "")),
        mapping=mapping,
        criteria=str(raw["criteria"]),
        date_from=date_from,
        date_to=date_to,
        filters=filters,
        total=int(raw["total"]) if "total" in raw else None,
        by_group=by_group,
        notes=str(raw.get("notes", "")),
    )


def _campaign(raw: dict, number: int) -> Campaign:
    where = f"[[campaign]] {number}:"
    counts = tuple(
        _count(c, raw, f"{where} published_count {i + 1}:") for i, c in enumerate(raw.get("published_count", []))
    )
    start, end = _date(raw, "period_from", where), _date(raw, "period_to", where)
    if start > end:
        raise ValueError(f"{where} period_from {start:%Y-%m-%d} is after period_to {end:%Y-%m-%d}")
    return Campaign(
        id=str(raw.get("id", f"campaign-{number}")),
        title=str(raw["title"]),
        period_from=start,
        period_to=end,
        region=str(raw.get("region", "")),
        region_level=str(raw.get("region_level", "governorate")),
        region_areas=tuple(str(a) for a in raw.get("region_areas", [])),
        country=str(raw.get("country", "")),
        claimants=str(raw.get("claimants", "")),
        subject=str(raw.get("subject", "")),
        incident_coverage=str(raw.get("incident_coverage", "")),
        published_counts=counts,
        offensives=tuple(str(o) for o in raw.get("offensives", [])),
    )


def from_data(claims: pd.DataFrame) -> Campaign:
    """No declaration: describe the ledger from its own dates, and say so."""
    dates = pd.concat([claims["date_made"], claims["date_earliest"], claims["date_latest"]]).dropna()
    start = dates.min() if len(dates) else pd.NaT
    end = dates.max() if len(dates) else pd.NaT
    return Campaign(
        id="ledger",
        title="",
        period_from=start,
        period_to=end,
        region="",
        region_level="governorate",
        region_areas=(),
        country="",
        claimants="",
        subject="",
        incident_coverage="",
        declared=False,
    )


def load_declaration(data_dir: Path, claims: pd.DataFrame | None = None) -> Declaration:
    """The folder's campaign.toml, or (without one) a description read from the claims' dates."""
    path = Path(data_dir) / CAMPAIGN_FILE
    if not path.exists():
        if claims is None:
            raise ValueError("no campaign.toml: the claims are needed to describe the ledger")
        return Declaration((from_data(claims),), None)
    raw = read_toml(path)
    try:
        tables = raw["campaign"]
        if not isinstance(tables, list) or not tables:
            raise ValueError("declare each campaign as a [[campaign]] table")
        campaigns = tuple(_campaign(t, i + 1) for i, t in enumerate(tables))
    except KeyError as err:
        raise DataError([Problem(path.name, None, None, f"missing setting {err}")]) from err
    except (ValueError, TypeError) as err:
        raise DataError([Problem(path.name, None, None, str(err))]) from err
    ids = [c.id for c in campaigns]
    if len(set(ids)) != len(ids):
        raise DataError([Problem(path.name, None, None, f"campaign ids must be unique: {', '.join(ids)}")])
    return Declaration(campaigns, path)


def offensive_span(offensives: pd.DataFrame) -> pd.DataFrame:
    """Each offensive's first and last day (a month-precision start is the month's first day, a
    month-precision end its last day; NaT where no end was read) and its governorates."""
    start = pd.to_datetime(offensives["start"].astype("string"), errors="coerce", format="ISO8601")
    end_text = offensives["end"].astype("string")
    end = pd.to_datetime(end_text, errors="coerce", format="ISO8601")
    month = offensives["end_precision"].astype("string").eq("month").fillna(False).to_numpy(bool)
    end = end.where(~month, end + pd.offsets.MonthEnd(0))
    regions = [frozenset(p.strip() for p in str(r).split(";") if p.strip()) for r in offensives["region"]]
    return pd.DataFrame(
        {"offensive_id": offensives["offensive_id"].to_numpy(), "first": start, "last": end, "areas": regions}
    )


def offensive_problems(declaration: Declaration, offensives: pd.DataFrame | None) -> list[str]:
    """A named campaign's period and region must be those of the offensives it lists."""
    out = []
    listed = [c for c in declaration.campaigns if c.offensives]
    if not listed:
        return out
    spans = offensive_span(offensives).set_index("offensive_id") if offensives is not None else None
    for c in listed:
        missing = [o for o in c.offensives if spans is None or o not in spans.index]
        if missing:
            out.append(f"campaign {c.id!r}: offensives {', '.join(missing)} are not in offensives.csv")
            continue
        rows = spans.loc[list(c.offensives)]
        first, last = rows["first"].min(), rows["last"].max()
        if rows["last"].isna().any() or first != c.period_from or last != c.period_to:
            out.append(
                f"campaign {c.id!r}: period {c.period_from:%Y-%m-%d} to {c.period_to:%Y-%m-%d} is not its offensives' "
                f"span ({first:%Y-%m-%d} to {last:%Y-%m-%d})"
            )
        areas = frozenset().union(*rows["areas"])
        if c.region_level != "governorate" or areas != frozenset(c.region_areas):
            out.append(
                f"campaign {c.id!r}: region_areas {sorted(c.region_areas)} are not its offensives' governorates "
                f"{sorted(areas)}"
            )
    return out


def out_of_period(claims: pd.DataFrame, campaign: Campaign) -> pd.DataFrame:
    """Claims whose possible dates lie wholly outside the campaign's period (typos, most often)."""
    if pd.isna(campaign.period_from):
        return claims.iloc[0:0]
    late, early = claims["date_latest"], claims["date_earliest"]
    outside = (late.notna() & (late < campaign.period_from)) | (early.notna() & (early > campaign.period_to))
    return claims[outside]


def in_campaign(claims: pd.DataFrame, campaign: Campaign) -> pd.DataFrame:
    """The claims whose possible dates overlap the campaign's period."""
    return claims.drop(out_of_period(claims, campaign).index)


def scope_warnings(ledgers) -> list[str]:
    """Claims outside every declared campaign's period, as lines a campaign author can act on.

    Raises DataError when the declaration itself is broken, so `validate` checks it too.
    """
    declaration = load_declaration(ledgers.data_dir, ledgers.claims)
    if declaration.source is None:
        return []
    broken = offensive_problems(declaration, ledgers.extras.get("offensives"))
    if broken:
        raise DataError([Problem(declaration.source.name, None, None, text) for text in broken])
    outside = ledgers.claims
    for campaign in declaration.campaigns:
        outside = outside.loc[outside.index.intersection(out_of_period(ledgers.claims, campaign).index)]
    periods = "; ".join(
        f"{c.id!r} {c.period_from:%Y-%m-%d} to {c.period_to:%Y-%m-%d}"
        for c in declaration.campaigns
        if pd.notna(c.period_from)
    )
    lines = []
    for _, row in outside.iterrows():
        lines.append(
            f"claims.csv:{int(row['_line'])}: {row['claim_id']} is dated {_dates_text(row)}, outside every "
            f"campaign period declared in {declaration.source.name} ({periods}); a typo in the date?"
        )
    return lines


def _dates_text(row) -> str:
    if pd.notna(row["date_made"]):
        return f"{row['date_made']:%Y-%m-%d}"
    early = f"{row['date_earliest']:%Y-%m-%d}" if pd.notna(row["date_earliest"]) else "?"
    late = f"{row['date_latest']:%Y-%m-%d}" if pd.notna(row["date_latest"]) else "?"
    return f"{early} to {late}"
