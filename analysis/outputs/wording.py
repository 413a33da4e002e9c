"""Generated sentences that stay true for every outcome.

Each function takes the numbers a sentence states and picks the wording that fits them: zero, one
or many; singular or plural; a bar that is or is not the strictest. Templates call these instead
of branching themselves, so every case is unit-tested here (tests/unit/test_wording.py).
"""

from __future__ import annotations

import pandas as pd

from analysis.inputs import paths

MONTHS = "January February March April May June July August September October November December".split()


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """'1 claim', '0 claims', '3 claims' (plural_form for irregular nouns)."""
    return f"{n} {singular if n == 1 else (plural_form or singular + 's')}"


def join_words(items: list[str], conjunction: str = "and") -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _month(ts: pd.Timestamp) -> str:
    return MONTHS[ts.month - 1]


def period_span(start: object, end: object) -> str:
    """A period for titles: 'March–June 2021', 'May 2021', 'December 2021–March 2022'."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if pd.isna(start) or pd.isna(end):
        return "undated"
    if (start.year, start.month) == (end.year, end.month):
        return f"{_month(start)} {start.year}"
    if start.year == end.year:
        return f"{_month(start)}–{_month(end)} {end.year}"
    return f"{_month(start)} {start.year}–{_month(end)} {end.year}"


def period_between(start: object, end: object) -> str:
    """A period inside a sentence: 'between March and June 2021', 'in May 2021'."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if pd.isna(start) or pd.isna(end):
        return "at unknown dates"
    if (start.year, start.month) == (end.year, end.month):
        return f"in {_month(start)} {start.year}"
    if start.year == end.year:
        return f"between {_month(start)} and {_month(end)} {end.year}"
    return f"between {_month(start)} {start.year} and {_month(end)} {end.year}"


def report_title(campaign: dict) -> str:
    """The declared title, or (no declaration) one that says what the ledger is and when."""
    if campaign["declared"] and campaign["title"]:
        return campaign["title"]
    return f"Claims of staged chemical attacks in the ledger, {period_span(campaign['period_from'], campaign['period_to'])}"


def ledger_sentence(total: int, campaign: dict) -> str:
    """What the ledger holds: who claimed what, when (from the declaration or the claims' dates)."""
    who = f" made by {campaign['claimants']}" if campaign["claimants"] else ""
    when = period_between(campaign["period_from"], campaign["period_to"])
    what = f" that {campaign['subject']}" if campaign["subject"] else ""
    counted = "distinct accusation" if total == 1 else "distinct accusations"
    sentence = f"We recorded **{total} {counted}**{who} {when}{what}."
    if not campaign["declared"]:
        sentence += (
            " The data folder declares no campaign (no `campaign.toml`), so the period shown is the span of"
            " the claims' own dates."
        )
    return sentence


def scored_sentence(in_scope: int, assessable: int) -> str:
    """'32 of them are predictions in scope; 32 are dated well enough to score.'"""
    if in_scope == 0:
        return "No claim among them is a *prediction* in scope, so no prediction is scored."
    verb = "is a *prediction*" if in_scope == 1 else "are *predictions*"
    dated = "is dated" if assessable == 1 else "are dated"
    if assessable == in_scope:
        rest = "it is dated well enough to score" if in_scope == 1 else f"all {assessable} {dated} well enough to score"
    else:
        rest = f"{assessable} {dated} well enough to score"
    return f"{in_scope} of them {verb} in scope; {rest}."


def were(hits: int, n: int, noun: str) -> str:
    """After 'HITS of N': the noun agrees with N, the verb with HITS ('1 of 6 predictions was')."""
    return f"{noun if n == 1 else noun + 's'} {'was' if hits == 1 else 'were'}"


def the_count(hits: int) -> str:
    return "a zero" if hits == 0 else "the observed count"


def probability(p: float) -> str:
    return "below 0.01" if p < 0.005 else f"{p:.2f}"


