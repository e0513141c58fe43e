"""Probability basics and the stationary distribution against plain float64 arithmetic on the lists."""

import pytest
import torch

from bigram import CountModel, lecture
from bigram.probability import pair_facts, stationary_distribution

WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "anna", "hannah"]


def test_pair_facts_match_counting_by_hand():
    m = CountModel.from_words(WORDS)
    counts = lecture.count_dict(WORDS)  # the lecture's dict of bigram counts
    total = sum(counts.values())
    a, b = "a", "n"
    joint = counts[(a, b)] / total
    p_a = sum(c for (x, _), c in counts.items() if x == a) / total
    p_b = sum(c for (_, y), c in counts.items() if y == b) / total
    f = pair_facts(m.N, m.vocab.stoi[a], m.vocab.stoi[b])
    assert f.joint == pytest.approx(joint) and f.p_a == pytest.approx(p_a) and f.p_b == pytest.approx(p_b)
    assert f.b_given_a == pytest.approx(joint / p_a)
    assert f.a_given_b == pytest.approx(f.a_given_b_direct)  # Bayes' rule agrees with reading column b
    assert f.independence_ratio == pytest.approx(joint / (p_a * p_b))


def test_stationary_distribution_is_each_symbols_share():
    m = CountModel.from_words(WORDS)
    st = stationary_distribution(m.probabilities(0), m.N)
    assert abs(st.eigenvalue - 1) < 1e-5
    assert st.max_difference < 1e-5
    P = m.probabilities(0).double()
    assert torch.allclose(st.vector @ P, st.vector, atol=1e-6)  # pi P = pi
