"""What visitors' sessions hold on the shared server: measured, bounded, and let go when a session ends.

A session holds its upload (the cleaned words), its trained nets (one V x V W each, with its trainer and its replay's
snapshots), its last comparison of methods and a loaded model file. At 3,001 symbols one net is tens of megabytes,
and a visitor who uploads six lists and trains each one used to keep them all, for as long as the server ran. Three
bounds, each part of the server's budget (``bigram.limits``):

- one session holds at most ``SESSION_MAX_BYTES``: past it, the nets and comparisons of lists not in use go, oldest
  first (the list in use keeps its net);
- all sessions together hold at most ``SESSIONS_MAX_BYTES``: past it a new upload is refused in one line
  (``upload_refusal``), and what the visitors had stays;
- a session whose tab has gone lets go of all of it ``GRACE_SECONDS`` after Streamlit releases its session caches
  (which it does when the browser disconnects), unless the tab came back: a network blip loses nothing. The shared
  caches' entries for an upload nobody holds any more go with it, and the freed memory is handed back to the system.

What a session holds is measured (``ui.cache.size_of``) only when it changed: each run compares the identities of
the held values, which costs microseconds.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import threading
import time
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

import streamlit as st
from streamlit.logger import get_logger
from streamlit.runtime.scriptrunner import get_script_run_ctx

from bigram import limits

from . import cache, state

#: The session keys whose values can be large: everything else a session holds is settings and small notes.
HELD = (state.UPLOAD, state.TRAINED, state.NET_COMPARISON, state.LOADED_MODEL)
#: How long a session whose browser went away keeps what it holds (Streamlit keeps the session itself for 120 s,
#: ``server.disconnectedSessionTTL``, so that a tab that reconnects finds it).
GRACE_SECONDS = 60.0
#: An upload refused because the server held too much is read again on the first run this long after.
RETRY_SECONDS = 30.0
#: A session not seen for this long, and unknown to Streamlit, is released even if its release was never called.
STALE_SECONDS = 600.0


@dataclass
class Holding:
    """One session's measured holdings."""

    state: Any  # the session's state (a mapping: ``in``, ``[]``, ``del``), to let go of its values when it ends
    seen: float = 0.0  # time.monotonic() of its latest run
    signature: tuple = ()
    bytes: int = 0
    sources: frozenset[str] = field(default_factory=frozenset)  # the lists whose values it holds, by id


_LOG = get_logger(__name__)
_LOCK = threading.Lock()
_HOLDINGS: dict[str, Holding] = {}


def _get(values: MutableMapping, key: str) -> Any:
    return values[key] if key in values else None


def _signature(values: MutableMapping) -> tuple:
    """Identities of the held values (and of the nets and comparisons inside their dicts): a change means remeasure."""
    out = []
    for key in HELD:
        value = _get(values, key)
        out.append(id(value))
        if isinstance(value, dict):
            out.extend((k, id(v)) for k, v in value.items())
    return tuple(out)


def _sources(values: MutableMapping) -> frozenset[str]:
    upload = _get(values, state.UPLOAD)
    ids = {upload.id} if upload is not None else set()
    for key in (state.TRAINED, state.NET_COMPARISON):
        ids |= set(_get(values, key) or {})
    return frozenset(ids)


def measure(values: MutableMapping) -> int | None:
    """The bytes a session's state holds in its large values. A value another thread changes while it is walked
    (a run of this session still storing its net) is walked again; None if it could not be measured (the caller
    keeps what it knew and measures again on the next run)."""
    for _ in range(3):
        try:
            return sum(cache.size_of(_get(values, key)) for key in HELD)
        except RuntimeError:  # "dictionary changed size during iteration"
            continue
    return None


def _trim(values: MutableMapping, in_use: str | None, held: int, limit: int) -> None:
    """Let go of the nets and comparisons of lists other than ``in_use``, oldest first, until at most ``limit`` of
    the ``held`` bytes are held (about: the dicts' own overhead is not followed)."""
    for key in (state.NET_COMPARISON, state.TRAINED):
        store = _get(values, key) or {}
        for source_id in [s for s in store if s != in_use]:
            if held <= limit:
                return
            held -= cache.size_of(store.pop(source_id))
            if key == state.TRAINED:  # the Neural net page says why this list's net is gone
                values[state.NETS_LET_GO] = (_get(values, state.NETS_LET_GO) or frozenset()) | {source_id}


def has_a_net_again(values: MutableMapping, source_id: str) -> None:
    """A list whose net was let go has one again: the page no longer says it was let go."""
    let_go = _get(values, state.NETS_LET_GO)
    if let_go and source_id in let_go:
        values[state.NETS_LET_GO] = let_go - {source_id}


def net_let_go(values: MutableMapping, source_id: str) -> bool:
    """True when this session's net for the list was let go to keep the session within its bound (until the list
    has a net again)."""
    return source_id in (_get(values, state.NETS_LET_GO) or ())


def note(session_id: str, values: MutableMapping, in_use: str | None) -> Holding:
    """Measure a session's holdings if they changed, keep the session within its bound, and remember them."""
    with _LOCK:
        holding = _HOLDINGS.setdefault(session_id, Holding(state=values))
        holding.state, holding.seen = values, time.monotonic()
    signature = (in_use, *_signature(values))  # a change of list in use may leave other lists' nets to trim
    if signature != holding.signature:
        held = measure(values)
        if held is not None and held > limits.SESSION_MAX_BYTES:
            _trim(values, in_use, held, limits.SESSION_MAX_BYTES)
            held, signature = measure(values), (in_use, *_signature(values))
        if held is None:  # not measured this time: keep what was known, and measure again on the next run
            return holding
        holding.signature, holding.bytes, holding.sources = signature, held, _sources(values)
    return holding


