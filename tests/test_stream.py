"""Streaming counts: chunk by chunk, the same vocabulary, counts and report as the whole file at once.

The reference is the in-memory path, ``CountModel.from_words(parse_words(data).words)``.
Chunk sizes are tiny here so that boundaries fall inside multi-byte characters, inside
``\\r\\n`` and inside words, many times per file.
"""

import codecs
import io
import json
import subprocess
import sys
import tracemalloc
import unicodedata
from pathlib import Path

import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bigram import BigramError, CountModel, parse_words
from bigram.stream import _CONTROL, LINE_BREAKS, StreamCount, count_file, count_stream

ROOT = Path(__file__).resolve().parents[1]

# Symbols chosen to hit the hard cases: 2-, 3- and 4-byte UTF-8, a combining accent (NFC
# composes it), letters whose lowercase is longer (İ) or depends on context (Σ), the data's
# own '.', white space inside a word, and a control character that drops the line.
ALPHABET = "abcé.ßΣσİ中文😀\u0301 \t"
SEPARATORS = ["\n", "\r\n", "\r", "\x85", "\u2028", "\v", "\x1c"]


def in_memory(data: bytes, **options):
    """The reference: parse the whole file, count the whole list."""
    wl = parse_words(data, **options)
    return CountModel.from_words(wl.words), wl.report


def assert_same(got: StreamCount, data: bytes, **options):
    model, report = in_memory(data, **options)
    assert got.vocab == model.vocab
    assert got.N.dtype == model.N.dtype and torch.equal(got.N, model.N)
    assert got.words == model.words == report.kept
    assert got.report.encoding == report.encoding
    assert got.report.lines_read == report.lines_read
    assert got.report.dropped == report.dropped
    assert got.report.examples == report.examples


def stream(data: bytes, chunk_bytes: int, **options) -> StreamCount:
    return count_stream(io.BytesIO(data), chunk_bytes=chunk_bytes, **options)


lines = st.lists(st.text(alphabet=ALPHABET, max_size=8), min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(
    lines,
    st.lists(st.sampled_from(SEPARATORS), min_size=1, max_size=3),
    st.integers(4, 40),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    st.booleans(),
)
@example(["ab", "cd"], ["\r\n"], 4, "utf-8", False)  # "ab\r" | "\ncd": the CRLF is cut in two
@example(["aé", "中😀"], ["\n"], 4, "utf-8", True)  # both multi-byte characters straddle a boundary
def test_streamed_counts_equal_the_whole_file(words, seps, chunk_bytes, encoding, trailing_break):
    text = "".join(w + seps[i % len(seps)] for i, w in enumerate(words))
    if not trailing_break:
        text = text.rstrip("".join(SEPARATORS))
    data = text.encode(encoding)
    try:
        in_memory(data)
    except BigramError:
        with pytest.raises(BigramError):
            stream(data, chunk_bytes)
        return
    assert_same(stream(data, chunk_bytes), data)


@settings(max_examples=60, deadline=None)
@given(lines, st.integers(4, 24), st.integers(1, 3), st.one_of(st.none(), st.integers(3, 6)), st.booleans())
def test_cleaning_options_match_parse_words(words, chunk_bytes, min_len, max_len, lowercase):
    data = "\n".join(words).encode()
    options = dict(min_len=min_len, max_len=max_len, lowercase=lowercase, normalize=lowercase)
    try:
        in_memory(data, **options)
    except BigramError:
        with pytest.raises(BigramError):
            stream(data, chunk_bytes, **options)
        return
    assert_same(stream(data, chunk_bytes, **options), data, **options)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(st.text(alphabet="abé中😀\r\n", max_size=6).map(str.encode), st.binary(max_size=4)), max_size=30
    ),
    st.integers(4, 24),
)
@example([b"zo\xc3\xab\n", b"caf\xe9\n", b"\xc3\xa9mile\n"], 4)  # two good lines, one bad: UTF-8, one line dropped
@example([b"caf\xe9\n", b"zo\xc3\xab\n", b"\xff\n"], 5)  # one good line, two bad: a legacy 8-bit file
def test_a_mostly_utf8_file_is_judged_the_same_whole_and_streamed(pieces, chunk_bytes):
    """UTF-8 with stray bytes: both paths keep UTF-8 (dropping the bad lines, by number) or both fall back."""
    data = b"".join(pieces)
    try:
        _, report = in_memory(data)
    except BigramError as exc:
        with pytest.raises(BigramError) as streamed:
            stream(data, chunk_bytes)
        assert str(streamed.value).split()[:3] == str(exc).split()[:3]
        return
    got = stream(data, chunk_bytes)
    assert_same(got, data)
    assert got.report.invalid_lines == report.invalid_lines


