"""From the bytes of a file to a clean list of words, with a report a person can read.

A word list arrives as whatever a person has: UTF-8 with or without a byte-order mark,
UTF-16 from a spreadsheet, Latin-1 from an old system, Windows or old Mac line ends, a CSV
export with a header. This module turns all of those into one list of words, one per line,
and says what it did: how many lines it read, kept and dropped, and why.

Symbols are Unicode code points after NFC normalisation (``list(word)``): a combining
accent typed as two code points becomes one composed character where Unicode has one, and
anything that stays several code points (an emoji with a skin tone, a flag) is several symbols.
Counting, scoring and sampling all use this same split.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import BigramError

#: Defaults a hosted app can rely on; a caller may raise or lower them.
MAX_WORDS = 2_000_000
MAX_VOCAB = 5_000
EXAMPLES_PER_REASON = 3

# File signatures of common binary formats, so the error can say what the file is.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"%PDF", "a PDF document"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "a program (ELF binary)"),
    (b"SQLite format 3\x00", "an SQLite database"),
)


@dataclass
class CleanReport:
    """What cleaning did to a file, in numbers and examples."""

    source: str = "word list"
    encoding: str = "utf-8"
    lines_read: int = 0
    kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    duplicates: int = 0
    column: str | None = None
    notes: list[str] = field(default_factory=list)

    def drop(self, reason: str, line: str) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1
        shown = self.examples.setdefault(reason, [])
        if len(shown) < EXAMPLES_PER_REASON:
            shown.append(line if len(line) <= 40 else line[:37] + "...")

    @property
    def dropped_total(self) -> int:
        return sum(self.dropped.values())

    def summary(self) -> str:
        """One line, e.g. '29,994 lines read, 29,994 kept, 0 dropped (utf-8)'."""
        parts = [f"{self.lines_read:,} lines read", f"{self.kept:,} kept", f"{self.dropped_total:,} dropped"]
        if self.dropped:
            parts[-1] += " (" + ", ".join(f"{n:,} {why}" for why, n in self.dropped.items()) + ")"
        if self.duplicates:
            parts.append(f"{self.duplicates:,} duplicate entries")
        return ", ".join(parts) + f"; read as {self.encoding}" + (f", column '{self.column}'" if self.column else "")

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "encoding": self.encoding,
            "lines_read": self.lines_read,
            "kept": self.kept,
            "dropped": dict(self.dropped),
            "examples": {k: list(v) for k, v in self.examples.items()},
            "duplicates": self.duplicates,
            "column": self.column,
            "notes": list(self.notes),
        }


@dataclass
class WordList:
    """Clean words in file order, and the report of how they were obtained."""

    words: list[str]
    report: CleanReport

    def __len__(self) -> int:
        return len(self.words)


def clean_word(text: str, *, lowercase: bool = True, normalize: bool = True) -> str:
    """One typed word cleaned the way ``parse_words`` cleans each line: stripped, lowercased, NFC."""
    word = text.strip()
    if lowercase:
        word = word.lower()
    if normalize:
        word = unicodedata.normalize("NFC", word)
    return word


def clean_typed_word(text: str, symbols: Iterable[str]) -> str:
    """A word a person typed, cleaned as their list was: NFC, and lowercased unless the list itself has capitals.

    ``symbols`` are the list's symbols (its vocabulary): a list with capitals was read with its case kept.
    """
    return clean_word(text, lowercase=not any(ch != ch.lower() for ch in symbols))


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a file's bytes, returning (text, encoding name).

    Byte-order marks decide first (UTF-8, UTF-16, UTF-32); then strict UTF-8; then, for
    legacy 8-bit files, Windows-1252 and finally Latin-1. Binary data is refused with an
    error that names the format when it has a known signature.
    """
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as exc:
                raise BigramError(
                    f"the file starts with a {enc.upper()} byte-order mark but is not valid {enc.upper()} text (byte {exc.start})"
                ) from None
            return _refuse_control_text(text, enc), enc
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise BigramError(f"this file is {what}, not a text word list")
    if b"\x00" in data:
        hint = (
            " (if it is UTF-16 text, save it with a byte-order mark or as UTF-8)"
            if data[1:2] == b"\x00" or data[0:1] == b"\x00"
            else ""
        )
        raise BigramError(f"this file contains binary data (NUL bytes), not a text word list{hint}")
    try:
        return _refuse_control_text(data.decode("utf-8"), "utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for enc in ("cp1252", "latin-1"):
        try:
            return _refuse_control_text(data.decode(enc), enc), enc
        except UnicodeDecodeError:
            continue
    raise BigramError("the file is not readable as text")  # unreachable: latin-1 decodes any byte


def _refuse_control_text(text: str, encoding: str) -> str:
    """Refuse text that is mostly control characters: random bytes that happened to decode."""
    if not text:
        return text
    sample = text[:200_000]
    control = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x85")
    if control > max(2, len(sample) // 100):
        raise BigramError(
            f"this file does not look like text: {control:,} control characters in its first {len(sample):,} characters (read as {encoding})"
        )
    return text


def _csv_column(text: str, column: str | None, report: CleanReport) -> list[str]:
    """The cells of one column of a CSV file with a header row."""
    try:
        dialect = csv.Sniffer().sniff(text[:10_000], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = csv.reader(io.StringIO(text), dialect)
    try:
        header = [h.strip() for h in next(rows)]
    except StopIteration:
        raise BigramError("the CSV file is empty") from None
    except csv.Error as exc:
        raise BigramError(f"the CSV file cannot be parsed: {exc}") from None
    if not any(header):
        raise BigramError("the CSV file's first line should name its columns, and it is empty")
    lowered = [h.lower() for h in header]
    if column is not None:
        if column in header:
            idx = header.index(column)
        elif column.lower() in lowered:
            idx = lowered.index(column.lower())
        else:
            raise BigramError(f"column '{column}' is not in the CSV header; its columns are: {', '.join(header)}")
    else:
        preferred = [
            i for i, h in enumerate(lowered) if h in ("name", "names", "word", "words", "first_name", "surname")
        ]
        idx = preferred[0] if preferred else 0
        if len(header) > 1:
            report.notes.append(f"used column '{header[idx]}' of {len(header)} ({', '.join(header)})")
    report.column = header[idx]
    cells = []
    try:
        for row in rows:
            cells.append(row[idx] if idx < len(row) else "")
    except csv.Error as exc:
        raise BigramError(f"the CSV file cannot be parsed at line {rows.line_num}: {exc}") from None
    return cells


#: Unicode's control characters (category Cc) are exactly these code points; a regular
#: expression tests a word for them several times faster than a loop over its characters.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")


def clean_line(
    raw: str,
    report: CleanReport,
    *,
    lowercase: bool = True,
    normalize: bool = True,
    min_len: int = 1,
    max_len: int | None = None,
) -> str | None:
    """One line cleaned as every word list is (``parse_words``, ``bigram.stream``): the word, or None if dropped.

    A dropped line is recorded in ``report`` with its reason.
    """
    word = raw.strip()
    if not word:
        report.drop("empty", raw)
        return None
    if lowercase:
        word = word.lower()
    if normalize:
        word = unicodedata.normalize("NFC", word)
    if CONTROL_CHARACTERS.search(word):
        report.drop("control characters", word.encode("unicode_escape").decode("ascii"))
        return None
    if len(word) < min_len:
        report.drop(f"shorter than {min_len}", word)
        return None
    if max_len is not None and len(word) > max_len:
        report.drop(f"longer than {max_len}", word)
        return None
    return word


def parse_words(
    data: bytes | str,
    *,
    source: str = "word list",
    lowercase: bool = True,
    normalize: bool = True,
    dedupe: bool = False,
    min_len: int = 1,
    max_len: int | None = None,
    csv_column: str | None = None,
    is_csv: bool | None = None,
    max_words: int = MAX_WORDS,
    max_vocab: int = MAX_VOCAB,
) -> WordList:
    """Clean a word list: one word per line, white space stripped, empty lines dropped.

    ``is_csv`` defaults to "the source name ends in .csv". Raises ``BigramError`` when
    nothing is left, when the data is binary or not text, or when the list exceeds
    ``max_words`` words or ``max_vocab`` distinct symbols.
    """
    if min_len < 1:
        raise BigramError("the minimum word length must be at least 1")
    if max_len is not None and max_len < min_len:
        raise BigramError(f"the maximum word length ({max_len}) is below the minimum ({min_len})")
    report = CleanReport(source=source)
    if isinstance(data, str):
        text, report.encoding = data, "text"
    else:
        if not data:
            raise BigramError(f"{source} is empty")
        text, report.encoding = decode_bytes(data)
    if is_csv is None:
        is_csv = source.lower().endswith(".csv") or csv_column is not None
    lines = _csv_column(text, csv_column, report) if is_csv else text.splitlines()
    report.lines_read = len(lines)

    words: list[str] = []
    seen: set[str] = set()
    for raw in lines:
        word = clean_line(raw, report, lowercase=lowercase, normalize=normalize, min_len=min_len, max_len=max_len)
        if word is None:
            continue
        if word in seen:
            report.duplicates += 1
            if dedupe:
                report.drop("duplicate", word)
                continue
        else:
            seen.add(word)
        words.append(word)
        if len(words) > max_words:
            raise BigramError(f"{source} has more than {max_words:,} words, the limit here; use a smaller list")
    report.kept = len(words)
    if not words:
        why = "; ".join(f"{n:,} {reason}" for reason, n in report.dropped.items()) or "no lines"
        raise BigramError(f"{source} has no words left after cleaning ({why})")
    vocab_size = len(set("".join(seen)))
    if vocab_size > max_vocab:
        raise BigramError(f"{source} uses {vocab_size:,} distinct symbols, more than the limit of {max_vocab:,}")
    return WordList(words=words, report=report)


def read_words(path, **options) -> WordList:
    """Read and clean a word-list file from disk (see ``parse_words`` for the options)."""
    from pathlib import Path

    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise BigramError(f"no such file: {p}") from None
    except IsADirectoryError:
        raise BigramError(f"{p} is a folder, not a word-list file") from None
    except OSError as exc:
        raise BigramError(f"cannot read {p}: {exc.strerror or exc}") from None
    options.setdefault("source", p.name)
    return parse_words(data, **options)
