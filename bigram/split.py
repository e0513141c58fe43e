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
    words: Sequence[str], fractions: Sequence[float] = SPLIT_FRACTIONS, seed: int = SPLIT_SEED
) -> tuple[list[str], ...]:
    """Shuffle with ``torch.randperm`` from a seeded generator and cut by fractions.

    Sizes are ``floor(f * n)`` for all parts but the last, which takes the rest, so no word is
    lost or repeated. The same words, fractions and seed always give the same parts.
    """
    if not fractions or any(not math.isfinite(f) or f < 0 for f in fractions):
        raise BigramError("split fractions must be numbers >= 0")
    if abs(sum(fractions) - 1.0) > 1e-9:
        raise BigramError(f"split fractions must add up to 1, got {sum(fractions):g}")
    n = len(words)
    g = torch.Generator().manual_seed(int(seed))
    order = torch.randperm(n, generator=g).tolist()
    parts, start = [], 0
    for i, f in enumerate(fractions):
        end = n if i == len(fractions) - 1 else start + int(math.floor(f * n))
        parts.append([words[j] for j in order[start:end]])
        start = end
    return tuple(parts)
