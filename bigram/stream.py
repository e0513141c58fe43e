"""Count the bigrams of a word-list file chunk by chunk, in memory that does not grow with the file.

``parse_words`` holds the whole text, every word as a Python string and the whole id tensor at
once: about 30 bytes of memory per byte of file (3 GB for 100 MB, measured in BENCHMARKS.md). That is
fine for an upload of a few MB and not for a 100 MB corpus. The counts, however, only need the bigrams,
and counts add up: the count matrix of a file is the sum of the count matrices of its pieces. So this module reads a
fixed number of bytes at a time, cleans the complete lines in them with the same rules as
``parse_words``, counts their bigrams and adds them to a running total.

Three things make chunks harder than they look, and each has a test:

* a multi-byte character can be cut in two by a chunk boundary: in the encodings where ASCII is
  ASCII (UTF-8, Windows-1252, Latin-1) the byte ``\\n`` is never part of another character, so a
  block is cut just after its last ``\\n`` and the rest waits for the next chunk; UTF-16 and UTF-32
  (with a byte-order mark) go through an incremental decoder instead;
* a line can be cut in two: the incomplete last line is carried over, and so is a line that
  ends in ``\\r``, because the ``\\n`` of its ``\\r\\n`` may open the next chunk;
* the vocabulary grows as chunks arrive: each new symbol gets the next free id, the count
  matrix is padded to the new size, and at the end rows and columns are put in code-point
  order, which is the order ``Vocab`` uses (``bigram.blocks.PairCounter``).

Each block of complete lines is counted by ``bigram.blocks`` without a Python object per line,
and the lines the cleaning rules would change go through ``wordlist.clean_line``, the one
definition of those rules (``fast=False`` sends every line there: the reference the tests compare with).
A byte range of a file (``start``/``limit``, cut at line starts) is counted the same way, which is
how ``bigram.corpus`` spreads one file over many processes. Memory is bounded by the chunk size,
the longest line (``limits.STREAM_LINE_MAX_BYTES``) and the V x V count matrix, which the result
needs anyway. Not supported here: CSV files, and counting or dropping duplicate words (that would
need every distinct word in memory).
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

import torch

from .blocks import PairCounter, count_ascii_block, count_text_block, lines_with_non_ascii
from .counting import CountModel
from .errors import BigramError
from .limits import STREAM_LINE_MAX_BYTES
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

#: 1 MiB: measured side by side with 256 KiB and 4 MiB, the fastest for text beyond ASCII (a block's fixed
#: costs, some forty tensor operations, are spread wider) and as fast for ASCII, at some 30 MB of peak.
DEFAULT_CHUNK_BYTES = 1 << 20
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
#: Encodings in which byte 10 is always "\n" and never part of another character: read block by block.
BYTE_ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1")
#: Single-byte line breaks of those encodings (a file with no "\n" at all is cut at these).
_ASCII_BREAKS = b"\r\x0b\x0c\x1c\x1d\x1e"


class StreamCount(NamedTuple):
    """What a streamed file gives: the vocabulary, counts and number of words of ``parse_words`` + ``CountModel``."""

    vocab: Vocab
    N: torch.Tensor
    words: int
    report: CleanReport

    def model(self) -> CountModel:
        return CountModel(vocab=self.vocab, N=self.N, words=self.words)


@dataclass
class Partial:
    """What one read of a file, or of a byte range of it, in one encoding found; partials add up (``combine``).

    ``good`` and ``bad`` are the lines with valid non-ASCII UTF-8 and with bytes that are not UTF-8
    (lenient UTF-8 only); ``good`` is exact only if ``good_exact`` (it is tallied on demand, see
    ``count_stream``). ``head`` is the first characters of the file, if this read started there.
    """

    vocab: Vocab
    N: torch.Tensor
    report: CleanReport
    good: int = 0
    bad: int = 0
    good_exact: bool = False
    head: str | None = None
    chunks: int = 0
    wrong_encoding: bool = False


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


def check_options(
    chunk_bytes: int = DEFAULT_CHUNK_BYTES, min_len: int = 1, max_len: int | None = None, **_ignored
) -> None:
    if chunk_bytes < 4:
        raise BigramError("the chunk size must be at least 4 bytes (one character)")
    if min_len < 1:
        raise BigramError("the minimum word length must be at least 1")
    if max_len is not None and max_len < min_len:
        raise BigramError(f"the maximum word length ({max_len}) is below the minimum ({min_len})")


def encodings_to_try(first: bytes, source: str) -> tuple[tuple[str, ...], bool]:
    """From a file's first bytes: the encodings to try in turn, and whether a byte-order mark fixed it."""
    if not first:
        raise BigramError(f"{source} is empty")
    bom = next((enc for mark, enc in _BOMS if first.startswith(mark)), None)
    if bom is not None:
        return (bom,), True
    for signature, what in _SIGNATURES:
        if first.startswith(signature):
            raise BigramError(f"this file is {what}, not a text word list")
    return _FALLBACKS, False


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
    fast: bool = True,
    progress: Callable[[int], None] | None = None,
) -> StreamCount:
    """Count the bigrams of a seekable binary file, one word per line, ``chunk_bytes`` at a time.

    Cleaning is ``parse_words``'s: strip white space, drop empty lines, lowercase, NFC, drop
    words with control characters or outside [min_len, max_len]. The encoding is chosen as
    ``decode_bytes`` does (byte-order mark, else UTF-8, else Windows-1252, else Latin-1); a
    file that is UTF-8 apart from a few bad lines stays UTF-8 and those lines are dropped, as
    ``decode_bytes`` decides; one that turns out not to be UTF-8 is read again from the start
    in the next encoding, which is why the file must be seekable. ``max_words`` is off by
    default: large files are what this is for. ``fast=False`` cleans every line with
    ``clean_line`` (the same counts, slower: the reference). ``progress`` is called with the
    number of bytes of each read.
    """
    options = dict(
        source=source,
        chunk_bytes=chunk_bytes,
        lowercase=lowercase,
        normalize=normalize,
        min_len=min_len,
        max_len=max_len,
        max_words=max_words,
        max_vocab=max_vocab,
        fast=fast,
        progress=progress,
    )
    check_options(**options)
    with one_thread():
        return _count_stream(f, options)


