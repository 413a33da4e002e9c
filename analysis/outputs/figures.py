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

from analysis.inputs import paths
from analysis.inputs.rules import EVIDENCE_ORDER
from analysis.method.stats import poisson_binomial_pmf
from analysis.outputs import wording
from analysis.outputs.export import atomic_write_bytes, atomic_write_text, write_csv
from analysis.outputs.results import Results, incident_governorates

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


def _figure(width: float, height: float) -> MplFigure:
    """A figure outside pyplot's state machine: no backend is forced, so Jupyter's inline backend
    shows it where a notebook displays it (once, not again at the end of the cell), and the build's
    files are written by the same Agg renderer whatever the backend."""
    mpl.rcParams.update(STYLE)
    _show_inline_in_jupyter()
    return MplFigure(figsize=(width, height))


def _new(width=8.0, height=4.5, **kwargs):
    fig = _figure(width, height)
    return fig, fig.subplots(**kwargs)


def _caption(fig, text: str) -> None:
    """Caption inside the image. The report prints each caption under its figure and
    figures/data/<stem>.json keeps it, so the figures redrawn for reading (2-6) no longer carry one."""
    fig.text(0.01, 0.01, text, fontsize=7, color="#333333", ha="left", va="bottom", wrap=True)


def _scored(results: Results) -> pd.DataFrame:
    claims = results.prep.claims
    verdicts = results.primary.set_index("claim_id")
    out = claims[
        ["claim_id", "claimant_group", "claim_type", "date_made", "date_earliest", "date_latest", "date_precision"]
    ].copy()
    out["verdict"] = out["claim_id"].map(verdicts["verdict"])
    return out


# --- 1. timeline of claims with incidents, over the campaign's period ------------------------------

