"""Notebooks in git are reviewable: outputs stripped, kernelspec python3, no path hacks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from analysis.inputs import paths
from analysis.outputs import figures

NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))


def test_notebooks_exist_and_are_numbered():
    names = [nb.name for nb in NOTEBOOKS]
    assert len(names) >= 5
    assert [n[:2] for n in names] == [f"{i:02d}" for i in range(1, len(names) + 1)]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stripped_and_portable(notebook):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{notebook.name}: commit notebooks without outputs"
            assert cell["execution_count"] is None
            source = "".join(cell["source"])
            assert "sys.path" not in source and "os.chdir" not in source
            assert "../" not in source, "paths come from analysis.inputs.paths, never relative to the notebook"


# --- figures show inline ----------------------------------------------------------------------------


def figures_drawn(notebook: Path) -> int:
    """How many figure functions a notebook calls (in loops too: `for make in (figures.a, figures.b)`)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    source = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    drawn = set(re.findall(r"figures\.(\w+)", source)) & {f.__name__ for f in figures.ALL_FIGURES}
    return len(drawn)


DRAWING = [nb for nb in NOTEBOOKS if figures_drawn(nb)]


def test_some_notebooks_draw_figures():
    assert DRAWING, "no notebook calls a figure function: the checks below would test nothing"


@pytest.mark.parametrize("notebook", DRAWING, ids=lambda p: p.name)
def test_exported_notebook_html_shows_its_figures(notebook):
    """The committed HTML export holds each figure as a PNG image, not the text '<Figure size …>'."""
    exported = paths.report_dir() / "notebooks" / notebook.with_suffix(".html").name
    text = exported.read_text(encoding="utf-8")
    assert "&lt;Figure size" not in text
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', text)) >= figures_drawn(notebook)


@pytest.mark.slow
@pytest.mark.parametrize("notebook", DRAWING, ids=lambda p: p.name)
def test_executed_notebook_has_png_outputs(notebook, tmp_path, monkeypatch):
    """Run on a clean kernel (outputs to a scratch folder): each figure is an image/png output, once."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv(paths.OUT_ENV, str(tmp_path))
    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(paths.ROOT)}}).execute()
    pngs = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(pngs) == figures_drawn(notebook), f"{len(pngs)} PNG outputs for {figures_drawn(notebook)} figures"
    texts = [o["data"].get("text/plain", "") for o in pngs]
    assert all(t.startswith("<Figure size") for t in texts)
    assert (tmp_path / "figures").is_dir()  # the figures went to the scratch folder, not the repository
