"""What visitors' sessions hold on the shared server (ui/memory.py): bounded per session and together, let go when a
session ends. Issue 22, item 1; the server's figures are in BENCHMARKS.md ("Memory released")."""

import threading
import time

import pytest
import torch
from apputil import open_page, shown, upload

from bigram import limits
from ui import cache, memory, state
from ui.training import TrainedNet

MB = limits.MB


def net(source_id: str, megabytes: int) -> TrainedNet:
    side = int((megabytes * MB / 4) ** 0.5)
    return TrainedNet(source_id=source_id, settings={}, W=torch.zeros(side, side), history=[1.0], nll_history=[1.0])


def off_loop(func, *args) -> None:
    """Call ``func`` in a thread of its own, as Streamlit does (a script's thread, or its event loop's): whatever
    event loop another test left set in this thread is not that thread's."""
    worker = threading.Thread(target=func, args=args)
    worker.start()
    worker.join(timeout=30)


@pytest.fixture(autouse=True)
def no_holdings():
    memory._HOLDINGS.clear()
    yield
    memory._HOLDINGS.clear()


def test_a_session_past_its_bound_lets_go_of_other_lists_nets_oldest_first():
    values = {state.TRAINED: {"upload:a": net("upload:a", 70), "upload:b": net("upload:b", 70)}}
    values[state.TRAINED]["upload:c"] = net("upload:c", 70)  # in use, newest
    held = memory.note("s1", values, in_use="upload:c")
    assert list(values[state.TRAINED]) == ["upload:b", "upload:c"]  # a, the oldest not in use, went
    assert held.bytes <= limits.SESSION_MAX_BYTES
    assert held.bytes == memory.measure(values) and held.sources == {"upload:b", "upload:c"}


def test_the_neural_net_page_says_a_net_was_let_go_until_the_list_is_trained_again(monkeypatch):
    def note_shown(at) -> bool:
        return any("was let go to make room" in i.value for i in at.info)

    at = open_page("pages/4_Neural_net.py")
    at.button(key="net_train").click().run()  # a net for the built-in list
    names = "builtin:names"
    assert names in at.session_state[state.TRAINED]
    upload(at, "mine.txt", b"anna\nbob\ncarl\n")
    monkeypatch.setattr(limits, "SESSION_MAX_BYTES", 1)  # past the bound: nets of lists not in use go
    at.button(key="net_train").click().run()  # the upload's net: the holdings grew...
    at.run()  # ...and the next run, which measures them, lets the other list's net go
    assert names not in at.session_state[state.TRAINED] and memory.net_let_go(at.session_state, names)
    monkeypatch.setattr(limits, "SESSION_MAX_BYTES", 160 * MB)
    at.sidebar.selectbox(key=state.LIST_CHOICE).set_value("names").run()
    assert note_shown(at)
    at.button(key="net_train").click().run()
    assert not memory.net_let_go(at.session_state, names) and not note_shown(at)
    at.button(key="net_reset").click().run()  # forgotten by the person: the page asks for Train, as for any list
    assert not note_shown(at) and any("Press **Train**" in i.value for i in at.info)


def test_the_list_in_use_keeps_its_net_even_alone_past_the_bound():
    values = {state.TRAINED: {"upload:big": net("upload:big", 200)}}
    assert memory.note("s1", values, in_use="upload:big").bytes > limits.SESSION_MAX_BYTES
    assert list(values[state.TRAINED]) == ["upload:big"]


def test_holdings_are_measured_again_only_when_they_change(monkeypatch):
    values = {state.TRAINED: {"upload:a": net("upload:a", 1)}}
    memory.note("s1", values, in_use="upload:a")
    calls = []
    monkeypatch.setattr(memory, "measure", lambda v: calls.append(1) or 0)
    memory.note("s1", values, in_use="upload:a")
    assert not calls
    values[state.TRAINED]["upload:a"] = net("upload:a", 1)  # a new net for the same list
    memory.note("s1", values, in_use="upload:a")
    assert calls == [1]


