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
    data = figures.place_map_table(results)
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


def test_specification_curve_draws_every_rule_once_with_its_choices(results):
    fig = figures.specification_curve(results)
    data = fig.data
    assert len(data) == len(results.sensitivity) == results.key_numbers["dependence"]["spec_curve"]["rules"]
    assert data["rule_id"].is_unique and data["rank"].tolist() == list(range(1, len(data) + 1))
    # Fewest hits first, then the chance mean: the curve is monotone in its sort keys.
    keys = list(zip(data["hits"], data["null_mean_hits"], strict=True))
    assert keys == sorted(keys)
    merged = data.merge(results.sensitivity, on="rule_id", suffixes=("", "_grid"))
    for column, _ in figures.SPEC_CHOICES:
        assert (merged[column] == merged[f"{column}_grid"]).all()
    assert (merged["hits"] == merged["hits_grid"]).all()  # the curve's hits are the grid's hits
    joint = results.key_numbers["dependence"]["spec_curve"]
    assert f"{joint['observed_rules_with_hits']} of {joint['rules']} rules" in fig.caption
    assert f"P = {joint['p_at_most_observed']:.2f} for as few or fewer" in fig.caption
    # One row of the choice matrix per declared value, each marking exactly the rules that use it.
    assert len(fig.figure.axes[1].get_yticks()) == sum(
        results.sensitivity[c].nunique() for c, _ in figures.SPEC_CHOICES
    )


# --- the per-claim timeline: its table, then its drawing -------------------------------------------


def _timeline_inputs():
    import pandas as pd

    day = pd.Timestamp
    verdicts = pd.DataFrame(
        [
            # claim_id, scored_as, verdict, matched_incidents, window_start, window_end
            ("B", "occurrence", "materialized", "I1", "2040-03-07", "2040-03-10"),
            ("A", "prediction", "not_materialized", "", "2040-03-01", "2040-03-31"),
            ("C", "not_scored", "out_of_scope", "", "", ""),
            ("D", "prediction", "out_of_scope", "", "2040-03-02", "2040-04-01"),
            ("E", "prediction", "not_assessable", "", "2040-03-05", ""),
            ("F", "prediction", "not_materialized", "", "2041-01-01", "2041-01-31"),  # another campaign's
        ],
        columns=["claim_id", "scored_as", "verdict", "matched_incidents", "window_start", "window_end"],
    )
    claims = pd.DataFrame(
        {
            "claim_id": ["A", "B", "C", "D", "E"],
            "claimant_group": ["g1", "g2", "g1", "g1", "g2"],
            "date_earliest": [
                day("2040-03-01"),
                day("2040-03-10"),
                day("2040-03-02"),
                day("2040-03-02"),
                day("2040-03-05"),
            ],
            "date_latest": [day("2040-03-01"), day("2040-03-10"), day("2040-03-02"), day("2040-03-02"), pd.NaT],
        }
    )
    incidents = pd.DataFrame(
        {
            "incident_id": ["I1", "I2", "I3", "I4"],
            "date_earliest": [day("2040-03-08"), day("2039-01-01"), day("2040-03-20"), pd.NaT],
            "date_latest": [day("2040-03-08"), day("2039-01-02"), pd.NaT, pd.NaT],
            "date_precision": ["day", "day", "month", "unknown"],
            "evidence_level": ["confirmed", "credible_report", "disputed", "confirmed"],
        }
    )
    return verdicts, claims, incidents


def test_claim_timeline_table_keeps_scored_claims_of_the_campaign_in_date_order():
    verdicts, claims, incidents = _timeline_inputs()
    table = figures.claim_timeline_table(verdicts, claims, incidents, "2040-03-01", "2040-03-31")
    rows = table[table["kind"] == "claim"]
    # C is not scored, D out of scope, F not among the campaign's claims; earliest first.
    assert rows["id"].tolist() == ["A", "E", "B"]
    assert rows["row"].tolist() == [0, 1, 2]
    assert rows.set_index("id")["dated"].to_dict() == {"A": True, "E": False, "B": True}
    undated = rows.set_index("id").loc["E"]
    assert undated["window_start"] is not None and str(undated["window_end"]) == "NaT"


