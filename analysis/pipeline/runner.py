"""Executing notebooks for the build: private kernels, explicit parameters, clean stops, in parallel.

Each notebook gets two injected cells that are not part of its exported HTML: a parameters cell
first (papermill-style; `session.configure` with the data folder, output root and artifact folder)
and a last cell that reports what the kernel did and which files it wrote.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from analysis.inputs import paths

NOTEBOOK_TIMEOUT_S = 600
PARAMETERS_TAG = "injected-parameters"
REPORT_TAG = "injected-report"


# Set when SIGINT or SIGTERM arrives during a build; the build stops at the next step boundary.
STOP = threading.Event()


class NotebookError(RuntimeError):
    pass


def log(message: str) -> None:
    print(message, flush=True)


def _ipc_kernel_manager(socket_dir: str):
    from jupyter_client.manager import AsyncKernelManager

    class IpcKernelManager(AsyncKernelManager):
        """Local sockets instead of TCP on localhost: no ports, no plaintext-TCP warning.

        The sockets live in a private folder (absolute path): jupyter_client's default is the relative
        path 'kernel-ipc-N' in the current folder, which two builds running at once share (they then
        talk to each other's kernels) and which breaks when the build is not started from the
        repository root (the kernel runs there, the client connects elsewhere).
        """

        def __init__(self, **kwargs):
            super().__init__(transport="ipc", ip=os.path.join(socket_dir, "kernel"), **kwargs)

    return IpcKernelManager


def _notebook_client_class():
    from jupyter_core.utils import ensure_async
    from nbclient import NotebookClient

    class BuildNotebookClient(NotebookClient):
        """A client whose kernel the build stops in a fixed order, and which leaves signals alone.

        nbclient's own SIGINT/SIGTERM handler schedules a cleanup that closes the kernel's channels
        while the cell being executed still polls them: the poller then dies on
        `zmq.error.ZMQError: Socket operation on non-socket` and the build's stderr gets a traceback.
        Here the build owns the signals (see `_run_all`): it cancels the pollers, the kernel is
        killed, and only then are the channels closed.
        """

        announce = None  # called once the kernel is ready to run cells

        @contextlib.asynccontextmanager
        async def async_setup_kernel(self, **kwargs):
            if self.km is None:
                self.km = self.create_kernel_manager()
            try:
                await self.async_start_new_kernel(**kwargs)
                await self.async_start_new_kernel_client()
                if self.announce:
                    self.announce()
                yield
            finally:
                await self._stop_kernel()

        async def _stop_kernel(self) -> None:
            if self.km is None:
                return
            interrupted = asyncio.current_task().cancelling() > 0  # a signal cancelled this notebook
            try:
                if await self.km.is_alive():
                    await self.km.shutdown_kernel(now=interrupted)  # kernel first ...
            finally:
                await ensure_async(self.km.cleanup_resources())
                if self.kc is not None:
                    await ensure_async(self.kc.stop_channels())  # ... channels after
                self.kc = None
                self.km = None

    return BuildNotebookClient


NOTEBOOK_CSP = (
    '<meta http-equiv="Content-Security-Policy" '
    "content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:\">"
)


def offline_html(body: str) -> str:
    """Executed notebooks are read offline and hold ledger text: drop the template's CDN scripts
    (require.js, MathJax; the notebooks use neither) and forbid every script and remote load."""
    body = re.sub(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>\s*', "", body)
    return body.replace("<head>", "<head>\n" + NOTEBOOK_CSP, 1)


@dataclass
class NotebookJob:
    """One notebook to execute against `data`, writing figures under `root` and its HTML to `html_out`."""

    path: Path
    data: Path
    root: Path
    html_out: Path
    cache: Path  # where the build's computed results are
    work: dict[str, int] = field(default_factory=dict)  # filled in: what the kernel did
    written: list[Path] = field(default_factory=list)  # filled in: files the kernel wrote


def _with_injected_cells(nb, job: NotebookJob):
    import nbformat

    configure = (
        "from analysis.pipeline import session\n"
        f"session.configure(data_dir={str(job.data)!r}, out_dir={str(job.root)!r}, cache_dir={str(job.cache)!r})"
    )
    first = nbformat.v4.new_code_cell(configure, metadata={"tags": [PARAMETERS_TAG]})
    last = nbformat.v4.new_code_cell(
        "from analysis.pipeline import session\nsession.report_to_build()", metadata={"tags": [REPORT_TAG]}
    )
    nb.cells = [first, *nb.cells, last]
    return nb


def _without_injected_cells(nb, job: NotebookJob):
    """Read the kernel's report, then drop both injected cells and renumber as if they were never there."""
    from analysis.pipeline.session import REPORT_MARK

    for output in nb.cells[-1].get("outputs", []):
        for line in output.get("text", "").splitlines():
            if line.startswith(REPORT_MARK):
                report = json.loads(line.removeprefix(REPORT_MARK))
                job.work = report["work"]
                job.written = [Path(p) for p in report["written"]]
    nb.cells = [c for c in nb.cells if not {PARAMETERS_TAG, REPORT_TAG} & set(c.metadata.get("tags", []))]
    for cell in nb.cells:
        if cell.get("execution_count"):
            cell.execution_count -= 1
        for output in cell.get("outputs", []):
            if output.get("execution_count"):
                output["execution_count"] -= 1
    return nb


def run_notebooks(jobs: list[NotebookJob], workers: int = 1) -> None:
    """Execute `jobs`, up to `workers` at once.

    SIGINT and SIGTERM while they run stop every kernel (pollers cancelled, kernel killed, then
    channels closed) and raise KeyboardInterrupt; a failing cell raises NotebookError naming
    notebook and cell once the other notebooks have ended.
    """
    if jobs:
        asyncio.run(_run_all(jobs, max(1, workers)))


async def _run_all(jobs: list[NotebookJob], workers: int) -> None:
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    interrupted = asyncio.Event()

    def on_signal() -> None:
        STOP.set()
        if interrupted.is_set():
            return  # the first signal is already stopping everything; let that finish
        interrupted.set()
        for task in asyncio.all_tasks(loop):
            if task is not main:
                task.cancel()

    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        loop.add_signal_handler(sig, on_signal)
    try:
        gate = asyncio.Semaphore(workers)
        outcomes = await asyncio.gather(*(_run_one(job, gate, interrupted) for job in jobs), return_exceptions=True)
    finally:
        for sig, handler in previous.items():
            loop.remove_signal_handler(sig)
            signal.signal(sig, handler)  # asyncio would leave the default handlers, not the build's
    if interrupted.is_set() or STOP.is_set():
        raise KeyboardInterrupt
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


async def _run_one(job: NotebookJob, gate: asyncio.Semaphore, interrupted: asyncio.Event) -> None:
    import nbformat
    from nbclient.exceptions import CellExecutionError
    from nbconvert import HTMLExporter

    async with gate:
        name = job.path.stem
        started = time.perf_counter()
        log(f"[{name}] started")
        nb = _with_injected_cells(nbformat.read(job.path, as_version=4), job)
        socket_dir = tempfile.mkdtemp(prefix="analysis-kernel-")
        client = _notebook_client_class()(
            nb,
            timeout=NOTEBOOK_TIMEOUT_S,
            kernel_name="python3",
            resources={"metadata": {"path": str(paths.ROOT)}},
            kernel_manager_class=_ipc_kernel_manager(socket_dir),
        )
        client.announce = lambda: log(f"[{name}] kernel ready, running cells")
        kernel_log = Path(socket_dir) / "kernel-stderr.log"
        try:
            # The kernel's own stderr (not the cells' output, which comes back as messages) goes to a
            # file: a kernel stopped by a signal must not print into the build's stderr.
            with kernel_log.open("wb") as kernel_stderr:
                await client.async_execute(stderr=kernel_stderr)
        except CellExecutionError as err:
            if interrupted.is_set():
                raise KeyboardInterrupt from err
            index = next(
                (
                    i - 1  # the notebook's own numbering: without the injected parameters cell
                    for i, c in enumerate(nb.cells)
                    if any(o.get("output_type") == "error" for o in c.get("outputs", []))
                ),
                None,
            )
            where = f"cell {index}" if index is not None else "a cell"
            raise NotebookError(f"notebook {job.path.name} failed in {where}: {err.ename}: {err.evalue}") from err
        except Exception as err:
            if interrupted.is_set():
                raise KeyboardInterrupt from err
            tail = kernel_log.read_text(errors="replace")[-2000:] if kernel_log.exists() else ""
            raise NotebookError(f"notebook {job.path.name}: {type(err).__name__}: {err}\n{tail}".rstrip()) from err
        finally:
            shutil.rmtree(socket_dir, ignore_errors=True)
        if interrupted.is_set():
            raise KeyboardInterrupt
        exporter = HTMLExporter(template_name="lab", exclude_input_prompt=True, exclude_output_prompt=True)
        body, _ = exporter.from_notebook_node(_without_injected_cells(nb, job))
        job.html_out.parent.mkdir(parents=True, exist_ok=True)
        job.html_out.write_text(offline_html(body), encoding="utf-8")
        log(f"[{name}] done in {time.perf_counter() - started:.1f} s")
