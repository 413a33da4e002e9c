"""End to end: the whole build, executed notebooks included, reproduces the committed outputs
byte for byte; reruns are incremental; bad data and failing notebooks leave outputs intact."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.inputs import paths

pytestmark = pytest.mark.slow
ROOT = paths.ROOT


def run_build(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analysis", "build", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )


def tracked_outputs() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "figures", "report"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [line for line in listed.stdout.splitlines() if line]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("build")
    result = run_build("--data", str(paths.DEFAULT_DATA_DIR), "--out", str(out), "--verbose")
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result


def test_build_executes_every_notebook(built):
    out, result = built
    for notebook in sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb")):
        assert f"[{notebook.stem}] done" in result.stdout
        assert (out / "report" / "notebooks" / f"{notebook.stem}.html").stat().st_size > 10_000


def test_rebuild_reproduces_committed_outputs_byte_for_byte(built):
    """Regenerating on a clean checkout changes nothing git tracks."""
    out, _ = built
    tracked = tracked_outputs()
    if not tracked:
        pytest.skip("outputs not committed yet")
    different = [name for name in tracked if (out / name).read_bytes() != (ROOT / name).read_bytes()]
    assert not different, f"committed outputs differ from a fresh build (run `make report` and commit): {different}"
    produced = {str(p.relative_to(out)) for d in ("figures", "report") for p in (out / d).rglob("*") if p.is_file()}
    untracked = produced - set(tracked) - {"report/.build-state.json"}
    assert not untracked, f"the build writes files that are not committed: {sorted(untracked)}"


def test_second_build_is_a_no_op(built):
    out, _ = built
    result = run_build("--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "nothing to do" in result.stdout
    assert " started" not in result.stdout.replace("[validate]", "")


def test_missing_output_rebuilds_only_its_step(built):
    out, _ = built
    victim = out / "report" / "notebooks" / "03-matching.html"
    victim.unlink()
    result = run_build("--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "[03-matching] started" in result.stdout
    assert "[01-claims-ledger] unchanged, skipped" in result.stdout
    assert "[key numbers] unchanged, skipped" in result.stdout
    assert victim.exists()


def test_invalid_data_exits_2_and_touches_nothing(built, tmp_path):
    out, _ = built
    bad = tmp_path / "data"
    shutil.copytree(paths.DEFAULT_DATA_DIR, bad)
    rows = list(csv.reader((bad / "claims.csv").open(encoding="utf-8")))
    rows[3][rows[0].index("date_made")] = "2018-02-30"
    with (bad / "claims.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    result = run_build("--data", str(bad), "--out", str(out))
    assert result.returncode == 2
    assert "claims.csv:4: date_made: '2018-02-30' is not a valid date" in result.stderr
    assert "Traceback" not in result.stderr
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert before == after


def test_build_for_another_folder_leaves_repository_outputs_alone(built):
    """--out elsewhere must not write into the repository's figures/ or report/."""
    out, _ = built
    assert out.resolve() != ROOT
    status = subprocess.run(
        ["git", "status", "--porcelain", "figures", "report", "README.md"], cwd=ROOT, capture_output=True, text=True
    )
    assert status.stdout.strip() == "", status.stdout


def test_a_build_validates_and_computes_once(built):
    """Build process and five kernels together: the kernels load the build's results."""
    _, result = built
    counts = next(line for line in result.stdout.splitlines() if line.startswith("work done by this build"))
    assert "ledgers validated: 1," in counts and "rules parsed: 1" in counts and "results computed: 1," in counts
    assert f"results loaded from the build's artifact: {len(list(paths.NOTEBOOKS_DIR.glob('[0-9]*.ipynb')))}" in counts


def test_edited_or_deleted_figure_reruns_its_notebook(built):
    out, _ = built
    figure = out / "figures" / "05-hits-vs-null.png"
    original = figure.read_bytes()
    with figure.open("ab") as handle:  # e.g. a cell re-run by hand wrote into the build's outputs
        handle.write(b"x")
    listing = run_build("--out", str(out), "--list")
    assert listing.returncode == 0, listing.stderr
    assert any(line.startswith("04-accuracy") and " stale " in line for line in listing.stdout.splitlines())
    result = run_build("--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "[04-accuracy] started" in result.stdout and "[03-matching] unchanged, skipped" in result.stdout
    assert figure.read_bytes() == original

    for path in (out / "figures").rglob("05-hits-vs-null.*"):
        path.unlink()
    result = run_build("--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "[04-accuracy] started" in result.stdout
    assert figure.read_bytes() == original
