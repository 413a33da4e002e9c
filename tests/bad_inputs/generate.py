"""Bad-input corpus for the four ledgers, generated from the shipped data/ files.

Every case is a complete data folder (copies of data/*.csv and data/rules.toml) in which exactly
one file is broken in exactly one way, together with the problem line that `python -m analysis
validate` must print for it: the exact `file:line: column: ` prefix and a fragment of the message.
Cases are derived from whatever data/ holds now (rows are picked by position and lines are counted
in the written file), so they stay valid when rows are added. Nothing large is committed: the
oversized case writes more than 20 MB and is only ever generated into a temporary folder.

    python tests/bad_inputs/generate.py OUTDIR   # write every case to OUTDIR/<file>/<defect>/

ACCEPTED holds the variants that must validate cleanly (byte-order mark, CRLF line endings).
"""

from __future__ import annotations

import csv
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
CSV_FILES = ("claims.csv", "incidents.csv", "places.csv", "aggregate_counts.csv")
MAX_FILE_BYTES = 20 * 1024 * 1024  # the documented limit (data/README.md: "at most 20 MB")
TARGET_ROW = 3  # 0-based data row that most defects edit (line 5 when no cell spans lines)
OTHER_ROW = 5  # the row that receives a duplicate id
BAD_BYTE = b"\xe9"  # 'é' in Latin-1 / cp1252: what a spreadsheet "CSV" export often contains
MARKER = "\u2603BAD-BYTE\u2603"


@dataclass(frozen=True)
class FileSpec:
    """Which columns of one ledger the defects touch."""

    name: str
    id_column: str
    date_column: str | None  # None: the file has no date column
    enum_column: str
    enum_bad: str
    required_column: str
    text_column: str
    references_places: bool
    has_coordinates: bool


SPECS = {
    "claims.csv": FileSpec(
        "claims.csv", "claim_id", "date_made", "claimant_group", "kremlin", "summary", "summary", True, False
    ),
    "incidents.csv": FileSpec(
        "incidents.csv", "incident_id", "date_earliest", "agent", "napalm", "evidence_level", "place_text", True, False
    ),
    "places.csv": FileSpec("places.csv", "place_id", None, "place_type", "planet", "governorate", "name", False, True),
    "aggregate_counts.csv": FileSpec(
        "aggregate_counts.csv", "count_id", "published_date", "verification", "maybe", "count", "unit", False, False
    ),
}


@dataclass(frozen=True)
class Expected:
    """What validate must report: one problem line starting with `prefix` and containing `fragment`."""

    prefix: str
    fragment: str
    problems: int = 1  # total problem lines expected for the whole folder


