"""Run N replicas of the app behind Debian's nginx on loopback ports, with sticky sessions, until stopped.

    .venv/bin/python deploy/replicas.py                       # 2 replicas behind http://127.0.0.1:8080
    .venv/bin/python deploy/replicas.py --replicas 3 --port 9000
    make replicas                                             # the same as the first line

Starts ``streamlit run app.py`` on 127.0.0.1 ports ``--first-port``, ``--first-port + 1``, ...,
waits until each answers ``/_stcore/health``, writes ``nginx.conf`` from ``deploy/nginx.conf.template``
into ``--rundir`` and runs nginx in the foreground with it, checks the proxy's health, prints one
line ``ready <proxy url> <replica url> ...`` and then waits. Ctrl-C or SIGTERM stops nginx and every
replica; if any of them exits, the others are stopped too. Logs: ``--rundir``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from serve import free_port, wait_healthy, warm_up  # noqa: E402  (bench/ is put on sys.path just above)

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
LOOPBACK = "127.0.0.1"
#: Python's thread switch interval for each replica, if set (``--switch-interval``; Python's default is 5 ms). A
#: replica runs every session's script in a thread of one interpreter, and torch releases the interpreter lock
#: around each operation, so at 5 ms a thread can wait that long to get it back after every small operation.
#: Measured with 30 students (BENCHMARKS.md), 0.5 ms cut the p95 of every action but Train several times on one
#: replica; Train, bound by the CPU, did not gain. Not the default until measured on a quieter machine.
SWITCH_INTERVAL: float | None = None
#: ``python -c`` program: set the switch interval, then run Streamlit's own command line with the arguments after it.
LAUNCH = (
    "import sys; sys.setswitchinterval(float(sys.argv.pop(1))); sys.argv[0] = 'streamlit'; "
    "from streamlit.web.cli import main; main()"
)


def render(listen: str, replica_ports: list[int], rundir: Path) -> str:
    """nginx.conf for these replicas: the template with its placeholders filled in."""
    servers = "\n".join(f"        server {LOOPBACK}:{p} max_fails=1 fail_timeout=10s;" for p in replica_ports)
    text = TEMPLATE.read_text()
    for name, value in (("LISTEN", listen), ("SERVERS", servers), ("RUNDIR", str(rundir))):
        text = text.replace(f"@@{name}@@", value)
    return text


def find_nginx() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


class Replicas:
    """The replicas and the proxy as child processes of this one."""

    def __init__(self, n: int, port: int, first_port: int | None, rundir: Path, switch: float | None = SWITCH_INTERVAL):
        self.n, self.port, self.rundir, self.switch = n, port, rundir, switch
        self.ports = [first_port + i for i in range(n)] if first_port else [free_port() for _ in range(n)]
        self.procs: list[subprocess.Popen] = []
        self.logs = []

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def _spawn(self, cmd: list[str], log_name: str, env: dict | None = None) -> subprocess.Popen:
        log = open(self.rundir / log_name, "wb")
        self.logs.append(log)
        # In this script's process group: whatever stops the group (Ctrl-C, a test's killpg) stops them all.
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env or os.environ.copy())
        self.procs.append(proc)
        return proc

    def start(self, timeout: float = 120.0) -> Replicas:
        nginx = find_nginx()
        if nginx is None:
            raise SystemExit("nginx is missing: apt-get install nginx")
        self.rundir.mkdir(parents=True, exist_ok=True)
        # Every replica signs cookies with the same secret, so a cookie made by one is good on all of them.
        env = {**os.environ, "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}
        for port in self.ports:
            launch = ["-m", "streamlit"] if self.switch is None else ["-c", LAUNCH, str(self.switch)]
            cmd = [sys.executable, *launch, "run", "app.py", "--server.headless", "true"]
            cmd += ["--server.address", LOOPBACK, "--server.port", str(port)]
            self._spawn(cmd, f"replica-{port}.log", env)
        for port in self.ports:
            wait_healthy(f"http://{LOOPBACK}:{port}", timeout)
            warm_up(f"http://{LOOPBACK}:{port}", timeout)  # imports and the built-in counts, before any visitor
        conf = self.rundir / "nginx.conf"
        conf.write_text(render(f"{LOOPBACK}:{self.port}", self.ports, self.rundir))
        check = subprocess.run([nginx, "-t", "-q", "-p", str(self.rundir), "-c", str(conf)], capture_output=True)
        if check.returncode:
            raise SystemExit(f"nginx refused {conf}: {check.stderr.decode(errors='replace').strip()}")
        self._spawn([nginx, "-p", str(self.rundir), "-c", str(conf), "-g", "daemon off;"], "nginx.log")
        wait_healthy(self.url, 30)
        return self

    def stop(self) -> None:
        for proc in reversed(self.procs):  # the proxy first, so nobody reaches a replica that is going
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
        for log in self.logs:
            log.close()

    def first_exited(self) -> subprocess.Popen | None:
        return next((p for p in self.procs if p.poll() is not None), None)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--port", type=int, default=8080, help="the port nginx listens on (loopback)")
    ap.add_argument("--first-port", type=int, help="the first replica's port (default: free ports)")
    ap.add_argument("--rundir", type=Path, default=ROOT / "artifacts" / "deploy", help="nginx.conf, pid, logs")
    ap.add_argument("--switch-interval", type=float, default=SWITCH_INTERVAL, help="seconds, e.g. 0.0005 (see above)")
    args = ap.parse_args()
    if not 1 <= args.replicas <= 16:
        raise SystemExit("--replicas must be 1 to 16")
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    replicas = Replicas(args.replicas, args.port, args.first_port, args.rundir.resolve(), args.switch_interval)
    try:
        replicas.start()
        print("ready", replicas.url, *(f"http://{LOOPBACK}:{p}" for p in replicas.ports), flush=True)
        while not stopping:
            gone = replicas.first_exited()
            if gone is not None:
                print(f"{' '.join(map(str, gone.args[:6]))} exited with {gone.returncode}", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        replicas.stop()


if __name__ == "__main__":
    sys.exit(main())
