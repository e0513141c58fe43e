"""Two replicas behind nginx (deploy/): a teacher's link through the proxy, sessions that stay on their replica, and
the class load generator through it, all over Streamlit's own protocol (bench/stclient.py).

Needs Debian's nginx: skipped without it, unless ``BIGRAM_REQUIRE_NGINX=1`` (as ``.ci/run`` sets), where a
missing nginx fails. One ``deploy/replicas.py`` runs for the module, on free loopback ports, and is stopped
(with everything it started) at the end.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "deploy"))

from replicas import find_nginx  # noqa: E402  (deploy/ and bench/ are put on sys.path just above)
from serve import free_port  # noqa: E402
from stclient import XSRF_COOKIE, Session, http_request, multipart  # noqa: E402

pytestmark = pytest.mark.slow

LINK = "/Smoothing?list=surnames&k=2&seed=42"
SURNAMES = "**88,799** words"
START_SECONDS = 120


def run_async(coro):
    """Run a coroutine to its end on a thread of its own: the browser tests, which run first in the same process,
    leave Playwright's event loop running on the main thread, where asyncio.run refuses to start."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def require_nginx() -> None:
    if find_nginx() is not None:
        return
    if os.environ.get("BIGRAM_REQUIRE_NGINX") == "1":
        pytest.fail("nginx is missing and BIGRAM_REQUIRE_NGINX=1 (CI must run this test): apt-get install nginx")
    pytest.skip("Debian's nginx is not installed (apt-get install nginx); CI installs it and runs this test")


@pytest.fixture(scope="module")
def proxy():
    """deploy/replicas.py with two replicas: (proxy url, [replica urls]); stopped with all its processes after."""
    require_nginx()
    rundir = ROOT / "artifacts" / "deploy-test"  # not /tmp/pytest-of-root: nginx's workers (nobody) must enter it
    cmd = [sys.executable, "deploy/replicas.py", "--replicas", "2", "--port", str(free_port()), "--rundir", str(rundir)]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    try:
        deadline, out = time.monotonic() + START_SECONDS, []
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"deploy/replicas.py was not ready in {START_SECONDS} s: {''.join(out)}")
            out.append(line)
            if line.startswith("ready "):
                url, *replicas = line.split()[1:]
                break
            if proc.poll() is not None:
                pytest.fail(f"deploy/replicas.py exited with {proc.returncode}: {''.join(out)}")
        yield url, replicas
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the script stops nginx and the replicas; they share its group
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
    for r in [url, *replicas]:  # nothing is left listening
        with pytest.raises(OSError):
            urllib.request.urlopen(r + "/_stcore/health", timeout=2)


def sidebar_count(s: Session) -> str:
    return next(t for t in s.texts(sidebar=True) if " words · " in t)


def view(s: Session) -> tuple:
    """What a student checks on the linked page: the title, the sidebar's numbers, the metrics."""
    return (
        [e.heading.body for e in s.elements("heading")][:1],
        sidebar_count(s),
        [f"{e.metric.label}={e.metric.body}" for e in s.elements("metric")],
    )


def test_a_teachers_link_opens_the_same_view_through_the_proxy_as_on_each_replica(proxy):
    url, replicas = proxy

    async def open_all():
        views = []
        for base in [url, *replicas]:
            async with Session(base, timeout=60) as s:
                await s.open(LINK)
                assert not s.errors
                views.append(view(s))
        return views

    through_proxy, *direct = run_async(open_all())
    assert through_proxy[1].startswith(SURNAMES)
    assert any(m.startswith("NLL at k = 2=") for m in through_proxy[2])
    assert all(v == through_proxy for v in direct)


def test_a_session_stays_on_its_replica_and_exists_nowhere_else(proxy):
    url, replicas = proxy

    async def one_session(i: int) -> str:
        async with Session(url, timeout=60) as s:
            await s.open(LINK)
            words = f"w{i}a\nw{i}b\nw{i}c\n".encode()
            upload = await s.upload(s.widget("file_uploader", key="uploader").id, f"own{i}.txt", words)
            assert upload is not None and sidebar_count(s).startswith("**3** words"), s.texts(sidebar=True)
            # page, health, host-config, websocket handshake and upload PUT: one replica answered them all
            assert len(s.replicas) >= 5 and len(set(s.replicas)) == 1, s.replicas
            home = s.replica
            # the session lives in that replica's memory only: its replica takes a file for it, the other refuses
            content_type, body = multipart("probe.txt", "probe.txt", b"x\n", "text/plain")
            headers = {"Content-Type": content_type, "X-Xsrftoken": s.cookies[XSRF_COOKIE], **s._cookie_header()}
            for base in replicas:
                put = await http_request(f"{base}/_stcore/upload_file/{s.session_id}/probe", "PUT", headers, body)
                if base.endswith(home):
                    assert put.status == 204, put
                else:
                    assert put.status == 400 and b"Invalid session_id" in put.body, put
            return home

    async def until_both_seen() -> set[str]:
        seen: set[str] = set()
        for i in range(16):  # the affinity key is random per browser: both replicas appear within a few
            seen.add(await one_session(i))
            if len(seen) == 2:
                break
        return seen

    assert len(run_async(until_both_seen())) == 2


def test_the_class_load_generator_runs_through_the_proxy(proxy):
    url, _ = proxy
    out = ROOT / "artifacts" / "deploy-test" / "class.json"
    options = {"--students": 2, "--upload-every": 2, "--ramp": 0.5, "--think": "0.05,0.15", "--train-window": 0.5}
    cmd = [sys.executable, "bench/class_load.py", "--url", url, "--budget", "60", "--json", str(out), "--no-teacher"]
    cmd += [str(x) for pair in options.items() for x in pair]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stdout + done.stderr
    (lesson,) = json.loads(out.read_text())["lessons"]
    assert lesson["errors"] == 0 and lesson["refused"] == 0, lesson["problems"]
    assert lesson["sticky"] and lesson["replicas"]
    assert {"open link", "upload own list", "switch page", "move k", "train", "sample from the net"} <= set(
        lesson["actions"]
    )
