"""How fast the app answers a person, measured in a real browser: ``make bench-browser``.

From the action (a key press, a click) until the new number is on screen, and until the app is
idle with every chart drawn. Prints medians and worst cases over repeats, with the load average:
these machines are shared, so read the numbers beside it. Not a test: nothing here fails on time.

    .venv/bin/python bench/browser_bench.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "browser"), str(ROOT / "bench")]

from browserutil import (  # noqa: E402 - after the path set-up above
    CHROMIUM,
    CHROMIUM_ARGS,
    SMOOTHING_SLIDER,
    StreamlitServer,
    nll_metric,
    open_view,
    page_title,
)

from ui.sidebar import PAGES  # noqa: E402

#: The floor: a minimal Streamlit app (a slider and a metric; a page with one annotated 27 x 27 heatmap), measured in
#: the same run on the same machine, so the targets hold on any machine however fast or busy it is.
FLOOR = ROOT / "bench" / "floor"
FLOOR_SLIDER = "floor: slider step, the metric redrawn"
FLOOR_SWITCH = "floor: page switch to one annotated heatmap"
FLOOR_FIRST = "floor: first page, from the server answering its health check"
#: Targets as multiples of the floor: action -> (floor row, factor). Medians.
RATIO_TARGETS = {
    "slider: new NLL on screen (p50)": (FLOOR_SLIDER, 1.3),
    "slider: all charts drawn (p50)": (FLOOR_SLIDER, 2.0),
    "page switch": (FLOOR_SWITCH, 1.6),  # every page
}
#: Targets in seconds (medians).
TARGETS = {
    "Train 100 steps, counts: final numbers (p50)": 0.300,
    "first page, from the warm-up probe answering (script check)": 1.5,
}


#: Installed in every document: counts the app's finished script runs (fragment runs included), so a measurement
#: waits for the run its own action started, not for the idle state left from before it. A run ends when the state
#: changes away from "running" (the records come in batches: the old value is the one to trust).
COUNT_RUNS = """
window.__bigramRuns = 0;
new MutationObserver(changes => {
    for (const c of changes) if (c.oldValue === 'running') window.__bigramRuns += 1;
}).observe(document, {attributes: true, attributeOldValue: true, subtree: true,
                      attributeFilter: ['data-test-script-state']});
"""
#: True once the app is idle and drawn: no run going, no placeholder skeleton, every plotly chart has its svg and
#: every grid (ECharts) its canvas.
SETTLED = """runs => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (window.__bigramRuns <= runs || !app) return false;
    if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-testid="stMain"] [data-testid="stSkeleton"]')) return false;
    return [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => c.querySelector('.main-svg'))
        && [...document.querySelectorAll('[data-testid="stEChartsChart"]')].every(c => c.querySelector('canvas'));
}"""
#: True once a run began after ``runs`` had finished: one is going, or it is over already.
STARTED = """runs => window.__bigramRuns > runs
    || document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state') === 'running'"""
#: A run that asks for another (``st.rerun``) goes idle for a moment between the two: look this long for a next one.
QUIET_MS = 250


def runs(page) -> int:
    return page.evaluate("window.__bigramRuns")


#: What is still awaited when a wait for SETTLED times out: said in the error, so a stuck row names its cause.
UNSETTLED = """runs => {
    const app = document.querySelector('[data-testid="stApp"]');
    const bare = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
        .filter(c => !c.querySelector('.main-svg'));
    return {runs_now: window.__bigramRuns, runs_before: runs, state: app && app.getAttribute('data-test-script-state'),
            skeleton: !!document.querySelector('[data-testid="stMain"] [data-testid="stSkeleton"]'),
            undrawn_charts: bare.length, url: location.pathname};
}"""


