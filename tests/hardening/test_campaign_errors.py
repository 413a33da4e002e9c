"""Errors a new campaign's author can act on: the file, the line, the column, and what to do."""

from __future__ import annotations

import pytest
from conftest import copy_data, edit_cell, line_of

from analysis.__main__ import main as cli_main


def validate(data, *extra) -> tuple[int, str]:
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli_main(["validate", "--data", str(data), *extra])
    return code, err.getvalue()


def test_misspelt_place_id_gets_the_closest_ids(tmp_path):
    data = copy_data(tmp_path / "data")
    edit_cell(data / "claims.csv", "C27", "place_ids", "jisr-al-shugur;khirbat-al-amud")
    code, err = validate(data)
    n = line_of(data / "claims.csv", "C27")
    assert code == 2
    assert f"claims.csv:{n}: place_ids: 'jisr-al-shugur' is not in places.csv; did you mean 'jisr-al-shughur'?" in err


@pytest.mark.parametrize(
    ("typed", "hint"),
    [("afs; saraqib", "no spaces"), ("Idlib", "lower case"), ("afs, saraqib", "joined by ';'")],
)
def test_place_list_typed_wrong_says_the_expected_form(tmp_path, typed, hint):
    data = copy_data(tmp_path / "data")
    edit_cell(data / "claims.csv", "C27", "place_ids", typed)
    code, err = validate(data)
    assert code == 2 and hint in err and "e.g. 'saraqib;jisr-al-shughur'" in err, err
    assert "^[a-z0-9]" not in err  # never the raw pattern


def test_changing_only_date_made_names_that_column_and_both_values(tmp_path):
    data = copy_data(tmp_path / "data")
    edit_cell(data / "claims.csv", "C05", "date_made", "2018-06-26")
    code, err = validate(data)
    n = line_of(data / "claims.csv", "C05")
    assert code == 2
    assert f"claims.csv:{n}: date_made: 2018-06-26 differs from date_earliest and date_latest (2018-08-26)" in err, err


def test_changing_only_date_earliest_names_that_column(tmp_path):
    data = copy_data(tmp_path / "data")
    edit_cell(data / "claims.csv", "C05", "date_earliest", "2018-08-20")
    code, err = validate(data)
    n = line_of(data / "claims.csv", "C05")
    assert code == 2
    assert f"claims.csv:{n}: date_earliest: 2018-08-20 differs from date_made (2018-08-26)" in err, err


def test_claim_outside_the_declared_period_warns_and_fails_under_strict(tmp_path):
    data = copy_data(tmp_path / "data")
    for column in ("date_made", "date_earliest", "date_latest"):
        edit_cell(data / "claims.csv", "C05", column, "2028-06-26")  # a typo: 2028 for 2018
    n = line_of(data / "claims.csv", "C05")
    code, err = validate(data)
    assert code == 0
    assert (
        f"warning: claims.csv:{n}: C05 is dated 2028-06-26, outside every campaign period declared in campaign.toml"
        in err
    )
    strict, err = validate(data, "--strict")
    assert strict == 2 and "--strict" in err


def test_shipped_data_has_no_warnings():
    from analysis.inputs import paths

    assert validate(paths.DEFAULT_DATA_DIR, "--strict") == (0, "")


def test_rules_toml_syntax_error_position_is_parsed_on_every_python(tmp_path):
    import tomllib

    from analysis.inputs.campaign import toml_problem

    try:
        tomllib.loads('a = 1\nb = "unclosed\n')
    except tomllib.TOMLDecodeError as err:
        problem = toml_problem(tmp_path / "rules.toml", err)
    assert str(problem).startswith("rules.toml:2:")
    assert "(at line" not in str(problem)


def test_build_messages_name_out_of_period_claims_and_headline_changes(tmp_path):
    import json

    from analysis.inputs.load import load
    from analysis.outputs import readme

    data = copy_data(tmp_path / "data")
    for column in ("date_made", "date_earliest", "date_latest"):
        edit_cell(data / "claims.csv", "C05", column, "2028-06-26")
    previous = tmp_path / "key_numbers.json"
    previous.write_text(json.dumps({"hits": 0, "claims_assessable": 32, "claims_total": 39}), encoding="utf-8")
    current = {"hits": 0, "claims_assessable": 31, "claims_total": 39}
    lines = readme.build_messages(load(data), previous, current)
    assert any(line.startswith("warning: claims.csv:") and "C05 is dated 2028-06-26" in line for line in lines)
    assert "headline changed: dated predictions scored 32 -> 31" in lines
    assert not any("hits" in line for line in lines if line.startswith("headline changed"))
    assert readme.build_messages(load(data), tmp_path / "absent.json", current)[1:] == []


def test_named_campaign_off_its_offensives_fails_validation_naming_the_file(tmp_path):
    data = copy_data(tmp_path / "data")
    toml = data / "campaign.toml"
    text = toml.read_text(encoding="utf-8")
    first = text.index("offensives = [")
    start = text.index('period_to = "', first) + len('period_to = "')
    toml.write_text(text[:start] + "2099-01-01" + text[start + 10 :], encoding="utf-8")  # not the offensives' end
    code, err = validate(data)
    assert code == 2 and err.startswith("campaign.toml: campaign ") and "is not its offensives' span" in err, err
    (data / "offensives.csv").unlink()
    code, err = validate(data)
    assert code == 2 and "not in offensives.csv" in err, err
