"""The same count on many machines: a map over shards of the files on a Dask cluster, merge as the reduce.

A shard is a byte range of a file that starts and ends at line starts (just after a ``\\n``), or a
whole file when it cannot be cut (gzip, UTF-16 or UTF-32, no ``\\n`` in sight). Each shard is
counted by ``stream.count_pass``, the function a single process runs over the whole file, and
the partial counts of a file are added up by ``stream.combine`` in file order, as a tree of tasks on
the cluster (the counts of a shard are a V x V matrix, whatever its size). The verdicts that need a
whole file (is it UTF-8, or Windows-1252 after all? is it text?) are taken on the combined
partials by ``stream.finish``, as in one process, so the counts and the report are the same.

Dask's ``distributed`` scheduler is used through futures rather than ``dask.bag``: a file whose
shards prove it is not UTF-8 is counted again in the next encoding (a second round of the same
map for that file only), and the progress bar advances as shards finish. Workers must be able to
import ``bigram`` (the same environment) and to read the files at the same paths (a shared file system).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .corpus import DEFAULT_CLEANING, Cleaning, Corpus, assemble, file_summary, open_corpus_file, reading
from .errors import BigramError
from .limits import STREAM_LINE_MAX_BYTES
from .merge import add_counts
from .stream import (
    BYTE_ENCODINGS,
    DEFAULT_CHUNK_BYTES,
    Partial,
    _WrongEncoding,
    check_options,
    combine,
    count_pass,
    encodings_to_try,
    finish,
    needs_good_tally,
)
from .vocab import Vocab
from .wordlist import MAX_VOCAB, CleanReport

#: A shard of 64 MB: counted in a fraction of a second to a second, and many of them in a large corpus.
DEFAULT_SHARD_BYTES = 64_000_000
#: Partial counts combined by one task of the reduce tree.
REDUCE_FAN_IN = 8


@dataclass(frozen=True)
class Shard:
    path: str
    start: int
    end: int | None  # None: to the end of the file (a gzip file, read whole)
    nbytes: int  # bytes of the file it stands for, for the progress bar


def plan_shards(path, shard_bytes: int = DEFAULT_SHARD_BYTES) -> tuple[list[Shard], int, bool, bytes]:
    """A file cut into shards at line starts about ``shard_bytes`` apart: (shards, size, gzip or not, first bytes)."""
    p, size = open_corpus_file(path)
    p = p.resolve()
    with reading(p) as (f, compressed):
        first = f.read(16)
        if compressed:
            return [Shard(str(p), 0, None, size)], size, True, first
        encodings, _ = encodings_to_try(first, p.name)
        cuts = [0]
        if encodings[0] in BYTE_ENCODINGS:  # UTF-16 or UTF-32 are read whole, by one worker
            while cuts[-1] + shard_bytes < size:
                cut = _next_line_start(f, cuts[-1] + shard_bytes)
                if cut is None or cut >= size:
                    break
                cuts.append(cut)
    ends = cuts[1:] + [size]
    return [Shard(str(p), a, b, b - a) for a, b in zip(cuts, ends)], size, False, first


def _next_line_start(f, pos: int) -> int | None:
    """The first position after a ``\\n`` at or after ``pos``, or None if none comes within the longest line."""
    f.seek(pos)
    read = 0
    while read < STREAM_LINE_MAX_BYTES:
        piece = f.read(1 << 16)
        if not piece:
            return None
        i = piece.find(b"\n")
        if i >= 0:
            return pos + read + i + 1
        read += len(piece)
    return None


def count_shard(
    shard: Shard,
    encoding: str,
    strict_bom: bool,
    tally_good: bool,
    cleaning: dict,
    max_vocab: int,
    chunk_bytes: int,
) -> Partial:
    """The map: one shard counted in one encoding (on a worker). A wrong encoding is a result, not an error."""
    import torch

    torch.set_num_threads(1)
    options = dict(cleaning, source=Path(shard.path).name, chunk_bytes=chunk_bytes, max_words=None)
    with reading(Path(shard.path)) as (f, _):
        f.seek(shard.start)
        try:
            return count_pass(
                f,
                encoding,
                strict_bom=strict_bom,
                at_start=shard.start == 0,
                tally_good=tally_good,
                limit=None if shard.end is None else shard.end - shard.start,
                max_vocab=max_vocab,
                **options,
            )
        except _WrongEncoding:
            return Partial(Vocab(()), torch.zeros((1, 1), dtype=torch.int64), CleanReport(), wrong_encoding=True)


def combine_parts(*parts: Partial) -> Partial:
    """The reduce: partials of consecutive shards of one file, in order, added up (on a worker)."""
    return combine(list(parts))


#: How long the client waits for a scheduler to connect and answer its handshake, in seconds: past it the run
#: ends in one line naming the address (a silent listener would otherwise hold the command for ever).
CONNECT_TIMEOUT = 15.0
#: How long the client waits for any one task (a shard counted, a reduce) to finish, in seconds: a scheduler
#: without usable workers never runs them.
TASK_TIMEOUT = 600.0


def _connect(scheduler: str, timeout: float):
    """``Client(scheduler)``, bounded by ``timeout`` seconds of wall time whatever the other end does (Dask's own
    timeout does not cover a listener that accepts and never speaks): the connection is made on a daemon thread."""
    from distributed import Client

    done: dict = {}

    def connect() -> None:
        try:
            done["client"] = Client(scheduler, timeout=f"{timeout}s")
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below, as one line
            done["error"] = exc

    thread = threading.Thread(target=connect, name="dask-connect", daemon=True)
    thread.start()
    thread.join(timeout + 5)
    check = "check the address and that a Dask scheduler (not another service) listens there"
    if thread.is_alive():
        raise BigramError(f"the Dask scheduler at {scheduler} did not answer within {timeout:g} s: {check}")
    if "error" in done:
        exc = done["error"]
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if isinstance(exc, (MemoryError, EOFError)) or "allocate" in why:  # a reply that is not Dask's protocol
            why = "the other end does not speak Dask's protocol"
        if isinstance(exc, ImportError):  # e.g. ucx:// without its package
            raise BigramError(f"cannot use the Dask scheduler at {scheduler}: {why}") from None
        if "tls" in scheduler.split("://")[0]:
            check = "a tls:// scheduler needs distributed's security settings (certificates) on this client too"
        raise BigramError(f"cannot reach the Dask scheduler at {scheduler}: {why}; {check}") from None
    return done["client"]


@contextmanager
def dask_client(scheduler: str | None, workers: int | None = None, *, timeout: float = CONNECT_TIMEOUT):
    """A Dask client: to the scheduler at ``scheduler``, or to a cluster of local processes started for this run."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # a requirement; only a broken install gets here
        raise BigramError(f"the Dask engine needs the 'distributed' package ({exc})") from None
    if scheduler:
        client = _connect(scheduler, timeout)
        with client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers or 2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def count_files_on(
    client,
    paths,
    cleaning: Cleaning = DEFAULT_CLEANING,
    *,
    max_vocab: int = MAX_VOCAB,
    shard_bytes: int = DEFAULT_SHARD_BYTES,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    progress: Callable[[int], None] | None = None,
    task_timeout: float = TASK_TIMEOUT,
) -> Corpus:
    """``corpus.count_files`` as a map over shards on the cluster of ``client``: the same counts and report."""
    from distributed import as_completed

    options = dict(cleaning.to_dict(), chunk_bytes=chunk_bytes)
    check_options(**options)
    paths = list(paths)
    if not paths:
        raise BigramError("give at least one file to count")
    plans = []
    for path in paths:
        shards, size, compressed, first = plan_shards(path, shard_bytes)
        encodings, strict = encodings_to_try(first, Path(path).name)
        plans.append({"shards": shards, "size": size, "gzip": compressed, "encodings": encodings, "strict": strict})
    # Each round maps the shards of every file not settled yet, in its current encoding, then reduces per file.
    state = [{"encoding": 0, "tally": False, "result": None} for _ in plans]
    while True:
        todo = [i for i, s in enumerate(state) if s["result"] is None]
        if not todo:
            break
        reduced, shard_futures = {}, []
        for i in todo:
            plan, s = plans[i], state[i]
            args = (plan["encodings"][s["encoding"]], plan["strict"], s["tally"], cleaning.to_dict(), max_vocab)
            futures = [client.submit(count_shard, shard, *args, chunk_bytes, pure=False) for shard in plan["shards"]]
            shard_futures += [(f, shard) for f, shard in zip(futures, plan["shards"])]
            reduced[i] = _reduce_tree(client, futures)
        sizes = {f.key: shard.nbytes for f, shard in shard_futures}
        where = f"the Dask cluster at {client.scheduler.address}"
        try:
            for done in as_completed([f for f, _ in shard_futures], timeout=task_timeout):
                if progress is not None:
                    progress(sizes[done.key])
            parts = {i: reduced[i].result(timeout=task_timeout) for i in todo}
        except TimeoutError:
            raise BigramError(
                f"{where} ran no task within {task_timeout:g} s: check that it has workers and that they can run them"
            ) from None
        except BigramError:
            raise
        except Exception as exc:  # a worker's error (it cannot import bigram, cannot read the file): one line
            why = str(exc).splitlines()[0] if str(exc) else ""
            raise BigramError(
                f"{where} failed a task ({type(exc).__name__}: {why}): check that every worker has this "
                "repository's environment and reads the files at the same paths"
            ) from None
        for i in todo:
            part = parts[i]
            plan, s = plans[i], state[i]
            encoding = plan["encodings"][s["encoding"]]
            if not part.wrong_encoding and needs_good_tally(part):
                s["tally"] = True
                continue
            try:
                s["result"] = finish(part, encoding, chunk_bytes=chunk_bytes)
            except _WrongEncoding:
                s["encoding"] += 1
                s["tally"] = False
                if s["encoding"] >= len(plan["encodings"]):
                    raise BigramError("the file is not readable as text") from None  # latin-1 reads any byte
    running, entries = None, []
    for plan, s, path in zip(plans, state, paths):
        got = s["result"]
        part = (got.vocab, got.N)
        running = add_counts([running, part], max_vocab=max_vocab) if running is not None else part
        entries.append((got.report, file_summary(Path(path).name, plan["size"], plan["gzip"], got.report)))
    return assemble(running, entries, cleaning)


def _reduce_tree(client, futures: list):
    """Partial counts added up in file order, ``REDUCE_FAN_IN`` at a time, on the cluster: one future."""
    while len(futures) > 1:
        futures = [
            client.submit(combine_parts, *futures[i : i + REDUCE_FAN_IN], pure=False)
            for i in range(0, len(futures), REDUCE_FAN_IN)
        ]
    return futures[0]