def _idle_and_drawn(page, t0: float, before: int) -> float:
    """Seconds from ``t0`` until the runs the action started are over and drawn, checked every animation frame."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    while True:
        try:
            page.wait_for_function(SETTLED, arg=before, polling="raf", timeout=60_000)
        except PlaywrightTimeout:
            raise RuntimeError(f"not settled after 60 s: {page.evaluate(UNSETTLED, before)}") from None
        done, before = time.perf_counter(), runs(page)
        page.wait_for_timeout(QUIET_MS)
        if runs(page) == before:
            return done - t0
        before -= 1  # another run began: wait for it too


def slider(page, url: str, repeats: int) -> tuple[list[float], list[float]]:
    open_view(page, url, "/Smoothing", page_title("pages/3_Smoothing.py"))
    handle = page.get_by_role("slider", name=SMOOTHING_SLIDER)
    to_number, to_drawn = [], []
    for i in range(repeats * 2):
        label_before = nll_metric(page)[0]
        handle.focus()
        before = runs(page)
        t0 = time.perf_counter()
        page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        page.wait_for_function(
            """before => {
                const m = document.querySelector('[data-testid="stMain"] [data-testid="stMetricLabel"]');
                return m && m.innerText.trim() !== before;
            }""",
            arg=label_before,
            polling="raf",
        )
        to_number.append(time.perf_counter() - t0)
        to_drawn.append(_idle_and_drawn(page, t0, before))
    return to_number, to_drawn


def open_options(page, box):
    """Open a select box and return its option after the current one. A click alone can leave it closed (it only
    takes the focus), and an arrow key on a closed box opens it on its first option: so open, wait, then choose by
    the text, and the choice is always a change (a run)."""
    from journeys import option_after

    return option_after(page, box)


def row_choice(page, url: str, repeats: int) -> list[float]:
    """The Smoothing page's "Previous symbol" box: the next row, until its chart is drawn (a fragment's run)."""
    open_view(page, url, "/Smoothing", page_title("pages/3_Smoothing.py"))
    box = page.get_by_test_id("stMain").get_by_role("combobox", name="Previous symbol", exact=True)
    out = []
    for _ in range(repeats):
        t0, before = _act(page, lambda: open_options(page, box).click, "the Previous symbol box took no choice")
        out.append(_idle_and_drawn(page, t0, before))
    return out


def _act(page, prepare, failure: str) -> tuple[float, int]:
    """Do an action until a run begins (up to three tries: a click while the page is still busy can be lost, and
    a list can close before its option is chosen); the time it was done and the runs finished before it.
    ``prepare()`` readies it untimed (opens a list) and returns the timed part (the click)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(3):
        action = prepare()
        before = runs(page)
        t0 = time.perf_counter()
        action()
        try:
            page.wait_for_function(STARTED, arg=before, polling="raf", timeout=3_000)
        except PlaywrightTimeout:
            continue
        return t0, before
    raise RuntimeError(f"{failure} in three tries")


def page_switches(page, url: str, repeats: int) -> dict[str, list[float]]:
    open_view(page, url, "/", "Bigram Lab")
    times: dict[str, list[float]] = {p.label: [] for p in PAGES}
    for _ in range(repeats):
        for p in [*PAGES[1:], PAGES[0]]:
            link = page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").filter(has_text=p.label).first
            before = runs(page)
            t0 = time.perf_counter()
            link.click()
            page.locator("h1").filter(has_text=page_title(p.file)).first.wait_for(timeout=60_000)
            times[p.label].append(_idle_and_drawn(page, t0, before))
    return times


def train(page, url: str, repeats: int) -> tuple[float, list[float]]:
    """Train pressed on the Neural net page opened by its link: the first press, then ``repeats`` more.

    The page shows no chart before the first run, so the first press also loads and starts plotly's code in this
    tab (a few MB of script); later presses, and a first press after any page with a chart, do not pay for it.
    """
    open_view(page, url, "/Neural_net", page_title("pages/4_Neural_net.py"))
    out = []
    button = page.get_by_test_id("stMain").get_by_role("button", name="Train", exact=True)
    for _ in range(repeats + 1):
        t0, before = _act(page, lambda: button.click, "Train started no run")
        page.get_by_test_id("stMetricLabel").get_by_text("Loss (NLL + reg)", exact=True).first.wait_for()
        out.append(_idle_and_drawn(page, t0, before))
    return out[0], out[1:]


