"""A corpus: any number of files of any size counted in bounded memory, into one counts file.

A counts file is a Bigram Lab model file (``bigram.modelfile``) of kind ``counts``: the matrix N,
the vocabulary, and in its metadata how it was made (the cleaning settings, and per file the
lines read, kept and dropped and why). So everything that reads a model file reads it too: the
command line's ``score``, ``sample``, ``export`` and ``inspect``, and the app's model-file loader.
Counts add up, so count files of parts of a corpus merge exactly into the counts of the whole
(``merge_count_files``), whatever their vocabularies.

Files are read by ``bigram.stream`` (plain text, or gzip, known by its first two bytes, decompressed
as it is read), each with its own encoding.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from .errors import BigramError
from .files import check_regular, shown_name
from .merge import add_counts
from .modelfile import ModelFile
from .stream import StreamCount, count_stream
from .vocab import Vocab
from .wordlist import MAX_VOCAB, CleanReport

GZIP_MAGIC = b"\x1f\x8b"
#: Files described one by one in a counts file's header (its header is capped at 1 MB); the totals cover all.
FILES_LISTED = 100
#: What a counts file's metadata says it is (``meta["corpus"]["version"]``).
CORPUS_VERSION = 1


@dataclass(frozen=True)
class Cleaning:
    """The cleaning settings a count depends on: counts made with different ones do not add up to anything."""

    lowercase: bool = True
    normalize: bool = True
    min_len: int = 1
    max_len: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d, name: str = "the counts file") -> Cleaning:
        """The settings a counts file's header records, each field checked for its type (``name`` is the file)."""
        if not isinstance(d, dict):
            raise BigramError(f"{name}'s header is damaged: its cleaning settings are not a record")
        flags = {key: _field(d, key, name, "cleaning", bool) for key in ("lowercase", "normalize")}
        max_len = None if d.get("max_len", 0) is None else _field(d, "max_len", name, "cleaning", int)
        return cls(flags["lowercase"], flags["normalize"], _field(d, "min_len", name, "cleaning", int), max_len)

    def describe(self) -> str:
        parts = ["lowercased" if self.lowercase else "case kept", "NFC" if self.normalize else "not normalised"]
        parts.append(f"words of {self.min_len} to {self.max_len if self.max_len is not None else 'any'} symbols")
        return ", ".join(parts)


DEFAULT_CLEANING = Cleaning()  # as the command line and the app clean a list


#: The largest whole number a counts file's header may hold (lines, bytes, files): int64's.
HEADER_INT_MAX = 2**63 - 1


def _field(record: dict, key: str, name: str, where: str, kind: type):
    """``record[key]`` of a counts file's header, of type ``kind`` (a whole number from 0 to ``HEADER_INT_MAX``,
    a bool or a str), or a one-line refusal naming the file and the field: a header is a stranger's JSON,
    and 1e400, "many" or a missing key must not end in a traceback (or after the output is written)."""
    if key not in record:
        raise BigramError(f"{name}'s header is damaged: its {where} has no '{key}'")
    value = record[key]
    if kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= HEADER_INT_MAX
        want = "a whole number from 0"
    else:
        ok, want = isinstance(value, kind), {bool: "true or false", str: "text"}[kind]
    if not ok:
        plain = isinstance(value, (int, float, str, bool, type(None)))
        shown = json.dumps(value)[:40] if plain else type(value).__name__
        raise BigramError(f"{name}'s header is damaged: the {where} field '{key}' is {shown}, not {want}")
    return value


def _counts_of(record, key: str, name: str, where: str) -> dict[str, int]:
    """A {reason: count} record of a counts file's header (lines dropped), checked."""
    value = record.get(key, {})
    if not isinstance(value, dict):
        raise BigramError(f"{name}'s header is damaged: the {where} field '{key}' is not a record")
    return {str(k): _field(value, k, name, f"{where} field '{key}'", int) for k in value}


@dataclass
class Corpus:
    """The counts of a corpus and what each file contributed."""

    vocab: Vocab
    N: torch.Tensor
    cleaning: Cleaning | None  # None: not recorded (counts written by `export`)
    files: list[dict] = field(default_factory=list)  # one summary per file (the first FILES_LISTED)
    total: CleanReport = field(default_factory=CleanReport)  # the whole corpus's lines read, kept and dropped
    file_count: int = 0
    bytes_read: int = 0

    @property
    def words(self) -> int:
        return int(self.N[0].sum())

    def model_file(self) -> ModelFile:
        return ModelFile(kind="counts", tensor=self.N, vocab=self.vocab, meta=self.meta())

    def meta(self) -> dict:
        names = [f["name"] for f in self.files]
        source = names[0] if self.file_count == 1 else f"{self.file_count:,} files"
        return {
            "source": source,
            "words": self.words,
            "corpus": {
                "version": CORPUS_VERSION,
                "cleaning": self.cleaning.to_dict(),
                "file_count": self.file_count,
                "bytes": self.bytes_read,
                "lines_read": self.total.lines_read,
                "kept": self.total.kept,
                "dropped": dict(self.total.dropped),
                "examples": {k: list(v) for k, v in self.total.examples.items()},
                "files": self.files,
            },
        }

    def summary(self) -> str:
        t = self.total
        dropped = sum(t.dropped.values())
        why = " (" + ", ".join(f"{n:,} {r}" for r, n in t.dropped.items()) + ")" if t.dropped else ""
        return (
            f"{self.file_count:,} file{'s' if self.file_count != 1 else ''}, {self.bytes_read / 1e6:,.1f} MB: "
            f"{t.lines_read:,} lines read, {t.kept:,} kept, {dropped:,} dropped{why}; "
            f"{len(self.vocab) - 1:,} symbols, {int(self.N.sum()):,} bigrams"
        )


