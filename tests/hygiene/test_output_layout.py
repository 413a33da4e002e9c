"""Machine tables live in report/tables/, apart from the documents; their names come from paths."""

from __future__ import annotations

import subprocess

from analysis.inputs import paths
from analysis.pipeline import build


def _tracked(folder: str) -> set[str]:
    listed = subprocess.run(["git", "ls-files", folder], cwd=paths.ROOT, capture_output=True, text=True, check=True)
    return set(listed.stdout.split())


def test_committed_machine_tables_are_in_their_own_folder():
    tracked = _tracked("report")
    tables = {f"report/{paths.TABLES_DIR}/{name}" for name in paths.MACHINE_TABLES}
    assert tables <= tracked
    top_level = {name.removeprefix("report/") for name in tracked if name.count("/") == 1}
    assert not top_level & set(paths.MACHINE_TABLES), "a machine table is still beside the documents"
    assert {name.rsplit(".", 1)[-1] for name in top_level} <= {"md", "html", "pdf"}


def test_the_key_numbers_step_declares_every_machine_table_in_tables():
    step = next(s for s in build.pipeline(paths.DEFAULT_DATA_DIR) if s.name == "key numbers")
    ctx = build.Context(paths.DEFAULT_DATA_DIR, paths.ROOT, paths.ROOT)
    assert [ctx.locate(name) for name in step.outputs(ctx)] == [
        paths.tables_dir(paths.ROOT) / name for name in paths.MACHINE_TABLES
    ]
