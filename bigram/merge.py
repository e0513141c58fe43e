"""Count matrices add up: the counts of two lists are the sum of their counts, whatever their vocabularies.

A file counted in pieces, many files counted one by one, or count files written on different
machines all end here: the union of the vocabularies (in code-point order, as ``Vocab`` keeps it)
and each matrix added into its rows and columns of the union, in int64, exactly.

Exactly means the sum is checked before it is taken: a counts file holds at most 2**53 bigrams
(``limits.MODEL_MAX_TOTAL_COUNT``), so a sum that passes the check neither wraps around int64 nor
loses a unit in float64. Many files near that bound would otherwise wrap around silently.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

from .errors import BigramError
from .limits import MODEL_MAX_TOTAL_COUNT
from .vocab import Vocab


def add_counts(parts: Iterable[tuple[Vocab, torch.Tensor]], max_vocab: int | None = None) -> tuple[Vocab, torch.Tensor]:
    """The sum of count matrices over their own vocabularies, as one matrix over the union of the vocabularies."""
    parts = list(parts)
    if not parts:
        raise BigramError("there are no counts to add")
    symbols = sorted(set().union(*(p[0].symbols for p in parts)))
    if max_vocab is not None and len(symbols) > max_vocab:
        raise BigramError(f"together these use {len(symbols):,} distinct symbols, more than the limit of {max_vocab:,}")
    vocab = Vocab(symbols)
    grand = 0
    for _, N in parts:
        grand += _total(N)
        if grand > MODEL_MAX_TOTAL_COUNT:  # refused before any cell is added: no sum below can wrap around
            raise BigramError(
                f"together these counts add up to more than 2**53 ({MODEL_MAX_TOTAL_COUNT:,}) bigrams, "
                "the most a counts file holds exactly: merge fewer files"
            )
    if len(parts) == 1:
        return vocab, parts[0][1].to(torch.int64)
    V = len(vocab)
    total = torch.zeros((V, V), dtype=torch.int64)
    for part_vocab, N in parts:
        # Each symbol's id in the union; the boundary is id 0 in all of them (its label may differ).
        ids = torch.tensor([0] + [vocab.stoi[s] for s in part_vocab.symbols], dtype=torch.int64)
        total.view(-1).index_add_(0, (ids[:, None] * V + ids[None, :]).flatten(), N.to(torch.int64).flatten())
    return vocab, total


def _total(N: torch.Tensor) -> int:
    """The exact sum of a count matrix, or one past the limit if it is larger (checked in float64 first, so that
    the exact int64 sum is only taken when it cannot overflow)."""
    if N.numel() == 0:
        return 0
    if bool((N < 0).any()):
        raise BigramError("counts must not be negative")
    if float(N.sum(dtype=torch.float64)) > 2 * MODEL_MAX_TOTAL_COUNT:
        return MODEL_MAX_TOTAL_COUNT + 1
    return int(N.to(torch.int64).sum())
