"""The main job as a pipeline: data -> results -> key numbers, notebooks (figures) -> report.

* Declared: `pipeline()` lists every step with what it reads (a digest of its inputs), what it
  writes and how; one loop runs them. `python -m analysis build --list` prints the steps, their
  order and their state (up to date / stale / missing).
* Incremental and trusting nothing it did not make: report/.build-state.json (not tracked by git)
  records, per step, the digest of its inputs and the hash of every file it wrote. A step runs
  again when its inputs changed, or one of its files is missing or was changed by hand.
* Computed once: the results are computed once and stored in .build-cache/ under the digest of
  their inputs; the key-numbers and report steps and every notebook kernel load them from there.
* Parallel: notebooks are independent of each other and run together, up to one per core.
* Atomic: everything is built in a staging folder beside the outputs, then swapped in by renaming
  whole folders under a journal, with SIGINT/SIGTERM held off. A build interrupted at any point
  leaves the previous figures/ and report/ complete; a half-finished swap is completed on the
  next start.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analysis.inputs import paths
from analysis.pipeline import artifacts
from analysis.pipeline.runner import STOP, NotebookError, NotebookJob, log, run_notebooks

STATE_FILE = ".build-state.json"
JOURNAL = ".build-commit.json"
OUTPUT_DIRS = ("figures", "report")
STATE_VERSION = 2
# What the last build did, in this process and its notebook kernels (printed by --verbose).
LAST_WORK: Counter = Counter()

__all__ = ["NotebookError", "build", "notebooks", "pipeline"]


def notebooks() -> list[Path]:
    return sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))


# --- atomic swap ----------------------------------------------------------------------------------


@contextlib.contextmanager
def signals_held():
    """Hold SIGINT/SIGTERM for the few renames of the swap; they are delivered right after."""
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _moves(out: Path, staging: Path) -> list[dict]:
    return [{"src": str(staging / d), "dst": str(out / d), "trash": str(staging / f"old-{d}")} for d in OUTPUT_DIRS]


def _apply(moves: list[dict]) -> None:
    for move in moves:
        src, dst, trash = Path(move["src"]), Path(move["dst"]), Path(move["trash"])
        if not src.exists():
            continue  # already moved by an earlier, interrupted run
        if dst.exists() and not trash.exists():
            os.rename(dst, trash)
        os.rename(src, dst)


def recover(out: Path) -> None:
    """Finish a swap that a kill interrupted (roll forward), then clear leftovers."""
    journal = out / JOURNAL
    if journal.exists():
        record = json.loads(journal.read_text(encoding="utf-8"))
        _apply(record["moves"])
        shutil.rmtree(record["staging"], ignore_errors=True)
        journal.unlink()
        log("recovered: completed an interrupted swap of the outputs")
    for leftover in out.glob(".staging-*"):
        if not _process_alive(leftover.name.removeprefix(".staging-")):
            shutil.rmtree(leftover, ignore_errors=True)


def _process_alive(pid_text: str) -> bool:
    """A staging folder is named after its build's process id; keep it while that build runs."""
    if not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _note_signal(signum, frame) -> None:
    """SIGINT/SIGTERM during a build: note it; the build stops at the next step boundary.

    Raising KeyboardInterrupt from the handler (Python's default for SIGINT) is not reliable: when
    the signal lands while a finalizer (__del__) runs, Python prints the exception as "ignored"
    and the build carries on to completion. The build checks the flag itself instead.
    """
    STOP.set()


def stop_if_signalled() -> None:
    if STOP.is_set():
        raise KeyboardInterrupt


