"""The vectorised counting of ``bigram.blocks`` against ``clean_line`` on every line (``fast=False``).

Both read the same blocks of the same file; they must agree on every count and on the report:
lines read, kept and dropped, the reasons and their examples, the line numbers of lines that are
not UTF-8. Tiny chunks put block boundaries inside characters, inside ``\\r\\n`` and inside words.
"""

import codecs
import io
import unicodedata

import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bigram import BigramError, blocks
from bigram.blocks import (
    NFC_SAFE_BELOW,
    NFC_TOP,
    WHITESPACE_TOP,
    _special_codepoints,
    byte_pair_counts,
    is_nfc_sensitive,
)
from bigram.stream import count_stream
from bigram.wordlist import LINE_BREAKS

# Capitals (İ lowercases to two code points, the Kelvin sign to ASCII, Σ by context), a decomposed
# accent, white space of several kinds, line breaks that are not "\n", a byte-order mark inside a line,
# a control character, the data's own '.', and 2-, 3- and 4-byte UTF-8.
ALPHABET = "abcXYZ .é\u0301\u0316ßΣσİ\u212a中😀\t\xa0\u3000\x01\ufeff\x85\u2028\x0b\u1100\u1161\u0bc6\u0bbe\u2126"
ASCII_ALPHABET = "abcXYZ .-\t\x01\x0b\x1f"
SEPARATORS = ["\n", "\r\n", "\r", "\n\n", " \n", "\r\n\r\n"]


def both(data: bytes, chunk_bytes: int, nfc_piece: int | None = None, **options):
    """(fast, general) results, or the two error messages; ``nfc_piece``: the fast path's NFC piece size."""
    out = []
    default = blocks.NFC_PIECE_CHARS
    for fast in (True, False):
        blocks.NFC_PIECE_CHARS = nfc_piece or default
        try:
            out.append(count_stream(io.BytesIO(data), chunk_bytes=chunk_bytes, fast=fast, **options))
        except BigramError as exc:
            out.append(str(exc))
        finally:
            blocks.NFC_PIECE_CHARS = default
    return out


def assert_agree(data: bytes, chunk_bytes: int, **options):
    for nfc_piece in (None, 2):  # blocks normalised whole, and in pieces of a line or two
        fast, general = both(data, chunk_bytes, nfc_piece, **options)
        _assert_same(fast, general)


def _assert_same(fast, general):
    if isinstance(general, str) or isinstance(fast, str):
        assert fast == general
        return
    assert fast.vocab == general.vocab
    assert torch.equal(fast.N, general.N)
    assert fast.words == general.words
    assert report_of(fast.report) == report_of(general.report)


def report_of(r) -> tuple:
    """What a cleaning report says, the parts that must not depend on how the file was read."""
    return (r.encoding, r.lines_read, r.kept, r.dropped, r.examples, r.invalid_lines)


def join(words, seps, trailing):
    text = "".join(w + seps[i % len(seps)] for i, w in enumerate(words))
    return text if trailing else text.rstrip("\r\n")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.text(alphabet=ALPHABET, max_size=7), min_size=1, max_size=30),
    st.lists(st.sampled_from(SEPARATORS), min_size=1, max_size=3),
    st.integers(4, 48),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    st.booleans(),
)
@example(["Ab", "", " c", "d "], ["\r\n"], 4, "utf-8", True)
@example(["İx", "ΑΣ", "e\u0301"], ["\n"], 5, "utf-8", False)
def test_unicode_text_counts_the_same_fast_and_line_by_line(words, seps, chunk_bytes, encoding, trailing):
    assert_agree(join(words, seps, trailing).encode(encoding), chunk_bytes)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.text(alphabet=ASCII_ALPHABET, max_size=9), min_size=1, max_size=40),
    st.lists(st.sampled_from(SEPARATORS), min_size=1, max_size=3),
    st.integers(4, 64),
    st.booleans(),
)
def test_ascii_text_counts_the_same_fast_and_line_by_line(words, seps, chunk_bytes, trailing):
    assert_agree(join(words, seps, trailing).encode(), chunk_bytes)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.text(alphabet="abcXé\u0301İ \t", max_size=8), min_size=1, max_size=30),
    st.integers(4, 32),
    st.integers(1, 3),
    st.one_of(st.none(), st.integers(3, 6)),
    st.booleans(),
)
def test_cleaning_options_count_the_same(words, chunk_bytes, min_len, max_len, lowercase):
    data = "\n".join(words).encode()
    assert_agree(data, chunk_bytes, min_len=min_len, max_len=max_len, lowercase=lowercase, normalize=lowercase)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(st.text(alphabet="abé中A\r\n ", max_size=6).map(str.encode), st.binary(max_size=4)), max_size=30
    ),
    st.integers(4, 24),
)
@example([b"zo\xc3\xab\n", b"caf\xe9\n", b"\xc3\xa9mile\n"], 4)
@example([b"caf\xe9\n", b"zo\xc3\xab\n", b"\xff\n"], 5)
def test_stray_bytes_and_legacy_encodings_count_the_same(pieces, chunk_bytes):
    assert_agree(b"".join(pieces), chunk_bytes)