def test_claim_timeline_table_lists_the_incidents_of_the_span_with_the_claims_they_made_hits():
    verdicts, claims, incidents = _timeline_inputs()
    table = figures.claim_timeline_table(verdicts, claims, incidents, "2040-03-01", "2040-03-31")
    shown = table[table["kind"] == "incident"].set_index("id")
    # I2 lies a year before the span; I4 has no date to draw; I3 has no latest date but its earliest is inside.
    assert shown.index.tolist() == ["I1", "I3"]
    assert shown.loc["I1", "matched"] == "B" and shown.loc["I3", "matched"] == ""
    assert shown.loc["I1", "evidence_level"] == "confirmed"


def test_timeline_span_covers_the_period_and_every_window():
    import pandas as pd

    verdicts, claims, incidents = _timeline_inputs()
    table = figures.claim_timeline_table(verdicts, claims, incidents, "2040-03-05", "2040-03-06")
    low, high = figures.timeline_span(table[table["kind"] == "claim"], "2040-03-05", "2040-03-06")
    assert low == pd.Timestamp("2040-03-01") and high == pd.Timestamp("2040-03-31")
    with pytest.raises(ValueError, match="at least one date"):
        figures.timeline_span(table.iloc[0:0], pd.NaT, pd.NaT)


def test_nearby_incident_lines_share_one_label():
    import pandas as pd

    lines = pd.DataFrame(
        {"id": ["Z", "Y", "X"], "date_earliest": pd.to_datetime(["2040-01-02", "2040-01-01", "2040-03-01"])}
    )
    groups = figures.incident_label_groups(lines, pd.Timestamp("2040-01-01"), pd.Timestamp("2040-04-10"), 0.02)
    assert [label for _, label in groups] == ["Y +1", "X"]
    apart = figures.incident_label_groups(lines, pd.Timestamp("2040-01-01"), pd.Timestamp("2040-01-10"), 0.02)
    assert [label for _, label in apart] == ["Y", "Z", "X"]


def test_timeline_draws_one_row_per_claim_and_marks_the_undated():
    verdicts, claims, incidents = _timeline_inputs()
    table = figures.claim_timeline_table(verdicts, claims, incidents, "2040-03-01", "2040-03-31")
    fig, unit = figures.draw_claim_timeline(table, {"g1": "Group one"}, "2040-03-01", "2040-03-31")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A  Group one", "E  g2", "B  g2"]
    texts = [t.get_text() for t in ax.texts]
    assert texts.count(figures.UNDATED_LABEL) == 1
    assert "I1" in texts and "I3" in texts
    # The undated claim gets no bar: one bar each for A and B.
    assert len(ax.collections) == 2
    assert unit == "days"


def test_no_figure_repeats_its_title_inside_the_image(results):
    """The report prints each title as a heading; the image itself carries none."""
    from matplotlib.text import Text

    for make in figures.ALL_FIGURES:
        fig = make(results)
        texts = [t.get_text() for t in fig.figure.findobj(Text)]
        assert fig.title not in texts, fig.stem
        assert fig.figure._suptitle is None, fig.stem


def test_map_names_and_inset_title_are_not_cut(results):
    """Every place name lies inside the inset and the inset's title inside the image."""
    fig = figures.place_map(results)
    fig.figure.draw_without_rendering()
    inset = fig.figure.axes[1]
    frame = inset.get_window_extent()
    names = [t for t in inset.texts if type(t).__name__ == "Annotation"]
    assert names
    for name in names:
        box = name.get_window_extent()
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, name.get_text()
    title = inset.title.get_window_extent()
    image = fig.figure.bbox
    assert image.x0 <= title.x0 and title.x1 <= image.x1 and title.y1 <= image.y1
    # The most-named place that is drawn keeps its name (on the inset or the main map).
    drawn = fig.data[fig.data["drawn"].astype(bool)]
    most_named = drawn.sort_values(["claims", "name"], ascending=[False, True]).iloc[0]["name"]
    labels = [t.get_text() for ax in fig.figure.axes for t in ax.texts if type(t).__name__ == "Annotation"]
    assert most_named in labels


# --- the other figures' tables: what each draws and saves -----------------------------------------


def _small_results(**parts):
    """A stand-in for Results with only what a table function reads."""
    from types import SimpleNamespace

    return SimpleNamespace(**parts)


