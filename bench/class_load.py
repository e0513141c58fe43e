"""A class on one link: N students against one server, over Streamlit's own websocket protocol (bench/stclient.py).

    make loadtest                                   # this with 30 students, then the 8-browser test
    .venv/bin/python bench/class_load.py --students 30
    .venv/bin/python bench/class_load.py --sweep 10,20,30,40,50      # each count on a fresh server
    .venv/bin/python bench/class_load.py --url http://127.0.0.1:8080  # a running server or proxy (deploy/)
    .venv/bin/python bench/class_load.py --memory                   # memory per session, built-in list and uploads
    .venv/bin/python bench/class_load.py --release                  # own large lists, then every tab closed

Before the class the teacher tries the link once (every page, Train; ``--no-teacher`` skips it), as
teachers do, so the students find the server warm. Then each student, as a browser would: opens the
teacher's link (``/Smoothing?list=surnames&k=2&seed=42``) within the first ``--ramp`` seconds (60:
"within a minute"), checks it shows that list and k; one in ``--upload-every`` uploads a list of their
own through the uploader (HTTP upload endpoint, as the frontend does); switches to Counts and back,
moves k one stop; goes to Neural net and waits for the class; then everyone presses Train within
``--train-window`` seconds (2 by default) and checks the final loss is the one the package computes
for their list; then goes to Sample and samples from the trained net. Students pause 2-5 s between
actions (seeded; ``--think``) to read what they see.

Reports each action's p50 and p95 (seconds from the message sent to ``script_finished`` of the run
it caused, ``st.rerun()`` included), errors, sessions refused (a connection or a run the server
would not take, or a "press Train again" refusal shown), how often a "waiting for a training slot"
note was drawn, and the server's peak resident memory (its process and children). Loopback only;
bounded in students (``--max-students``), in time per action (``--timeout``) and in all (``--budget``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve import MemoryWatch, StreamlitServer, tree_rss_kb, warm_up
from stclient import ProtocolError, Session

LINK = "/Smoothing?list=surnames&k=2&seed=42"
LINK_LIST, LINK_K, NEXT_K = "surnames", "2", "3"
MAX_STUDENTS = 200
#: What the Neural net page draws when a run waited for a slot, when it was refused one, and when the run was one
#: already done on the server for the same list and settings (ui/text/neural_net.md, "reused").
WAIT_NOTE = "Waiting for a training slot"
REUSED_NOTE = "This run was already done on this server"
REFUSALS = ("press Train again", "try again in a few seconds", "in progress on this server; a run computes")
ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def own_words(i: int, n: int) -> list[str]:
    """Student i's own list of n words over their own six letters."""
    letters = ALPHABET[(3 * i) % 20 : (3 * i) % 20 + 6]
    rng = random.Random(i)
    return ["".join(rng.choice(letters) for _ in range(rng.randrange(3, 9))) for _ in range(n)]


def expected(words: list[str]) -> dict:
    """What the app must show for this list: its word count and the Neural net page's default run's final loss."""
    from bigram import CountModel, Trainer, TrainingData
    from bigram.defaults import NET_SEED, TRAIN_LR, TRAIN_REG, TRAIN_STEPS

    m = CountModel.from_words(words)
    t = Trainer(TrainingData.from_counts(m.N), lr=TRAIN_LR, reg=TRAIN_REG, seed=NET_SEED, method="counts")
    t.run(TRAIN_STEPS)
    return {"words": len(words), "loss": f"{t.history[-1]:.4f}"}


