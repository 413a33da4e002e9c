"""Any campaign, any outcome: the write-up is true for the data it is given.

Small synthetic campaigns (tests/campaign_factory.py, an invented country) are generated across
outcomes: no, some or all hits; no, one or many incidents in the period; periods from one month to
four years; with and without a published count; with and without a declaration. For each, the
report text and README headline are rendered (no notebooks, no figures) and checked: every number
stated is one of key_numbers.json's, no placeholder, None, nan or "(s)" appears, and no word of the
shipped campaign leaks in. The second example campaign is built end to end with no code change.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from campaign_factory import EXAMPLE_2, PUBLISHED, Claim, Incident, Spec, write_campaign

from analysis.inputs import paths
from analysis.inputs.campaign import load_declaration
from analysis.inputs.load import load
from analysis.inputs.rules import load_rules
from analysis.outputs import readme, report, results

EXAMPLE_2_DIR = Path(__file__).parents[1] / "example_campaign_2"
LEAKS = re.compile(
    r"\b(2017|2018|2019|Idlib|Hama|Aleppo|Latakia|Syria|Syrian|Bellingcat|RCROSS|rcross|White Helmets|Russian)\b"
)
PLACEHOLDERS = ("None", "nan", "NaN", "(s)", "{{", "}}", "{%", "%}")
# Numbers the wording itself states (95% intervals, "≥1 in N days", "per 30 days", "below 0.01").
TEMPLATE_NUMBERS = {"95", "1", "30", "0.01", "90"}  # 90: "90th percentile"


def shipped_words() -> set[str]:
    """The shipped campaign's own words, read from its declaration (they must not leak elsewhere)."""
    campaign = load_declaration(paths.DEFAULT_DATA_DIR).main
    words = {campaign.country, *campaign.region_areas}
    for count in campaign.published_counts:
        words |= {count.source, f"{count.total} accusations"}
    return words