INCIDENT_LABELS_MAX = 5  # more incident lines than this: a legend names the evidence levels instead


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
        locator, unit = mdates.MonthLocator(interval=-(-round(span / 30.44) // 8)), "months"
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    return unit


def timeline_campaign(results: Results) -> Figure:
    campaign = results.key_numbers["campaign"]
    claims = _scored(results)
    incidents = results.ledgers.incidents
    start, end = pd.Timestamp(campaign["period_from"]), pd.Timestamp(campaign["period_to"])
    names = group_names(results)
    colours = {g: GROUP_PALETTE[i % len(GROUP_PALETTE)] for i, g in enumerate(names)}
    # One row per claimant group that made a claim, in the codebook's order.
    groups = [g for g in names if (claims["claimant_group"] == g).any()]
    fig, ax = _new(8.5, max(2.6, 1.4 + 0.55 * len(groups)))
    rows = []
    for y, group in enumerate(groups):
        part = claims[claims["claimant_group"] == group]
        for _, c in part.iterrows():
            exact = c["date_precision"] == "day"
            lo = c["date_earliest"] if pd.notna(c["date_earliest"]) else start
            hi = c["date_latest"] if pd.notna(c["date_latest"]) else end
            open_ended = pd.isna(c["date_earliest"]) or pd.isna(c["date_latest"])
            rows.append(
                {
                    "kind": "claim",
                    "id": c["claim_id"],
                    "group": group,
                    "date_first": lo,
                    "date_last": hi,
                    "exact_day": exact,
                    "evidence_level": "",
                }
            )
            if exact:
                ax.plot(c["date_made"], y, "o", color=colours[group], ms=6, alpha=0.85)
            else:  # dotted when a bound is unknown: the bar stops at the period's edge, not the claim's
                style = ":" if open_ended else "-"
                ax.plot([lo, hi], [y, y], style, color=colours[group], lw=2.5, alpha=0.5, solid_capstyle="butt")
    margin = pd.Timedelta(days=30)
    window = incidents[(incidents["date_latest"] >= start - margin) & (incidents["date_earliest"] <= end + margin)]
    label_each = len(window) <= INCIDENT_LABELS_MAX
    for _, inc in window.iterrows():
        ax.axvline(inc["date_earliest"], color=EVIDENCE_COLOURS[inc["evidence_level"]], ls="--", lw=1.2)
        if label_each:
            ax.annotate(
                f"{inc['incident_id']}\n({inc['evidence_level'].replace('_', ' ')})",
                (inc["date_earliest"], len(groups) - 0.4),
                fontsize=7,
                ha="right",
                va="top",
                color="#333333",
            )
        rows.append(
            {
                "kind": "incident",
                "id": inc["incident_id"],
                "group": "",
                "date_first": inc["date_earliest"],
                "date_last": inc["date_latest"],
                "exact_day": inc["date_precision"] == "day",
                "evidence_level": inc["evidence_level"],
            }
        )
    levels = [lvl for lvl in EVIDENCE_ORDER[::-1] if (window["evidence_level"] == lvl).any()]
    if levels:
        handles = [Line2D([], [], color=EVIDENCE_COLOURS[lvl], ls="--", lw=1.2) for lvl in levels]
        ax.legend(
            handles,
            [f"incident: {lvl.replace('_', ' ')}" for lvl in levels],
            fontsize=7,
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncols=len(levels),
            frameon=False,
        )
    ax.set_yticks(range(len(groups)), [names[g] for g in groups])
    ax.set_ylim(-0.6, max(len(groups), 1) - 0.2)
    pad = pd.Timedelta(days=max(1, (end - start).days // 40))
    ax.set_xlim(start - pad, end + pad)
    unit = _time_axis(ax, start, end)
    n = len(claims)
    period = wording.period_span(start, end)
    title = f"{wording.plural(n, 'claim')} by claimant group, and documented incidents, {period}"
    fig.suptitle(title, x=0.01, ha="left", fontsize=10)
    # Room on the left for the longest group name (about 0.075 in per character at this font size).
    longest = max((len(names[g]) for g in groups), default=10)
    fig.subplots_adjust(left=min(0.4, 0.03 + 0.075 * longest / 8.5), bottom=0.2, right=0.97, top=0.8)
    caption = (
        f"Dots: claims dated to the day; bars: claims known only within date bounds, dotted where a bound "
        f"is unknown (n = {n} claims). Dashed lines: documented chemical incidents within 30 days of the "
        f"period (colour = evidence level). {SOURCE_NOTE}"
    )
    data = pd.DataFrame(rows)
    alt = (
        f"Timeline {wording.period_between(start, end)}, marked in {unit}, with {wording.plural(n, 'claim')} in "
        f"{wording.plural(len(groups), 'row')} by claimant group; "
        f"{wording.plural(len(window), 'documented incident')} in or near the period shown as dashed lines."
    )
    return Figure(1, "timeline", title, caption, alt, fig, data)


def timeline_context(results: Results) -> Figure:
    incidents = results.ledgers.incidents.copy()
    rules = results.rules
    incidents["governorate"] = incident_governorates(incidents, results.ledgers.places)
    incidents["month"] = incidents["date_earliest"].dt.to_period("M").dt.to_timestamp()
    months = pd.date_range(rules.reference_from, rules.reference_to, freq="MS")
    counts = (
        incidents.groupby(["month", "evidence_level"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=months, columns=EVIDENCE_ORDER[::-1], fill_value=0)
    )
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
    n = len(incidents)
    country = results.key_numbers["campaign"]["country"]
    where = f" in {country}" if country else ""
    title = f"Documented chemical incidents{where} in the ledger, {rules.reference_from:%Y}–{rules.reference_to:%Y} (n = {n})"
    ax.set_title(title, loc="left", fontsize=10, pad=22)
    fig.subplots_adjust(bottom=0.1, top=0.84)
    caption = (
        f"Incidents by month of earliest possible date and evidence level (n = {n}). The ledger is not a complete "
        f"census. Shaded: the claims period. {SOURCE_NOTE}"
    )
    data = counts.reset_index(names="month")
    data["month"] = data["month"].dt.strftime("%Y-%m")
    period = wording.period_span(rules.scope.date_from, rules.scope.date_to)
    alt = (
        f"Stacked monthly bars of {n} documented incidents from {rules.reference_from:%Y} to "
        f"{rules.reference_to:%Y}, coloured by evidence level, with the {period} claims period shaded."
    )
    return Figure(2, "incidents-context", title, caption, alt, fig, data)


# --- 3. claims by group and type ------------------------------------------------------------------


def claims_by_group_and_type(results: Results) -> Figure:
    claims = results.ledgers.claims
    names = group_names(results)
    table = pd.crosstab(claims["claimant_group"], claims["claim_type"]).reindex(list(names), fill_value=0)
    types = [
        t
        for t in ["imminent_attack", "chemicals_moved", "staging_video", "attack_occurred", "other"]
        if t in table.columns
    ]
    table = table[types]
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
    ax.set_title(title, loc="left", fontsize=10, pad=18)
    fig.subplots_adjust(left=0.3, bottom=0.14, top=0.85)
    caption = f"Each claim counted once under the group that made it (n = {n}). {SOURCE_NOTE}"
    data = table.reset_index().melt(id_vars="claimant_group", var_name="claim_type", value_name="claims")
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


def _map_rows(results: Results) -> pd.DataFrame:
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


def _label_without_overlap(ax, points: pd.DataFrame, fontsize: float = 7) -> None:
    """Name each point, trying four positions around it and taking the first whose box overlaps no
    earlier label (points come most important first); a name that fits nowhere is left out."""
    ax.apply_aspect()
    to_display = ax.transData.transform
    points_per_pixel = 72 / ax.figure.dpi
    taken: list[tuple[float, float, float, float]] = []
    for _, p in points.iterrows():
        x, y = to_display((p["longitude"], p["latitude"])) * points_per_pixel  # in points
        width, height = 0.6 * fontsize * len(p["name"]) + 3, 1.2 * fontsize  # with a little air
        for dx, dy, ha in ((5, 3, "left"), (5, -11, "left"), (-5, 3, "right"), (-5, -11, "right")):
            left = x + dx - (width if ha == "right" else 0)
            box = (left, y + dy, left + width, y + dy + height)
            if all(box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in taken):
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
    data = _map_rows(results)
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
    main = fig.add_axes((0.01, 0.12, 0.5, 0.8))
    inset = fig.add_axes((0.53, 0.12, 0.46, 0.8))
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
    lon0, lon1 = framed[:, 0].min() - 0.15, framed[:, 0].max() + 0.15
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
    labelled = points.sort_values(["incidents", "claims"], ascending=False)
    labelled = labelled[(labelled["incidents"] > 0) | (labelled["claims"] >= 2)]
    inside = labelled["longitude"].between(lon0, lon1) & labelled["latitude"].between(lat0, lat1)
    _label_without_overlap(inset, labelled[inside])
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
    fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.01, 0.0), ncols=3, frameon=False, fontsize=7)
    title = "Where the claims pointed, and where documented incidents occurred"
    fig.suptitle(title, x=0.01, ha="left", fontsize=10)
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


def hits_versus_null(results: Results) -> Figure:
    """The number of hits chance alone would give (Poisson-binomial over the claims' p0), with the
    observed count marked: the comparison that matters, on its own scale."""
    key = results.key_numbers
    null = results.null
    scored_ids = results.primary[
        (results.primary["scored_as"] == "prediction")
        & results.primary["verdict"].isin(["materialized", "not_materialized"])
    ]["claim_id"]
    pmf = poisson_binomial_pmf(results.p0.reindex(scored_ids).dropna().to_numpy())
    observed = int(key["hits"])
    # Show the hits up to where chance has (almost) no mass left, and always the observed count.
    shown = max(observed, int(np.searchsorted(np.cumsum(pmf), 0.999))) + 1
    data = pd.DataFrame(
        {
            "hits": np.arange(shown),
            "probability_by_chance": pmf[:shown],
            "observed": np.arange(shown) == observed,
        }
    )
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
    ax.set_title(title, loc="left", fontsize=10)
    fig.subplots_adjust(left=0.1, bottom=0.17, top=0.88, right=0.98)
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


def sensitivity_heatmap(results: Results) -> Figure:
    """Hits under the grid's windows x geographies, one panel per evidence bar that gives any hit
    (bars with no hit anywhere are named in the caption, not drawn), with the incidents behind them."""
    table = results.sensitivity
    table = table[(table["stated_frame"] == "ignore") & (table["shape"] == "any")].copy()
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
    fig.suptitle(title, x=0.01, ha="left", fontsize=10)
    note = (
        "Every hit comes through " + "; ".join(_incident_label(results, i) for i in behind)
        if behind
        else "No rule in this view gives any hit."
    )
    note = "\n".join(textwrap.wrap(note + " (shape: any incident).", 120))
    fig.text(0.01, 0.9, note, fontsize=8, color=OKABE_ITO[5] if behind else "#333333", va="top")
    fig.subplots_adjust(left=0.15 if len(levels) == 1 else 0.1, right=0.98, bottom=0.14, top=0.76, wspace=0.08)
    not_drawn = (
        f" Evidence bars with no hit under any window or geography, not drawn: {', '.join(level.replace('_', ' ') for level in without)}."
        if with_hits and without
        else ""
    )
    caption = (
        f"Cells: hits / predictions scored, by window length and geography.{not_drawn} {len(results.sensitivity)} rules "
        f"in the full grid (also: shape = accused side, claims' own time frames; see report/tables/sensitivity.csv). {SOURCE_NOTE}"
    )
    data = table[["window_days", "geography", "min_evidence", "n", "hits", "ci_low", "ci_high", "matched_incidents"]]
    data = data.reset_index(drop=True)
    alt = (
        f"{len(levels)} heatmap(s) of hits per window length and geography; the maximum is "
        f"{int(table['hits'].max())} of {int(table['n'].max())}; incidents behind the hits: {', '.join(behind) or 'none'}."
    )
    return Figure(6, "sensitivity", title, caption, alt, fig, data)


ALL_FIGURES = [
    timeline_campaign,
    timeline_context,
    claims_by_group_and_type,
    place_map,
    hits_versus_null,
    sensitivity_heatmap,
]


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
