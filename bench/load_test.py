"""Load test: several people use one server at once, each with their own list, and nobody sees anyone else's work.

    make loadtest                       # 8 sessions
    .venv/bin/python bench/load_test.py --sessions 12

Starts ``streamlit run app.py`` on a free loopback port, opens N browser sessions in one
headless Chromium (Debian's, at /usr/bin/chromium), and in each, concurrently: uploads a list
of its own (its own letters and its own number of words), moves the smoothing slider with
the keyboard, trains the neural net, and samples. Every session checks that it sees its own
list (word and symbol counts) and its own trained model (the final loss the package computes
for that list). Prints each session's response times (action to "script finished"), the
server's peak memory, and errors. Bounded in count and time: it stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The browser, its flags and the idle marker: the browser tests own them (tests/browser/browserutil.py).
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from browserutil import APP_IDLE as IDLE  # noqa: E402 - after the path set-up above
from browserutil import CHROMIUM  # noqa: E402 - after the path set-up above
from browserutil import CHROMIUM_ARGS as ARGS  # noqa: E402 - after the path set-up above

waits: dict[int, int] = {}  # session -> times it was told to wait for a training slot
ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_words(i: int) -> list[str]:
    """Session i's own list: words over its own five letters, 300 + 17 i of them."""
    letters = ALPHABET[(3 * i) % 22 : (3 * i) % 22 + 5]
    rng = random.Random(i)
    return ["".join(rng.choice(letters) for _ in range(rng.randrange(3, 8))) for _ in range(300 + 17 * i)]


def expected_loss(words: list[str]) -> float:
    """The final loss of the Neural net page's default run (100 steps, lr 50, reg 0.01, counts), by the package."""
    from bigram import CountModel, Trainer, TrainingData

    m = CountModel.from_words(words)
    t = Trainer(TrainingData.from_words(words, m.vocab), lr=50.0, reg=0.01, method="counts")
    t.run(100)
    return t.history[-1]


class MemoryWatch(threading.Thread):
    """Samples the server's resident memory every 100 ms."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.samples, self.running = pid, 0, [], True

    def run(self):
        while self.running:
            try:
                for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        kb = int(line.split()[1])
                        self.peak = max(self.peak, kb)
                        self.samples.append(kb)
            except (FileNotFoundError, ProcessLookupError):
                return
            time.sleep(0.1)


async def wait_idle(page, timeout_s: float) -> None:
    await page.wait_for_timeout(150)  # let the rerun start before waiting for it to finish
    await page.wait_for_selector(IDLE, timeout=timeout_s * 1000)


async def timed(times: dict, name: str, page, action, timeout_s: float):
    start = time.perf_counter()
    await action()
    await wait_idle(page, timeout_s)
    times.setdefault(name, []).append(time.perf_counter() - start)


async def navigate(times: dict, page, sidebar, link: str, title: str, timeout_s: float) -> None:
    """Click a sidebar link (a full page load would start a new session) and wait for that page's title and idle."""
    from playwright.async_api import expect

    start = time.perf_counter()
    await sidebar.get_by_role("link", name=link).click()
    await expect(page.get_by_role("heading", name=title).first).to_be_visible(timeout=timeout_s * 1000)
    await page.wait_for_selector(IDLE, timeout=timeout_s * 1000)
    times.setdefault(f"page: {link}", []).append(time.perf_counter() - start)