def test_an_upload_past_what_all_sessions_may_hold_is_refused_in_one_line():
    for i in range(3):  # three other visitors, 75 MB each: 225 of the 240 MB
        memory.note(f"other{i}", {state.TRAINED: {f"upload:{i}": net(f"upload:{i}", 75)}}, in_use=f"upload:{i}")
    mine = {}
    assert memory.upload_refusal("me", mine, 10 * MB) is None
    why = memory.upload_refusal("me", mine, 20 * MB)
    assert "as many visitors' lists as it can" in why and "of 240 MB" in why and "\n" not in why
    memory.release("other0")
    assert memory.upload_refusal("me", mine, 20 * MB) is None


def test_an_upload_replacing_the_sessions_own_is_not_counted_twice():
    memory.note("other", {state.TRAINED: {"upload:o": net("upload:o", 150)}}, in_use="upload:o")
    mine = {state.UPLOAD: ["x" * 1000] * 1}
    own = cache.size_of(mine[state.UPLOAD])
    assert memory.upload_refusal("me", mine, limits.SESSIONS_MAX_BYTES - 150 * MB - own) is None


def test_one_list_larger_than_a_session_may_hold_is_refused():
    why = memory.upload_refusal("me", {}, limits.SESSION_MAX_BYTES + 1)
    assert "more than one visitor may hold here" in why


@cache.bounded(max_entries=8, max_bytes=8 * MB)
def _derived(source_id: str) -> torch.Tensor:
    """A shared cache entry derived from a list, as ``ui.cached``'s are."""
    return torch.zeros(1000)


def test_release_lets_go_of_the_session_and_of_the_shared_entries_nobody_else_holds():
    lists = ("upload:mine", "upload:both", "builtin:names")
    for source_id in lists:
        _derived(source_id)
    mine = {state.TRAINED: {s: net(s, 1) for s in lists}, state.UPLOAD_DIGEST: "file-1", "k": 2.0}
    memory.note("me", mine, in_use="upload:mine")
    memory.note("you", {state.TRAINED: {"upload:both": net("upload:both", 1)}}, in_use="upload:both")
    assert memory.release("me") > 0
    assert state.TRAINED not in mine and mine["k"] == 2.0  # settings stay, for a tab that comes back
    assert state.UPLOAD_DIGEST not in mine  # and its file, still in the uploader, is read again
    assert "me" not in memory._HOLDINGS
    kept = list(_derived.cache._data)
    assert not any(cache.mentions(k, "upload:mine") for k in kept)
    assert any(cache.mentions(k, "upload:both") for k in kept)  # another session still holds it
    assert any(cache.mentions(k, "builtin:names") for k in kept)  # built-in lists stay for everyone


def test_a_session_whose_browser_went_away_is_released_after_the_grace(monkeypatch):
    monkeypatch.setattr(memory, "GRACE_SECONDS", 0.05)
    active = {"s1": True}
    monkeypatch.setattr(memory, "_runtime_active", lambda sid: active.get(sid, False))
    values = {state.TRAINED: {"upload:a": net("upload:a", 1)}}
    memory.note("s1", values, in_use="upload:a")
    off_loop(memory._ended, "s1")  # a blip: the tab is back before the grace ends
    time.sleep(0.3)
    assert state.TRAINED in values
    active["s1"] = False
    off_loop(memory._ended, "s1")
    deadline = time.monotonic() + 5
    while state.TRAINED in values and time.monotonic() < deadline:
        time.sleep(0.02)
    assert state.TRAINED not in values and "s1" not in memory._HOLDINGS


def test_a_disconnect_on_streamlits_event_loop_releases_and_closes_the_session(monkeypatch):
    """Streamlit calls the release hook on its event loop: after the grace the session is closed there too, so
    what Streamlit itself keeps for it (the last run's fragments and widget callbacks, the uploaded file) goes."""
    import asyncio

    monkeypatch.setattr(memory, "GRACE_SECONDS", 0.05)
    monkeypatch.setattr(memory, "_runtime_active", lambda sid: False)
    closed = []
    monkeypatch.setattr(memory, "_close", closed.append)
    values = {state.TRAINED: {"upload:a": net("upload:a", 1)}}
    memory.note("s1", values, in_use="upload:a")

    async def disconnect():
        memory._ended("s1")
        for _ in range(100):
            await asyncio.sleep(0.02)
            if state.TRAINED not in values:
                return

    off_loop(asyncio.run, disconnect())
    assert closed == ["s1"] and state.TRAINED not in values


