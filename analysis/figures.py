"""One function per figure, each returning a Figure (matplotlib figure + the tidy data it draws).

`save_figure` writes figures/<nn>-<name>.png and .svg plus figures/data/<nn>-<name>.csv with the
exact numbers drawn. Output bytes are deterministic: fixed SVG hash salt, no dates or versions in
metadata, fixed fonts and sizes.
"""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure as MplFigure

from analysis import paths
from analysis.export import atomic_write_bytes, atomic_write_text, write_csv
from analysis.results import Results, incident_governorates
from analysis.rules import CLAIMANT_GROUP_NAMES, EVIDENCE_ORDER
from analysis.stats import poisson_binomial_pmf

# Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
GROUP_COLOURS = {
    "rcross": OKABE_ITO[5],
    "other_russian_gov": OKABE_ITO[4],
    "russian_state_media": OKABE_ITO[1],
    "syrian_gov": OKABE_ITO[2],
}
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


def _new(width=8.0, height=4.5, **kwargs):
    """A figure outside pyplot's state machine: no backend is forced, so Jupyter's inline backend
    shows it where a notebook displays it (once, not again at the end of the cell), and the build's
    files are written by the same Agg renderer whatever the backend."""
    mpl.rcParams.update(STYLE)
    _show_inline_in_jupyter()
    fig = MplFigure(figsize=(width, height))
    return fig, fig.subplots(**kwargs)


def _caption(fig, text: str) -> None:
    fig.text(0.01, 0.01, text, fontsize=7, color="#333333", ha="left", va="bottom", wrap=True)


def _scored(results: Results) -> pd.DataFrame:
    claims = results.prep.claims
    verdicts = results.primary.set_index("claim_id")
    out = claims[
        ["claim_id", "claimant_group", "claim_type", "date_made", "date_earliest", "date_latest", "date_precision"]
    ].copy()
    out["verdict"] = out["claim_id"].map(verdicts["verdict"])
    return out


# --- 1. timeline of claims with incidents, Aug-Nov 2018 ---------------------------------------


