"""The main job: data -> key numbers -> executed notebooks (figures) -> report. Incremental, atomic.

* Incremental: each step records a hash of its inputs in report/.build-state.json (not tracked by
  git); a step whose inputs are unchanged and whose outputs exist is skipped. Notebook N depends
  on the data, the package and notebook N; the report on the key numbers, figures and templates.
* Atomic: everything is built in a staging folder beside the outputs, then swapped in by renaming
  whole folders under a journal, with SIGINT/SIGTERM held off. A build interrupted at any point
  leaves the previous figures/ and report/ complete; a half-finished swap is completed on the
  next start.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from analysis import paths
from analysis.load import load
from analysis.rules import load_rules

STATE_FILE = ".build-state.json"
JOURNAL = ".build-commit.json"
OUTPUT_DIRS = ("figures", "report")
NOTEBOOK_TIMEOUT_S = 600


class NotebookError(RuntimeError):
    pass


def log(message: str) -> None:
    print(message, flush=True)


class Step:
    """Prints '[step] what ... done in 1.2 s' so progress is visible."""

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        self.start = time.perf_counter()
        log(f"[{self.name}] started")
        return self

    def __exit__(self, kind, value, tb):
        if kind is None:
            log(f"[{self.name}] done in {time.perf_counter() - self.start:.1f} s")
        return False


def digest(*items: Path | str) -> str:
    """Content hash of files, folders (recursively, sorted) and literal strings."""
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


def commit(out: Path, staging: Path) -> None:
    moves = _moves(out, staging)
    journal = out / JOURNAL
    with signals_held():
        tmp = journal.with_suffix(".tmp")
        tmp.write_text(json.dumps({"moves": moves, "staging": str(staging)}), encoding="utf-8")
        os.replace(tmp, journal)
        _apply(moves)
        journal.unlink()
    shutil.rmtree(staging, ignore_errors=True)


# --- steps ---------------------------------------------------------------------------------------


def _ipc_kernel_manager(socket_dir: str):
    from jupyter_client.manager import KernelManager

    class IpcKernelManager(KernelManager):
        """Local sockets instead of TCP on localhost: no ports, no plaintext-TCP warning.

        The sockets live in a private folder (absolute path): jupyter_client's default is the relative
        path 'kernel-ipc-N' in the current folder, which two builds running at once share (they then
        talk to each other's kernels) and which breaks when the build is not started from the
        repository root (the kernel runs there, the client connects elsewhere).
        """

        def __init__(self, **kwargs):
            super().__init__(transport="ipc", ip=os.path.join(socket_dir, "kernel"), **kwargs)

    return IpcKernelManager


NOTEBOOK_CSP = (
    '<meta http-equiv="Content-Security-Policy" '
    "content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:\">"
)


def offline_html(body: str) -> str:
    """Executed notebooks are read offline and hold ledger text: drop the template's CDN scripts
    (require.js, MathJax; the notebooks use neither) and forbid every script and remote load."""
    body = re.sub(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>\s*', "", body)
    return body.replace("<head>", "<head>\n" + NOTEBOOK_CSP, 1)


def run_notebook(path: Path, data: Path, root: Path, html_out: Path) -> None:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from nbconvert import HTMLExporter

    socket_dir = tempfile.mkdtemp(prefix="analysis-kernel-")
    IpcKernelManager = _ipc_kernel_manager(socket_dir)  # noqa: N806 - a class
    nb = nbformat.read(path, as_version=4)
    env_before = {k: os.environ.get(k) for k in (paths.DATA_ENV, paths.OUT_ENV)}
    os.environ[paths.DATA_ENV], os.environ[paths.OUT_ENV] = str(data), str(root)
    client = NotebookClient(
        nb,
        timeout=NOTEBOOK_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(paths.ROOT)}},
        kernel_manager_class=IpcKernelManager,
    )

    def signalled() -> bool:
        # While a kernel runs, nbclient traps SIGINT and SIGTERM and only schedules a kernel cleanup:
        # the build would carry on (or die on an AssertionError). Treat it as the interrupt it was.
        return getattr(client, "_async_cleanup_kernel_future", None) is not None

    try:
        client.execute()
    except CellExecutionError as err:
        if signalled():
            raise KeyboardInterrupt from err
        index = next(
            (i for i, c in enumerate(nb.cells) if any(o.get("output_type") == "error" for o in c.get("outputs", []))),
            None,
        )
        where = f"cell {index}" if index is not None else "a cell"
        raise NotebookError(f"notebook {path.name} failed in {where}: {err.ename}: {err.evalue}") from err
    except Exception as err:
        if signalled():
            raise KeyboardInterrupt from err
        raise
    finally:
        shutil.rmtree(socket_dir, ignore_errors=True)
        for key, value in env_before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    if signalled():
        raise KeyboardInterrupt
    exporter = HTMLExporter(template_name="lab", exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    body = offline_html(body)
    html_out.parent.mkdir(parents=True, exist_ok=True)
    html_out.write_text(body, encoding="utf-8")


def build(data: Path | None = None, out: Path | None = None, force: bool = False) -> int:
    data = Path(data or paths.DEFAULT_DATA_DIR).resolve()
    out = Path(out or paths.ROOT).resolve()
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    recover(out)

    state_path = paths.report_dir(out) / STATE_FILE
    state = {} if force or not state_path.exists() else json.loads(state_path.read_text(encoding="utf-8"))
    package = Path(__file__).resolve().parent
    data_hash = digest(
        *(data / r for r in ("claims.csv", "incidents.csv", "places.csv", "aggregate_counts.csv")),
        paths.rules_path(data),
        paths.schema_path(),
    )
    results_key = digest(data_hash, package)
    wanted: dict[str, str] = {"data": data_hash, "results": results_key}

    if state.get("data") == data_hash:
        log("[validate] these exact ledgers were validated by the last build, skipped")
    else:
        with Step("validate"):
            load(data)  # DataError propagates: exit 2 before anything is touched
            load_rules(paths.rules_path(data))
    cache: dict = {}

    def ledgers():
        if "ledgers" not in cache:
            cache["ledgers"] = load(data)
        return cache["ledgers"]

    for nb in notebooks():
        wanted[f"notebook:{nb.name}"] = digest(results_key, nb)

    staging = out / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        for d in OUTPUT_DIRS:  # start from the current outputs so skipped steps keep theirs
            if (out / d).exists():
                shutil.copytree(out / d, staging / d, symlinks=True)
            else:
                (staging / d).mkdir()
        report_dir = paths.report_dir(staging)
        changed = False

        if state.get("results") != results_key or not (report_dir / "key_numbers.json").exists():
            with Step("key numbers"):
                from analysis import results

                computed = results.compute(ledgers(), load_rules(paths.rules_path(data)))
                results.write(computed, report_dir)
                changed = True
        else:
            log("[key numbers] unchanged, skipped")

        for nb in notebooks():
            name = f"notebook:{nb.name}"
            html_path = report_dir / "notebooks" / nb.with_suffix(".html").name
            if state.get(name) == wanted[name] and html_path.exists():
                log(f"[{nb.stem}] unchanged, skipped")
                continue
            with Step(nb.stem):
                run_notebook(nb, data, staging, html_path)
            changed = True

        from analysis import explorer, figures, report

        metas = figures.saved_figures(staging)
        report_key = digest(results_key, paths.TEMPLATES_DIR, *(paths.figures_dir(staging).glob("*.png")))
        wanted["report"] = report_key
        if state.get("report") != report_key or not (report_dir / "report.pdf").exists():
            with Step("report"):
                written = report.write_report(staging, ledgers(), report.figure_index(metas))
                written.append(explorer.write_explorer(staging, ledgers()))
                for path in written:
                    log(f"  wrote {path.relative_to(staging)}")
            changed = True
        else:
            log("[report] unchanged, skipped")

        if not changed and state == wanted:
            shutil.rmtree(staging, ignore_errors=True)
            log(f"nothing to do: outputs are up to date ({time.perf_counter() - started:.1f} s)")
            return 0
        (report_dir / STATE_FILE).write_text(json.dumps(wanted, indent=1, sort_keys=True), encoding="utf-8")
        with Step("swap outputs into place"):
            commit(out, staging)
        if out == paths.ROOT and data == paths.DEFAULT_DATA_DIR.resolve():
            with Step("README headline and codebook tables"):
                from analysis import codebook, readme

                readme.write_readme(paths.report_dir(out))
                codebook.write_codebook(data)
    except NotebookError as err:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"build failed: {err}; previous outputs left intact", file=sys.stderr)
        return 1
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log(
        f"build finished in {time.perf_counter() - started:.1f} s: {paths.figures_dir(out)} and {paths.report_dir(out)}"
    )
    return 0