async def run_session(browser, base: str, i: int, words: list[str], loss: float, timeout_s: float) -> dict:
    from playwright.async_api import expect

    ctx = await browser.new_context(viewport={"width": 1300, "height": 1600})
    page = await ctx.new_page()
    times: dict[str, list[float]] = {}
    problems: list[str] = []
    try:
        await timed(times, "open", page, lambda: page.goto(base + "/"), timeout_s)
        await page.get_by_text("Upload your own list").click()
        data = ("\n".join(words) + "\n").encode()
        await timed(
            times,
            "upload",
            page,
            lambda: page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
                files=[{"name": f"session{i}.txt", "mimeType": "text/plain", "buffer": data}]
            ),
            timeout_s,
        )
        sidebar = page.get_by_test_id("stSidebar")
        await expect(sidebar).to_contain_text(f"{len(words):,} words", timeout=timeout_s * 1000)
        symbols = len(set("".join(words))) + 1

        await navigate(times, page, sidebar, "Smoothing", "Smoothing: fake counts", timeout_s)
        metric = page.get_by_test_id("stMetricValue").first
        before = await metric.inner_text()
        slider = page.get_by_role("slider").first
        await slider.focus(timeout=timeout_s * 1000)
        await timed(times, "slider", page, lambda: page.keyboard.press("ArrowRight"), timeout_s)
        await expect(metric).not_to_have_text(before, timeout=timeout_s * 1000)

        await navigate(times, page, sidebar, "Neural net", "The neural net", timeout_s)
        # At most a few runs train at once on the server; the others are told to try again, as a person would.
        result = page.get_by_text(f"{loss:.4f}", exact=True)
        busy = page.get_by_text("try again in a few seconds")
        trained = False
        for _ in range(40):
            t0 = time.perf_counter()
            await page.get_by_role("button", name="Train", exact=True).click()
            deadline = t0 + timeout_s
            while time.perf_counter() < deadline:
                await page.wait_for_timeout(250)
                if await result.count():
                    trained = True
                    break
                if await busy.count() and await page.locator(IDLE).count():
                    break
            times.setdefault("train", []).append(time.perf_counter() - t0)
            if trained:
                break
            waits[i] = waits.get(i, 0) + 1
            await page.wait_for_timeout(2000)
        if not trained:
            shown = await page.get_by_test_id("stMetricValue").all_inner_texts()
            problems.append(
                f"session {i}: its final loss {loss:.4f} is not on its Neural net page (metrics shown: {shown})"
            )
            await page.screenshot(path=str(ROOT / f"artifacts/load-session{i}.png"), full_page=True)

        await navigate(times, page, sidebar, "Sample", "Sample new words", timeout_s)
        await expect(sidebar).to_contain_text(f"{len(words):,} words", timeout=timeout_s * 1000)
        await expect(sidebar).to_contain_text(f"{symbols} symbols", timeout=timeout_s * 1000)
        if await page.locator('[data-testid="stException"]').count():
            problems.append(f"session {i}: an exception is shown")
    except Exception as exc:  # a session that fails is reported, the others go on
        problems.append(f"session {i}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
        await page.screenshot(path=str(ROOT / f"artifacts/load-session{i}.png"), full_page=True)
    finally:
        await ctx.close()
    return {"session": i, "times": times, "problems": problems}


async def run_all(base: str, n: int, timeout_s: float) -> list[dict]:
    from playwright.async_api import async_playwright

    lists = [session_words(i) for i in range(n)]
    losses = [expected_loss(w) for w in lists]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            return await asyncio.gather(
                *(run_session(browser, base, i, lists[i], losses[i], timeout_s) for i in range(n))
            )
        finally:
            await browser.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds one action may take")
    ap.add_argument("--budget", type=float, default=900.0, help="seconds the whole test may take")
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 2
    (ROOT / "artifacts").mkdir(exist_ok=True)
    port = free_port()
    log = open(ROOT / "artifacts/load-server.log", "wb")  # a pipe nobody reads would block the server once full
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    watch = MemoryWatch(server.pid)
    watch.start()
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(base + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            print("the server did not become healthy", file=sys.stderr)
            return 1
        idle_kb = watch.peak
        start = time.perf_counter()
        results = asyncio.run(asyncio.wait_for(run_all(base, args.sessions, args.timeout), args.budget))
        wall = time.perf_counter() - start
    finally:
        watch.running = False
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)
        log.close()

    print(
        f"{args.sessions} concurrent sessions against one server in {wall:.1f} s "
        f"(machine: {os.cpu_count()} cores; server idle {idle_kb / 1024:.0f} MB, peak {watch.peak / 1024:.0f} MB RSS)"
    )
    print(f"{'action':18} {'median s':>9} {'worst s':>8}   per session")
    actions = list(dict.fromkeys(a for r in results for a in r["times"]))  # in the order they happen
    for a in actions:
        xs = [t for r in results for t in r["times"].get(a, [])]
        print(f"{a:18} {statistics.median(xs):9.2f} {max(xs):8.2f}   " + " ".join(f"{t:.1f}" for t in xs))
    print(
        f"told to wait for a training slot (at most a few runs at once): {sum(waits.values())} times, "
        f"by {len(waits)} of {args.sessions} sessions"
    )
    problems = [p for r in results for p in r["problems"]]
    print(f"errors: {len(problems)}" + "".join(f"\n  {p}" for p in problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
