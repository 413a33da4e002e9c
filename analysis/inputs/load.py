"""Read and validate the ledgers against the codebook (data/datapackage.json).

The Table Schemas in datapackage.json are the single source of truth for columns, types,
enumerations and keys; frictionless checks cells against them. This module adds what a Table
Schema cannot say: file-level problems (encoding, delimiter, size), list-valued references into
the gazetteer, and date bounds. Every problem names file, line and column.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.inputs import paths

MAX_FILE_BYTES = 20 * 1024 * 1024  # hand-edited ledgers; anything larger is a mistake, not data
MAX_PROBLEMS_PER_FILE = 50  # keep the report readable when a whole file is wrong
LIST_SEPARATOR = ";"
# The four ledgers every data folder must hold; any other resource in datapackage.json is checked
# when its file is present and may be absent (a campaign folder need not carry a sources register).
CORE_RESOURCES = ("claims", "incidents", "places", "aggregate_counts")
UTF8_BOM = "\ufeff"


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    column: str | None
    message: str
    char: int | None = None  # position within the line, for text files (rules.toml)

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        where = where if self.char is None else f"{where}:{self.char}"
        return f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class DataError(Exception):
    """The ledgers do not satisfy the codebook. `problems` lists every finding."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Ledgers:
    claims: pd.DataFrame
    incidents: pd.DataFrame
    places: pd.DataFrame
    aggregates: pd.DataFrame
    data_dir: Path
    # Further tables declared in datapackage.json (offensives, sources register), by resource name.
    extras: dict[str, pd.DataFrame] = dataclasses.field(default_factory=dict)


def datapackage_path(data_dir: Path | None = None) -> Path:
    """A folder's own codebook (its vocabularies, id patterns, coordinate area), else the project's."""
    own = Path(data_dir) / paths.DATAPACKAGE_FILE if data_dir else None
    return own if own is not None and own.exists() else paths.schema_path()


def load_datapackage(data_dir: Path | None = None) -> dict:
    return json.loads(datapackage_path(data_dir).read_text(encoding="utf-8"))


def resources(data_dir: Path | None = None) -> dict[str, dict]:
    return {r["name"]: r for r in load_datapackage(data_dir)["resources"]}


def schema_field(resource: str, column: str, data_dir: Path | None = None) -> dict:
    """One column's entry in the folder's codebook (datapackage.json)."""
    return next(f for f in resources(data_dir)[resource]["schema"]["fields"] if f["name"] == column)


def enum_labels(resource: str, column: str, data_dir: Path | None = None) -> dict[str, str]:
    """An enumerated column's values in the codebook's order, with their display names.

    Display names come from the field's `enumLabels` (value -> name); a value without one is shown
    with its underscores as spaces.
    """
    field = schema_field(resource, column, data_dir)
    labels = field.get("enumLabels", {})
    return {value: labels.get(value, value.replace("_", " ")) for value in field["constraints"].get("enum", [])}


def short(value: object, limit: int = 60) -> str:
    """Quote a cell for a message without flooding the terminal (cells are untrusted text)."""
    text = str(value)
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(text)


# --- reading one file -------------------------------------------------------------------------


@dataclass
class ParsedTable:
    header: list[str]
    rows: list[list[str]]
    lines: list[int]  # physical line on which each row starts (header is line 1)


