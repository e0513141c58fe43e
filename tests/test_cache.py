"""The server-wide cache stays within its entry and byte bounds."""

import threading

import torch

from ui.cache import BoundedCache, bounded, size_of


def test_size_of_counts_tensor_storage_and_containers():
    t = torch.zeros(1000, dtype=torch.float64)
    assert size_of(t) == 8000
    assert size_of((t, t)) < 8000 + 200  # the same tensor twice is counted once
    assert size_of({"a": torch.zeros(10, dtype=torch.int64)}) >= 80


def test_evicts_least_recently_used_by_entries_and_bytes():
    c = BoundedCache("t", max_entries=3, max_bytes=10_000)
    make = lambda n: lambda: torch.zeros(n, dtype=torch.uint8)  # noqa: E731
    c.get("a", make(4000))
    c.get("b", make(4000))
    c.get("a", make(4000))  # a is now the most recent
    c.get("c", make(4000))  # over 10,000 bytes: b goes
    assert c.entries == 2 and c.bytes == 8000
    computed = []
    c.get("b", lambda: computed.append(1) or torch.zeros(10, dtype=torch.uint8))
    assert computed == [1]  # b had been evicted
    for key in "defgh":
        c.get(key, make(1))
    assert c.entries == 3


def test_memory_stays_flat_under_many_keys_and_threads():
    c = BoundedCache("t", max_entries=1000, max_bytes=1_000_000)

    def worker(offset):
        for i in range(300):
            c.get((offset, i), lambda: torch.zeros(50_000, dtype=torch.uint8))

    threads = [threading.Thread(target=worker, args=(j,)) for j in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert c.bytes <= 1_000_000 and c.entries <= 20


def test_decorator_keys_by_named_arguments_only():
    calls = []

    @bounded(max_entries=8, max_bytes=1 << 20)
    def square(source_id, k, _payload):
        calls.append((source_id, k))
        return torch.tensor([k * k])

    assert square("a", 2, object()).item() == 4
    assert square("a", 2, object()).item() == 4  # the payload is not part of the key
    assert square("a", 3, None).item() == 9
    assert calls == [("a", 2), ("a", 3)]
    assert square.cache.hits == 1


def test_all_caches_together_stay_within_the_servers_budget_for_them():
    """Six 3,001-symbol lists' V x V matrices (36 MB each in float32) fill several caches: together they stay within
    limits.SHARED_CACHES_MAX_BYTES, the least recently used going first whichever cache holds it (issue 22)."""
    from bigram import limits
    from ui.cache import caches, enforce_shared_limit, shared_bytes

    a = BoundedCache("a", max_entries=64, max_bytes=1 << 40)
    b = BoundedCache("b", max_entries=64, max_bytes=1 << 40)
    from ui.cache import register

    register(a), register(b)
    try:
        for j in range(6):
            a.put(j, torch.zeros(3001 * 3001, dtype=torch.float32))
            b.put(j, torch.zeros(3001 * 3001, dtype=torch.float32))
        assert shared_bytes() <= limits.SHARED_CACHES_MAX_BYTES
        assert 5 in a._data and 5 in b._data and 0 not in a._data  # the newest stay, the oldest went
        assert enforce_shared_limit() == 0
    finally:
        a.clear(), b.clear()
        for name in [n for n, c in caches().items() if c in (a, b)]:
            __import__("ui.cache").cache._REGISTRY.pop(name)
