"""The Neural net page through AppTest: train on demand, keep the net, divergence, the server-wide limit, E04/E05."""

import json
import math

import pytest
import torch
from apputil import open_page, shown

from bigram import CountModel, TrainingData, init_weights, loss_and_grad
from bigram.defaults import EXCHANGE_REGS
from bigram.exchange import weakest_halfway_strongest
from ui import state, training

PAGE = "pages/4_Neural_net.py"
SOURCE_ID = "builtin:names"  # the default list


@pytest.fixture(autouse=True)
def no_runs_already_done():
    """Each test presses Train on a server with no run already done (ui.training shares them between sessions)."""
    training._shared.clear()
    yield
    training._shared.clear()


def net_of(at):
    return at.session_state[state.TRAINED].get(SOURCE_ID)


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def train(at, steps=20, **settings):
    for key, value in {"steps": steps, **settings}.items():
        at.session_state[key] = value
    at.button(key=state.NET_TRAIN).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_renders_before_any_training():
    at = open_page(PAGE)
    assert at.title[0].value == "The neural net"
    buttons = [at.button(key=k).label for k in (state.NET_TRAIN, state.NET_CONTINUE, state.NET_RESET)]
    assert buttons == ["Train", "Continue training (+100 steps)", "Forget the trained net"]
    assert at.button(key=state.NET_CONTINUE).disabled  # nothing to continue yet
    assert any("Press **Train**" in shown(i.value) for i in at.info)
    assert net_of(at) is None
    # the forward pass of one symbol is shown at the initial W: one-hot @ W plucks row x exactly
    assert any("F.one_hot(torch.tensor(1), num_classes=27).float()" in c.value for c in at.code)
    assert any("max |one_hot(x) @ W − W[x]| = **0**" in m.value for m in at.markdown)


def test_train_gives_a_falling_loss_and_a_stored_net():
    at = train(open_page(PAGE), steps=30)
    net = net_of(at)
    assert net is not None and net.finished and net.message is None
    assert net.steps == 30 and len(net.history) == len(net.nll_history) == 31
    assert net.history[-1] < net.history[0] - 0.5  # from ~3.77 at the lecture's random W
    assert all(b <= a + 1e-6 for a, b in zip(net.history, net.history[1:]))  # SGD at lr 50 on this list: monotone
    assert metric(at, "Steps") == "30"
    assert float(metric(at, "Loss (NLL + reg)")) == pytest.approx(net.loss, abs=1e-4)
    target = float(metric(at, "Counting model NLL, k = 0"))
    assert target == pytest.approx(2.4541, abs=1e-4)
    assert target < net.nll < net.loss  # reg 0.01 > 0: the loss sits above its data term
    assert len(at.get("plotly_chart")) >= 2  # loss curve, row comparison
    assert [c.key for c in at.get("echarts_chart")] == ["net_difference-none"]  # the clickable difference grid
    assert not at.button(key=state.NET_CONTINUE).disabled
    assert any("Largest gap" in m.value for m in at.markdown)


def test_a_press_of_train_runs_the_page_once(monkeypatch):
    """The run goes before the buttons, the guess and the rest are drawn: all of them show the new net in the same
    run of the page, without asking Streamlit for a second one (which cost a whole page in the browser)."""
    import streamlit as st

    def rerun(*args, **kwargs):
        raise AssertionError("the page asked for a second run")

    at = open_page(PAGE)
    monkeypatch.setattr(st, "rerun", rerun)
    at.session_state["steps"] = 120
    at.button(key=state.NET_TRAIN).click().run()
    assert not at.exception, [e.value for e in at.exception]
    net = net_of(at)
    assert net is not None and net.steps == 120
    assert metric(at, "Steps") == "120"
    assert not at.button(key=state.NET_CONTINUE).disabled  # drawn after the run: there is a net to continue
    assert any(c.key == "net_loss_curve" for c in at.get("plotly_chart"))
    assert not any((c.key or "").startswith("net_live") for c in at.get("plotly_chart"))  # a short run draws once


def test_continue_training_extends_the_same_curve():
    at = train(open_page(PAGE), steps=15)
    first = net_of(at).history
    at.button(key=state.NET_CONTINUE).click().run()
    assert not at.exception
    net = net_of(at)
    assert net.steps == 30
    assert net.history[:16] == first  # the same trainer went on: its history is kept, not restarted
    assert net.history[-1] < first[-1]


