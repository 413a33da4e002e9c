"""Hardening: the loaders never crash, whatever bytes or cells a ledger holds.

Property (hypothesis): with any one file of a copy of data/ replaced by arbitrary bytes, mutated
real bytes, or real rows whose cells are arbitrary text (control characters, quotes, newlines,
delimiters, byte-order marks ...), analysis.inputs.load.validate returns a list of Problems (possibly
empty) and never raises; every problem names a ledger file first, and its line lies in the file.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from conftest import COLUMNS, CSV_FILES, copy_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.inputs import paths
from analysis.inputs.load import CORE_RESOURCES, Problem, resources, validate

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SHIPPED = {name: (paths.DEFAULT_DATA_DIR / name).read_bytes() for name in CSV_FILES}
PROBLEM = re.compile(r"^(claims|incidents|places|aggregate_counts)\.csv(:\d+)?: ")

# Text that stresses a CSV reader and a validator: separators, quotes, line breaks of every kind,
# control characters, a BOM, right-to-left marks, and the characters ids and dates are made of.
NASTY = st.sampled_from(
    [",", ";", '"', "'", "\n", "\r", "\r\n", "\t", "\x00", "\x0b", "\x0c", "\x1c", "\x85", "\u2028"]
    + ["\ufeff", "\u202e", "\\", "|", "=", "-", "2018-02-30", "C01", "idlib", "http://", " ", ""]
)
CELL = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Zs", "Po", "Pd", "Nd"]), max_size=20),
    st.lists(NASTY, max_size=6).map("".join),
)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """One copy of data/ per target file; each example overwrites only that file."""
    root = tmp_path_factory.mktemp("fuzz")
    return {name: copy_data(root / name.removesuffix(".csv")) for name in CSV_FILES}


def physical_lines(raw: bytes) -> int:
    text = raw.decode("utf-8", errors="replace")
    return text.count("\n") + text.count("\r") - text.count("\r\n") + 1


def check(problems: object, target: str, raw: bytes) -> None:
    assert isinstance(problems, list)
    lines = physical_lines(raw)
    for problem in problems:
        assert isinstance(problem, Problem)
        text = str(problem)
        assert PROBLEM.match(text), text[:200]
        assert problem.file in CSV_FILES
        if target != "places.csv":  # a broken gazetteer also shows as dangling references elsewhere
            assert problem.file == target, text[:200]
        if problem.line is not None and problem.file == target:
            assert 1 <= problem.line <= lines + 1, (problem.line, lines, text[:200])
        assert len(problem.message) < 400, problem.message[:400]


def run(folder, target: str, raw: bytes) -> list:
    (folder / target).write_bytes(raw)
    problems = validate(folder)
    check(problems, target, raw)
    return problems


@SETTINGS
@given(raw=st.binary(max_size=4000))
def test_arbitrary_bytes_as_claims(folders, raw):
    problems = run(folders["claims.csv"], "claims.csv", raw)
    assert problems, "random bytes validated as a claims ledger"


@SETTINGS
@given(raw=st.binary(max_size=4000))
def test_arbitrary_bytes_as_places(folders, raw):
    run(folders["places.csv"], "places.csv", raw)


@st.composite
def mutated(draw):
    """The real file with a few bytes inserted, deleted or replaced: gets past the header checks."""
    name = draw(st.sampled_from(CSV_FILES))
    raw = bytearray(SHIPPED[name])
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(raw)))
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = draw(
            st.one_of(st.binary(min_size=1, max_size=4), st.sampled_from([b",", b'"', b"\n", b"\r", b";", b"\xff"]))
        )
        if op == "insert":
            raw[at:at] = chunk
        elif op == "delete":
            del raw[at : at + len(chunk)]
        else:
            raw[at : at + len(chunk)] = chunk
    return name, bytes(raw)


@SETTINGS
@given(case=mutated())
def test_mutated_bytes(folders, case):
    name, raw = case
    run(folders[name], name, raw)


def _rows(name: str) -> tuple[list[str], list[list[str]]]:
    records = list(csv.reader(io.StringIO(SHIPPED[name].decode("utf-8"), newline="")))
    return records[0], records[1:]


@st.composite
def edited_rows(draw):
    """Real rows, some cells replaced by arbitrary text; sometimes extra all-random rows."""
    name = draw(st.sampled_from(CSV_FILES))
    header, rows = _rows(name)
    rows = [list(r) for r in rows]
    for _ in range(draw(st.integers(1, 8))):
        row = draw(st.integers(0, len(rows) - 1))
        column = draw(st.integers(0, len(header) - 1))
        rows[row][column] = draw(CELL)
    extra = draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)), max_size=3))
    rows.extend(extra)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows([header, *rows])
    return name, buffer.getvalue().encode("utf-8")


@SETTINGS
@given(case=edited_rows())
def test_arbitrary_cells(folders, case):
    name, raw = case
    run(folders[name], name, raw)


def test_shipped_files_round_trip_as_written(folders):
    """The fixtures start from valid data: the untouched copies validate."""
    for name, folder in folders.items():
        (folder / name).write_bytes(SHIPPED[name])
    for folder in folders.values():
        assert validate(folder) == []
    # Every core ledger is fuzzed here; the optional tables (offensives, sources register) are
    # checked for file:line errors in tests/hygiene/test_register.py.
    optional = {resources()[name]["path"] for name in resources() if name not in CORE_RESOURCES}
    assert set(COLUMNS) == set(CSV_FILES) | optional
