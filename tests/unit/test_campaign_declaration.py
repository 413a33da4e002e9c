"""campaign.toml: several named campaigns, published counts, and folders without a declaration."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import copy_data

from analysis.inputs import paths
from analysis.inputs.campaign import CAMPAIGN_FILE, load_declaration, out_of_period
from analysis.inputs.load import DataError, load
from analysis.outputs.results import reconciliation

TWO = """
[[campaign]]
id = "first"
title = "First"
period_from = "2030-01-01"
period_to = "2030-02-28"

[[campaign.published_count]]
source = "Counter"
criteria = "all of them"
mapping = "one-to-one"
total = 2

[[campaign]]
id = "second"
title = "Second"
period_from = "2030-06-01"
period_to = "2031-05-31"
"""


def test_shipped_declaration():
    declaration = load_declaration(paths.DEFAULT_DATA_DIR)
    campaign = declaration.main
    assert declaration.source.name == CAMPAIGN_FILE and campaign.declared
    (count,) = campaign.published_counts
    assert count.mapping == "inference" and "press account" in count.read_via and count.url.startswith("https://")
    assert count.total is not None and count.by_group  # the numbers live in data/, not in code


def test_several_campaigns_in_one_folder(tmp_path):
    (tmp_path / CAMPAIGN_FILE).write_text(TWO, encoding="utf-8")
    declaration = load_declaration(tmp_path)
    assert [c.id for c in declaration.campaigns] == ["first", "second"]
    first, second = declaration.campaigns
    assert first.published_counts[0].date_from == pd.Timestamp("2030-01-01")  # defaults to the period
    assert second.published_counts == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (TWO.replace('id = "second"', 'id = "first"'), "campaign ids must be unique"),
        (TWO.replace('mapping = "one-to-one"', 'mapping = "guess"'), "mapping = 'guess' is not one of"),
        (TWO.replace('period_to = "2030-02-28"', 'period_to = "2029-02-28"'), "is after period_to"),
        (TWO.replace('title = "First"\n', ""), "missing setting 'title'"),
        ('[campaign]\ntitle = "x"\n', "[[campaign]]"),
        (TWO.replace('title = "First"', 'title = "First'), "campaign.toml:"),
    ],
)
def test_broken_declarations_are_reported(tmp_path, text, message):
    (tmp_path / CAMPAIGN_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_declaration(tmp_path)
    assert message in str(caught.value)


def test_no_declaration_is_described_from_the_claims(tmp_path):
    data = copy_data(tmp_path / "data")
    (data / CAMPAIGN_FILE).unlink()
    ledgers = load(data)
    declaration = load_declaration(data, ledgers.claims)
    campaign = declaration.main
    assert declaration.source is None and not campaign.declared and campaign.published_counts == ()
    dates = pd.concat([ledgers.claims[c] for c in ("date_made", "date_earliest", "date_latest")]).dropna()
    assert (campaign.period_from, campaign.period_to) == (dates.min(), dates.max())
    assert out_of_period(ledgers.claims, campaign).empty


def test_reconciliation_filters_and_period():
    ledgers = load(paths.DEFAULT_DATA_DIR)
    (count,) = load_declaration(paths.DEFAULT_DATA_DIR).main.published_counts
    rec = reconciliation(ledgers.claims, count)
    claims = ledgers.claims.set_index("claim_id")
    for claim_id in rec["ours_ids"]:
        for column, value in count.filters.items():
            assert claims.loc[claim_id, column] == value
    assert rec["ours_total"] == len(rec["ours_ids"]) <= rec["ledger_total"] == len(claims)
    assert rec["ledger_failing_filters"] == sum(
        (claims[column] != value).sum() for column, value in count.filters.items()
    )
