"""One function per figure, each returning a Figure (matplotlib figure + the tidy data it draws).

`save_figure` writes figures/<nn>-<name>.png and .svg plus figures/data/<nn>-<name>.csv with the
exact numbers drawn. Output bytes are deterministic: fixed SVG hash salt, no dates or versions in
metadata, fixed fonts and sizes.
"""

from __future__ import annotations

import io
import json
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure as MplFigure
from matplotlib.lines import Line2D
from matplotlib.textpath import TextPath

from analysis.inputs import paths
from analysis.inputs.campaign import in_campaign
from analysis.inputs.rules import EVIDENCE_ORDER
from analysis.method.match import scored_predictions
from analysis.method.stats import poisson_binomial_pmf
from analysis.outputs import wording
from analysis.outputs.export import atomic_write_bytes, atomic_write_text, write_csv
from analysis.outputs.results import Results

# Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
# Claimant groups take colours in the codebook's order of the groups.
GROUP_PALETTE = [OKABE_ITO[5], OKABE_ITO[4], OKABE_ITO[1], OKABE_ITO[2], OKABE_ITO[0], OKABE_ITO[6], OKABE_ITO[7]]
EVIDENCE_COLOURS = {
    "confirmed": OKABE_ITO[7],
    "credible_report": OKABE_ITO[6],
    "alleged_unverified": OKABE_ITO[0],
    "disputed": "#999999",
}
SOURCE_NOTE = "Sources: project ledgers (data/claims.csv, data/incidents.csv), each row citing public URLs."
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "chem-warnings",  # stable element ids in SVG
    "svg.fonttype": "path",
    "figure.dpi": 100,
}


@dataclass
class Figure:
    number: int
    name: str
    title: str
    caption: str
    alt: str
    figure: MplFigure
    data: pd.DataFrame

    @property
    def stem(self) -> str:
        return f"{self.number:02d}-{self.name}"


def _show_inline_in_jupyter() -> None:
    """In a Jupyter kernel, display a figure as a PNG wherever a cell shows it.

    The figures never touch pyplot, so the inline backend's display hook (registered when pyplot
    loads a backend) may never be installed; IPython's own formatter registration does the same.
    """
    if "IPython" not in sys.modules:  # plain Python (the build's own process): files only
        return
    from IPython import get_ipython
    from IPython.core.pylabtools import select_figure_formats

    shell = get_ipython()
    if shell is not None:
        select_figure_formats(shell, {"png"})


def _figure(width: float, height: float, layout: str | None = None) -> MplFigure:
    """A figure outside pyplot's state machine: no backend is forced, so Jupyter's inline backend
    shows it where a notebook displays it (once, not again at the end of the cell), and the build's
    files are written by the same Agg renderer whatever the backend."""
    mpl.rcParams.update(STYLE)
    _show_inline_in_jupyter()
    return MplFigure(figsize=(width, height), layout=layout)


def _new(width=8.0, height=4.5, **kwargs):
    fig = _figure(width, height)
    return fig, fig.subplots(**kwargs)


# --- 1. per-claim timeline: each scored claim's window, with the incidents of the period -----------

# Evidence levels by line style as well as colour, so the lines stay apart in grey print.
EVIDENCE_LINESTYLES = {"confirmed": "-", "credible_report": "--", "alleged_unverified": "-.", "disputed": ":"}
VERDICT_COLOURS = {"materialized": OKABE_ITO[5], "not_materialized": OKABE_ITO[4]}
UNDATED_LABEL = "date unknown: no window"
TIMELINE_WIDTH = 7.2  # inches: the report's text width on A4, so the fonts print at their own size
TIMELINE_FONT = 7.5
ROW_INCHES = 0.17


def group_names(results: Results) -> dict[str, str]:
    """Claimant groups (codebook order) -> display names, from the data folder's codebook."""
    return results.key_numbers["campaign"]["claimant_groups"]