def chance_sentence(observed: int, expected: float, p_at_most: float, p_at_least: float) -> str:
    """The chance of a count as extreme as the one observed, on the side it lies of the expectation."""
    if observed == 0:
        return f"the probability of seeing no hits is {probability(p_at_most)}"
    if observed > expected:
        return f"the probability of seeing {plural(observed, 'hit')} or more is {probability(p_at_least)}"
    return f"the probability of seeing {plural(observed, 'hit')} or fewer is {probability(p_at_most)}"


def _incident_list(ids: list[str], levels: list[str]) -> str:
    return "; ".join(f"{i} (evidence: {lvl.replace('_', ' ')})" for i, lvl in zip(ids, levels, strict=True))


def in_period_sentence(ids: list[str], levels: list[str], region: str) -> str:
    """The incidents the ledger holds in the claims period and region: none, the only one, or a list."""
    where = f" in {region}" if region else ""
    if not ids:
        return f"During the claims period, the ledger holds no incident{where}."
    if len(ids) == 1:
        return f"During the claims period, the ledger's only incident{where} is {_incident_list(ids, levels)}."
    return f"During the claims period, the ledger holds {len(ids)} incidents{where}: {_incident_list(ids, levels)}."


def region_total_sentence(in_region: int, total: int, region: str) -> str:
    if not region:
        return ""
    if in_region == total:
        return f"All {plural(total, 'incident')} are in {region}." if total != 1 else f"It is in {region}."
    verb = "is" if in_region == 1 else "are"
    return f"{in_region} {verb} in {region}."


def strictest_bar_sentence(strictest: str | None, primary_bar: str, evidence_order: list[str]) -> str:
    """Which evidence bar first lets a prediction materialize, compared with the primary rule's.

    evidence_order runs weakest to strongest. Empty when no rule gives a hit (the sentence before
    already says so).
    """
    if strictest is None:
        return ""
    shown = strictest.replace("_", " ")
    if evidence_order.index(strictest) < evidence_order.index(primary_bar):
        return f"No prediction materializes unless the evidence bar is lowered to *{shown}*."
    if strictest == primary_bar:
        return f"Predictions materialize under rules that keep the primary evidence bar, *{shown}*."
    return (
        f"Predictions materialize even under rules with a stricter evidence bar than the primary one, up to *{shown}*."
    )


def then(first: str, second: str, joiner: str = "\n  ") -> str:
    """Two sentences on their own lines, leaving out an empty one."""
    return joiner.join(part for part in (first, second) if part)


def sensitivity_sentence(rules: int, with_hits: int, max_hits: int, max_n: int, rule_id: str, incidents: str) -> str:
    """How many grid rules give any hit, and what the most generous gives (incidents: escaped, joined)."""
    if with_hits == 0:
        return f"No rule of the {rules} in the sensitivity grid produces a hit."
    verb = "produces" if with_hits == 1 else "produce"
    detail = f"; incidents matched: {incidents}" if incidents else ""
    return (
        f"Across all {rules} rules in the sensitivity grid, {with_hits} {verb} any hit; the most generous "
        f"gives {max_hits} of {max_n} (rule `{rule_id}`{detail})."
    )


def grid_hits_sentence(with_hits: int, max_hits: int, max_n: int) -> str:
    if with_hits == 0:
        return "no rule gives any hit."
    verb = "gives" if with_hits == 1 else "give"
    return f"{plural(with_hits, 'rule')} {verb} any hit, at most {max_hits} of {max_n}."


def occurrence_rules_sentence(n_rules: int, n_reports: int) -> str:
    if n_reports == 0:
        return "No report that an attack occurred is in scope."
    if n_rules == 0:
        return "No rule matches a report that an attack occurred."
    return f"Reports that an attack occurred are matched under {plural(n_rules, 'rule')}."


