"""The offline explorer (report/explorer.html) in real headless Chromium: it loads from file://
with no network, filters, the rule picker changes a known claim's verdict, and hostile ledger text
stays inert. State is set through the page's own URL fragment (#rule=…&verdict=…&claim=…), the same
links a reviewer can share."""

from __future__ import annotations

import re
import shutil
from types import SimpleNamespace

import pandas as pd
import pytest
from test_hostile_text import PAYLOADS, PWNED, Dom, chromium, hostile_ledgers

from analysis.inputs import paths
from analysis.inputs.load import load
from analysis.inputs.rules import load_rules
from analysis.outputs import explorer, results

SHIPPED = paths.report_dir() / explorer.EXPLORER_FILE


def open_page(page, tmp_path, fragment: str = "") -> Dom:
    out = chromium(page.as_uri() + (f"#{fragment}" if fragment else ""), tmp_path, "--dump-dom")
    assert "<html" in out.lower(), out[:300]
    return Dom(out)


def rows(dom_text: str) -> dict[str, list[str]]:
    """claim id -> its cells' text, for the rows the table shows."""
    found = {}
    for claim_id, body in re.findall(r'<tr id="([^"]+)"[^>]*>(.*?)</tr>', dom_text, flags=re.S):
        found[claim_id] = [
            " ".join(re.sub(r"<[^>]+>", "", cell).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", body, flags=re.S)
        ]
    return found


def dump(page, tmp_path, fragment=""):
    out = chromium(page.as_uri() + (f"#{fragment}" if fragment else ""), tmp_path, "--dump-dom")
    assert 'data-ready="1"' in out, "the page's script did not finish"
    return out


VERDICT_COLUMN = 6


def test_explorer_is_self_contained():
    text = SHIPPED.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", text, flags=re.I), "loads something"
    assert (
        'http-equiv="Content-Security-Policy"' in text
        and "'unsafe-inline'" not in text.split("script-src")[1].split(";")[0]
    )
    assert (
        len(re.findall(r"^<script", text, flags=re.M)) == 3
    )  # the data (JSON, not executed), DataTables, the page's own script
    assert "DataTables 3" in text  # the vendored library's banner (licence kept)


def test_loads_offline_with_every_claim(tmp_path):
    out = dump(SHIPPED, tmp_path)
    shown = rows(out)
    claims = load(paths.DEFAULT_DATA_DIR).claims
    assert set(shown) == set(claims["claim_id"])
    assert all(len(cells) == 9 for cells in shown.values())  # summary hidden, sources shown


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The explorer of the synthetic example campaign, whose rules disagree on some claims (the
    shipped ledger has no hit under any rule once circular incidents are excluded)."""
    root = tmp_path_factory.mktemp("example-explorer")
    data = paths.ROOT / "tests" / "example_campaign_2"
    ledgers = load(data)
    computed = results.compute(ledgers, load_rules(paths.rules_path(data)))
    paths.report_dir(root).mkdir(parents=True, exist_ok=True)
    results.write(computed, paths.report_dir(root))
    page = explorer.write_explorer(root, ledgers)
    table = pd.read_csv(paths.tables_dir(root) / paths.GRID_VERDICTS_FILE, dtype=str, keep_default_na=False)
    return SimpleNamespace(page=page, grid=table, primary=computed.key_numbers["rule"]["rule_id"])


def test_rule_picker_changes_a_known_claims_verdict(tmp_path, example):
    grid = example.grid
    verdict = grid.set_index(["rule_id", "claim_id"])["verdict"]
    primary = grid[grid["rule_id"] == example.primary].set_index("claim_id")["verdict"]
    changed = grid[grid["verdict"] != grid["claim_id"].map(primary)]
    assert len(changed), "the example campaign should have rules that disagree"
    rule, claim = changed.iloc[0]["rule_id"], changed.iloc[0]["claim_id"]
    default_rows = rows(dump(example.page, tmp_path))
    picked_rows = rows(dump(example.page, tmp_path, f"rule={rule}"))
    assert default_rows[claim][VERDICT_COLUMN] == primary[claim].replace("_", " ")
    assert picked_rows[claim][VERDICT_COLUMN] == verdict[(rule, claim)].replace("_", " ")
    assert default_rows[claim][VERDICT_COLUMN] != picked_rows[claim][VERDICT_COLUMN]
    for claim_id, cells in picked_rows.items():  # every verdict shown is the grid's for that rule
        assert cells[VERDICT_COLUMN] == verdict[(rule, claim_id)].replace("_", " "), claim_id


def test_filters_show_exactly_the_matching_claims(tmp_path, example):
    grid = example.grid
    loose = grid[grid["verdict"] == "materialized"].groupby("rule_id").size().idxmax()
    expected = set(grid[(grid["rule_id"] == loose) & (grid["verdict"] == "materialized")]["claim_id"])
    shown = rows(dump(example.page, tmp_path, f"rule={loose}&verdict=materialized"))
    assert set(shown) == expected and expected
    searched = rows(dump(SHIPPED, tmp_path, "q=Savchenko"))
    claims = load(paths.DEFAULT_DATA_DIR).claims
    assert set(searched) == set(claims.loc[claims["claimant"].str.contains("Savchenko"), "claim_id"])


def test_claim_detail_shows_candidates_considered(tmp_path):
    out = dump(SHIPPED, tmp_path, "claim=C29")
    detail = Dom(out[out.index('id="detail"') :]).all_text()
    verdicts = pd.read_csv(paths.tables_dir() / paths.VERDICTS_FILE, dtype=str, keep_default_na=False).set_index(
        "claim_id"
    )
    assert verdicts.loc["C29", "candidates_considered"] in detail
    assert "Candidates considered" in detail


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile-explorer")
    data, in_summary = hostile_ledgers(tmp / "data")
    ledgers = load(data)
    root = tmp / "out"
    results.write(results.compute(ledgers, load_rules(data / "rules.toml")), paths.report_dir(root))
    page = explorer.write_explorer(root, ledgers)
    return SimpleNamespace(tmp=tmp, page=page, in_summary=in_summary, ledgers=ledgers)


def test_hostile_text_stays_inert_in_the_explorer(hostile_page, tmp_path):
    text = hostile_page.page.read_text(encoding="utf-8")
    data_json = text.split('id="explorer-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data_json and "&" not in data_json  # nothing in the data can end its element
    script_claim = next(c for c, payload in hostile_page.in_summary.items() if payload == PAYLOADS["script"])
    out = dump(hostile_page.page, tmp_path, f"claim={script_claim}")
    dom = Dom(out)
    assert dom.title == explorer.TITLE and dom.title != PWNED
    assert "data-pwned" not in [a for t, a in dom.tags if t == "body"][0]
    assert [t for t, _ in dom.tags if t in ("img", "svg", "iframe", "object", "embed")] == []
    assert len([t for t, _ in dom.tags if t == "script"]) == 3
    for tag, attrs in dom.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "a":
            assert re.match(r"^https?://[^\s<>\"'()\[\]`]+$", attrs.get("href", "")), attrs
    assert PAYLOADS["script"] in dom.all_text()  # shown as text in the claim's detail


def test_explorer_without_story_column_and_with_one(hostile_page, tmp_path):
    ledgers = hostile_page.ledgers
    data = explorer.explorer_data(hostile_page.page.parent, ledgers)
    assert all("story_id" not in c for c in data["claims"]) or "story_id" in ledgers.claims.columns
    storied = SimpleNamespace(**vars(ledgers))
    storied.claims = ledgers.claims.assign(story_id=["S1"] * 2 + [f"S{i}" for i in range(2, len(ledgers.claims))])
    page = tmp_path / "report" / explorer.EXPLORER_FILE
    paths.tables_in(page.parent).mkdir(parents=True)
    for name in (paths.KEY_NUMBERS_FILE, paths.VERDICTS_FILE, paths.GRID_VERDICTS_FILE):
        shutil.copy(paths.tables_in(hostile_page.page.parent) / name, paths.tables_in(page.parent) / name)
    explorer.write_explorer(tmp_path, storied)
    first, second = storied.claims["claim_id"].iloc[:2]
    out = dump(page, tmp_path, f"claim={first}")
    detail = Dom(out[out.index('id="detail"') :]).all_text()
    assert "Same story (S1)" in detail and second in detail