def held_by_sessions(leaving_out: str | None = None) -> int:
    """The bytes every session holds together (less one of them)."""
    with _LOCK:
        return sum(h.bytes for sid, h in _HOLDINGS.items() if sid != leaving_out)


def upload_refusal(session_id: str, values: MutableMapping, new_bytes: int) -> str | None:
    """Why a new upload of ``new_bytes`` cannot be kept now (one line), or None. It replaces this session's own
    upload, so that one is not counted."""
    own = _get(values, state.UPLOAD)
    others = held_by_sessions(leaving_out=session_id)
    measured = measure(values)
    if measured is None:
        with _LOCK:
            measured = _HOLDINGS[session_id].bytes if session_id in _HOLDINGS else 0
    mine = max(measured - cache.size_of(own), 0)
    if new_bytes > limits.SESSION_MAX_BYTES:
        return f"this list takes {new_bytes / limits.MB:,.0f} MB once read, more than one visitor may hold here"
    if others + mine + new_bytes > limits.SESSIONS_MAX_BYTES:
        return (
            f"the server is holding as many visitors' lists as it can ({others / limits.MB:,.0f} MB of "
            f"{limits.SESSIONS_MAX_BYTES / limits.MB:,.0f} MB): try again in a few minutes, or a smaller list"
        )
    return None


def release(session_id: str) -> int:
    """Let go of everything a session held: its large values, and the shared caches' entries for lists that no
    other session holds. Returns the bytes the session held."""
    with _LOCK:
        holding = _HOLDINGS.pop(session_id, None)
        _DISCONNECTS.pop(session_id, None)
        still_held = set().union(*(h.sources for h in _HOLDINGS.values())) if _HOLDINGS else set()
    if holding is None:
        return 0
    for key in (*HELD, state.UPLOAD_DIGEST):  # without its digest, a tab that comes back parses its file again
        try:
            del holding.state[key]
        except (KeyError, AttributeError, RuntimeError):  # not there, or a session Streamlit has shut down
            pass
    shared = sum(
        cache.drop_source(source_id)
        for source_id in holding.sources - still_held
        if source_id.startswith("upload:")  # built-in lists stay cached for everyone
    )
    hand_back()
    _LOG.info(
        "released session %s: %.1f MB it held, %.1f MB of shared entries for its lists",
        session_id[:8],
        holding.bytes / limits.MB,
        shared / limits.MB,
    )
    return holding.bytes


def hand_back() -> None:
    """Collect what was let go and give the freed pages back to the system (glibc keeps them otherwise)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the allocator keeps what it keeps
        pass


def _runtime_active(session_id: str) -> bool:
    from streamlit.runtime import Runtime

    return Runtime.exists() and Runtime.instance().is_active_session(session_id)


def _close(session_id: str) -> None:
    """Ask Streamlit to shut a disconnected session down now (on its event loop): it then lets go of what it keeps
    for the session itself, the last run's fragments and widget callbacks (and through them the page's objects) and
    the uploaded file, instead of when its store of sessions next expires entries (only when another connects)."""
    from streamlit.runtime import Runtime

    if Runtime.exists():
        Runtime.instance().close_session(session_id)


#: How many times each session's caches were released (its browser went away): a grace acts only if no later
#: disconnect started another, so a tab that blipped twice is judged from its latest disconnect.
_DISCONNECTS: dict[str, int] = {}


def _latest(session_id: str, count: int) -> bool:
    with _LOCK:
        return _DISCONNECTS.get(session_id) == count


def _ended(session_id: str) -> None:
    """Streamlit let go of this session's caches (its browser went away): after the grace, unless the tab came
    back, release what it held and close the session."""
    with _LOCK:
        count = _DISCONNECTS[session_id] = _DISCONNECTS.get(session_id, 0) + 1
    try:
        loop = asyncio.get_running_loop()  # a disconnect: Streamlit calls this on its event loop
    except RuntimeError:
        loop = None

    if loop is None:  # a cache cleared from a script's thread: release on a timer, the session is Streamlit's

        def later_off_loop() -> None:
            if _latest(session_id, count) and not _runtime_active(session_id):
                release(session_id)

        timer = threading.Timer(GRACE_SECONDS, later_off_loop)
        timer.daemon = True
        timer.start()
        return

    def later() -> None:
        if not _latest(session_id, count) or _runtime_active(session_id):
            return
        _close(session_id)
        loop.run_in_executor(None, release, session_id)  # a collection takes tens of ms: off the event loop

    loop.call_later(GRACE_SECONDS, later)


@st.cache_resource(scope="session", on_release=_ended, show_spinner=False)
def _watch(session_id: str) -> str:
    """A session-scoped marker: Streamlit releases it when the session's browser disconnects."""
    return session_id


def sweep(now: float | None = None) -> int:
    """Release sessions not seen for ``STALE_SECONDS`` that Streamlit no longer has (a release that never came)."""
    now = time.monotonic() if now is None else now
    with _LOCK:
        stale = [sid for sid, h in _HOLDINGS.items() if now - h.seen > STALE_SECONDS]
    return sum(release(sid) for sid in stale if not _runtime_active(sid))


def track(in_use: str) -> None:
    """Once a run, from the page frame (``in_use``: the id of the list the page shows): this session's holdings,
    measured when they changed and kept in bound; a marker that lets go of them when the session ends."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    _watch(ctx.session_id)
    note(ctx.session_id, ctx.session_state, in_use)
    sweep()


def refuse_upload(parsed: Any) -> str | None:
    """``upload_refusal`` for this session and a list just parsed (a ``WordSource``)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    return upload_refusal(ctx.session_id, ctx.session_state, cache.size_of(parsed))
