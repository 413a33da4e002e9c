"""A notebook run by hand (JupyterLab, no build) never overwrites the build's outputs: its figures
go to a scratch folder unless the session asks, in one line, to write into figures/."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis.inputs import paths  # noqa: E402
from analysis.outputs import figures  # noqa: E402
from analysis.pipeline import session  # noqa: E402


@pytest.fixture
def interactive(monkeypatch, tmp_path):
    """A process as JupyterLab starts it: no parameters cell, no output variable; scratch in tmp."""
    monkeypatch.delenv(paths.OUT_ENV, raising=False)
    monkeypatch.setenv(paths.SCRATCH_ENV, str(tmp_path / "scratch"))
    monkeypatch.setitem(paths._chosen, "out", None)
    return tmp_path / "scratch"


def _figure() -> figures.Figure:
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    return figures.Figure(9, "test-figure", "t", "c", "a", fig, pd.DataFrame({"x": [0, 1]}))


def test_interactive_default_writes_to_scratch_not_figures(interactive):
    fig = _figure()
    written = figures.save_figure(fig)
    assert written and all(p.is_relative_to(interactive) for p in written)
    assert not (paths.figures_dir(paths.ROOT) / f"{fig.stem}.png").exists()
    assert paths.figures_dir() == paths.ROOT / "figures"  # readers still see the build's outputs


def test_one_line_asks_to_write_into_the_outputs(interactive, tmp_path):
    target = session.write_to_outputs(tmp_path / "outputs")
    written = figures.save_figure(_figure())
    assert all(p.is_relative_to(target / "figures") for p in written)


def test_the_builds_parameters_and_the_environment_choose_the_output_root(interactive, tmp_path, monkeypatch):
    monkeypatch.setenv(paths.OUT_ENV, str(tmp_path / "env"))
    assert paths.write_root() == (tmp_path / "env").resolve()
    session.configure(out_dir=tmp_path / "build")  # what the injected parameters cell does
    try:
        assert paths.write_root() == (tmp_path / "build").resolve()
    finally:
        session.configure()


def _untouched(folder) -> dict[str, tuple]:
    """Bytes, inode and modification time of every file: a rewrite with equal bytes shows too."""
    return {
        str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_a_notebook_run_by_hand_leaves_figures_alone(tmp_path):
    """Executed as Lab would (no injected cell): figures/ keeps its bytes, the scratch folder gets them."""
    notebook = paths.NOTEBOOKS_DIR / "04-accuracy.ipynb"
    before = _untouched(paths.figures_dir(paths.ROOT))
    env = {k: v for k, v in os.environ.items() if k != paths.OUT_ENV} | {paths.SCRATCH_ENV: str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--stdout", str(notebook)],
        cwd=paths.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert _untouched(paths.figures_dir(paths.ROOT)) == before
    assert list((tmp_path / "figures").glob("*.png"))
