"""Longer contexts against the plain loops of exercise E01 in bigram.lecture, and the tuning workflow."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from bigram import BigramError, CountModel, Vocab, lecture, split_words, tune
from bigram.defaults import SMOOTHING_GRID
from bigram.ngram import NgramModel, PaddedWord, best_k, pad_word, tune_smoothing

B = "<.>"  # the boundary token of the lecture's loops: never a single character, so never a symbol


words_st = st.lists(st.text(alphabet="ab.c", min_size=1, max_size=6), min_size=1, max_size=15)


@settings(max_examples=80, deadline=None)
@given(words_st, st.sampled_from([1, 2, 3]), st.sampled_from(["full", "single"]))
def test_counts_match_the_loop(words, context, padding):
    m = NgramModel.from_words(words, context, padding)
    V = m.V
    expected = torch.zeros_like(m.N)
    for ctx, nxt in lecture.ngrams(words, context, padding, B):
        row = 0
        for ch in ctx:
            row = row * V + (0 if ch == B else m.vocab.stoi[ch])
        expected[row, 0 if nxt == B else m.vocab.stoi[nxt]] += 1
    assert torch.equal(m.N, expected)
    per_word = [len(w) + 1 if padding == "full" else max(len(w) + 2 - context, 0) for w in words]
    assert m.predictions == sum(per_word)


@settings(max_examples=40, deadline=None)
@given(
    words_st,
    words_st,
    st.sampled_from([1, 2, 3]),
    st.sampled_from(["full", "single"]),
    st.sampled_from([0.0, 0.1, 1.0]),
)
def test_nll_matches_the_loop(train, other, context, padding, k):
    vocab = Vocab.from_words(train + other)
    m = NgramModel.from_words(train, context, padding, vocab=vocab)
    got = m.evaluate(other, k).nll
    expected = lecture.ngram_nll(train, other, vocab.symbols, context, padding, k, B)
    if math.isinf(expected):
        assert math.isinf(got)
    elif math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(expected, rel=1e-12)


def test_context_1_is_the_bigram_model(default_words):
    words = default_words[:3000]
    ng = NgramModel.from_words(words, 1)
    bg = CountModel.from_words(words)
    assert torch.equal(ng.N, bg.N)


def test_padding_changes_what_is_predicted():
    full = NgramModel.from_words(["emma"], 2, "full")
    single = NgramModel.from_words(["emma"], 2, "single")
    assert full.predictions == 5 and single.predictions == 4
    assert full.N[full.context_row("..")].sum() == 1  # '..' -> 'e'
    assert full.context_label(full.context_row("em")) == "em"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="abc", min_size=1, max_size=6), st.sampled_from([1, 2, 3]), st.sampled_from(["full", "single"]))
def test_one_word_s_padding_is_what_the_model_counts(word, context, padding):
    padded = pad_word(word, context, padding)
    assert padded.predictions == NgramModel.from_words([word], context, padding).predictions
    assert padded.predictions + padded.unscored == len(word) + 1
    assert padded.text.strip(".") == word and padded.text.endswith(word + ".")


def test_padding_of_emma_as_the_contexts_page_writes_it():
    assert pad_word("emma", 2, "full", "•") == PaddedWord("••emma•", predictions=5, unscored=0)
    assert pad_word("emma", 3, "single") == PaddedWord(".emma.", predictions=3, unscored=2)
    with pytest.raises(BigramError, match="padding must be one of"):
        pad_word("emma", 2, "none")


def test_contexts_seen_are_the_rows_with_counts():
    m = NgramModel.from_words(["emma", "ava"], 2)
    # the contexts before each prediction: .. .e em mm ma, then .. .a av va: 8 distinct ones of the 5 ** 2 rows
    assert m.N.shape[0] == 25 and m.contexts_seen == 8


def test_sampling_full_padding_is_reproducible_and_single_is_refused():
    words = ["emma", "olivia", "ava", "mia"]
    m = NgramModel.from_words(words, 2)
    a = m.sample(40, k=0, seed=3)
    assert a == m.sample(40, k=0, seed=3) and a != m.sample(40, k=0, seed=4)
    # At k = 0 a word can only be made of transitions the list contains: every (context, next) pair of
    # every sample, its start and its end included, is one of the list's own.
    seen = set(lecture.ngrams(words, 2, "full", B))
    for w in a:
        assert w and set(lecture.ngrams([w], 2, "full", B)) <= seen, w
    with pytest.raises(BigramError, match="cannot sample"):
        NgramModel.from_words(["emma"], 2, "single").sample(3)


def test_tuning_finds_a_u_shaped_dev_curve(default_words):
    train, dev, _ = split_words(default_words, seed=1)
    vocab = Vocab.from_words(default_words)
    curve = tune_smoothing(train, dev, [0.001, 0.01, 0.1, 1, 10, 100], context=2, vocab=vocab)
    trains = [t for _, t, _ in curve]
    assert trains == sorted(trains)  # the training loss only rises with smoothing
    k, dev_nll = best_k(curve)
    assert 0.001 < k < 100 and dev_nll < curve[0][2] and dev_nll < curve[-1][2]


def test_table_size_is_bounded():
    with pytest.raises(BigramError, match="more than the limit"):
        NgramModel.from_words(["".join(chr(0x4E00 + i) for i in range(400))], 3)


def test_neural_trigram_reaches_the_counting_trigram():
    from bigram import Trainer
    from bigram.ngram import training_data

    words = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia"]
    vocab = Vocab.from_words(words)
    counting = NgramModel.from_words(words, 2, vocab=vocab)
    optimum = counting.evaluate(words, 0).nll
    data = training_data(words, vocab, 2)
    assert tuple(data.N.shape) == (vocab.size**2, vocab.size) and torch.equal(data.N, counting.N)
    t = Trainer(data, lr=0.5, reg=0.0, method="counts", optimizer="adam")
    t.run(1500)
    assert tuple(t.W.shape) == tuple(data.N.shape)
    assert optimum - 1e-9 <= t.nll_history[-1] < optimum + 0.01
    from bigram import loss_and_grad

    a = loss_and_grad(t.W.double(), data, 0.1, "index")
    b = loss_and_grad(t.W.double(), data, 0.1, "counts")
    assert a[0] == pytest.approx(b[0], rel=1e-9) and torch.allclose(a[2], b[2], atol=1e-12)


def test_tune_is_the_workflow_split_sweep_on_dev_test_once(default_words):
    t = tune(default_words, 2)
    assert t.sizes == (23928, 2991, 2991) and t.split_seed == 42
    assert [k for k, _, _ in t.curve] == list(SMOOTHING_GRID)  # the app's grid, by default
    k, dev = best_k(t.curve)
    assert (t.best_k, t.dev_nll) == (k, dev)
    train, dev_words, test = split_words(default_words, seed=42)
    vocab = Vocab.from_words(default_words)
    # The test NLL, at the chosen k only, from the plain E01 loop counted on the training words.
    assert t.test_nll == pytest.approx(lecture.ngram_nll(train, test, vocab.symbols, 2, "full", t.best_k), rel=1e-9)
    assert t.to_dict()["sizes"] == {"train": 23928, "dev": 2991, "test": 2991}
    with pytest.raises(BigramError, match="too short to split"):
        tune(["emma", "ava", "mia"])
