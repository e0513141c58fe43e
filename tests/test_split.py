import pytest

from bigram import BigramError, split_words


def test_split_sizes_disjoint_complete_and_reproducible():
    words = [f"w{i}" for i in range(1003)]
    train, dev, test = split_words(words, seed=1)
    assert (len(train), len(dev), len(test)) == (802, 100, 101)
    assert sorted(train + dev + test) == sorted(words)
    assert split_words(words, seed=1) == (train, dev, test)
    assert split_words(words, seed=2) != (train, dev, test)


def test_duplicates_are_kept_as_entries():
    words = ["ann"] * 10 + ["bob"] * 10
    parts = split_words(words, (0.5, 0.5), seed=0)
    assert sorted(parts[0] + parts[1]) == sorted(words)


@pytest.mark.parametrize("fractions", [(0.8, 0.1), (0.5, -0.1, 0.6), ()])
def test_bad_fractions(fractions):
    with pytest.raises(BigramError):
        split_words(["a", "b"], fractions)
