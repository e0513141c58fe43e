"""The corpus-mode rows of the benchmark: count speed and peak memory against file size, merge, Dask.

    .venv/bin/python bench/run.py --only count,merge,dask

Inputs are generated in the benchmark's temporary folder: a 10 MB base file of each kind (ASCII; UTF-8
beyond ASCII), and 100 MB and 1 GB files that repeat it 10 and 100 times, so their counts must be
exactly 10 and 100 times the base's. Before anything is timed the base's counts are checked three
ways (the vectorised path, ``clean_line`` on every line, ``parse_words`` + ``CountModel`` on the whole
file). Every timed run is a fresh process (``scale.case_count``), so its peak resident memory is its
own; it runs side by side with plain torch counting the same file's byte pairs (``scale.case_bincount``,
no cleaning at all: the machine's limit), alternating, and the medians are reported.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import scale
from measure import ROOT, fmt_mb, fmt_s, run_case

SIZES = ((10, 1), (100, 10), (1000, 100))  # MB, copies of the 10 MB base
TARGETS = {"ascii": 200, "utf8": 80}  # MB/s on one core, with the cleaning rules on
MEMORY_TARGET = 200e6  # bytes of peak resident memory above the warmed-up process


def _disk_free(path: Path) -> int:
    import shutil

    return shutil.disk_usage(path).free


def count(bench, Row) -> None:  # noqa: N803 - run.py's Row class
    tmp = Path(bench.tmp.name)
    sizes = SIZES[:2] if bench.quick else SIZES
    for kind in ("ascii", "utf8"):
        label = {"ascii": "ASCII", "utf8": "UTF-8 beyond ASCII"}[kind]
        bench.say(f"\n[count] {label}: python -m bigram count's counting, one process, one core")
        base = tmp / f"{kind}-10MB.txt"
        made = scale.write_corpus_base(base, 10_000_000, kind)
        bench.say(f"  generated {base.name}: {fmt_mb(made['bytes'])}, {made['lines']:,} lines")
        fast, general = run_case("count", str(base), "1"), run_case("count", str(base), "0")
        whole = run_case("words", str(base))
        for r in (fast, general, whole):
            if "error" in r:
                bench.say(f"  failed: {r['error']}")
                return
        bench.check(fast["info"]["N"] == general["info"]["N"], "vectorised counts == clean_line on every line")
        bench.check(
            scale.fingerprint(_tensor(fast["info"]["N"])) == whole["info"]["N"]
            and fast["info"]["words"] == whole["info"]["words"],
            "== parse_words + CountModel.from_words on the whole file",
        )
        general_speed = made["bytes"] / general["seconds"]["count"] / 1e6
        bench.say(f"  (clean_line on every line: {general_speed:.0f} MB/s)")
        for mb, copies in sizes:
            path = base if copies == 1 else tmp / f"{kind}-{mb}MB.txt"
            if copies > 1:
                if _disk_free(tmp) < 3 * copies * made["bytes"]:
                    bench.say(f"  {mb} MB skipped: not enough free disk in {tmp}")
                    continue
                scale.replicate(base, path, copies)
            nbytes = path.stat().st_size
            repeats = 1 if bench.quick or mb >= 1000 else 3
            ours, plain = [], []
            for _ in range(repeats):  # side by side, alternating, each run a fresh process
                plain.append(run_case("bincount", str(path)))
                ours.append(run_case("count", str(path), "1"))
            bad = [r["error"] for r in ours + plain if "error" in r]
            if bad:
                bench.say(f"  {mb} MB failed: {bad[0]}")
                continue
            expected = [[copies * x for x in row] for row in fast["info"]["N"]]
            bench.check(
                all(r["info"]["N"] == expected for r in ours), f"{mb} MB: counts == {copies} x the 10 MB file's"
            )
            wall = statistics.median(r["seconds"]["count"] for r in ours)
            cpu = statistics.median(r["cpu"]["count"] for r in ours)
            plain_wall = statistics.median(r["seconds"]["bincount"] for r in plain)
            grown = max(r["peak"]["count"] - r["peak"]["warm"] for r in ours)
            peak = max(r["peak"]["count"] for r in ours)
            speed, plain_speed = nbytes / wall / 1e6, nbytes / plain_wall / 1e6
            bench.say(
                f"  {mb:>5} MB: {speed:4.0f} MB/s (wall {fmt_s(wall)}, CPU {fmt_s(cpu)}; {nbytes / cpu / 1e6:.0f} MB/s "
                f"of CPU), peak RSS {fmt_mb(peak)}, +{fmt_mb(grown)} above the warmed-up process; "
                f"plain torch bincount {plain_speed:.0f} MB/s; median of {repeats}"
            )
            target = TARGETS[kind]
            bench.rows.append(
                Row(
                    f"count {label}, {mb:,} MB",
                    f"{plain_speed:.0f} MB/s (bincount)",
                    f"{speed:.0f} MB/s, +{fmt_mb(grown)} peak",
                    speed / plain_speed,
                    f">= {target} MB/s, < 200 MB",
                    speed >= target and grown < MEMORY_TARGET,
                    "ratio: of plain torch bincount on the same file (no cleaning)",
                )
            )
            if copies > 1:
                path.unlink()


def _tensor(rows):
    import torch

    return torch.tensor(rows, dtype=torch.int64)


def merge(bench, Row) -> None:  # noqa: N803 - run.py's Row class
    """Counts files of different vocabularies added up: 2 files and 50, checked against counting the texts."""
    from measure import timed

    from bigram.cli import main
    from bigram.corpus import count_files
    from bigram.modelfile import load_model

    tmp = Path(bench.tmp.name)
    bench.say("\n[merge] python -m bigram merge: counts files with different vocabularies, summed exactly")
    texts = []
    for kind in ("ascii", "utf8"):
        path = tmp / f"{kind}-10MB.txt"
        if not path.exists():
            scale.write_corpus_base(path, 10_000_000, kind)
        texts.append(path)
    texts.append(ROOT / "data" / "imena_ru.txt")
    parts = []
    for i, text in enumerate(texts):
        parts.append(tmp / f"part{i}.safetensors")
        assert _silent(lambda text=text: main(["count", str(text), "-o", str(parts[-1]), "--json"])) == 0
    merged = tmp / "merged.safetensors"
    quiet = ["--json"]
    _silent(lambda: main(["merge", *map(str, parts), "-o", str(merged), *quiet]))
    whole = count_files(texts)
    got = load_model(merged)
    bench.check(got.vocab == whole.vocab and bool((got.tensor == whole.N).all()), "merged == counting all 3 texts")
    for n in (2, 50):
        files = [str(parts[i % len(parts)]) for i in range(n)]
        t = timed(lambda files=files: _silent(lambda: main(["merge", *files, "-o", str(merged), *quiet])), 3, 1)
        V = len(load_model(merged).vocab)
        bench.say(f"  merge of {n} counts files (V = {V} in the result): {t.describe()}")
        bench.rows.append(
            Row(f"merge {n} counts files", "-", f"{fmt_s(t.median)}", None, "-", None, f"V = {V}, load + add + write")
        )


def _silent(fn):
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        return fn()


def dask(bench, Row) -> None:  # noqa: N803 - run.py's Row class
    """The same count as a map over 16 MB shards on a local Dask cluster of 2 worker processes."""
    from bigram.cluster import count_files_on
    from bigram.corpus import count_files

    tmp = Path(bench.tmp.name)
    files = []
    for kind in ("ascii", "utf8"):
        base = tmp / f"{kind}-10MB.txt"
        if not base.exists():
            scale.write_corpus_base(base, 10_000_000, kind)
        path = tmp / f"{kind}-100MB.txt"
        scale.replicate(base, path, 3 if bench.quick else 10)
        files.append(path)
    nbytes = sum(p.stat().st_size for p in files)
    bench.say(f"\n[dask] {fmt_mb(nbytes)} in 2 files, counted in 16 MB shards by a local cluster of 2 workers")
    from distributed import Client, LocalCluster

    start = time.perf_counter()
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        client.submit(lambda: 0).result()
        startup = time.perf_counter() - start
        one = count_files(files)
        sharded = count_files_on(client, files, shard_bytes=16_000_000)
        bench.check(
            sharded.vocab == one.vocab and bool((sharded.N == one.N).all()) and sharded.total == one.total,
            "Dask counts and report == one process",
        )
        repeats = 1 if bench.quick else 3
        local_t, dask_t = [], []
        for _ in range(repeats):
            for fn, into in (
                (lambda: count_files(files), local_t),
                (lambda: count_files_on(client, files, shard_bytes=16_000_000), dask_t),
            ):
                s = time.perf_counter()
                fn()
                into.append(time.perf_counter() - s)
    lw, dw = statistics.median(local_t), statistics.median(dask_t)
    bench.say(
        f"  cluster start {fmt_s(startup)}; one process {fmt_s(lw)} ({nbytes / lw / 1e6:.0f} MB/s), "
        f"Dask {fmt_s(dw)} ({nbytes / dw / 1e6:.0f} MB/s), median of {repeats}; the machine has 2 shared cores"
    )
    bench.rows.append(
        Row(
            f"count {fmt_mb(nbytes)} on Dask (2 workers)",
            f"{fmt_s(lw)} (one process)",
            f"{fmt_s(dw)}",
            lw / dw,
            "same counts",
            True,
            f"16 MB shards, merge as the reduce; cluster start {fmt_s(startup)} not included",
        )
    )
    for p in files:
        p.unlink()
