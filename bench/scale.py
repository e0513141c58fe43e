"""Data made up for the scale rows, and the cases that run in their own process.

Every input is generated here, deterministically, from the repository's default list or from a
Unicode range, so the benchmark needs no file from outside the repository. Each case runs in a
fresh process (``run.py --case ...``) so that its peak resident memory is its own; it prints one
JSON line with the seconds and the peak memory after each of its stages.
"""

from __future__ import annotations

import cProfile
import hashlib
import io
import pstats
import re
import time
import unicodedata
from pathlib import Path

import torch
from measure import ROOT, Stages, peak_rss

NAMES = ROOT / "data" / "names.txt"
SEED = 2147483647
CJK_FIRST = 0x4E00  # CJK Unified Ideographs: thousands of consecutive letters


# ---------------------------------------------------------------- generated inputs


def _names() -> list[str]:
    return NAMES.read_text(encoding="utf-8").split()


def glued_names(n: int, seed: int = SEED) -> list[str]:
    """n words, each a name followed by the first 0-3 letters of another: name-like, a-z, and many new words.

    Cheaper than sampling a million words from the model (seconds, not half a minute) and just
    as good for timing: the cost of every step depends on the number of characters and symbols.
    """
    names = _names()
    g = torch.Generator().manual_seed(seed)
    a = torch.randint(len(names), (n,), generator=g).tolist()
    b = torch.randint(len(names), (n,), generator=g).tolist()
    k = torch.randint(4, (n,), generator=g).tolist()
    return [names[i] + names[j][:m] for i, j, m in zip(a, b, k)]


def write_words(path: Path, words: list[str]) -> int:
    data = ("\n".join(words) + "\n").encode("utf-8")
    path.write_bytes(data)
    return len(data)


def write_big_file(path: Path, nbytes: int, seed: int = SEED) -> dict:
    """A text file of about nbytes: glued names, Windows line ends, and 1 word in 50 written with accents.

    CRLF and two-byte letters make chunk boundaries fall inside line ends and inside characters,
    which is what the streaming reader has to get right. Written block by block, so making
    it takes little memory.
    """
    accents = str.maketrans("eaou", "éàöü")
    written = words = 0
    block_no = 0
    with path.open("wb") as f:
        while written < nbytes:
            block = glued_names(200_000, seed + block_no)
            block = [w.translate(accents) if i % 50 == 0 else w for i, w in enumerate(block)]
            data = ("\r\n".join(block) + "\r\n").encode("utf-8")
            last = written + len(data) >= nbytes
            if last:  # cut the last block on a whole line at or before nbytes
                end = data.rfind(b"\r\n", 0, nbytes - written + 1)
                data = data[: end + 2] if end >= 0 else b""
            f.write(data)
            written += len(data)
            words += data.count(b"\r\n")
            block_no += 1
            if last:
                break
    return {"bytes": written, "lines": words}


def cjk_words(n: int, symbols: int, seed: int = SEED) -> list[str]:
    """n words of 1 to 4 CJK ideographs from the first ``symbols`` of the block, with Zipf-like frequencies.

    Frequencies fall as 1 / rank, as characters do in real text, so that some bigrams are common and
    most of the symbols x symbols cells stay empty; with this many draws every symbol still occurs.
    """
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, 5, (n,), generator=g)
    weights = 1.0 / torch.arange(1, symbols + 1, dtype=torch.float64)
    ids = torch.multinomial(weights, int(lengths.sum()), replacement=True, generator=g)
    text = "".join(chr(CJK_FIRST + i) for i in ids.tolist())
    words, start = [], 0
    for length in lengths.tolist():
        words.append(text[start : start + length])
        start += length
    return words


def fingerprint(N: torch.Tensor) -> str:
    """A short hash of a count matrix, so that two processes can show they counted the same."""
    return hashlib.sha256(
        N.to(torch.int64).contiguous().flatten().numpy().tobytes() if _has_numpy() else repr(N.tolist()).encode()
    ).hexdigest()[:16]


def _has_numpy() -> bool:
    try:
        import numpy  # noqa: F401
    except ImportError:
        return False
    return True


