"""ui.training and the figure builders of the Neural net page, without the page.

The server-wide limit, the memory guard, a run that is stopped mid-way (as a click does) and
still stores what it reached, and the figures' content.
"""

import math
import threading
import time

import pytest
import torch
from streamlit.testing.v1 import AppTest

from bigram import CountModel, TrainingData
from ui import figures, training
from ui.training import ServerBusy, TrainedNet, TrainingSlots

WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper", "evelyn", "abigail"]


@pytest.fixture(scope="module")
def small():
    m = CountModel.from_words(WORDS)
    return m, TrainingData.from_words(WORDS, m.vocab)


# --- the server-wide limit ---------------------------------------------------------------------


def test_two_slots_then_the_third_is_refused():
    slots = TrainingSlots(2)
    assert slots.try_acquire() and slots.try_acquire()
    assert slots.active == 2
    assert not slots.try_acquire()  # never blocks: refused at once
    with pytest.raises(
        ServerBusy, match="2 other training runs in progress on this server; a run computes for at most"
    ):
        with slots.hold():
            pass
    with pytest.raises(ServerBusy, match="held the server's training slots for the 0 s this run waited"):
        with slots.hold(wait=0.05):
            pass
    slots.release()
    assert slots.active == 1
    with slots.hold():
        assert slots.active == 2
    assert slots.active == 1
    slots.release()
    with pytest.raises(ValueError):  # a BoundedSemaphore: more releases than acquires is a bug, not a silent extra slot
        slots.release()


def test_the_message_counts_one_run_in_the_singular():
    assert str(ServerBusy(1)) == "1 other training run in progress on this server; a run computes for at most 20 s"


def test_a_full_server_queues_a_run_until_a_slot_is_free():
    slots = TrainingSlots(1)
    assert slots.try_acquire()
    waited, got = [], threading.Event()

    def second():
        with slots.hold(wait=30, on_wait=waited.append):
            got.set()

    t = threading.Thread(target=second)
    t.start()
    assert not got.wait(0.3)  # queued, not refused, while the slot is held
    assert waited == [1]  # told once how many runs are ahead
    slots.release()
    assert got.wait(10)  # and it runs as soon as the slot is free
    t.join()
    assert slots.active == 0


def test_slots_hold_under_threads():
    """Two threads hold the two slots (they say so, then wait to be let go); six more are refused meanwhile.

    Events order the threads, so the outcome does not depend on how the machine schedules them.
    """
    slots = TrainingSlots(2)
    holding, leave = threading.Barrier(3), threading.Event()

    def holder():
        with slots.hold():
            holding.wait(timeout=10)
            leave.wait(timeout=10)

    refused = []

    def latecomer():
        try:
            with slots.hold():
                pass
        except ServerBusy:
            refused.append(1)

    holders = [threading.Thread(target=holder) for _ in range(2)]
    for t in holders:
        t.start()
    holding.wait(timeout=10)  # both slots are held from here until `leave` is set
    late = [threading.Thread(target=latecomer) for _ in range(6)]
    for t in late:
        t.start()
    for t in late:
        t.join()
    assert len(refused) == 6 and slots.active == 2
    leave.set()
    for t in holders:
        t.join()
    assert slots.active == 0 and slots.try_acquire()


def test_the_server_has_one_slots_object_with_two_slots():
    assert training.slots() is training.slots()
    assert training.slots().limit == training.MAX_CONCURRENT_RUNS == 2


# --- the data and the memory guard ---------------------------------------------------------------


def test_training_data_keeps_the_pairs_only_where_the_dense_methods_may_run(monkeypatch):
    words = tuple(WORDS)
    full = training.training_data("test:pairs", words, CountModel.from_words(words).vocab)
    assert full.has_pairs and full.bigrams == sum(len(w) + 1 for w in words)
    monkeypatch.setattr(training, "DENSE_MAX_ELEMENTS", full.bigrams * full.V - 1)
    big = training.training_data("test:counts-only", words, CountModel.from_words(words).vocab)
    assert not big.has_pairs and big.xs.numel() == 0  # a million-word list keeps N, not 100 MB of pairs
    assert big.bigrams == full.bigrams and torch.equal(big.N, full.N)
    assert training.method_refusal(big, "onehot") is not None and training.method_refusal(big, "counts") is None


def test_a_stored_net_keeps_no_training_data_and_continues_with_the_lists(small, monkeypatch):
    _, data = small
    session = {}
    monkeypatch.setattr(training.st, "session_state", session)
    settings = {"lr": 0.5, "reg": 0.0, "method": "counts", "optimizer": "adam", "net_seed": 1}
    first = training.run("s", data, settings, steps=5)
    assert first.trainer is not None and first.trainer.data is None  # W, Adam's moments and the curve only
    second = training.run("s", data, settings, steps=5, start=first)
    # The first run is shared with every session (a run already done): Continue goes on with a copy of its trainer,
    # Adam's moments included, and leaves the shared one as it was.
    assert first.shared and second.trainer is not first.trainer and second.trainer.data is None
    assert torch.equal(first.trainer.W, first.W) and first.trainer.steps_done == 5
    straight = training.run("t", data, settings, steps=10)
    assert second.history == pytest.approx(straight.history, abs=1e-6)


