"""Sampling new words from a row-stochastic matrix P (V x V), reproducibly.

Two modes:

* ``sequential`` draws exactly as the lecture's loop does: one
  ``torch.multinomial(p, num_samples=1, replacement=True, generator=g)`` per character from
  ``g = torch.Generator().manual_seed(seed)``. With the same P (float32, computed as the
  lecture does) and the same torch version, a learner sees the same words as in their
  notebook. (``torch.multinomial`` changed in torch 2.7: words printed by older notebooks differ.)
* ``batched`` draws the next symbol of every unfinished word at once: one lookup of uniform
  numbers in the rows' cumulative probabilities per position (one ``searchsorted`` in all rows
  laid end to end, see ``Walk``), instead of one ``multinomial`` call per character. The same
  distribution, also seeded, but its words differ from the sequential mode's;
  ``bigram.lecture.sample_batched`` is the same draw written plainly, word for word the same.

``torch.multinomial(p, 1)`` picks index i with probability p[i] / sum(p): a loaded die with
V faces. Temperature T reshapes each row to p ** (1 / T) before the draw: T < 1 sharpens
(more typical words), T > 1 flattens (stranger words); T = 1 leaves P exactly as it is.
"""

from __future__ import annotations

import math
from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass

import torch

from .counting import chain_log_likelihood
from .defaults import SAMPLE_SEED
from .errors import BigramError
from .limits import SAMPLE_MAX_CELLS
from .vocab import Vocab

#: The seeds ``torch.Generator().manual_seed`` takes; the app and the CLI stay within ``bigram.limits.SEED_MAX``.
SEED_RANGE = (-(2**63), 2**64 - 1)
MODES = ("sequential", "batched")
DEFAULT_MAX_LEN = 50


@dataclass
class Sample:
    word: str
    ids: list[int]  # the symbols drawn, without the final boundary
    truncated: bool  # the maximum length was reached before the end token was drawn


def _tempered(P: torch.Tensor, temperature: float) -> torch.Tensor:
    if not math.isfinite(temperature) or temperature <= 0:
        raise BigramError(f"temperature must be a number > 0, got {temperature}")
    if temperature == 1.0:
        return P
    # Work in log space so small temperatures do not underflow whole rows to zero; shift each row's
    # largest log p to 0 first, so that dividing by a tiny temperature cannot make a row all -inf (NaN
    # after softmax): as T -> 0 the draw becomes the arg-max, as it should.
    logp = P.double().log()
    logp = (logp - logp.amax(1, keepdim=True)) / temperature
    return torch.softmax(logp, dim=1).to(P.dtype)


def _check(P: torch.Tensor, vocab: Vocab, n: int, max_len: int) -> None:
    if P.ndim != 2 or P.shape[0] != P.shape[1] or P.shape[0] != len(vocab):
        raise BigramError(f"P must be {len(vocab)} x {len(vocab)} for this vocabulary, got {tuple(P.shape)}")
    if n < 0:
        raise BigramError("the number of samples must be >= 0")
    if max_len < 1:
        raise BigramError("the maximum length must be at least 1")
    if n * max_len > SAMPLE_MAX_CELLS:
        # The batched mode holds max_len x n ids (8 bytes each); the sequential mode would run for hours.
        raise BigramError(
            f"{n:,} words of up to {max_len:,} symbols are more than the limit of {SAMPLE_MAX_CELLS:,} symbols a call"
        )
    if not bool(torch.isfinite(P).all()) or bool((P < 0).any()):
        raise BigramError("P has negative, NaN or infinite entries: it is not a probability matrix")


def sample(
    P: torch.Tensor,
    vocab: Vocab,
    n: int = 10,
    *,
    seed: int = SAMPLE_SEED,
    generator: torch.Generator | None = None,
    mode: str = "sequential",
    temperature: float = 1.0,
    max_len: int = DEFAULT_MAX_LEN,
) -> list[Sample]:
    """Draw n words from P. Pass ``generator`` to continue a stream, else ``seed`` starts one."""
    if mode not in MODES:
        raise BigramError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    Pt = _prepared(P, vocab, n, max_len, temperature)
    g = generator if generator is not None else _generator(seed)
    if mode == "sequential":
        return [_one_word(Pt, vocab, g, max_len) for _ in range(n)]
    return _batched(Pt, vocab, n, g, max_len)


