"""The neural bigram model: three ways to the same loss and gradient, training, divergence."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from bigram import (
    BigramError,
    CountModel,
    Trainer,
    TrainingData,
    TrainingDiverged,
    init_weights,
    lecture,
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
    """The lecture's loop (bigram.lecture) and the loss after its last update: steps + 1 losses, as a Trainer keeps."""
    stoi, _ = lecture.vocabulary(words)
    xs, ys = lecture.training_set(words, stoi)
    W = lecture.init_weights(len(stoi), seed, dtype=dtype)
    losses = lecture.train(W, xs, ys, steps, lr=lr, reg=reg)
    return losses + [lecture.loss(W, xs, ys, reg).item()], W


def test_init_is_the_lectures_randn():
    assert torch.equal(init_weights(27), lecture.init_weights(27).detach())
    assert torch.equal(init_weights(27, seed=5), lecture.init_weights(27, seed=5).detach())


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


def test_carry_on_keeps_the_trainer_when_the_settings_match_and_resumes_otherwise():
    _, data = data_for(WORDS)
    t = Trainer(data, lr=0.5, reg=0.0, optimizer="adam")
    t.run(5)
    assert t.carry_on(lr=0.5, reg=0.0, method="index", optimizer="adam") is t and t.method == "index"
    with pytest.raises(BigramError, match="method must be one of"):
        t.carry_on(lr=0.5, reg=0.0, method="magic", optimizer="adam")
    assert t.method == "index"
    other = t.carry_on(lr=0.5, reg=0.1, method="counts", optimizer="adam")
    assert other is not t and torch.equal(other.W, t.W) and other.seconds == t.seconds
    # One entry per step: the last one is the loss at the same W, now with the new regulariser.
    assert other.steps_done == 5 and other.history[:5] == t.history[:5]
    assert other.nll_history[5] == pytest.approx(t.nll_history[5]) and other.history[5] > t.history[5]
    other.run(3)
    assert other.steps_done == 8 and len(other.nll_history) == 9


def test_resume_continues_a_recorded_history_from_its_W():
    _, data = data_for(WORDS)
    first = train(data, 10, lr=50, reg=0.01)
    resumed = Trainer.resume(data, first.W, first.history, first.nll_history, lr=50, reg=0.01)
    resumed.run(10)
    straight = train(data, 20, lr=50, reg=0.01)
    assert resumed.history == pytest.approx(straight.history, abs=1e-6)  # SGD has no state: the same curve


def test_counts_only_data_knows_its_bigrams_and_refuses_the_pair_methods():
    m, data = data_for(WORDS)
    counts = TrainingData.from_counts(m.N)
    assert counts.bigrams == data.bigrams == sum(len(w) + 1 for w in WORDS)
    assert data.has_pairs and not counts.has_pairs
    W = init_weights(m.V)
    assert loss_and_grad(W, counts, 0.01, "counts")[0] == pytest.approx(loss_and_grad(W, data, 0.01, "onehot")[0])
    for method in ("onehot", "index"):
        with pytest.raises(BigramError, match="needs the bigram pairs"):
            loss_and_grad(W, counts, 0.01, method)
