"""Count the bigrams of a word-list file chunk by chunk, in memory that does not grow with the file.

``parse_words`` holds the whole text, every word as a Python string and the whole id tensor at
once: about 30 bytes of memory per byte of file (3 GB for 100 MB, measured in BENCHMARKS.md). That is
fine for an upload of a few MB and not for a 100 MB corpus. The counts, however, only need the bigrams,
and counts add up: the count matrix of a file is the sum of the count matrices of its pieces. So this module reads a
fixed number of bytes at a time, cleans the complete lines in them with the same rules as
``parse_words``, counts their bigrams and adds them to a running total.

Three things make chunks harder than they look, and each has a test:

* a multi-byte character (UTF-8, UTF-16) can be cut in two by a chunk boundary: an
  incremental decoder keeps the incomplete bytes for the next chunk;
* a line can be cut in two: the incomplete last line is carried over, and so is a line that
  ends in ``\\r``, because the ``\\n`` of its ``\\r\\n`` may open the next chunk;
* the vocabulary grows as chunks arrive: each new symbol gets the next free id in a running
  code-point -> id table, the count matrix is padded to the new size, and at the end rows and
  columns are put in code-point order, which is the order ``Vocab`` uses.

Memory is bounded by the chunk size (times 30 to 80, measured: a Python string object per
line, 4-byte code points and 8-byte ids), the longest line, and the V x V count matrix, which
the result needs anyway. Not supported here: CSV files, and counting or
dropping duplicate words (that would need every distinct word in memory).
"""

from __future__ import annotations

import codecs
import unicodedata
from functools import partial
from pathlib import Path
from typing import BinaryIO, NamedTuple

import torch

from .counting import CountModel
from .errors import BigramError
from .vocab import Vocab
from .wordlist import (  # the same refusals as parse_words, not a copy of them
    _SIGNATURES,
    INVALID_CHARACTERS,
    LINE_BREAKS,
    MAX_VOCAB,
    CleanReport,
    _refuse_control_text,
    clean_line,
)
from .wordlist import CONTROL_CHARACTERS as _CONTROL