@dataclass
class Student:
    i: int
    uploads: bool
    times: dict[str, list[float]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    refused: bool = False
    waited: int = 0
    reused: bool = False
    replicas: set = field(default_factory=set)


class Class:
    """The shared clock of one lesson: when each student arrives and when Train is pressed."""

    def __init__(self, n: int, ramp: float, train_window: float, seed: int, think: tuple[float, float] = (2.0, 5.0)):
        self.n, self.ramp, self.train_window, self.think = n, ramp, train_window, think
        self.rng = random.Random(seed)
        self.ready = 0
        self.all_ready = asyncio.Event()
        self.train_at = 0.0

    def arrive(self) -> None:
        """One more student at the Train button (or out of the lesson): the last one sets the moment to press."""
        self.ready += 1
        if self.ready >= self.n and not self.all_ready.is_set():
            self.train_at = time.perf_counter() + 0.5
            self.all_ready.set()


async def action(st: Student, name: str, coro):
    start = time.perf_counter()
    try:
        return await coro
    finally:
        st.times.setdefault(name, []).append(time.perf_counter() - start)


def check(st: Student, ok: bool, what: str) -> None:
    if not ok:
        st.problems.append(f"student {st.i}: {what}")


def sidebar_count(s: Session) -> str:
    return next((t for t in s.texts(sidebar=True) if t.endswith("symbols") and " words" in t), "")


async def student(
    cls: Class, st: Student, base: str, link_expect: dict, own: tuple[list[str], dict] | None, timeout: float
) -> None:
    rng = random.Random(1000 + st.i)

    def pause():
        return asyncio.sleep(rng.uniform(*cls.think))

    await asyncio.sleep(cls.ramp * st.i / max(cls.n, 1) + rng.uniform(0, 0.2))
    s = Session(base, timeout=timeout)
    arrived = False
    try:
        try:
            await action(st, "open link", s.open(LINK))
        except (OSError, ProtocolError, TimeoutError) as exc:
            st.refused = True
            raise ProtocolError(f"could not open the link: {type(exc).__name__}: {exc}") from None
        words = f"**{link_expect['words']:,}** words"
        check(st, sidebar_count(s).startswith(words), f"the link's list: sidebar says {sidebar_count(s)!r}")
        check(st, any(t.startswith(f"NLL at k = {LINK_K}:") for t in s.texts()), "the link's k is not in use")
        want = link_expect
        if own is not None:
            words_list, want = own
            await pause()
            data = ("\n".join(words_list) + "\n").encode()
            await action(
                st, "upload own list", s.upload(s.widget("file_uploader", key="uploader").id, f"s{st.i}.txt", data)
            )
            check(st, sidebar_count(s).startswith(f"**{want['words']:,}** words"), f"own list: {sidebar_count(s)!r}")
        await pause()
        await action(st, "switch page", s.goto("Counts"))
        await pause()
        await action(st, "switch page", s.goto("Smoothing"))
        await pause()
        await action(st, "move k", s.set(s.widget("slider", key="k").id, string_array_value=[NEXT_K]))
        check(st, any(t.startswith(f"NLL at k = {NEXT_K}:") for t in s.texts()), "no NLL at the new k")
        await pause()
        await action(st, "switch page", s.goto("Neural net"))
        cls.arrive()
        arrived = True
        try:  # the first to arrive waits for the last: up to the ramp and everyone's first actions
            await asyncio.wait_for(cls.all_ready.wait(), cls.ramp + 10 * timeout)
        except TimeoutError:
            raise ProtocolError("the class never gathered at the Train button") from None
        await asyncio.sleep(max(0.0, cls.train_at + rng.uniform(0, cls.train_window) - time.perf_counter()))
        await action(st, "train", s.click(s.widget("button", key="net_train").id))
        alerts = s.view.transient_alerts
        st.waited = sum(WAIT_NOTE in a for a in alerts)
        st.reused = any(REUSED_NOTE in t for t in s.texts())
        if any(r in a for a in alerts for r in REFUSALS):
            st.refused = True
            st.problems.append(f"student {st.i}: training refused: {next(a for a in alerts if 'Train' in a)[:120]}")
        else:
            check(
                st,
                s.metric("Loss (NLL + reg)") == want["loss"],
                f"loss {s.metric('Loss (NLL + reg)')} != {want['loss']}",
            )
        await pause()
        await action(st, "switch page", s.goto("Sample"))
        await pause()
        await action(st, "sample from the net", s.set(s.widget("radio", key="source").id, string_value="net"))
        check(st, any(True for _ in s.elements("dataframe")), "no table of samples")
    except Exception as exc:  # a student that fails is reported; the others go on
        st.problems.append(f"student {st.i}: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        if not arrived:
            cls.arrive()
        st.problems += [f"student {st.i}: {e}" for e in s.errors]
        st.replicas.update(s.replicas)
        await s.close()


def p(xs: list[float], q: float) -> float:
    """The q-th quantile by nearest rank: the value a fraction q of the samples do not exceed."""
    xs = sorted(xs)
    return xs[max(0, math.ceil(q * len(xs)) - 1)]


async def lesson(base: str, n: int, args) -> list[Student]:
    from bigram.builtin import find_builtin
    from bigram.wordlist import read_words

    link_expect = expected(read_words(find_builtin(LINK_LIST).path).words)
    students = [
        Student(i, uploads=args.upload_every > 0 and i % args.upload_every == args.upload_every - 1) for i in range(n)
    ]
    owns = {s.i: (w := own_words(s.i, 2000 + 7 * s.i), expected(w)) for s in students if s.uploads}
    if args.teacher:  # behind a proxy each try lands on a replica at random: four tries warm two replicas (7 in 8)
        for _ in range(4 if args.url else 1):
            await teacher(base, args.timeout)
    cls = Class(n, args.ramp, args.train_window, seed=n, think=args.think)
    await asyncio.gather(*(student(cls, s, base, link_expect, owns.get(s.i), args.timeout) for s in students))
    return students


async def teacher(base: str, timeout: float) -> None:
    """Before the class, the teacher tries the link once: every page the students will see, and Train.

    That is what a teacher does before sharing a link, and it leaves the server as a class finds it:
    the imports done and the list's shared caches filled. Not counted in the figures.
    """
    async with Session(base, timeout=timeout) as s:
        await s.open(LINK)
        for page in ("Counts", "Smoothing", "Neural net"):
            await s.goto(page)
        await s.click(s.widget("button", key="net_train").id)
        await s.goto("Sample")
        await s.set(s.widget("radio", key="source").id, string_value="net")
        if s.errors:
            raise ProtocolError(f"the teacher's try of the link failed: {s.errors}")


def summarise(
    students: list[Student], wall: float, peak_kb: int, idle_kb: int, n: int, client_cpu: float = 0.0
) -> dict:
    actions = list(dict.fromkeys(a for s in students for a in s.times))
    rows = {}
    for a in actions:
        xs = [t for s in students for t in s.times.get(a, [])]
        rows[a] = {"count": len(xs), "p50": statistics.median(xs), "p95": p(xs, 0.95), "max": max(xs)}
    problems = [x for s in students for x in s.problems]
    return {
        "students": n,
        "uploaders": sum(s.uploads for s in students),
        "wall_s": wall,
        "client_cpu_s": client_cpu,
        "actions": rows,
        "errors": len(problems),
        "problems": problems,
        "refused": sum(s.refused for s in students),
        "waited": sum(s.waited > 0 for s in students),
        "reused": sum(s.reused for s in students),
        "idle_mb": idle_kb / 1024,
        "peak_mb": peak_kb / 1024,
        "replicas": sorted({r for s in students for r in s.replicas if r}),
        "sticky": all(len({r for r in s.replicas if r}) <= 1 for s in students),
    }


def print_report(r: dict) -> None:
    memory = (
        f"server memory idle {r['idle_mb']:.0f} MB, peak {r['peak_mb']:.0f} MB RSS"
        if r["peak_mb"]
        else "server memory not measured (--url)"
    )
    print(
        f"\n{r['students']} students ({r['uploaders']} with their own list) against {r['target']} "
        f"in {r['wall_s']:.1f} s; {memory}; the load generator used {r['client_cpu_s']:.1f} s of CPU"
    )
    print(f"{'action':22} {'n':>4} {'p50 s':>7} {'p95 s':>7} {'max s':>7}")
    for a, row in r["actions"].items():
        print(f"{a:22} {row['count']:4d} {row['p50']:7.2f} {row['p95']:7.2f} {row['max']:7.2f}")
    print(f"errors: {r['errors']} · sessions refused: {r['refused']} · students who saw '{WAIT_NOTE}': {r['waited']}")
    print(f"students served a run already done: {r.get('reused', 0)} of {r['students']}")
    for x in r["problems"][:20]:
        print("  " + x)
    if r["replicas"]:
        print(f"replicas seen: {', '.join(r['replicas'])}; every student stayed on one: {r['sticky']}")


def print_side_by_side(this: dict, other: dict, p95_limit: float) -> None:
    """Each action's p50 and p95 in this checkout and the other, with the target (every p95 under the limit)."""
    print(f"\n| action | this p50 / p95 s | other p50 / p95 s | other / this (p95) | target p95 < {p95_limit:g} s |")
    print("| --- | ---: | ---: | ---: | --- |")
    for a, mine in this["actions"].items():
        theirs = other["actions"].get(a)
        ratio = f"{theirs['p95'] / mine['p95']:.1f}" if theirs and mine["p95"] else "–"
        cell = f"{theirs['p50']:.2f} / {theirs['p95']:.2f}" if theirs else "–"
        met = "met" if mine["p95"] < p95_limit else "missed"
        print(f"| {a} | {mine['p50']:.2f} / {mine['p95']:.2f} | {cell} | {ratio} | {met} |")
    for key in ("errors", "refused", "waited", "reused"):
        print(f"| {key} | {this.get(key, 0)} | {other.get(key, 0)} | | |")


def meets(r: dict, p95_limit: float) -> bool:
    return r["errors"] == 0 and r["refused"] == 0 and all(row["p95"] < p95_limit for row in r["actions"].values())


def run_lesson(n: int, args) -> dict:
    """One lesson of n students: against --url if given, else a fresh server of our own."""
    if args.url:
        host = urlsplit(args.url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"loopback only: {args.url}")
        start, cpu = time.perf_counter(), time.process_time()
        students = asyncio.run(asyncio.wait_for(lesson(args.url, n, args), args.budget))
        r = summarise(students, time.perf_counter() - start, 0, 0, n, time.process_time() - cpu)
        return {**r, "target": args.url}
    root = getattr(args, "root", ROOT)
    which = "" if Path(root).resolve() == ROOT else f"-{Path(root).resolve().name}"  # --against keeps both logs
    with StreamlitServer(log=ROOT / "artifacts" / f"class-server-{n}{which}.log", root=root) as server:
        watch = MemoryWatch(server.proc.pid)
        idle = watch.sample()
        watch.start()
        try:
            start, cpu = time.perf_counter(), time.process_time()
            students = asyncio.run(asyncio.wait_for(lesson(server.base, n, args), args.budget))
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        finally:
            watch.stop()
        target = "one server of its own" + ("" if root == ROOT else f" ({root})")
        return {**summarise(students, wall, watch.peak_kb, idle, n, cpu), "target": target}


# --- memory per session -------------------------------------------------------------------------------------------


async def hold_sessions(base: str, k: int, upload_words: int, train: bool, timeout: float, pid: int) -> list[dict]:
    """Open k sessions one by one and keep them open; after each, the server's RSS. Returns the readings."""
    sessions, readings = [], []
    try:
        for i in range(k):
            s = Session(base, timeout=timeout)
            sessions.append(s)
            await s.open(LINK)
            if upload_words:
                words = own_words(100 + i, upload_words)
                data = ("\n".join(words) + "\n").encode()
                await s.upload(s.widget("file_uploader", key="uploader").id, f"big{i}.txt", data)
                if not sidebar_count(s).startswith(f"**{len(words):,}** words"):
                    raise ProtocolError(f"the upload is not in use: {sidebar_count(s)!r}; {s.texts(sidebar=True)}")
            await s.goto("Neural net")
            if train:
                await s.click(s.widget("button", key="net_train").id)
            await s.goto("Sample")
            if s.errors:
                raise ProtocolError("; ".join(s.errors))
            await asyncio.sleep(1.0)
            readings.append({"sessions": i + 1, "rss_mb": tree_rss_kb(pid) / 1024})
    finally:
        for s in sessions:
            await s.close()
    return readings


def memory_report(args) -> dict:
    """RSS growth per session held open: on the teacher's link (built-in list), and each with its own large upload.

    Each case runs on a fresh server after one warm-up session (imports, shared caches). The mean
    growth per session includes the shared caches filling up; the marginal growth over the second
    half of the sessions is what one more person costs once the caches are full.
    """
    out = {}
    cases = [
        ("link, trained", 0, args.memory_sessions),
        (f"upload of {args.memory_words:,} words, trained", args.memory_words, args.memory_uploads),
    ]
    for name, words, k in cases:
        with StreamlitServer(log=ROOT / "artifacts" / "memory-server.log") as server:
            pid = server.proc.pid
            asyncio.run(hold_sessions(server.base, 1, 0, True, args.timeout, pid))
            time.sleep(2)
            base_mb = tree_rss_kb(pid) / 1024
            readings = asyncio.run(hold_sessions(server.base, k, words, True, args.timeout, pid))
        mb = [base_mb] + [r["rss_mb"] for r in readings]
        half = k // 2
        mean = (mb[-1] - mb[0]) / k
        marginal = (mb[-1] - mb[half]) / (k - half)
        out[name] = {"words": words, "baseline_mb": base_mb, "rss_mb": mb[1:], "mean_mb": mean, "marginal_mb": marginal}
        print(
            f"{name}: baseline {base_mb:.0f} MB; after 1..{k} sessions "
            + " ".join(f"{x:.0f}" for x in mb[1:])
            + f" MB; {mean:.1f} MB a session on average, {marginal:.1f} MB a session over the last {k - half}"
        )
    return out


# --- memory released when visitors leave ------------------------------------------------------------------------


def random_words(seed: int, n: int) -> bytes:
    """A list of n random lowercase words of 3 to 9 letters (about 7.5 bigrams a word), as an upload's bytes."""
    rng = random.Random(seed)
    choice, size = rng.choices, rng.randrange
    return ("\n".join("".join(choice(ALPHABET, k=size(3, 10))) for _ in range(n)) + "\n").encode()


def many_symbols(j: int, symbols: int = 3000) -> bytes:
    """A list of symbols / 3 words of three CJK characters each, every one of its ``symbols`` symbols used once:
    with the boundary, the largest vocabulary an upload may have. List j uses its own characters."""
    start = 0x4E00 + j * symbols
    chars = [chr(start + i) for i in range(symbols)]
    return ("\n".join("".join(chars[i : i + 3]) for i in range(0, symbols, 3)) + "\n").encode()


async def visit(s: Session, name: str, data: bytes, train: bool) -> None:
    """Upload a list in this session and check it is in use; then press Train on the Neural net page."""
    await s.upload(s.widget("file_uploader", key="uploader").id, name, data)
    words = data.count(b"\n")
    if not sidebar_count(s).startswith(f"**{words:,}** words"):
        raise ProtocolError(f"{name} is not in use: {sidebar_count(s)!r}; {s.texts(sidebar=True)[:6]}")
    if train:
        await s.goto("Neural net")
        await s.click(s.widget("button", key="net_train").id)
        await s.goto("Smoothing")
    if s.errors:
        raise ProtocolError("; ".join(s.errors))


async def release_case(base: str, pid: int, lists: list[bytes], *, together: bool, train: bool, args) -> dict:
    """Visitors with their own lists, then every tab closed, then the server's RSS over the next ``--after`` s.

    ``together``: one session per list, all at once (six tabs); else one session uploads the lists one after
    another (one visitor). Returns the readings in MB: at rest, peak, after the work, and after closing.
    """
    watch = MemoryWatch(pid)
    rest = watch.sample() / 1024
    watch.start()
    sessions: list[Session] = []
    try:
        if together:
            sessions = [Session(base, timeout=args.timeout) for _ in lists]
            await asyncio.gather(*(s.open(LINK) for s in sessions))
            await asyncio.gather(
                *(visit(s, f"list{i}.txt", data, train) for i, (s, data) in enumerate(zip(sessions, lists)))
            )
            steps = []
        else:
            s = Session(base, timeout=args.timeout)
            sessions = [s]
            await s.open(LINK)
            steps = []
            for i, data in enumerate(lists):
                await visit(s, f"list{i}.txt", data, train)
                steps.append(tree_rss_kb(pid) / 1024)
        await asyncio.sleep(1.0)
        worked = tree_rss_kb(pid) / 1024
    finally:
        for s in sessions:
            await s.close()
    closed_at = time.monotonic()
    after = []
    for t in range(0, int(args.after) + 1, 10):
        await asyncio.sleep(max(0.0, closed_at + t - time.monotonic()))
        after.append((t, tree_rss_kb(pid) / 1024))
    watch.stop()
    return {"rest_mb": rest, "peak_mb": watch.peak_kb / 1024, "worked_mb": worked, "steps_mb": steps, "after": after}


def release_report(args) -> dict:
    """``--release``: what visitors' own lists hold, and whether it goes when they leave. Each case on a fresh server.

    1. ``--release-tabs`` tabs at once, each uploading its own list of ``--release-words`` random words, Train.
    2. One visitor, one tab, uploading six lists of 1,000 words over 3,000 symbols (the limit) one after another,
       with Train after each; 3. the same without Train.
    """
    cases = [
        (f"{args.release_tabs} tabs, {args.release_words:,} random words each, Train", True, True, "words"),
        ("one tab, six lists of 3,001 symbols one after another, Train after each", False, True, "symbols"),
        ("one tab, six lists of 3,001 symbols one after another, no Train", False, False, "symbols"),
    ]
    out = {}
    for name, together, train, kind in cases:
        if args.release_only and args.release_only not in name:
            continue
        if kind == "words":
            lists = [random_words(200 + i, args.release_words) for i in range(args.release_tabs)]
        else:
            lists = [many_symbols(j) for j in range(6)]
        with StreamlitServer(log=ROOT / "artifacts" / "release-server.log", root=args.root) as server:
            warm_up(server.base)
            r = asyncio.run(
                release_case(server.base, server.proc.pid, lists, together=together, train=train, args=args)
            )
        r["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        out[name] = r
        steps = (" after each list " + " ".join(f"{x:.0f}" for x in r["steps_mb"])) if r["steps_mb"] else ""
        print(
            f"{name}: at rest {r['rest_mb']:.0f} MB, peak {r['peak_mb']:.0f} MB,{steps} after the work "
            f"{r['worked_mb']:.0f} MB; after every tab closed: "
            + ", ".join(f"{t} s {mb:.0f}" for t, mb in r["after"])
            + f" MB (load average {r['load_average_after']})",
            flush=True,
        )
    return out


def machine() -> dict:
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--sweep", help="comma-separated student counts, each on a fresh server, e.g. 10,20,30,40")
    ap.add_argument("--url", help="a running server or proxy on this machine instead of a fresh server")
    ap.add_argument("--ramp", type=float, default=60.0, help="seconds over which the students open the link")
    ap.add_argument("--train-window", type=float, default=2.0, help="seconds within which everyone presses Train")
    ap.add_argument(
        "--think",
        type=lambda t: tuple(map(float, t.split(","))),
        default=(2.0, 5.0),
        help="a student's pause, MIN,MAX s",
    )
    ap.add_argument(
        "--no-teacher", dest="teacher", action="store_false", help="no try of the link before the class (a cold server)"
    )
    ap.add_argument("--upload-every", type=int, default=5, help="one student in this many uploads a list (0: none)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds one action may take")
    ap.add_argument("--budget", type=float, default=600.0, help="seconds one lesson may take")
    ap.add_argument("--p95", type=float, default=2.0, help="the p95 every action must stay under")
    ap.add_argument("--max-students", type=int, default=MAX_STUDENTS)
    ap.add_argument("--memory", action="store_true", help="measure memory per session instead")
    ap.add_argument("--memory-sessions", type=int, default=10)
    ap.add_argument("--memory-words", type=int, default=1_000_000)
    ap.add_argument("--memory-uploads", type=int, default=8, help="sessions with their own upload in --memory")
    ap.add_argument(
        "--against",
        type=Path,
        help="another checkout (e.g. a git worktree of an older commit, sharing this .venv): the same lesson on a "
        "server of it, after this checkout's, and the two side by side",
    )
    ap.add_argument("--release", action="store_true", help="memory held by visitors' own lists, and after they leave")
    ap.add_argument("--release-tabs", type=int, default=6)
    ap.add_argument("--release-words", type=int, default=1_000_000)
    ap.add_argument("--release-only", help="only the --release cases whose name contains this")
    ap.add_argument("--after", type=float, default=120.0, help="seconds watched after every tab closed (--release)")
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose app is served (to measure another)")
    ap.add_argument("--json", type=Path, help="write the results here as well")
    args = ap.parse_args()

    result: dict = {"machine": machine()}
    if args.release:
        result["release"] = release_report(args)
    elif args.memory:
        result["memory"] = memory_report(args)
    else:
        counts = [int(x) for x in args.sweep.split(",")] if args.sweep else [args.students]
        if max(counts) > args.max_students or min(counts) < 1:
            raise SystemExit(f"students must be 1 to {args.max_students}")
        result["lessons"] = []
        for n in counts:
            r = run_lesson(n, args)
            r["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
            print_report(r)
            result["lessons"].append(r)
            if args.against:
                other = run_lesson(n, argparse.Namespace(**{**vars(args), "root": args.against.resolve()}))
                other["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
                print_report(other)
                print_side_by_side(r, other, args.p95)
                result.setdefault("against", []).append(other)
        if len(counts) > 1:
            good = [r["students"] for r in result["lessons"] if meets(r, args.p95)]
            best = max(good) if good else "none"
            print(f"\nlargest count meeting p95 < {args.p95:g} s with 0 errors and 0 refused: {best}")
    print(f"\nmachine: {result['machine']}; load average now {[round(x, 2) for x in os.getloadavg()]}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    lessons = result.get("lessons", [])
    return 0 if all(r["errors"] == 0 and r["refused"] == 0 for r in lessons) else 1


if __name__ == "__main__":
    sys.exit(main())