#: The floor's page is drawn: its run is over and its one chart has its svg (the floor needs no run counting: its
#: pages have nothing to rerun, and its heatmap exists only once the switch has drawn it).
FLOOR_DRAWN = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && document.querySelector('[data-testid="stPlotlyChart"] .main-svg .heatmaplayer') !== null;
}"""


def floor_rounds(page, url: str, first: bool = False) -> tuple[list[float], list[float]]:
    """One slider step (until the metric shows the new value) and one switch to the heatmap page (until it is drawn)
    on the floor app. The tab stays open between rounds, as the app's does: its first round loads the page (and
    plotly's code, on the heatmap page); later rounds come back to the home page by its link, so a switch is timed
    in a tab that has plotly already, as the app's page switches are."""
    if first:
        open_view(page, url, "/", "Floor")
    else:
        page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").filter(has_text="Floor home").first.click()
        page.get_by_role("heading", name="Floor", exact=True).wait_for(timeout=60_000)
        page.wait_for_function(
            "() => document.querySelector('[data-testid=\"stApp\"]')"
            ".getAttribute('data-test-script-state') === 'notRunning'",
            polling="raf",
            timeout=60_000,
        )
    handle = page.get_by_role("slider", name="k")
    label = page.get_by_test_id("stMetricLabel").first.inner_text().strip()
    handle.focus()
    t0 = time.perf_counter()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "before => { const m = document.querySelector('[data-testid=\"stMetricLabel\"]');"
        " return m && m.innerText.trim() !== before; }",
        arg=label,
        polling="raf",
    )
    slider = [time.perf_counter() - t0]
    link = page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").filter(has_text="Floor heatmap").first
    t0 = time.perf_counter()
    link.click()
    page.get_by_role("heading", name="Floor heatmap", exact=True).wait_for(timeout=60_000)
    page.wait_for_function(FLOOR_DRAWN, polling="raf", timeout=60_000)
    return slider, [time.perf_counter() - t0]


def first_page(warm: bool = False, root: Path = ROOT, title: str = "Bigram Lab") -> tuple[float, float]:
    """A fresh server's first page, drawn: seconds from starting the server, and from its health check answering.

    ``warm``: a readiness probe on ``/_stcore/script-health-check`` (bench/serve.py ``warm_up``) runs the app once
    before the visitor comes, as the Dockerfile's HEALTHCHECK and deploy/replicas.py do; the second figure is then
    from the probe's answer.
    """
    from playwright.sync_api import sync_playwright
    from serve import warm_up

    srv = StreamlitServer("bench-fresh", root)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = b.new_page(viewport={"width": 1400, "height": 1600})
        srv.start()  # the browser is up first: what is timed is the server, not Chromium's own start
        try:
            ready = srv.healthy_at
            if warm:
                warm_up(srv.url)
                ready = time.monotonic()
            open_view(page, srv.url, "/", title)
            drawn = time.monotonic()
        finally:
            srv.stop()
            b.close()
    return drawn - srv.started_at, drawn - ready


def target_of(name: str, floor: dict[str, list[float]]) -> tuple[str, float] | None:
    """The row's target in words and in seconds: a multiple of the floor's median, or a number of seconds."""
    ratio = RATIO_TARGETS.get(name, RATIO_TARGETS["page switch"] if name.startswith("page switch") else None)
    if ratio is not None and floor.get(ratio[0]):
        limit = ratio[1] * statistics.median(floor[ratio[0]])
        return f"≤ {ratio[1]:g} × floor = {limit * 1000:,.0f} ms", limit
    if name in TARGETS:
        return f"< {TARGETS[name] * 1000:,.0f} ms", TARGETS[name]
    return None


def verdict(name: str, values: list[float], floor: dict[str, list[float]]) -> str:
    """The target and whether this checkout's median meets it ("" for a row without one)."""
    target = target_of(name, floor)
    if target is None:
        return ""
    words, limit = target
    return f"{words}: {'met' if statistics.median(values) <= limit else 'missed'}"