def test_a_session_never_released_by_streamlit_is_swept_once_stale(monkeypatch):
    monkeypatch.setattr(memory, "_runtime_active", lambda sid: False)
    values = {state.TRAINED: {"upload:a": net("upload:a", 1)}}
    memory.note("gone", values, in_use="upload:a")
    assert memory.sweep(now=time.monotonic() + 1) == 0
    assert memory.sweep(now=time.monotonic() + memory.STALE_SECONDS + 1) > 0
    assert state.TRAINED not in values


def test_the_app_refuses_an_upload_past_the_servers_budget_and_keeps_the_list(monkeypatch):
    """The whole journey through the sidebar: a one-line error, and the list in use stays."""
    at = open_page("pages/1_Data.py")
    upload(at, "first.txt", b"anna\nbob\ncarl\n")
    assert "**3** words" in " ".join(c.value for c in at.sidebar.caption)
    monkeypatch.setattr(limits, "SESSIONS_MAX_BYTES", 1)
    upload(at, "second.txt", b"dora\nemil\n")
    errors = [shown(e.value) for e in at.sidebar.error]
    assert len(errors) == 1 and errors[0].startswith("second.txt: the server is holding as many"), errors
    assert "**3** words" in " ".join(c.value for c in at.sidebar.caption)  # the first list is still in use
    assert not at.exception
    at.run()  # a touch soon after: the refused file is not read again on every run...
    assert len(at.sidebar.error) == 1
    monkeypatch.setattr(limits, "SESSIONS_MAX_BYTES", 240 * MB)  # ...and once there is room, after the wait, it is
    at.session_state[state.UPLOAD_RETRY_AT] = 0.0
    at.run()
    assert "**2** words" in " ".join(c.value for c in at.sidebar.caption) and not at.sidebar.error


def test_a_dataclass_is_measured_with_every_attribute_not_only_its_fields():
    """A Trainer keeps Adam's moments and a pending gradient in attributes that are not fields."""
    from bigram.neural import Trainer

    assert "_pending_grad" not in {f.name for f in __import__("dataclasses").fields(Trainer)}
    holder = net("upload:a", 1)
    bare = cache.size_of(holder)
    holder.__dict__["_extra"] = torch.zeros(1000, 1000)  # 4 MB outside the fields
    assert cache.size_of(holder) >= bare + 4_000_000


def test_a_session_that_could_not_be_measured_keeps_what_was_known_and_is_measured_again(monkeypatch):
    values = {state.TRAINED: {"upload:a": net("upload:a", 1)}}
    first = memory.note("s1", values, in_use="upload:a").bytes
    values[state.TRAINED]["upload:b"] = net("upload:b", 1)
    monkeypatch.setattr(memory, "measure", lambda v: None)
    assert memory.note("s1", values, in_use="upload:a").bytes == first
    monkeypatch.undo()
    assert memory.note("s1", values, in_use="upload:a").bytes > first  # measured on the next run


def test_a_grace_started_by_an_earlier_disconnect_does_nothing_after_a_later_one(monkeypatch):
    """A tab that blipped twice is judged from its latest disconnect: the first grace must not release it."""
    monkeypatch.setattr(memory, "GRACE_SECONDS", 0.2)
    active = {"s1": False}
    monkeypatch.setattr(memory, "_runtime_active", lambda sid: active["s1"])
    values = {state.TRAINED: {"upload:a": net("upload:a", 1)}}
    memory.note("s1", values, in_use="upload:a")
    off_loop(memory._ended, "s1")  # first disconnect
    time.sleep(0.1)
    off_loop(memory._ended, "s1")  # back, and gone again: a new grace starts
    time.sleep(0.15)  # the first grace is over, the second is not
    assert state.TRAINED in values
    deadline = time.monotonic() + 5
    while state.TRAINED in values and time.monotonic() < deadline:
        time.sleep(0.02)
    assert state.TRAINED not in values


def test_every_run_notes_the_session_and_what_it_holds():
    at = open_page("pages/1_Data.py")
    upload(at, "mine.txt", b"anna\nbob\n")
    assert any(h.sources == {at.session_state[state.UPLOAD].id} for h in memory._HOLDINGS.values())
