"""The trained neural net of each word list, kept in the person's own session state, and the run that makes it.

A trained W belongs to the person who trained it: it lives in ``st.session_state`` (never a
shared cache), keyed by the word list's id, and survives reruns and page switches.

Training runs inside the page's script. Streamlit stops a running script at its next ``st.*``
call when the person clicks anything, so the run redraws its progress and loss curve every
~100 ms (which is also where it can be stopped) and saves what it reached in ``finally``:
``bigram.Trainer`` is consistent after every step. The server is shared, so at most
``MAX_CONCURRENT_RUNS`` runs (all sessions together) compute at once; others are told to wait.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import streamlit as st
import torch

from bigram import Trainer, TrainingData, TrainingDiverged, Vocab, limits
from bigram.diagnostics import MethodCheck, compare_methods
from bigram.exchange import Exchange, exchange_rates
from bigram.replay import Snapshots, snapshot_limit

from . import figures, memory, state
from .cache import BoundedCache, bounded, register
from .cached import count_model

#: Training runs computing at once on this server, all sessions together.
MAX_CONCURRENT_RUNS = 2
#: A press of Train (or Continue) computes for at most this long, whatever the method and the steps: the
#: server is shared, and this bounds how long anyone waits for a training slot. Continue takes a run further.
RUN_MAX_SECONDS = 20.0
#: How long a run waits for a free slot before it gives up: longer than any run holds one.
SLOT_WAIT_SECONDS = RUN_MAX_SECONDS + 5.0
#: How often a running training redraws its progress bar and loss curve (and can be interrupted).
REDRAW_SECONDS = 0.1
#: One-hot and row indexing build a (bigrams x V) float matrix every step: above bigram.limits.DENSE_MAX_ELEMENTS
#: only the counts form, which gives the same loss, is allowed.
DENSE_MAX_ELEMENTS = limits.DENSE_MAX_ELEMENTS
#: The smoothing/regularisation exchange fits a net of V x V weights per strength; beyond this V it is skipped.
SWEEP_MAX_SYMBOLS = 200
#: The training data of the lists in use, all sessions together (pairs are kept only for lists under the dense bound).
TRAINING_DATA_MAX_BYTES = 128 << 20


@dataclass
class TrainedNet:
    source_id: str
    settings: dict  # lr, reg, steps, method, optimizer, net_seed
    W: torch.Tensor
    history: list[float] = field(default_factory=list)
    nll_history: list[float] = field(default_factory=list)
    seconds: float = 0.0
    finished: bool = True  # False when the run was interrupted or reached its time limit, and kept what it reached
    time_limited: bool = False  # True when the latest run stopped at RUN_MAX_SECONDS before its last step
    message: str | None = None
    # The Trainer that produced W, so "Continue training" keeps Adam's moment estimates; None after a divergence.
    # It is stored without its data (see ``_stored``): a net in session state holds only V x V tensors.
    trainer: Any = field(default=None, repr=False, compare=False)
    snapshots: Snapshots | None = field(default=None, repr=False, compare=False)  # W along the run, for its replay
    last_run_steps: int = 0  # steps taken by the latest press of Train or Continue
    last_run_seconds: float = 0.0
    # True when this net is a run already done on this server for the same list and settings (``shared_runs``):
    # its W, trainer and snapshots are shared read-only with every session that got it, and copied before going on.
    shared: bool = False
    reused: bool = False  # True when this session was given a run another press on this server had already made
    # Names this net's W and curve: the figures drawn from them are cached under it, for every session that has it.
    fingerprint: str = field(default_factory=lambda: uuid.uuid4().hex, compare=False)

    @property
    def steps(self) -> int:
        return max(len(self.history) - 1, 0)

    @property
    def loss(self) -> float:
        return self.history[-1]

    @property
    def nll(self) -> float:
        return self.nll_history[-1]

    @property
    def ms_per_step(self) -> float | None:
        return 1000 * self.last_run_seconds / self.last_run_steps if self.last_run_steps else None

    @property
    def outcome(self) -> str | None:
        """What the latest run came to, when it is worth saying: "diverged" (W blew up; the last good W is kept),
        "rose" (the loss went up: the steps overshoot), "time-limited", "interrupted", or None (it ran its steps)."""
        if self.message:
            return "diverged"
        if self.steps and self.loss > self.history[0]:
            return "rose"
        if self.time_limited:
            return "time-limited"
        if not self.finished:
            return "interrupted"
        return None

    def probabilities(self) -> torch.Tensor:
        """softmax(W): the net's next-symbol probabilities, samplable like the counting model's P."""
        from bigram import net_probabilities

        return net_probabilities(self.W)


#: How long a reader waits for this session's stopped run to store what it reached.
STORE_WAIT_SECONDS = 5.0


def get(source_id: str) -> TrainedNet | None:
    """The person's net for this list; if a run of theirs was just stopped, wait (briefly) until it has stored its net.

    A click during training stops the running script and starts a new run at once, in another
    thread, while the stopped one is still reaching its ``finally``: without the wait the new
    run could miss the net (or show the one from before).
    """
    lock = st.session_state.get(state.NET_RUN_LOCK)
    if lock is not None and lock.acquire(timeout=STORE_WAIT_SECONDS):
        lock.release()
    return st.session_state.get(state.TRAINED, {}).get(source_id)


def forget(source_id: str) -> None:
    st.session_state.get(state.TRAINED, {}).pop(source_id, None)


# --- the server-wide limit -------------------------------------------------------------------


class TrainingSlots:
    """At most ``limit`` holders at once, across threads (Streamlit runs each session's script in its own thread).

    A run that finds every slot taken queues for one (runs are bounded by ``RUN_MAX_SECONDS``, so the wait
    is too) and is told how long it may wait; rather that than every run slowing down on a shared CPU.
    """

    def __init__(self, limit: int = MAX_CONCURRENT_RUNS):
        self.limit = limit
        self._sem = threading.BoundedSemaphore(limit)
        self._lock = threading.Lock()
        self._active = 0

    @property
    def active(self) -> int:
        return self._active

    def try_acquire(self, wait: float = 0.0) -> bool:
        if not (self._sem.acquire(blocking=False) or (wait > 0 and self._sem.acquire(timeout=wait))):
            return False
        with self._lock:
            self._active += 1
        return True

    def release(self) -> None:
        with self._lock:
            self._active -= 1
        self._sem.release()  # a release without an acquire raises ValueError (BoundedSemaphore)

    @contextmanager
    def hold(self, wait: float = 0.0, on_wait=None) -> Iterator[None]:
        """Hold a slot for the block, queueing up to ``wait`` seconds for one (``on_wait(active)`` is called first
        when every slot is taken); raises ServerBusy when none came free in time."""
        if not self.try_acquire():
            if on_wait is not None and wait > 0:
                on_wait(self.active)
            if not self.try_acquire(wait):
                raise ServerBusy(self.active, waited=wait)
        try:
            yield
        finally:
            self.release()


class ServerBusy(Exception):
    """No training slot is free (or this session's previous run is still stopping); the message says which."""

    def __init__(self, active: int, message: str | None = None, waited: float = 0.0):
        self.active = active
        runs = f"{active} other training run{'s' if active != 1 else ''}"
        super().__init__(
            message
            or (
                f"{runs} held the server's training slots for the {waited:.0f} s this run waited; each run computes "
                f"for at most {RUN_MAX_SECONDS:.0f} s, so press Train again in a moment"
                if waited
                else f"{runs} in progress on this server; a run computes for at most {RUN_MAX_SECONDS:.0f} s"
            )
        )


@st.cache_resource(show_spinner=False)
def slots() -> TrainingSlots:
    """The one TrainingSlots object of this server process, shared by every session."""
    return TrainingSlots(MAX_CONCURRENT_RUNS)


# --- the data ----------------------------------------------------------------------------------


@bounded(max_entries=8, max_bytes=TRAINING_DATA_MAX_BYTES)
def training_data(source_id: str, _words: tuple[str, ...], _vocab: Vocab) -> TrainingData:
    """The list's training data, shared read-only by every session training on it.

    The pairs (xs, ys: 16 bytes a bigram, about 100 MB for a million-word list) are kept only
    where one-hot and row indexing may run on the list (``DENSE_MAX_ELEMENTS``); elsewhere only
    the counts form runs, and it needs nothing but N, which the list's count model already holds.
    """
    model = count_model(source_id, _words)
    if model.bigrams * model.V > DENSE_MAX_ELEMENTS:
        return TrainingData.from_counts(model.N)
    return TrainingData.from_words(_words, _vocab)


def method_refusal(data: TrainingData, method: str) -> str | None:
    """Why ``method`` cannot run on this list (memory), or None."""
    if method == "counts" or data.bigrams * data.V <= DENSE_MAX_ELEMENTS:
        return None
    gb = data.bigrams * data.V * 4 / 1e9
    return (
        f"one-hot and row indexing build a {data.bigrams:,} × {data.V:,} matrix ({gb:.1f} GB) every step on this list; "
        "use the counts form, which gives the same loss and gradient"
    )


@st.cache_resource(show_spinner="Preparing the Adam optimizer (once per server)…")
def _adam_ready() -> bool:
    """torch's first optimizer step imports its compiler machinery (~1.5 s); pay it once, outside the timed run."""
    p = torch.nn.Parameter(torch.zeros(1))
    p.grad = torch.ones(1)
    torch.optim.Adam([p], lr=0.1).step()
    return True


# --- a run ---------------------------------------------------------------------------------------


@contextmanager
def _held(lock) -> Iterator[None]:
    """Hold this session's run lock; a previous run of this session that is still stopping gets a few seconds."""
    if not lock.acquire(timeout=STORE_WAIT_SECONDS):
        raise ServerBusy(slots().active, "your previous training run is still stopping; try again in a few seconds")
    try:
        yield
    finally:
        lock.release()


def _trainer(data: TrainingData, settings: dict, start: TrainedNet | None) -> Trainer:
    """A new Trainer from the net seed's W, or one that goes on from ``start`` with these settings.

    ``start``'s own Trainer carries on when it still holds start's W (Adam keeps its moments when lr,
    reg and optimizer are unchanged); after a divergence it is gone, and a Trainer resumes from W.
    """
    options = {k: settings[k] for k in ("lr", "reg", "method", "optimizer")}
    options["lr"], options["reg"] = float(options["lr"]), float(options["reg"])
    if start is None:
        return Trainer(data, seed=int(settings["net_seed"]), **options)
    if start.trainer is not None and torch.equal(start.trainer.W, start.W):
        # A shared run's trainer belongs to every session that got the run: this one goes on with its own copy.
        trainer = copy.deepcopy(start.trainer) if start.shared else start.trainer
        trainer.data = data  # the stored trainer left its data behind (``_stored``); it goes on with the list's
        return trainer.carry_on(**options)
    return Trainer.resume(data, start.W, start.history, start.nll_history, seconds=start.seconds, **options)


def _stored(trainer: Trainer) -> Trainer:
    """The trainer as a stored net keeps it: without its data.

    Continue needs W, the optimizer's state and the histories, all V x V or smaller. The data
    (the pairs: 16 bytes a bigram) belongs to the shared ``training_data`` cache, which bounds it
    for all sessions together; a reference from a session would keep it alive after the cache let
    it go, once per person. ``_trainer`` gives the trainer the list's data back when a run goes on.
    """
    trainer.data = None
    return trainer


# --- runs already done ---------------------------------------------------------------------------

#: Runs from the seed's W kept for every session of the server: a class on one link trains once.
SHARED_RUNS_MAX_ENTRIES = 32
SHARED_RUNS_MAX_BYTES = 64 << 20
_shared = register(BoundedCache("shared_runs", SHARED_RUNS_MAX_ENTRIES, SHARED_RUNS_MAX_BYTES))
_in_flight: dict[tuple, threading.Event] = {}
_in_flight_lock = threading.Lock()


def run_key(source_id: str, settings: dict, steps: int) -> tuple:
    """What a run from the seed's W depends on: the list's content (its id) and these settings, nothing else.

    The initial W comes from ``torch.Generator().manual_seed(net_seed)`` and every step is full-batch, so the same
    key gives the same W, curve and samples in every session (``tests/test_training_ui.py`` checks it)."""
    return (
        source_id,
        float(settings["lr"]),
        float(settings["reg"]),
        settings["method"],
        settings["optimizer"],
        int(settings["net_seed"]),
        int(steps),
    )


def _shared_run(key: tuple, on_wait) -> TrainedNet | None:
    """The run already done for ``key``; or, while another session is computing it, that run once it is done.
    None when this session must compute it (it is then registered as the one computing: ``_done_computing``)."""
    for _ in range(2):  # a run computed elsewhere may end without a result to share (interrupted): then compute here
        with _in_flight_lock:
            found = _shared.peek(key)
            if found is not None:
                return found
            event = _in_flight.get(key)
            if event is None:
                _in_flight[key] = threading.Event()
                return None
        deadline = time.monotonic() + SLOT_WAIT_SECONDS
        while not event.wait(REDRAW_SECONDS) and time.monotonic() < deadline:
            on_wait()  # an st.* call: where a click stops this session's wait
    with _in_flight_lock:
        found = _shared.peek(key)
        if found is None and key not in _in_flight:
            _in_flight[key] = threading.Event()
        return found


def _done_computing(key: tuple, net: TrainedNet | None) -> None:
    """Keep a finished run for every session (an interrupted or time-limited one is this session's alone). From
    here on the net is shared: its trainer and snapshots are copied before anyone, its maker included, goes on."""
    with _in_flight_lock:
        if net is not None and net.finished and not net.time_limited:
            net.shared = True
            _shared.put(key, net)
        event = _in_flight.pop(key, None)
    if event is not None:
        event.set()


def run(
    source_id: str,
    data: TrainingData,
    settings: dict,
    *,
    steps: int,
    start: TrainedNet | None = None,
    target: float | None = None,
    progress=None,
    chart=None,
    key: str = "net_live",
    baselines=None,
) -> TrainedNet:
    """Train for ``steps`` steps, from the seed's W or (``start``) from a previous net's W; store and return the result.

    ``progress`` and ``chart`` are placeholders (``st.empty()``) redrawn every ``REDRAW_SECONDS`` while the run
    goes on; the finished run is the caller's to draw, from the net returned (a run shorter than that draws nothing).
    Raises ServerBusy when the server's training slots are taken. Divergence is not raised: the
    returned net keeps the last good W and says what happened in ``message``. If the script is
    stopped mid-run (a click elsewhere), the net reached so far is stored with ``finished=False``.
    """
    store = st.session_state.setdefault(state.TRAINED, {})
    session_lock = st.session_state.setdefault(state.NET_RUN_LOCK, threading.RLock())

    def waiting(active: int) -> None:
        if progress is not None:
            progress.info(
                f"Waiting for a training slot: {active} run{'s' if active != 1 else ''} in progress on this server, "
                f"each at most {RUN_MAX_SECONDS:.0f} s. Yours starts as soon as one ends.",
                icon=":material/hourglass_top:",
            )

    # Train (from the seed's W) is the same run for everyone with this list and these settings: done once per server.
    shared_key = run_key(source_id, settings, steps) if start is None else None
    if shared_key is not None:

        def same_run_elsewhere() -> None:
            if progress is not None:
                progress.info(SAME_RUN_WAITING, icon=":material/hourglass_top:")

        found = _shared_run(shared_key, same_run_elsewhere)
        if found is not None:
            store[source_id] = dataclasses.replace(found, reused=True)
            memory.has_a_net_again(st.session_state, source_id)
            return store[source_id]
    net = None
    try:
        with _held(session_lock), slots().hold(wait=SLOT_WAIT_SECONDS, on_wait=waiting):
            net = _computed(source_id, data, settings, steps, start, target, progress, chart, key, baselines, store)
    finally:
        if shared_key is not None:
            _done_computing(shared_key, net)
    return net


#: What a session sees while another session on the server computes the very run it asked for.
SAME_RUN_WAITING = (
    "Another session on this server is training exactly this run (the same list and settings). Yours would be "
    "identical, so it waits for that one instead of computing it again."
)


def _computed(source_id, data, settings, steps, start, target, progress, chart, key, baselines, store) -> TrainedNet:
    """The run itself, inside this session's lock and a server slot: draws its progress, stores what it reached."""
    if settings["optimizer"] == "adam":
        _adam_ready()
    trainer = _trainer(data, settings, start)  # its history is the whole curve, start's steps included
    first = trainer.steps_done
    # W along the way, a bounded number of copies: a continued run goes on with its snapshots.
    snaps = start.snapshots if start is not None and start.snapshots is not None else None
    if snaps is not None and start.shared:  # other sessions' too: this run goes on with a copy of its own
        snaps = dataclasses.replace(snaps, steps=list(snaps.steps), weights=list(snaps.weights))
    if snaps is None:
        snaps = Snapshots(limit=snapshot_limit(*trainer.W.shape))
        snaps.offer(first, trainer.W)
    began = time.perf_counter()
    last_draw = [began]
    draws = [0]
    outcome = {"finished": False, "message": None, "time_limited": False}

    def snapshot() -> TrainedNet:
        done = trainer.steps_done - first
        return TrainedNet(
            source_id=source_id,
            settings={**settings, "steps": steps},
            W=trainer.W.clone(),
            history=list(trainer.history),
            nll_history=list(trainer.nll_history),
            seconds=trainer.seconds,
            finished=outcome["finished"],
            time_limited=outcome["time_limited"],
            message=outcome["message"],
            trainer=None if outcome["message"] else _stored(trainer),
            snapshots=snaps,
            last_run_steps=done,
            last_run_seconds=time.perf_counter() - began,
        )

    def draw(step: int, loss: float) -> None:
        if progress is not None:
            progress.progress(min(step / steps, 1.0), text=f"step {step:,} of {steps:,} · loss {loss:.4f}")
        if chart is not None:
            draws[0] += 1
            chart.plotly_chart(
                figures.training_curve(
                    trainer.history, nll_history=trainer.nll_history, target=target, baselines=baselines
                ),
                key=f"{key}_{draws[0]}",
            )

    def callback(step: int, loss: float, nll: float) -> None:
        snaps.offer(trainer.steps_done, trainer.W)
        now = time.perf_counter()
        over_time = now - began >= RUN_MAX_SECONDS and step < steps
        if step < steps and (over_time or now - last_draw[0] >= REDRAW_SECONDS):
            last_draw[0] = now
            draw(step, loss)  # an st.* call: where a click elsewhere stops the script
        if over_time:
            outcome["time_limited"] = True
            return True  # stop here: the run keeps what it reached

    try:
        trainer.run(steps, callback)
        outcome["finished"] = not outcome["time_limited"]
    except TrainingDiverged as exc:
        outcome["message"] = str(exc)
    finally:
        # A stopped script raises StopException at every Streamlit call, st.session_state included:
        # store through the plain dict fetched before the run.
        net = snapshot()
        store[source_id] = net
        memory.has_a_net_again(st.session_state, source_id)
    return net


# --- explanations that compute -------------------------------------------------------------------


@dataclass
class MethodComparison:
    """The three ways to the same loss, evaluated at one W (see bigram.diagnostics.compare_methods)."""

    checks: list[MethodCheck]
    at: str  # which W: "the initial W" or "W after N steps"
    reg: float
    bigrams: int
    skipped: dict[str, str]  # method -> why it was not run


def compare(
    source_id: str,
    data: TrainingData,
    W: torch.Tensor,
    reg: float,
    at: str,
    methods: Sequence[str] = ("onehot", "index", "counts"),
) -> MethodComparison:
    """Compare the methods at W, holding a training slot (one-hot costs a few hundred ms); store and return it."""
    skipped = {m: why for m in methods if (why := method_refusal(data, m))}
    with slots().hold():
        checks = compare_methods(W, data, reg, [m for m in methods if m not in skipped])
    result = MethodComparison(checks, at, reg, data.bigrams, skipped)
    st.session_state.setdefault(state.NET_COMPARISON, {})[source_id] = result
    return result


def last_comparison(source_id: str) -> MethodComparison | None:
    return st.session_state.get(state.NET_COMPARISON, {}).get(source_id)


@st.cache_resource(max_entries=8, show_spinner="Training a net at each regularisation strength…")
def exchange(source_id: str, _N: torch.Tensor) -> list[Exchange]:
    """bigram.exchange.exchange_rates on the list's counts (a net fitted per strength), shared by all sessions.

    The Neural net page and More exercises both show it, from this one cache.
    """
    return exchange_rates(_N)
