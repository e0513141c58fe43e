"""Shared pieces of the browser tests: the server, the browser check, timings and page helpers.

The tests reach the app the way a person does: over HTTP and a websocket, in a real browser.
Nothing here downloads a browser (``playwright install`` is never needed): Playwright drives
the system's ``/usr/bin/chromium``. Without it the tests skip and say how to get it, unless
``BIGRAM_REQUIRE_BROWSER=1`` (set by ``.ci/run``), where a missing browser is a failure.

Artifacts (gitignored) land in ``artifacts/``: a screenshot of every page in ``screenshots/``,
the servers' logs, and ``browser-timings.json`` (cold start and render times, also printed at
the end of the run).
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = os.environ.get("BIGRAM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Tall enough that every page fits: Streamlit scrolls inside its own container, so a full-page screenshot of a
#: short window would cut the page off.
VIEWPORT = {"width": 1400, "height": 2400}
SERVER_START_TIMEOUT = 60  # seconds until /_stcore/health answers "ok"
RENDER_TIMEOUT = 60_000  # ms: the first run of a page on a fresh server imports torch and builds the model
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


# ---------------------------------------------------------------------------------------------------------------------
# Is there a browser?


def _missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install -r requirements-dev.txt)"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (install Debian's: apt-get install chromium)"
    return None


def require_browser() -> None:
    reason = _missing_browser()
    if reason is None:
        return
    if os.environ.get("BIGRAM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (BIGRAM_REQUIRE_BROWSER=1) but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


# ---------------------------------------------------------------------------------------------------------------------
# Timings, reported at the end of the run


@dataclass
class Timings:
    cold_start: dict = field(default_factory=dict)  # seconds: spawn -> health ok -> first page rendered
    renders: dict = field(default_factory=dict)  # page path -> [seconds from goto to rendered]
    last: dict = field(
        default_factory=dict
    )  # monotonic times of the last open_view: started, title, script done, drawn

    def render(self, path: str, seconds: float) -> None:
        self.renders.setdefault(path, []).append(round(seconds, 3))

    def summary(self) -> dict:
        return {
            "cold_start": self.cold_start,
            "render_median_s": {p: statistics.median(v) for p, v in sorted(self.renders.items())},
            "render_all_s": self.renders,
        }


TIMINGS = Timings()


# ---------------------------------------------------------------------------------------------------------------------
# The server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVERS: list = []  # every server started by the tests, so that an error shown in a page can be looked up in its log


class StreamlitServer:
    """``streamlit run app.py`` from the repository root, on a free port, with this interpreter."""

    def __init__(self, name: str, root: Path = ROOT):
        self.name = name
        self.root = Path(root)  # another checkout, for a benchmark run side by side (bench/browser_bench.py)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = ARTIFACTS / f"server-{name}.log"
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0
        self.healthy_at = 0.0

    def start(self) -> StreamlitServer:
        ARTIFACTS.mkdir(exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            # no file watcher: a file saved while the tests run must not rerun the app under them
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ]
        self._log = open(self.log_path, "w")
        self.started_at = time.monotonic()
        SERVERS.append(self)
        self.proc = subprocess.Popen(cmd, cwd=self.root, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = self.started_at + SERVER_START_TIMEOUT
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through an http_proxy
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                pytest.fail(
                    f"streamlit exited with status {self.proc.returncode}:\n{self.log_path.read_text()[-3000:]}"
                )
            try:
                with direct.open(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        self.healthy_at = time.monotonic()
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        log = self.log_path.read_text()[-3000:]
        pytest.fail(f"streamlit did not answer /_stcore/health within {SERVER_START_TIMEOUT} s:\n{log}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "_log", None):
            self._log.close()

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""


# ---------------------------------------------------------------------------------------------------------------------
# Helpers the tests share


def page_title(file: str) -> str:
    """The h1 a page file draws: the literal of its ``st.title(...)`` call."""
    m = re.search(r"""st\.title\(\s*f?(["'])(.+?)\1""", (ROOT / file).read_text(encoding="utf-8"))
    assert m, f"{file} has no st.title(...)"
    return m.group(2)


def wait_idle(page, timeout: float = RENDER_TIMEOUT) -> None:
    """Wait until the app's script has finished its run."""
    page.wait_for_selector(APP_IDLE, timeout=timeout)


def open_view(page, base_url: str, path: str, title: str, *, timing: str | None = None) -> float:
    """Go to ``base_url + path``; wait for the page's own h1, the end of the run and every chart drawn.

    Returns the seconds this took and records them under ``timing`` (default: the path).
    """
    t0 = time.monotonic()
    page.goto(base_url + path)
    wait_title(page, title)
    t_title = time.monotonic()
    wait_idle(page)
    t_idle = time.monotonic()
    wait_charts(page)
    seconds = time.monotonic() - t0
    TIMINGS.last = {"started": t0, "title": t_title, "script done": t_idle, "drawn": t0 + seconds}
    TIMINGS.render(timing or "/" + path.split("?")[0].lstrip("/"), seconds)
    assert_no_exception(page)
    return seconds


def wait_title(page, title: str, timeout: float = RENDER_TIMEOUT) -> None:
    """Wait for the h1 ``title``, or stop at once, with its message, if the page shows an exception instead."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.locator("h1").filter(has_text=title).or_(page.get_by_test_id("stException")).first.wait_for(
            timeout=timeout
        )
    except PlaywrightTimeout:
        shown = page.locator("h1").all_inner_texts()
        raise AssertionError(
            f"{page.url}: no h1 {title!r} after {timeout / 1000:.0f} s; the page shows h1 {shown}"
        ) from None
    assert_no_exception(page)


def wait_charts(page, at_least: int = 0, timeout: float = RENDER_TIMEOUT) -> None:
    """Wait until the page is drawn: no placeholder skeleton left, and every chart (at least ``at_least``) drawn:
    a plotly chart has its svg, a grid (ECharts) its canvas.

    The script's end is not the page's: an element whose code is loaded on demand (plotly, the data grid)
    shows a skeleton first, and plotly draws a second or more after that.
    """
    page.wait_for_function(
        """n => {
            if (document.querySelector('[data-testid="stMain"] [data-testid="stSkeleton"]')) return false;
            const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
            const grids = [...document.querySelectorAll('[data-testid="stEChartsChart"]')];
            return charts.length + grids.length >= n && [...charts].every(c => c.querySelector('.main-svg'))
                && grids.every(c => c.querySelector('canvas'));
        }""",
        arg=at_least,
        timeout=timeout,
        polling=250,
    )


def assert_no_exception(page) -> None:
    """No error box on the page. The app shows visitors Streamlit's redacted notice (client.showErrorDetails), so
    the traceback itself is read from the servers' logs."""
    boxes = page.locator('[data-testid="stException"]')
    if boxes.count():
        raise AssertionError("exception shown in the app; the servers' logs say:\n" + last_tracebacks())


def last_tracebacks() -> str:
    found = []
    for srv in SERVERS:
        log = srv.log()
        at = log.rfind("Traceback (most recent call last)")
        if at >= 0:
            found.append(f"[{srv.name}] " + log[at:][:4000])
    return "\n".join(found) or "(no traceback in the logs)"


def sidebar_caption(page) -> str:
    """The sidebar's "**N** words · ... bigrams · ... symbols" line."""
    return page.get_by_test_id("stSidebar").get_by_text(re.compile(r"words · .* bigrams")).first.inner_text()


def metric(page, label: str) -> str:
    """The value of the st.metric labelled ``label``."""
    box = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )
    return box.first.get_by_test_id("stMetricValue").inner_text().strip()


#: The Smoothing page's slider, found by its label as a screen reader would.
SMOOTHING_SLIDER = "Smoothing k: fake counts added to every cell of N"


def wait_text(page, locator_fn, predicate, what: str, timeout: float = 60_000):
    """Poll until ``predicate(text)`` holds for the text of ``locator_fn()``; return that text."""
    deadline = time.monotonic() + timeout / 1000
    text = None
    while time.monotonic() < deadline:
        try:
            text = locator_fn()
        except Exception:  # the element is being redrawn
            text = None
        if text is not None and predicate(text):
            return text
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {what}; last seen: {text!r}")


def nll_metric(page) -> tuple[str, str]:
    """The Smoothing page's first metric: ("NLL at k = <k>", value)."""
    box = page.get_by_test_id("stMain").get_by_test_id("stMetric").first
    return (
        box.get_by_test_id("stMetricLabel").inner_text().strip(),
        box.get_by_test_id("stMetricValue").inner_text().strip(),
    )


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
