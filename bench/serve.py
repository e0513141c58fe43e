"""Start and stop ``streamlit run app.py`` on a loopback port, and watch its memory: shared by the load tools and tests.

Every server is its own process group, so stopping it stops whatever it started, and nothing else.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, timeout: float = 60.0) -> None:
    """Poll ``/_stcore/health`` until it answers ``ok``; raise RuntimeError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(base + "/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{base} did not become healthy within {timeout:.0f} s")


def warm_up(base: str, timeout: float = 60.0) -> float:
    """Run the app once through ``/_stcore/script-health-check`` (enabled in .streamlit/config.toml): the imports
    and the built-in list's counts are then ready for the first visitor. Returns the seconds it took; raises
    RuntimeError if the script fails or the check does not answer "ok"."""
    t0 = time.monotonic()
    try:
        answer = urllib.request.urlopen(base + "/_stcore/script-health-check", timeout=timeout).read()
    except OSError as exc:
        raise RuntimeError(f"{base}: the app's script check failed ({exc})") from None
    if answer != b"ok":
        raise RuntimeError(f"{base}: the app's script check answered {answer[:80]!r}")
    return time.monotonic() - t0


def stop_group(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """SIGTERM the process group ``proc`` leads, then SIGKILL whatever is left after ``timeout`` seconds."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)
    except ProcessLookupError:
        pass


class StreamlitServer:
    """``streamlit run app.py`` on 127.0.0.1:``port``, its output in ``log``; a context manager."""

    def __init__(
        self, port: int | None = None, log: Path | None = None, extra: tuple[str, ...] = (), root: Path = ROOT
    ):
        self.root = Path(root)  # another checkout, to measure its code with these tools (``--root``)
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log or ROOT / "artifacts" / f"server-{self.port}.log"
        self.extra = extra
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 90.0) -> StreamlitServer:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "wb")  # a pipe nobody reads would block the server once full
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
        cmd += ["--server.port", str(self.port), "--server.address", "127.0.0.1", *self.extra]
        self.proc = subprocess.Popen(
            cmd, cwd=self.root, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_healthy(self.base, timeout)
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop_group(self.proc)
            self._log.close()

    def __enter__(self) -> StreamlitServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in kB (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


class MemoryWatch(threading.Thread):
    """Samples the resident memory of one or more process trees every ``every`` seconds; ``peak_kb`` is the maximum."""

    def __init__(self, *pids: int, every: float = 0.1):
        super().__init__(daemon=True)
        self.pids, self.every = pids, every
        self.peak_kb = 0
        self.last_kb = 0
        self._done = threading.Event()

    def sample(self) -> int:
        self.last_kb = sum(tree_rss_kb(p) for p in self.pids)
        self.peak_kb = max(self.peak_kb, self.last_kb)
        return self.last_kb

    def run(self) -> None:
        while not self._done.is_set():
            self.sample()
            self._done.wait(self.every)

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=5)
