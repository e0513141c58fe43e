"""bigram.diagnostics: the computations behind the Neural net page's explanations."""

import math

import pytest
import torch

from bigram import BigramError, CountModel, TrainingData, init_weights, lecture
from bigram.diagnostics import compare_methods, forward_one, largest_gap, mean_row_entropy, net_against_counts

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


def test_forward_one_carries_the_counting_models_row_and_gives_table_columns():
    W, P = init_weights(7, seed=3), torch.softmax(torch.randn(7, 7), dim=1)
    fp = forward_one(W, 4, P)
    assert torch.equal(fp.counts_model, P[4])
    assert fp.total == pytest.approx(float(W[4].exp().sum()))
    cols = fp.columns([6, 0])
    assert list(cols) == ["logits_onehot", "logits_index", "counts", "probs", "counts_model"]
    assert cols["logits_index"] == [float(W[4, 6]), float(W[4, 0])]  # the chosen next symbols, in that order
    assert cols["counts_model"] == [float(P[4, 6]), float(P[4, 0])]
    assert all(isinstance(v, float) for column in cols.values() for v in column)
    assert "counts_model" not in forward_one(W, 4).columns([0])  # without P there is no such column
    with pytest.raises(BigramError):
        forward_one(W, 4, P[:3])


def test_compare_methods_agree_with_the_lecture_and_are_timed(small):
    _, data = small
    W = init_weights(data.V)
    checks = compare_methods(W, data, 0.01, repeats=2)
    assert [c.method for c in checks] == ["onehot", "index", "counts"]
    # The independent value: the lecture's forward pass at the same W (float64), and its autograd gradient.
    Wl = W.double().requires_grad_(True)
    expected = lecture.loss(Wl, data.xs, data.ys, 0.01)
    expected.backward()
    for c in checks:
        assert c.loss == pytest.approx(expected.item(), abs=1e-5)
        assert c.max_grad_diff < 1e-5
        assert c.ms_per_call > 0
        assert c.loss_diff == pytest.approx(abs(c.loss - checks[0].loss))
        assert c.times_fastest == pytest.approx(c.ms_per_call / min(d.ms_per_call for d in checks))
    assert checks[0].loss_diff == 0.0 and min(c.times_fastest for c in checks) == pytest.approx(1.0)


def test_compare_methods_reports_a_gradient_that_disagrees(small):
    # A count table that is not the pairs' own: the counts form then follows another loss, and the
    # reported disagreement with the first method must show it (it is not zero by construction).
    _, data = small
    N = data.N.clone()
    N[0] = 0
    N[0, 1] = 50
    skewed = TrainingData(xs=data.xs, ys=data.ys, N=N, V=data.V)
    index, counts = compare_methods(init_weights(data.V), skewed, 0.0, methods=("index", "counts"), repeats=1)
    assert index.max_grad_diff == 0.0  # the reference itself
    assert counts.max_grad_diff > 1e-2 and abs(counts.loss - index.loss) > 1e-2


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


def test_net_against_counts_is_softmax_of_W_minus_P_and_its_largest_gap(small):
    m, _ = small
    W, P = init_weights(m.V), m.probabilities(0.0)
    cmp = net_against_counts(W, P)
    assert torch.allclose(cmp.P_net, torch.softmax(W, dim=1))
    assert torch.allclose(cmp.difference, cmp.P_net - P)
    assert cmp.gap == largest_gap(torch.softmax(W, dim=1), P)
    assert float(cmp.difference.abs().max()) == pytest.approx(abs(cmp.gap.difference), abs=1e-6)
    net_row, counts_row = cmp.row(3)
    assert torch.equal(net_row, cmp.P_net[3]) and torch.equal(counts_row, P[3])
    with pytest.raises(BigramError):
        net_against_counts(W, P[:, :3])


def test_mean_row_entropy_from_certain_to_uniform():
    V = 5
    assert mean_row_entropy(torch.full((V, V), 1 / V)) == pytest.approx(math.log(V))
    assert mean_row_entropy(torch.eye(V)) == 0.0
    mixed = torch.stack([torch.full((V,), 1 / V), torch.eye(V)[0]])
    assert mean_row_entropy(mixed) == pytest.approx(math.log(V) / 2)
    assert mean_row_entropy(mixed, weights=torch.tensor([3.0, 1.0])) == pytest.approx(0.75 * math.log(V))