def _generator(seed: int) -> torch.Generator:
    lo, hi = SEED_RANGE
    if not lo <= int(seed) <= hi:
        raise BigramError(f"the seed must be a whole number from {lo:,} to {hi:,}, got {seed}")
    return torch.Generator().manual_seed(int(seed))


def _prepared(P: torch.Tensor, vocab: Vocab, n: int, max_len: int, temperature: float) -> torch.Tensor:
    """P checked and tempered, every row able to draw from."""
    _check(P, vocab, n, max_len)
    dead = P.sum(1) <= 0  # before tempering: a row with no mass stays so, and would be NaN after it
    if bool(dead.any()):
        raise BigramError(f"row {vocab.label(int(dead.nonzero()[0, 0]))!r} of P has no probability mass to sample from")
    return _tempered(P, float(temperature))


def _draws(P: torch.Tensor, g: torch.Generator, max_len: int) -> Iterator[tuple[int, int]]:
    """The lecture's loop: start at the boundary, draw until the boundary comes back (or ``max_len`` symbols).

    Yields (previous id, drawn id) for every draw: one ``torch.multinomial`` call each.
    """
    ix, length = 0, 0
    while True:
        prev = ix
        ix = torch.multinomial(P[prev], num_samples=1, replacement=True, generator=g).item()
        yield prev, ix
        length += 1
        if ix == 0 or length >= max_len:
            return


def _one_word(P: torch.Tensor, vocab: Vocab, g: torch.Generator, max_len: int) -> Sample:
    out = [ix for _, ix in _draws(P, g, max_len) if ix != 0]
    return Sample(vocab.decode(out), out, truncated=len(out) >= max_len)


@dataclass(frozen=True)
class Step:
    """One draw of a word, for stepping through it: the row drawn from, what came out, the word so far."""

    previous: int  # the id whose row of P the draw used
    probs: torch.Tensor  # that row, normalised (float64)
    drawn: int  # the id torch.multinomial returned
    word: str  # the word after this draw (the boundary ends it and is not shown)


def trace(
    P: torch.Tensor, vocab: Vocab, *, seed: int = SAMPLE_SEED, temperature: float = 1.0, max_len: int = DEFAULT_MAX_LEN
) -> list[Step]:
    """The first word ``sample(..., mode="sequential")`` draws with this seed, one draw at a time.

    The very same calls as the sampler (same generator, same rows), so the traced word is the
    first word of the sampler's list: a step-through shows what the sampler does, not a look-alike.
    """
    Pt = _prepared(P, vocab, 1, max_len, temperature)
    g = _generator(seed)
    steps, out = [], []
    for prev, ix in _draws(Pt, g, max_len):
        if ix != 0:
            out.append(ix)
        row = Pt[prev].double()
        steps.append(Step(prev, row / row.sum(), ix, vocab.decode(out)))
    return steps


#: Positions drawn per block of uniform numbers: one ``torch.rand`` call and one "has every word ended?" test a block.
BATCH_BLOCK = 8