def _decode(name: str, raw: bytes) -> tuple[str | None, list[Problem]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        byte = raw[err.start : err.start + 1].hex()
        return None, [Problem(name, line, None, f"byte 0x{byte} is not valid UTF-8; save as UTF-8")]
    return text.removeprefix(UTF8_BOM), []


def _guess_delimiter(header_line: str) -> str | None:
    for candidate in (";", "\t", "|"):
        if candidate in header_line:
            return candidate
    return None


def read_table(path: Path, resource: dict) -> tuple[ParsedTable | None, list[Problem]]:
    """Parse a CSV file strictly; return rows as strings plus problems found on the way."""
    name = path.name
    if not path.exists():
        return None, [Problem(name, None, None, f"file not found in {path.parent}")]
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        return None, [Problem(name, None, None, f"file is {size:,} bytes, over the {limit} MB limit")]
    text, problems = _decode(name, path.read_bytes())
    if text is None:
        return None, problems
    if not text.strip():
        return None, [Problem(name, 1, None, "file is empty; expected a header row")]

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[list[str]] = []
    starts: list[int] = []
    try:
        line = 1
        for record in reader:
            records.append(record)
            starts.append(line)
            line = reader.line_num + 1
    except csv.Error as err:
        # `line` is where the broken row starts (an unclosed quote swallows the lines after it);
        # reader.line_num is only where the csv module gave up.
        noticed = f" (noticed on line {reader.line_num})" if reader.line_num != line else ""
        return None, [Problem(name, line, None, f"CSV syntax: {err}{noticed}; is a quote not closed?")]

    header, rows, lines = records[0], records[1:], starts[1:]
    expected = [f["name"] for f in resource["schema"]["fields"]]
    if len(header) == 1 and len(expected) > 1:
        delimiter = _guess_delimiter(header[0])
        hint = f"; it seems to use {delimiter!r} as delimiter (expected ',')" if delimiter else ""
        return None, [Problem(name, 1, None, f"header has a single column{hint}")]

    for column in expected:
        if column not in header:
            problems.append(Problem(name, 1, column, "required column is missing from the header"))
    for column in header:
        if column not in expected:
            problems.append(Problem(name, 1, column or "(blank)", "unknown column; the codebook does not define it"))
    if len(set(header)) != len(header):
        problems.append(Problem(name, 1, None, "a column name appears twice in the header"))
    if problems:
        return None, problems

    kept_rows, kept_lines = [], []
    for row, line in zip(rows, lines, strict=True):
        if not any(cell.strip() for cell in row):
            continue  # blank line between rows: harmless in a hand-edited file
        if len(row) != len(header):
            problems.append(Problem(name, line, None, f"row has {len(row)} cells but the header has {len(header)}"))
            continue
        kept_rows.append(row)
        kept_lines.append(line)
    if not kept_rows and not problems:
        problems.append(Problem(name, None, None, "file has a header but no data rows"))
    # Reorder columns to the codebook's order so downstream code can rely on it.
    order = [header.index(c) for c in expected]
    ordered = [[row[i] for i in order] for row in kept_rows]
    return ParsedTable(expected, ordered, kept_lines), problems


# --- checking cells against the Table Schema --------------------------------------------------

_CONSTRAINT = re.compile(r'constraint "(\w+)" is "(.*)"', re.S)


def _describe(error, field: dict) -> str:
    cell = getattr(error, "cell", None)
    if error.type == "type-error":
        kind = field.get("type", "value")
        form = " (YYYY-MM-DD)" if kind == "date" else ""
        return f"{short(cell)} is not a valid {kind}{form}"
    if error.type == "constraint-error":
        match = _CONSTRAINT.search(error.note or "")
        constraint, value = (match.group(1), match.group(2)) if match else ("constraint", "")
        if constraint == "required":
            return "a value is required but the cell is empty"
        if constraint == "enum":
            allowed = ", ".join(field["constraints"]["enum"])
            return f"{short(cell)} is not one of: {allowed}"
        if constraint in ("minimum", "maximum"):
            low, high = field["constraints"].get("minimum"), field["constraints"].get("maximum")
            where = (
                " (outside the area datapackage.json declares)" if field["name"] in ("latitude", "longitude") else ""
            )
            return f"{short(cell)} is outside the allowed range {low} to {high}{where}"
        if constraint == "pattern":
            if field["name"].endswith("urls") or field["name"].endswith("source"):
                return f"{short(cell)} is not a ';'-separated list of http(s) URLs"
            if field["name"] == "place_ids":
                return f"{short(cell)} is not a list of gazetteer ids: {place_list_hint(str(cell))}"
            return f"{short(cell)} does not have the expected form {field['constraints']['pattern']}"
        if constraint == "maxLength":
            return f"text is longer than {value} characters"
        return f"{short(cell)} breaks the constraint {constraint} = {value}"
    return error.note or error.type


def check_cells(name: str, table: ParsedTable, resource: dict) -> list[Problem]:
    from frictionless import Resource, Schema  # slow import; only when validating

    schema_descriptor = {k: v for k, v in resource["schema"].items() if k != "foreignKeys"}
    schema = Schema.from_descriptor(schema_descriptor)
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    report = Resource(data=[table.header, *table.rows], schema=schema).validate(limit_errors=MAX_PROBLEMS_PER_FILE)
    problems: list[Problem] = []
    key = resource["schema"]["primaryKey"][0]
    first_seen: dict[str, int] = {}
    for row, line in zip(table.rows, table.lines, strict=True):
        first_seen.setdefault(row[table.header.index(key)], line)
    for task in report.tasks:
        for error in task.errors:
            row_number = getattr(error, "row_number", None)
            line = table.lines[row_number - 2] if row_number else None
            if error.type == "primary-key":
                continue  # reported once, below, as a duplicate id
            if error.type == "unique-error":
                cell = error.cell
                message = f"duplicate id {short(cell)} (first on line {first_seen.get(cell)})"
                problems.append(Problem(name, line, error.field_name, message))
                continue
            column = getattr(error, "field_name", None)
            problems.append(Problem(name, line, column, _describe(error, fields.get(column, {}))))
    problems.extend(_check_integer_range(name, table, fields))
    return problems


INT64_MAX = 2**63 - 1


def _check_integer_range(name: str, table: ParsedTable, fields: dict[str, dict]) -> list[Problem]:
    """Table Schema integers are unbounded; the typed frames hold int64, which would wrap silently."""
    problems = []
    for column, field in fields.items():
        if field.get("type") != "integer":
            continue
        index = table.header.index(column)
        for row, line in zip(table.rows, table.lines, strict=True):
            cell = row[index].strip()
            if re.fullmatch(r"[+-]?[0-9]+", cell) and abs(int(cell)) > INT64_MAX:
                problems.append(Problem(name, line, column, f"{short(cell)} is too large"))
    return problems


# --- checks a Table Schema cannot express -----------------------------------------------------


def split_list(cell: str) -> list[str]:
    return [item for item in (cell or "").split(LIST_SEPARATOR) if item]


def place_list_hint(cell: str) -> str:
    """What a place list should look like, said in words (never as the raw pattern)."""
    example = "'saraqib;jisr-al-shughur'"
    if "; " in cell or " ;" in cell:
        return f"separate ids with ';' and no spaces, e.g. {example}"
    if cell != cell.lower():
        return f"ids are lower case, e.g. {example} (see places.csv place_id, not the place's name)"
    if " " in cell.strip() or "," in cell:
        return f"use place ids joined by ';', e.g. {example} (spaces and commas are not allowed)"
    return f"use lower-case ids from places.csv joined by ';', e.g. {example}"


def _day(value) -> str:
    return "(empty)" if pd.isna(value) else f"{value:%Y-%m-%d}"


def _check_dates(name: str, frame: pd.DataFrame, exact: str) -> list[Problem]:
    problems = []
    for _, row in frame.iterrows():
        line = int(row["_line"])
        early, late, day = row["date_earliest"], row["date_latest"], row[exact]
        if pd.notna(early) and pd.notna(late) and early > late:
            problems.append(Problem(name, line, "date_latest", "is before date_earliest"))
        if row["date_precision"] == "day":
            if pd.isna(day):
                problems.append(Problem(name, line, exact, "date_precision is 'day' but no date"))
            elif pd.isna(early) or pd.isna(late) or early != day or late != day:
                # Name the column that disagrees with the others, with both values: usually only one was edited.
                bounds = {"date_earliest": early, "date_latest": late}
                if pd.notna(early) and early == late:
                    column, message = (
                        exact,
                        (
                            f"{_day(day)} differs from date_earliest and date_latest ({_day(early)}); with "
                            "date_precision 'day' all three must be the same day"
                        ),
                    )
                else:
                    column = next(c for c, v in bounds.items() if pd.isna(v) or v != day)
                    message = (
                        f"{_day(bounds[column])} differs from {exact} ({_day(day)}); with date_precision 'day' "
                        f"date_earliest, date_latest and {exact} must be the same day"
                    )
                problems.append(Problem(name, line, column, message))
        elif pd.notna(day) and ((pd.notna(early) and day < early) or (pd.notna(late) and day > late)):
            problems.append(Problem(name, line, exact, "lies outside date_earliest..date_latest"))
    return problems


def _check_coordinates(name: str, places: pd.DataFrame) -> list[Problem]:
    problems = []
    for _, row in places.iterrows():
        has_lat, has_lon = pd.notna(row["latitude"]), pd.notna(row["longitude"])
        line = int(row["_line"])
        if has_lat != has_lon:
            missing = "longitude" if has_lat else "latitude"
            problems.append(Problem(name, line, missing, "give both coordinates or neither"))
        elif has_lat and pd.isna(row["coordinate_source"]):
            problems.append(Problem(name, line, "coordinate_source", "coordinates need a source URL"))
    return problems


def _check_place_refs(name: str, frame: pd.DataFrame, known: set[str]) -> list[Problem]:
    problems = []
    for _, row in frame.iterrows():
        for place in row["place_list"]:
            if place not in known:
                close = difflib.get_close_matches(place, sorted(known), n=3, cutoff=0.8)
                advice = (
                    f"did you mean {join_quoted(close)}? If not, add it to the gazetteer"
                    if close
                    else "add it to the gazetteer"
                )
                problems.append(
                    Problem(name, int(row["_line"]), "place_ids", f"{short(place)} is not in places.csv; {advice}")
                )
    return problems


def join_quoted(items: list[str]) -> str:
    quoted = [repr(i) for i in items]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


# --- typed frames ------------------------------------------------------------------------------


def to_frame(table: ParsedTable, resource: dict) -> pd.DataFrame:
    frame = pd.DataFrame(table.rows, columns=table.header, dtype="string")
    frame = frame.replace({"": pd.NA})
    for field in resource["schema"]["fields"]:
        column = field["name"]
        if field["type"] == "date":
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d", errors="coerce")
        elif field["type"] == "number":
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
        elif field["type"] == "integer":
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    if "place_ids" in frame:
        frame["place_list"] = [split_list(v) if isinstance(v, str) else [] for v in frame["place_ids"]]
    frame["_line"] = table.lines
    return frame


def load(data_dir: Path | None = None) -> Ledgers:
    """Read all ledgers from data_dir, validate them, and return typed frames.

    Raises DataError listing every problem (file, line, column) when anything is wrong.
    """
    data_dir = Path(data_dir or paths.data_dir())
    specs = resources(data_dir)
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    for name, resource in specs.items():
        if name not in CORE_RESOURCES and not (data_dir / resource["path"]).exists():
            continue
        table, found = read_table(data_dir / resource["path"], resource)
        problems.extend(found)
        if table is None or found:
            continue
        cell_problems = check_cells(resource["path"], table, resource)
        problems.extend(cell_problems)
        if not cell_problems:
            frames[name] = to_frame(table, resource)

    if "places" in frames:
        problems.extend(_check_coordinates(specs["places"]["path"], frames["places"]))
        known = set(frames["places"]["place_id"])
        for name in ("claims", "incidents"):
            if name in frames:
                problems.extend(_check_place_refs(specs[name]["path"], frames[name], known))
    if "claims" in frames:
        problems.extend(_check_dates(specs["claims"]["path"], frames["claims"], "date_made"))
    if "incidents" in frames:
        problems.extend(_check_dates(specs["incidents"]["path"], frames["incidents"], "date"))

    if problems:
        raise DataError(problems)
    return Ledgers(
        claims=frames["claims"],
        incidents=frames["incidents"],
        places=frames["places"],
        aggregates=frames["aggregate_counts"],
        data_dir=data_dir,
        extras={name: frame for name, frame in frames.items() if name not in CORE_RESOURCES},
    )


def validate(data_dir: Path | None = None) -> list[Problem]:
    """All problems in data_dir; an empty list means the ledgers are valid."""
    try:
        load(data_dir)
    except DataError as err:
        return err.problems
    return []
