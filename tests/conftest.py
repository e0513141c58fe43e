import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def default_words():
    from bigram.builtin import default_list
    from bigram.wordlist import read_words

    return read_words(default_list().path).words


@pytest.fixture(scope="session")
def lecture_counts(default_words):
    """The default list counted the lecture's way (bigram.lecture, one tensor update a bigram): stoi, itos, N."""
    from bigram import lecture

    stoi, itos = lecture.vocabulary(default_words)
    return stoi, itos, lecture.count_matrix(default_words, stoi)
