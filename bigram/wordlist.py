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
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import BigramError
from .limits import VOCAB_MAX, WORD_FILE_MAX_BYTES, WORDS_MAX

#: Defaults a hosted app can rely on; a caller may raise or lower them (defined in ``bigram.limits``).
MAX_WORDS = WORDS_MAX
MAX_VOCAB = VOCAB_MAX
EXAMPLES_PER_REASON = 3
#: Line numbers of lines that are not valid UTF-8 kept in the report (the count has them all).
INVALID_LINES_KEPT = 100
#: The reason a line is dropped when its bytes are not valid UTF-8 in an otherwise UTF-8 file.
NOT_UTF8 = "not valid UTF-8"

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


def _numbered(line_number: int, shown: str) -> str:
    """An example of a dropped line that says where it was (lines that are not UTF-8)."""
    return f"line {line_number}: {shown}"


def _renumbered(example: str, offset: int) -> str:
    """An example from ``_numbered``, ``offset`` lines further down (a later piece of the file)."""
    head, sep, rest = example.partition(": ")
    if sep and head.startswith("line ") and head[5:].isdigit():
        return _numbered(int(head[5:]) + offset, rest)
    return example


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
    invalid_lines: list[int] = field(default_factory=list)  # line numbers (from 1) of lines not valid UTF-8

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
            "invalid_lines": list(self.invalid_lines),
        }

    def extend(self, later: CleanReport) -> None:
        """Add the report of the lines that follow these (the next piece of the same file): reports add up.

        Line numbers in ``later`` count from its own first line; they move past this report's lines.
        """
        for reason, n in later.dropped.items():
            self.dropped[reason] = self.dropped.get(reason, 0) + n
            shown = self.examples.setdefault(reason, [])
            more = later.examples.get(reason, [])[: EXAMPLES_PER_REASON - len(shown)]
            shown += [_renumbered(e, self.lines_read) for e in more] if reason == NOT_UTF8 else more
        room = INVALID_LINES_KEPT - len(self.invalid_lines)
        self.invalid_lines += [self.lines_read + i for i in later.invalid_lines[:room]]
        self.lines_read += later.lines_read
        self.kept += later.kept
        self.duplicates += later.duplicates

    def note_invalid_lines(self) -> None:
        """Say which lines were dropped for not being UTF-8 (called once, when the file has been read)."""
        n = self.dropped.get(NOT_UTF8, 0)
        if n:
            shown = ", ".join(f"{i:,}" for i in self.invalid_lines[:10]) + (", ..." if n > 10 else "")
            self.notes.append(
                f"{n:,} line{'s' if n > 1 else ''} not valid UTF-8 dropped (line{'s' if n > 1 else ''} {shown}); "
                "the rest of the file was read as UTF-8"
            )


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

    Byte-order marks decide first (UTF-8, UTF-16, UTF-32); then UTF-8; then, for legacy
    8-bit files, Windows-1252 and finally Latin-1. Binary data is refused with an error that
    names the format when it has a known signature.

    A file that is UTF-8 apart from a few bad lines (a stray byte from another editor) stays
    UTF-8, rather than turning every ``é`` of it into two Windows-1252 symbols: it is UTF-8
    when at least as many lines hold valid non-ASCII UTF-8 as hold invalid bytes (see
    ``mostly_utf8``). The invalid bytes are then kept as lone surrogates U+DC80-U+DCFF
    (Python's ``surrogateescape``), so that ``clean_line`` drops those lines and the report
    says which they were.
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
                    f"the file starts with a {enc.upper()} byte-order mark but is not valid {enc.upper()} text "
                    f"(byte {exc.start})"
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
    text = data.decode("utf-8", "surrogateescape")
    if mostly_utf8(iter_lines(text)):
        return _refuse_control_text(text, "utf-8"), "utf-8"
    del text
    for enc in ("cp1252", "latin-1"):
        try:
            return _refuse_control_text(data.decode(enc), enc), enc
        except UnicodeDecodeError:
            continue
    raise BigramError("the file is not readable as text")  # unreachable: latin-1 decodes any byte


#: Lone surrogates: what ``surrogateescape`` turns bytes that are not UTF-8 into; never in valid text.
INVALID_CHARACTERS = re.compile("[\ud800-\udfff]")
#: The characters ``str.splitlines`` ends a line at (all of them are also stripped by ``str.strip``).
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK = re.compile(f"[{LINE_BREAKS}]")


def iter_lines(text: str, chunk_chars: int = 1 << 16):
    """``text.splitlines()``, lazily: the same lines, split about ``chunk_chars`` characters at a time.

    Splitting a 25 MB upload of 8 million short lines at once makes 8 million strings (about
    450 MB) before the first one is looked at; a limit on words can then only refuse the list
    after paying for all of them. Each piece here ends just after a line break (never between
    the two characters of ``\r\n``), so the pieces' lines are exactly the whole text's lines.
    """
    start, n = 0, len(text)
    while start < n:
        end = n
        if start + chunk_chars < n:
            m = _LINE_BREAK.search(text, start + chunk_chars)
            if m is not None:
                end = m.end() + (m.group() == "\r" and text.startswith("\n", m.end()))
        yield from text[start:end].splitlines()
        start = end


def mostly_utf8(lines) -> bool:
    """Whether text decoded with ``surrogateescape`` is UTF-8 with a few bad lines, not a legacy 8-bit file.

    A line with an escaped byte is bad; a line with non-ASCII characters and none escaped is
    good (in a Latin-1 or Windows-1252 file, accented letters are almost never valid UTF-8).
    """
    good = bad = 0
    for line in lines:
        if line.isascii():
            continue
        if INVALID_CHARACTERS.search(line):
            bad += 1
        else:
            good += 1
    return bad == 0 or good >= bad


#: Control characters (category Cc) other than the white space and line breaks a text file may hold.
_UNEXPECTED_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")


def _refuse_control_text(text: str, encoding: str) -> str:
    """Refuse text that is mostly control characters: random bytes that happened to decode."""
    if not text:
        return text
    sample = text[:200_000]
    control = len(_UNEXPECTED_CONTROL.findall(sample))
    if control > max(2, len(sample) // 100):
        raise BigramError(
            f"this file does not look like text: {control:,} control characters in its first {len(sample):,} "
            f"characters (read as {encoding})"
        )
    return text


def _newline_lines(text: str):
    """The lines of text split after each ``\n`` (as reading an ``io.StringIO`` gives them), lazily."""
    return (m.group() for m in re.finditer(r"[^\n]*\n|[^\n]+", text))


def _columns(header: list[str], shown: int = 20) -> str:
    """A header's column names for a message: the first ``shown`` of them, each cut at 40 characters."""
    names = ", ".join(h if len(h) <= 40 else h[:37] + "..." for h in header[:shown])
    return names + (f", ... ({len(header):,} columns)" if len(header) > shown else "")


def _csv_column(text: str, column: str | None, report: CleanReport):
    """The cells of one column of a CSV file with a header row, lazily, as (line number, cell).

    The header is read (and a missing column refused) at once; the cells one row at a time.
    """
    try:
        dialect = csv.Sniffer().sniff(text[:10_000], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = csv.reader(_newline_lines(text), dialect)
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
            raise BigramError(f"column '{column}' is not in the CSV header; its columns are: {_columns(header)}")
    else:
        preferred = [
            i for i, h in enumerate(lowered) if h in ("name", "names", "word", "words", "first_name", "surname")
        ]
        idx = preferred[0] if preferred else 0
        if len(header) > 1:
            report.notes.append(f"used column '{header[idx]}' of {len(header):,} ({_columns(header)})")
    report.column = header[idx]

    def cells():
        try:
            for row in rows:
                yield rows.line_num, row[idx] if idx < len(row) else ""
        except csv.Error as exc:
            raise BigramError(f"the CSV file cannot be parsed at line {rows.line_num}: {exc}") from None

    return cells()


#: Unicode's control characters (category Cc) are exactly these code points; a regular
#: expression tests a word for them several times faster than a loop over its characters.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")


def _show_bytes(line: str) -> str:
    """A line with bytes that are not UTF-8, readable: those bytes as ``\\xNN``, control characters escaped too."""

    def show(ch: str) -> str:
        cp = ord(ch)
        if 0xDC80 <= cp <= 0xDCFF:  # an escaped byte
            return f"\\x{cp - 0xDC00:02x}"
        if 0xD800 <= cp <= 0xDFFF or CONTROL_CHARACTERS.match(ch):
            return ch.encode("unicode_escape", "backslashreplace").decode("ascii")
        return ch

    return "".join(map(show, line))


def clean_line(
    raw: str,
    report: CleanReport,
    *,
    lowercase: bool = True,
    normalize: bool = True,
    min_len: int = 1,
    max_len: int | None = None,
    line_number: int | None = None,
) -> str | None:
    """One line cleaned as every word list is (``parse_words``, ``bigram.stream``): the word, or None if dropped.

    A dropped line is recorded in ``report`` with its reason; a line that is not valid UTF-8
    (see ``decode_bytes``) also with its ``line_number``.
    """
    word = raw.strip()
    if not word:
        report.drop("empty", raw)
        return None
    if INVALID_CHARACTERS.search(word):
        report.drop(NOT_UTF8, _show_bytes(word) if line_number is None else _numbered(line_number, _show_bytes(word)))
        if line_number is not None and len(report.invalid_lines) < INVALID_LINES_KEPT:
            report.invalid_lines.append(line_number)
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

    ``is_csv`` defaults to "the source name ends in .csv or .tsv". Raises ``BigramError`` when
    nothing is left, when the data is binary or not text, or when the list exceeds
    ``max_words`` words or ``max_vocab`` distinct symbols. Lines are split and cleaned one at
    a time, so a list over ``max_words`` is refused as soon as its word ``max_words + 1`` is
    read, in memory that does not grow with the rest of the file.
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
        is_csv = source.lower().endswith((".csv", ".tsv")) or csv_column is not None
    numbered = _csv_column(text, csv_column, report) if is_csv else enumerate(iter_lines(text), start=1)

    words: list[str] = []
    seen: set[str] = set()
    tabbed = 0  # lines dropped with a tab inside: a table saved as .txt
    for number, raw in numbered:
        report.lines_read += 1
        word = clean_line(
            raw,
            report,
            lowercase=lowercase,
            normalize=normalize,
            min_len=min_len,
            max_len=max_len,
            line_number=number,
        )
        if word is None:
            tabbed += "\t" in raw.strip()
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
    report.note_invalid_lines()
    as_csv = "save it as .csv and pick the column that holds the words"
    if not words:
        why = "; ".join(f"{n:,} {reason}" for reason, n in report.dropped.items()) or "no lines"
        table = f": its lines have tabs inside, so it looks like a table of tab-separated columns; {as_csv}"
        raise BigramError(
            f"{source} has no words left after cleaning ({why})" + (table if tabbed and not is_csv else "")
        )
    if tabbed and not is_csv:
        report.notes.append(
            f"{tabbed:,} dropped line{'s have' if tabbed > 1 else ' has'} tabs inside: "
            f"if this is a table of tab-separated columns, {as_csv}"
        )
    vocab_size = len(set("".join(seen)))
    if vocab_size > max_vocab:
        raise BigramError(f"{source} uses {vocab_size:,} distinct symbols, more than the limit of {max_vocab:,}")
    return WordList(words=words, report=report)


def read_words(path, *, max_bytes: int = WORD_FILE_MAX_BYTES, **options) -> WordList:
    """Read and clean a word-list file from disk (see ``parse_words`` for the options).

    The path must be a regular file of at most ``max_bytes`` bytes (``bigram.files.read_limited``).
    """
    from pathlib import Path

    from .files import read_limited

    p = Path(path)
    data = read_limited(p, max_bytes, "word-list")
    options.setdefault("source", p.name)
    return parse_words(data, **options)