def measure(roots: dict[str, Path], repeats: int) -> dict[str, dict[str, list[float]]]:
    """Every action on a server of each checkout, in rounds that alternate between them, so both see the same
    load: name -> row -> seconds."""
    from playwright.sync_api import sync_playwright

    out: dict[str, dict[str, list[float]]] = {name: {} for name in [*roots, "floor"]}

    def add(name: str, label: str, values) -> None:
        out[name].setdefault(label, []).extend(values)

    for _ in range(3):
        # The floor's first page: a fresh process with streamlit alone imported, its page a title, a slider and
        # a metric: what any app's first visitor waits for before the app's own work (scripts, imports, the list).
        add("floor", FLOOR_FIRST, [first_page(root=FLOOR, title="Floor")[1]])
        for name, root in roots.items():
            started, healthy = first_page(root=root)
            add(name, "first page on a fresh server", [started])
            add(name, "first page, from the server answering its health check", [healthy])
            try:
                add(name, "first page, from the warm-up probe answering (script check)", [first_page(True, root)[1]])
            except RuntimeError:  # a checkout without the script check
                pass
    servers = {name: StreamlitServer(f"bench-{name}", root).start() for name, root in roots.items()}
    floor = StreamlitServer("bench-floor", FLOOR).start()
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = {}
            for name, srv in servers.items():
                pages[name] = b.new_page(viewport={"width": 1400, "height": 1600})
                pages[name].add_init_script(COUNT_RUNS)
                open_view(pages[name], srv.url, "/", "Bigram Lab")  # not timed: every page of it once, first
                for info in PAGES:
                    open_view(pages[name], srv.url, "/" + info.url_path, page_title(info.file))
            floor_page = b.new_page(viewport={"width": 1400, "height": 1600})
            floor_page.add_init_script(COUNT_RUNS)
            floor_rounds(floor_page, floor.url, first=True)  # not timed: the floor's pages once, as the app's
            for _ in range(repeats):
                slider_floor, switch_floor = floor_rounds(floor_page, floor.url)
                add("floor", FLOOR_SLIDER, slider_floor)
                add("floor", FLOOR_SWITCH, switch_floor)
                for name, srv in servers.items():
                    page = pages[name]
                    number, drawn = slider(page, srv.url, 1)
                    add(name, "slider: new NLL on screen (p50)", number)
                    add(name, "slider: all charts drawn (p50)", drawn)
                    add(name, "Smoothing: another row in the row chart", row_choice(page, srv.url, 1))
                    for label, values in page_switches(page, srv.url, 1).items():
                        add(name, f"page switch to {label}", values)
                    first_train, trained = train(page, srv.url, 1)
                    add(name, "Train 100 steps, counts: final numbers (p50)", trained)
                    add(name, "Train, the first press on the page opened by its link", [first_train])
            b.close()
    finally:
        for srv in [*servers.values(), floor]:
            srv.stop()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument(
        "--against",
        type=Path,
        help="another checkout of the app (e.g. a git worktree of an older commit, sharing this .venv): every "
        "action alternates between the two, and the table gives both medians and their ratio",
    )
    args = ap.parse_args()
    roots = {"this": ROOT} | ({"other": args.against.resolve()} if args.against else {})
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    if args.against:
        print(f"this checkout: {ROOT}; other: {args.against.resolve()}")
    results = measure(roots, args.repeats)
    this, other, floor = results["this"], results.get("other", {}), results["floor"]
    cell = lambda v: f"{statistics.median(v) * 1000:,.0f} ms ({max(v) * 1000:,.0f})" if v else "–"  # noqa: E731
    print("\n| action | this: median (worst) | other: median (worst) | other / this | target |")
    print("| --- | ---: | ---: | ---: | --- |")
    for label, values in floor.items():
        print(f"| {label} | {cell(values)} | | | the floor, n = {len(values)} |")
    for label, values in this.items():
        theirs = other.get(label)
        ratio = f"{statistics.median(theirs) / statistics.median(values):.2f}" if theirs else "–"
        print(f"| {label} | {cell(values)} | {cell(theirs)} | {ratio} | {verdict(label, values, floor)} |")
    print(f"\nload average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
