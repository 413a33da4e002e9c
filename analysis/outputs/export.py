"""Writing outputs safely: atomic files, deterministic formatting, spreadsheet-safe CSV.

Ledger text quotes propaganda and is edited by hand, so it is untrusted: a cell that starts with
=, +, -, @, tab or carriage return would run as a formula when a reviewer opens the CSV in a
spreadsheet. Following the OWASP CSV-injection guidance, such text cells get a leading quote.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Every file this process wrote through atomic_write_bytes: a notebook reports its figures to the build.
WRITTEN: list[Path] = []


def defuse(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are shared like any file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    WRITTEN.append(path.resolve())


def _umask() -> int:
    mask = os.umask(0)  # reading the umask means setting it: put it straight back
    os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def write_csv(frame: pd.DataFrame, path: Path, float_format: str = "%.4f") -> None:
    """Spreadsheet-safe, deterministic CSV (text cells defused, floats rounded, LF endings)."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(defuse)
    text = safe.to_csv(index=False, float_format=float_format, lineterminator="\n", date_format="%Y-%m-%d")
    atomic_write_text(path, text)


def _clean(value):
    """JSON-ready: round floats (stable bytes across machines), NaN -> null."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if hasattr(value, "item"):  # numpy scalars
        return _clean(value.item())
    return value


def write_json(data: dict, path: Path, script_safe: bool = False) -> None:
    text = json.dumps(_clean(data), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if script_safe:  # JSON-LD is pasted into <script> elements: '</script>' or '<!--' must not appear
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    atomic_write_text(path, text)
