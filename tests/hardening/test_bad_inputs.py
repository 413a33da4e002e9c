"""Hardening: every ledger broken in every documented way, through validate, run and build.

The corpus is generated from the shipped data/ by tests/bad_inputs/generate.py (one data folder
per (file, defect), with the exact `file:line: column: ` prefix the problem line must start with).
Every case goes through the three commands in-process (analysis.__main__.main, the same entry
point `python -m analysis` uses) and a representative subset through real subprocesses. For each:
exit status 2, one short line per problem on stderr naming file, line and column, no traceback,
the data folder unchanged, and no output file touched (the out folder holds sentinel files that
must keep their bytes, and nothing may be added to it).
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from bad_inputs.generate import (
    ACCEPTED,
    CASES,
    CSV_FILES,
    DEFECTS,
    MAX_FILE_BYTES,
    SPECS,
    Case,
    copy_data,
    make_accepted,
    read_rows,
    write_rows,
)

from analysis.__main__ import main as cli_main
from analysis.inputs import paths
from analysis.inputs.load import load, validate

ROOT = paths.ROOT
COMMANDS = ("validate", "run", "build")
BY_ID = {case.id: case for case in CASES}

# The defects the hardening issue asks for, per file (the corpus holds more).
REQUIRED = {
    "claims.csv": {
        "empty",
        "header_only",
        "missing_column",
        "extra_column",
        "wrong_delimiter",
        "not_utf8",
        "impossible_date",
        "out_of_range_date",
        "unknown_enum",
        "duplicate_id",
        "dangling_place",
        "oversized",
    },
    "incidents.csv": {
        "empty",
        "header_only",
        "missing_column",
        "extra_column",
        "wrong_delimiter",
        "not_utf8",
        "impossible_date",
        "out_of_range_date",
        "unknown_enum",
        "duplicate_id",
        "dangling_place",
        "oversized",
    },
    "places.csv": {
        "empty",
        "header_only",
        "missing_column",
        "extra_column",
        "wrong_delimiter",
        "not_utf8",
        "unknown_enum",
        "duplicate_id",
        "latitude_outside_syria",
        "longitude_outside_syria",
        "oversized",
    },
    "aggregate_counts.csv": {
        "empty",
        "header_only",
        "missing_column",
        "extra_column",
        "wrong_delimiter",
        "not_utf8",
        "impossible_date",
        "out_of_range_date",
        "unknown_enum",
        "duplicate_id",
        "oversized",
    },
}

# One real `python -m analysis` process per entry: every command, every file, several defects.
SUBPROCESS_CASES = (
    ("validate", "claims-not_utf8"),
    ("validate", "aggregate_counts-oversized"),
    ("run", "places-latitude_outside_syria"),
    ("run", "incidents-dangling_place"),
    ("build", "claims-impossible_date"),
    ("build", "aggregate_counts-wrong_delimiter"),
)

# Defects found on a data row (or the header): the same line must be reported in a BOM + CRLF file.
LINE_LEVEL = {
    "missing_column",
    "extra_column",
    "not_utf8",
    "impossible_date",
    "out_of_range_date",
    "unknown_enum",
    "duplicate_id",
    "dangling_place",
    "latitude_outside_syria",
    "longitude_outside_syria",
    "ragged_row",
}


def snapshot(folder: Path | None) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under folder, hidden ones included."""
    if folder is None:
        return {}
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


def prepare_out(tmp: Path, command: str) -> Path | None:
    """An out folder holding what a previous run left there (sentinels whose bytes must survive)."""
    if command == "validate":
        return None
    out = tmp / f"out-{command}"
    if command == "run":
        out.mkdir(parents=True)
        paths.tables_in(out).mkdir(parents=True)
        (paths.tables_in(out) / paths.KEY_NUMBERS_FILE).write_text('{"previous": "run"}\n', encoding="utf-8")
        (paths.tables_in(out) / paths.VERDICTS_FILE).write_text("claim_id,verdict\nC01,previous\n", encoding="utf-8")
    else:
        (out / "figures" / "data").mkdir(parents=True)
        (out / "report" / "notebooks").mkdir(parents=True)
        (out / "figures" / "01-timeline.png").write_bytes(b"\x89PNG previous build")
        (out / "report" / "report.html").write_text("<p>previous build</p>\n", encoding="utf-8")
        paths.tables_dir(out).mkdir(parents=True)
        (paths.tables_dir(out) / paths.KEY_NUMBERS_FILE).write_text('{"previous": "build"}\n', encoding="utf-8")
        (out / "sentinel.txt").write_text("previous\n", encoding="utf-8")
    return out


def arguments(command: str, data: Path, out: Path | None) -> list[str]:
    return [command, "--data", str(data)] + ([] if out is None else ["--out", str(out)])


