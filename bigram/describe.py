"""Describing a word list before modelling it: lengths, repeated words, how often each symbol occurs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class ListStats:
    lengths: list[int]
    mean_length: float
    distinct: int
    duplicates: list[tuple[str, int]]  # words occurring more than once, most repeated first, then alphabetically
    symbol_ids: list[int]  # symbol ids by descending frequency (ties by id)
    symbol_counts: list[int]  # their occurrences, in that order
    occurrences: list[int]  # occurrences of each symbol in id order (ids 1..V-1)


def describe_list(words: Sequence[str], N: torch.Tensor) -> ListStats:
    """Descriptive numbers of a list, given its bigram count matrix N.

    A symbol's occurrences are its column sum in N: every occurrence is entered exactly once
    (from the symbol before it, or from the start token).
    """
    lengths = [len(w) for w in words]
    repeats = Counter(words)
    dups = sorted(((w, c) for w, c in repeats.items() if c > 1), key=lambda t: (-t[1], t[0]))
    occ = N.sum(0).tolist()
    order = sorted(range(1, len(occ)), key=lambda i: -occ[i])
    return ListStats(
        lengths=lengths,
        mean_length=sum(lengths) / len(lengths) if lengths else 0.0,
        distinct=len(repeats),
        duplicates=dups,
        symbol_ids=order,
        symbol_counts=[occ[i] for i in order],
        occurrences=occ[1:],
    )


def words_with_bigram(words: Sequence[str], vocab, i: int, j: int, limit: int = 6) -> list[tuple[str, int]]:
    """Up to ``limit`` distinct words of the list that contain bigram (i, j), in list order, each with where the
    pair starts in the word wrapped in boundaries (position 0 is the start token: (0, j) means "starts with j")."""
    found: list[tuple[str, int]] = []
    seen: set[str] = set()
    for w in words:
        if w in seen:
            continue
        seen.add(w)
        ids = [0, *(vocab.stoi[c] for c in w), 0]
        pos = next((p for p in range(len(ids) - 1) if ids[p] == i and ids[p + 1] == j), None)
        if pos is not None:
            found.append((w, pos))
            if len(found) >= limit:
                break
    return found
