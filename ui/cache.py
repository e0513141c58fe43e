"""A cache bounded by entries and by bytes, shared by every session of the server process.

``st.cache_resource`` bounds the number of entries but not their size, and one upload with
3,000 symbols makes a 72 MB log-probability matrix per smoothing value. This cache evicts the
least recently used entries until both bounds hold, so memory stays flat however many
people come, upload and move sliders. Values are shared read-only, like ``st.cache_resource``
values: they are derived from a list's content (keyed by its hash), never a person's own state.

Each cache's own bound keeps one kind of value from crowding out the others; all caches together
are bounded too (``limits.SHARED_CACHES_MAX_BYTES``, part of the server's memory budget): past it
the least recently used entry of any cache goes first, whichever cache it is in.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import itertools
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import torch

from bigram import limits

MB = 1 << 20
_REGISTRY: dict[str, BoundedCache] = {}
#: Orders the uses of entries across every cache: the entry with the smallest stamp is the least recently used.
_CLOCK = itertools.count()
#: Held while entries are evicted across caches (then one cache's lock at a time, so no two caches wait on each other).
_SHARED_LOCK = threading.Lock()
_freed = [0]  # bytes let go by evictions and drops since ``take_freed`` last asked


def size_of(value: Any, _seen: set | None = None) -> int:
    """Approximate bytes held by a value: tensors by their storage, containers and dataclasses recursively."""
    seen = _seen if _seen is not None else set()
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, torch.Tensor):
        return value.untyped_storage().nbytes()
    if isinstance(value, (str, bytes, int, float, bool)) or value is None:
        return sys.getsizeof(value)
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(size_of(k, seen) + size_of(v, seen) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        if all(type(v) is str for v in value):  # a word list: sized in C, ten times faster (shared strs count twice)
            return sys.getsizeof(value) + sum(map(sys.getsizeof, value))
        return sys.getsizeof(value) + sum(size_of(v, seen) for v in value)
    if dataclasses.is_dataclass(value):
        # Every attribute, not only the fields: a Trainer keeps its optimizer's moments and a pending gradient
        # (V x V tensors each) in attributes that are not fields.
        attrs = (
            vars(value)
            if hasattr(value, "__dict__")
            else {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        )
        return sum(size_of(v, seen) for v in attrs.values())
    if hasattr(value, "__dict__"):
        return sys.getsizeof(value) + size_of(vars(value), seen)
    return sys.getsizeof(value)


class BoundedCache:
    """Least-recently-used cache with a maximum number of entries and a maximum number of bytes."""

    def __init__(self, name: str, max_entries: int, max_bytes: int, size: Callable[[Any], int] | None = None):
        self.name, self.max_entries, self.max_bytes = name, max_entries, max_bytes
        self._size = size or size_of
        self._data: OrderedDict[Any, list] = OrderedDict()  # key -> [value, size, stamp]
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def _use(self, key: Any) -> Any:
        entry = self._data[key]
        self._data.move_to_end(key)
        entry[2] = next(_CLOCK)
        self.hits += 1
        return entry[0]

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._data:
                return self._use(key)
            self.misses += 1
        value = compute()  # outside the lock: other sessions are not held up by one computation
        size = self._size(value)
        with self._lock:
            if key not in self._data:
                self._data[key] = [value, size, next(_CLOCK)]
                self._bytes += size
            self._evict()
        enforce_shared_limit()
        return value

    def peek(self, key: Any) -> Any | None:
        """The value kept for ``key`` (counted as a hit), or None: for callers that decide themselves whether to
        compute and whether to keep what they computed (``put``)."""
        with self._lock:
            return self._use(key) if key in self._data else None

    def put(self, key: Any, value: Any) -> None:
        size = self._size(value)
        with self._lock:
            if key in self._data:
                self._bytes -= self._data.pop(key)[1]
            self._data[key] = [value, size, next(_CLOCK)]
            self._bytes += size
            self._evict()
        enforce_shared_limit()

    def _evict(self) -> None:
        while self._data and (len(self._data) > self.max_entries or self._bytes > self.max_bytes):
            self._pop_oldest()

    def _pop_oldest(self) -> int:
        _, (_, size, _) = self._data.popitem(last=False)
        self._bytes -= size
        _freed[0] += size
        return size

    def oldest_stamp(self) -> float:
        """When this cache's least recently used entry was last used (``inf`` when it is empty)."""
        with self._lock:
            return next(iter(self._data.values()))[2] if self._data else float("inf")

    def evict_oldest(self) -> int:
        """Let this cache's least recently used entry go; the bytes it was counted for."""
        with self._lock:
            return self._pop_oldest() if self._data else 0

    def drop_if(self, test: Callable[[Any], bool]) -> int:
        """Let every entry whose key passes ``test`` go; the bytes they were counted for."""
        with self._lock:
            gone = [k for k in self._data if test(k)]
            size = sum(self._data.pop(k)[1] for k in gone)
            self._bytes -= size
            _freed[0] += size
            return size

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0

    @property
    def entries(self) -> int:
        return len(self._data)

    @property
    def bytes(self) -> int:
        return self._bytes


