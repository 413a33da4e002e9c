"""The build's artifacts: content digests of inputs, and the computed results stored under theirs.

Light on purpose (no pandas): the build uses it to decide, in a fraction of a second, that
nothing needs doing.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from analysis.inputs import paths
from analysis.outputs.export import atomic_write_bytes

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the whole package, every stage
RESULTS_PREFIX = "results-"


def digest(*items: Path | str) -> str:
    """Content hash of files, folders (recursively, sorted, no __pycache__) and literal strings."""
    h = hashlib.sha256()
    for item in items:
        if isinstance(item, Path):
            files = (
                sorted(p for p in item.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
                if item.is_dir()
                else [item]
            )
            for f in files:
                if f.exists():
                    h.update(f.name.encode())
                    h.update(f.read_bytes())
        else:
            h.update(item.encode())
    return h.hexdigest()


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def data_inputs(data: Path) -> list[Path]:
    """The files whose content can decide an output for a data folder: every file in it (ledgers,
    declarations, boundaries, glossary, outlets ...) except its README and research logs, which are
    prose about the data, plus the codebook schema. Listing every file, not the ledgers only, is what
    keeps a changed boundary or campaign declaration from being reported "up to date"."""
    prose = {"README.md"}
    files = sorted(
        p
        for p in data.rglob("*")
        if p.is_file() and p.name not in prose and "research_logs" not in p.relative_to(data).parts
    )
    return [*files, paths.rules_path(data), paths.schema_path()]


def data_key(data: Path) -> str:
    return digest(*data_inputs(Path(data).resolve()))


def results_key(data: Path) -> str:
    """Digest of everything results.compute depends on: ledgers, rules, codebook, package source."""
    return digest(data_key(data), PACKAGE_DIR)


def results_path(cache: Path, data: Path) -> Path:
    return cache / f"{RESULTS_PREFIX}{results_key(data)}.pickle"


def store_results(results, cache: Path, data: Path) -> Path:
    """Write the results for `data` into `cache`; older results are removed (only the newest is read)."""
    target = results_path(cache, data)
    atomic_write_bytes(target, pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    for old in cache.glob(f"{RESULTS_PREFIX}*.pickle"):
        if old != target:
            old.unlink(missing_ok=True)
    return target


def load_results(cache: Path, data: Path):
    """The stored results for `data` if their inputs are unchanged, else None.

    The file is the build's own, in the output folder, never downloaded: unpickling it is as
    trusted as importing the package. Its name is the digest of the current inputs, so a stale
    artifact is never found.
    """
    path = results_path(cache, data)
    if not path.exists():
        return None
    with path.open("rb") as handle:
        return pickle.load(handle)  # noqa: S301 - the build's own file, see above