@contextlib.contextmanager
def signals_noted():
    """While the build runs: signals set STOP (see _note_signal) instead of raising anywhere."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    STOP.clear()
    previous = {sig: signal.signal(sig, _note_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def commit(out: Path, staging: Path) -> None:
    moves = _moves(out, staging)
    journal = out / JOURNAL
    with signals_held():
        if STOP.is_set() or {signal.SIGINT, signal.SIGTERM} & signal.sigpending():
            raise KeyboardInterrupt  # a signal came in: no swap (it is delivered when unblocked)
        tmp = journal.with_suffix(".tmp")
        tmp.write_text(json.dumps({"moves": moves, "staging": str(staging)}), encoding="utf-8")
        os.replace(tmp, journal)
        _apply(moves)
        journal.unlink()
    shutil.rmtree(staging, ignore_errors=True)


# --- the pipeline -----------------------------------------------------------------------------


@dataclass
class Context:
    data: Path
    out: Path  # the folder that holds figures/ and report/ (and .build-cache/)
    root: Path  # where steps write: the staging folder during a build, `out` when listing
    force: bool = False

    @property
    def cache(self) -> Path:
        return paths.cache_dir(self.out)

    def locate(self, relative: str) -> Path:
        """Outputs are recorded relative to `out`; figures/ and report/ are written in `root`."""
        return (self.out if relative.startswith(paths.CACHE_DIR) else self.root) / relative


@dataclass
class Step:
    name: str
    after: tuple[str, ...]  # steps whose outputs this one reads
    inputs: Callable[[Context], str]  # digest of everything it reads
    outputs: Callable[[Context], list[str]]  # files it always writes (relative to out)
    action: Callable[[Context], list[Path]] | None = None  # runs it; returns every file it wrote
    notebook: Path | None = None  # notebook steps have no action: they run together, see run_notebooks
    describe: str = ""


def _results_step(ctx: Context) -> list[Path]:
    from analysis.pipeline import session

    computed = session.results(ctx.data, use_artifact=not ctx.force)  # validates: DataError -> exit 2
    return [artifacts.store_results(computed, ctx.cache, ctx.data)]


def _key_numbers_step(ctx: Context) -> list[Path]:
    from analysis.outputs import readme, results
    from analysis.pipeline import session

    computed = session.results(ctx.data)
    written = results.write(computed, paths.report_dir(ctx.root))
    # Out-of-period claims (usually date typos) and headline changes against the outputs being replaced.
    previous = paths.tables_dir(ctx.out) / paths.KEY_NUMBERS_FILE
    current = json.loads((paths.tables_dir(ctx.root) / paths.KEY_NUMBERS_FILE).read_text(encoding="utf-8"))
    for line in readme.build_messages(computed.ledgers, previous, current):
        log(line)
    return written


def _report_step(ctx: Context) -> list[Path]:
    from analysis.outputs import explorer, figures, report
    from analysis.pipeline import session

    metas = figures.saved_figures(ctx.root)
    ledgers = session.results(ctx.data).ledgers
    written = report.write_report(ctx.root, ledgers, report.figure_index(metas))
    return [*written, explorer.write_explorer(ctx.root, ledgers)]


def _figure_files(ctx: Context) -> list[Path]:
    return sorted(p for p in paths.figures_dir(ctx.root).rglob("*") if p.is_file())


def pipeline(data: Path) -> list[Step]:
    """Every step of a build, in an order that respects `after`."""
    key = artifacts.results_key(data)
    report_files = ("report.md", "report.html", "report.pdf", "explorer.html")
    steps = [
        Step(
            "results",
            (),
            lambda ctx: key,
            lambda ctx: [f"{paths.CACHE_DIR}/{artifacts.results_path(ctx.cache, ctx.data).name}"],
            _results_step,
            describe="validate ledgers and rules, compute every number once",
        ),
        Step(
            "key numbers",
            ("results",),
            lambda ctx: key,
            lambda ctx: [paths.table_label(name) for name in paths.MACHINE_TABLES],
            _key_numbers_step,
            describe="machine tables in report/tables/",
        ),
    ]
    for nb in notebooks():
        steps.append(
            Step(
                nb.stem,
                ("results",),
                lambda ctx, nb=nb: artifacts.digest(key, nb),
                lambda ctx, nb=nb: [f"report/notebooks/{nb.stem}.html"],
                notebook=nb,
                describe=f"execute {nb.relative_to(paths.ROOT) if nb.is_relative_to(paths.ROOT) else nb}: figures",
            )
        )
    steps.append(
        Step(
            "report",
            ("key numbers", *(nb.stem for nb in notebooks())),
            lambda ctx: artifacts.digest(key, paths.TEMPLATES_DIR, *_figure_files(ctx)),
            lambda ctx: [f"report/{name}" for name in report_files],
            _report_step,
            describe="report.md, .html, .pdf from key numbers and figures",
        )
    )
    return steps


def status(step: Step, record: dict | None, ctx: Context) -> str:
    """'missing' (never made, or a file gone), 'stale' (inputs or a file changed) or 'up to date'."""
    if not record:
        return "missing"
    files = {**dict.fromkeys(step.outputs(ctx)), **record.get("outputs", {})}
    if any(not ctx.locate(rel).is_file() for rel in files):
        return "missing"
    if record.get("inputs") != step.inputs(ctx):
        return "stale"
    if any(expected is None or artifacts.file_hash(ctx.locate(rel)) != expected for rel, expected in files.items()):
        return "stale"
    return "up to date"


def _record(step: Step, ctx: Context, written: list[Path], inputs: str) -> dict:
    files = {ctx.locate(rel) for rel in step.outputs(ctx)} | {Path(p) for p in written}
    outputs = {}
    for path in sorted(files):
        path = path.resolve()
        base = ctx.out if path.is_relative_to(ctx.cache) else ctx.root
        outputs[str(path.relative_to(base.resolve()))] = artifacts.file_hash(path)
    return {"inputs": inputs, "outputs": outputs}


def read_state(out: Path) -> dict:
    path = paths.report_dir(out) / STATE_FILE
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state.get("steps", {}) if state.get("version") == STATE_VERSION else {}


def listing(data: Path, out: Path) -> str:
    """The DAG as text: each step, what it needs, its state, what it writes."""
    ctx = Context(data, out, out)
    state = read_state(out)
    lines = []
    for step in pipeline(data):
        record = state.get(step.name)
        files = sorted({*step.outputs(ctx), *(record or {}).get("outputs", {})})
        lines.append(f"{step.name:<30} {status(step, record, ctx):<11} {step.describe}")
        lines.append(f"    after: {', '.join(step.after) or '(the data folder)'}")
        shown = files[:4] + ([f"... {len(files) - 4} more"] if len(files) > 4 else [])
        lines.append(f"    writes: {', '.join(shown)}")
    return "\n".join(lines)


def _run_steps(steps: list[Step], ctx: Context, state: dict, jobs: int, work: Counter) -> dict:
    """The loop: each step in order, skipped when up to date; notebook steps in a row run together."""
    done: dict[str, dict] = {}
    index = 0
    while index < len(steps):
        batch = [steps[index]]
        if steps[index].notebook is not None:
            while index + len(batch) < len(steps) and steps[index + len(batch)].notebook is not None:
                batch.append(steps[index + len(batch)])
        index += len(batch)
        todo = []
        stop_if_signalled()
        for step in batch:
            if not ctx.force and status(step, state.get(step.name), ctx) == "up to date":
                log(f"[{step.name}] unchanged, skipped")
                done[step.name] = state[step.name]
            else:
                todo.append(step)
        if not todo:
            continue
        if todo[0].notebook is None:
            (step,) = todo
            started = time.perf_counter()
            log(f"[{step.name}] started")
            written = step.action(ctx)
            done[step.name] = _record(step, ctx, written, step.inputs(ctx))
            if step.name == "report":
                for path in written:
                    log(f"  wrote {path.relative_to(ctx.root)}")
            log(f"[{step.name}] done in {time.perf_counter() - started:.1f} s")
            continue
        report_dir = paths.report_dir(ctx.root)
        nb_jobs = [
            NotebookJob(s.notebook, ctx.data, ctx.root, report_dir / "notebooks" / f"{s.name}.html", ctx.cache)
            for s in todo
        ]
        for s in todo:  # a notebook rewrites its figures: stale ones must not outlive a failed run
            for rel in state.get(s.name, {}).get("outputs", {}):
                ctx.locate(rel).unlink(missing_ok=True)
        run_notebooks(nb_jobs, workers=jobs)
        for s, job in zip(todo, nb_jobs, strict=True):
            work.update(job.work)
            done[s.name] = _record(s, ctx, [*job.written, job.html_out], s.inputs(ctx))
    return done


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def build(
    data: Path | None = None,
    out: Path | None = None,
    force: bool = False,
    jobs: int | None = None,
    verbose: bool = False,
) -> int:
    """Run every step that is not up to date, in staging; swap the outputs in. 0, or 1 if a notebook fails."""
    with signals_noted():
        code = _build(Path(data or paths.DEFAULT_DATA_DIR).resolve(), Path(out or paths.ROOT).resolve(), force, jobs)
        stop_if_signalled()
    if verbose and code == 0:
        counts = ", ".join(f"{name}: {count}" for name, count in sorted(LAST_WORK.items()))
        log(f"work done by this build (build process and notebook kernels): {counts or 'none'}")
    return code


def _build(data: Path, out: Path, force: bool, jobs: int | None) -> int:
    LAST_WORK.clear()
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    recover(out)

    state = {} if force else read_state(out)
    steps = pipeline(data)
    if not force and all(status(s, state.get(s.name), Context(data, out, out)) == "up to date" for s in steps):
        log(f"nothing to do: outputs are up to date ({time.perf_counter() - started:.1f} s)")
        return 0

    from analysis.pipeline import session

    session.configure(data_dir=data, out_dir=out, cache_dir=paths.cache_dir(out))
    session.WORK.clear()
    staging = out / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    work: Counter = Counter()
    try:
        for d in OUTPUT_DIRS:  # start from the current outputs so skipped steps keep theirs
            if (out / d).exists():
                shutil.copytree(out / d, staging / d, symlinks=True)
            else:
                (staging / d).mkdir()
        ctx = Context(data, out, staging, force)
        done = _run_steps(steps, ctx, state, jobs or default_jobs(), work)
        text = json.dumps({"version": STATE_VERSION, "steps": done}, indent=1, sort_keys=True)
        (paths.report_dir(staging) / STATE_FILE).write_text(text, encoding="utf-8")
        log("[swap outputs into place] started")
        stop_if_signalled()
        commit(out, staging)
        log("[swap outputs into place] done")
        if out == paths.ROOT and data == paths.DEFAULT_DATA_DIR.resolve():
            # The build never writes into the data folder: the codebook tables in data/README.md are
            # checked by a test and refreshed on request (`python -m analysis codebook --write`).
            log("[README headline] started")
            from analysis.outputs import readme

            readme.write_readme(paths.report_dir(out))
            log("[README headline] done")
    except NotebookError as err:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"build failed: {err}; previous outputs left intact", file=sys.stderr)
        return 1
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        work.update(session.work_done())
        LAST_WORK.update(work)
        session.configure()
    log(
        f"build finished in {time.perf_counter() - started:.1f} s: {paths.figures_dir(out)} and {paths.report_dir(out)}"
    )
    return 0
