"""Every generated sentence, for every outcome it can state: zero, one, many; singular, plural."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.inputs.rules import EVIDENCE_ORDER
from analysis.outputs import wording

BAD = ("None", "nan", "(s)", "{", "}")


def clean(text: str) -> str:
    for bad in BAD:
        assert bad not in text, (bad, text)
    return text


@pytest.mark.parametrize(("n", "expected"), [(0, "0 claims"), (1, "1 claim"), (2, "2 claims"), (21, "21 claims")])
def test_plural(n, expected):
    assert wording.plural(n, "claim") == expected


def test_join_words():
    assert wording.join_words([]) == ""
    assert wording.join_words(["A"]) == "A"
    assert wording.join_words(["A", "B"]) == "A and B"
    assert wording.join_words(["A", "B", "C"]) == "A, B and C"


@pytest.mark.parametrize(
    ("start", "end", "span", "between"),
    [
        ("2018-08-01", "2018-11-30", "August–November 2018", "between August and November 2018"),
        ("2019-05-01", "2019-05-31", "May 2019", "in May 2019"),
        ("2019-12-10", "2020-03-02", "December 2019–March 2020", "between December 2019 and March 2020"),
    ],
)
def test_periods(start, end, span, between):
    assert wording.period_span(start, end) == span
    assert wording.period_between(start, end) == between


def test_periods_unknown():
    assert wording.period_span(pd.NaT, pd.NaT) == "undated"
    assert clean(wording.period_between(None, None)) == "at unknown dates"


def campaign(declared=True, **kw):
    base = {
        "declared": declared,
        "title": "T" if declared else "",
        "period_from": "2019-05-01",
        "period_to": "2019-07-31",
        "claimants": "X officials" if declared else "",
        "subject": "someone planned something" if declared else "",
    }
    return base | kw


def test_report_title_and_ledger_sentence_without_declaration():
    assert wording.report_title(campaign()) == "T"
    undeclared = campaign(declared=False)
    assert wording.report_title(undeclared) == "Claims of staged chemical attacks in the ledger, May–July 2019"
    text = clean(wording.ledger_sentence(1, undeclared))
    assert text.startswith("We recorded **1 distinct accusation** between May and July 2019.")
    assert "declares no campaign" in text
    assert "made by X officials" in wording.ledger_sentence(2, campaign())


@pytest.mark.parametrize(
    ("in_scope", "assessable", "expected"),
    [
        (0, 0, "No claim among them is a *prediction* in scope, so no prediction is scored."),
        (1, 1, "1 of them is a *prediction* in scope; it is dated well enough to score."),
        (1, 0, "1 of them is a *prediction* in scope; 0 are dated well enough to score."),
        (34, 32, "34 of them are *predictions* in scope; 32 are dated well enough to score."),
        (3, 3, "3 of them are *predictions* in scope; all 3 are dated well enough to score."),
        (3, 1, "3 of them are *predictions* in scope; 1 is dated well enough to score."),
    ],
)
def test_scored_sentence(in_scope, assessable, expected):
    assert wording.scored_sentence(in_scope, assessable) == expected


def test_chance_sentence_looks_at_the_tail_the_count_is_in():
    assert wording.chance_sentence(0, 1.8, 0.1532, 1.0) == "the probability of seeing no hits is 0.15"
    assert wording.chance_sentence(1, 1.8, 0.5, 0.8) == "the probability of seeing 1 hit or fewer is 0.50"
    assert wording.chance_sentence(3, 0.4, 1.0, 0.002) == "the probability of seeing 3 hits or more is below 0.01"
    assert wording.chance_sentence(2, 0.4, 1.0, 0.06) == "the probability of seeing 2 hits or more is 0.06"


def test_then_leaves_out_empty_sentences():
    assert wording.then("A.", "B.") == "A.\n  B."
    assert wording.then("A.", "") == "A."
    assert wording.then("", "B.", "\n") == "B."


def test_in_period_sentence_never_calls_a_list_the_only_one():
    assert (
        wording.in_period_sentence([], [], "the north")
        == "During the claims period, the ledger holds no incident in the north."
    )
    one = wording.in_period_sentence(["I1"], ["disputed"], "the north")
    assert one == "During the claims period, the ledger's only incident in the north is I1 (evidence: disputed)."
    many = wording.in_period_sentence(["I1", "I2"], ["confirmed", "credible_report"], "")
    assert "only" not in many and many.startswith("During the claims period, the ledger holds 2 incidents:")
    assert "I2 (evidence: credible report)" in many


def test_region_total_sentence():
    assert wording.region_total_sentence(3, 10, "the north") == "3 are in the north."
    assert wording.region_total_sentence(1, 10, "the north") == "1 is in the north."
    assert wording.region_total_sentence(10, 10, "the north") == "All 10 incidents are in the north."
    assert wording.region_total_sentence(1, 1, "the north") == "It is in the north."
    assert wording.region_total_sentence(1, 1, "") == ""


@pytest.mark.parametrize("primary", EVIDENCE_ORDER)
@pytest.mark.parametrize("strictest", [None, *EVIDENCE_ORDER])
def test_strictest_bar_sentence_is_true_for_every_pair(primary, strictest):
    text = clean(wording.strictest_bar_sentence(strictest, primary, EVIDENCE_ORDER))
    lowered = "unless the evidence bar is lowered" in text
    # "lowered" only when the strictest bar with hits is weaker than the primary rule's own bar.
    assert lowered == (strictest is not None and EVIDENCE_ORDER.index(strictest) < EVIDENCE_ORDER.index(primary))
    if strictest is None:
        assert text == ""


def test_sensitivity_sentences():
    assert (
        wording.sensitivity_sentence(576, 0, 0, 32, "r", "")
        == "No rule of the 576 in the sensitivity grid produces a hit."
    )
    one = wording.sensitivity_sentence(4, 1, 2, 5, "r1", "I1")
    assert (
        one
        == "Across all 4 rules in the sensitivity grid, 1 produces any hit; the most generous gives 2 of 5 (rule `r1`; incidents matched: I1)."
    )
    assert "produce any hit" in wording.sensitivity_sentence(4, 3, 2, 5, "r1", "I1, I2")
    assert wording.grid_hits_sentence(0, 0, 5) == "no rule gives any hit."
    assert wording.grid_hits_sentence(1, 1, 5) == "1 rule gives any hit, at most 1 of 5."
    assert wording.grid_hits_sentence(7, 3, 5) == "7 rules give any hit, at most 3 of 5."
    assert wording.occurrence_rules_sentence(0, 0) == "No report that an attack occurred is in scope."
    assert wording.occurrence_rules_sentence(1, 2) == "Reports that an attack occurred are matched under 1 rule."
    assert wording.alternative_rules_sentence(9, 0, 0, 3) == "No rule of 9 alternatives gives any hit."
    assert wording.alternative_rules_sentence(9, 1, 1, 3) == "1 of 9 alternative rules gives any hit (at most 1 of 3)."


def test_occurrence_sentence():
    assert wording.occurrence_sentence(0, 0, "0 of 0") == "No claim in scope reports that an attack had occurred."
    assert " was matched" in wording.occurrence_sentence(0, 1, "0 of 1 (…)")
    assert " were matched" in wording.occurrence_sentence(1, 2, "1 of 2 (…)")


def test_stated_frame_sentence():
    assert wording.stated_frame_sentence("ignore", 0) == "No claim states its own time frame."
    assert wording.stated_frame_sentence("ignore", 1).startswith("1 claim states")
    assert "replaces the window" in wording.stated_frame_sentence("replace", 2)


def published(**kw):
    base = {
        "source": "Counter",
        "title": "",
        "date": "",
        "read_via": "the publication itself",
        "url": "",
        "mapping": "one-to-one",
        "criteria": "made in May",
        "total": 1,
        "by_group": {},
        "ours_total": 1,
        "ours_by_group": {},
        "ledger_total": 1,
        "ledger_by_group": {},
        "ledger_failing_filters": 0,
    }
    return base | kw


def test_published_count_sentences_carry_provenance_and_agree_in_number():
    one = clean(wording.published_count_sentence(published(), {}))
    assert one.startswith("Counter counted 1 accusation, as read in the publication itself; our rows are mapped")
    inferred = published(mapping="inference", total=5, by_group={"g": 2}, ours_by_group={"g": 1}, ours_total=4)
    text = clean(wording.published_count_sentence(inferred, {"g": "Group G"}))
    assert (
        "counted 5 accusations, 2 from Group G" in text
        and "is an inference" in text
        and "holds 4, 1 from Group G" in text
    )
    paragraph = clean(wording.reconciliation_paragraph(inferred | {"ledger_failing_filters": 1}, {"g": "Group G"}))
    assert "We could not read its list" in paragraph and "1 of them fails" in paragraph
    assert "one to one" in clean(wording.reconciliation_paragraph(published(), {}))
    assert "(its count was read in the publication itself)" in wording.inference_limitation(
        published(mapping="inference")
    )


def test_limitations():
    assert "A hit rate of zero" in wording.census_limitation("", 0, 0)
    assert "zero" not in wording.census_limitation("", 2, 3)
    assert "checked closely only for May" in wording.census_limitation("only for May", 1, 0)
    assert wording.gazetteer_gap_sentence(1) == "1 place has no sourced coordinates and is matched at district level."
    assert wording.gazetteer_gap_sentence(3).startswith("3 places have")


def test_bodies_list_and_anywhere():
    assert wording.bodies_list(["A", "B"]) == "A and B"
    assert wording.bodies_list(["A", "B", "C", "D"]) == "A, B, C and 1 other"
    assert wording.bodies_list(["A", "B", "C", "D", "E"]) == "A, B, C and 2 others"
    assert wording.anywhere("") == "anywhere"
    assert wording.anywhere("Chad") == "anywhere in Chad"


def test_were_and_the_count():
    assert wording.were(0, 32, "prediction") == "predictions were"
    assert wording.were(1, 6, "prediction") == "predictions was"
    assert wording.were(1, 1, "prediction") == "prediction was"
    assert wording.were(0, 0, "prediction") == "predictions were"
    assert wording.the_count(0) == "a zero"
    assert wording.the_count(2) == "the observed count"


def test_other_campaigns_sentence():
    assert wording.other_campaigns_sentence([]) == ""
    one = [{"title": "B", "period_from": "2030-01-01", "period_to": "2030-03-31"}]
    assert wording.other_campaigns_sentence(one) == (
        "The data folder declares one more campaign, *B* (January–March 2030); this report describes the first one, and its section "
        '"Results per campaign" answers both questions for each.'
    )
    assert "2 more campaigns" in wording.other_campaigns_sentence(one * 2)


@pytest.mark.parametrize(
    ("in_campaign", "in_ledger", "expected"),
    [
        (5, 5, "Every claim of the ledger is listed (5 claims)"),
        (1, 1, "Every claim of the ledger is listed (1 claim)"),
        (38, 138, "this campaign's 38 claims. The ledger holds 100 other claims, made outside"),
        (1, 2, "this campaign's 1 claim. The ledger holds 1 other claim, made outside"),
        (0, 3, "this campaign's 0 claims. The ledger holds 3 other claims"),
    ],
)
def test_appendix_scope_sentence(in_campaign, in_ledger, expected):
    text = clean(wording.appendix_scope_sentence(in_campaign, in_ledger))
    assert expected in text
    assert "`report/explorer.html`" in text and "`report/tables/verdicts.csv`" in text