def bounded(max_entries: int, max_bytes: int, size: Callable[[Any], int] | None = None) -> Callable:
    """Decorator: cache a function's results in a ``BoundedCache``.

    As with Streamlit's caches, parameters whose names start with an underscore are not part of
    the key (pass a content id beside them).
    """

    def wrap(func: Callable) -> Callable:
        sig = inspect.signature(func)
        cache = _REGISTRY.setdefault(
            f"{func.__module__}.{func.__qualname__}", BoundedCache(func.__qualname__, max_entries, max_bytes, size)
        )

        @functools.wraps(func)
        def cached(*args, **kwargs):
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            key = tuple((k, v) for k, v in bound.arguments.items() if not k.startswith("_"))
            return cache.get(key, lambda: func(*args, **kwargs))

        cached.cache = cache
        return cached

    return wrap


def register(cache: BoundedCache) -> BoundedCache:
    """Count a cache made without ``bounded`` in ``caches()`` and ``total_budget()``."""
    return _REGISTRY.setdefault(f"{__name__}.{cache.name}", cache)


def caches() -> dict[str, BoundedCache]:
    """Every bounded cache of the process, by name: the Smoothing page's rerun test counts their misses."""
    return dict(_REGISTRY)


def total_budget() -> int:
    """The bytes every bounded cache of the process may hold together: the ceiling of the shared caches (the sum of
    their own bounds, or the server's budget for them if that is less)."""
    return min(sum(c.max_bytes for c in _REGISTRY.values()), limits.SHARED_CACHES_MAX_BYTES)


def shared_bytes() -> int:
    """The bytes the shared caches hold now, all together."""
    return sum(c.bytes for c in _REGISTRY.values())


def enforce_shared_limit(limit: int | None = None) -> int:
    """Evict the least recently used entries of any cache until all caches together hold at most ``limit`` bytes
    (``limits.SHARED_CACHES_MAX_BYTES``). Returns the bytes let go."""
    limit = limits.SHARED_CACHES_MAX_BYTES if limit is None else limit
    freed = 0
    if shared_bytes() <= limit:
        return 0
    with _SHARED_LOCK:
        while (total := shared_bytes()) > limit and total > 0:
            oldest = min(_REGISTRY.values(), key=BoundedCache.oldest_stamp)
            freed += oldest.evict_oldest()
    return freed


def mentions(key: Any, source_id: str) -> bool:
    """True when a cache key names the list ``source_id``: as one of its parts, or as a (name, value) part's value."""
    parts = key if isinstance(key, tuple) else (key,)
    return any(p == source_id or (isinstance(p, tuple) and len(p) == 2 and p[1] == source_id) for p in parts)


def drop_source(source_id: str) -> int:
    """Let go of everything every cache keeps for one list (when nobody uses it any more). Returns the bytes."""
    return sum(c.drop_if(lambda key: mentions(key, source_id)) for c in list(_REGISTRY.values()))


def take_freed() -> int:
    """The bytes evictions and drops let go since the last call (to decide whether to hand memory back to the OS)."""
    freed, _freed[0] = _freed[0], 0
    return freed