def timeline_campaign(results: Results) -> Figure:
    rules = results.rules
    claims = _scored(results)
    incidents = results.ledgers.incidents
    start, end = rules.scope.date_from, rules.scope.date_to
    groups = list(CLAIMANT_GROUP_NAMES)
    fig, ax = _new(8.5, 4.2)
    rows = []
    for y, group in enumerate(groups):
        part = claims[claims["claimant_group"] == group]
        for _, c in part.iterrows():
            exact = c["date_precision"] == "day"
            lo = c["date_earliest"] if pd.notna(c["date_earliest"]) else start
            hi = c["date_latest"] if pd.notna(c["date_latest"]) else end
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
                ax.plot(c["date_made"], y, "o", color=GROUP_COLOURS[group], ms=6, alpha=0.85)
            else:
                ax.plot([lo, hi], [y, y], "-", color=GROUP_COLOURS[group], lw=2.5, alpha=0.5, solid_capstyle="butt")
    window = incidents[
        (incidents["date_latest"] >= start - pd.Timedelta(days=30))
        & (incidents["date_earliest"] <= end + pd.Timedelta(days=30))
    ]
    for _, inc in window.iterrows():
        ax.axvline(inc["date_earliest"], color=EVIDENCE_COLOURS[inc["evidence_level"]], ls="--", lw=1.2)
        ax.annotate(
            f"{inc['incident_id']}\n({inc['evidence_level']})",
            (inc["date_earliest"], len(groups) - 0.4),
            fontsize=7,
            ha="right",
            va="top",
            rotation=0,
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
    ax.set_yticks(range(len(groups)), [CLAIMANT_GROUP_NAMES[g] for g in groups])
    ax.set_ylim(-0.6, len(groups) - 0.2)
    ax.set_xlim(start - pd.Timedelta(days=3), end + pd.Timedelta(days=3))
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    n = len(claims)
    title = f"{n} accusations of chemical plots by rebels or White Helmets, and documented incidents"
    ax.set_title(title, loc="left", fontsize=10)
    fig.subplots_adjust(left=0.31, bottom=0.2, right=0.97, top=0.9)
    caption = (
        f"Dots: claims dated to the day; bars: claims known only within date bounds (n = {n} claims). "
        f"Dashed lines: documented chemical incidents (colour = evidence level). {SOURCE_NOTE}"
    )
    _caption(fig, caption)
    data = pd.DataFrame(rows)
    alt = (
        f"Timeline from August to November 2018 with {n} claims in four rows by claimant group; "
        f"{len(window)} documented incident(s) in or near the period shown as dashed lines."
    )
    return Figure(1, "timeline-2018", title, caption, alt, fig, data)


# --- 2. incidents 2017-2019 for context ----------------------------------------------------------


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
    title = f"Documented chemical incidents in Syria in the ledger, {rules.reference_from:%Y}–{rules.reference_to:%Y} (n = {n})"
    ax.set_title(title, loc="left", fontsize=10, pad=22)
    fig.subplots_adjust(bottom=0.2, top=0.84)
    caption = (
        f"Incidents by month of earliest possible date and evidence level (n = {n}). The ledger is not a complete "
        f"census: published totals are far higher for 2017. Shaded: the claims period. {SOURCE_NOTE}"
    )
    _caption(fig, caption)
    data = counts.reset_index(names="month")
    data["month"] = data["month"].dt.strftime("%Y-%m")
    alt = f"Stacked monthly bars of {n} documented incidents from 2017 to 2019, coloured by evidence level, with the Aug–Nov 2018 claims period shaded."
    return Figure(2, "incidents-context", title, caption, alt, fig, data)


# --- 3. claims by group and type ------------------------------------------------------------------


def claims_by_group_and_type(results: Results) -> Figure:
    claims = results.ledgers.claims
    table = pd.crosstab(claims["claimant_group"], claims["claim_type"]).reindex(
        list(CLAIMANT_GROUP_NAMES), fill_value=0
    )
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
            [CLAIMANT_GROUP_NAMES[g] for g in table.index],
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
    fig.subplots_adjust(left=0.3, bottom=0.22, top=0.85)
    caption = f"Each claim counted once under the group that made it (n = {n}). {SOURCE_NOTE}"
    _caption(fig, caption)
    data = table.reset_index().melt(id_vars="claimant_group", var_name="claim_type", value_name="claims")
    alt = f"Horizontal stacked bars: {n} claims split by claimant group and claim type."
    return Figure(3, "claims-by-group-type", title, caption, alt, fig, data)


# --- 4. schematic map ---------------------------------------------------------------------------


def place_map(results: Results) -> Figure:
    ledgers = results.ledgers
    places = ledgers.places.set_index("place_id")
    rows = []
    for role, frame, id_column in (
        ("claimed place", ledgers.claims, "claim_id"),
        ("incident place", ledgers.incidents, "incident_id"),
    ):
        for _, record in frame.iterrows():
            for pid in record["place_list"]:
                p = places.loc[pid]
                if p["place_type"] in ("governorate", "region") or pd.isna(p["latitude"]):
                    continue
                extra = record["evidence_level"] if role == "incident place" else ""
                rows.append(
                    {
                        "role": role,
                        "record": record[id_column],
                        "place_id": pid,
                        "name": p["name"],
                        "governorate": p["governorate"],
                        "latitude": p["latitude"],
                        "longitude": p["longitude"],
                        "evidence_level": extra,
                    }
                )
    data = pd.DataFrame(rows)
    fig, ax = _new(7.0, 6.2)
    for role, marker, colour, size in (
        ("claimed place", "o", OKABE_ITO[5], 30),
        ("incident place", "X", OKABE_ITO[4], 60),
    ):
        part = data[data["role"] == role].drop_duplicates("place_id")
        ax.scatter(
            part["longitude"],
            part["latitude"],
            marker=marker,
            s=size,
            color=colour,
            alpha=0.8,
            label=f"{role}s ({len(part)})",
            edgecolor="white",
            linewidth=0.5,
        )
    labels = places[places["place_type"] == "governorate"].dropna(subset=["latitude"])
    for _, g in labels.iterrows():
        ax.text(
            g["longitude"],
            g["latitude"],
            g["governorate"],
            fontsize=9,
            color="#555555",
            ha="center",
            alpha=0.9,
            style="italic",
        )
    ax.set_xlim(35.6, 42.5)
    ax.set_ylim(32.2, 37.45)
    ax.set_aspect(1 / np.cos(np.radians(35)))
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.legend(frameon=False, loc="lower right", fontsize=8)
    ax.grid(color="#eeeeee")
    located = data.drop_duplicates(["role", "place_id"])
    title = "Places named in claims and places of documented incidents"
    ax.set_title(title, loc="left", fontsize=10)
    fig.subplots_adjust(bottom=0.17)
    missing = int(places["latitude"].isna().sum())
    caption = (
        f"Schematic (no basemap): plotted are {len(located)} located places; governorate names at the gazetteer's "
        f"representative points. {missing} gazetteer places have no sourced coordinates and are not drawn. {SOURCE_NOTE}"
    )
    _caption(fig, caption)
    alt = "Scatter of longitude and latitude across Syria: claimed places clustered in Idlib and northern Hama; incident places spread from Damascus to Idlib and Latakia."
    return Figure(4, "map-places", title, caption, alt, fig, data)


# --- 5. claims versus materialized attacks with the null expectation --------------------------------


def hits_versus_null(results: Results) -> Figure:
    key = results.key_numbers
    null = results.null
    p0 = results.p0.dropna()
    scored_ids = results.primary[
        (results.primary["scored_as"] == "prediction")
        & results.primary["verdict"].isin(["materialized", "not_materialized"])
    ]["claim_id"]
    pmf = poisson_binomial_pmf(p0.reindex(scored_ids).dropna().to_numpy())
    cdf = np.cumsum(pmf)
    null_low, null_high = int(np.searchsorted(cdf, 0.025)), int(np.searchsorted(cdf, 0.975))
    n = key["claims_assessable"]
    data = pd.DataFrame(
        [
            {"series": "predictions scored", "value": n, "low": n, "high": n},
            {
                "series": "observed: materialized",
                "value": key["hits"],
                "low": key["ci_low"] * n,
                "high": key["ci_high"] * n,
            },
            {
                "series": "expected if unrelated to events",
                "value": null.expected_hits,
                "low": null_low,
                "high": null_high,
            },
        ]
    )
    fig, ax = _new(7.5, 3.4)
    colours = ["#BBBBBB", OKABE_ITO[5], OKABE_ITO[4]]
    for y, (row, colour) in enumerate(zip(data.itertuples(), colours, strict=True)):
        ax.barh(y, row.value, color=colour, height=0.55)
        if row.series != "predictions scored":
            ax.errorbar(
                row.value,
                y,
                xerr=[[row.value - row.low], [row.high - row.value]],
                fmt="none",
                ecolor="black",
                capsize=4,
                lw=1,
            )
        ax.text(
            max(row.value, row.high) + 0.4,
            y,
            f"{row.value:.1f}"
            if isinstance(row.value, float) and not float(row.value).is_integer()
            else f"{int(row.value)}",
            va="center",
            fontsize=9,
        )
    ax.set_yticks(range(len(data)), data["series"])
    ax.invert_yaxis()
    ax.set_xlabel("number of claims")
    title = f"Predicted attacks that materialized:\n{key['ci_text']}"
    ax.set_title(title, loc="left", fontsize=10)
    fig.subplots_adjust(left=0.3, bottom=0.3, top=0.84)
    caption = (
        f"Primary rule: {key['rule']['text']}. Observed bar: 95% Clopper–Pearson interval scaled to counts. "
        f"Expected bar: base-rate null (share of same-length windows at the same places with a documented incident, "
        f"{results.rules.reference_from:%Y}–{results.rules.reference_to:%Y}), 95% range of the Poisson-binomial. n = {n}. {SOURCE_NOTE}"
    )
    _caption(fig, caption)
    alt = f"Bars: {n} predictions scored, {key['hits']} materialized, {null.expected_hits:.1f} expected by chance."
    return Figure(5, "hits-vs-null", title, caption, alt, fig, data)


# --- 6. sensitivity heatmap -------------------------------------------------------------------------


def sensitivity_heatmap(results: Results) -> Figure:
    table = results.sensitivity
    table = table[(table["stated_frame"] == "ignore") & (table["shape"] == "any")].copy()
    geos = list(dict.fromkeys(table["geography"]))
    windows = sorted(table["window_days"].unique())
    levels = EVIDENCE_ORDER[::-1]
    fig, axes = _new(10.0, 3.9, ncols=len(levels), sharey=True)
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
            annot_kws={"fontsize": 7},
        )
        ax.set_title(f"evidence ≥ {level.replace('_', ' ')}", fontsize=8)
        ax.set_xlabel("window (days)")
        ax.set_ylabel("geography" if ax is axes[0] else "")
    title = "Sensitivity: predictions that materialized under every rule in the grid (shape: any incident)"
    fig.suptitle(title, x=0.01, ha="left", fontsize=10)
    fig.subplots_adjust(left=0.09, right=0.99, bottom=0.27, top=0.84, wspace=0.08)
    caption = (
        f"Cells: hits / predictions scored. {len(results.sensitivity)} rules in the full grid (also: shape = accused side, "
        f"claims' own time frames; see report/sensitivity.csv). {SOURCE_NOTE}"
    )
    _caption(fig, caption)
    data = table[["window_days", "geography", "min_evidence", "n", "hits", "ci_low", "ci_high"]].reset_index(drop=True)
    alt = f"Four heatmaps by evidence level of hits per window length and geography; the maximum is {int(table['hits'].max())} of {int(table['n'].max())}."
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
    """Write PNG, SVG and the plotted data; deterministic bytes, written atomically."""
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