def test_method_refusal_only_for_dense_methods_on_huge_lists(small, monkeypatch):
    _, data = small
    assert all(training.method_refusal(data, m) is None for m in ("onehot", "index", "counts"))
    monkeypatch.setattr(training, "DENSE_MAX_ELEMENTS", data.bigrams * data.V - 1)
    assert "counts form" in training.method_refusal(data, "onehot")
    assert training.method_refusal(data, "index") is not None
    assert training.method_refusal(data, "counts") is None


# --- a run, stopped mid-way ----------------------------------------------------------------------


def _stopped_run_script():
    import streamlit as st
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    from bigram import CountModel, TrainingData
    from ui import state, training

    words = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper", "evelyn", "abigail"]
    m = CountModel.from_words(words)
    data = TrainingData.from_words(words, m.vocab)
    training.REDRAW_SECONDS = 0.0  # draw at every step

    class Clicked:
        """A placeholder whose third redraw finds a click waiting, as Streamlit's st.* calls then do."""

        calls = 0

        def progress(self, *args, **kwargs):
            Clicked.calls += 1
            if Clicked.calls == 3:
                raise StopException()

    st.session_state.setdefault(state.TRAINED, {})
    settings = {"lr": 10.0, "reg": 0.01, "method": "counts", "optimizer": "sgd", "net_seed": 42}
    training.run("test:list", data, settings, steps=50, progress=Clicked())
    st.write("not reached")


def test_a_stopped_run_stores_what_it_reached():
    at = AppTest.from_function(_stopped_run_script, default_timeout=60)
    at.run()
    assert not at.exception
    assert not any(m.value == "not reached" for m in at.markdown)
    net = at.session_state["trained"]["test:list"]
    assert not net.finished and net.message is None
    assert net.steps == 3 and len(net.history) == 4  # consistent: the loss after each step taken
    assert net.trainer is not None and torch.equal(net.trainer.W, net.W)
    assert training.slots().active == 0  # the slot was given back
    lock = at.session_state["net_run_lock"]
    assert lock.acquire(timeout=0.1)  # and the session's run lock
    lock.release()


def test_continue_after_a_settings_change_starts_a_new_trainer_from_the_same_W(small, monkeypatch):
    _, data = small
    session = {}
    monkeypatch.setattr(training.st, "session_state", session)  # run() only needs a mapping outside a script
    first = training.run(
        "s", data, {"lr": 10.0, "reg": 0.01, "method": "counts", "optimizer": "sgd", "net_seed": 1}, steps=5
    )
    second = training.run(
        "s", data, {"lr": 5.0, "reg": 0.0, "method": "index", "optimizer": "sgd", "net_seed": 1}, steps=5, start=first
    )
    assert second.trainer is not first.trainer  # lr and reg changed: a new Trainer
    assert second.steps == 10 and second.history[:5] == first.history[:5]
    # the junction is the new loss (reg 0) at the old W: the old last entry is replaced, not duplicated
    assert second.nll_history[5] == pytest.approx(first.nll_history[5], abs=1e-6)
    assert second.history[5] == pytest.approx(first.nll_history[5], abs=1e-6)
    assert session[training.state.TRAINED]["s"] is second
    assert training.get("s") is second


def test_the_outcome_of_a_run_is_told_worst_first():
    def net(history, **flags):
        return TrainedNet(
            source_id="s", settings={}, W=torch.zeros(2, 2), history=history, nll_history=history, **flags
        )

    assert net([3.0, 2.5]).outcome is None  # it ran its steps and the loss fell: nothing to say
    assert net([3.0, 2.5], finished=False).outcome == "interrupted"
    assert net([3.0, 2.5], finished=False, time_limited=True).outcome == "time-limited"
    assert net([3.0, 3.5], finished=False, time_limited=True).outcome == "rose"  # overshooting says more than time
    assert net([3.0, 3.5], finished=False, message="W is no longer finite").outcome == "diverged"
    assert net([3.0]).outcome is None  # no step yet


# --- figures ----------------------------------------------------------------------------------------


def test_training_curve_thins_long_runs_but_keeps_true_steps_and_the_ends():
    history = [3.0 - 0.0001 * i for i in range(10_001)]
    fig = figures.training_curve(history, nll_history=[h - 0.01 for h in history], target=2.45, max_points=500)
    loss, nll = fig.data
    assert len(loss.x) <= 502 and loss.x[0] == 0 and loss.x[-1] == 10_000
    assert all(history[x] == y for x, y in zip(loss.x, loss.y))
    assert list(nll.x) == list(loss.x)
    assert fig.layout.shapes[0].y0 == 2.45  # the line it converges to
    assert "2.4500" in fig.layout.annotations[0].text


def test_training_curve_short_run_is_drawn_whole_and_skips_a_mismatched_nll():
    fig = figures.training_curve([3.0, 2.9, 2.8], nll_history=[3.0], target=math.inf)
    assert len(fig.data) == 1 and list(fig.data[0].x) == [0, 1, 2]
    assert not fig.layout.shapes  # an infinite target is not drawn


