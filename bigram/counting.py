"""The counting model: the bigram count matrix N, smoothed probabilities P, and the loss.

This is the first half of the lecture. N[i, j] counts how often symbol j follows symbol i
(id 0, the boundary, marks the start and the end of each word). Normalising each row gives
P[i, j] = p(next = j | previous = i), and the quality of P on a list of words is the average
negative log-likelihood (NLL) of its bigrams: the lower, the better.

Counting is vectorised: one id tensor for the whole list, one ``bincount`` over
``previous * V + next``. Losses are summed in float64, because the lecture's float32
running sum drifts in the fifth decimal on 228k bigrams.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch

from .defaults import SMOOTHING_GRID
from .errors import BigramError
from .vocab import Vocab


def count_ids(ids: torch.Tensor, V: int) -> torch.Tensor:
    """N (V x V, int64) from an encoded id sequence: neighbours are the bigrams."""
    return torch.bincount(ids[:-1] * V + ids[1:], minlength=V * V).view(V, V)


def count_bigrams(words: Sequence[str], vocab: Vocab) -> torch.Tensor:
    """The bigram count matrix N of a word list, boundaries included."""
    ids = vocab.encode_words(words)  # . e m m a . o l i v i a . ...: one tensor, a boundary between words
    return count_ids(ids, len(vocab))


@dataclass
class CountModel:
    """A word list's vocabulary and count matrix: everything the counting model knows."""

    vocab: Vocab
    N: torch.Tensor
    words: int

    @classmethod
    def from_words(cls, words: Sequence[str], vocab: Vocab | None = None) -> CountModel:
        if not words:
            raise BigramError("the word list is empty")
        vocab = vocab or Vocab.from_words(words)
        return cls(vocab=vocab, N=count_bigrams(words, vocab), words=len(words))

    @property
    def V(self) -> int:
        return len(self.vocab)

    @property
    def bigrams(self) -> int:
        return int(self.N.sum())

    @property
    def most_common_last(self) -> int:
        """The symbol most words end with: the largest count in column 0 (the end token), the boundary aside."""
        return int(self.N[1:, 0].argmax()) + 1 if self.V > 1 else 0

    @property
    def sparsest_row(self) -> int:
        """The symbol followed least often in the list: the row smoothing changes most."""
        return int(self.N.sum(1).argmin())

    @property
    def uniform_nll(self) -> float:
        """ln V: the NLL of the uniform model, where every row of P ends as k grows without bound."""
        return math.log(self.V)

    def probabilities(self, k: float = 0.0) -> torch.Tensor:
        return smoothed_probabilities(self.N, k)

    def log_probabilities(self, k: float = 0.0) -> torch.Tensor:
        return smoothed_log_probabilities(self.N, k)

    def top_bigrams(self, n: int = 10) -> list[tuple[str, int]]:
        """The n most frequent bigrams as (label, count), most frequent first, ties by id."""
        flat = self.N.flatten()
        n = min(n, int((flat > 0).sum()))
        # A stable sort on descending counts keeps the order deterministic on ties.
        order = torch.sort(flat, descending=True, stable=True).indices[:n]
        V = self.V
        return [(self.vocab.pair_label(int(i) // V, int(i) % V), int(flat[i])) for i in order]


@dataclass(frozen=True)
class Sums:
    """N's row sums and column sums: how many bigrams leave and how many enter each symbol."""

    rows: torch.Tensor  # N.sum(1): bigrams leaving each symbol; the boundary's is the number of words (their starts)
    columns: torch.Tensor  # N.sum(0): bigrams entering each symbol; the boundary's counts the words' ends

    @property
    def equal(self) -> bool:
        """Every row sum equals its column sum, as it must: inside a word each symbol is entered once and left
        once, and the boundary token closes both ends."""
        return bool(torch.equal(self.rows, self.columns))


def row_and_column_sums(N: torch.Tensor) -> Sums:
    """The row sums and column sums of a count matrix."""
    return Sums(rows=N.sum(1), columns=N.sum(0))


def check_smoothing(k: float) -> float:
    """k as a float, or a one-line refusal: add-k smoothing needs a finite k >= 0."""
    k = float(k)
    if not math.isfinite(k) or k < 0:
        raise BigramError(f"smoothing must be a number >= 0, got {k}")
    return k


# The count-table formulas below serve any context: N has one row per context (V rows for the
# bigram model, V ** c for c previous symbols) and one column per next symbol.


def smoothed_probabilities(N: torch.Tensor, k: float = 0.0) -> torch.Tensor:
    """P = (N + k) / (N + k).sum(1, keepdim=True) in float32, computed as the lecture does.

    float32 on purpose: ``torch.multinomial`` draws differently from float64 rows, and the
    sampler must reproduce the lecture's words. ``keepdim=True`` matters: without it the
    division broadcasts the row sums along the wrong axis (see ``keepdim_pitfall``).
    A row with no counts at k = 0 (a context never followed by anything) stays all zeros.
    """
    k = check_smoothing(k)
    P = (N + int(k)).float() if k == int(k) else N.float() + k
    sums = P.sum(1, keepdim=True)
    return torch.where(sums > 0, P / torch.where(sums > 0, sums, 1), 0.0)


def smoothed_log_probabilities(N: torch.Tensor, k: float = 0.0) -> torch.Tensor:
    """log P in float64, exact: log(N + k) - log(row sum + V k).

    An unseen bigram at k = 0 gets -inf; so does every cell of a row with no counts at all (a
    context never seen), where the formula itself would give log 0 - log 0 = NaN.
    """
    k = check_smoothing(k)
    M = N.to(torch.float64) + k
    sums = M.sum(1, keepdim=True)
    return torch.where(sums > 0, M.log() - sums.log(), -math.inf)


def log_likelihood(M: torch.Tensor, logP: torch.Tensor) -> float:
    """sum(M * log P) over the cells with M > 0, in float64: the log-likelihood of counts M under log P.

    A list's NLL depends on it only through its counts. Cells with M = 0 are left out, so an
    impossible transition the counted words never use costs nothing (0 * -inf would be NaN).
    """
    used = M > 0
    return float((M.to(torch.float64)[used] * logP.to(torch.float64)[used]).sum())


def smoothed_nll(N: torch.Tensor, k: float) -> float:
    """The table's own average NLL under its add-k smoothed probabilities (float64): -sum(N log P) / sum(N)."""
    return -log_likelihood(N, smoothed_log_probabilities(N, k)) / int(N.sum())


def nll_curve(N: torch.Tensor, ks: Sequence[float] = SMOOTHING_GRID) -> list[tuple[float, float]]:
    """(k, the table's own NLL at k) for each k: lowest at k = 0, rising with k (the list is scored on itself)."""
    return [(float(k), smoothed_nll(N, k)) for k in ks]


@dataclass(frozen=True)
class Cell:
    """One bigram's numbers under add-k smoothing: P[i, j] = (N[i, j] + k) / (row sum + V * k)."""

    count: int  # N[i, j]
    row_sum: int  # N[i].sum(): every bigram that leaves symbol i
    V: int
    k: float
    p: float  # exact (float64)
    nll: float  # -log p (inf when p = 0)


def cells(N: torch.Tensor, k: float = 0.0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The parts of add-k P for every cell at once: numerators N + k, denominators row sum + V k, and P (float64)."""
    k = check_smoothing(k)
    num = N.double() + k
    den = num.sum(1, keepdim=True).expand_as(num)
    return num, den, torch.where(den > 0, num / torch.where(den > 0, den, 1), 0.0)


def cell(N: torch.Tensor, i: int, j: int, k: float = 0.0) -> Cell:
    """The numbers of bigram (i, j), for showing the formula filled in."""
    k = check_smoothing(k)
    V = N.shape[1]
    count, row_sum = int(N[i, j]), int(N[i].sum())
    den = row_sum + V * k
    p = (count + k) / den if den > 0 else 0.0
    return Cell(count=count, row_sum=row_sum, V=V, k=k, p=p, nll=-math.log(p) if p > 0 else math.inf)


def zero_cells(N: torch.Tensor, k: float = 0.0) -> int:
    """How many cells of P are exactly 0 at smoothing k: the transitions the model calls impossible."""
    return int((smoothed_probabilities(N, k) == 0).sum())


def keepdim_pitfall(N: torch.Tensor, k: float = 0.0) -> torch.Tensor:
    """The wrong normalisation ``P / P.sum(1)`` (no keepdim), for showing why it is wrong.

    ``P.sum(1)`` has shape (V,); broadcasting aligns it with the last axis, so column j is
    divided by the sum of row j. Nothing errors, and because every row sum equals the
    matching column sum, the wrong matrix's columns sum to 1 where its rows should.
    """
    P = N.float() + check_smoothing(k)
    return P / P.sum(1)


@dataclass(frozen=True)
class KeepdimDemo:
    """The shapes of the keepdim pitfall on a live matrix, and what the wrong and the right P sum to."""

    shape: tuple[int, ...]  # (V, V)
    sums_shape: tuple[int, ...]  # P.sum(1): (V,)
    keepdim_shape: tuple[int, ...]  # P.sum(1, keepdim=True): (V, 1)
    row_sums: torch.Tensor  # of the wrong matrix: not 1 (float64)
    col_sums: torch.Tensor  # of the wrong matrix: 1, up to float32 rounding
    right_row_sums: torch.Tensor  # of the right P: 1


def keepdim_demo(N: torch.Tensor, k: float = 0.0) -> KeepdimDemo:
    wrong = keepdim_pitfall(N, k)
    sums = (N.float() + k).sum(1)
    return KeepdimDemo(
        shape=tuple(N.shape),
        sums_shape=tuple(sums.shape),
        keepdim_shape=tuple(sums.unsqueeze(1).shape),
        row_sums=wrong.double().sum(1),
        col_sums=wrong.double().sum(0),
        right_row_sums=smoothed_probabilities(N, k).double().sum(1),
    )


@dataclass
class Score:
    """The loss of a word list under a model."""

    nll: float  # average negative log-likelihood per bigram (float64); inf if a bigram is impossible
    log_likelihood: float
    bigrams: int
    words: int
    impossible: list[tuple[str, int]] = field(default_factory=list)  # unseen bigrams (label, count) when nll is inf

    @property
    def perplexity(self) -> float:
        return math.exp(self.nll) if math.isfinite(self.nll) else math.inf

    def to_dict(self) -> dict:
        return {
            "nll": self.nll,
            "perplexity": self.perplexity,
            "log_likelihood": self.log_likelihood,
            "bigrams": self.bigrams,
            "words": self.words,
            "impossible": [[b, c] for b, c in self.impossible],
        }


def score_counts(
    M: torch.Tensor,
    logP: torch.Tensor,
    vocab: Vocab,
    words: int,
    *,
    label: Callable[[int, int], str] | None = None,
    max_impossible: int | None = None,
) -> Score:
    """The loss of counts M (one row per context) under log-probabilities logP of the same shape.

    ``label(row, col)`` names a cell for the list of impossible transitions (the bigram's two
    symbols by default); ``max_impossible`` keeps only that many of them, the most frequent first.
    """
    ll = log_likelihood(M, logP)
    n = int(M.sum())
    impossible: list[tuple[str, int]] = []
    if not math.isfinite(ll):
        name = label or vocab.pair_label
        bad = ((M > 0) & torch.isneginf(logP)).nonzero().tolist()
        impossible = sorted(((name(i, j), int(M[i, j])) for i, j in bad), key=lambda t: -t[1])[:max_impossible]
    return Score(nll=-ll / n if n else math.nan, log_likelihood=ll, bigrams=n, words=words, impossible=impossible)


def evaluate(words: Sequence[str], logP: torch.Tensor, vocab: Vocab) -> Score:
    """Average NLL, per bigram, of a word list under log-probabilities logP (V x V)."""
    if not words:
        raise BigramError("there are no words to evaluate")
    M = count_bigrams(words, vocab)
    return score_counts(M, logP, vocab, len(words))


@dataclass
class PairScore:
    bigram: str
    prob: float
    logprob: float

    def to_dict(self) -> dict:
        return {"bigram": self.bigram, "prob": self.prob, "logprob": self.logprob}


def chain_log_likelihood(ids: Sequence[int], logP: torch.Tensor) -> float:
    """log p of a sequence of ids: the sum of log P[previous, next] over its neighbours.

    The chain rule in logs. A word's probability is the product of its transitions'
    probabilities, which underflows to 0 for a long word in floating point; its log never does.
    """
    return math.fsum(float(logP[a, b]) for a, b in zip(ids, ids[1:]))


def scientific(log_p: float, digits: int = 3) -> tuple[float, int]:
    """p = m x 10 ** e from log p (natural log), with 1 <= m < 10 rounded to ``digits`` decimals.

    Works in logs, so a probability far below the smallest float (1e-308) is still written out;
    p = 0 (log p = -inf) gives (0.0, 0).
    """
    if log_p == -math.inf:
        return 0.0, 0
    log10 = log_p / math.log(10)
    e = math.floor(log10)
    m = round(10 ** (log10 - e), digits)
    if m >= 10:  # 9.9996 rounds up to 10.000: carry into the exponent
        m, e = round(m / 10, digits), e + 1
    return m, e


@dataclass
class WordScore:
    """One word's bigrams with their probabilities: the chain rule written out."""

    word: str
    pairs: list[PairScore]

    @property
    def log_likelihood(self) -> float:
        """log p(word): the sum of its bigrams' log-probabilities."""
        return math.fsum(p.logprob for p in self.pairs)

    @property
    def nll(self) -> float:
        return -self.log_likelihood / len(self.pairs)

    def probability(self, digits: int = 3) -> tuple[float, int]:
        """p(word) as (mantissa, exponent of 10), computed from the log-likelihood: exact for any length."""
        return scientific(self.log_likelihood, digits)

    @property
    def culprit(self) -> PairScore | None:
        """The first bigram with probability 0, which makes the word impossible."""
        return next((p for p in self.pairs if p.prob == 0.0), None)

    def to_dict(self) -> dict:
        return {
            "word": self.word,
            "nll": self.nll,
            "log_likelihood": self.log_likelihood,
            "pairs": [p.to_dict() for p in self.pairs],
        }


def score_word(word: str, logP: torch.Tensor, vocab: Vocab) -> WordScore:
    """Each bigram of ``.word.`` with p(next | previous) and its log, from logP (V x V)."""
    word = word.strip()
    if not word:
        raise BigramError("type a word to score")
    ids = [0, *vocab.encode(word), 0]
    pairs = []
    for a, b in zip(ids, ids[1:]):
        lp = float(logP[a, b])
        pairs.append(PairScore(vocab.pair_label(a, b), math.exp(lp), lp))
    return WordScore(word, pairs)
