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
