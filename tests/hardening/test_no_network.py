"""Hardening: the analysis and the build make no network access.

(a) In-process: with every Python-level way of opening an Internet socket patched to raise, the
    package computes the key numbers, draws the figures and renders the report (md, html, pdf).
(b) Out of process: `python -m analysis build --force` runs inside `unshare --net`, a network
    namespace with no interface up (not even loopback), so nothing can be reached by any means,
    C libraries included; the notebooks' kernels talk over local IPC sockets, not TCP. It runs
    from a copy of the project, because the kernels' IPC sockets are created relative to the
    current folder and would clash with a build someone else runs in the checkout meanwhile.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.inputs import paths

ROOT = paths.ROOT
INET = (socket.AF_INET, socket.AF_INET6)


class NetworkBlocked(OSError):
    pass


@pytest.fixture
def no_inet(monkeypatch):
    """Make AF_INET/AF_INET6 connections, sends and name lookups raise; yield the list of attempts."""
    attempts: list[str] = []

    def refuse(what: str, target=None):
        attempts.append(f"{what} {target!r}")
        raise NetworkBlocked(f"network access blocked by test_no_network: {what} {target!r}")

    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_sendto = socket.socket.sendto

    def connect(self, address):
        if self.family in INET:
            refuse("connect", address)
        return real_connect(self, address)

    def connect_ex(self, address):
        if self.family in INET:
            refuse("connect_ex", address)
        return real_connect_ex(self, address)

    def sendto(self, *args):
        if self.family in INET:
            refuse("sendto", args[-1])
        return real_sendto(self, *args)

    def create_connection(address, *args, **kwargs):
        refuse("create_connection", address)

    def getaddrinfo(host, *args, **kwargs):
        refuse("getaddrinfo", host)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket.socket, "sendto", sendto)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield attempts


def test_guard_blocks_internet_sockets(no_inet):
    """The guard itself works (otherwise the test below would prove nothing)."""
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s, pytest.raises(NetworkBlocked):
        s.connect(("127.0.0.1", 9))
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s, pytest.raises(NetworkBlocked):
        s.connect_ex(("::1", 9))
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("example.org", 443)
    import urllib.request

    with pytest.raises(OSError):
        urllib.request.urlopen("http://example.org/", timeout=2)  # noqa: S310 - must be refused
    assert len(no_inet) == 5
    # Local (AF_UNIX) sockets are not network access and stay usable.
    left, right = socket.socketpair()
    left.sendall(b"ok")
    assert right.recv(2) == b"ok"
    left.close()
    right.close()


def test_compute_figures_and_report_without_network(no_inet, tmp_path):
    from analysis.inputs.load import load
    from analysis.inputs.rules import load_rules
    from analysis.outputs import figures, report, results

    ledgers = load(paths.DEFAULT_DATA_DIR)
    computed = results.compute(ledgers, load_rules(paths.rules_path(paths.DEFAULT_DATA_DIR)))
    root = tmp_path / "out"
    results.write(computed, paths.report_dir(root))
    for figure in figures.draw_all(computed):
        figures.save_figure(figure, root)
        figure.figure.clf()
    written = report.write_report(root, ledgers, report.figure_index(figures.saved_figures(root)))
    assert [p.name for p in written] == ["report.md", "report.html", "report.pdf"]
    assert (paths.report_dir(root) / "report.pdf").read_bytes().startswith(b"%PDF")
    assert "data:image/png;base64," in (paths.report_dir(root) / "report.html").read_text(encoding="utf-8")
    assert no_inet == [], f"network access attempted: {no_inet}"


# --- the whole build in a namespace without network -----------------------------------------------


def _unshare() -> list[str]:
    tool = shutil.which("unshare")
    if tool is None:
        pytest.skip("unshare is not installed")
    probe = subprocess.run([tool, "--net", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        probe = subprocess.run([tool, "--map-root-user", "--net", "true"], capture_output=True, text=True)
        if probe.returncode != 0:
            pytest.skip(f"cannot create a network namespace here: {probe.stderr.strip()}")
        return [tool, "--map-root-user", "--net", "--"]
    return [tool, "--net", "--"]


def test_namespace_has_no_network():
    """Control: inside the namespace even loopback TCP fails, so a build that succeeds there used none."""
    code = (
        "import socket\n"
        "for target in [('127.0.0.1', 9), ('192.0.2.1', 80)]:\n"
        "    try:\n"
        "        socket.create_connection(target, timeout=2)\n"
        "    except OSError as err:\n"
        "        print('refused', err.errno)\n"
        "    else:\n"
        "        print('CONNECTED')\n"
    )
    result = subprocess.run([*_unshare(), sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("refused") == 2, result.stdout


@pytest.mark.slow
def test_build_succeeds_without_network(tmp_path):
    project = tmp_path / "project"
    skip = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "kernel-ipc-*")
    for name in ("analysis", "notebooks", "data"):
        shutil.copytree(ROOT / name, project / name, ignore=skip)
    shutil.copy2(ROOT / "CITATION.cff", project / "CITATION.cff")
    out = tmp_path / "out"
    result = subprocess.run(
        [*_unshare(), sys.executable, "-m", "analysis", "build", "--force", "--out", str(out)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    for notebook in sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb")):
        assert f"[{notebook.stem}] done" in result.stdout
        assert (out / "report" / "notebooks" / f"{notebook.stem}.html").stat().st_size > 10_000
    assert (out / "report" / "report.pdf").read_bytes().startswith(b"%PDF")
    assert len(list((out / "figures").glob("*.png"))) >= 6
    assert not list(Path(out).glob(".staging-*"))
