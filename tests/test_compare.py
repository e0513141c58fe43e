"""Comparing two lists, against the lecture's plain loops on their joint vocabulary."""

import pytest
import torch

from bigram import lecture
from bigram.compare import compare_lists

A = ["anna", "annie", "hanna", "ann", "nina"]
B = ["smith", "schmidt", "smythe", "thistle", "smiths"]


def test_distinctive_bigrams_and_cross_losses():
    c = compare_lists(A, B, k=1.0)
    top_a = [b for b, *_ in c.most_distinctive(3, "a")]
    top_b = [b for b, *_ in c.most_distinctive(3, "b")]
    assert "nn" in top_a and ("sm" in top_b or "th" in top_b)
    for bigram, ratio, na, _ in c.most_distinctive(5, "a"):
        assert ratio > 0 and na >= 2
        i, j = (c.vocab.stoi[ch] if ch != "." else 0 for ch in bigram)
        assert ratio == pytest.approx(float(c.log_ratio[i, j]))
    for _, ratio, _, nb in c.most_distinctive(5, "b"):
        assert ratio > 0 and nb >= 2
    # Each model is worse on the other list than on its own.
    assert c.a_on_b > c.a_on_a and c.b_on_a > c.b_on_b


@pytest.mark.parametrize("k", [0.5, 1.0, 3.0])
def test_cross_losses_match_the_lecture_loop_on_the_joint_vocabulary(k):
    c = compare_lists(A, B, k=k)
    stoi, _ = lecture.vocabulary(A + B)  # the joint vocabulary: the same ids as the package's
    for train, other, got in ((A, B, c.a_on_b), (B, A, c.b_on_a), (A, A, c.a_on_a), (B, B, c.b_on_b)):
        P = lecture.probabilities(lecture.count_matrix(train, stoi), k, dtype=torch.float64)
        assert got == pytest.approx(lecture.nll(other, P, stoi), rel=1e-12)