def test_timeline_context_table_counts_incidents_per_month_of_the_reference_period_by_evidence():
    import pandas as pd

    day = pd.Timestamp
    incidents = pd.DataFrame(
        {
            "date_earliest": [
                day("2040-01-31"),
                day("2040-01-01"),
                day("2040-03-15"),
                day("2039-12-31"),  # before the reference period: not counted
                pd.NaT,  # undated: not counted
            ],
            "evidence_level": ["confirmed", "confirmed", "disputed", "confirmed", "confirmed"],
        }
    )
    rules = _small_results(reference_from=day("2040-01-01"), reference_to=day("2040-04-30"))
    table = figures.timeline_context_table(_small_results(ledgers=_small_results(incidents=incidents), rules=rules))
    assert table.columns.tolist() == ["month", *EVIDENCE_ORDER[::-1]]
    assert table["month"].tolist() == ["2040-01", "2040-02", "2040-03", "2040-04"]  # empty months kept
    assert table["confirmed"].tolist() == [2, 0, 0, 0]
    assert table["disputed"].tolist() == [0, 0, 1, 0]
    assert int(table.drop(columns="month").to_numpy().sum()) == 3


def test_timeline_context_table_sums_to_the_ledgers_incidents_of_the_reference_period(results):
    table = figures.timeline_context_table(results)
    incidents = results.ledgers.incidents
    month = incidents["date_earliest"].dt.to_period("M").dt.to_timestamp()
    inside = month.between(results.rules.reference_from, results.rules.reference_to)
    assert int(table.drop(columns="month").to_numpy().sum()) == int(inside.sum()) > 0
    assert table["month"].is_unique and table["month"].tolist() == sorted(table["month"])
    for level in EVIDENCE_ORDER:
        assert table[level].sum() == (incidents.loc[inside, "evidence_level"] == level).sum()


def test_claims_by_group_and_type_table_counts_each_claim_once_in_declared_order():
    import pandas as pd

    claims = pd.DataFrame(
        {
            "claimant_group": ["b", "b", "a", "b"],
            "claim_type": ["other", "imminent_attack", "imminent_attack", "imminent_attack"],
        }
    )
    campaign = {"campaign": {"claimant_groups": {"a": "Group A", "c": "Group C", "b": "Group B"}}}
    table = figures.claims_by_group_and_type_table(
        _small_results(ledgers=_small_results(claims=claims), key_numbers=campaign)
    )
    assert table.columns.tolist() == ["claimant_group", "claim_type", "claims"]
    # Types in the fixed order among those present; groups in the declared order, a silent one kept at 0.
    assert list(zip(table["claim_type"], table["claimant_group"], table["claims"], strict=True)) == [
        ("imminent_attack", "a", 1),
        ("imminent_attack", "c", 0),
        ("imminent_attack", "b", 2),
        ("other", "a", 0),
        ("other", "c", 0),
        ("other", "b", 1),
    ]


def test_claims_by_group_and_type_table_sums_to_the_ledgers_claims(results):
    table = figures.claims_by_group_and_type_table(results)
    claims = results.ledgers.claims
    assert table["claims"].sum() == len(claims)
    assert len(table) == len(figures.group_names(results)) * claims["claim_type"].nunique()
    by_type = table.groupby("claim_type")["claims"].sum()
    assert by_type.to_dict() == claims["claim_type"].value_counts().to_dict()


def test_place_map_table_counts_every_place_mention_once(results):
    table = figures.place_map_table(results)
    ledgers = results.ledgers
    assert table["place_id"].is_unique and table["place_id"].tolist() == sorted(table["place_id"])
    assert table["claims"].sum() == ledgers.claims["place_list"].map(len).sum()
    assert table["incidents"].sum() == ledgers.incidents["place_list"].map(len).sum()
    named = set().union(*ledgers.claims["place_list"], *ledgers.incidents["place_list"])
    assert set(table["place_id"]) == named
    levels = ledgers.incidents.set_index("incident_id")["evidence_level"]
    for _, row in table[table["incidents"] > 0].iterrows():
        strongest = max(EVIDENCE_ORDER.index(levels[i]) for i in row["incident_ids"].split(";"))
        assert row["strongest_evidence"] == EVIDENCE_ORDER[strongest]
    assert (table.loc[table["incidents"] == 0, "strongest_evidence"] == "").all()


def _null_inputs(p0: dict[str, float], hits: int):
    import pandas as pd

    primary = pd.DataFrame(
        {
            "claim_id": [*p0, "X"],
            "scored_as": ["prediction"] * len(p0) + ["occurrence"],
            "verdict": ["materialized"] * hits + ["not_materialized"] * (len(p0) - hits) + ["materialized"],
        }
    )
    return _small_results(primary=primary, p0=pd.Series({**p0, "X": 0.9}), key_numbers={"hits": hits})


