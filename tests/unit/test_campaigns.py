"""Results per declared campaign: scope, region, reference period, offensive phase, the
phase-matched self-controlled comparison, reactive statements beyond the scored claims, and the
report's per-campaign section."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from analysis.inputs import paths
from analysis.inputs.campaign import Campaign, Declaration, offensive_problems, offensive_span
from analysis.inputs.declared import load_method
from analysis.method import campaigns
from analysis.method.match import prepare
from analysis.method.stats import day_number
from analysis.method.stories import reactive
from analysis.outputs import wording

FAR = ({"place_ids": "h", "date": "2031-06-01"},)  # an incident far from every test claim
PLACES = [
    dict(place_id="a", governorate="Idlib", latitude=35.9, longitude=36.6),
    dict(place_id="h", governorate="Hama", latitude=35.3, longitude=36.6),
]


@pytest.fixture(scope="module")
def shipped_key() -> dict:
    """The committed key numbers (the build that wrote them is checked by tests/end_to_end/test_build.py)."""
    import json

    return json.loads((paths.tables_dir(paths.ROOT) / paths.KEY_NUMBERS_FILE).read_text(encoding="utf-8"))


def _campaign(**kw) -> Campaign:
    base = dict(
        id="c1",
        title="T",
        period_from=pd.Timestamp("2030-01-01"),
        period_to=pd.Timestamp("2030-03-31"),
        region="r",
        region_level="governorate",
        region_areas=("Idlib",),
        country="X",
        claimants="",
        subject="",
        incident_coverage="",
    )
    return Campaign(**(base | kw))


def _offensives(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["offensive_id", "region", "start", "end", "end_precision"]).astype("string")


# --- scope ---------------------------------------------------------------------------------------------


def test_campaign_rules_take_the_declared_period_and_reference(load_synthetic):
    _, rules = load_synthetic([dict(place_ids="a")], FAR, PLACES)
    method = load_method(rules)
    own = campaigns.campaign_rules(rules, replace(method, campaign_overrides=()), _campaign())
    assert (own.scope.date_from, own.scope.date_to) == (pd.Timestamp("2030-01-01"), pd.Timestamp("2030-03-31"))
    assert (own.reference_from, own.reference_to) == (own.scope.date_from, own.scope.date_to)
    kept = campaigns.campaign_rules(
        rules, replace(method, campaign_overrides=(("c1", "none", "null_model"),)), _campaign()
    )
    assert (kept.reference_from, kept.reference_to) == (rules.reference_from, rules.reference_to)
    assert kept.scope.claimant_groups == rules.scope.claimant_groups


def test_region_filter_keeps_claims_naming_a_place_in_the_region(load_synthetic):
    ledgers, rules = load_synthetic([dict(place_ids="a"), dict(place_ids="h"), dict(place_ids="a;h")], FAR, PLACES)
    prep = prepare(ledgers, rules)
    assert campaigns.in_region(prep, _campaign(), "campaign").tolist() == [True, False, True]
    assert campaigns.in_region(prep, _campaign(), "none").all()
    assert campaigns.in_region(prep, _campaign(region_areas=()), "campaign").all()
    narrowed = campaigns.narrowed(prep, np.array([True, False, True]))
    assert not narrowed.claims["in_scope"].iloc[1] and not narrowed.claims["assessable"].iloc[1]
    assert prep.claims["in_scope"].iloc[1]  # the original is untouched


def test_plan_defaults_and_overrides(load_synthetic):
    _, rules = load_synthetic([dict(place_ids="a")], FAR, PLACES)
    method = load_method(rules)
    assert method.campaign_plan("any-other-id") == (method.campaign_region, method.campaign_reference)
    for cid, region, reference in method.campaign_overrides:
        assert method.campaign_plan(cid) == (region, reference)


def test_bad_campaign_setting_names_the_section(tmp_path, load_synthetic):
    from analysis.inputs.load import DataError

    _, rules = load_synthetic([dict(place_ids="a")], FAR, PLACES)
    text = rules.source.read_text(encoding="utf-8").replace('reference = "campaign"', 'reference = "everything"', 1)
    bad = tmp_path / "rules.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"\[campaigns\] reference 'everything'"):
        load_method(replace(rules, source=bad))


# --- offensives and phases ---------------------------------------------------------------------------


def test_offensive_span_reads_month_precision_and_skips_unknown_ends():
    spans = offensive_span(
        _offensives(
            [
                ["O1", "Idlib;Hama", "2030-01", "2030-02", "month"],
                ["O2", "Idlib", "2030-03-05", None, "unknown"],
            ]
        ).assign(end_precision=lambda f: f["end_precision"])
    )
    assert spans.loc[0, "first"] == pd.Timestamp("2030-01-01")
    assert spans.loc[0, "last"] == pd.Timestamp("2030-02-28")
    assert spans.loc[0, "areas"] == frozenset({"Idlib", "Hama"})
    assert pd.isna(spans.loc[1, "last"])
    phases = campaigns.phase_table(_offensives([["O2", "Idlib", "2030-03-05", None, "unknown"]]))
    assert phases.empty


def test_phase_of_is_the_set_of_offensives_covering_a_named_governorate():
    phases = campaigns.phase_table(
        _offensives(
            [
                ["O1", "Idlib", "2030-01-10", "2030-01-20", "day"],
                ["O2", "Hama;Idlib", "2030-01-15", "2030-02-01", "day"],
            ]
        )
    )
    day = day_number(pd.Timestamp("2030-01-16"))
    assert campaigns.phase_of(phases, frozenset({"Idlib"}), day) == {"O1", "O2"}
    assert campaigns.phase_of(phases, frozenset({"Hama"}), day) == {"O2"}
    assert campaigns.phase_of(phases, frozenset({"Latakia"}), day) == frozenset()
    assert campaigns.phase_of(phases, frozenset({"Idlib"}), day_number(pd.Timestamp("2030-01-09"))) == frozenset()
    assert campaigns.phase_of(phases, frozenset({"Idlib"}), day_number(pd.Timestamp("2030-01-20"))) == {"O1", "O2"}


def test_named_campaign_must_span_its_offensives():
    offensives = _offensives([["O1", "Idlib", "2030-01-01", "2030-03", "month"]])
    good = Declaration((_campaign(offensives=("O1",)),), None)
    assert offensive_problems(good, offensives) == []
    wrong_end = Declaration((_campaign(offensives=("O1",), period_to=pd.Timestamp("2030-03-30")),), None)
    assert "is not its offensives' span" in offensive_problems(wrong_end, offensives)[0]
    wrong_region = Declaration((_campaign(offensives=("O1",), region_areas=("Hama",)),), None)
    assert "governorates" in offensive_problems(wrong_region, offensives)[0]
    missing = Declaration((_campaign(offensives=("O9",)),), None)
    assert "O9" in offensive_problems(missing, offensives)[0]
    assert "O1" in offensive_problems(good, None)[0]
    assert offensive_problems(Declaration((_campaign(),), None), None) == []


# --- the test inside the same phase ------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.01, 0.99), min_size=1, max_size=7), st.data())
def test_poisson_binomial_two_sided_brute_force(p, data):
    observed = data.draw(st.integers(0, len(p)))
    pmf = np.zeros(len(p) + 1)
    for outcome in itertools.product([0, 1], repeat=len(p)):
        pmf[sum(outcome)] += np.prod([q if o else 1 - q for q, o in zip(p, outcome, strict=True)])
    expected = pmf[pmf <= pmf[observed] * (1 + 1e-7)].sum()
    assert campaigns.poisson_binomial_two_sided(np.array(p), observed) == pytest.approx(min(1.0, expected))


@pytest.mark.parametrize(("k", "n"), [(0, 5), (3, 5), (7, 9), (1, 1)])
def test_equal_shares_reduce_to_the_binomial_test(k, n):
    assert campaigns.poisson_binomial_two_sided(np.full(n, 0.5), k) == pytest.approx(sps.binomtest(k, n, 0.5).pvalue)


def _series(rows, columns):
    return pd.DataFrame(rows, columns=columns)


def test_phase_comparison_without_offensives_is_the_plain_comparison():
    d0 = day_number(pd.Timestamp("2030-06-01"))
    warnings = _series([["S1", d0, frozenset({"Idlib"})]], ["story_id", "first", "governorates"])
    attacks = _series(
        [
            [d0 - 3, frozenset({"Idlib"})],
            [d0, frozenset({"Idlib"})],
            [d0 + 5, frozenset({"Idlib"})],
            [d0 + 5, frozenset({"Hama"})],
            [d0 + 30, frozenset({"Idlib"})],
        ],
        ["first", "governorates"],
    )
    out = campaigns.self_control_by_phase(warnings, attacks, 10, campaigns.phase_table(None))
    assert (out["after"], out["before"], out["stories_compared"]) == (2, 1, 1)
    assert out["expected_after"] == pytest.approx(1.5)
    assert out["p_two_sided"] == pytest.approx(sps.binomtest(2, 3, 0.5).pvalue)


def test_phase_comparison_cuts_windows_at_an_offensive_start():
    d0 = day_number(pd.Timestamp("2030-06-11"))  # the offensive starts 2030-06-08: 3 days before the warning
    phases = campaigns.phase_table(_offensives([["O1", "Idlib", "2030-06-08", "2030-12-31", "day"]]))
    warnings = _series([["S1", d0, frozenset({"Idlib"})]], ["story_id", "first", "governorates"])
    attacks = _series(
        [[d0 - 5, frozenset({"Idlib"})], [d0 - 2, frozenset({"Idlib"})], [d0 + 1, frozenset({"Idlib"})]],
        ["first", "governorates"],
    )
    out = campaigns.self_control_by_phase(warnings, attacks, 10, phases)
    # Before: only the 3 days inside the offensive count (the attack 5 days before is outside it).
    assert (out["after"], out["before"]) == (1, 1)
    assert out["expected_after"] == pytest.approx(2 * 10 / 13)


def test_story_without_a_same_phase_window_is_counted_not_tested():
    d0 = day_number(pd.Timestamp("2030-06-08"))  # the warning falls on the offensive's first day
    phases = campaigns.phase_table(_offensives([["O1", "Idlib", "2030-06-08", "2030-12-31", "day"]]))
    warnings = _series([["S1", d0, frozenset({"Idlib"})]], ["story_id", "first", "governorates"])
    attacks = _series([[d0 + 1, frozenset({"Idlib"})]], ["first", "governorates"])
    out = campaigns.self_control_by_phase(warnings, attacks, 10, phases)
    assert out == {
        "stories_compared": 0,
        "stories_without_comparison": 1,
        "after": 0,
        "before": 0,
        "expected_after": 0.0,
        "p_two_sided": None,
    }


# --- reactive statements, every row ------------------------------------------------------------------


def test_reactive_flag_covers_every_row_not_only_scored_ones(load_synthetic):
    incident = dict(place_ids="a", date="2030-05-01", evidence_level="credible_report")
    # Every date lies outside the declared [scope] period: none of these rows is a scored claim.
    ledgers, rules = load_synthetic(
        [
            dict(place_ids="a", date_made="2030-05-05", claim_type="other"),  # not a prediction
            dict(place_ids="a", date_made="2030-05-05", claim_type="attack_occurred"),  # a report, not a prediction
            dict(place_ids="a", date_made="2030-05-01"),  # same day: lookback includes day 0
            dict(place_ids="a", date_made="2030-05-16"),  # 15 days after: beyond a 14-day lookback
            dict(place_ids="a", date_made="2030-04-30"),  # before the incident
            dict(place_ids="h", date_made="2030-05-05"),  # another governorate
            dict(
                place_ids="a", date_made=None, date_precision="approximate", date_latest="2030-05-05"
            ),  # no first date
        ],
        [incident],
        PLACES,
    )
    flags = reactive(prepare(ledgers, rules), 14, "credible_report")
    assert flags.tolist() == [True, True, True, False, False, False, False]
    assert reactive(prepare(ledgers, rules), 15, "credible_report").iloc[3]
    assert not reactive(prepare(ledgers, rules), 14, "confirmed").any()


# --- one campaign end to end ----------------------------------------------------------------------------


def test_campaign_without_scored_claims_reports_none(load_synthetic):
    ledgers, rules = load_synthetic([dict(place_ids="h", date_made="2030-02-01")], FAR, PLACES)
    method = load_method(rules)
    prep = prepare(ledgers, rules)
    story = pd.Series(["S1"], index=["C01"])
    out = campaigns.campaign_result(
        ledgers, rules, method, _campaign(), story, reactive(prep, 14, "credible_report"), campaigns.phase_table(None)
    )
    assert (out["claims_in_period"], out["claims"], out["scored_rows"]) == (1, 0, 0)
    assert out["primary"] is None and out["association"] is None
    assert "no claim in its scope" in wording.campaign_paragraph(out, 30, 0.05)


def test_shipped_first_campaign_reproduces_the_headline(shipped_key):
    first = shipped_key["by_campaign"][0]
    dep = shipped_key["dependence"]
    assert first["primary"]["rows"]["hits"] == shipped_key["hits"]
    assert first["primary"]["rows"]["n"] == shipped_key["claims_assessable"]
    assert first["primary"]["stories"] == dep["primary"]["stories"]
    assert first["primary"]["shift_rows"] == dep["primary"]["shift_rows"]
    gov = first["association"]["by_attribution"]["government"]
    assert (
        gov["primary"]["trigger_after"]
        == dep["association"]["by_attribution"]["government"]["primary"]["trigger_after"]
    )


def test_report_table_quotes_the_key_numbers(shipped_key):
    from analysis.outputs import report

    text = report.environment().get_template("_campaigns.md.j2").render(k=shipped_key)
    for c in shipped_key["by_campaign"]:
        row = next(line for line in text.splitlines() if line.startswith(f"| {c['id']} |"))
        assert f"{c['claims']} ({c['reactive_rows']})" in row
        if c["primary"]:
            assert f"{c['primary']['rows']['hits']} of {c['primary']['rows']['n']}" in row
            assert f"{c['primary']['stories']['hits']} of {c['primary']['stories']['n']}" in row
        assert wording.campaign_paragraph(c, shipped_key["dependence"]["method"]["primary_delta_days"], 0.05) in text


# --- wording -------------------------------------------------------------------------------------------


def _gov(hits, n, surrogate, p, critical, detectable):
    return {
        "primary": {
            "trigger_after": {"hits": hits, "n": n, "surrogate_mean_rate": surrogate, "p_surrogate_at_least": p}
        },
        "power": {"n": n, "critical_hits": critical, "detectable_rate": detectable, "power": 0.8},
    }


def test_lacks_power_exactly_when_no_outcome_is_significant():
    assert "lacks power" in wording.campaign_association_sentence(_gov(2, 2, 0.7, 0.7, None, None), 30, 0.05)
    powered = wording.campaign_association_sentence(_gov(0, 7, 0.07, 1.0, 3, 0.52), 30, 0.05)
    assert "lacks power" not in powered and "52.0% or more" in powered and "not significantly" in powered
    significant = wording.campaign_association_sentence(_gov(5, 7, 0.07, 0.001, 3, 0.52), 30, 0.05)
    assert "more often than in the surrogates" in significant and "not significantly" not in significant
    assert "1 of 1 warning story was" in wording.campaign_association_sentence(_gov(1, 1, 0.1, 0.1, 1, 0.8), 30, 0.05)


def test_chance_cell_names_the_tail_the_count_lies_in():
    null = {"expected_hits": 1.5, "p_zero_hits": 0.2, "p_at_most_observed": 0.4, "p_at_least_observed": 0.03}
    assert wording.chance_cell(null | {"observed_hits": 0}) == "1.5 expected, P(0) = 0.20"
    assert wording.chance_cell(null | {"observed_hits": 4}) == "1.5 expected, P(≥ 4) = 0.03"
    assert wording.chance_cell(null | {"observed_hits": 1}) == "1.5 expected, P(≤ 1) = 0.40"
    assert wording.chance_cell(null | {"expected_hits": None, "observed_hits": 0}) == "n/a"


def test_phase_sentence_for_every_outcome():
    base = {"stories_compared": 1, "stories_without_comparison": 0, "expected_after": 0.0, "p_two_sided": None}
    assert wording.campaign_phase_sentence(None) == ""
    assert wording.campaign_phase_sentence(base | {"after": 0, "before": 0}).startswith("No government")
    text = wording.campaign_phase_sentence(base | {"after": 1, "before": 2, "expected_after": 1.5, "p_two_sided": 1.0})
    assert "1 attack fell" in text and "and 2 before" in text and "P = 1.00" in text
    skipped = wording.campaign_phase_sentence(base | {"after": 0, "before": 0, "stories_without_comparison": 2})
    assert "2 stories had no window" in skipped


def test_observed_trigger_rate_uses_the_real_calendar_not_the_wrapped_one(load_synthetic):
    """A short reference period (one offensive): the warning window runs past its end. The attack
    that really follows counts; the attack the wrap-around would bring in from the start does not."""
    from analysis.method import association
    from analysis.method.stories import reviewed_stories

    ledgers, rules = load_synthetic(
        [dict(place_ids="a", date_made="2030-03-25")],
        [
            dict(place_ids="a", date="2030-01-03", perpetrator_side="government"),  # the wrap would reach it
            dict(place_ids="h", date="2030-04-10", perpetrator_side="government"),  # after the period, elsewhere
        ],
        PLACES,
    )
    rules = replace(
        rules,
        reference_from=pd.Timestamp("2030-01-01"),
        reference_to=pd.Timestamp("2030-03-31"),
        scope=replace(rules.scope, date_from=pd.Timestamp("2030-01-01"), date_to=pd.Timestamp("2030-03-31")),
    )
    method = load_method(rules)
    prep = prepare(ledgers, rules)
    predictions = prep.claims["is_prediction"].to_numpy() & prep.claims["assessable"].to_numpy()
    story = reviewed_stories(ledgers.claims)
    by_delta = {
        r["delta_days"]: r
        for r in association.association(prep, rules, method, predictions, story)["by_attribution"]["government"][
            "by_delta"
        ]
    }
    # 25 Mar + 14 days ends 8 Apr: wrapped, it would reach 3 Jan; really, nothing follows in Idlib.
    assert by_delta[14]["trigger_after"]["hits"] == 0
    ledgers2, _ = load_synthetic(
        [dict(place_ids="a", date_made="2030-03-25")],
        [dict(place_ids="a", date="2030-04-05", perpetrator_side="government")],  # really follows, after the period
        PLACES,
    )
    prep2 = prepare(ledgers2, rules)
    result = association.association(prep2, rules, method, predictions, reviewed_stories(ledgers2.claims))
    row = next(r for r in result["by_attribution"]["government"]["by_delta"] if r["delta_days"] == 14)
    assert row["trigger_after"]["hits"] == 1
    # The surrogates see only the reference period's attacks (none): every shift but the observed one gives 0.
    offsets = result["offsets"]
    assert row["trigger_after"]["p_surrogate_at_least"] == pytest.approx(1 / offsets)
    assert row["trigger_after"]["surrogate_mean_rate"] == pytest.approx(1 / offsets)