def file_summary(name: str, size: int, compressed: bool, report: CleanReport) -> dict:
    """What a counts file says about one of its files: small, so that thousands of files fit the header."""
    return {
        "name": shown_name(name)[-200:],
        "bytes": size,
        "gzip": compressed,
        "encoding": report.encoding,
        "lines_read": report.lines_read,
        "kept": report.kept,
        "dropped": dict(report.dropped),
        "invalid_lines": report.invalid_lines[:10],
    }


class _Counted:
    """Reads of an underlying file reported to a progress callback (the compressed bytes of a gzip file)."""

    def __init__(self, raw, progress: Callable[[int], None] | None):
        self.raw = raw
        self.progress = progress

    def read(self, n=-1):
        data = self.raw.read(n)
        if self.progress is not None and data:
            self.progress(len(data))
        return data

    def seek(self, *args):
        return self.raw.seek(*args)

    def tell(self):
        return self.raw.tell()

    def readable(self):
        return True

    def seekable(self):
        return True


def open_corpus_file(path) -> tuple[Path, int]:
    """A file of the corpus checked before it is opened: (path, size). Devices, pipes and folders are refused."""
    p = Path(path)
    st = check_regular(p, "text")
    return p, st.st_size


@contextmanager
def reading(path: Path, progress: Callable[[int], None] | None = None):
    """A corpus file open for reading, decompressed as it is read if it is gzip: yields (file, gzip or not).

    Errors of a damaged or cut-short gzip file, or of the disk, become one-line ``BigramError`` s.
    """
    try:
        with path.open("rb") as raw:
            compressed = raw.read(2) == GZIP_MAGIC
            raw.seek(0)
            counted = _Counted(raw, progress)
            if compressed:
                with gzip.GzipFile(fileobj=counted, mode="rb") as f:
                    yield f, True
            else:
                yield counted, False
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise BigramError(f"{path.name} is a damaged or cut-short gzip file ({exc})") from None
    except BigramError:
        raise
    except OSError as exc:
        raise BigramError(f"cannot read {path}: {exc.strerror or exc}") from None


def count_one_file(
    path,
    cleaning: Cleaning = DEFAULT_CLEANING,
    *,
    max_vocab: int = MAX_VOCAB,
    chunk_bytes: int | None = None,
    progress: Callable[[int], None] | None = None,
    fast: bool = True,
) -> tuple[StreamCount, dict]:
    """One file of a corpus streamed: its counts and its summary. A gzip file is decompressed as it is read."""
    p, size = open_corpus_file(path)
    options = dict(cleaning.to_dict(), max_vocab=max_vocab, source=p.name, fast=fast)
    if chunk_bytes is not None:
        options["chunk_bytes"] = chunk_bytes
    with reading(p, progress) as (f, compressed):
        got = count_stream(f, **options)
    return got, file_summary(p.name, size, compressed, got.report)


def count_files(
    paths: Iterable,
    cleaning: Cleaning = DEFAULT_CLEANING,
    *,
    max_vocab: int = MAX_VOCAB,
    chunk_bytes: int | None = None,
    progress: Callable[[int], None] | None = None,
    fast: bool = True,
) -> Corpus:
    """Every file streamed in turn, in bounded memory; the counts added up over the union of the vocabularies."""
    paths = list(paths)
    if not paths:
        raise BigramError("give at least one file to count")
    running = None  # one running total, not every file's matrix
    entries = []
    for path in paths:
        got, summary = count_one_file(
            path, cleaning, max_vocab=max_vocab, chunk_bytes=chunk_bytes, progress=progress, fast=fast
        )
        part = (got.vocab, got.N)
        running = add_counts([running, part], max_vocab=max_vocab) if running is not None else part
        entries.append((got.report, summary))
    return assemble(running, entries, cleaning)