def occurrence_sentence(hits: int, n: int, text: str) -> str:
    """Claims that an attack had occurred, matched by an incident meeting the same bar."""
    if n == 0:
        return "No claim in scope reports that an attack had occurred."
    verb = "was" if n == 1 else "were"
    return (
        f"Claims that an attack **had occurred**: {text} {verb} matched by an incident meeting the same evidence bar."
    )


def stated_frame_sentence(stated_frame: str, with_frame: int) -> str:
    """How the claims' own time frames ('within two days') were used."""
    if with_frame == 0:
        return "No claim states its own time frame."
    claims = plural(with_frame, "claim")
    verb = "states" if with_frame == 1 else "state"
    if stated_frame == "replace":
        return f"{claims} {verb} a time frame of their own, which replaces the window for them."
    return f"{claims} {verb} a time frame of their own; the primary rule gives every claim the same window."


def group_counts(counts: dict[str, int], names: dict[str, str]) -> str:
    """Counts by claimant group: '8 from A and 3 from B'."""
    return join_words([f"{n} from {names.get(g, g.replace('_', ' '))}" for g, n in counts.items()])


def published_count_sentence(count: dict, names: dict[str, str]) -> str:
    """A published count beside ours, with where it was read and how rows were mapped."""
    unit = "accusation" if count["total"] == 1 else "accusations"
    published = (
        f"{count['source']} counted {count['total']} {unit}"
        if count["total"] is not None
        else (f"{count['source']} published a count")
    )
    groups = group_counts(count["by_group"], names)
    published += f", {groups}" if groups else ""
    mapped = (
        "the mapping of our rows to it is an inference"
        if count["mapping"] == "inference"
        else ("our rows are mapped to its list one to one")
    )
    ours_groups = group_counts(count["ours_by_group"], names)
    ours = f"{count['ours_total']}" + (f", {ours_groups}" if ours_groups else "")
    return (
        f"{published}, as read in {count['read_via']}; {mapped}. Under our reading of its criteria our "
        f"ledger holds {ours}."
    )


def reconciliation_paragraph(count: dict, names: dict[str, str]) -> str:
    """The reconciliation section for one published count: what it said, how we compared, the gap."""
    title = f" *{count['title']}*" if count["title"] else ""
    when = f" ({count['date']})" if count["date"] else ""
    unit = "accusation" if count["total"] == 1 else "accusations"
    groups = group_counts(count["by_group"], names)
    said = (
        f"counted {count['total']} {unit}" + (f", {groups}" if groups else "")
        if count["total"] is not None
        else ("published a count")
    )
    link = f"[{count['read_via']}](<{count['url']}>)" if count["url"] else count["read_via"]
    if count["mapping"] == "inference":
        how = (
            f"We could not read its list, so we applied our reading of its criteria ({count['criteria']}) to our ledger"
        )
    else:
        how = f"We mapped our rows to its list one to one, using its criteria ({count['criteria']})"
    ours_groups = group_counts(count["ours_by_group"], names)
    ours = f"{plural(count['ours_total'], 'accusation')}" + (f", {ours_groups}" if ours_groups else "")
    whole = f"The campaign's period holds {plural(count['ledger_total'], 'accusation')} in our ledger"
    ledger_groups = group_counts(count["ledger_by_group"], names)
    whole += f", {ledger_groups}" if ledger_groups else ""
    failing = count["ledger_failing_filters"]
    if failing:
        whole += f"; {failing} of them {'fails' if failing == 1 else 'fail'} the criteria other than the period"
    notes = f" {count['notes']}" if count.get("notes") else ""
    return (
        f"{count['source']}'s publication{title}{when} {said}; we read this number in {link}. {how}: {ours}. "
        f"{whole}.{notes} We did not force the counts to match."
    )


def census_limitation(coverage: str, hits: int, aggregate_rows: int) -> str:
    checked = f" and was checked closely {coverage}" if coverage else ""
    text = f"**The incident ledger is not a census.** It lists well-documented incidents{checked}."
    if hits == 0:
        text += " A hit rate of zero therefore rests on the absence of *documented* incidents"
        text += (
            "; the published series above show whether other counts agree for the claims period."
            if aggregate_rows
            else "."
        )
    return text