# --- CSV helpers (self-contained: this file also runs as a script) -------------------------------


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        records = list(csv.reader(handle))
    return records[0], records[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def physical_line(path: Path, row_id: str) -> int:
    """Line (1 = header) on which the row with this id starts, found by scanning the raw text."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(row_id + ","):
            return number
    raise KeyError(f"{row_id!r} does not start a line of {path.name}")


def copy_data(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in (*CSV_FILES, "offensives.csv", "rules.toml", "campaign.toml"):  # campaigns name offensives
        shutil.copy2(DATA / name, target / name)
    return target


def _set_cell(path: Path, spec: FileSpec, row: int, column: str, value: str) -> str:
    """Set one cell; return the id of the edited row."""
    header, rows = read_rows(path)
    rows[row][header.index(column)] = value
    write_rows(path, header, rows)
    return rows[row][header.index(spec.id_column)]


def _row_id(path: Path, spec: FileSpec, row: int) -> str:
    header, rows = read_rows(path)
    return rows[row][header.index(spec.id_column)]


# --- defects: each breaks `path` in place and returns what validate must say --------------------


def empty(path: Path, spec: FileSpec) -> Expected:
    path.write_bytes(b"")
    return Expected(f"{spec.name}:1: ", "file is empty")


def whitespace_only(path: Path, spec: FileSpec) -> Expected:
    path.write_bytes(b"\n  \n\t\n")
    return Expected(f"{spec.name}:1: ", "file is empty")


def header_only(path: Path, spec: FileSpec) -> Expected:
    header, _ = read_rows(path)
    write_rows(path, header, [])
    return Expected(f"{spec.name}: ", "has a header but no data rows")


def missing_file(path: Path, spec: FileSpec) -> Expected:
    path.unlink()
    return Expected(f"{spec.name}: ", "file not found")


def missing_column(path: Path, spec: FileSpec) -> Expected:
    header, rows = read_rows(path)
    drop = header.index(spec.required_column)
    write_rows(path, header[:drop] + header[drop + 1 :], [r[:drop] + r[drop + 1 :] for r in rows])
    return Expected(f"{spec.name}:1: {spec.required_column}: ", "required column is missing")


def extra_column(path: Path, spec: FileSpec) -> Expected:
    header, rows = read_rows(path)
    write_rows(path, [*header, "colour"], [[*r, "red"] for r in rows])
    return Expected(f"{spec.name}:1: colour: ", "unknown column")


def wrong_delimiter(path: Path, spec: FileSpec) -> Expected:
    header, rows = read_rows(path)
    write_rows(path, header, rows, delimiter=";")
    return Expected(f"{spec.name}:1: ", "';' as delimiter")


def not_utf8(path: Path, spec: FileSpec) -> Expected:
    _set_cell(path, spec, TARGET_ROW, spec.text_column, f"Caf{MARKER} au lait")
    raw = path.read_bytes()
    at = raw.index(MARKER.encode("utf-8"))
    path.write_bytes(raw.replace(MARKER.encode("utf-8"), BAD_BYTE))
    line = raw[:at].count(b"\n") + 1
    return Expected(f"{spec.name}:{line}: ", f"byte 0x{BAD_BYTE.hex()} is not valid UTF-8")


def utf16(path: Path, spec: FileSpec) -> Expected:
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))  # with a UTF-16 BOM, as Excel writes it
    return Expected(f"{spec.name}:1: ", "is not valid UTF-8")


def impossible_date(path: Path, spec: FileSpec) -> Expected:
    row_id = _set_cell(path, spec, TARGET_ROW, spec.date_column, "2018-02-30")
    line = physical_line(path, row_id)
    return Expected(f"{spec.name}:{line}: {spec.date_column}: ", "'2018-02-30' is not a valid date")


def out_of_range_date(path: Path, spec: FileSpec) -> Expected:
    row_id = _set_cell(path, spec, TARGET_ROW, spec.date_column, "2001-01-01")
    line = physical_line(path, row_id)
    return Expected(f"{spec.name}:{line}: {spec.date_column}: ", "'2001-01-01' is outside the allowed range 2011-03-01")


def unknown_enum(path: Path, spec: FileSpec) -> Expected:
    row_id = _set_cell(path, spec, TARGET_ROW, spec.enum_column, spec.enum_bad)
    line = physical_line(path, row_id)
    return Expected(f"{spec.name}:{line}: {spec.enum_column}: ", f"'{spec.enum_bad}' is not one of:")


def duplicate_id(path: Path, spec: FileSpec) -> Expected:
    first_id = _row_id(path, spec, TARGET_ROW)
    _set_cell(path, spec, OTHER_ROW, spec.id_column, first_id)
    text = path.read_text(encoding="utf-8")
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(f"{first_id},")]
    assert len(lines) == 2, lines
    return Expected(
        f"{spec.name}:{lines[1]}: {spec.id_column}: ", f"duplicate id '{first_id}' (first on line {lines[0]})"
    )


def dangling_place(path: Path, spec: FileSpec) -> Expected:
    header, rows = read_rows(path)
    old = rows[TARGET_ROW][header.index("place_ids")]
    row_id = _set_cell(path, spec, TARGET_ROW, "place_ids", f"{old};atlantis")
    line = physical_line(path, row_id)
    return Expected(f"{spec.name}:{line}: place_ids: ", "'atlantis' is not in places.csv")


def _located_row(path: Path) -> int:
    header, rows = read_rows(path)
    return next(i for i, r in enumerate(rows) if r[header.index("latitude")] and i >= TARGET_ROW)


def latitude_outside_syria(path: Path, spec: FileSpec) -> Expected:
    row_id = _set_cell(path, spec, _located_row(path), "latitude", "48.8566")  # Paris
    line = physical_line(path, row_id)
    return Expected(f"{spec.name}:{line}: latitude: ", "'48.8566' is outside the allowed range 32.3 to 37.4")


def longitude_outside_syria(path: Path, spec: FileSpec) -> Expected:
    row_id = _set_cell(path, spec, _located_row(path), "longitude", "2.3522")
    line = physical_line(path, row_id)
    return Expected(f"{spec.name}:{line}: longitude: ", "'2.3522' is outside the allowed range 35.7 to 42.4")


def ragged_row(path: Path, spec: FileSpec) -> Expected:
    header, rows = read_rows(path)
    row_id = rows[TARGET_ROW][header.index(spec.id_column)]
    rows[TARGET_ROW].append("stray cell")
    write_rows(path, header, rows)
    line = physical_line(path, row_id)
    return Expected(f"{spec.name}:{line}: ", f"row has {len(header) + 1} cells but the header has {len(header)}")


def unclosed_quote_at_end(path: Path, spec: FileSpec) -> Expected:
    text = path.read_text(encoding="utf-8")
    line = text.count("\n") + 1  # the appended row starts on the line after the last newline
    path.write_text(text + 'X99,"this quoted cell is never closed\n', encoding="utf-8")
    return Expected(f"{spec.name}:{line}: ", "CSV syntax")


def oversized(path: Path, spec: FileSpec) -> Expected:
    """Real rows repeated past the limit (the size check must come before any parsing)."""
    raw = path.read_bytes()
    header, _, body = raw.partition(b"\n")
    copies = MAX_FILE_BYTES // max(len(body), 1) + 2
    with path.open("wb") as handle:
        handle.write(header + b"\n")
        for _ in range(copies):
            handle.write(body)
    assert path.stat().st_size > MAX_FILE_BYTES
    return Expected(f"{spec.name}: ", "over the 20 MB limit")


Defect = Callable[[Path, FileSpec], Expected]
COMMON: tuple[Defect, ...] = (
    empty,
    whitespace_only,
    header_only,
    missing_file,
    missing_column,
    extra_column,
    wrong_delimiter,
    not_utf8,
    utf16,
    unknown_enum,
    duplicate_id,
    ragged_row,
    unclosed_quote_at_end,
    oversized,
)
DATED: tuple[Defect, ...] = (impossible_date, out_of_range_date)


def defects_for(spec: FileSpec) -> list[Defect]:
    found = list(COMMON)
    if spec.date_column:
        found += DATED
    if spec.references_places:
        found.append(dangling_place)
    if spec.has_coordinates:
        found += [latitude_outside_syria, longitude_outside_syria]
    return found


@dataclass(frozen=True)
class Case:
    file: str
    defect: str

    @property
    def id(self) -> str:
        return f"{self.file.removesuffix('.csv')}-{self.defect}"

    def make(self, directory: Path) -> Expected:
        """Write the broken data folder into `directory` and return the expected problem."""
        copy_data(directory)
        spec = SPECS[self.file]
        return DEFECTS[self.defect](directory / self.file, spec)


DEFECTS: dict[str, Defect] = {
    d.__name__: d for d in (*COMMON, *DATED, dangling_place, latitude_outside_syria, longitude_outside_syria)
}
CASES: list[Case] = [Case(name, d.__name__) for name in CSV_FILES for d in defects_for(SPECS[name])]


# --- accepted variants ----------------------------------------------------------------------------


def with_bom(raw: bytes) -> bytes:
    return b"\xef\xbb\xbf" + raw


def with_crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


ACCEPTED: dict[str, Callable[[bytes], bytes]] = {
    "bom": with_bom,
    "crlf": with_crlf,
    "bom_crlf": lambda raw: with_bom(with_crlf(raw)),
}


def make_accepted(directory: Path, variant: str, files: tuple[str, ...] = CSV_FILES) -> Path:
    copy_data(directory)
    for name in files:
        path = directory / name
        path.write_bytes(ACCEPTED[variant](path.read_bytes()))
    return directory


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/bad_inputs/generate.py OUTDIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    for case in CASES:
        target = out / case.file.removesuffix(".csv") / case.defect
        expected = case.make(target)
        (target / "EXPECTED.txt").write_text(f"{expected.prefix}...{expected.fragment}\n", encoding="utf-8")
    print(f"wrote {len(CASES)} cases to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
