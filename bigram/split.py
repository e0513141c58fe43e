"""A seeded train/dev/test split, so a model can be judged on words it never saw.

The lecture fits and scores on the same list; exercise E02 asks for 80% to train on, 10% to
tune smoothing or regularisation on (dev), and 10% touched once at the end (test).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from .defaults import SPLIT_FRACTIONS, SPLIT_SEED
from .errors import BigramError


def split_words(
    words: Sequence[str], fractions: Sequence[float] = SPLIT_FRACTIONS, seed: int = SPLIT_SEED, *, min_each: int = 0
) -> tuple[list[str], ...]:
    """Shuffle with ``torch.randperm`` from a seeded generator and cut by fractions.

    Sizes are ``floor(f * n)`` for all parts but the last, which takes the rest, so no word is
    lost or repeated. The same words, fractions and seed always give the same parts. With
    ``min_each``, a list too short to give every part that many words is refused, saying how many it needs.
    """
    if not fractions or any(not math.isfinite(f) or f < 0 for f in fractions):
        raise BigramError("split fractions must be numbers >= 0")
    if abs(sum(fractions) - 1.0) > 1e-9:
        raise BigramError(f"split fractions must add up to 1, got {sum(fractions):g}")
    n = len(words)
    if min_each and n < (need := words_needed(fractions, min_each)):
        shares = "/".join(f"{100 * f:g}" for f in fractions)
        raise BigramError(
            f"a list of {n:,} word{'s' if n != 1 else ''} is too short to split {shares} into train, dev and test: "
            f"at least {need:,} are needed"
        )
    g = torch.Generator().manual_seed(int(seed))
    order = torch.randperm(n, generator=g).tolist()
    parts, start = [], 0
    for i, f in enumerate(fractions):
        end = n if i == len(fractions) - 1 else start + int(math.floor(f * n))
        parts.append([words[j] for j in order[start:end]])
        start = end
    return tuple(parts)


def words_needed(fractions: Sequence[float], min_each: int = 1) -> int:
    """The smallest list that gives every part of the split at least ``min_each`` words."""
    if any(f <= 0 for f in fractions):
        raise BigramError("a split part with fraction 0 is always empty")
    # floor(f * n) >= m once n >= m / f; the last part's share grows with n too: a short walk from the bound
    n = max(math.ceil(min_each / f) for f in fractions) if min_each > 0 else 1
    while True:
        sizes = [int(math.floor(f * n)) for f in fractions[:-1]]
        if all(size >= min_each for size in sizes) and n - sum(sizes) >= min_each:
            return n
        n += 1