def assemble(counts: tuple[Vocab, torch.Tensor], entries: list, cleaning: Cleaning) -> Corpus:
    """The counts of all files and each file's (report, summary), in file order, as one Corpus."""
    vocab, N = counts
    total = CleanReport(source="corpus", encoding="per file")
    files, size = [], 0
    for report, summary in entries:
        report = CleanReport(**{**report.to_dict(), "invalid_lines": []})  # line numbers are per file
        total.extend(report)
        size += summary["bytes"]
        if len(files) < FILES_LISTED:
            files.append(summary)
    return Corpus(vocab, N, cleaning=cleaning, files=files, total=total, file_count=len(entries), bytes_read=size)


# ---------------------------------------------------------------------- count files


def corpus_of(m: ModelFile, name: str) -> Corpus:
    """A counts file as a Corpus: its counts, and what its header says about how they were made, every field
    checked before anything is added up or written."""
    if m.kind != "counts":
        raise BigramError(f"{name} holds {m.kind}, not counts: only counts add up")
    info = m.meta.get("corpus") if isinstance(m.meta, dict) else None
    if info is None:  # counts written by `export`: a list whose cleaning is not recorded
        words = int(m.tensor[0].sum())
        total = CleanReport(source=name, lines_read=words, kept=words)
        summary = {"name": name[-200:], "bytes": 0, "encoding": "unknown", "lines_read": words, "kept": words}
        return Corpus(m.vocab, m.tensor, cleaning=None, files=[summary], total=total, file_count=1)
    if not isinstance(info, dict):
        raise BigramError(f"{name}'s header is damaged: its corpus record is not a record")
    where = "corpus record"
    examples = info.get("examples", {})
    if not isinstance(examples, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in examples.values()
    ):
        raise BigramError(f"{name}'s header is damaged: the {where} field 'examples' is not lists of words")
    total = CleanReport(
        source=name,
        lines_read=_field(info, "lines_read", name, where, int),
        kept=_field(info, "kept", name, where, int),
        dropped=_counts_of(info, "dropped", name, where),
        examples={str(k): v[:3] for k, v in examples.items()},
    )
    files = info.get("files", [])
    if not isinstance(files, list) or not all(isinstance(f, dict) for f in files):
        raise BigramError(f"{name}'s header is damaged: the {where} field 'files' is not a list of records")
    return Corpus(
        m.vocab,
        m.tensor,
        cleaning=Cleaning.from_dict(info.get("cleaning"), name),
        files=[_file_record(f, name) for f in files[:FILES_LISTED]],
        total=total,
        file_count=_field(info, "file_count", name, where, int),
        bytes_read=_field(info, "bytes", name, where, int),
    )


def _file_record(f: dict, name: str) -> dict:
    """One file's summary in a counts file's header (``file_summary``), checked field by field."""
    where = "corpus record of a file"
    record = {"name": _field(f, "name", name, where, str)[-200:], "encoding": _field(f, "encoding", name, where, str)}
    record.update({key: _field(f, key, name, where, int) for key in ("bytes", "lines_read", "kept")})
    record["gzip"] = bool(f.get("gzip", False) is True)
    record["dropped"] = _counts_of(f, "dropped", name, where)
    lines = f.get("invalid_lines", [])
    lines = lines if isinstance(lines, list) else []
    record["invalid_lines"] = [x for x in lines if isinstance(x, int) and not isinstance(x, bool)][:10]
    return record


def merge_corpora(parts: Iterable[tuple[str, Corpus]], max_vocab: int = MAX_VOCAB) -> Corpus:
    """Counts files added up, exactly, over the union of their vocabularies, one at a time (a running total).

    Counts cleaned differently (one lowercased, one not) would add up to counts of no list at all:
    refused. Counts whose cleaning is not recorded (written by ``export``) take the others' settings.
    """
    first_known: tuple[str, Cleaning] | None = None
    running = None
    total = CleanReport(source="corpus", encoding="per file")
    files, count, size = [], 0, 0
    for name, c in parts:
        if c.cleaning is not None:
            if first_known is None:
                first_known = (name, c.cleaning)
            elif c.cleaning != first_known[1]:
                raise BigramError(
                    f"{name} was cleaned differently ({c.cleaning.describe()}) from {first_known[0]} "
                    f"({first_known[1].describe()}); counts add up only when they were cleaned the same way"
                )
        part = (c.vocab, c.N)
        running = add_counts([running, part], max_vocab=max_vocab) if running is not None else part
        total.extend(c.total)
        count += c.file_count
        size += c.bytes_read
        files += c.files[: FILES_LISTED - len(files)]
    if running is None:
        raise BigramError("give at least one counts file to merge")
    cleaning = first_known[1] if first_known else DEFAULT_CLEANING
    vocab, N = running
    return Corpus(vocab, N, cleaning=cleaning, files=files, total=total, file_count=count, bytes_read=size)


def write_counts(model: ModelFile, out: Path) -> int:
    """Write a counts file next to its final name, then move it there: a reader never sees half a file."""
    from .modelfile import to_safetensors

    data = to_safetensors(model)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BigramError(f"cannot write {out}: {exc.strerror or exc}") from None
    return len(data)