# ---------------------------------------------------------------- cases (each in its own process)


def case_words(path: str) -> Stages:
    """A word-list file through the in-memory path: read, parse, count, score, prepare training, sample."""
    from bigram import CountModel, TrainingData, evaluate, parse_words, sample

    s = Stages()
    data = s.run("read bytes", lambda: Path(path).read_bytes())
    wl = s.run("parse_words", lambda: parse_words(data, source=Path(path).name, max_words=10**9))
    m = s.run("CountModel.from_words", lambda: CountModel.from_words(wl.words))
    logP = m.log_probabilities(1)
    score = s.run("evaluate (k=1, whole list)", lambda: evaluate(wl.words, logP, m.vocab))
    s.run("TrainingData.from_words", lambda: TrainingData.from_words(wl.words, m.vocab))
    P = m.probabilities(1)
    s.run("sample 1,000 (batched)", lambda: sample(P, m.vocab, 1000, seed=SEED, mode="batched"))
    s.info.update(
        words=m.words, V=m.V, bigrams=m.bigrams, nll=score.nll, N=fingerprint(m.N), nonzero_cells=int((m.N > 0).sum())
    )
    return s


def case_steps(path: str, method: str, steps: str, first_words: str = "0") -> Stages:
    """Seconds per training step of one method; ``first_words`` > 0 trains on that many words only."""
    from bigram import CountModel, Trainer, TrainingData, parse_words

    s = Stages()
    words = parse_words(Path(path).read_bytes(), max_words=10**9).words
    vocab = CountModel.from_words(words).vocab
    if int(first_words):
        words = words[: int(first_words)]
    data = s.run("TrainingData", lambda: TrainingData.from_words(words, vocab))
    trainer = Trainer(data, lr=50 if method != "adam" else 0.3, reg=0.01, method=method)
    s.run(
        "first evaluation", lambda: trainer.run(0)
    )  # the loss and gradient at W0, so every timed step below is one update + one evaluation
    stamps = [(time.perf_counter(), time.process_time())]
    s.run(
        "steps", lambda: trainer.run(int(steps), lambda *_: stamps.append((time.perf_counter(), time.process_time())))
    )
    wall = sorted(b[0] - a[0] for a, b in zip(stamps, stamps[1:]))
    cpu = sorted(b[1] - a[1] for a, b in zip(stamps, stamps[1:]))
    s.info.update(
        method=method,
        V=data.V,
        bigrams=data.bigrams,
        steps=int(steps),
        loss=trainer.history[-1],
        step_median=wall[len(wall) // 2],
        step_median_cpu=cpu[len(cpu) // 2],
    )
    return s


def case_stream(path: str, chunk_bytes: str = "0") -> Stages:
    """A large file counted by bigram.stream, after a warm-up so the peak's growth is the file's."""
    from bigram.stream import DEFAULT_CHUNK_BYTES, count_file

    chunk = int(chunk_bytes) or DEFAULT_CHUNK_BYTES
    count_file(NAMES, chunk_bytes=chunk)  # the first tensor operations map code and set up the allocator
    s = Stages()
    s.peak["warm"] = peak_rss()
    got = s.run("count_file", lambda: count_file(path, chunk_bytes=chunk))
    s.info.update(
        words=got.words,
        V=len(got.vocab),
        bigrams=int(got.N.sum()),
        N=fingerprint(got.N),
        summary=got.report.summary(),
        bytes=Path(path).stat().st_size,
        chunk_bytes=int(chunk_bytes) or DEFAULT_CHUNK_BYTES,
    )
    return s


def case_whole(path: str) -> Stages:
    """The same large file read at once (read_words, CountModel.from_words): the comparison for streaming."""
    from bigram import CountModel, read_words

    CountModel.from_words(read_words(NAMES).words)  # the same warm-up as case_stream
    s = Stages()
    s.peak["warm"] = peak_rss()
    wl = s.run("read_words", lambda: read_words(path, max_words=10**9))
    m = s.run("CountModel.from_words", lambda: CountModel.from_words(wl.words))
    s.info.update(words=m.words, V=m.V, bigrams=m.bigrams, N=fingerprint(m.N))
    return s


def case_adam_cold() -> Stages:
    """Adam to within 0.001 of the optimum in a fresh process: the first torch.optim use imports torch's compiler."""
    from bigram import CountModel, Trainer, TrainingData, read_words, score_counts

    words = read_words(NAMES).words
    m = CountModel.from_words(words)
    data = TrainingData.from_words(words, m.vocab)
    optimum = score_counts(m.N, m.log_probabilities(0), m.vocab, m.words).nll
    s = Stages()
    for run in ("first (cold)", "second (warm)"):
        t = Trainer(data, lr=0.3, reg=0.0, method="counts", optimizer="adam")
        s.run(run, lambda t=t: t.run(1000, lambda step, loss, nll: nll - optimum < 1e-3))
        s.info[run] = t.steps_done
    return s


def case_profile(path: str) -> Stages:
    """Where the in-memory path spends its time: public stages timed, then cProfile's top entries."""
    from bigram import CountModel, Vocab, count_ids, decode_bytes, parse_words
    from bigram.wordlist import _refuse_control_text

    s = Stages()
    data = Path(path).read_bytes()
    text, enc = s.run("decode_bytes (includes the text check)", lambda: decode_bytes(data))
    s.run("  of which the control-character check", lambda: _refuse_control_text(text, enc))
    s.run("  of which bytes.decode", lambda: data.decode(enc))
    wl = s.run("parse_words (includes decode_bytes)", lambda: parse_words(data, max_words=10**9))
    s.run("  of which text.splitlines", lambda: text.splitlines())
    words = wl.words
    s.run(
        "  of which any(category(ch) == 'Cc') per word",
        lambda: [any(unicodedata.category(ch) == "Cc" for ch in w) for w in words],
    )
    control = re.compile(
        "[\x00-\x1f\x7f-\x9f]"
    )  # the same test (category Cc is exactly these), as bigram.stream does it
    s.run("  (the same test by a regular expression)", lambda: [control.search(w) for w in words])
    vocab = s.run("Vocab.from_words", lambda: Vocab.from_words(words))
    ids = s.run("Vocab.encode_words", lambda: vocab.encode_words(words))
    joined = "\x00" + "\x00".join(words) + "\x00"
    s.run(
        "  of which join + utf-32 + int64",
        lambda: torch.frombuffer(bytearray(joined.encode("utf-32-le")), dtype=torch.int32).long(),
    )
    cps = torch.frombuffer(bytearray(joined.encode("utf-32-le")), dtype=torch.int32).long()
    s.run("  of which searchsorted (code point -> id)", lambda: torch.searchsorted(vocab._codepoints, cps))
    table = torch.full((int(cps.max()) + 1,), -1, dtype=torch.int64)
    table[vocab._codepoints] = torch.arange(len(vocab))
    s.run("  (a lookup table instead: table[cps])", lambda: table[cps])
    s.run("count_ids (one bincount)", lambda: count_ids(ids, len(vocab)))
    profiler = cProfile.Profile()
    profiler.enable()
    CountModel.from_words(parse_words(data, max_words=10**9).words)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(8)
    s.info.update(words=len(words), V=len(vocab), cprofile=_top_lines(out.getvalue()))
    return s


def _top_lines(report: str) -> list[str]:
    """The rows of a pstats listing, shortened to 'tottime  calls  function'."""
    rows, started = [], False
    for line in report.splitlines():
        if line.strip().startswith("ncalls"):
            started = True
            continue
        if started and line.strip():
            parts = line.split(None, 5)
            if len(parts) == 6:
                where = parts[5].replace(str(ROOT) + "/", "")
                rows.append(f"{float(parts[1]) * 1e3:8.1f} ms  {parts[0]:>9} calls  {where}")
    return rows


CASES = {
    "words": case_words,
    "steps": case_steps,
    "stream": case_stream,
    "whole": case_whole,
    "adam-cold": case_adam_cold,
    "profile": case_profile,
}


# ---------------------------------------------------------------- corpus mode (count, merge, Dask)


def write_corpus_base(path: Path, nbytes: int, kind: str, seed: int = SEED) -> dict:
    """About nbytes of a word list that exercises the cleaning rules, written block by block.

    ``ascii``: glued names, half of them capitalised, "\\n" line ends, an empty line in 10,000.
    ``utf8``: the same names spelled in Cyrillic, Greek or accented Latin letters (a third each),
    capitalised, "\\r\\n" line ends, an empty line in 10,000 and one word in 5,000 with a decomposed
    accent (NFC composes it). Larger files repeat this one, so their counts are known multiples.
    """
    cyrillic = str.maketrans("abcdefghijklmnopqrstuvwxyz", "абцдефгхийклмнопярстуввхыз")
    greek = str.maketrans("abcdefghijklmnopqrstuvwxyz", "αβψδεφγηιξκλμνοπθρστυωςχυζ")
    latin = str.maketrans("eaou", "éàöü")
    written = lines = block_no = 0
    end = b"\n" if kind == "ascii" else b"\r\n"
    with path.open("wb") as f:
        while written < nbytes:
            words = glued_names(100_000, seed + block_no)
            out = []
            for i, w in enumerate(words):
                if kind == "utf8":
                    w = w.translate((cyrillic, greek, latin)[i % 3])
                    if i % 5000 == 7:
                        w = w + "e\u0301"
                w = w.capitalize() if i % 2 == 0 else w
                out.append(w)
                if i % 10_000 == 9_999:
                    out.append("")
            data = end.join(x.encode() for x in out) + end
            if written + len(data) > nbytes:
                cut = data.rfind(end, 0, nbytes - written)
                data = data[: cut + len(end)] if cut >= 0 else b""
            f.write(data)
            written += len(data)
            lines += data.count(b"\n")
            block_no += 1
            if not data:
                break
    return {"bytes": written, "lines": lines}


def replicate(base: Path, path: Path, times: int) -> int:
    """``base`` written ``times`` times over into ``path``: its counts are ``times`` times base's."""
    data = base.read_bytes()
    with path.open("wb") as f:
        for _ in range(times):
            f.write(data)
    return len(data) * times


def case_count(path: str, fast: str = "1") -> Stages:
    """A corpus file counted as ``python -m bigram count`` does, after a warm-up, in a fresh process."""
    from bigram.corpus import count_files

    count_files([NAMES])  # the first tensor operations map code and set up the allocator
    s = Stages()
    s.peak["warm"] = peak_rss()
    c = s.run("count", lambda: count_files([path], fast=fast == "1"))
    s.info.update(
        words=c.words,
        lines=c.total.lines_read,
        dropped=c.total.dropped,
        V=len(c.vocab),
        symbols="".join(c.vocab.symbols),
        N=c.N.tolist(),
        bytes=Path(path).stat().st_size,
    )
    return s


def case_bincount(path: str, chunk_bytes: str = str(1 << 20)) -> Stages:
    """The machine's limit for counting pairs: plain torch, ``bincount`` of byte-pair codes chunk by chunk.

    No cleaning, no lines, no vocabulary: what is left is reading the file and one bincount a chunk
    (of 1 MiB, the chunk ``count`` reads).
    """
    torch.set_num_threads(1)
    chunk = int(chunk_bytes)

    def run(p: str) -> torch.Tensor:
        total = torch.zeros(65536, dtype=torch.int64)
        with open(p, "rb") as f:
            while data := f.read(chunk):
                t = torch.frombuffer(bytearray(data), dtype=torch.uint8).long()
                total += torch.bincount(t[:-1] * 256 + t[1:], minlength=65536)
        return total

    run(str(NAMES))  # the same warm-up as case_count: the first tensor operations map code and set up the allocator
    s = Stages()
    s.peak["warm"] = peak_rss()
    total = s.run("bincount", lambda: run(path))
    s.info.update(pairs=int(total.sum()), bytes=Path(path).stat().st_size)
    return s


CASES.update(count=case_count, bincount=case_bincount)