def check_report(err: str, expected, code: int, file: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert lines, "nothing on standard error"
    summary = lines[-1]
    problems = lines[:-1]
    assert summary.endswith("found; nothing was written."), err
    assert len(problems) == expected.problems, err
    assert all(line.startswith(f"{file}:") for line in problems), err
    matching = [line for line in problems if line.startswith(expected.prefix)]
    assert matching, f"no line starts with {expected.prefix!r}:\n{err}"
    assert any(expected.fragment in line for line in matching), f"{expected.fragment!r} not in {matching}"
    # Short, one-line messages: a 100,000-character cell must not flood the terminal.
    assert all(len(line) < 300 for line in lines), max(lines, key=len)[:300]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """case id -> (data folder, Expected); oversized files are deleted again afterwards."""
    root = tmp_path_factory.mktemp("bad_inputs")
    made = {}
    for case in CASES:
        directory = root / case.id
        made[case.id] = (directory, case.make(directory))
    yield made
    for directory, _ in made.values():
        for path in directory.glob("*.csv"):
            if path.stat().st_size > MAX_FILE_BYTES:
                path.unlink()


def test_corpus_covers_every_file_and_defect():
    present = {(case.file, case.defect) for case in CASES}
    for name in CSV_FILES:
        missing = {d for d in REQUIRED[name] if (name, d) not in present}
        assert not missing, f"{name}: no case for {sorted(missing)}"
    assert len({case.id for case in CASES}) == len(CASES)
    runs = len(CASES) * len(COMMANDS)
    print(f"\nbad inputs: {len(CASES)} cases x {len(COMMANDS)} commands = {runs} in-process runs")
    print(f"plus {len(SUBPROCESS_CASES)} subprocess runs and {len(ACCEPTED) * len(CSV_FILES)} accepted variants")
    assert len(CASES) >= 60


def test_shipped_data_is_valid():
    """The corpus is only meaningful if the untouched copy validates."""
    assert validate(paths.DEFAULT_DATA_DIR) == []


def test_round_trip_rewrite_is_still_valid(tmp_path):
    """The generator rewrites files with csv.writer; that alone must not introduce a problem."""
    data = copy_data(tmp_path / "data")
    for name in CSV_FILES:
        header, rows = read_rows(data / name)
        write_rows(data / name, header, rows)
    assert validate(data) == []


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case_id", sorted(BY_ID))
def test_bad_input_in_process(corpus, tmp_path, capsys, case_id, command):
    data, expected = corpus[case_id]
    out = prepare_out(tmp_path, command)
    data_before, out_before = snapshot(data), snapshot(out)
    code = cli_main(arguments(command, data, out))
    captured = capsys.readouterr()
    check_report(captured.err, expected, code, BY_ID[case_id].file)
    assert snapshot(out) == out_before, "the out folder changed"
    assert snapshot(data) == data_before, "the data folder changed"
    if command != "build":
        assert captured.out == ""


@pytest.fixture(scope="module")
def subprocess_results(corpus, tmp_path_factory):
    root = tmp_path_factory.mktemp("bad_inputs_cli")

    def start(item):
        command, case_id = item
        data, expected = corpus[case_id]
        out = prepare_out(root / f"{command}-{case_id}", command)
        before = snapshot(out), snapshot(data)
        result = subprocess.run(
            [sys.executable, "-m", "analysis", *arguments(command, data, out)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return item, (result, expected, before, (snapshot(out), snapshot(data)))

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(pool.map(start, SUBPROCESS_CASES))


@pytest.mark.parametrize("item", SUBPROCESS_CASES, ids=[f"{c}-{i}" for c, i in SUBPROCESS_CASES])
def test_bad_input_subprocess(subprocess_results, item):
    result, expected, before, after = subprocess_results[item]
    check_report(result.stderr, expected, result.returncode, BY_ID[item[1]].file)
    assert after == before, "an output or the data folder changed"
    if item[0] != "build":
        assert result.stdout == ""


# --- accepted variants ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CSV_FILES)
@pytest.mark.parametrize("variant", sorted(ACCEPTED))
def test_accepted_variant_validates(tmp_path, variant, name):
    data = make_accepted(tmp_path / "data", variant, files=(name,))
    raw = (data / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == ("bom" in variant)
    assert (b"\r\n" in raw) == ("crlf" in variant)
    assert validate(data) == []


def test_accepted_variants_load_the_same_rows(tmp_path):
    plain = load(paths.DEFAULT_DATA_DIR)
    variant = load(make_accepted(tmp_path / "data", "bom_crlf"))
    for frame in ("claims", "incidents", "places", "aggregates"):
        left, right = getattr(plain, frame), getattr(variant, frame)
        assert list(left.columns) == list(right.columns)  # the BOM did not rename the first column
        assert len(left) == len(right)
        assert (left["_line"].tolist()) == (right["_line"].tolist())


def test_accepted_variant_subprocess(tmp_path):
    data = make_accepted(tmp_path / "data", "bom_crlf")
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "validate", "--data", str(data)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "valid (" in result.stdout and result.stderr == ""


@pytest.mark.parametrize("case_id", sorted(c.id for c in CASES if c.defect in LINE_LEVEL))
def test_defect_in_bom_crlf_file_has_the_same_line(tmp_path, case_id):
    case = BY_ID[case_id]
    data = tmp_path / "data"
    expected = case.make(data)
    path = data / case.file
    path.write_bytes(ACCEPTED["bom_crlf"](path.read_bytes()))
    texts = [str(p) for p in validate(data)]
    assert any(t.startswith(expected.prefix) and expected.fragment in t for t in texts), (expected.prefix, texts)


# --- gaps found while hardening (see the report that came with these tests) -----------------------


def test_unclosed_quote_is_reported_on_the_row_that_opens_it(tmp_path):
    """A cell opened with a quote and never closed swallows the next line; the row to fix is the first."""
    data = copy_data(tmp_path / "data")
    path = data / "claims.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i in range(4, len(lines)) if lines[i].endswith(",\n"))  # a row ending in an empty cell
    lines[index] = lines[index][:-1] + '"see below\n'
    path.write_text("".join(lines), encoding="utf-8")
    problems = [str(p) for p in validate(data)]
    assert problems and problems[0].startswith(f"claims.csv:{index + 1}: "), problems


def test_huge_integer_is_rejected_or_kept(tmp_path):
    data = copy_data(tmp_path / "data")
    path = data / "aggregate_counts.csv"
    header, rows = read_rows(path)
    rows[3][header.index("count")] = "99999999999999999999999"
    write_rows(path, header, rows)
    problems = validate(data)
    if problems:
        return  # rejected: fine
    counts = load(data).aggregates["count"]
    assert counts.iloc[3] == 99999999999999999999999 and (counts >= 0).all()


def test_every_defect_function_is_used():
    used = {case.defect for case in CASES}
    assert used == set(DEFECTS)
    assert {spec.name for spec in SPECS.values()} == set(CSV_FILES)


def test_case_ids_are_stable():
    assert Case("claims.csv", "empty").id == "claims-empty"


# --- rules.toml: a campaign folder may bring its own (README "Adding claims") ---------------------


def _rules_with(tmp_path: Path, section: str, key: str, value: str) -> Path:
    """A data copy whose rules.toml sets `key = value` in [section] (first occurrence in it)."""
    data = copy_data(tmp_path / "data")
    lines = (data / "rules.toml").read_text(encoding="utf-8").splitlines(keepends=True)
    current = None
    for i, line in enumerate(lines):
        if line.startswith("["):
            current = line.strip().strip("[]")
        elif current == section and line.startswith(f"{key} ="):
            lines[i] = f"{key} = {value}\n"
            break
    else:
        raise KeyError(f"[{section}] {key}")
    (data / "rules.toml").write_text("".join(lines), encoding="utf-8")
    return data


def test_rules_syntax_error_is_reported(tmp_path, capsys):
    data = _rules_with(tmp_path, "primary", "window_days", "thirty")
    code = cli_main(["validate", "--data", str(data)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("rules.toml:") and "Traceback" not in err, err


def test_rules_bad_scope_date_is_reported(tmp_path, capsys):
    data = _rules_with(tmp_path, "scope", "date_from", '"first of August"')
    code = cli_main(["validate", "--data", str(data)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("rules.toml: ") and "first of August" in err, err


def test_campaign_bad_published_count_date_is_reported(tmp_path, capsys):
    data = copy_data(tmp_path / "data")
    path = data / "campaign.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('date_from = "2018-08-01"', 'date_from = "first of August"', 1), encoding="utf-8")
    out = prepare_out(tmp_path, "run")
    before = snapshot(out)
    for command in ("validate", "run"):
        try:
            code = cli_main(arguments(command, data, out if command == "run" else None))
        except Exception as err:  # the point: it must not raise
            pytest.fail(f"{command} raised {type(err).__name__}: {err}")
        err = capsys.readouterr().err
        assert code == 2 and err.startswith("campaign.toml: ") and "first of August" in err, (command, err)
    assert snapshot(out) == before


def test_rules_toml_syntax_error_names_line_and_column(tmp_path, capsys):
    data = copy_data(tmp_path / "data")
    path = data / "rules.toml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if line.startswith("window_days ="))
    lines[number] = 'window_days = "30\n'  # an unclosed string
    path.write_text("".join(lines), encoding="utf-8")
    code = cli_main(["validate", "--data", str(data)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"rules.toml:{number + 1}:"), err
    assert "(at line" not in err, err


def test_rules_reconciliation_section_points_to_campaign_toml(tmp_path, capsys):
    data = copy_data(tmp_path / "data")
    with (data / "rules.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n[reconciliation]\npublished_total = 3\n")
    code = cli_main(["validate", "--data", str(data)])
    err = capsys.readouterr().err
    assert code == 2 and "campaign.toml" in err, err


def test_rules_negative_window_is_reported(tmp_path, capsys):
    data = _rules_with(tmp_path, "primary", "window_days", "-30")
    code = cli_main(["validate", "--data", str(data)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("rules.toml: ") and "window_days" in err, err