#: 256 KiB: measured as fast as 64 KiB and 1 MiB (the per-chunk overhead is invisible), at a few MB of peak.
DEFAULT_CHUNK_BYTES = 1 << 18
#: Unicode category Cc is exactly these 65 code points; a regular expression finds them at C speed.
#: ``decode_bytes`` judges "is this text?" on the first 200,000 characters; so do we.
_HEAD_CHARS = 200_000
_BOMS = (  # in the order decode_bytes tries them: the UTF-32-LE mark begins with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_FALLBACKS = ("utf-8", "cp1252", "latin-1")  # without a byte-order mark, as decode_bytes
_SEPARATOR = 0  # code point written between words; it becomes the boundary, id 0
_nfc = partial(unicodedata.normalize, "NFC")


class StreamCount(NamedTuple):
    """What a streamed file gives: the vocabulary, counts and number of words of ``parse_words`` + ``CountModel``."""

    vocab: Vocab
    N: torch.Tensor
    words: int
    report: CleanReport

    def model(self) -> CountModel:
        return CountModel(vocab=self.vocab, N=self.N, words=self.words)


class _WrongEncoding(Exception):
    """Raised inside a pass when the bytes are not valid in the encoding tried; the next one is tried."""


def count_file(path, **options) -> StreamCount:
    """Stream a word-list file from disk; options as for ``count_stream``.

    The path must be a regular file (a device would stream for ever, a named pipe block); its size is not capped.
    """
    from .files import check_regular

    p = Path(path)
    check_regular(p, "word-list")
    options.setdefault("source", p.name)
    try:
        with p.open("rb") as f:
            return count_stream(f, **options)
    except FileNotFoundError:
        raise BigramError(f"no such file: {p}") from None
    except IsADirectoryError:
        raise BigramError(f"{p} is a folder, not a word-list file") from None


def count_stream(
    f: BinaryIO,
    *,
    source: str = "word list",
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    lowercase: bool = True,
    normalize: bool = True,
    min_len: int = 1,
    max_len: int | None = None,
    max_words: int | None = None,
    max_vocab: int = MAX_VOCAB,
) -> StreamCount:
    """Count the bigrams of a seekable binary file, one word per line, ``chunk_bytes`` at a time.

    Cleaning is ``parse_words``'s: strip white space, drop empty lines, lowercase, NFC, drop
    words with control characters or outside [min_len, max_len]. The encoding is chosen as
    ``decode_bytes`` does (byte-order mark, else UTF-8, else Windows-1252, else Latin-1); a
    file that is UTF-8 apart from a few bad lines stays UTF-8 and those lines are dropped, as
    ``decode_bytes`` decides; one that turns out not to be UTF-8 is read again from the start
    in the next encoding, which is why the file must be seekable. ``max_words`` is off by
    default: large files are what this is for.
    """
    if chunk_bytes < 4:
        raise BigramError("the chunk size must be at least 4 bytes (one character)")
    if min_len < 1:
        raise BigramError("the minimum word length must be at least 1")
    if max_len is not None and max_len < min_len:
        raise BigramError(f"the maximum word length ({max_len}) is below the minimum ({min_len})")
    start = f.tell()
    first = f.read(16)
    if not first:
        raise BigramError(f"{source} is empty")
    bom = next((enc for mark, enc in _BOMS if first.startswith(mark)), None)
    if bom is None:
        for signature, what in _SIGNATURES:
            if first.startswith(signature):
                raise BigramError(f"this file is {what}, not a text word list")
    options = dict(
        source=source,
        chunk_bytes=chunk_bytes,
        lowercase=lowercase,
        normalize=normalize,
        min_len=min_len,
        max_len=max_len,
        max_words=max_words,
        max_vocab=max_vocab,
    )
    for encoding in (bom,) if bom else _FALLBACKS:
        f.seek(start)
        try:
            return _count_pass(f, encoding, strict_bom=bom is not None, first_bytes=first, **options)
        except _WrongEncoding:
            continue
    raise BigramError("the file is not readable as text")  # unreachable: latin-1 decodes any byte


def _count_pass(
    f: BinaryIO,
    encoding: str,
    *,
    strict_bom: bool,
    first_bytes: bytes,
    source: str,
    chunk_bytes: int,
    max_words: int | None,
    max_vocab: int,
    **cleaning,
) -> StreamCount:
    """One read of the file in one encoding. Raises ``_WrongEncoding`` if the bytes do not fit it."""
    # Bytes that are not UTF-8 become lone surrogates, so that their lines are dropped and counted;
    # at the end, the file is UTF-8 only if it is mostly so (``wordlist.mostly_utf8``).
    lenient = encoding == "utf-8" and not strict_bom
    decoder = codecs.getincrementaldecoder(encoding)(errors="surrogateescape" if lenient else "strict")
    good = bad = 0  # lines with valid non-ASCII UTF-8, and lines with bytes that are not UTF-8
    report = CleanReport(source=source, encoding=encoding)
    counter = _PairCounter(max_vocab, source)
    pending = ""  # the incomplete last line of the previous chunk
    head: list[str] = []  # the first characters, for the "is this text at all?" check
    head_chars = 0
    chunks = 0
    while True:
        raw = f.read(chunk_bytes)
        final = not raw
        chunks += not final
        if not strict_bom and b"\x00" in raw:
            utf16ish = first_bytes[1:2] == b"\x00" or first_bytes[0:1] == b"\x00"
            hint = " (if it is UTF-16 text, save it with a byte-order mark or as UTF-8)" if utf16ish else ""
            raise BigramError(f"this file contains binary data (NUL bytes), not a text word list{hint}")
        try:
            text = decoder.decode(raw, final=final)
        except UnicodeDecodeError as exc:
            if strict_bom:
                raise BigramError(
                    f"the file starts with a {encoding.upper()} byte-order mark but is not valid "
                    f"{encoding.upper()} text (in chunk {chunks + final}, byte {exc.start} of it)"
                ) from None
            raise _WrongEncoding from None
        if head_chars < _HEAD_CHARS and text:
            head.append(text[: _HEAD_CHARS - head_chars])
            head_chars += len(head[-1])
        lines, pending = _complete_lines(pending + text, final)
        report.lines_read += len(lines)
        if lenient and not all(map(str.isascii, lines)):  # (a line's non-ASCII part may be in an earlier chunk)
            for line in lines:
                if INVALID_CHARACTERS.search(line):
                    bad += 1
                elif not line.isascii():
                    good += 1
        words = _clean(lines, report, **cleaning)
        counter.add(words)
        report.kept += len(words)
        if max_words is not None and report.kept > max_words:
            raise BigramError(f"{source} has more than {max_words:,} words, the limit here; use a smaller list")
        if final:
            break
    if bad > good:
        raise _WrongEncoding  # more bad lines than UTF-8 ones: a legacy 8-bit file
    # Judged after the pass, not before: if a later chunk proves the file is not UTF-8, the
    # verdict must be on the text as decoded by the encoding finally used, as decode_bytes does.
    _refuse_control_text("".join(head), encoding)
    report.note_invalid_lines()
    if not report.kept:
        why = "; ".join(f"{n:,} {reason}" for reason, n in report.dropped.items()) or "no lines"
        raise BigramError(f"{source} has no words left after cleaning ({why})")
    report.notes.append(
        f"read in {chunks:,} chunks of up to {chunk_bytes:,} bytes; duplicates are not counted when a file is streamed"
    )
    vocab, N = counter.result()
    return StreamCount(vocab=vocab, N=N, words=report.kept, report=report)


def _complete_lines(text: str, final: bool) -> tuple[list[str], str]:
    """Split text into complete lines (each with its line end) and the rest, which may continue.

    A line ending in a lone ``\\r`` is held back too: the next chunk may start with the
    ``\\n`` that makes it one ``\\r\\n`` line end rather than two.
    """
    lines = text.splitlines(keepends=True)
    if final or not lines:
        return lines, ""
    last = lines[-1]
    if last[-1] not in LINE_BREAKS or last[-1] == "\r":
        pending = lines.pop()
        return lines, pending
    return lines, ""


def _without_line_end(line: str) -> str:
    if line.endswith("\r\n"):
        return line[:-2]
    return line[:-1] if line and line[-1] in LINE_BREAKS else line


def _clean(
    lines: list[str], report: CleanReport, *, lowercase: bool, normalize: bool, min_len: int, max_len: int | None
) -> list[str]:
    """The words of complete lines, cleaned exactly as ``parse_words`` cleans them.

    Fast path: apply strip / lower / NFC to the whole chunk with ``map`` (C speed) and check
    that no line is to be dropped. A chunk where some line is dropped goes through the
    line-by-line loop instead, so the report gets the same counts and examples.
    """
    words = map(str.strip, lines)  # every line end is white space to strip()
    if lowercase:
        words = map(str.lower, words)
    if normalize:
        words = map(_nfc, words)
    words = list(words)  # one list: the maps are chained, so no intermediate list of strings is kept
    joined = "".join(words)
    if (
        all(words)
        and not _CONTROL.search(joined)
        and not INVALID_CHARACTERS.search(joined)
        and (not words or (min(map(len, words)) >= min_len and (max_len is None or max(map(len, words)) <= max_len)))
    ):
        return words
    return _clean_slowly(lines, report, lowercase=lowercase, normalize=normalize, min_len=min_len, max_len=max_len)


def _clean_slowly(
    lines: list[str], report: CleanReport, *, lowercase: bool, normalize: bool, min_len: int, max_len: int | None
) -> list[str]:
    """``parse_words``'s cleaning, line by line, recording every drop with its reason."""
    words = []
    first = report.lines_read - len(lines) + 1  # the number of the first of these lines in the file
    for number, line in enumerate(lines, start=first):
        word = clean_line(
            _without_line_end(line),
            report,
            lowercase=lowercase,
            normalize=normalize,
            min_len=min_len,
            max_len=max_len,
            line_number=number,
        )
        if word is not None:
            words.append(word)
    return words


class _PairCounter:
    """Running bigram counts over a vocabulary that grows as chunks arrive.

    Ids are given in order of first appearance through a code-point -> id table (one
    gather per chunk instead of a sort), the counts live in a dense matrix over those ids
    that is padded when the vocabulary grows, and ``result`` reorders it by code point.
    """

    def __init__(self, max_vocab: int, source: str):
        self.max_vocab = max_vocab
        self.source = source
        self.codepoints = [_SEPARATOR]  # id -> code point; id 0 is the separator, i.e. the boundary
        self.table = torch.full((256,), -1, dtype=torch.int64)  # code point -> id, -1 if not seen yet
        self.table[_SEPARATOR] = 0
        self.N = torch.zeros((1, 1), dtype=torch.int64)

    def add(self, words: list[str]) -> None:
        if not words:
            return
        # ". w1 . w2 . ... wn ." : neighbours are exactly the bigrams of the words, as in Vocab.encode_words.
        text = "\x00" + "\x00".join(words) + "\x00"
        cps = torch.frombuffer(bytearray(text.encode("utf-32-le")), dtype=torch.int32)
        del text
        top = int(cps.max())
        if top >= self.table.numel():
            grown = torch.full((max(top + 1, 2 * self.table.numel()),), -1, dtype=torch.int64)
            grown[: self.table.numel()] = self.table
            self.table = grown
        ids = self.table[cps]
        unseen = ids < 0
        if bool(unseen.any()):
            new = torch.unique(cps[unseen]).tolist()
            if len(self.codepoints) - 1 + len(new) > self.max_vocab:
                raise BigramError(f"{self.source} uses more than {self.max_vocab:,} distinct symbols, the limit")
            self.table[new] = torch.arange(len(self.codepoints), len(self.codepoints) + len(new))
            self.codepoints += new
            ids = self.table[cps]
        del cps
        V = len(self.codepoints)
        if self.N.shape[0] < V:
            grown = torch.zeros((V, V), dtype=torch.int64)
            grown[: self.N.shape[0], : self.N.shape[0]] = self.N
            self.N = grown
        pairs = ids[:-1] * V + ids[1:]
        if V * V <= 4 * pairs.numel():  # a dense count of the chunk costs no more than the chunk itself
            self.N += torch.bincount(pairs, minlength=V * V).view(V, V)
        else:  # a large vocabulary and a small chunk: count only the pairs that occur
            seen, counts = torch.unique(pairs, return_counts=True)
            self.N.view(-1).index_add_(0, seen, counts)

    def result(self) -> tuple[Vocab, torch.Tensor]:
        vocab = Vocab(chr(cp) for cp in self.codepoints[1:])
        order = torch.argsort(torch.tensor(self.codepoints))  # the separator (0) stays first: the boundary
        return vocab, self.N[order][:, order].contiguous()