def test_continue_with_adam_keeps_its_state_and_converges():
    at = train(open_page(PAGE), steps=150, optimizer="adam", lr=0.5, reg=0.0)
    at.button(key=state.NET_CONTINUE).click().run()
    net = net_of(at)
    assert net.steps == 300
    # With reg 0 the NLL tends to the counting model's, the maximum-likelihood optimum.
    assert net.nll == pytest.approx(2.454089, abs=2e-3)
    assert max(net.history[150:]) < net.history[150] + 0.01  # no jolt at the restart (Adam's moments were kept)


def test_the_trained_net_survives_a_page_switch():
    at = train(open_page(PAGE), steps=25)
    W = net_of(at).W.clone()
    at.switch_page("pages/2_Counts.py").run()
    assert not at.exception
    assert at.title[0].value == "The count matrix N"
    at.switch_page(PAGE).run()
    assert not at.exception
    net = net_of(at)
    assert net is not None and net.steps == 25 and torch.equal(net.W, W)
    assert metric(at, "Steps") == "25"  # and it is shown, not just kept
    assert not any("Press **Train**" in shown(i.value) for i in at.info)


def test_divergence_shows_one_error_and_keeps_the_last_good_W():
    at = train(open_page(PAGE), steps=50, lr=10000.0, reg=10.0)  # the regulariser's step overshoots: W explodes
    errors = [shown(e.value) for e in at.error]
    assert len(errors) == 1 and "too large" in errors[0] and "\n" not in errors[0]
    net = net_of(at)
    assert net.message and not net.finished
    assert bool(torch.isfinite(net.W).all())
    assert all(math.isfinite(v) for v in net.history)


def test_a_learning_rate_that_makes_the_loss_rise_is_called_out():
    at = train(open_page(PAGE), steps=10, lr=5000.0, reg=0.0)  # finite but overshooting: the loss goes up (below 100x)
    assert not at.error
    assert any("The loss went up" in w.value for w in at.warning)


def test_a_full_server_queues_the_run_then_says_how_long_it_waited(monkeypatch):
    monkeypatch.setattr(training, "SLOT_WAIT_SECONDS", 0.2)
    slots = training.slots()
    held = [slots.try_acquire() for _ in range(slots.limit)]
    try:
        assert all(held)
        at = train(open_page(PAGE), steps=10)
        assert any(
            f"{slots.limit} other training runs held the server's training slots for the 0 s this run waited" in w.value
            for w in at.warning
        )
        assert net_of(at) is None
    finally:
        for _ in held:
            slots.release()
    at.button(key=state.NET_TRAIN).click().run()  # free again
    assert net_of(at) is not None and slots.active == 0


def test_forget_removes_the_net():
    at = train(open_page(PAGE), steps=5)
    at.button(key=state.NET_RESET).click().run()
    assert not at.exception and net_of(at) is None


def test_three_methods_give_the_same_loss():
    at = train(open_page(PAGE), steps=5)
    at.button(key=state.NET_COMPARE).click().run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert list(table["method"]) == ["one-hot @ W", "row indexing W[xs]", "counts form"]
    assert (table["|loss − first|"] < 1e-5).all()
    assert (table["max |grad − first|"] < 1e-5).all()
    assert (table["ms per step"] > 0).all()
    assert any("W after 5 steps" in c.value for c in at.caption)


def test_switching_the_optimizer_suggests_a_learning_rate(monkeypatch):
    fake = {"optimizer": "adam", "lr": 50.0}
    monkeypatch.setattr(state.st, "session_state", fake)
    state.suggest_lr()
    assert fake["lr"] == state.SUGGESTED_LR["adam"]
    fake["optimizer"] = "sgd"
    state.suggest_lr()
    assert fake["lr"] == 50.0
    fake.update(optimizer="adam", lr=7.0)  # a rate the person typed is theirs
    state.suggest_lr()
    assert fake["lr"] == 7.0


def test_regularisation_section_trains_a_net_per_strength_when_opened(default_words):
    at = open_page(PAGE)
    assert not any("same NLL as smoothing k ≈" in df.value.columns for df in at.dataframe)  # closed: nothing computed
    at.session_state[state.NET_SWEEP] = True  # the expander's open state
    at.run()
    assert not at.exception
    table = next(df.value for df in at.dataframe if "same NLL as smoothing k ≈" in df.value.columns)
    assert list(table["reg"]) == list(EXCHANGE_REGS)
    nll = list(table["NLL (data term)"])
    assert nll == sorted(nll) and nll[0] == pytest.approx(2.4541, abs=1e-3)
    assert table["mean row entropy"].iloc[-1] == pytest.approx(math.log(27), abs=0.01)  # reg 100: nearly uniform rows
    assert list(table["closest P (KL) at k ≈"]) == sorted(
        table["closest P (KL) at k ≈"]
    )  # both definitions, side by side
    rows = training.exchange(SOURCE_ID, CountModel.from_words(default_words).N)  # the page's rows, from its cache
    _, middle, _ = weakest_halfway_strongest(rows)
    assert any(f"costs the same loss as reg = {middle.reg:g}" in shown(c.value) for c in at.caption)


