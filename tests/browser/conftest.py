"""Fixtures for the browser tests: a real ``streamlit run`` server and Debian's Chromium driven by Playwright.

``server`` is shared by the flows; ``fresh_server`` is a server nobody has visited yet. Every test
gets pages in fresh browser contexts (``page``, or ``new_page()`` for a second person). A failing
test leaves a screenshot of each of its pages in ``artifacts/screenshots/failed/``. Helpers and the
reasons behind them are in ``browserutil.py``.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest
from browserutil import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    TIMINGS,
    VIEWPORT,
    StreamlitServer,
    require_browser,
)


def pytest_terminal_summary(terminalreporter):
    if not (TIMINGS.cold_start or TIMINGS.renders):
        return
    s = TIMINGS.summary()
    s["load_average"] = [round(x, 2) for x in os.getloadavg()]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "browser-timings.json").write_text(json.dumps(s, indent=2) + "\n")
    tr = terminalreporter
    tr.section("browser timings (artifacts/browser-timings.json)")
    if s["cold_start"]:
        tr.write_line("cold start: " + ", ".join(f"{k} {v:.2f} s" for k, v in s["cold_start"].items()))
    cores = os.cpu_count() or 1
    tr.write_line(
        "load average (1, 5, 15 min) now: "
        + ", ".join(f"{x:.1f}" for x in os.getloadavg())
        + f" on {cores} cores: above {cores} the times include waiting for a core"
    )
    for path, median in s["render_median_s"].items():
        tr.write_line(f"render {path or '/':<12} median {median:.2f} s over {len(s['render_all_s'][path])}")


@pytest.fixture(scope="session")
def server():
    """One server shared by the flows that do not need a fresh one."""
    require_browser()
    srv = StreamlitServer("shared").start()
    yield srv
    srv.stop()


@pytest.fixture
def fresh_server():
    """A server nobody has visited yet: its first request to each page is the automatic pages/ mode's trap."""
    require_browser()
    srv = StreamlitServer("fresh").start()
    yield srv
    srv.stop()


# ---------------------------------------------------------------------------------------------------------------------
# The browser


@pytest.fixture(scope="session")
def browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    shutil.rmtree(SCREENSHOTS / "failed", ignore_errors=True)  # what failed last time is no news

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def new_page(browser, request):
    """A factory of pages, each in its own fresh browser context (own cookies, own Streamlit session)."""
    contexts = []

    def make():
        ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        ctx.set_default_timeout(30_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        (SCREENSHOTS / "failed").mkdir(parents=True, exist_ok=True)
        for i, ctx in enumerate(contexts):
            for j, pg in enumerate(ctx.pages):
                try:
                    pg.screenshot(path=str(SCREENSHOTS / "failed" / f"{request.node.name}-{i}-{j}.png"))
                except Exception:  # the page may be gone; the failure itself is what matters
                    pass
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep
