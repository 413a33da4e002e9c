"""Hardening: a build interrupted at any point leaves the previous figures/ and report/ complete.

A complete build is made first (module fixture, ~50 s). Three copies of it are then hit, in
parallel, by `python -m analysis build --force` runs that receive SIGINT, SIGTERM or SIGKILL at
three points (POINTS), each the moment the build prints a line saying it got there: validation
started, the first notebook's kernel running cells, the second notebook's kernel running cells.
No point depends on how fast the machine is. One signal per copy, the three points one after another in
the same copy, so leftovers of one interrupted run meet the next. After every run the previous outputs must be
byte-identical, no kernel may be left running, and a following build must succeed and leave no
.staging-* or journal behind. SIGINT and SIGTERM must also stop the build, cleanly, even while a notebook
runs (nbclient traps both signals; the build turns that into an interrupt). A notebook that fails (a failing cell injected into a
temporary copy) must fail the build with exit status 1 and a message naming notebook and cell,
outputs intact.

Every subprocess build runs from its own copy of the project (package, notebooks, data): the build
starts kernels with transport="ipc" and jupyter_client's default *relative* socket path
'kernel-ipc-N' in the current folder, so builds started from the same folder at the same time
talk to each other's kernels ("Invalid Signature") -- a bug reported with these tests. The copies
keep the parallel runs here (and other people's builds in the checkout) apart.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from analysis.inputs import paths
from analysis.pipeline import build

pytestmark = pytest.mark.slow
ROOT = paths.ROOT
# Where to interrupt: the line the build prints on getting there; the signal follows at once.
POINTS = {
    "startup": "[results] started",  # imports done, ledgers being validated
    "first notebook": "[01-claims-ledger] kernel ready, running cells",  # a kernel executing cells
    "second notebook": "[02-incidents-and-base-rates] kernel ready, running cells",  # another notebook done or running
}
MARKER_TIMEOUT_S = 600
SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM, "SIGKILL": signal.SIGKILL}
# SIGTERM: killed by the default action, or a clean exit after handling it (130 or 143).
EXPECTED_EXIT = {"SIGINT": {130}, "SIGTERM": {-signal.SIGTERM, 130, 143}, "SIGKILL": {-signal.SIGKILL}}
STOP_TIMEOUT_S = 60


def outputs(out: Path) -> dict[str, bytes]:
    """Every file of figures/ and report/ (hidden ones included) -> bytes."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for d in build.OUTPUT_DIRS
        for p in sorted((out / d).rglob("*"))
        if p.is_file()
    }


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith((".staging-", ".build-commit")))


def build_command(out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "analysis", "build", "--out", str(out), *extra]