def _time_axis(ax, start: pd.Timestamp, end: pd.Timestamp) -> str:
    """Ticks that stay readable from a month to several years: days, weeks or months by span, at
    most about eight of them, labelled concisely (the year once, where it changes)."""
    span = max((end - start).days, 1)
    if span <= 45:
        locator, unit = mdates.DayLocator(interval=-(-span // 8)), "days"
    elif span <= 100:
        locator, unit = mdates.WeekdayLocator(byweekday=mdates.MO, interval=-(-span // 56)), "weeks"
    else:
        # Steps that divide the year, so every January gets a tick and its label names the year.
        months = round(span / 30.44)
        step = next((k for k in (1, 2, 3, 4, 6, 12) if months / k <= 8), None)
        if step is None:
            locator = mdates.YearLocator(base=-(-months // 96))
        else:
            locator = mdates.MonthLocator(bymonth=range(1, 13, step))
        unit = "months"
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    return unit


def _as_dates(values: pd.Series) -> pd.Series:
    """Dates from a verdict table's text columns ('' where there is none) or from datetimes."""
    return pd.to_datetime(values.where(values.astype(str).str.strip() != ""), errors="raise")


def timeline_span(table: pd.DataFrame, start: object, end: object) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The dates a timeline must show: the period and every claim's bounds and window."""
    dates = [pd.Timestamp(start), pd.Timestamp(end)]
    for column in ("date_earliest", "date_latest", "window_start", "window_end"):
        if column in table:
            dates += [table[column].min(), table[column].max()]
    known = [d for d in dates if pd.notna(d)]
    if not known:
        raise ValueError("a timeline needs at least one date: no period and no dated claim")
    return min(known), max(known)


def claim_timeline_table(
    verdicts: pd.DataFrame, claims: pd.DataFrame, incidents: pd.DataFrame, start: object, end: object
) -> pd.DataFrame:
    """What the per-claim timeline draws, one tidy row per element.

    kind "claim": each claim of `claims` (the described campaign's) that the rule scored (not
    out of scope, not 'not_scored'), earliest first, `row` 0 at the top, with its date bounds,
    verdict and the window the rule searched; `dated` is False where no window could be placed
    (the date is not known well enough), and such a row keeps its bounds but no window.
    kind "incident": each ledger incident whose possible dates overlap the span shown (the period
    and every claim's window), with its evidence level and the claims whose verdict it made a hit.
    """
    scored = verdicts[(verdicts["scored_as"] != "not_scored") & (verdicts["verdict"] != "out_of_scope")]
    columns = ["claim_id", "claimant_group", "date_earliest", "date_latest"]
    rows = scored.merge(claims[columns], on="claim_id", how="inner")  # inner: the described campaign only
    rows = rows.assign(window_start=_as_dates(rows["window_start"]), window_end=_as_dates(rows["window_end"]))
    rows = rows.sort_values(["date_earliest", "claim_id"], na_position="last", kind="stable").reset_index(drop=True)
    matched = rows["matched_incidents"].fillna("").astype(str)
    claim_rows = pd.DataFrame(
        {
            "kind": "claim",
            "id": rows["claim_id"].astype(str),
            "row": range(len(rows)),
            "group": rows["claimant_group"].astype(str),
            "scored_as": rows["scored_as"].astype(str),
            "verdict": rows["verdict"].astype(str),
            "date_earliest": rows["date_earliest"],
            "date_latest": rows["date_latest"],
            "window_start": rows["window_start"],
            "window_end": rows["window_end"],
            "dated": rows["window_start"].notna() & rows["window_end"].notna(),
            "evidence_level": "",
            "matched": matched,
        }
    )
    low, high = timeline_span(claim_rows, start, end)
    last = incidents["date_latest"].fillna(incidents["date_earliest"])
    shown = incidents[incidents["date_earliest"].notna() & (last >= low) & (incidents["date_earliest"] <= high)]
    shown = shown.sort_values(["date_earliest", "incident_id"], kind="stable")
    hits_by_incident = {
        incident: ";".join(claim_rows.loc[matched.str.split(";").map(lambda ids, i=incident: i in ids), "id"])
        for incident in shown["incident_id"]
    }
    incident_rows = pd.DataFrame(
        {
            "kind": "incident",
            "id": shown["incident_id"].astype(str),
            "row": pd.NA,
            "group": "",
            "scored_as": "",
            "verdict": "",
            "date_earliest": shown["date_earliest"],
            "date_latest": shown["date_latest"],
            "window_start": pd.NaT,
            "window_end": pd.NaT,
            "dated": shown["date_precision"].astype(str) == "day",
            "evidence_level": shown["evidence_level"].astype(str),
            "matched": shown["incident_id"].map(hits_by_incident).fillna(""),
        }
    )
    table = pd.concat([claim_rows, incident_rows], ignore_index=True)
    table["row"] = table["row"].astype("Int64")
    return table


def incident_label_groups(incidents: pd.DataFrame, low: pd.Timestamp, high: pd.Timestamp, spacing: float):
    """Incident lines closer than `spacing` (a share of the span) share one label: 'ID' or 'ID +k'.
    Returns (date of the first line, label) pairs, left to right."""
    groups: list[list] = []
    span = max((high - low).days, 1)
    for _, incident in incidents.sort_values(["date_earliest", "id"]).iterrows():
        if groups and (incident["date_earliest"] - groups[-1][0]["date_earliest"]).days / span < spacing:
            groups[-1].append(incident)
        else:
            groups.append([incident])
    return [
        (group[0]["date_earliest"], group[0]["id"] + (f" +{len(group) - 1}" if len(group) > 1 else ""))
        for group in groups
    ]


def _draw_claim_rows(ax, claims: pd.DataFrame) -> None:
    for c in claims.itertuples():
        y = c.row
        colour = VERDICT_COLOURS.get(c.verdict, "#999999")
        if c.dated:
            left = mdates.date2num(c.window_start)
            ax.broken_barh(
                [(left, max(mdates.date2num(c.window_end) - left, 1))], (y - 0.3, 0.6), color=colour, alpha=0.35, lw=0
            )
        if pd.notna(c.date_earliest) and pd.notna(c.date_latest) and c.date_latest > c.date_earliest:
            ax.plot([c.date_earliest, c.date_latest], [y, y], "-", color="#222222", lw=1.4, solid_capstyle="butt")
        elif pd.notna(c.date_earliest):
            filled = "#222222" if c.dated else "white"
            ax.plot(c.date_earliest, y, "o", ms=3.6, mfc=filled, mec="#222222", mew=0.8)
        if not c.dated:
            at = c.date_earliest if pd.notna(c.date_earliest) else ax.get_xlim()[0]
            ax.annotate(
                UNDATED_LABEL,
                (at, y),
                xytext=(5, 0),
                textcoords="offset points",
                va="center",
                fontsize=TIMELINE_FONT - 0.5,
                style="italic",
                color="#444444",
            )


def _draw_incident_lines(ax, incidents: pd.DataFrame, low, high) -> None:
    for i in incidents.itertuples():
        ax.axvline(
            i.date_earliest,
            color=EVIDENCE_COLOURS.get(i.evidence_level, "#555555"),
            ls=EVIDENCE_LINESTYLES.get(i.evidence_level, "-"),
            lw=1.1,
            zorder=1,
        )
    to_axes = mpl.transforms.blended_transform_factory(ax.transData, ax.transAxes)
    for when, label in incident_label_groups(incidents, low, high, spacing=0.02):
        ax.text(
            when,
            1.01,
            label,
            transform=to_axes,
            rotation=90,
            ha="center",
            va="bottom",
            fontsize=TIMELINE_FONT - 0.5,
            color="#333333",
        )


def _timeline_legend(claims: pd.DataFrame, incidents: pd.DataFrame) -> list:
    from matplotlib.patches import Patch

    handles = [
        Patch(color=VERDICT_COLOURS.get(v, "#999999"), alpha=0.35, label=f"window searched: {v.replace('_', ' ')}")
        for v in dict.fromkeys(claims.loc[claims["dated"], "verdict"])
    ]
    exact = claims["date_earliest"].notna() & (claims["date_earliest"] == claims["date_latest"])
    if exact.any():
        handles.append(Line2D([], [], ls="", marker="o", ms=3.6, color="#222222", label="day the claim was made"))
    if (claims["date_latest"] > claims["date_earliest"]).any():
        handles.append(Line2D([], [], color="#222222", lw=1.4, label="claim made within these dates"))
    if (~claims["dated"]).any():
        handles.append(
            Line2D([], [], ls="", marker="o", ms=3.6, mfc="white", mec="#222222", label="earliest possible date")
        )
    handles += [
        Line2D(
            [],
            [],
            color=EVIDENCE_COLOURS[level],
            ls=EVIDENCE_LINESTYLES[level],
            lw=1.1,
            label=f"incident: {level.replace('_', ' ')}",
        )
        for level in EVIDENCE_ORDER[::-1]
        if (incidents["evidence_level"] == level).any()
    ]
    return handles


def draw_claim_timeline(
    table: pd.DataFrame, group_label: dict[str, str], start: object, end: object
) -> tuple[MplFigure, str]:
    """Draw claim_timeline_table's rows; returns the figure and the unit of its time axis."""
    claims = table[table["kind"] == "claim"]
    incidents = table[table["kind"] == "incident"]
    low, high = timeline_span(claims, start, end)
    labels = [f"{c.id}  {group_label.get(c.group, c.group)}" for c in claims.itertuples()]
    handles = _timeline_legend(claims, incidents)
    # Height in inches: rotated incident labels above, the rows, tick labels and legend below; the
    # constrained layout then fits the margins to the labels actually drawn.
    longest = max((len(label) for _, label in incident_label_groups(incidents, low, high, 0.02)), default=0)
    above = 0.1 + 0.07 * longest
    below = 0.35 + 0.17 * -(-len(handles) // 3)
    fig = _figure(TIMELINE_WIDTH, above + ROW_INCHES * max(len(claims), 1) + 0.15 + below, layout="constrained")
    ax = fig.subplots()
    pad = pd.Timedelta(days=max(1, (high - low).days // 50))
    ax.set_xlim(low - pad, high + pad)
    ax.set_ylim(max(len(claims), 1) - 0.5, -0.5)  # row 0 at the top
    _draw_claim_rows(ax, claims)
    _draw_incident_lines(ax, incidents, low, high)
    ax.set_yticks(range(len(claims)), labels, fontsize=TIMELINE_FONT)
    ax.tick_params(axis="y", length=0)
    ax.tick_params(axis="x", labelsize=TIMELINE_FONT + 0.5)
    ax.grid(axis="y", color="#EEEEEE", lw=0.6)
    ax.set_axisbelow(True)
    unit = _time_axis(ax, low, high)
    if handles:
        fig.legend(
            handles=handles,
            loc="outside lower left",
            ncols=3,
            frameon=False,
            fontsize=TIMELINE_FONT,
        )
    return fig, unit


def timeline_campaign(results: Results) -> Figure:
    """One row per scored claim of the described campaign, its window as a bar, with the ledger's
    incidents of the span as labelled vertical lines."""
    campaign = results.key_numbers["campaign"]
    described = (
        in_campaign(results.ledgers.claims, results.declaration.main) if results.declaration else results.ledgers.claims
    )
    start, end = pd.Timestamp(campaign["period_from"]), pd.Timestamp(campaign["period_to"])
    data = claim_timeline_table(results.primary, described, results.ledgers.incidents, start, end)
    fig, unit = draw_claim_timeline(data, group_names(results), start, end)
    claims, incidents = data[data["kind"] == "claim"], data[data["kind"] == "incident"]
    n, undated = len(claims), int((~claims["dated"]).sum())
    low, high = timeline_span(claims, start, end)
    hits = int((claims["verdict"] == "materialized").sum())
    title = (
        f"Each scored claim's window, and the documented incidents, {wording.period_span(low, high)} "
        f"({wording.plural(n, 'claim')})"
    )
    undated_note = (
        f" {wording.plural(undated, 'claim')} whose date is not known well enough to place a window "
        f"{'is' if undated == 1 else 'are'} marked '{UNDATED_LABEL}' at the earliest possible date."
        if undated
        else ""
    )
    caption = (
        f"One row per claim the primary rule scored (n = {n}), earliest first, labelled with its id and claimant "
        f"group. Dot: the day a claim was made; black line: the dates within which it was made, where the day "
        f"is not known. Bar: the window in which the primary rule looked for a documented incident, coloured by "
        f"verdict.{undated_note} Vertical lines: the {wording.plural(len(incidents), 'incident')} of the ledger "
        f"dated within the span shown, at the earliest possible date, labelled by id (nearby lines share a label) "
        f"and styled by evidence level. A line crossing a bar is a hit only if the incident also meets the rule's "
        f"other conditions, such as place and evidence level ({paths.table_label(paths.VERDICTS_FILE)} gives each claim's reason). "
        f"{SOURCE_NOTE}"
    )
    alt = (
        f"Timeline {wording.period_between(low, high)}, marked in {unit}, one row per scored claim "
        f"({wording.plural(n, 'claim')}, {hits} with a matched incident); "
        f"{wording.plural(len(incidents), 'documented incident')} shown as vertical lines labelled by id."
    )
    return Figure(1, "timeline", title, caption, alt, fig, data)


def timeline_context_table(results: Results) -> pd.DataFrame:
    """Incidents per month of earliest possible date (every month of the reference period, as
    'YYYY-MM') and evidence level (one column each, weakest first); months outside the reference
    period and undated incidents are not counted."""
    incidents = results.ledgers.incidents.copy()
    rules = results.rules
    incidents["month"] = incidents["date_earliest"].dt.to_period("M").dt.to_timestamp()
    months = pd.date_range(rules.reference_from, rules.reference_to, freq="MS")
    counts = (
        incidents.groupby(["month", "evidence_level"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=months, columns=EVIDENCE_ORDER[::-1], fill_value=0)
    )
    data = counts.reset_index(names="month")
    data["month"] = data["month"].dt.strftime("%Y-%m")
    return data


def timeline_context(results: Results) -> Figure:
    rules = results.rules
    data = timeline_context_table(results)
    counts = data.set_index(pd.to_datetime(data["month"], format="%Y-%m")).drop(columns="month")
    fig, ax = _new(8.5, 3.8)
    bottom = np.zeros(len(counts))
    for level in counts.columns:
        ax.bar(
            counts.index,
            counts[level],
            width=25,
            bottom=bottom,
            color=EVIDENCE_COLOURS[level],
            label=level.replace("_", " "),
            align="edge",
        )
        bottom += counts[level].to_numpy()
    ax.axvspan(rules.scope.date_from, rules.scope.date_to, color=OKABE_ITO[3], alpha=0.35, lw=0, label="claims period")
    ax.set_ylabel("incidents in the ledger per month")
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=[1, 7]))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.legend(frameon=False, fontsize=7, ncols=5, loc="lower left", bbox_to_anchor=(0, 1.0))
    ax.yaxis.get_major_locator().set_params(integer=True)
    n = len(results.ledgers.incidents)
    country = results.key_numbers["campaign"]["country"]
    where = f" in {country}" if country else ""
    title = f"Documented chemical incidents{where} in the ledger, {rules.reference_from:%Y}–{rules.reference_to:%Y} (n = {n})"
    fig.subplots_adjust(bottom=0.1, top=0.92)  # room for the legend; the report prints the title
    caption = (
        f"Incidents by month of earliest possible date and evidence level (n = {n}). The ledger is not a complete "
        f"census. Shaded: the claims period. {SOURCE_NOTE}"
    )
    period = wording.period_span(rules.scope.date_from, rules.scope.date_to)
    alt = (
        f"Stacked monthly bars of {n} documented incidents from {rules.reference_from:%Y} to "
        f"{rules.reference_to:%Y}, coloured by evidence level, with the {period} claims period shaded."
    )
    return Figure(2, "incidents-context", title, caption, alt, fig, data)


# --- 3. claims by group and type ------------------------------------------------------------------


CLAIM_TYPE_ORDER = ["imminent_attack", "chemicals_moved", "staging_video", "attack_occurred", "other"]


def claims_by_group_and_type_table(results: Results) -> pd.DataFrame:
    """Claims per (claimant group, claim type), long: groups in the campaign's declared order
    (zero rows for a group with no claim), types in CLAIM_TYPE_ORDER among those that occur."""
    claims = results.ledgers.claims
    names = group_names(results)
    table = pd.crosstab(claims["claimant_group"], claims["claim_type"]).reindex(list(names), fill_value=0)
    table = table[[t for t in CLAIM_TYPE_ORDER if t in table.columns]]
    return table.reset_index().melt(id_vars="claimant_group", var_name="claim_type", value_name="claims")


def claims_by_group_and_type(results: Results) -> Figure:
    claims = results.ledgers.claims
    names = group_names(results)
    data = claims_by_group_and_type_table(results)
    types = list(dict.fromkeys(data["claim_type"]))
    table = data.pivot(index="claimant_group", columns="claim_type", values="claims")
    table = table.reindex(index=list(dict.fromkeys(data["claimant_group"])), columns=types)
    fig, ax = _new(8.0, 3.6)
    left = np.zeros(len(table))
    for i, kind in enumerate(types):
        ax.barh(
            [names[g] for g in table.index],
            table[kind],
            left=left,
            color=OKABE_ITO[i],
            label=kind.replace("_", " "),
        )
        for y, (value, x0) in enumerate(zip(table[kind], left, strict=True)):
            if value:
                ax.text(
                    x0 + value / 2,
                    y,
                    str(value),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if i in (4, 5) else "black",
                )
        left += table[kind].to_numpy()
    ax.invert_yaxis()
    ax.set_xlabel("number of claims")
    ax.legend(frameon=False, fontsize=7, ncols=len(types), loc="lower right", bbox_to_anchor=(1, 1.0))
    n = len(claims)
    title = f"Claims by claimant group and type (n = {n})"
    fig.subplots_adjust(left=0.3, bottom=0.14, top=0.91)  # room for the legend; the report prints the title
    caption = f"Each claim counted once under the group that made it (n = {n}). {SOURCE_NOTE}"
    alt = f"Horizontal stacked bars: {n} claims split by claimant group and claim type."
    return Figure(3, "claims-by-group-type", title, caption, alt, fig, data)


# --- 4. map: governorates, claimed places and incident places ---------------------------------

BOUNDARIES_FILE = Path("boundaries") / "syria_adm1.geojson"


def boundaries(data_dir: Path | None = None) -> list[dict]:
    """Governorate outlines (data/boundaries/, sourced and licensed in its SOURCE.md): each
    feature's name and its rings as (n, 2) arrays of longitude, latitude."""
    path = (data_dir or paths.data_dir()) / BOUNDARIES_FILE
    if not path.exists():  # the shipped outlines belong to the shipped campaign's country
        return []
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    out = []
    for feature in features:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        rings = [np.asarray(ring, dtype=float) for polygon in polygons for ring in polygon]
        out.append({"name": feature["properties"].get("name", ""), "rings": rings})
    return out


def _ring_centroid(ring: np.ndarray) -> tuple[float, float, float]:
    """Area and centroid of a closed ring (shoelace formula), for placing a label inside it."""
    x, y = ring[:, 0], ring[:, 1]
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    area = cross.sum() / 2
    if area == 0:
        return 0.0, float(x.mean()), float(y.mean())
    return (
        abs(area),
        float(((x[:-1] + x[1:]) * cross).sum() / (6 * area)),
        float(((y[:-1] + y[1:]) * cross).sum() / (6 * area)),
    )


def place_map_table(results: Results) -> pd.DataFrame:
    """One row per place a claim or an incident names: how many claims name it, which incidents
    occurred there with their evidence levels, and whether it has sourced coordinates."""
    ledgers = results.ledgers
    places = ledgers.places.set_index("place_id")
    claims_at: dict[str, list[str]] = {}
    incidents_at: dict[str, list[tuple[str, str]]] = {}
    for _, claim in ledgers.claims.iterrows():
        for pid in claim["place_list"]:
            claims_at.setdefault(pid, []).append(claim["claim_id"])
    for _, incident in ledgers.incidents.iterrows():
        for pid in incident["place_list"]:
            incidents_at.setdefault(pid, []).append((incident["incident_id"], incident["evidence_level"]))
    rows = []
    for pid in sorted(set(claims_at) | set(incidents_at)):
        place = places.loc[pid]
        found = incidents_at.get(pid, [])
        strongest = max((EVIDENCE_ORDER.index(level) for _, level in found), default=None)
        rows.append(
            {
                "place_id": pid,
                "name": place["name"],
                "place_type": place["place_type"],
                "governorate": place["governorate"],
                "latitude": place["latitude"],
                "longitude": place["longitude"],
                "claims": len(claims_at.get(pid, [])),
                "claim_ids": ";".join(claims_at.get(pid, [])),
                "incidents": len(found),
                "incident_ids": ";".join(i for i, _ in found),
                "strongest_evidence": EVIDENCE_ORDER[strongest] if strongest is not None else "",
            }
        )
    data = pd.DataFrame(rows)
    point = ~data["place_type"].isin(["governorate", "region"])
    data["drawn"] = point & data["latitude"].notna() & data["longitude"].notna()
    return data


def _draw_outlines(ax, outlines: list[dict], shade: dict[str, int], vmax: int) -> None:
    from matplotlib.patches import Polygon

    cmap = mpl.colormaps["Greys"]
    for outline in outlines:
        count = shade.get(outline["name"], 0)
        colour = cmap(0.08 + 0.35 * count / vmax) if count else "#FAFAFA"
        for ring in outline["rings"]:
            ax.add_patch(Polygon(ring, closed=True, facecolor=colour, edgecolor="#888888", lw=0.6, zorder=1))


def _draw_places(ax, points: pd.DataFrame, scale: float) -> None:
    claimed = points[points["claims"] > 0]
    ax.scatter(
        claimed["longitude"],
        claimed["latitude"],
        s=claimed["claims"] * scale,
        color=OKABE_ITO[5],
        alpha=0.55,
        edgecolor="white",
        linewidth=0.6,
        zorder=3,
    )
    for level in EVIDENCE_ORDER[::-1]:
        hit = points[points["strongest_evidence"] == level]
        ax.scatter(
            hit["longitude"],
            hit["latitude"],
            marker="X",
            s=70,
            color=EVIDENCE_COLOURS[level],
            edgecolor="white",
            linewidth=0.6,
            zorder=4,
        )


def _label_without_overlap(ax, points: pd.DataFrame, fontsize: float = 7, avoid: pd.DataFrame | None = None) -> None:
    """Name each point, trying four positions around it and taking the first whose box overlaps no
    earlier label and no marker to `avoid` (points come most important first); a name that fits
    nowhere is left out."""
    ax.apply_aspect()
    to_display = ax.transData.transform
    points_per_pixel = 72 / ax.figure.dpi
    frame = ax.get_window_extent().extents * points_per_pixel  # a name stays inside the axes, never cut
    taken: list[tuple[float, float, float, float]] = []
    for _, p in (avoid if avoid is not None else points.iloc[0:0]).iterrows():
        x, y = to_display((p["longitude"], p["latitude"])) * points_per_pixel
        taken.append((x - 4.5, y - 4.5, x + 4.5, y + 4.5))  # an incident's cross (s=70: about 8.4 pt)
    for _, p in points.iterrows():
        x, y = to_display((p["longitude"], p["latitude"])) * points_per_pixel  # in points
        # The name's drawn width (the font's own outline metrics), with a little air.
        width = TextPath((0, 0), p["name"], size=fontsize).get_extents().width + 3
        height = 1.2 * fontsize
        # Clear of the point's own circle (its radius in points, where known), nearest first.
        r = max(5.0, float(p.get("radius_pt", 0)) + 1)
        positions = [(r, 3, "left"), (r, -11, "left"), (-r, 3, "right"), (-r, -11, "right")]
        positions += [(r + 1, -4, "left"), (-r - 1, -4, "right")]
        for dx, dy, ha in positions:
            left = x + dx - (width if ha == "right" else 0)
            box = (left, y + dy, left + width, y + dy + height)
            inside = frame[0] <= box[0] and box[2] <= frame[2] and frame[1] <= box[1] and box[3] <= frame[3]
            if inside and all(box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in taken):
                taken.append(box)
                ax.annotate(
                    p["name"],
                    (p["longitude"], p["latitude"]),
                    xytext=(dx, dy),
                    textcoords="offset points",
                    ha=ha,
                    fontsize=fontsize,
                    color="#222222",
                    zorder=6,
                )
                break


def place_map(results: Results) -> Figure:
    data = place_map_table(results)
    points = data[data["drawn"]]
    outlines = boundaries(results.ledgers.data_dir)
    claims = results.ledgers.claims
    places = results.ledgers.places.set_index("place_id")
    # Shade each governorate by the number of claims naming any place in it (places without
    # coordinates count too: their governorate is known).
    per_governorate: dict[str, set] = {}
    for _, claim in claims.iterrows():
        for pid in claim["place_list"]:
            governorate = places.loc[pid, "governorate"]
            if isinstance(governorate, str) and governorate:
                per_governorate.setdefault(governorate, set()).add(claim["claim_id"])
    shade = {g: len(ids) for g, ids in per_governorate.items()}
    vmax = max(shade.values(), default=1)

    fig = _figure(9.0, 5.2)
    main = fig.add_axes((0.01, 0.17, 0.5, 0.78))
    inset = fig.add_axes((0.53, 0.17, 0.46, 0.78))
    aspect = 1 / np.cos(np.radians(35))
    if outlines:
        every = np.concatenate([r for o in outlines for r in o["rings"]])
    elif len(points):
        every = points[["longitude", "latitude"]].to_numpy(float)
    else:
        every = np.array([[0.0, 0.0], [1.0, 1.0]])
    scale = 28.0
    for ax in (main, inset):
        _draw_outlines(ax, outlines, shade, vmax)
        _draw_places(ax, points, scale if ax is inset else scale / 3)
        ax.set_aspect(aspect)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(ax is inset)
            spine.set_color("#555555")
    main.set_xlim(every[:, 0].min() - 0.1, every[:, 0].max() + 0.1)
    main.set_ylim(every[:, 1].min() - 0.1, every[:, 1].max() + 0.1)
    # The inset frames every drawn place in the north-west, i.e. the governorates the claims name most.
    north_west = points[points["governorate"].isin(sorted(shade, key=shade.get, reverse=True)[:3])]
    framed = north_west[["longitude", "latitude"]].to_numpy(float) if len(north_west) else every
    lon0, lon1 = framed[:, 0].min() - 0.4, framed[:, 0].max() + 0.4  # room for names on either side
    lat0, lat1 = framed[:, 1].min() - 0.12, framed[:, 1].max() + 0.12
    inset.set_xlim(lon0, lon1)
    inset.set_ylim(lat0, lat1)
    main.add_patch(
        mpl.patches.Rectangle((lon0, lat0), lon1 - lon0, lat1 - lat0, fill=False, edgecolor="#333333", lw=0.9, zorder=5)
    )
    for outline in outlines:
        if not outline["name"]:
            continue
        area, x, y = max((_ring_centroid(r) for r in outline["rings"]), key=lambda t: t[0])
        in_inset = lon0 <= x <= lon1 and lat0 <= y <= lat1
        if area > 0.25 and not in_inset:  # large enough to hold a name; the inset names its own
            main.text(x, y, outline["name"], fontsize=6.5, color="#555555", ha="center", va="center", zorder=2)
        if in_inset:
            inset.text(x, y, outline["name"], fontsize=9, color="#777777", style="italic", ha="center", zorder=2)
    # Most important first: an incident weighs as two claims, so the most-named places keep their names.
    weight = points["claims"] + 2 * points["incidents"]
    labelled = points.assign(weight=weight).sort_values(["weight", "name"], ascending=[False, True])
    labelled = labelled[(labelled["incidents"] > 0) | (labelled["claims"] >= 2)]
    inside = labelled["longitude"].between(lon0, lon1) & labelled["latitude"].between(lat0, lat1)
    labelled = labelled.assign(radius_pt=np.sqrt(scale * labelled["claims"]) / 2)  # marker area s is in pt²
    _label_without_overlap(inset, labelled[inside], avoid=points[points["incidents"] > 0])
    handles = [
        mpl.lines.Line2D(
            [],
            [],
            ls="",
            marker="o",
            ms=np.sqrt(scale * k),
            color=OKABE_ITO[5],
            alpha=0.55,
            label=f"named in {k} claim{'s' if k > 1 else ''}",
        )
        for k in sorted({1, int(points["claims"].max() or 1)})
    ] + [
        mpl.lines.Line2D(
            [], [], ls="", marker="X", ms=8, color=EVIDENCE_COLOURS[level], label=f"incident: {level.replace('_', ' ')}"
        )
        for level in EVIDENCE_ORDER[::-1]
        if (points["strongest_evidence"] == level).any()
    ]
    # Rows far enough apart for the largest circle (labelspacing is in font sizes).
    spacing = max(0.5, (np.sqrt(scale * int(points["claims"].max() or 1)) - 7) / 7)
    fig.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.01, 0.0),
        ncols=3,
        frameon=False,
        fontsize=7,
        labelspacing=spacing,
        borderaxespad=0.8,
    )
    title = "Where the claims pointed, and where documented incidents occurred"
    inset.set_title("Where most claims point (framed on the left)", fontsize=8, color="#333333", loc="left")
    n_points = len(points)
    missing = data[~data["drawn"] & ~data["place_type"].isin(["governorate", "region"])]
    where = results.key_numbers["campaign"].get("country") or "the region"
    outline_note = (
        f"Boundaries: {BOUNDARIES_FILE.as_posix()} in the data folder (source and licence in its SOURCE.md), "
        "for orientation only. "
        if outlines
        else "No boundary file in the data folder: places only. "
    )
    caption = (
        f"Left: {where} by governorate, shaded by the number of claims naming a place in it (darkest: {vmax}). "
        f"Right: the governorates most claims name. Circles: {int((points['claims'] > 0).sum())} places named in claims, area by number of claims; "
        f"crosses: {int((points['incidents'] > 0).sum())} places of documented incidents, colour by the strongest evidence level. "
        f"{len(missing)} named places have no sourced coordinates and are not drawn (listed in the data file). "
        f"{outline_note}{SOURCE_NOTE}"
    )
    alt = (
        f"Map of {where} with {n_points} located places; the governorates most claims name are shown enlarged "
        f"on the right, incident places are marked by evidence level."
    )
    return Figure(4, "map-places", title, caption, alt, fig, data)


# --- 5. claims versus materialized attacks with the null expectation --------------------------------


def hits_versus_null_table(results: Results) -> pd.DataFrame:
    """The chance distribution of hits (Poisson-binomial over the scored claims' p0) from 0 up to
    where chance has (almost, 0.999) no mass left and always the observed count, which is flagged."""
    scored_ids = scored_predictions(results.primary)["claim_id"]
    pmf = poisson_binomial_pmf(results.p0.reindex(scored_ids).dropna().to_numpy())
    observed = int(results.key_numbers["hits"])
    shown = max(observed, int(np.searchsorted(np.cumsum(pmf), 0.999))) + 1
    return pd.DataFrame(
        {
            "hits": np.arange(shown),
            "probability_by_chance": pmf[:shown],
            "observed": np.arange(shown) == observed,
        }
    )


def hits_versus_null(results: Results) -> Figure:
    """The number of hits chance alone would give, with the observed count marked: the comparison
    that matters, on its own scale."""
    key = results.key_numbers
    null = results.null
    data = hits_versus_null_table(results)
    pmf = data["probability_by_chance"].to_numpy()
    observed = int(key["hits"])
    shown = len(data)
    fig, ax = _new(7.5, 3.4)
    colours = [OKABE_ITO[5] if is_observed else "#BBBBBB" for is_observed in data["observed"]]
    ax.bar(data["hits"], data["probability_by_chance"], color=colours, width=0.7)
    for row in data.itertuples():
        ax.text(
            row.hits,
            row.probability_by_chance + 0.005,
            f"{row.probability_by_chance:.2f}",
            ha="center",
            va="bottom",
            fontsize=8,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},  # over the dashed line
        )
    top = float(data["probability_by_chance"].max())
    ax.set_ylim(0, top * 1.3)
    ax.text(observed, pmf[observed] + top * 0.1, "observed", ha="center", fontsize=9, color=OKABE_ITO[5], weight="bold")
    ax.axvline(null.expected_hits, color="#333333", ls="--", lw=1)
    ax.text(null.expected_hits, top * 1.22, f" expected by chance: {null.expected_hits:.1f}", fontsize=8, va="center")
    ax.set_xticks(data["hits"])
    ax.set_xlabel(f"number of the {key['claims_assessable']} scored predictions followed by an incident")
    ax.set_ylabel("probability by chance")
    title = f"How many hits chance alone would give, and what was observed (n = {key['claims_assessable']})"
    fig.subplots_adjust(left=0.1, bottom=0.17, top=0.96, right=0.98)
    caption = (
        f"Bars: probability of each number of hits if the claims were unrelated to events (Poisson-binomial over each "
        f"claim's chance p0: the share of same-length windows at the same places with a documented incident, "
        f"{results.rules.reference_from:%Y}–{results.rules.reference_to:%Y}). Observed: {key['ci_text']} under the primary "
        f"rule ({key['rule']['text']}); chance of exactly that many: {pmf[observed]:.2f}. {SOURCE_NOTE}"
    )
    alt = (
        f"Bar chart of the chance distribution of hits from 0 to {shown - 1}; the observed {observed} hits is highlighted, "
        f"with probability {pmf[observed]:.2f}; {null.expected_hits:.1f} hits expected by chance."
    )
    return Figure(5, "hits-vs-null", title, caption, alt, fig, data)


# --- 6. sensitivity heatmap -------------------------------------------------------------------------


def _incident_label(results: Results, incident_id: str) -> str:
    """'<incident id> (<date>, <place>; evidence: <level>)' from the ledgers."""
    incident = results.ledgers.incidents.set_index("incident_id").loc[incident_id]
    places = results.ledgers.places.set_index("place_id")
    names = [places.loc[p, "name"] for p in incident["place_list"] if p in places.index][:2]
    when = incident["date_earliest"].strftime("%Y-%m-%d") if pd.notna(incident["date_earliest"]) else "undated"
    return f"{incident_id} ({when}, {', '.join(names)}; evidence: {incident['evidence_level'].replace('_', ' ')})"


def sensitivity_table(results: Results) -> pd.DataFrame:
    """The sensitivity grid's rules that ignore the claims' own time frames and count any incident
    (shape 'any'), in the grid's order: window, geography, evidence bar, predictions scored, hits,
    interval and the incidents behind the hits."""
    table = results.sensitivity
    table = table[(table["stated_frame"] == "ignore") & (table["shape"] == "any")]
    columns = ["window_days", "geography", "min_evidence", "n", "hits", "ci_low", "ci_high", "matched_incidents"]
    return table[columns].reset_index(drop=True)


def sensitivity_heatmap(results: Results) -> Figure:
    """Hits under the grid's windows x geographies, one panel per evidence bar that gives any hit
    (bars with no hit anywhere are named in the caption, not drawn), with the incidents behind them."""
    table = sensitivity_table(results)
    geos = list(dict.fromkeys(table["geography"]))
    windows = sorted(table["window_days"].unique())
    with_hits = [level for level in EVIDENCE_ORDER[::-1] if table.loc[table["min_evidence"] == level, "hits"].sum() > 0]
    without = [level for level in EVIDENCE_ORDER[::-1] if level not in with_hits]
    levels = with_hits or [results.rules.primary.min_evidence]
    fig, axes = _new(max(7.5, 3.6 * len(levels) + 1.6), 4.0, ncols=len(levels), sharey=True, squeeze=False)
    axes = list(axes[0])
    for ax, level in zip(axes, levels, strict=True):
        part = table[table["min_evidence"] == level]
        grid = part.pivot(index="geography", columns="window_days", values="hits").reindex(index=geos, columns=windows)
        n = int(part["n"].max())
        annot = grid.map(lambda v, n=n: f"{int(v)}/{n}")
        sns.heatmap(
            grid,
            ax=ax,
            annot=annot,
            fmt="",
            cmap="cividis",
            vmin=0,
            vmax=max(1, int(table["hits"].max())),
            cbar=False,
            linewidths=0.5,
            annot_kws={"fontsize": 8},
        )
        ax.set_title(f"evidence at least '{level.replace('_', ' ')}'", fontsize=9)
        ax.set_xlabel("window (days)")
        ax.set_ylabel("geography" if ax is axes[0] else "")
    behind = sorted(
        {i for cell in table.loc[table["hits"] > 0, "matched_incidents"] for i in str(cell).split(";") if i}
    )
    title = "Sensitivity: predictions followed by an incident under looser rules"
    note = (
        "Every hit comes through " + "; ".join(_incident_label(results, i) for i in behind)
        if behind
        else "No rule in this view gives any hit."
    )
    note = "\n".join(textwrap.wrap(note.rstrip(".") + " (shape: any incident).", 120))
    fig.text(0.01, 0.97, note, fontsize=8, color=OKABE_ITO[5] if behind else "#333333", va="top")
    # Below the note (about 0.15 in a line at 8 pt) the panels' own titles need about 0.3 in.
    top = 0.97 - (0.15 * (note.count("\n") + 1) + 0.3) / fig.get_figheight()
    fig.subplots_adjust(left=0.15 if len(levels) == 1 else 0.1, right=0.98, bottom=0.14, top=top, wspace=0.08)
    not_drawn = (
        f" Evidence bars with no hit under any window or geography, not drawn: {', '.join(level.replace('_', ' ') for level in without)}."
        if with_hits and without
        else ""
    )
    caption = (
        f"Cells: hits / predictions scored, by window length and geography.{not_drawn} {len(results.sensitivity)} rules "
        f"in the full grid (also: shape = accused side, claims' own time frames; see report/tables/sensitivity.csv). {SOURCE_NOTE}"
    )
    alt = (
        f"{len(levels)} heatmap(s) of hits per window length and geography; the maximum is "
        f"{int(table['hits'].max())} of {int(table['n'].max())}; incidents behind the hits: {', '.join(behind) or 'none'}."
    )
    return Figure(6, "sensitivity", title, caption, alt, fig, table)


# --- 7. specification curve -------------------------------------------------------------------------

SPEC_CHOICES = [
    ("window_days", "window (days)"),
    ("geography", "geography"),
    ("min_evidence", "evidence at least"),
    ("shape", "shape"),
    ("stated_frame", "claims' own frame"),
]


def spec_curve_data(results: Results) -> pd.DataFrame:
    """Every grid rule in the curve's order (fewest hits first, then the null's mean), with its
    choices, observed hits and the mean hits over every rigid shift of the ledger."""
    keys = ["rule_id"] + [column for column, _ in SPEC_CHOICES]
    table = results.spec_curve.merge(results.sensitivity[keys], on="rule_id", how="left", validate="one_to_one")
    table = table.sort_values(["hits", "null_mean_hits", "rule_id"], kind="mergesort").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table[["rank", *keys, "hits", "null_mean_hits", "p_at_least_observed"]]


def _choice_label(column: str, value) -> str:
    return f"{value}" if column == "window_days" else str(value).replace("_", " ")


def specification_curve(results: Results) -> Figure:
    """The sensitivity grid as a specification curve: hits per rule against the rigid-shift null's
    mean, the rules' choices beneath, and the one joint test in the caption."""
    data = spec_curve_data(results)
    joint = results.key_numbers["dependence"]["spec_curve"]
    n_scored = int(results.key_numbers["claims_assessable"])
    # Choices in the grid's declared order (rules.toml [sensitivity]), not in the curve's order.
    rows = [(column, value) for column, _ in SPEC_CHOICES for value in dict.fromkeys(results.sensitivity[column])]
    fig, (top, bottom) = _new(8.0, 6.2, nrows=2, sharex=True, gridspec_kw={"height_ratios": [1.1, 1.6]})
    x = data["rank"].to_numpy()
    top.plot(x, data["null_mean_hits"], color="#888888", lw=1.2, label="mean over every rigid shift (chance)")
    top.scatter(x, data["hits"], s=6, color=OKABE_ITO[5], zorder=3, label="observed")
    top.set_ylabel(f"hits (of {n_scored})")
    top.set_ylim(bottom=0, top=max(1.0, float(data[["hits", "null_mean_hits"]].max().max())) * 1.15)
    top.legend(loc="upper left", fontsize=8, frameon=False)
    for i, (column, value) in enumerate(rows):
        used = data[column] == value
        bottom.scatter(x[used.to_numpy()], np.full(int(used.sum()), i), marker="|", s=18, lw=0.6, color="#333333")
    bottom.set_yticks(range(len(rows)))
    bottom.set_yticklabels([f"{dict(SPEC_CHOICES)[c]}: {_choice_label(c, v)}" for c, v in rows], fontsize=7)
    bottom.set_ylim(len(rows) - 0.5, -0.5)
    bottom.set_xlabel(f"the {len(data)} rules of the grid, fewest hits first")
    title = f"Specification curve: hits under each of the {len(data)} rules, against chance"
    fig.subplots_adjust(left=0.27, right=0.98, top=0.97, bottom=0.08, hspace=0.06)  # the report prints the title
    caption = (
        f"Top: predictions followed by an incident under each rule of the grid (dots) and the mean under every "
        f"rigid shift of the whole ledger (line); bottom: the choices each rule makes. One joint test, not "
        f"{len(data)} findings: {joint['observed_rules_with_hits']} of {wording.plural(joint['rules'], 'rule')} "
        f"{'gives' if joint['observed_rules_with_hits'] == 1 else 'give'} at least one hit, against {joint['null_mean_rules_with_hits']:.0f} on average by chance "
        f"(P = {joint['p_at_most_observed']:.2f} for as few or fewer, {joint['p_at_least_observed']:.2f} for as many or "
        f"more; {joint['offsets']} shifts). Data: {paths.table_label(paths.SPEC_CURVE_FILE)}. {SOURCE_NOTE}"
    )
    alt = (
        f"Specification curve of {len(data)} rules: observed hits range from {int(data['hits'].min())} to "
        f"{int(data['hits'].max())}; the chance mean ranges from {data['null_mean_hits'].min():.1f} to "
        f"{data['null_mean_hits'].max():.1f}; beneath, a matrix of each rule's window, geography, evidence bar, "
        "shape and time frame."
    )
    return Figure(7, "specification-curve", title, caption, alt, fig, data)


ALL_FIGURES = [
    timeline_campaign,
    timeline_context,
    claims_by_group_and_type,
    place_map,
    hits_versus_null,
    sensitivity_heatmap,
    specification_curve,
]


def show(fig: Figure) -> None:
    """In a notebook: the figure's title as a heading (the image carries none, as the report prints
    it above the figure), then the figure itself."""
    from IPython.display import Markdown, display

    display(Markdown(f"### {fig.title}"))
    display(fig.figure)


def save_figure(fig: Figure, root: Path | None = None) -> list[Path]:
    """Write PNG, SVG and the plotted data; deterministic bytes, written atomically.
    root: the build's output root; None = paths.write_root() (a scratch folder in a Lab session)."""
    root = root or paths.write_root()
    out_dir, data_dir = paths.figures_dir(root), paths.figure_data_dir(root)
    written = []
    for ext, metadata in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        buffer = io.BytesIO()
        fig.figure.savefig(buffer, format=ext, dpi=150, metadata=metadata)
        path = out_dir / f"{fig.stem}.{ext}"
        atomic_write_bytes(path, buffer.getvalue())
        written.append(path)
    path = data_dir / f"{fig.stem}.csv"
    write_csv(fig.data, path)
    written.append(path)
    meta = {"number": fig.number, "stem": fig.stem, "title": fig.title, "caption": fig.caption, "alt": fig.alt}
    path = data_dir / f"{fig.stem}.json"
    atomic_write_text(path, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    written.append(path)
    return written


def saved_figures(root: Path | None = None) -> list[dict]:
    """Title, caption and alt text of every saved figure, in figure order (for the report)."""
    metas = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(paths.figure_data_dir(root).glob("*.json"))]
    return sorted(metas, key=lambda m: m["number"])


def draw_all(results: Results) -> list[Figure]:
    return [make(results) for make in ALL_FIGURES]