@dataclass(frozen=True)
class Walk:
    """P laid out for batched sampling: every row's cumulative probabilities in one sorted vector.

    Row i of P (V x V) becomes V numbers ``2 i + cdf[i, j]``, where ``cdf[i]`` is the row's
    cumulative sum divided by its total, so row i occupies [2 i, 2 i + 1] and the rows follow one
    another in increasing order. A word at state i with a uniform number u in [0, 1) takes the
    first entry greater than ``2 i + u``: its flat index k = i V + j names the drawn symbol j
    = k mod V. One ``searchsorted`` in this one vector draws for every word at once, whatever
    rows they are on, without gathering each word's row first.

    * An index with p = 0 never comes out: its entry equals the previous one, so no number falls between.
    * Adding 2 i rounds ``2 i + u`` (and ``2 i + cdf``) to float64's spacing there, at most 2 ** -52
      times the largest power of two below 2 V (2 ** -47 at V = 27, 2 ** -39 at V = 5,000): each
      probability is honoured to within that.
      The rounding can carry ``2 i + u`` up to ``2 i + 1``, so each row's largest value (where its
      cumulative sum reaches 1) is raised to ``2 i + 1.5``: the number still lands in row i, on the
      row's last symbol with probability > 0, never in the next row.
    * The entry after the last row, ``2 V + 1.5``, is the end state: a word that drew the boundary
      moves to offset 2 V and from then on always lands there (k = V * V), so a finished word draws
      nothing more, and "this word has ended" is "its offset is 2 V".
    """

    cdf: torch.Tensor  # float64, V * V + 1: the rows' shifted cumulative sums, then the end state
    next_offset: torch.Tensor  # float64, V * V + 1: 2 j for an entry of symbol j != 0; 2 V for the boundary, the end

    @classmethod
    def of(cls, P: torch.Tensor) -> Walk:
        V = P.shape[0]
        flat = torch.empty(V * V + 1, dtype=torch.float64)
        cdf = flat[:-1].view(V, V)
        torch.cumsum(P, 1, dtype=torch.float64, out=cdf)
        cdf /= cdf[:, -1:].clone()  # every row ends at exactly 1
        cdf.masked_fill_(cdf >= 1, 1.5)  # the row's last value with p > 0 and the zeros after it: see above
        cdf += torch.arange(0, 2 * V, 2, dtype=torch.float64).unsqueeze(1)
        flat[-1] = 2 * V + 1.5
        next_offset = torch.empty(V * V + 1, dtype=torch.float64)
        next_offset[:-1].view(V, V).copy_(torch.arange(0, 2 * V, 2, dtype=torch.float64))  # symbol j: 2 j, every row
        next_offset[0::V] = 2 * V  # drawing the boundary (j = 0) ends the word, as does the end state
        return cls(flat, next_offset)


def _batched(P: torch.Tensor, vocab: Vocab, n: int, g: torch.Generator, max_len: int) -> list[Sample]:
    """Every unfinished word takes its next symbol at once, by inverse-CDF sampling.

    One uniform number per word and position, looked up in the rows' cumulative probabilities with
    one ``searchsorted`` (see ``Walk``): the same distribution as ``torch.multinomial`` (index i
    comes out with probability p[i] / sum(p); an index with p = 0 never does), at a fraction of its
    cost for many rows.
    """
    if n == 0:
        return []
    return _samples(_walk(Walk.of(P), n, g, max_len), vocab, max_len)


def _walk(walk: Walk, n: int, g: torch.Generator, max_len: int) -> torch.Tensor:
    """Where each of n words is after each position: (positions drawn) x n offsets, float64.

    The offset after a draw is 2 j for a drawn symbol j and 2 V once the word has ended. Words go
    ``BATCH_BLOCK`` positions at a time: at the start of a block, the words still going (in order)
    get one ``torch.rand`` of (block x words going), the i-th of them taking column i, row t at
    position t of the block; a word that ends within a block stays at the end state for the rest of it.
    After each block the walk drops the words that have ended and stops when none is left, so the
    positions drawn are the longest word's (and its end), rounded up to a block.
    """
    end = float(walk.next_offset[-1])
    out = torch.empty((max_len, n), dtype=torch.float64)  # only the rows of the positions drawn are touched
    prev = torch.zeros(n, dtype=torch.float64)  # every word starts at the boundary: offset 0
    going = None  # the words still going, as indices into 0..n-1; None while all are
    t = 0
    while t < max_len:
        size, m = min(BATCH_BLOCK, max_len - t), prev.numel()
        u = torch.rand((size, m), generator=g, dtype=torch.float64)
        offsets = out[t : t + size] if going is None else torch.empty((size, m), dtype=torch.float64)
        x, k = torch.empty(m, dtype=torch.float64), torch.empty(m, dtype=torch.int64)
        for u_t, after in zip(u.unbind(0), offsets.unbind(0)):
            torch.searchsorted(walk.cdf, torch.add(prev, u_t, out=x), right=True, out=k)  # row i: x = 2 i + u
            prev = torch.index_select(walk.next_offset, 0, k, out=after)
        if going is not None:  # back into place among all n words; the ended ones stay at the end
            out[t : t + size].fill_(end).index_copy_(1, going, offsets)
        t += size
        still = (prev < end).nonzero().squeeze(1)
        if still.numel() == 0:
            break
        prev = prev[still]
        going = still if going is None else going[still]
    return out[:t]