def gazetteer_gap_sentence(missing: int) -> str:
    verb = "has" if missing == 1 else "have"
    return f"{plural(missing, 'place')} {verb} no sourced coordinates and {'is' if missing == 1 else 'are'} matched at district level."


def inference_limitation(count: dict) -> str:
    total = f" to its {count['total']}" if count["total"] is not None else ""
    return (
        f"{count['source']}'s own list was not read (its count was read in {count['read_via']}); "
        f"the mapping of our rows{total} is inference."
    )


def bodies_list(names: list[str], shown: int = 3) -> str:
    """'A, B and C' for up to `shown` names, else the first ones 'and N others'."""
    if len(names) <= shown:
        return join_words(names)
    rest = len(names) - shown
    return f"{', '.join(names[:shown])} and {plural(rest, 'other')}"


def anywhere(country: str) -> str:
    return f"anywhere in {country}" if country else "anywhere"


def alternative_rules_sentence(rules: int, with_hits: int, max_hits: int, max_n: int) -> str:
    """README form: '72 of 576 alternative rules give any hit (at most 27 of 32).'"""
    if with_hits == 0:
        return f"No rule of {rules} alternatives gives any hit."
    verb = "gives" if with_hits == 1 else "give"
    return f"{with_hits} of {rules} alternative rules {verb} any hit (at most {max_hits} of {max_n})."


def other_campaigns_sentence(others: list[dict]) -> str:
    """When the folder declares several campaigns: which ones this report does not describe."""
    if not others:
        return ""
    titles = join_words([f"*{c['title']}* ({period_span(c['period_from'], c['period_to'])})" for c in others])
    more = "one more campaign" if len(others) == 1 else f"{len(others)} more campaigns"
    return (
        f"The data folder declares {more}, {titles}; this report describes the first one, and its section "
        '"Results per campaign" answers both questions for each.'
    )


def appendix_scope_sentence(in_campaign: int, in_ledger: int) -> str:
    """Which claims the appendix lists, and where the rest of the ledger is."""
    where = (
        "the explorer (`report/explorer.html`: filter, sort, and see the verdicts under any rule of the grid) "
        f"and the verdicts table (`{paths.table_label(paths.VERDICTS_FILE)}`: each claim's reason and the incidents considered)"
    )
    if in_campaign == in_ledger:
        return f"Every claim of the ledger is listed ({plural(in_ledger, 'claim')}); they are also in {where}."
    others = in_ledger - in_campaign
    return (
        f"This appendix lists this campaign's {plural(in_campaign, 'claim')}. The ledger holds "
        f"{plural(others, 'other claim')}, made outside this campaign's period; every claim of the ledger, "
        f"with its verdict, is in {where}."
    )


def ledger_share_sentence(in_campaign: int, in_ledger: int) -> str:
    """How many of the ledger's rows the report's campaign holds."""
    if in_campaign == in_ledger:
        return f"{plural(in_ledger, 'accusation')};"
    return (
        f"{plural(in_ledger, 'accusation')} in all, {in_campaign} of them made in this campaign's period "
        "(the rest belong to the other campaigns the folder declares);"
    )


# --- results per campaign ----------------------------------------------------------------------------


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and x != x)


def _pct(x: float | None) -> str:
    return "n/a" if _missing(x) else f"{x * 100:.1f}%"


def _p(x: float | None) -> str:
    return "n/a" if _missing(x) else f"{x:.2f}"


