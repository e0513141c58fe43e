"""The neural bigram model: three ways to the same loss and gradient, training, divergence."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from bigram import (
    BigramError,
    CountModel,
    Trainer,
    TrainingData,
    TrainingDiverged,
    init_weights,
    loss_and_grad,
    net_probabilities,
    train,
)
from bigram.neural import NLL_FUNCTIONS

WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper", "evelyn", "abigail"]


def data_for(words):
    m = CountModel.from_words(words)
    return m, TrainingData.from_words(words, m.vocab)


def lecture_training(words, steps, lr, reg, seed, dtype=torch.float64):
    """The lecture's loop, plain: pairs by zip, one-hot, exp, normalise, mean NLL, W.data += -lr * W.grad."""
    chars = sorted(set("".join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    xs, ys = [], []
    for w in words:
        chs = [0] + [stoi[c] for c in w] + [0]
        for a, b in zip(chs, chs[1:]):
            xs.append(a)
            ys.append(b)
    xs, ys = torch.tensor(xs), torch.tensor(ys)
    V = len(chars) + 1
    g = torch.Generator().manual_seed(seed)
    W = torch.randn((V, V), generator=g).to(dtype).requires_grad_(True)
    losses = []
    for step in range(steps + 1):
        xenc = F.one_hot(xs, num_classes=V).to(dtype)
        logits = xenc @ W
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdims=True)
        loss = -probs[torch.arange(len(xs)), ys].log().mean() + reg * (W**2).mean()
        losses.append(loss.item())
        if step == steps:
            break  # the loss after the last update is recorded, not followed by another update
        W.grad = None
        loss.backward()
        W.data += -lr * W.grad
    return losses, W


def test_init_is_the_lectures_randn():
    g = torch.Generator().manual_seed(2147483647)
    assert torch.equal(init_weights(27), torch.randn((27, 27), generator=g))


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.text(alphabet="abcd.", min_size=1, max_size=6), min_size=1, max_size=20),
    st.floats(0, 0.5),
    st.integers(0, 2**31 - 1),
)
def test_three_methods_give_the_same_loss_and_gradient(words, reg, seed):
    _, data = data_for(words)
    W = init_weights(data.V, seed).double()
    results = {m: loss_and_grad(W, data, reg, m) for m in ("onehot", "index", "counts")}
    ref_loss, ref_nll, ref_grad = results["onehot"]
    for loss, nll, grad in results.values():
        assert math.isclose(loss, ref_loss, rel_tol=1e-9)
        assert math.isclose(nll, ref_nll, rel_tol=1e-9)
        assert torch.allclose(grad, ref_grad, rtol=1e-9, atol=1e-12)


def test_counts_gradient_written_out_equals_autograd():
    _, data = data_for(WORDS)
    W = init_weights(data.V, 3).double().requires_grad_(True)
    loss = NLL_FUNCTIONS["counts"](W, data) + 0.1 * (W**2).mean()
    loss.backward()
    got_loss, _, got_grad = loss_and_grad(W.detach(), data, 0.1, "counts")
    assert math.isclose(got_loss, loss.item(), rel_tol=1e-12)
    assert torch.allclose(got_grad, W.grad, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("method", ["onehot", "index", "counts"])
def test_training_follows_the_lecture_loop(method):
    ref_losses, ref_W = lecture_training(WORDS, 30, lr=50, reg=0.01, seed=2147483647)
    _, data = data_for(WORDS)
    result = train(data, 30, lr=50, reg=0.01, seed=2147483647, method=method)
    assert len(result.history) == 31
    assert result.history == pytest.approx(ref_losses, abs=1e-4)
    assert torch.allclose(result.W.double(), ref_W.detach(), atol=1e-3)


def test_loss_falls_and_reg0_approaches_the_counting_optimum():
    m, data = data_for(WORDS)
    optimum = -(m.N.double() * m.log_probabilities(0).nan_to_num(neginf=0)).sum().item() / m.bigrams
    result = train(data, 2000, lr=0.3, reg=0.0, optimizer="adam")
    assert result.history[-1] < result.history[0]
    assert result.nll >= optimum - 1e-9
    assert result.nll - optimum < 2e-3


def test_regularisation_levels_off_above_the_optimum_and_flattens_rows():
    m, data = data_for(WORDS)
    free = train(data, 1500, lr=0.3, reg=0.0, optimizer="adam")
    held = train(data, 1500, lr=0.3, reg=1.0, optimizer="adam")
    assert held.nll > free.nll + 0.05

    def entropy(W):
        P = net_probabilities(W).double()
        return -(P * P.clamp_min(1e-30).log()).sum(1).mean().item()

    assert entropy(held.W) > entropy(free.W)


def test_divergence_is_detected_and_weights_stay_finite():
    _, data = data_for(WORDS)
    t = Trainer(data, lr=1e30, reg=0.01, method="counts")
    with pytest.raises(TrainingDiverged, match="learning rate 1e\\+30 is too large"):
        t.run(50)
    assert bool(torch.isfinite(t.W).all())
    assert all(math.isfinite(x) for x in t.history)


def test_callback_can_stop_and_state_is_kept_after_an_interruption():
    _, data = data_for(WORDS)
    seen = []
    result = train(data, 100, callback=lambda step, loss, nll: seen.append(step) or step == 10)
    assert result.stopped_early and len(result.history) == 11 and seen == list(range(1, 11))

    t = Trainer(data)

    def interrupt(step, loss, nll):
        if step == 7:
            raise KeyboardInterrupt  # what a UI rerun looks like from inside the loop

    with pytest.raises(KeyboardInterrupt):
        t.run(100, interrupt)
    assert t.steps_done == 7 and len(t.history) == 8
    t.run(3)  # and it carries on from there
    assert t.steps_done == 10


def test_trainer_refuses_bad_settings():
    _, data = data_for(WORDS)
    with pytest.raises(BigramError, match="method must be one of"):
        Trainer(data, method="magic")
    with pytest.raises(BigramError, match="learning rate"):
        Trainer(data, lr=0)
    with pytest.raises(BigramError, match="regularisation"):
        Trainer(data, reg=-1)


def test_softmax_of_trained_W_is_close_to_counting_P():
    m, data = data_for(WORDS)
    result = train(data, 3000, lr=0.3, reg=0.0, optimizer="adam")
    gap = (net_probabilities(result.W) - m.probabilities(0)).abs().max().item()
    assert gap < 0.02
