"""bigram.diagnostics: the computations behind the Neural net page's explanations."""

import math

import pytest
import torch

from bigram import BigramError, CountModel, TrainingData, init_weights
from bigram.compare import closest_smoothing
from bigram.diagnostics import (
    compare_methods,
    equivalent_smoothing,
    forward_one,
    largest_gap,
    mean_row_entropy,
    regularisation_sweep,
    smoothed_nll,
)

WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper", "evelyn", "abigail"]


@pytest.fixture(scope="module")
def small():
    m = CountModel.from_words(WORDS)
    return m, TrainingData.from_words(WORDS, m.vocab)


def test_forward_one_is_softmax_of_the_plucked_row():
    W = init_weights(7, seed=3)
    fp = forward_one(W, 4)
    assert fp.xenc.dtype == torch.float32 and fp.xenc.sum() == 1 and fp.xenc[4] == 1
    assert fp.pluck_error == 0.0  # one_hot(x) @ W is exactly W[x]
    assert torch.equal(fp.logits_index, W[4])
    assert torch.allclose(fp.counts, W[4].exp())
    assert torch.allclose(fp.probs, torch.softmax(W[4], dim=0))
    assert float(fp.probs.sum()) == pytest.approx(1.0)
    with pytest.raises(BigramError):
        forward_one(W, 7)


def test_compare_methods_agree_and_are_timed(small):
    _, data = small
    W = init_weights(data.V)
    checks = compare_methods(W, data, 0.01, repeats=2)
    assert [c.method for c in checks] == ["onehot", "index", "counts"]
    assert checks[0].max_grad_diff == 0.0
    for c in checks:
        assert c.loss == pytest.approx(checks[0].loss, abs=1e-5)
        assert c.nll == pytest.approx(checks[0].nll, abs=1e-5)
        assert c.max_grad_diff < 1e-5
        assert c.ms_per_call > 0


def test_largest_gap_names_the_cell_and_both_values():
    P_counts = torch.full((3, 3), 1 / 3)
    P_net = P_counts.clone()
    P_net[2, 0], P_net[2, 1] = 0.05, 1 / 3 + (1 / 3 - 0.05)
    gap = largest_gap(P_net, P_counts)
    assert (gap.row, gap.col) in {(2, 0), (2, 1)}
    assert gap.net == pytest.approx(float(P_net[gap.row, gap.col]))
    assert gap.counts == pytest.approx(1 / 3)
    assert abs(gap.difference) == pytest.approx(1 / 3 - 0.05)
    with pytest.raises(BigramError):
        largest_gap(P_net, P_counts[:2])


def test_mean_row_entropy_from_certain_to_uniform():
    V = 5
    assert mean_row_entropy(torch.full((V, V), 1 / V)) == pytest.approx(math.log(V))
    assert mean_row_entropy(torch.eye(V)) == 0.0
    mixed = torch.stack([torch.full((V,), 1 / V), torch.eye(V)[0]])
    assert mean_row_entropy(mixed) == pytest.approx(math.log(V) / 2)
    assert mean_row_entropy(mixed, weights=torch.tensor([3.0, 1.0])) == pytest.approx(0.75 * math.log(V))


def test_regularisation_sweep_moves_from_the_counts_to_uniform(small):
    m, data = small
    target = smoothed_nll(m.N, 0.0)
    points = regularisation_sweep(data, (0.0, 0.01, 1.0, 100.0), steps=400)
    nlls = [p.nll for p in points]
    assert nlls == sorted(nlls)  # a stronger pull towards uniform always costs fit on the list
    assert nlls[0] == pytest.approx(target, abs=0.02)  # reg 0: the maximum-likelihood optimum
    assert points[-1].entropy == pytest.approx(math.log(m.V), abs=0.02)  # strong reg: nearly uniform rows
    assert all(p.loss >= p.nll for p in points)
    assert all(torch.allclose(p.P.sum(1), torch.ones(m.V)) for p in points)


def test_equivalent_smoothing_inverts_the_smoothed_nll(small):
    m, _ = small
    for k in (0.01, 0.5, 5.0, 300.0):
        assert equivalent_smoothing(m.N, smoothed_nll(m.N, k)) == pytest.approx(k, rel=1e-4)
    assert equivalent_smoothing(m.N, smoothed_nll(m.N, 0.0)) == 0.0
    assert equivalent_smoothing(m.N, smoothed_nll(m.N, 0.0) - 0.1) is None  # below the optimum: no smoothing gets there
    assert equivalent_smoothing(m.N, math.log(m.V) + 0.1) is None  # worse than uniform
    assert equivalent_smoothing(m.N, math.nan) is None


def test_same_loss_smoothing_agrees_with_the_closest_distribution_smoothing(default_words):
    # Two definitions of "the k a regulariser is worth": same NLL on the list (here) and the P nearest
    # softmax(W) in KL (bigram.compare). On the default list they agree within ~15 %.
    m = CountModel.from_words(default_words)
    data = TrainingData.from_words(default_words, m.vocab)
    (point,) = regularisation_sweep(data, (0.1,), steps=300)
    k_same_loss = equivalent_smoothing(m.N, point.nll)
    k_closest, _ = closest_smoothing(m.N, point.P.log())
    assert k_same_loss == pytest.approx(k_closest, rel=0.15)