@pytest.mark.parametrize("chunk_bytes", range(4, 13))
def test_every_boundary_position_in_multibyte_characters_and_crlf(chunk_bytes):
    # 1-, 2-, 3- and 4-byte characters and CRLF ends, so every chunk size cuts something different.
    data = "a\r\nbé\r\nc中d\r\n😀e\r\n\r\nzoë\r\nJOSÉ\r\n".encode() * 3
    got = stream(data, chunk_bytes)
    assert_same(got, data)
    assert got.report.dropped == {"empty": 3}


@pytest.mark.parametrize("chunk_bytes", [4, 5, 6, 7, 64])
def test_utf16_and_utf32_with_a_byte_order_mark(chunk_bytes):
    text = "zoë\nkhloé\n中文\n😀x\n"
    for data in (codecs.BOM_UTF16_BE + text.encode("utf-16-be"), codecs.BOM_UTF32_LE + text.encode("utf-32-le")):
        assert_same(stream(data, chunk_bytes), data)


def test_a_file_that_stops_being_utf8_late_is_read_again_as_cp1252():
    # The first chunks are valid UTF-8; byte 0x9c ('œ' in Windows-1252) comes much later.
    data = b"emma\nolivia\n" * 50 + b"c\x9cur\n"
    got = stream(data, 16)
    assert got.report.encoding == "cp1252"
    assert_same(got, data)
    data = b"zz\n" * 20 + b"a\x81b\n"  # 0x81 is undefined in Windows-1252
    assert stream(data, 8).report.encoding == "latin-1"
    assert_same(stream(data, 8), data)


def test_the_datas_own_dot_is_a_symbol_and_the_boundary_moves():
    data = b"st.john\nj.r.\nemma\n"
    got = stream(data, 5)
    assert_same(got, data)
    assert got.vocab.boundary == "\u2022" and got.vocab.stoi["."] > 0


def test_refusals_are_the_same_as_for_a_whole_file():
    for data in (
        b"",
        b"\x89PNG\r\n\x1a\n....",
        b"ab\x00cd\n",
        b"\n\n  \n",
        b"\x01\x02\x03\x04" * 100,
        codecs.BOM_UTF8 + b"ok\n\xff\n",
    ):
        with pytest.raises(BigramError) as whole:
            parse_words(data)
        with pytest.raises(BigramError) as streamed:
            stream(data, 4)
        assert str(streamed.value).split()[:3] == str(whole.value).split()[:3]


def test_limits_on_words_and_symbols():
    with pytest.raises(BigramError, match="more than 3 words"):
        stream(b"a\nb\nc\nd\n", 4, max_words=3)
    with pytest.raises(BigramError, match="more than 2 distinct symbols"):
        stream(b"ab\nc\n", 4, max_vocab=2)
    assert stream(b"ab\nba\n", 4, max_vocab=2).words == 2


def test_the_control_pattern_is_exactly_unicode_category_cc_and_line_ends_strip():
    for cp in range(0x110000):
        ch = chr(cp)
        assert (unicodedata.category(ch) == "Cc") == bool(_CONTROL.fullmatch(ch)), hex(cp)
    assert all(ch.isspace() and len(("a" + ch + "b").splitlines()) == 2 for ch in LINE_BREAKS)
    assert len(("a\r\nb").splitlines()) == 2


