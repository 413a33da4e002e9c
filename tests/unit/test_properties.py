"""Monotonicity: loosening any one part of a rule never un-materializes a claim."""

from __future__ import annotations

from dataclasses import replace

from conftest import ledger_specs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.inputs.rules import EVIDENCE_ORDER, Rule
from analysis.method.match import prepare, verdicts

PROPERTY = settings(deadline=None, max_examples=30, suppress_health_check=[HealthCheck.too_slow])

base_rules = st.builds(
    Rule,
    window_days=st.integers(0, 60),
    geography=st.sampled_from(["radius", "district", "governorate", "anywhere"]),
    radius_km=st.sampled_from([1.0, 5.0, 10.0, 25.0, 50.0]),
    min_evidence=st.sampled_from(EVIDENCE_ORDER),
    shape=st.sampled_from(["accused_side", "any"]),
    stated_frame=st.sampled_from(["ignore", "replace"]),
    occurrence_lookback_days=st.integers(0, 7),
)


def _verdicts(prep, rule: Rule) -> dict[str, str]:
    table = verdicts(prep, rule, explain=False)
    return dict(zip(table["claim_id"], table["verdict"], strict=True))


def assert_never_fewer(prep, tight: Rule, loose: Rule) -> None:
    before, after = _verdicts(prep, tight), _verdicts(prep, loose)
    lost = {c for c, v in before.items() if v == "materialized" and after[c] != "materialized"}
    assert not lost, f"{sorted(lost)} materialized under {tight.rule_id} but not under {loose.rule_id}"
    # Loosening a rule never moves a claim into or out of scope or assessability.
    unscored = {"out_of_scope", "not_assessable"}
    assert {c: v for c, v in before.items() if v in unscored} == {c: v for c, v in after.items() if v in unscored}


@PROPERTY
@given(specs=ledger_specs(), rule=base_rules, extra=st.integers(1, 60))
def test_wider_window_never_fewer(load_synthetic, specs, rule, extra):
    prep = prepare(*load_synthetic(*specs))
    assert_never_fewer(prep, rule, replace(rule, window_days=rule.window_days + extra))
    assert_never_fewer(prep, rule, replace(rule, occurrence_lookback_days=rule.occurrence_lookback_days + extra))


@PROPERTY
@given(
    specs=ledger_specs(),
    rule=base_rules,
    radii=st.lists(
        st.sampled_from([0.5, 1.0, 5.0, 10.0, 25.0, 50.0, 100.0, 300.0]), min_size=2, max_size=2, unique=True
    ),
)
def test_wider_radius_never_fewer(load_synthetic, specs, rule, radii):
    prep = prepare(*load_synthetic(*specs))
    small, large = sorted(radii)
    assert_never_fewer(
        prep, replace(rule, geography="radius", radius_km=small), replace(rule, geography="radius", radius_km=large)
    )


@PROPERTY
@given(specs=ledger_specs(), rule=base_rules)
def test_coarser_geography_never_fewer(load_synthetic, specs, rule):
    prep = prepare(*load_synthetic(*specs))
    district, governorate, anywhere = (replace(rule, geography=g) for g in ("district", "governorate", "anywhere"))
    assert_never_fewer(prep, district, governorate)
    assert_never_fewer(prep, governorate, anywhere)
    assert_never_fewer(prep, replace(rule, geography="radius"), anywhere)


@PROPERTY
@given(specs=ledger_specs(), rule=base_rules)
def test_lower_evidence_bar_never_fewer(load_synthetic, specs, rule):
    prep = prepare(*load_synthetic(*specs))
    position = EVIDENCE_ORDER.index(rule.min_evidence)
    for weaker in EVIDENCE_ORDER[:position]:
        assert_never_fewer(prep, rule, replace(rule, min_evidence=weaker))


@PROPERTY
@given(specs=ledger_specs(), rule=base_rules)
def test_any_shape_never_fewer(load_synthetic, specs, rule):
    prep = prepare(*load_synthetic(*specs))
    assert_never_fewer(prep, replace(rule, shape="accused_side"), replace(rule, shape="any"))
