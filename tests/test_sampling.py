"""Sampling: the sequential mode is the lecture's loop draw for draw; batched is seeded and fair."""

import pytest
import torch

from bigram import BigramError, CountModel, lecture, sample, score_word
from bigram.sampling import Walk, draw_from_row, sample_table
from bigram.vocab import Vocab

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


def chi_square_p(observed: torch.Tensor, expected: torch.Tensor) -> float:
    """Pearson's chi-square p-value of counts against expected counts, each row a multinomial of its own.

    Within a row, the cells expected fewer than 5 times are pooled into one; a pool expected fewer
    than 5 times is left out. Degrees of freedom: the cells compared in a row, minus one.
    """
    stat, df = 0.0, 0
    for o, e in zip(observed.double(), expected.double()):
        big = e >= 5
        cells_o, cells_e = list(o[big]), list(e[big])
        if float(e[~big].sum()) >= 5:
            cells_o.append(o[~big].sum())
            cells_e.append(e[~big].sum())
        stat += sum(float((a - b) ** 2 / b) for a, b in zip(cells_o, cells_e))
        df += max(len(cells_e) - 1, 0)
    return float(torch.special.gammaincc(torch.tensor(df / 2, dtype=torch.float64), torch.tensor(stat / 2)))


def test_batched_first_letters_and_bigrams_pass_a_chi_square_test_against_P():
    m = CountModel.from_words(WORDS)
    P = m.probabilities(0.5)
    drawn = sample(P, m.vocab, 4000, seed=11, mode="batched", max_len=1000)
    assert not any(s.truncated for s in drawn)
    transitions = torch.zeros(m.V, m.V, dtype=torch.int64)
    for s in drawn:  # every draw: start -> first symbol, ..., last symbol -> end
        chain = [0, *s.ids, 0]
        for a, b in zip(chain, chain[1:]):
            transitions[a, b] += 1
    assert int(transitions.sum()) == sum(len(s.ids) + 1 for s in drawn) > 20_000
    expected = transitions.sum(1, keepdim=True) * P.double()  # each row's draws spread as that row of P
    assert chi_square_p(transitions[:1], expected[:1]) > 1e-3  # the first letters
    assert chi_square_p(transitions, expected) > 1e-3  # every bigram
    # The same test tells a sampler that draws from the wrong rows: here, each word's previous row.
    shifted = transitions.sum(1, keepdim=True) * P.double().roll(1, 0)
    assert chi_square_p(transitions, shifted) < 1e-12


def test_batched_draws_exactly_like_the_lectures_batched_loop():
    # The notebook of the Sample page shows lecture.sample_batched: the words it prints are the app's.
    m = CountModel.from_words(WORDS)
    for k, seed, max_len in [(1.0, 2147483647, 50), (0.0, 3, 7), (0.5, 42, 8), (2.0, 5, 9), (1.0, 0, 200)]:
        P = m.probabilities(k)
        got = [s.word for s in sample(P, m.vocab, 300, seed=seed, mode="batched", max_len=max_len)]
        assert got == lecture.sample_batched(P, m.vocab.itos, 300, seed, max_len)


def test_hand_made_P_determines_the_words():
    vocab = Vocab("abc")  # ids: boundary 0, a 1, b 2, c 3
    chain = torch.tensor([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0]], dtype=torch.float32)  # .abc.
    for mode in ("sequential", "batched"):
        out = sample(chain, vocab, 50, seed=1, mode=mode, max_len=10)
        assert [(s.word, s.ids, s.truncated) for s in out] == [("abc", [1, 2, 3], False)] * 50
        out = sample(chain, vocab, 50, seed=1, mode=mode, max_len=2)
        assert [(s.word, s.truncated) for s in out] == [("ab", True)] * 50
    # Zeros before, between and after a row's mass; a row whose mass is all in its last column.
    fork = torch.tensor(
        [[0, 0.5, 0.5, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 0, 1, 0]], dtype=torch.float32
    )  # . -> a or b; a -> c; b -> end; c -> b
    out = sample(fork, vocab, 4000, seed=2, mode="batched", max_len=10)
    words = [s.word for s in out]
    assert set(words) == {"acb", "b"} and not any(s.truncated for s in out)
    assert abs(words.count("b") / 4000 - 0.5) < 4 * 0.5 / 4000**0.5


def test_walk_keeps_a_number_rounded_up_to_the_end_of_its_row_in_that_row():
    P = CountModel.from_words(WORDS).probabilities(0)  # rows with zeros, some in their last columns
    V = P.shape[0]
    walk = Walk.of(P)
    assert bool((walk.cdf[1:] >= walk.cdf[:-1]).all())  # one sorted vector
    rows = torch.arange(V, dtype=torch.float64)
    x = 2 * rows + (1 - 2**-53)  # the largest uniform number torch.rand can give, on every row
    assert bool((x[1:] == 2 * rows[1:] + 1).all())  # adding the row's offset rounds it up to the row's end
    k = torch.searchsorted(walk.cdf, x, right=True)
    assert torch.equal(k // V, torch.arange(V))  # still in its own row
    assert all(P[i, j] > 0 for i, j in enumerate((k % V).tolist()))  # on a symbol that row can draw


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
