"""The build's machinery, without running a build: step states, injected notebook cells, the
results artifact, file permissions."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from analysis.inputs import paths
from analysis.outputs import export
from analysis.pipeline import artifacts, build, runner, session

# --- step states ---------------------------------------------------------------------------------


def _step(tmp_path: Path, inputs: str = "v1") -> tuple[build.Step, build.Context]:
    def write(ctx):
        target = ctx.root / "report" / "thing.txt"
        export.atomic_write_text(target, "made by the step\n")
        return [target]

    step = build.Step("thing", (), lambda ctx: inputs, lambda ctx: ["report/thing.txt"], write)
    return step, build.Context(tmp_path, tmp_path, tmp_path)


def test_step_state_follows_inputs_and_output_bytes(tmp_path):
    step, ctx = _step(tmp_path)
    assert build.status(step, None, ctx) == "missing"
    record = build._record(step, ctx, step.action(ctx), step.inputs(ctx))
    assert record["outputs"] == {"report/thing.txt": artifacts.file_hash(tmp_path / "report" / "thing.txt")}
    assert build.status(step, record, ctx) == "up to date"

    changed_inputs, _ = _step(tmp_path, inputs="v2")
    assert build.status(changed_inputs, record, ctx) == "stale"

    with (tmp_path / "report" / "thing.txt").open("ab") as handle:  # edited by hand: one byte more
        handle.write(b"x")
    assert build.status(step, record, ctx) == "stale"

    (tmp_path / "report" / "thing.txt").unlink()
    assert build.status(step, record, ctx) == "missing"


def test_a_recorded_extra_output_counts_too(tmp_path):
    step, ctx = _step(tmp_path)
    extra = tmp_path / "figures" / "f.png"
    extra.parent.mkdir(parents=True)
    extra.write_bytes(b"png")
    record = build._record(step, ctx, [*step.action(ctx), extra], step.inputs(ctx))
    assert set(record["outputs"]) == {"report/thing.txt", "figures/f.png"}
    extra.unlink()
    assert build.status(step, record, ctx) == "missing"


def test_pipeline_declares_every_notebook_between_results_and_report():
    steps = build.pipeline(paths.DEFAULT_DATA_DIR)
    names = [s.name for s in steps]
    assert names[:2] == ["results", "key numbers"] and names[-1] == "report"
    assert names[2:-1] == [nb.stem for nb in build.notebooks()]
    for position, step in enumerate(steps):  # every dependency comes earlier
        assert set(step.after) <= set(names[:position]), step.name
    assert set(steps[-1].after) == set(names[1:-1])


# --- injected cells ------------------------------------------------------------------------------


def test_injected_cells_leave_no_trace_in_the_exported_notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), nbformat.v4.new_code_cell("1 + 1")]
    job = runner.NotebookJob(Path("x.ipynb"), tmp_path / "data", tmp_path / "out", tmp_path / "x.html", tmp_path)
    injected = runner._with_injected_cells(nb, job)
    assert len(injected.cells) == 4
    assert "session.configure(" in injected.cells[0].source and str(tmp_path / "data") in injected.cells[0].source
    # what execution gives: counts 1..3, the last cell printing the kernel's report
    injected.cells[0].execution_count = 1
    injected.cells[2].execution_count = 2
    injected.cells[2].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=2)]
    injected.cells[3].execution_count = 3
    line = session.REPORT_MARK + '{"work": {"results computed": 1}, "written": ["/a/b.png"]}'
    injected.cells[3].outputs = [nbformat.v4.new_output("stream", name="stdout", text=line + "\n")]

    clean = runner._without_injected_cells(injected, job)

    assert [c.cell_type for c in clean.cells] == ["markdown", "code"]
    assert clean.cells[1].execution_count == 1 and clean.cells[1].outputs[0]["execution_count"] == 1
    assert job.work == {"results computed": 1} and job.written == [Path("/a/b.png")]


# --- the results artifact ------------------------------------------------------------------------


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(paths.DEFAULT_DATA_DIR, target)
    return target


def test_kernels_load_the_artifact_only_when_its_digest_matches(data_copy, tmp_path):
    cache = tmp_path / "cache"
    try:
        session.configure(data_dir=data_copy, cache_dir=cache)
        session.WORK.clear()
        computed = session.results()
        assert session.work_done() == {"ledgers validated": 1, "results computed": 1, "rules parsed": 1}
        stored = artifacts.store_results(computed, cache, data_copy)
        assert stored.name == f"results-{artifacts.results_key(data_copy)}.pickle"

        session.configure(data_dir=data_copy, cache_dir=cache)  # a new kernel
        session.WORK.clear()
        loaded = session.results()
        session.ledgers(), session.rules()
        assert session.work_done() == {"results loaded from the build's artifact": 1}
        # compared as JSON text: NaN (e.g. an undefined design effect) is never equal to itself
        assert json.dumps(loaded.key_numbers, sort_keys=True, default=str) == json.dumps(
            computed.key_numbers, sort_keys=True, default=str
        )

        claims = data_copy / paths.CLAIMS_FILE  # the ledger changes: the artifact no longer applies
        claims.write_bytes(claims.read_bytes() + b"\n")
        session.configure(data_dir=data_copy, cache_dir=cache)
        session.WORK.clear()
        session.results()
        assert session.work_done()["results computed"] == 1
        assert "results loaded from the build's artifact" not in session.work_done()
    finally:
        session.configure()


def test_results_key_covers_the_rules(data_copy):
    before = artifacts.results_key(data_copy)
    (data_copy / paths.RULES_FILE).write_text(
        (paths.DEFAULT_DATA_DIR / paths.RULES_FILE).read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    assert artifacts.results_key(data_copy) != before
    assert artifacts.PACKAGE_DIR == paths.ROOT / "analysis"  # the package source is hashed too


@pytest.mark.parametrize("name", ["campaign.toml", "offensives.csv", "boundaries/syria_adm1.geojson", "glossary.csv"])
def test_results_key_covers_every_input_file_of_the_folder(data_copy, name):
    """A changed declaration, offensive, boundary or glossary is never 'up to date'."""
    target = data_copy / name
    if not target.exists():  # the fixture copies the ledgers and declarations only
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(paths.DEFAULT_DATA_DIR / name, target)
    before = artifacts.results_key(data_copy)
    target.write_bytes(target.read_bytes() + b"\n")
    assert artifacts.results_key(data_copy) != before


def test_results_key_ignores_prose_about_the_data(data_copy):
    before = artifacts.results_key(data_copy)
    (data_copy / "README.md").write_text("edited\n", encoding="utf-8")
    (data_copy / "research_logs").mkdir(exist_ok=True)
    (data_copy / "research_logs" / "note.md").write_text("a log\n", encoding="utf-8")
    assert artifacts.results_key(data_copy) == before


# --- permissions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_outputs_get_the_usual_permissions(tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        export.atomic_write_text(tmp_path / "out.txt", "shared\n")
    finally:
        os.umask(previous)
    assert (tmp_path / "out.txt").stat().st_mode & 0o777 == mode