def test_the_default_list_streams_to_the_same_model_and_count_file_reads_paths():
    path = ROOT / "data" / "names.txt"
    got = count_file(path)
    assert_same(got, path.read_bytes())
    assert got.report.source == "names.txt"
    assert got.model().bigrams == got.words + sum(len(w) for w in parse_words(path.read_bytes()).words)
    with pytest.raises(BigramError, match="no such file"):
        count_file(ROOT / "data" / "no-such-file.txt")


def _write_big_file(path: Path, megabytes: float) -> int:
    """A deterministic word list of about this size: names glued to the start of other names."""
    names = (ROOT / "data" / "names.txt").read_text().split()
    g = torch.Generator().manual_seed(7)
    target, size = int(megabytes * 1e6), 0
    with path.open("w", encoding="utf-8", newline="\n") as f:
        while size < target:
            a = torch.randint(len(names), (50_000,), generator=g).tolist()
            b = torch.randint(len(names), (50_000,), generator=g).tolist()
            block = "".join(names[i] + names[j][:3] + "\n" for i, j in zip(a, b))
            f.write(block)
            size += len(block)
    return size


@pytest.fixture(scope="module")
def big_files(tmp_path_factory):
    """A 5 MB and a 20 MB generated list, shared by the memory tests: (small, big, big's size)."""
    folder = tmp_path_factory.mktemp("big")
    small, big = folder / "small.txt", folder / "big.txt"
    _write_big_file(small, 5)
    return small, big, _write_big_file(big, 20)


def _traced_peak(path: Path) -> tuple[int, StreamCount]:
    tracemalloc.start()
    try:
        got = count_file(path)
        return tracemalloc.get_traced_memory()[1], got
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_python_memory_stays_far_below_the_file_size_and_does_not_grow_with_it(big_files):
    small, big, size = big_files
    peak, got = _traced_peak(big)
    small_peak, _ = _traced_peak(small)
    assert got.words >= 1_000_000
    # Python objects (lines, words, text) are what grows with a whole-file read (about 60 bytes
    # a word); here they stay at a few chunks' worth, whatever the file's size. Tensors are not
    # traced: the RSS test below covers them.
    assert peak < size / 2, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB file"
    assert peak < 1.5 * small_peak, f"peak {peak / 1e6:.1f} MB for 20 MB, {small_peak / 1e6:.1f} MB for 5 MB"


RSS_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
from bigram.stream import count_file
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
peaks = [hwm()]
for path in sys.argv[2:]:
    count_file(path)
    peaks.append(hwm())
print(json.dumps(peaks))
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak RSS is read from /proc (Linux)")
def test_peak_resident_memory_does_not_grow_with_the_file(big_files):
    small, big, size = big_files
    warm_up = ROOT / "data" / "names.txt"  # the first tensor operations map code and set up the allocator
    out = subprocess.run(
        [sys.executable, "-c", RSS_PROBE, str(ROOT), str(warm_up), str(small), str(big)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    _, warm, after_small, after_big = json.loads(out.stdout)
    # Reading the whole 20 MB file at once (read_words + CountModel) grows the peak by about 675 MB
    # (measured). Streamed, the peak is set by the chunk, not the file: it grows by about half the
    # file's size, and most of that is already reached by the 5 MB file.
    grown = after_big - warm
    assert grown < size, f"peak RSS grew by {grown / 1e6:.1f} MB for a {size / 1e6:.1f} MB file"
    assert after_big - after_small < size / 2, (
        f"4x the data raised the peak by {(after_big - after_small) / 1e6:.1f} MB"
    )


def test_count_file_refuses_what_is_not_a_regular_file(tmp_path):
    import os

    fifo = tmp_path / "words.txt"
    os.mkfifo(fifo)  # opening it for reading would block until someone writes
    for path, message in ((fifo, "is a named pipe"), ("/dev/zero", "is a device"), (tmp_path, "is a folder")):
        with pytest.raises(BigramError, match=message):
            count_file(path)