def sandbox(target: Path) -> Path:
    """A copy of the project to run `python -m analysis build` from (cwd), see the module docstring."""
    skip = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "kernel-ipc-*")
    for name in ("analysis", "notebooks", "data"):
        shutil.copytree(ROOT / name, target / name, ignore=skip)
    shutil.copy2(ROOT / "CITATION.cff", target / "CITATION.cff")
    return target


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def kernels_of(pid: int) -> list[int]:
    """Processes started for build process `pid` (jupyter_client marks kernels with JPY_PARENT_PID)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"JPY_PARENT_PID={pid}".encode() in environ:
            found.append(int(entry.name))
    return found


def wait_for_no_kernels(pid: int, timeout: float = 15.0) -> list[int]:
    """Kernels of `pid` still alive after `timeout`; those are killed (by pid) so nothing leaks."""
    deadline = time.monotonic() + timeout
    alive = kernels_of(pid)
    while alive and time.monotonic() < deadline:
        time.sleep(0.5)
        alive = kernels_of(pid)
    for kernel in alive:
        try:
            os.kill(kernel, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return alive


def dir_ids(out: Path) -> dict[str, int]:
    """Inode of figures/ and report/: a completed swap renames new folders into place."""
    return {d: (out / d).stat().st_ino for d in build.OUTPUT_DIRS}


@dataclass
class Run:
    signal: str
    point: str  # where the signal is sent, see POINTS
    elapsed: float = 0.0  # seconds from start to signal
    returncode: int | None = None
    phase: str = ""  # the last '[step] ...' line printed before the signal
    stderr_tail: str = ""
    intact: bool = False
    swapped: bool = False  # the build went on to replace the outputs after all
    leftovers: list[str] = field(default_factory=list)
    orphan_kernels: list[int] = field(default_factory=list)
    hung: bool = False
    finished_before_signal: bool = False

    def __str__(self) -> str:
        return (
            f"{self.signal} {self.elapsed:.1f} s after start ({self.point}; last step {self.phase or 'none'!r}): "
            f"exit {self.returncode}, outputs {'intact' if self.intact else 'CHANGED'}"
            f"{' (replaced by a completed build)' if self.swapped else ''}, leftovers {self.leftovers or 'none'}"
        )


def interrupt(project: Path, out: Path, name: str, point: str, before: dict[str, bytes], logs: Path) -> Run:
    marker = POINTS[point]
    record = Run(name, point)
    ids_before = dir_ids(out)
    stdout_path, stderr_path = logs / f"{name}-{point}.out", logs / f"{name}-{point}.err"
    with stdout_path.open("w") as stdout, stderr_path.open("w") as stderr:
        started = time.monotonic()
        proc = subprocess.Popen(
            build_command(out, "--force"), cwd=project, stdout=stdout, stderr=stderr, start_new_session=True
        )
        deadline = started + MARKER_TIMEOUT_S
        while marker not in stdout_path.read_text() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)  # polling for the line, not a guess at how long a step takes
        record.elapsed = time.monotonic() - started
        record.finished_before_signal = proc.poll() is not None
        steps = [line for line in stdout_path.read_text().splitlines() if line.startswith("[")]
        record.phase = steps[-1] if steps else ""
        if not record.finished_before_signal:
            proc.send_signal(SIGNALS[name])
        try:
            record.returncode = proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            record.hung = True
            proc.kill()
            record.returncode = proc.wait()
    record.orphan_kernels = wait_for_no_kernels(proc.pid)
    record.stderr_tail = stderr_path.read_text()[-1500:]
    record.intact = outputs(out) == before
    record.swapped = dir_ids(out) != ids_before
    record.leftovers = leftovers(out)
    return record


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    """signal name -> a copy of the project for the builds that receive that signal."""
    root = tmp_path_factory.mktemp("projects")
    return {name: sandbox(root / name) for name in SIGNALS}


@pytest.fixture(scope="module")
def previous(projects, tmp_path_factory):
    """A complete build to protect, and its bytes."""
    out = tmp_path_factory.mktemp("interrupt") / "previous"
    project = projects["SIGINT"]
    result = subprocess.run(build_command(out), cwd=project, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    snapshot = outputs(out)
    assert "report/report.pdf" in snapshot and "report/.build-state.json" in snapshot
    assert sum(name.startswith("figures/") and name.endswith(".png") for name in snapshot) >= 6
    return out, snapshot


@pytest.fixture(scope="module")
def interrupted(projects, previous, tmp_path_factory):
    """signal name -> (out folder, [Run per point]); the three signals run in parallel threads."""
    source, before = previous
    root = tmp_path_factory.mktemp("interrupted")
    logs = root / "logs"
    logs.mkdir()
    folders = {}
    for name in SIGNALS:
        folders[name] = root / name
        shutil.copytree(source, folders[name], symlinks=True)
    runs: dict[str, list[Run]] = {name: [] for name in SIGNALS}

    def worker(name: str) -> None:
        for point in POINTS:
            runs[name].append(interrupt(projects[name], folders[name], name, point, before, logs))

    threads = [threading.Thread(target=worker, args=(name,)) for name in SIGNALS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("\ninterrupted builds:")
    for name in SIGNALS:
        for run in runs[name]:
            print(f"  {run}")
    return {name: (folders[name], runs[name]) for name in SIGNALS}


@pytest.fixture(scope="module")
def followed(projects, interrupted):
    """signal name -> the CompletedProcess of a normal build run after the interruptions."""

    def follow(name):
        out, _ = interrupted[name]
        command = build_command(out)
        return name, subprocess.run(command, cwd=projects[name], capture_output=True, text=True, timeout=900)

    results = {}
    threads = []
    for name in SIGNALS:
        thread = threading.Thread(target=lambda n=name: results.__setitem__(*follow(n)))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("name", list(SIGNALS))
def test_previous_outputs_survive_every_interruption(interrupted, name):
    _, runs = interrupted[name]
    assert len(runs) == len(POINTS)
    for run in runs:
        assert not run.finished_before_signal, f"{run}: the build ended before the signal; nothing was tested"
        assert run.intact, f"previous figures/ or report/ changed: {run}"


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM", "SIGKILL"])
def test_interrupted_build_stops_promptly_and_cleanly(interrupted, name):
    """The signal stops the build (no completed swap), promptly, with no traceback; SIGINT says so."""
    _, runs = interrupted[name]
    for run in runs:
        assert not run.hung, f"did not stop within {STOP_TIMEOUT_S} s: {run}"
        assert not run.swapped and run.returncode != 0, f"the build carried on after the signal: {run}"
        assert run.returncode in EXPECTED_EXIT[name], f"{run}\n{run.stderr_tail}"
        if name != "SIGKILL":
            assert "Traceback" not in run.stderr_tail, f"{run}\n{run.stderr_tail}"
        if name == "SIGINT":
            assert "interrupted; finished outputs were left as they were" in run.stderr_tail, run.stderr_tail
            assert run.leftovers == [], f"SIGINT left {run.leftovers}"


@pytest.mark.parametrize("name", list(SIGNALS))
def test_no_kernel_outlives_an_interrupted_build(interrupted, name):
    _, runs = interrupted[name]
    for run in runs:
        assert run.orphan_kernels == [], f"kernels still running 15 s after {run}: {run.orphan_kernels}"


@pytest.mark.parametrize("name", list(SIGNALS))
def test_following_build_succeeds_and_cleans_up(previous, interrupted, followed, name):
    out, _ = interrupted[name]
    result = followed[name]
    assert result.returncode == 0, result.stderr[-3000:]
    assert leftovers(out) == [], leftovers(out)
    if "nothing to do" in result.stdout:  # nothing changed since the previous build (the usual case)
        assert outputs(out) == previous[1]
    else:  # someone changed the package meanwhile: a real rebuild, which must be complete
        assert set(outputs(out)) == set(previous[1])


# --- a failing notebook ------------------------------------------------------------------------------


def _with_failing_cell(source: Path, target_dir: Path, index: int) -> Path:
    nb = nbformat.read(source, as_version=4)
    nb.cells.insert(index, nbformat.v4.new_code_cell('raise RuntimeError("injected failure for test_interrupt")'))
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / source.name
    nbformat.write(nb, target)
    return target


def test_failing_notebook_fails_the_build_and_keeps_outputs(previous, tmp_path, monkeypatch, capsys):
    """In-process build.build; the third notebook fails after two were skipped as unchanged."""
    source, before = previous
    out = tmp_path / "out"
    shutil.copytree(source, out, symlinks=True)
    real = build.notebooks()
    victim = next(nb for nb in real if nb.name.startswith("03-"))
    broken = _with_failing_cell(victim, tmp_path / "notebooks", index=3)
    monkeypatch.setattr(build, "notebooks", lambda: [broken if nb == victim else nb for nb in real])

    code = build.build(data=paths.DEFAULT_DATA_DIR, out=out)

    captured = capsys.readouterr()
    assert code == 1, captured.err
    err = strip_ansi(captured.err)
    expected = (
        f"build failed: notebook {victim.name} failed in cell 3: RuntimeError: injected failure for test_interrupt"
    )
    assert expected in err, err
    assert "previous outputs left intact" in err
    if "[key numbers] unchanged, skipped" in captured.out:  # (unless someone edited analysis/ meanwhile)
        assert "[01-claims-ledger] unchanged, skipped" in captured.out  # earlier notebooks were not rerun
    assert outputs(out) == before
    assert leftovers(out) == []


@pytest.fixture(scope="module")
def cli_failure(previous, tmp_path_factory):
    """`analysis.__main__.main(["build", ...])` with notebook 01 failing in cell 1: (code, stderr, out)."""
    from analysis.__main__ import main as cli_main

    source, _ = previous
    tmp = tmp_path_factory.mktemp("failing")
    out = tmp / "out"
    shutil.copytree(source, out, symlinks=True)
    real = build.notebooks()
    broken = _with_failing_cell(real[0], tmp / "notebooks", index=1)
    stderr = io.StringIO()
    with (
        pytest.MonkeyPatch.context() as patch,
        contextlib.redirect_stderr(stderr),
        contextlib.redirect_stdout(io.StringIO()),
    ):
        patch.setattr(build, "notebooks", lambda: [broken, *real[1:]])
        code = cli_main(["build", "--out", str(out)])
    return code, stderr.getvalue(), out, real[0].name


def test_failing_notebook_through_the_command_line_exits_1(previous, cli_failure):
    code, err, out, notebook = cli_failure
    assert code == 1, err
    assert f"notebook {notebook} failed in cell 1: RuntimeError: injected failure" in strip_ansi(err), err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert outputs(out) == previous[1]
    assert leftovers(out) == []


def test_failing_notebook_message_is_plain_text(cli_failure):
    _, err, _, _ = cli_failure
    assert "\x1b[" not in err, repr(err)