@pytest.mark.parametrize("chunk_bytes", [4, 5, 7, 16, 1 << 18])
def test_a_file_without_any_newline_is_cut_at_its_other_line_ends(chunk_bytes):
    data = b"Emma\rolivia\r\x0bava\x0cmia\r" * 20 + "zoë\u2028x".encode()
    assert_agree(data, chunk_bytes)
    assert count_stream(io.BytesIO(data), chunk_bytes=chunk_bytes).words == 82


def test_a_utf8_byte_order_mark_is_not_a_symbol_and_a_bad_byte_after_it_is_refused():
    assert_agree(codecs.BOM_UTF8 + b"Emma\r\nava\r\n", 4)
    fast, general = both(codecs.BOM_UTF8 + b"emma\n\xff\n", 4)
    assert "byte-order mark but is not valid" in fast and fast == general


def test_byte_pairs_are_read_from_the_buffer_as_16_bit_codes():
    buf = bytearray(b"\nab\nba\n")
    hist = byte_pair_counts(buf)
    expected = torch.zeros(65536, dtype=torch.int64)
    for p, q in zip(buf, buf[1:]):
        expected[p + 256 * q] += 1
    assert torch.equal(hist, expected)


def test_no_white_space_or_line_break_lies_above_the_table_of_special_characters():
    special = set(_special_codepoints(0x110000))
    for cp in range(0x110000):
        ch = chr(cp)
        if ch.isspace() or ch in LINE_BREAKS or unicodedata.category(ch) in ("Cc", "Cs"):
            assert cp <= WHITESPACE_TOP or 0xD800 <= cp < 0xE000, hex(cp)
            assert cp in special or cp in (10, 13, 32), hex(cp)


def test_lowercasing_twice_changes_nothing():
    """The special lines are cleaned from the text as read, the others after the block was lowercased: same words."""
    assert all(chr(c).lower().lower() == chr(c).lower() for c in range(0x110000))


def test_a_line_without_nfc_sensitive_characters_is_already_nfc():
    """Where the NFC-sensitive characters lie, and that they hold the second half of every composition."""
    for cp in range(0x110000):
        ch = chr(cp)
        if cp < NFC_SAFE_BELOW or cp >= NFC_TOP:
            assert unicodedata.combining(ch) == 0 and unicodedata.is_normalized("NFC", ch), hex(cp)
            assert not is_nfc_sensitive(cp)
        if cp >= NFC_TOP:
            assert not unicodedata.decomposition(ch), hex(cp)
        parts = unicodedata.decomposition(ch).split()
        if len(parts) == 2 and not parts[0].startswith("<") and unicodedata.normalize("NFC", ch) == ch:
            assert is_nfc_sensitive(int(parts[1], 16)), hex(cp)
    assert unicodedata.normalize("NFC", "\u1100\u1161") == "\uac00" and is_nfc_sensitive(0x1161)


@pytest.mark.parametrize("share", [0.001, 0.5])
def test_text_written_decomposed_counts_the_same(share):
    """A few decomposed lines go through clean_line; a block mostly decomposed is normalised whole."""
    words = [("Ame\u0301lie" if i % int(1 / share) == 0 else "Zoë") + str(i % 7) for i in range(3000)]
    assert_agree("\n".join(words).encode(), 1 << 12)


@pytest.mark.parametrize("chunk_bytes", [16, 1 << 12])
def test_symbols_only_in_dropped_lines_do_not_count_against_the_vocabulary_limit(chunk_bytes):
    """Ids are given before a line is known to be dropped; those never counted are cleared out, not refused."""
    lines = [f"{chr(0x4E00 + i)}\tx" for i in range(300)] + ["ab", "ba", "Zoë"]
    data = "\n".join(lines[i // 2] if i % 2 else "ab" for i in range(2 * len(lines))).encode()
    got = count_stream(io.BytesIO(data), chunk_bytes=chunk_bytes, max_vocab=5)
    assert "".join(got.vocab.symbols) == "abozë" and got.report.dropped == {"control characters": 300}
    assert_agree(data, chunk_bytes, max_vocab=5)
    with pytest.raises(BigramError, match="more than 4 distinct symbols"):
        count_stream(io.BytesIO(data), chunk_bytes=chunk_bytes, max_vocab=4)