def test_hits_versus_null_table_is_the_poisson_binomial_of_the_scored_predictions():
    table = figures.hits_versus_null_table(_null_inputs({"A": 0.5, "B": 0.5}, hits=1))
    assert table.columns.tolist() == ["hits", "probability_by_chance", "observed"]
    assert table["hits"].tolist() == [0, 1, 2]  # the occurrence X is not a prediction: at most 2 hits
    assert np.allclose(table["probability_by_chance"], [0.25, 0.5, 0.25])
    assert table["observed"].tolist() == [False, True, False]


def test_hits_versus_null_table_always_shows_the_observed_count():
    # Chance gives no hit at all; the two observed hits must still have their (zero) bar.
    table = figures.hits_versus_null_table(_null_inputs({"A": 0.0, "B": 0.0}, hits=2))
    assert table["hits"].tolist() == [0, 1, 2]
    assert np.allclose(table["probability_by_chance"], [1.0, 0.0, 0.0])
    assert table.loc[table["observed"], "hits"].tolist() == [2]


def test_sensitivity_table_keeps_the_grid_rules_without_own_frames_and_any_shape_in_order():
    import pandas as pd

    grid = pd.DataFrame(
        {
            "window_days": [30, 30, 60, 30, 60],
            "geography": ["district", "district", "radius", "radius", "district"],
            "min_evidence": ["confirmed"] * 5,
            "shape": ["any", "accused_side", "any", "any", "any"],
            "stated_frame": ["ignore", "ignore", "ignore", "use", "ignore"],
            "n": [10, 10, 10, 10, 10],
            "hits": [1, 0, 2, 3, 4],
            "ci_low": [0.0] * 5,
            "ci_high": [0.5] * 5,
            "matched_incidents": ["I1", "", "I1;I2", "I3", "I4"],
            "rule_id": ["r1", "r2", "r3", "r4", "r5"],
        },
        index=[7, 8, 9, 10, 11],
    )
    table = figures.sensitivity_table(_small_results(sensitivity=grid))
    assert table.columns.tolist() == [
        "window_days",
        "geography",
        "min_evidence",
        "n",
        "hits",
        "ci_low",
        "ci_high",
        "matched_incidents",
    ]
    assert table.index.tolist() == [0, 1, 2]
    assert table["hits"].tolist() == [1, 2, 4]


def test_each_figure_saves_the_table_it_draws(results):
    for make, table in [
        (figures.timeline_context, figures.timeline_context_table),
        (figures.claims_by_group_and_type, figures.claims_by_group_and_type_table),
        (figures.place_map, figures.place_map_table),
        (figures.hits_versus_null, figures.hits_versus_null_table),
        (figures.sensitivity_heatmap, figures.sensitivity_table),
    ]:
        assert make(results).data.equals(table(results)), make.__name__


def test_figure_tables_add_up_on_the_benchmarks_synthetic_ledgers():
    """The same builder the matching benchmark uses (benchmarks/synthetic.py): thousands of claims
    and incidents naming 1-3 places each, some places without coordinates."""
    import pandas as pd
    import synthetic

    ledgers = synthetic.synthetic_ledgers(2_000, 1_500, n_places=300, seed=4)
    groups = {g: g for g in ["rcross", "other_russian_gov", "russian_state_media", "syrian_gov", "unused"]}
    rules = _small_results(reference_from=pd.Timestamp("2017-01-01"), reference_to=pd.Timestamp("2019-12-31"))
    stand_in = _small_results(ledgers=ledgers, rules=rules, key_numbers={"campaign": {"claimant_groups": groups}})

    places = figures.place_map_table(stand_in)
    assert places["claims"].sum() == ledgers.claims["place_list"].map(len).sum()
    assert places["incidents"].sum() == ledgers.incidents["place_list"].map(len).sum()
    assert places["place_id"].is_unique and places["place_id"].tolist() == sorted(places["place_id"])
    assert not places["drawn"][places["latitude"].isna()].any()

    by_group = figures.claims_by_group_and_type_table(stand_in)
    assert by_group["claims"].sum() == len(ledgers.claims)
    assert by_group.loc[by_group["claimant_group"] == "unused", "claims"].eq(0).all()

    months = figures.timeline_context_table(stand_in)
    assert len(months) == 36  # 2017-2019, month by month
    assert (
        int(months.drop(columns="month").to_numpy().sum())
        == ledgers.incidents["date_earliest"].between("2017-01-01", "2019-12-31").sum()
    )
