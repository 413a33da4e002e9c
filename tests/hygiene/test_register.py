"""The sources register and the offensives table: loaded and validated like the ledgers, and
consistent with them."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import DATA, copy_data

from analysis.inputs.load import CORE_RESOURCES, load, resources, split_list, validate

KINDS = ["primary", "wire", "state_media", "news", "repost", "document_mirror", "archive"]


@pytest.fixture(scope="module")
def ledgers():
    return load()


def test_extra_resources_are_loaded(ledgers):
    extras = [name for name in resources() if name not in CORE_RESOURCES]
    assert set(extras) == {"offensives", "sources"}
    assert set(ledgers.extras) == set(extras)


def test_every_cited_url_is_in_the_register(ledgers):
    register = ledgers.extras["sources"]
    cited = {
        (ledger, row, url)
        for ledger, row, url, role in zip(
            register["ledger"], register["row_id"], register["url"], register["role"], strict=True
        )
        if role == "cited"
    }
    missing = [
        (ledger, row[key], url)
        for ledger, frame, key in (
            ("claims", ledgers.claims, "claim_id"),
            ("incidents", ledgers.incidents, "incident_id"),
        )
        for _, row in frame.iterrows()
        for url in split_list(row["source_urls"])
        if (ledger, row[key], url) not in cited
    ]
    assert not missing, missing[:10]


def test_register_cites_nothing_the_rows_do_not(ledgers):
    rows = {("claims", r.claim_id): set(split_list(r.source_urls)) for r in ledgers.claims.itertuples()} | {
        ("incidents", r.incident_id): set(split_list(r.source_urls)) for r in ledgers.incidents.itertuples()
    }
    register = ledgers.extras["sources"]
    stray = [
        (r.ledger, r.row_id, r.url)
        for r in register.itertuples()
        if (r.ledger, r.row_id) not in rows or (r.role == "cited" and r.url not in rows[(r.ledger, r.row_id)])
    ]
    assert not stray, stray[:10]
    assert not register.duplicated(["ledger", "row_id", "url", "role"]).any()


def test_kinds_are_the_declared_enum(ledgers):
    field = {f["name"]: f for f in resources()["sources"]["schema"]["fields"]}["kind"]
    assert field["constraints"]["enum"] == KINDS
    assert set(ledgers.extras["sources"]["kind"]) <= set(KINDS)


def test_offensive_dates_agree_with_their_precision(ledgers):
    forms = {"day": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}"}
    for row in ledgers.extras["offensives"].itertuples():
        assert re.fullmatch(forms[row.start_precision], row.start), row.offensive_id
        if row.end_precision in forms:
            assert isinstance(row.end, str) and re.fullmatch(forms[row.end_precision], row.end), row.offensive_id
            assert row.end >= row.start, row.offensive_id
        else:
            assert not isinstance(row.end, str), row.offensive_id


def test_a_campaign_folder_may_omit_the_extra_tables(tmp_path):
    copy_data(tmp_path)
    # Without offensives.csv, no campaign may be declared as made of offensives.
    (tmp_path / "offensives.csv").unlink()
    toml = tmp_path / "campaign.toml"
    toml.write_text(re.sub(r"(?m)^offensives = .*\n", "", toml.read_text(encoding="utf-8")), encoding="utf-8")
    assert validate(tmp_path) == []
    from analysis.inputs.campaign import scope_warnings

    assert scope_warnings(load(tmp_path)) == []
    assert load(tmp_path).extras == {}


def test_a_bad_register_cell_names_file_line_and_column(tmp_path):
    copy_data(tmp_path)
    shutil.copy2(DATA / "sources.csv", tmp_path / "sources.csv")
    path = tmp_path / "sources.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace(",cited,", ",quoted,", 1)
    path.write_text("".join(lines), encoding="utf-8")
    problems = [str(p) for p in validate(tmp_path)]
    assert problems == ["sources.csv:2: role: 'quoted' is not one of: cited, archived"], problems