def _leaves(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


def allowed_numbers(key: dict) -> set[str]:
    """Every way a key number can be printed: as is, rounded, as a percentage, inside texts and dates."""
    allowed = set(TEMPLATE_NUMBERS)
    for leaf in _leaves(key):
        if isinstance(leaf, bool) or leaf is None:
            continue
        if isinstance(leaf, int | float):
            allowed |= {
                str(leaf),
                f"{leaf:.0f}",
                f"{leaf:.1f}",
                f"{leaf:.2f}",
                f"{leaf * 100:.0f}",
                f"{leaf * 100:.1f}",
            }
        allowed |= set(re.findall(r"\d+(?:\.\d+)?", str(leaf)))
    return allowed


def generated_spec(seed: int, hits: str, incidents_in_period: int, months: int, published: bool, declared=True) -> Spec:
    """A small campaign with the requested outcome (hits: 'none', 'some' or 'all')."""
    rng = random.Random(seed)
    start = pd.Timestamp("2031-01-01") + pd.DateOffset(months=rng.randrange(12))
    end = start + pd.DateOffset(months=months) - pd.Timedelta(days=1)
    span = (end - start).days
    n = rng.randint(3, 6)
    days = sorted(start + pd.Timedelta(days=rng.randrange(max(1, span - 35))) for _ in range(n))
    groups = ["interior_ministry", "state_broadcaster"]
    claims = [Claim(d.strftime("%Y-%m-%d"), group=rng.choice(groups), places="alpha-town") for d in days]
    incidents = []
    followed = {"none": 0, "some": max(1, n // 2), "all": n}[hits]
    for d in days[:followed]:  # a credible incident at the claim's place, 5 days later: a hit
        incidents.append(Incident((d + pd.Timedelta(days=5)).strftime("%Y-%m-%d")))
    # Incidents in the period that match nothing: another province, or too weak to count.
    while len(incidents) < incidents_in_period:
        day = start + pd.Timedelta(days=rng.randrange(span + 1))
        incidents.append(Incident(day.strftime("%Y-%m-%d"), places="delta-port"))
    incidents = incidents[: max(incidents_in_period, followed)]
    # One incident long before the period, so the null model has something to count.
    incidents.append(Incident((start - pd.DateOffset(months=6)).strftime("%Y-%m-%d"), places="gamma-city"))
    return Spec(
        period=(start.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d")),
        claims=claims,
        incidents=incidents,
        published=PUBLISHED if published else None,
        declared=declared,
    )


CASES = {
    "no-hits-no-incidents-1-month": dict(seed=1, hits="none", incidents_in_period=0, months=1, published=False),
    "no-hits-one-incident-4-months": dict(seed=2, hits="none", incidents_in_period=1, months=4, published=True),
    "some-hits-many-incidents-2-years": dict(seed=3, hits="some", incidents_in_period=4, months=24, published=True),
    "all-hits-1-month": dict(seed=4, hits="all", incidents_in_period=1, months=1, published=True),
    "all-hits-many-incidents-4-years-undeclared": dict(
        seed=5, hits="all", incidents_in_period=3, months=48, published=False, declared=False
    ),
}


def render(folder: Path, out: Path) -> tuple[dict, str, str, results.Results]:
    ledgers = load(folder)
    computed = results.compute(ledgers, load_rules(folder / "rules.toml"))
    results.write(computed, out)
    key = json.loads((paths.tables_in(out) / paths.KEY_NUMBERS_FILE).read_text(encoding="utf-8"))
    return key, report.render_markdown(key, out, ledgers, []), readme.headline(key), computed


def summary_paragraph(text: str) -> str:
    return text.split("## Summary", 1)[1].split("## Data and sources", 1)[0].strip()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Each generated campaign rendered once per test run: {case: (key, report text, headline)}."""
    cache: dict = {}

    def get(case: str):
        if case not in cache:
            root = tmp_path_factory.mktemp(case)
            folder = write_campaign(root / "campaign", generated_spec(**CASES[case]))
            cache[case] = render(folder, root / "out")
        return cache[case]

    return get


@pytest.mark.parametrize("case", list(CASES))
def test_generated_campaign_report_is_true_for_its_numbers(rendered, case):
    key, text, headline, _ = rendered(case)
    expected_hits = {"none": 0, "some": None, "all": key["claims_assessable"]}[CASES[case]["hits"]]
    if expected_hits is not None:
        assert key["hits"] == expected_hits
    else:
        assert 0 < key["hits"] < key["claims_assessable"]
    assert f"**{key['hits']} of {key['claims_assessable']}" in text
    assert f"**{key['hits']} of {key['claims_assessable']}**" in headline

    body = text.split("## Appendix", 1)[0]
    for piece in (body, headline):
        for bad in PLACEHOLDERS:
            assert bad not in piece, (case, bad)
        leak = LEAKS.search(piece)
        assert leak is None, (case, leak and piece[max(0, leak.start() - 80) : leak.end() + 80])
        for word in shipped_words():
            assert word not in piece, (case, word)
        allowed = allowed_numbers(key)
        stated = set(
            re.findall(
                r"(?<![\w-])\d+(?:\.\d+)?",
                re.sub(r"(?<=\d),(?=\d{3})", "", piece).replace("&#45;", "-").replace("&#46;", "."),
            )
        )
        assert stated <= allowed, (case, sorted(stated - allowed))

    in_period = key["incidents"]["in_period_in_region"]
    if len(in_period) != 1:
        assert "the ledger's only incident" not in text
    if not key["published_counts"]:
        assert "## Reconciliation" not in text
    else:
        assert "## Reconciliation with published counts" in text and "read in the publication itself" in text
    if not CASES[case].get("declared", True):
        assert "declares no campaign" in text
    else:
        assert "SYNTHETIC" in text.splitlines()[0]


def test_summary_paragraphs_for_the_closing_note(rendered, capsys):
    """Prints the summary for no, some and all hits (quoted in the issue's closing note)."""
    for case in ("no-hits-one-incident-4-months", "some-hits-many-incidents-2-years", "all-hits-1-month"):
        _, text, _, _ = rendered(case)
        with capsys.disabled():
            print(f"\n--- {case}\n{summary_paragraph(text)}")


def test_committed_example_2_is_what_the_factory_writes(tmp_path):
    fresh = write_campaign(tmp_path / "example", EXAMPLE_2)
    for path in sorted(fresh.iterdir()):
        assert (EXAMPLE_2_DIR / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.slow
def test_second_example_campaign_builds_end_to_end(tmp_path):
    out = tmp_path / "out"
    built = subprocess.run(
        [sys.executable, "-m", "analysis", "build", "--data", str(EXAMPLE_2_DIR), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    text = (out / "report" / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# Did the warnings come true? SYNTHETIC")
    assert LEAKS.search(text.split("## Appendix", 1)[0]) is None
    assert (out / "figures" / "01-timeline.png").exists()
    assert "Interior Ministry" in text and "incidents in Exampleland from" in text
    assert (out / "report" / "report.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("case", "unit"),
    [
        ("no-hits-no-incidents-1-month", "days"),
        ("no-hits-one-incident-4-months", "months"),
        ("all-hits-many-incidents-4-years-undeclared", "months"),
    ],
)
def test_timeline_fits_the_period(rendered, case, unit):
    import matplotlib.dates as mdates

    from analysis.outputs import figures

    key, _, _, computed = rendered(case)
    figure = figures.timeline_campaign(computed)
    try:
        ax = figure.figure.axes[0]
        assert f"marked in {unit}" in figure.alt and figure.stem == "01-timeline"
        start, end = (mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert 2 <= len(ticks) <= 16, len(ticks)  # readable: neither one tick nor a smear
        assert start <= pd.Timestamp(key["campaign"]["period_from"]) and end >= pd.Timestamp(
            key["campaign"]["period_to"]
        )
        rows = [t.get_text().split()[0] for t in ax.get_yticklabels()]
        primary = computed.primary
        scored = primary[(primary["scored_as"] != "not_scored") & (primary["verdict"] != "out_of_scope")]
        assert sorted(rows) == sorted(scored["claim_id"])  # one row per scored claim
        for bad in PLACEHOLDERS:
            assert bad not in figure.title + figure.caption + figure.alt
        assert LEAKS.search(figure.title + figure.caption + figure.alt) is None
    finally:
        import matplotlib.pyplot as plt

        plt.close(figure.figure)