@contextmanager
def one_thread():
    """torch on one thread while a file is counted: a block's tensors are small, and threads only contend
    (measured: 10 times slower on two busy cores). The caller's setting is put back afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _count_stream(f: BinaryIO, options: dict) -> StreamCount:
    source, chunk_bytes = options["source"], options["chunk_bytes"]
    start = f.tell()
    encodings, strict = encodings_to_try(f.read(16), source)
    for encoding in encodings:
        try:
            part = None
            for tally_good in (False, True):  # lines of good UTF-8 are only tallied if there are bad ones
                f.seek(start)
                part = count_pass(f, encoding, strict_bom=strict, at_start=True, tally_good=tally_good, **options)
                if not needs_good_tally(part):
                    break
            return finish(part, encoding, chunk_bytes=chunk_bytes)
        except _WrongEncoding:
            continue
    raise BigramError("the file is not readable as text")  # unreachable: latin-1 decodes any byte


def needs_good_tally(part: Partial) -> bool:
    """Whether the verdict "UTF-8 or not" needs the lines of good UTF-8 counted, and they were not."""
    return part.bad > part.good and not part.good_exact


def finish(part: Partial, encoding: str, *, chunk_bytes: int) -> StreamCount:
    """The verdicts taken on a whole file once it is read: its encoding, "is it text at all?", any words left."""
    if part.wrong_encoding or part.bad > part.good:
        raise _WrongEncoding  # more bad lines than UTF-8 ones: a legacy 8-bit file
    # Judged after the pass, not before: if a later chunk proves the file is not UTF-8, the
    # verdict must be on the text as decoded by the encoding finally used, as decode_bytes does.
    _refuse_control_text(part.head or "", encoding)
    report = part.report
    report.note_invalid_lines()
    if not report.kept:
        why = "; ".join(f"{n:,} {reason}" for reason, n in report.dropped.items()) or "no lines"
        raise BigramError(f"{report.source} has no words left after cleaning ({why})")
    report.notes.append(
        f"read in {part.chunks:,} chunks of up to {chunk_bytes:,} bytes; "
        "duplicates are not counted when a file is streamed"
    )
    return StreamCount(vocab=part.vocab, N=part.N, words=report.kept, report=report)


def count_pass(
    f: BinaryIO,
    encoding: str,
    *,
    strict_bom: bool,
    at_start: bool,
    tally_good: bool,
    limit: int | None = None,
    source: str,
    chunk_bytes: int,
    max_words: int | None,
    max_vocab: int,
    fast: bool = True,
    progress: Callable[[int], None] | None = None,
    **cleaning,
) -> Partial:
    """One read in one encoding, from where ``f`` stands, of ``limit`` bytes (to the end if None).

    ``at_start``: ``f`` stands at the start of the file (a byte-order mark is skipped, the head kept).
    Raises ``_WrongEncoding`` if the bytes do not fit a strict encoding.
    """
    if encoding in BYTE_ENCODINGS:
        reader = _BlockReader(encoding, strict_bom, tally_good, fast, source, max_words, max_vocab, cleaning)
        return reader.read(f, at_start=at_start, limit=limit, chunk_bytes=chunk_bytes, progress=progress)
    return _decoded_pass(
        f,
        encoding,
        source=source,
        chunk_bytes=chunk_bytes,
        max_words=max_words,
        max_vocab=max_vocab,
        progress=progress,
        **cleaning,
    )


def combine(parts: list[Partial]) -> Partial:
    """Partials of consecutive byte ranges of one file, in file order, as one read of the whole range.

    Counts and tallies add up; the report's line numbers of later parts move past the earlier parts' lines.
    """
    from .merge import add_counts

    vocab, N = add_counts([(p.vocab, p.N) for p in parts])
    report = CleanReport(source=parts[0].report.source, encoding=parts[0].report.encoding)
    for p in parts:
        report.extend(p.report)
    return Partial(
        vocab=vocab,
        N=N,
        report=report,
        good=sum(p.good for p in parts),
        bad=sum(p.bad for p in parts),
        good_exact=all(p.good_exact for p in parts),
        head=parts[0].head,
        chunks=sum(p.chunks for p in parts),
        wrong_encoding=any(p.wrong_encoding for p in parts),
    )


class _BlockReader:
    """One pass over bytes in an ASCII-compatible encoding: blocks cut after their last "\\n", counted by ``blocks``."""

    def __init__(self, encoding, strict_bom, tally_good, fast, source, max_words, max_vocab, cleaning):
        self.encoding = encoding
        self.codec = "utf-8" if encoding == "utf-8-sig" else encoding
        self.strict_bom = strict_bom
        self.lenient = encoding == "utf-8" and not strict_bom
        self.errors = "surrogateescape" if self.lenient else "strict"
        self.tally_good = tally_good and self.lenient
        self.fast = fast
        self.max_words = max_words
        self.cleaning = cleaning
        lo, hi = cleaning["min_len"], cleaning["max_len"]
        self.length_limits = (lo, hi) if lo > 1 or hi is not None else None
        self.report = CleanReport(source=source, encoding=encoding)
        self.counter = PairCounter(max_vocab, source, cleaning["normalize"])
        self.good = self.bad = 0
        self.offset = 0  # bytes of the range handled so far, for messages

    def read(self, f, *, at_start: bool, limit: int | None, chunk_bytes: int, progress) -> Partial:
        remaining = limit
        if at_start and self.encoding == "utf-8-sig":
            f.read(len(codecs.BOM_UTF8))
            if remaining is not None:
                remaining -= len(codecs.BOM_UTF8)
        head = bytearray() if at_start else None
        head_bytes = 4 * _HEAD_CHARS
        carry = b""
        chunks = 0
        while True:
            size = chunk_bytes if remaining is None else min(chunk_bytes, remaining)
            raw = f.read(size) if size > 0 else b""
            if remaining is not None:
                remaining -= len(raw)
            final = not raw
            chunks += not final
            if progress is not None and raw:
                progress(len(raw))
            if not self.strict_bom and b"\x00" in raw:
                raise BigramError(_nul_message(head or raw))
            if head is not None and len(head) < head_bytes:
                head += raw[: head_bytes - len(head)]
            buf = carry + raw if carry else raw
            cut = buf.rfind(b"\n") + 1
            if final:
                block, tail, carry = buf[:cut], buf[cut:], b""
            elif cut:
                block, tail, carry = buf[:cut], b"", buf[cut:]
            else:  # no "\n" yet: cut after another line break, or wait for more of this line
                cut = _last_break(buf) + 1
                if not cut and len(buf) > STREAM_LINE_MAX_BYTES:
                    raise BigramError(
                        f"{self.report.source} has a line longer than {STREAM_LINE_MAX_BYTES // 1_000_000} MB "
                        "(no line end found); a word list has one word a line"
                    )
                block, tail, carry = b"", buf[:cut], buf[cut:]
            if block:
                self._block(block)
            if tail:
                self._general(self._decode(tail), self.report.lines_read + 1, count=True)
            self.offset += len(block) + len(tail)
            if self.max_words is not None and self.report.kept > self.max_words:
                raise BigramError(
                    f"{self.report.source} has more than {self.max_words:,} words, the limit here; use a smaller list"
                )
            if final:
                break
        vocab, N = self.counter.result()
        text_head = None
        if head is not None:
            decoder = codecs.getincrementaldecoder(self.codec)(errors="replace" if not self.lenient else self.errors)
            text_head = decoder.decode(bytes(head), final=False)[:_HEAD_CHARS]
        return Partial(
            vocab=vocab,
            N=N,
            report=self.report,
            good=self.good,
            bad=self.bad,
            good_exact=self.tally_good or not self.lenient,
            head=text_head,
            chunks=chunks,
        )

    def _decode(self, data: bytes) -> str:
        try:
            return data.decode(self.codec, self.errors)
        except UnicodeDecodeError as exc:
            if self.strict_bom:
                raise BigramError(
                    f"the file starts with a {self.encoding.upper()} byte-order mark but is not valid "
                    f"{self.encoding.upper()} text (at byte {self.offset + exc.start:,} after the mark)"
                ) from None
            raise _WrongEncoding from None

    def _block(self, block: bytes) -> None:
        """Count a block of complete lines (ending in "\\n"): vectorised, special lines through ``clean_line``."""
        first = self.report.lines_read + 1
        options = dict(lowercase=self.cleaning["lowercase"], length_limits=self.length_limits)
        if not self.fast:
            self._general(self._decode(block), first, count=True)
            return
        if block.isascii():
            lines, special = count_ascii_block(block, self.counter, **options)
        else:
            text = self._decode(block)
            lines, special = count_text_block(
                text, self.counter, normalize=self.cleaning["normalize"], number_lines=self.tally_good, **options
            )
            if self.tally_good:
                self.good += lines_with_non_ascii(block, [i for i, _ in special])  # numbered when tallying
        self.report.lines_read += lines
        self.report.kept += lines - len(special)
        if special:
            self._special(special, first)

    def _special(self, special: list[tuple[int, str]], first: int) -> None:
        """The special lines of a block, in file order, through ``clean_line`` (one may hold several lines)."""
        words: list[str] = []
        extra = 0
        for i, piece in special:
            lines = piece.splitlines(keepends=True)
            words += self._clean(lines, None if i is None else first + i + extra)  # (numbers: for lines not UTF-8)
            extra += len(lines) - 1
        self.report.lines_read += extra
        self.report.kept += len(words)
        self.counter.add(words)

    def _general(self, text: str, first: int, *, count: bool) -> None:
        lines = text.splitlines(keepends=True)
        self.report.lines_read += len(lines)
        words = self._clean(lines, first)
        self.report.kept += len(words)
        self.counter.add(words)

    def _clean(self, lines: list[str], first: int | None) -> list[str]:
        if self.lenient and not all(map(str.isascii, lines)):
            for line in lines:
                if INVALID_CHARACTERS.search(line):
                    self.bad += 1
                elif not line.isascii():
                    self.good += 1
        return clean_lines(lines, self.report, first, **self.cleaning)


def _last_break(buf: bytes) -> int:
    """The position of the last single-byte line break that surely ends a line (-1 if none).

    A "\\r" at the very end does not: the "\\n" of its "\\r\\n" may come with the next chunk.
    """
    end = len(buf) - 1 if buf.endswith(b"\r") else len(buf)
    return max(buf.rfind(bytes([b]), 0, end) for b in _ASCII_BREAKS)


def _nul_message(first: bytes) -> str:
    utf16ish = first[1:2] == b"\x00" or first[0:1] == b"\x00"
    hint = " (if it is UTF-16 text, save it with a byte-order mark or as UTF-8)" if utf16ish else ""
    return f"this file contains binary data (NUL bytes), not a text word list{hint}"


def _decoded_pass(
    f: BinaryIO,
    encoding: str,
    *,
    source: str,
    chunk_bytes: int,
    max_words: int | None,
    max_vocab: int,
    progress,
    **cleaning,
) -> Partial:
    """A pass in UTF-16 or UTF-32 (after a byte-order mark): an incremental decoder, each line through clean_line."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    report = CleanReport(source=source, encoding=encoding)
    counter = PairCounter(max_vocab, source, cleaning["normalize"])
    pending = ""  # the incomplete last line of the previous chunk
    head: list[str] = []  # the first characters, for the "is this text at all?" check
    head_chars = 0
    chunks = 0
    while True:
        raw = f.read(chunk_bytes)
        final = not raw
        chunks += not final
        if progress is not None and raw:
            progress(len(raw))
        try:
            text = decoder.decode(raw, final=final)
        except UnicodeDecodeError as exc:
            raise BigramError(
                f"the file starts with a {encoding.upper()} byte-order mark but is not valid "
                f"{encoding.upper()} text (in chunk {chunks + final}, byte {exc.start} of it)"
            ) from None
        if head_chars < _HEAD_CHARS and text:
            head.append(text[: _HEAD_CHARS - head_chars])
            head_chars += len(head[-1])
        lines, pending = _complete_lines(pending + text, final)
        report.lines_read += len(lines)
        words = clean_lines(lines, report, report.lines_read - len(lines) + 1, **cleaning)
        counter.add(words)
        report.kept += len(words)
        if max_words is not None and report.kept > max_words:
            raise BigramError(f"{source} has more than {max_words:,} words, the limit here; use a smaller list")
        if final:
            break
    vocab, N = counter.result()
    return Partial(vocab=vocab, N=N, report=report, good_exact=True, head="".join(head), chunks=chunks)


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


def clean_lines(
    lines: list[str],
    report: CleanReport,
    first: int | None,
    *,
    lowercase: bool,
    normalize: bool,
    min_len: int,
    max_len: int | None,
) -> list[str]:
    """``parse_words``'s cleaning of complete lines (line ``first`` of the file onwards), every drop recorded.

    ``first`` None: the lines' numbers are not known (they are only reported for lines that are not UTF-8).
    """
    words = []
    for number, line in enumerate(lines, start=first or 0):
        word = clean_line(
            _without_line_end(line),
            report,
            lowercase=lowercase,
            normalize=normalize,
            min_len=min_len,
            max_len=max_len,
            line_number=number if first is not None else None,
        )
        if word is not None:
            words.append(word)
    return words


__all__ = ["DEFAULT_CHUNK_BYTES", "StreamCount", "count_file", "count_stream", "_CONTROL", "LINE_BREAKS"]
