"""The sidebar offers every page as a notebook and a script, built only on demand and once per settings."""

import pytest
from apputil import open_page

from bigram.notebook import ListData, Settings
from ui import notebook


@pytest.mark.parametrize("page", [None, "pages/6_Contexts.py", "pages/7_Exercises.py"])
def test_every_page_offers_its_notebook_and_script(page):
    at = open_page(page)
    labels = [b.proto.label for b in at.sidebar.get("download_button")]
    assert labels == ["Open as notebook", "The same as a .py script"]
    assert all(b.proto.deferred_file_id for b in at.sidebar.get("download_button"))  # nothing built until pressed


def test_a_notebook_is_built_once_per_list_and_settings():
    words = ListData("tiny", ("emma", "ava", "olivia", "mia"), "tiny.txt")
    cache = notebook.notebook_files.cache
    cache.clear()
    first = notebook.notebook_files("smoothing", "test:tiny", Settings(k=2.0), None, words, None)
    again = notebook.notebook_files("smoothing", "test:tiny", Settings(k=2.0), None, words, None)
    other = notebook.notebook_files("smoothing", "test:tiny", Settings(k=3.0), None, words, None)
    assert first is again and other[0] != first[0]
    assert (cache.misses, cache.hits) == (2, 1)
    assert b"K = 2.0" in first[0] and b"K = 2.0" in first[1]


def test_a_notebook_names_the_visitors_own_file_not_anothers_with_the_same_words():
    """Two visitors upload the same words under different names: each notebook says its own (docs/bad-input.md)."""
    words = ("emma", "ava", "olivia", "mia")
    notebook.notebook_files.cache.clear()
    mine = notebook.notebook_files(
        "smoothing", "upload:same", Settings(), None, ListData("Alice class list", words), None
    )
    theirs = notebook.notebook_files(
        "smoothing", "upload:same", Settings(), None, ListData("Bob secret list", words), None
    )
    assert b"Alice class list" in mine[0]
    assert b"Bob secret list" in theirs[0] and b"Alice class list" not in theirs[0] + theirs[1]