def _samples(offsets: torch.Tensor, vocab: Vocab, max_len: int) -> list[Sample]:
    """The words of a walk, in one pass: offsets -> symbol ids -> one string, cut into words."""
    offsets = offsets.T  # word x position
    kept = offsets < 2 * len(vocab)  # a word's symbols; its boundary and everything after it are at 2 V
    lengths = kept.sum(1).tolist()
    flat = offsets[kept].mul_(0.5).long()  # every word's symbol ids, one word after the other
    text = vocab.decode_rows(flat.unsqueeze(0), [flat.numel()])[0] if flat.numel() else ""
    symbols = flat.tolist()
    out, start = [], 0
    for length in lengths:
        stop = start + length
        out.append(Sample(text[start:stop], symbols[start:stop], length == max_len))
        start = stop
    return out


def draw(p: torch.Tensor, n: int, *, seed: int = SAMPLE_SEED, generator: torch.Generator | None = None) -> torch.Tensor:
    """Throw the loaded die ``p`` n times: ``torch.multinomial(p, num_samples=n, replacement=True, generator=g)``.

    Returns n indices (int64); index i comes out with probability p[i] / sum(p). The same seed
    gives the same indices (on the same torch version).
    """
    if p.ndim != 1 or p.numel() == 0:
        raise BigramError(f"p must be a non-empty vector, got shape {tuple(p.shape)}")
    if n < 1:
        raise BigramError("the number of draws must be at least 1")
    if not bool(torch.isfinite(p).all()) or bool((p < 0).any()) or float(p.sum()) <= 0:
        raise BigramError("p must be finite, non-negative and not all zero")
    g = generator if generator is not None else _generator(seed)
    return torch.multinomial(p, num_samples=int(n), replacement=True, generator=g)


def draw_and_count(
    p: torch.Tensor, n: int, *, seed: int = SAMPLE_SEED, generator: torch.Generator | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """``draw(p, n)`` and how often each index came out (int64, same length as p): the shares approach p / sum(p)."""
    drawn = draw(p, n, seed=seed, generator=generator)
    return drawn, torch.bincount(drawn, minlength=p.numel())


@dataclass
class RowDraws:
    """n throws of the loaded die that is one row of P, and how often each face came up."""

    row: int
    p: torch.Tensor  # the row drawn from
    drawn: torch.Tensor  # the indices drawn, in order
    counts: torch.Tensor  # how often each index came out (same length as p)

    def first(self, n: int) -> list[int]:
        """The first n indices drawn."""
        return self.drawn[:n].tolist()


def draw_from_row(P: torch.Tensor, row: int, n: int, *, seed: int = SAMPLE_SEED) -> RowDraws:
    """``draw_and_count`` on row ``row`` of P: what the sampler does at one symbol, repeated n times."""
    if P.ndim != 2 or not 0 <= row < P.shape[0]:
        raise BigramError(f"row must be between 0 and {P.shape[0] - 1} of a matrix, got {row}")
    drawn, counts = draw_and_count(P[row], n, seed=seed)
    return RowDraws(row, P[row].clone(), drawn, counts)  # a copy: a view would hold on to all of P


def log_probability(s: Sample, logP: torch.Tensor) -> float:
    """log p of a drawn word under logP (V x V, float64): the start, each transition, and the end if it was drawn.

    A truncated word never drew its end token, so only the drawn prefix is scored. For a
    complete word this equals ``score_word(word, logP, vocab).log_likelihood``.
    """
    return chain_log_likelihood([0, *s.ids] + ([] if s.truncated else [0]), logP)


@dataclass(frozen=True)
class SampleRow:
    """One drawn word as a table shows it."""

    word: str
    length: int
    log_p: float  # log of its probability (see log_probability)
    in_list: bool  # it spells a word of the list exactly
    truncated: bool


@dataclass
class SampleTable:
    rows: list[SampleRow]

    @property
    def in_list(self) -> int:
        """How many samples spell a word of the list."""
        return sum(r.in_list for r in self.rows)

    @property
    def truncated(self) -> int:
        """How many samples reached the maximum length before their end token."""
        return sum(r.truncated for r in self.rows)


def sample_table(samples: Sequence[Sample], logP: torch.Tensor, known: Container[str]) -> SampleTable:
    """Each sample's length, log p under ``logP`` (the model that drew it, float64) and whether ``known`` has it."""
    return SampleTable(
        [SampleRow(s.word, len(s.ids), log_probability(s, logP), s.word in known, s.truncated) for s in samples]
    )
