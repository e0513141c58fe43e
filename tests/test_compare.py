"""Comparing lists, and the smoothing-regularisation exchange rate."""

import math

import pytest
from reference import ref_nll

from bigram import CountModel, evaluate
from bigram.compare import closest_smoothing, compare_lists, fit_weights, smoothing_for_regularisation

A = ["anna", "annie", "hanna", "ann", "nina"]
B = ["smith", "schmidt", "smythe", "thistle", "smiths"]


def test_distinctive_bigrams_and_cross_losses():
    c = compare_lists(A, B, k=1.0)
    top_a = [b for b, *_ in c.most_distinctive(3, "a")]
    top_b = [b for b, *_ in c.most_distinctive(3, "b")]
    assert "nn" in top_a and ("sm" in top_b or "th" in top_b)
    for bigram, ratio, na, nb in c.most_distinctive(5, "a"):
        assert ratio > 0 and na >= 2
        i, j = c.vocab.stoi[bigram[0]] if bigram[0] != "." else 0, c.vocab.stoi[bigram[1]] if bigram[1] != "." else 0
        assert ratio == pytest.approx(float(c.log_ratio[i, j]))
    for bigram, ratio, na, nb in c.most_distinctive(5, "b"):
        assert ratio > 0 and nb >= 2
    # Each model is worse on the other list than on its own, and the numbers match the float64 loop.
    assert c.a_on_b > c.a_on_a and c.b_on_a > c.b_on_b
    assert c.a_on_b == pytest.approx(_ref_cross(A, B, 1.0), rel=1e-12)


def _ref_cross(train, other, k):
    """ref_nll on a joint vocabulary: pad the training alphabet with the other list's symbols."""
    counts = {}
    for w in train:
        chs = [None, *w, None]
        for a, b in zip(chs, chs[1:]):
            counts[(a, b)] = counts.get((a, b), 0) + 1
    chars = sorted(set("".join(train + other)))
    keys = [None, *chars]
    ll, n = 0.0, 0
    for w in other:
        chs = [None, *w, None]
        for a, b in zip(chs, chs[1:]):
            row = sum(counts.get((a, c), 0) for c in keys) + k * len(keys)
            ll += math.log((counts.get((a, b), 0) + k) / row)
            n += 1
    return -ll / n


def test_closest_smoothing_recovers_k_from_a_smoothed_table():
    m = CountModel.from_words(A + B)
    # W = log of the k = 2 smoothed P: the closest smoothing must be (about) 2.
    W = m.log_probabilities(2.0).float()
    k, curve = closest_smoothing(m.N, W)
    assert 1.5 < k < 2.6
    assert min(d for _, d in curve) == pytest.approx(dict(curve)[k])


def test_more_regularisation_means_more_smoothing():
    m = CountModel.from_words(A + B)
    rows = smoothing_for_regularisation(m.N, [0.001, 0.1, 1.0], steps=400)
    ks = [k for _, k, _ in rows]
    assert ks == sorted(ks) and ks[-1] > ks[0]


def test_fit_weights_reaches_the_optimum_without_regularisation():
    m = CountModel.from_words(A)
    W = fit_weights(m.N, 0.0, steps=1500)
    nll = evaluate(A, W.double().log_softmax(1), m.vocab).nll
    assert nll == pytest.approx(ref_nll(A, A, 0.0), abs=5e-3)
