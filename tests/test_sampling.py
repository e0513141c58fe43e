"""Sampling: the sequential mode is the lecture's loop draw for draw; batched is seeded and fair."""

import pytest
import torch

from bigram import BigramError, CountModel, lecture, sample, score_word
from bigram.sampling import draw_from_row, sample_table

WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper", "evelyn", "abigail"]


@pytest.mark.parametrize("seed", [2147483647, 0, 42])
def test_sequential_draws_exactly_like_the_lecture(seed):
    m = CountModel.from_words(WORDS)
    P = m.probabilities(1)
    got = [s.word for s in sample(P, m.vocab, 20, seed=seed, mode="sequential", max_len=10_000)]
    assert got == lecture.sample(P, m.vocab.itos, 20, seed)


def test_default_list_lecture_preset_matches_the_loop(default_words, lecture_counts):
    stoi, itos, N = lecture_counts
    P = lecture.probabilities(N, 1)  # the lecture's P, bit for bit the package's
    m = CountModel.from_words(default_words)
    assert torch.equal(m.probabilities(1), P)
    got = [s.word for s in sample(m.probabilities(1), m.vocab, 10, seed=2147483647)]
    assert got == lecture.sample(P, itos, 10, 2147483647)


@pytest.mark.parametrize("mode", ["sequential", "batched"])
def test_same_seed_same_words_other_seed_other_words(mode):
    m = CountModel.from_words(WORDS)
    P = m.probabilities(1)
    a = [s.word for s in sample(P, m.vocab, 30, seed=5, mode=mode)]
    b = [s.word for s in sample(P, m.vocab, 30, seed=5, mode=mode)]
    c = [s.word for s in sample(P, m.vocab, 30, seed=6, mode=mode)]
    assert a == b and a != c


def test_batched_first_letters_follow_P():
    m = CountModel.from_words(WORDS)
    P = m.probabilities(1)
    n = 20_000
    drawn = sample(P, m.vocab, n, seed=1, mode="batched", max_len=1)
    first = torch.tensor([s.ids[0] if s.ids else 0 for s in drawn])
    freq = torch.bincount(first, minlength=m.V).double() / n
    # Binomial standard error is at most 0.0036 here; allow five of them.
    assert torch.allclose(freq, P[0].double(), atol=0.018)


def test_max_len_truncates_and_says_so():
    m = CountModel.from_words(["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"])  # 'a' almost always follows 'a'
    for mode in ("sequential", "batched"):
        out = sample(m.probabilities(0), m.vocab, 5, seed=3, mode=mode, max_len=4)
        assert all(s.truncated and s.word == "aaaa" for s in out)


def test_words_only_use_possible_bigrams_at_k0():
    m = CountModel.from_words(WORDS)
    for mode in ("sequential", "batched"):
        for s in sample(m.probabilities(0), m.vocab, 200, seed=9, mode=mode):
            ids = [0, *s.ids] + ([] if s.truncated else [0])
            assert all(m.N[a, b] > 0 for a, b in zip(ids, ids[1:]))


def test_temperature_sharpens_and_flattens():
    m = CountModel.from_words(WORDS)
    P = m.probabilities(1)
    top = m.vocab.itos[int(P[0].argmax())]

    def share_of_top_first_letter(T):
        drawn = sample(P, m.vocab, 2000, seed=4, mode="batched", temperature=T, max_len=1)
        return sum(s.word == top for s in drawn) / len(drawn)

    cold, normal, hot = (share_of_top_first_letter(T) for T in (0.05, 1.0, 5.0))
    assert cold > 0.99
    assert abs(normal - float(P[0].max())) < 0.04
    assert hot < normal


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"mode": "parallel"}, "mode must be one of"),
        ({"temperature": 0}, "temperature must be a number > 0"),
        ({"max_len": 0}, "maximum length must be at least 1"),
    ],
)
def test_bad_settings_are_refused(kwargs, message):
    m = CountModel.from_words(WORDS)
    with pytest.raises(BigramError, match=message):
        sample(m.probabilities(1), m.vocab, 3, **kwargs)


@pytest.mark.parametrize("row,n,seed", [(0, 10, 2147483647), (3, 1000, 7)])
def test_draws_from_a_row_are_the_lectures_multinomial_draws(row, n, seed):
    P = CountModel.from_words(["emma", "olivia", "ava", "isabella"]).probabilities(1.0)
    d = draw_from_row(P, row, n, seed=seed)
    assert torch.equal(d.drawn, lecture.draw(P, row, n, seed))  # the code the Sample page shows is what it draws
    assert torch.equal(d.p, P[row]) and d.p.untyped_storage().nbytes() == P[row].numel() * 4  # a copy of the row
    assert int(d.counts.sum()) == n and torch.equal(d.counts, torch.bincount(d.drawn, minlength=P.shape[1]))
    assert d.first(5) == d.drawn[:5].tolist()
    with pytest.raises(BigramError):
        draw_from_row(P, P.shape[0], n, seed=seed)


def test_sample_table_scores_flags_and_counts_the_samples():
    words = ["emma", "ava", "eva"]
    m = CountModel.from_words(words)
    logP = m.log_probabilities(1.0)
    drawn = sample(m.probabilities(1.0), m.vocab, 40, seed=3, max_len=3)
    table = sample_table(drawn, logP, set(words))
    assert [r.word for r in table.rows] == [s.word for s in drawn]
    assert [r.length for r in table.rows] == [len(s.ids) for s in drawn]
    assert all(r.log_p < 0 for r in table.rows)
    assert table.in_list == sum(s.word in words for s in drawn) > 0
    assert table.truncated == sum(s.truncated for s in drawn) > 0
    whole = next(r for r, s in zip(table.rows, drawn) if not s.truncated and s.word)
    assert whole.log_p == pytest.approx(score_word(whole.word, logP, m.vocab).log_likelihood, rel=1e-12)
