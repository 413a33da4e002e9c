"""Every path the project uses, anchored at the repository root.

Notebooks never build paths themselves: they ask this module. The build hands each notebook its
data folder and output folder explicitly (`session.configure`, in a parameters cell it injects), so
the same notebook serves the shipped campaign and any other one. A user may also point a Lab
session elsewhere with the two environment variables below.

Reading and writing differ on purpose. Readers (`out_root`, `figures_dir()`, `report_dir()`) see the
build's outputs in the repository. Writers ask `write_root`: the output root the build gave (its
parameters cell) or $ANALYSIS_OUT_DIR, else a scratch folder (.scratch/, not tracked by git). So a
notebook run by hand in JupyterLab never overwrites the build's figures/; one line asks it to:
`session.write_to_outputs()`.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_ENV = "ANALYSIS_DATA_DIR"
OUT_ENV = "ANALYSIS_OUT_DIR"
SCRATCH_ENV = "ANALYSIS_SCRATCH_DIR"

NOTEBOOKS_DIR = ROOT / "notebooks"
DEFAULT_DATA_DIR = ROOT / "data"
TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "outputs" / "templates"

CLAIMS_FILE = "claims.csv"
INCIDENTS_FILE = "incidents.csv"
PLACES_FILE = "places.csv"
AGGREGATES_FILE = "aggregate_counts.csv"
RULES_FILE = "rules.toml"
DATAPACKAGE_FILE = "datapackage.json"


# Output names, in one place. Machine tables live in report/tables/, apart from the documents
# (report.md/.html/.pdf, explorer.html) in report/; every reader and writer uses these names.
TABLES_DIR = "tables"
KEY_NUMBERS_FILE = "key_numbers.json"
VERDICTS_FILE = "verdicts.csv"
GRID_VERDICTS_FILE = "verdicts_grid.csv"
SENSITIVITY_FILE = "sensitivity.csv"
SPEC_CURVE_FILE = "specification_curve.csv"
CLAIMREVIEW_FILE = "claimreview.jsonld"
MACHINE_TABLES = (
    KEY_NUMBERS_FILE,
    VERDICTS_FILE,
    GRID_VERDICTS_FILE,
    SPEC_CURVE_FILE,
    SENSITIVITY_FILE,
    CLAIMREVIEW_FILE,
)


def table_label(name: str) -> str:
    """How the documents name a machine table: its path from the repository root."""
    return f"report/{TABLES_DIR}/{name}"


CACHE_DIR = ".build-cache"
SCRATCH_DIR = ROOT / ".scratch"  # where interactive runs write unless asked otherwise (git-ignored)

# Set by `use` (the build's parameters cell); None falls back to the environment, then the defaults.
_chosen: dict[str, Path | None] = {"data": None, "out": None}


def use(data: Path | str | None = None, out: Path | str | None = None) -> None:
    """Point this process at a data folder and an output root (None: back to the defaults)."""
    _chosen["data"] = Path(data).resolve() if data else None
    _chosen["out"] = Path(out).resolve() if out else None


def write_into(out: Path | str) -> None:
    """Point this process's writes (and reads) at an output root, keeping its data folder."""
    _chosen["out"] = Path(out).resolve()


def data_dir() -> Path:
    """The ledger folder: the one given to `use`, else $ANALYSIS_DATA_DIR, else data/."""
    return _chosen["data"] or Path(os.environ.get(DATA_ENV) or DEFAULT_DATA_DIR).resolve()


def out_root() -> Path:
    """The folder that holds figures/ and report/: given to `use`, else $ANALYSIS_OUT_DIR, else the repository."""
    return _chosen["out"] or Path(os.environ.get(OUT_ENV) or ROOT).resolve()


def write_root() -> Path:
    """Where this process writes figures: the output root given to `use` (the build's parameters
    cell, or `session.write_to_outputs()`), else $ANALYSIS_OUT_DIR, else the scratch folder
    ($ANALYSIS_SCRATCH_DIR, default .scratch/): never the build's outputs unless asked."""
    chosen = _chosen["out"] or os.environ.get(OUT_ENV)
    return Path(chosen or os.environ.get(SCRATCH_ENV) or SCRATCH_DIR).resolve()


def cache_dir(root: Path | None = None) -> Path:
    """Build artifacts that are not outputs (the computed results), beside figures/ and report/."""
    return (root or out_root()) / CACHE_DIR


def figures_dir(root: Path | None = None) -> Path:
    return (root or out_root()) / "figures"


def figure_data_dir(root: Path | None = None) -> Path:
    return figures_dir(root) / "data"


def report_dir(root: Path | None = None) -> Path:
    return (root or out_root()) / "report"


def tables_in(report: Path) -> Path:
    """The machine tables' folder inside a report folder."""
    return Path(report) / TABLES_DIR


def tables_dir(root: Path | None = None) -> Path:
    return tables_in(report_dir(root))


def schema_path() -> Path:
    """The codebook is the project's own: a campaign folder need not carry a copy."""
    return DEFAULT_DATA_DIR / DATAPACKAGE_FILE


def rules_path(data: Path | None = None) -> Path:
    """A campaign folder may declare its own rules; otherwise the project's rules apply."""
    candidate = (data or data_dir()) / RULES_FILE
    return candidate if candidate.exists() else DEFAULT_DATA_DIR / RULES_FILE
