"""How the benchmark measures: medians of repeats, the machine it ran on, peak memory per case.

Kept apart from the rows so that every row times things the same way.
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Timing:
    """Wall-clock and CPU seconds of each timed repeat, and what the last repeat returned.

    Wall time is what a person waits. CPU time (of this process, all its threads; torch uses
    one here) is what the work costs: on a shared machine it barely moves when neighbours
    load the cores, while wall time can double. Both are reported.
    """

    times: list[float]
    value: Any = None
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else math.nan

    def describe(self) -> str:
        spread = f", min {fmt_s(min(self.times))} max {fmt_s(max(self.times))}" if len(self.times) > 1 else ""
        cpu = f"; CPU {fmt_s(self.cpu_median)}" if self.cpu else ""
        return f"{fmt_s(self.median)} (median of {len(self.times)}{spread}{cpu})"


def timed(fn: Callable[[], Any], repeats: int, warmup: int = 0) -> Timing:
    """Run fn warmup times untimed, then repeats times timed.

    The median, not the mean: the machine is shared, and one repeat slowed down by a
    neighbour should not move the figure.
    """
    for _ in range(warmup):
        fn()
    times, cpu, value = [], [], None
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        value = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return Timing(times, value, cpu)


def timed_pair(
    slow: Callable[[], Any], fast: Callable[[], Any], slow_repeats: int, fast_repeats: int
) -> tuple[Timing, Timing]:
    """Time two ways of doing the same thing, interleaved: slow, a few fast, slow, a few fast...

    On a shared machine the load changes from minute to minute; interleaving puts both ways
    under the same load, so their ratio means something even when the absolute figures drift.
    The fast way gets one untimed warm-up run first (caches, lazy imports), as it would in the app.
    """
    fast()
    per_round = -(-fast_repeats // slow_repeats)  # ceiling division
    slow_t, fast_t = Timing([], None, []), Timing([], None, [])
    for _ in range(slow_repeats):
        for fn, into, n in ((slow, slow_t, 1), (fast, fast_t, per_round)):
            t = timed(fn, n)
            into.times += t.times
            into.cpu += t.cpu
            into.value = t.value
    return slow_t, fast_t


def fmt_s(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def fmt_mb(nbytes: float) -> str:
    return f"{nbytes / 1e6:,.0f} MB" if nbytes >= 1e7 else f"{nbytes / 1e6:.1f} MB"


def peak_rss() -> int:
    """The process's peak resident memory so far, in bytes (it only ever grows)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024  # macOS reports bytes, Linux KiB


def available_memory() -> int | None:
    """MemAvailable from /proc/meminfo, in bytes (None where unknown): used to skip cases that cannot fit."""
    meminfo = Path("/proc/meminfo")
    if not meminfo.exists():
        return None
    for line in meminfo.read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return None


def machine() -> dict[str, str]:
    """What a reader needs to compare figures: cores, CPU, RAM, load, Python and torch."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    ram = "?"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total = next(line for line in meminfo.read_text().splitlines() if line.startswith("MemTotal:"))
        ram = f"{int(total.split()[1]) / 1024**2:.1f} GiB"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "load average (1, 5, 15 min)": load,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch threads": str(torch.get_num_threads()),
        "os": platform.platform(),
    }


def run_case(name: str, *args: str, timeout: float = 3600) -> dict:
    """Run one scale case in a fresh Python process, so its peak memory is its own.

    The child is ``bench/run.py --case NAME ARGS...``; it prints one JSON object as its last
    line. A child killed for lack of memory comes back as {"error": ...} instead of
    stopping the benchmark.
    """
    cmd = [sys.executable, str(Path(__file__).with_name("run.py")), "--case", name, *args]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or [f"exit status {out.returncode}"])[-1]
        return {"error": f"exit status {out.returncode}: {tail}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


@dataclass
class Stages:
    """Wall time and peak RSS after each stage of a case, for the JSON a case prints."""

    seconds: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    peak: dict[str, int] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        self.peak["start"] = peak_rss()

    def run(self, name: str, fn: Callable[[], Any]) -> Any:
        start, start_cpu = time.perf_counter(), time.process_time()
        value = fn()
        self.seconds[name] = time.perf_counter() - start
        self.cpu[name] = time.process_time() - start_cpu
        self.peak[name] = peak_rss()
        return value

    def dump(self) -> None:
        print(json.dumps({"seconds": self.seconds, "cpu": self.cpu, "peak": self.peak, "info": self.info}))
