"""Notebooks in git are reviewable: outputs stripped, kernelspec python3, no path hacks."""

from __future__ import annotations

import json

import pytest

from analysis import paths

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
            assert "../" not in source, "paths come from analysis.paths, never relative to the notebook"