def chance_cell(null: dict) -> str:
    """A null in a table cell: the expected chance hits and the tail the observed count lies in."""
    expected, observed = null["expected_hits"], null["observed_hits"]
    if _missing(expected):
        return "n/a"
    if observed == 0:
        tail = f"P(0) = {_p(null['p_zero_hits'])}"
    elif observed > expected:
        tail = f"P(≥ {observed}) = {_p(null['p_at_least_observed'])}"
    else:
        tail = f"P(≤ {observed}) = {_p(null['p_at_most_observed'])}"
    return f"{expected:.1f} expected, {tail}"


def campaign_association_sentence(gov: dict | None, delta: int, alpha: float) -> str:
    """The association test of one campaign (government-attributed attacks, primary delta), with
    the power statement: "lacks power" exactly when no outcome could be significant."""
    if gov is None:
        return "no government-attributed attack is in the test (none declared as an attribution class)."
    trig, power = gov["primary"]["trigger_after"], gov["power"]
    head = (
        f"{trig['hits']} of {plural(trig['n'], 'warning story', 'warning stories')} "
        f"{'was' if 1 in (trig['hits'], trig['n']) else 'were'} followed by a government-attributed attack within {delta} days, "
        f"against {_pct(trig['surrogate_mean_rate'])} in the surrogates (P = {_p(trig['p_surrogate_at_least'])} "
        "for as many or more)"
    )
    if power["critical_hits"] is None or _missing(power["detectable_rate"]):
        return (
            f"{head}; with {plural(power['n'], 'story', 'stories')} no outcome could reach P ≤ {alpha:g}, so the test "
            "lacks power here and its result is no evidence either way."
        )
    verdict = (
        "more often than in the surrogates"
        if trig["p_surrogate_at_least"] <= alpha
        else "not significantly more often than in the surrogates"
    )
    return (
        f"{head}: {verdict}. Only a trigger rate of {_pct(power['detectable_rate'])} or more would be detected with "
        f"{power['power'] * 100:.0f}% power."
    )


def campaign_phase_sentence(phase: dict | None) -> str:
    """The self-controlled comparison inside the same governorates and offensive phase."""
    if phase is None:
        return ""
    skipped = phase["stories_without_comparison"]
    aside = f" ({plural(skipped, 'story', 'stories')} had no window in the same phase on one side)" if skipped else ""
    if phase["after"] + phase["before"] == 0:
        return (
            f"No government-attributed attack fell in the compared windows of the same governorates and offensive "
            f"phase{aside}."
        )
    return (
        f"In the same governorates and offensive phase, {plural(phase['after'], 'attack')} fell in the windows after "
        f"the first warning and {phase['before']} before (expected after, with no association: "
        f"{phase['expected_after']:.1f}; P = {_p(phase['p_two_sided'])}){aside}."
    )


def campaign_paragraph(c: dict, delta: int, alpha: float) -> str:
    """One campaign's results in words (both questions), true for every outcome."""
    name = f"**{c['title'] or c['id']}**"
    reactive = (
        f" {c['reactive_rows']} of its {plural(c['claims'], 'claim row')} {'was' if c['reactive_rows'] == 1 else 'were'} "
        "reactive (made within days after a documented attack in a governorate it names)."
        if c["reactive_rows"]
        else " No claim row of its scope was reactive (made within days after a documented attack in a governorate it names)."
    )
    if c["primary"] is None:
        held = "no claim" if c["claims"] == 0 else plural(c["claims"], "claim") + ", none of them a scored prediction,"
        return f"{name}: {held} in its scope, so neither question can be asked of it.{reactive if c['claims'] else ''}"
    q1 = c["as_stated"]["stories"]
    gov = (c["association"] or {}).get("by_attribution", {}).get("government")
    phase = gov["primary"].get("self_control_phase") if gov else None
    stated = (
        f"{q1['hits']} of {plural(q1['n'], 'story', 'stories')} came true as stated (an attack by the accused side)"
    )
    return " ".join(
        part
        for part in (
            f"{name}: {stated}; {campaign_association_sentence(gov, delta, alpha)}",
            campaign_phase_sentence(phase),
            reactive.strip(),
        )
        if part
    )
