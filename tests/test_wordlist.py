"""Word lists from bytes: encodings, line ends, cleaning options, CSV, and every refusal."""

import codecs
import io
import os
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bigram import BigramError, parse_words
from bigram.wordlist import iter_lines

WORDS = ["emma", "olivia", "zoë", "ava"]


def _bytes(enc, words=WORDS, sep="\n"):
    return sep.join(words).encode(enc)


@pytest.mark.parametrize(
    "data, encoding",
    [
        (_bytes("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + _bytes("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + _bytes("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + _bytes("utf-16-be"), "utf-16"),
        (_bytes("latin-1"), "cp1252"),
    ],
)
def test_encodings_decode_to_the_same_words(data, encoding):
    wl = parse_words(data)
    assert wl.words == WORDS
    assert wl.report.encoding == encoding


def test_cp1252_specific_bytes_and_latin1_fallback():
    # 0x9c is 'œ' in Windows-1252; 0x81 is undefined there and falls back to Latin-1.
    assert parse_words(b"c\x9cur").words == ["cœur"]
    assert parse_words(b"a\x81b\nzz").report.encoding == "latin-1"


@pytest.mark.parametrize("sep", ["\n", "\r\n", "\r"])
def test_line_ends(sep):
    assert parse_words(_bytes("utf-8", sep=sep)).words == WORDS


def test_mixed_line_ends_white_space_and_empty_lines():
    wl = parse_words(b"  emma \r\n\r\nolivia\rava\n\t\n zoe\t")
    assert wl.words == ["emma", "olivia", "ava", "zoe"]
    assert wl.report.lines_read == 6
    assert wl.report.dropped == {"empty": 2}
    assert wl.report.kept == 4


def test_lowercase_and_nfc_options():
    decomposed = "Zoe\u0308"  # e + combining diaeresis
    assert parse_words(decomposed).words == ["zo\u00eb"]
    assert parse_words(decomposed, normalize=False).words == ["zoe\u0308"]
    assert parse_words(decomposed, lowercase=False).words == ["Zo\u00eb"]


def test_duplicates_counted_and_optionally_dropped():
    data = "ann\nbob\nann\nann\n"
    kept = parse_words(data)
    assert kept.words == ["ann", "bob", "ann", "ann"] and kept.report.duplicates == 2
    dropped = parse_words(data, dedupe=True)
    assert dropped.words == ["ann", "bob"] and dropped.report.dropped == {"duplicate": 2}
    assert dropped.report.examples["duplicate"] == ["ann", "ann"]


def test_length_limits_with_reasons_and_examples():
    wl = parse_words("a\nbo\ncat\ndoge\nemily", min_len=2, max_len=4)
    assert wl.words == ["bo", "cat", "doge"]
    assert wl.report.dropped == {"shorter than 2": 1, "longer than 4": 1}
    assert wl.report.examples["longer than 4"] == ["emily"]
    assert "5 lines read, 3 kept, 2 dropped" in wl.report.summary()
    with pytest.raises(BigramError, match="below the minimum"):
        parse_words("abc", min_len=3, max_len=2)


def test_csv_named_column_and_default_column():
    data = b"id,name,count\n1,Emma,10\n2,Olivia,8\n"
    assert parse_words(data, source="x.csv", csv_column="name").words == ["emma", "olivia"]
    auto = parse_words(data, source="x.csv")
    assert auto.words == ["emma", "olivia"] and auto.report.column == "name"
    assert "used column 'name'" in auto.report.notes[0]
    with pytest.raises(BigramError, match="column 'first' is not in the CSV header; its columns are: id, name, count"):
        parse_words(data, source="x.csv", csv_column="first")


def test_csv_semicolons_and_quotes():
    data = b'word;n\n"de la cruz";3\nanne;1\n'
    assert parse_words(data, source="w.csv").words == ["de la cruz", "anne"]


def _png():
    return b"\x89PNG\r\n\x1a\n" + os.urandom(64)


def _zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("names.txt", "emma\n")
    return buf.getvalue()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "is empty"),
        (b"   \n\t\n\r\n  ", "no words left after cleaning"),
        (_png(), "PNG image"),
        (_zip(), "ZIP archive"),
        (b"emma\x00olivia", "binary data"),
        ("emma\nava".encode("utf-16-le"), "UTF-16"),
        (bytes(range(1, 32)) * 20, "does not look like text"),
        (codecs.BOM_UTF16_LE + b"a", "not valid UTF-16"),
    ],
)
def test_refusals_are_one_line(data, message):
    with pytest.raises(BigramError, match=message) as err:
        parse_words(data)
    assert "\n" not in str(err.value)


def test_random_bytes_never_crash():
    import random

    rng = random.Random(7)
    for _ in range(200):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
        try:
            wl = parse_words(data)
        except BigramError:
            continue
        assert all(w and w == w.strip() for w in wl.words)


def test_word_and_vocabulary_limits():
    with pytest.raises(BigramError, match="more than 3 words"):
        parse_words("a\nb\nc\nd\n", max_words=3)
    with pytest.raises(BigramError, match="4 distinct symbols, more than the limit of 3"):
        parse_words("ab\ncd\n", max_vocab=3)


def test_control_characters_are_dropped_with_reason():
    wl = parse_words("ok\nbad\x07word\n")
    assert wl.words == ["ok"]
    assert wl.report.dropped == {"control characters": 1}


def test_single_huge_line_is_one_word_or_refused_by_max_len():
    line = "ab" * 2_500_000
    assert len(parse_words(line).words[0]) == 5_000_000
    with pytest.raises(BigramError, match="longer than 100"):
        parse_words(line, max_len=100)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029 é", max_size=80), st.integers(1, 9))
def test_lines_split_lazily_are_the_lines_split_at_once(text, chunk_chars):
    """``iter_lines`` cuts the text into pieces ending just after a line break, never inside a CRLF."""
    assert list(iter_lines(text, chunk_chars)) == text.splitlines()