def test_the_net_seed_and_the_sampler_seed_are_separate_settings(default_words):
    at = open_page(PAGE, query={"net_seed": "5", "seed": "7"})
    assert (at.session_state["net_seed"], at.session_state["seed"]) == (5, 7)  # both travel in links
    m = CountModel.from_words(default_words)
    data = TrainingData.from_words(default_words, m.vocab)
    for net_seed in (5, 6):
        at.number_input(key="net_seed").set_value(net_seed)
        at = train(at, steps=1)
        assert net_of(at).settings["net_seed"] == net_seed
        # The first loss is the loss at the seed's W: W was drawn from the net's own seed.
        expected, _, _ = loss_and_grad(init_weights(m.V, net_seed), data, state.SETTINGS["reg"].default, "counts")
        assert net_of(at).history[0] == pytest.approx(expected, rel=1e-6)
        assert at.session_state["seed"] == 7  # the sampler's seed is untouched


def test_a_run_stops_at_its_time_limit_keeps_what_it_reached_and_says_so(monkeypatch):
    monkeypatch.setattr(training, "RUN_MAX_SECONDS", 0.0)  # every run is over time after its first step
    at = train(open_page(PAGE), steps=500)
    net = net_of(at)
    assert net is not None and net.time_limited and not net.finished
    assert 1 <= net.steps < 500
    assert any("This run stopped after" in i.value and "Press Continue" in i.value for i in at.info)


def test_a_trained_net_keeps_a_bounded_replay_of_its_run():
    at = train(open_page(PAGE), steps=300)
    net = net_of(at)
    snaps = net.snapshots
    assert snaps is not None and snaps.steps[0] == 0 and 32 <= len(snaps) <= 64
    at.button(key=state.NET_CONTINUE).click().run()  # Continue goes on with the same replay
    more = net_of(at).snapshots
    assert more.steps[0] == 0 and more.steps[-1] > snaps.steps[0] and len(more) <= 64
    step, W = more.at(10**9)
    assert step <= net_of(at).steps


def test_the_replay_draws_its_charts_only_while_open():
    at = train(open_page(PAGE), steps=40)
    keys = lambda: {c.key for c in at.get("plotly_chart") + at.get("echarts_chart")}  # noqa: E731
    assert not any((k or "").startswith("replay_") for k in keys())  # closed: three charts fewer to send and draw
    at.session_state[state.NET_REPLAY] = True  # the expander's open state
    at.run()
    assert not at.exception
    assert {"replay_heatmap_40", "replay_row_40", "replay_curve_40"} <= keys()  # opened on the run's last step
    heatmap = next(c for c in at.get("echarts_chart") if c.key == "replay_heatmap_40")
    assert json.loads(heatmap.proto.spec)["series"][0]["selectedMode"] is False  # a replay frame is not clickable


def test_the_loss_after_100_steps_is_revealed_once_the_net_has_trained():
    at = open_page(PAGE)
    at.number_input(key=state.predict_key("loss_100", "guess")).set_value(2.6).run()
    at.button(key=state.predict_key("loss_100", "go")).click().run()
    assert any("Train for at least 100 steps" in c.value for c in at.caption)  # nothing to reveal yet
    at = train(at, steps=100)
    said = next(m.value for m in at.markdown if "The answer" in m.value)
    assert f"{net_of(at).history[100]:.4f}".replace(".", "\\.") in said and "You said 2\\.6000" in said


def test_the_loss_curve_carries_its_baselines(default_words):
    at = train(open_page(PAGE), steps=5)
    chart = next(c for c in at.get("plotly_chart") if "uniform model, ln V" in c.proto.spec)
    assert "random W at the start" in chart.proto.spec and "counting model NLL" in chart.proto.spec


def test_a_second_student_pressing_train_on_the_same_settings_gets_the_run_already_done():
    """A class on one link: the run is made once, and every later press says it was served from it."""
    first = train(open_page(PAGE), steps=37)
    assert not net_of(first).reused
    assert not any("already done on this server" in i.value for i in first.info)
    second = train(open_page(PAGE), steps=37)  # another session, the same list and settings
    net = net_of(second)
    assert net.reused and torch.equal(net.W, net_of(first).W) and net.history == net_of(first).history
    assert any("already done on this server" in i.value for i in second.info)
    third = train(open_page(PAGE), steps=38)  # one setting changed: a run of its own
    assert not net_of(third).reused
    assert not any("already done on this server" in i.value for i in third.info)