def test_regularisation_curve_places_zero_at_the_left_and_draws_both_references():
    fig = figures.regularisation_curve(
        [(0.0, 2.454), (0.01, 2.46), (1.0, 2.72)], target=2.454, uniform=math.log(27), current=0.01
    )
    assert list(fig.data[0].x) == [-4.0, -2.0, 0.0]
    assert list(fig.data[0].customdata) == [0.0, 0.01, 1.0]
    ys = sorted(s.y0 for s in fig.layout.shapes if s.y0 == s.y1)
    assert ys == pytest.approx([2.454, math.log(27)])
    assert any(s.x0 == -2.0 for s in fig.layout.shapes if s.x0 == s.x1)  # the current reg


def test_distributions_draws_one_bar_series_each_and_the_uniform_line():
    labels = [".", "a", "b", "c"]
    rows = {"net": torch.tensor([0.1, 0.2, 0.3, 0.4]), "counts": torch.tensor([0.25] * 4)}
    fig = figures.distributions(rows, labels, "a", uniform=True)
    assert [d.name for d in fig.data] == ["net", "counts"]
    assert list(fig.data[0].y) == pytest.approx([0.1, 0.2, 0.3, 0.4])
    assert fig.layout.shapes[0].y0 == pytest.approx(0.25)
    assert len(figures.distributions(rows, labels, "a").layout.shapes) == 0


# --- a run already done: one per server for the same list and settings ---------------------------------------------


@pytest.fixture
def fresh_runs(monkeypatch):
    """No run already done, and a session state that is a plain mapping (run() needs nothing more)."""
    training._shared.clear()
    monkeypatch.setattr(training.st, "session_state", {})
    computed = []
    real = training._computed

    def counting(*args, **kwargs):
        computed.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(training, "_computed", counting)
    yield computed
    training._shared.clear()


SGD = {"lr": 10.0, "reg": 0.01, "method": "counts", "optimizer": "sgd", "net_seed": 7}


def test_a_second_press_with_the_same_list_and_settings_gets_the_run_already_done(small, fresh_runs):
    _, data = small
    first = training.run("shared:list", data, SGD, steps=20)
    training.st.session_state.clear()  # another session
    again = training.run("shared:list", data, SGD, steps=20)
    assert fresh_runs == ["shared:list"]  # computed once
    assert again.reused and not first.reused and again.fingerprint == first.fingerprint
    assert torch.equal(again.W, first.W) and again.history == first.history
    # ...and it is the run this session would have made: the same seed's W and the same full-batch steps
    own = training.Trainer(data, seed=7, lr=10.0, reg=0.01, method="counts")
    own.run(20)
    assert torch.equal(own.W, again.W)
    other = training.run("shared:list", data, {**SGD, "net_seed": 8}, steps=20)
    assert not other.reused and not torch.equal(other.W, first.W) and len(fresh_runs) == 2


def test_presses_at_the_same_moment_compute_one_run_and_wait_for_it(small, fresh_runs, monkeypatch):
    _, data = small
    real = training._computed
    started = threading.Event()

    def slow(*args, **kwargs):
        started.set()
        time.sleep(0.3)  # long enough for the second press to find the first one computing
        return real(*args, **kwargs)

    monkeypatch.setattr(training, "_computed", slow)
    nets = {}

    def press(name):
        nets[name] = training.run("shared:burst", data, SGD, steps=10)

    a = threading.Thread(target=press, args=("a",))
    a.start()
    started.wait(5)
    press("b")
    a.join(5)
    assert nets["b"].reused and not nets["a"].reused
    assert torch.equal(nets["a"].W, nets["b"].W)


def test_an_interrupted_run_is_not_shared(small, fresh_runs):
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    _, data = small

    class Clicked:
        def progress(self, *args, **kwargs):
            raise StopException()

    training.REDRAW_SECONDS, saved = 0.0, training.REDRAW_SECONDS
    try:
        with pytest.raises(StopException):
            training.run("shared:stopped", data, SGD, steps=50, progress=Clicked())
    finally:
        training.REDRAW_SECONDS = saved
    assert not training.st.session_state[training.state.TRAINED]["shared:stopped"].finished
    full = training.run("shared:stopped", data, SGD, steps=50)
    assert not full.reused and full.finished and len(fresh_runs) == 2  # computed again, in full
    assert training._in_flight == {}


def test_going_on_from_a_shared_run_leaves_it_as_every_other_session_has_it(small, fresh_runs):
    _, data = small
    first = training.run("shared:continue", data, SGD, steps=10)
    steps_kept, W = list(first.snapshots.steps), first.W.clone()
    training.run("shared:continue", data, SGD, steps=10, start=first)
    training.st.session_state.clear()
    again = training.run("shared:continue", data, SGD, steps=10)
    assert again.reused and again.snapshots.steps == steps_kept and torch.equal(again.W, W)
    assert again.steps == 10 and torch.equal(again.trainer.W, W)
