"""Figures draw what their data files say: the map's boundaries are sourced and match the gazetteer,
places are sized by claims, the chance distribution is the Poisson-binomial with the observed count
marked, and the sensitivity view keeps only panels that carry information."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.inputs import paths
from analysis.inputs.rules import EVIDENCE_ORDER
from analysis.method.stats import poisson_binomial_pmf
from analysis.outputs import figures
from analysis.pipeline import session


@pytest.fixture(scope="module")
def results():
    return session.results()


def test_boundaries_are_sourced_closed_rings_inside_syria():
    folder = paths.DEFAULT_DATA_DIR / "boundaries"
    source = (folder / "SOURCE.md").read_text(encoding="utf-8")
    assert "Natural Earth" in source and "public domain" in source
    outlines = figures.boundaries(paths.DEFAULT_DATA_DIR)
    assert len([o for o in outlines if o["name"]]) == 14  # Syria's 14 governorates
    for outline in outlines:
        for ring in outline["rings"]:
            assert len(ring) >= 4 and np.allclose(ring[0], ring[-1]), outline["name"]
            assert ((35.5 < ring[:, 0]) & (ring[:, 0] < 42.5) & (32.2 < ring[:, 1]) & (ring[:, 1] < 37.5)).all()


def test_every_gazetteer_governorate_has_an_outline(results):
    names = {o["name"] for o in figures.boundaries(paths.DEFAULT_DATA_DIR)}
    governorates = set(results.ledgers.places["governorate"].dropna())
    assert governorates <= names, governorates - names


def test_located_places_lie_in_their_governorate(results):
    """A check on the gazetteer and the outlines together (point in polygon, ray casting)."""
    from matplotlib.path import Path as MplPath

    outlines = {o["name"]: o["rings"] for o in figures.boundaries(paths.DEFAULT_DATA_DIR)}
    data = figures._map_rows(results)
    wrong = []
    for _, p in data[data["drawn"]].iterrows():
        rings = outlines[p["governorate"]]
        if not any(MplPath(r).contains_point((p["longitude"], p["latitude"]), radius=0.02) for r in rings):
            wrong.append(p["name"])
    # Natural Earth's simplified lines may put a border town on the wrong side; no more than that.
    assert len(wrong) <= 2, wrong


def test_map_sizes_places_by_the_claims_naming_them(results):
    fig = figures.place_map(results)
    claims = results.ledgers.claims
    for _, row in fig.data.iterrows():
        naming = claims[claims["place_list"].map(lambda ids, pid=row["place_id"]: pid in ids)]
        assert row["claims"] == len(naming)
        assert row["claim_ids"] == ";".join(naming["claim_id"])
    drawn = fig.data[fig.data["drawn"]]
    assert drawn["latitude"].notna().all() and drawn["longitude"].notna().all()
    not_drawn = fig.data[~fig.data["drawn"] & ~fig.data["place_type"].isin(["governorate", "region"])]
    assert f"{len(not_drawn)} named places have no sourced coordinates" in fig.caption
    assert "DMZ" not in fig.caption and "demilitarised" not in fig.caption.lower()  # no invented outline


def test_chance_distribution_is_the_poisson_binomial_with_the_observed_count(results):
    fig = figures.hits_versus_null(results)
    scored = results.primary[
        (results.primary["scored_as"] == "prediction")
        & results.primary["verdict"].isin(["materialized", "not_materialized"])
    ]["claim_id"]
    pmf = poisson_binomial_pmf(results.p0.reindex(scored).dropna().to_numpy())
    assert np.allclose(fig.data["probability_by_chance"], pmf[: len(fig.data)])
    assert fig.data.loc[fig.data["observed"], "hits"].tolist() == [results.key_numbers["hits"]]
    assert fig.data["probability_by_chance"].sum() > 0.999


def test_sensitivity_keeps_only_panels_with_hits_and_names_the_incidents(results):
    fig = figures.sensitivity_heatmap(results)
    table = fig.data
    with_hits = [e for e in EVIDENCE_ORDER if table.loc[table["min_evidence"] == e, "hits"].sum() > 0]
    panels = [ax.get_title() for ax in fig.figure.axes]
    assert len(panels) == max(1, len(with_hits))
    for level in with_hits:
        assert any(level.replace("_", " ") in p for p in panels)
    for incident in results.key_numbers["sensitivity"]["incidents_matched_by_any_rule"]:
        assert incident in fig.alt


def test_saved_metadata_has_no_text_cut(results, tmp_path):
    fig = figures.hits_versus_null(results)
    figures.save_figure(fig, tmp_path)
    meta = json.loads((tmp_path / "figures" / "data" / f"{fig.stem}.json").read_text(encoding="utf-8"))
    assert meta["caption"] == fig.caption and not meta["caption"].endswith("…")
