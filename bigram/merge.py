"""Count matrices add up: the counts of two lists are the sum of their counts, whatever their vocabularies.

A file counted in pieces, many files counted one by one, or count files written on different
machines all end here: the union of the vocabularies (in code-point order, as ``Vocab`` keeps it)
and each matrix added into its rows and columns of the union, in int64, exactly.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

from .errors import BigramError
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
    if len(parts) == 1:
        return vocab, parts[0][1].to(torch.int64)
    V = len(vocab)
    total = torch.zeros((V, V), dtype=torch.int64)
    for part_vocab, N in parts:
        # Each symbol's id in the union; the boundary is id 0 in all of them (its label may differ).
        ids = torch.tensor([0] + [vocab.stoi[s] for s in part_vocab.symbols], dtype=torch.int64)
        total.view(-1).index_add_(0, (ids[:, None] * V + ids[None, :]).flatten(), N.to(torch.int64).flatten())
    return vocab, total
