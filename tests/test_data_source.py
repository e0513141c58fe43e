"""ui.wordlists.WordSource: an upload is kept in its session as one compact string, its words shared through a cache."""

import sys

from ui import wordlists as data


def test_an_upload_keeps_its_words_as_one_string_and_gives_the_same_words_back():
    raw = "".join(f"{w}\n" for w in ("emma", "st.john", "zoë", "ада", "emma"))
    source = data.parse_upload(
        raw.encode(), "mine.txt", lowercase=True, dedupe=False, min_len=1, max_len=100, column=None
    )
    assert source.words == ("emma", "st.john", "zoë", "ада", "emma")
    assert source.text == "emma\nst.john\nzoë\nада\nemma"
    assert source.words is source.words  # split once, then shared


def test_the_session_copy_is_a_fraction_of_a_tuple_of_words():
    words = [f"w{i:06d}" for i in range(100_000)]
    source = data.WordSource.of("upload:test-size", "t", words, report=None)
    as_tuple = sys.getsizeof(tuple(words)) + sum(map(sys.getsizeof, words))
    assert sys.getsizeof(source.text) * 6 < as_tuple
    assert source.words == tuple(words)


def test_an_empty_text_is_no_words():
    assert data.WordSource.of("upload:test-empty", "t", [], report=None).words == ()
