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
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from .errors import BigramError
from .vocab import Vocab


def count_ids(ids: torch.Tensor, V: int) -> torch.Tensor:
    """N (V x V, int64) from an encoded id sequence: neighbours are the bigrams."""
    return torch.bincount(ids[:-1] * V + ids[1:], minlength=V * V).view(V, V)


def count_bigrams(words: Sequence[str], vocab: Vocab) -> torch.Tensor:
    """The bigram count matrix N of a word list, boundaries included."""
    return count_ids(vocab.encode_words(words), len(vocab))


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


def _check_k(k: float) -> float:
    k = float(k)
    if not math.isfinite(k) or k < 0:
        raise BigramError(f"smoothing must be a number >= 0, got {k}")
    return k


def smoothed_probabilities(N: torch.Tensor, k: float = 0.0) -> torch.Tensor:
    """P = (N + k) / (N + k).sum(1, keepdim=True) in float32, computed as the lecture does.

    float32 on purpose: ``torch.multinomial`` draws differently from float64 rows, and the
    sampler must reproduce the lecture's words. ``keepdim=True`` matters: without it the
    division broadcasts the row sums along the wrong axis (see ``keepdim_pitfall``).
    A row with no counts at k = 0 (a symbol never followed by anything) stays all zeros.
    """
    k = _check_k(k)
    P = (N + int(k)).float() if k == int(k) else N.float() + k
    sums = P.sum(1, keepdim=True)
    return torch.where(sums > 0, P / torch.where(sums > 0, sums, 1), 0.0)


def smoothed_log_probabilities(N: torch.Tensor, k: float = 0.0) -> torch.Tensor:
    """log P in float64, exact: log(N + k) - log(row sum + V k). Unseen bigrams at k = 0 give -inf."""
    k = _check_k(k)
    N64 = N.to(torch.float64) + k
    return N64.log() - N64.sum(1, keepdim=True).log()


def keepdim_pitfall(N: torch.Tensor, k: float = 0.0) -> torch.Tensor:
    """The wrong normalisation ``P / P.sum(1)`` (no keepdim), for showing why it is wrong.

    ``P.sum(1)`` has shape (V,); broadcasting aligns it with the last axis, so column j is
    divided by the sum of row j. Nothing errors, and because every row sum equals the
    matching column sum, the wrong matrix's columns sum to 1 where its rows should.
    """
    P = N.float() + _check_k(k)
    return P / P.sum(1)


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


def score_counts(M: torch.Tensor, logP: torch.Tensor, vocab: Vocab, words: int) -> Score:
    """The loss of bigram counts M under log-probabilities logP.

    The NLL of a list depends on it only through its counts: -sum(M * log P) / sum(M).
    Cells with M = 0 are left out, so an impossible bigram the list never uses costs nothing.
    """
    used = M > 0
    logp = logP.to(torch.float64)
    ll = float((M.to(torch.float64)[used] * logp[used]).sum())
    n = int(M.sum())
    impossible: list[tuple[str, int]] = []
    if not math.isfinite(ll):
        bad = (used & torch.isneginf(logp)).nonzero().tolist()
        impossible = sorted(((vocab.pair_label(i, j), int(M[i, j])) for i, j in bad), key=lambda t: -t[1])
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


@dataclass
class WordScore:
    """One word's bigrams with their probabilities: the chain rule written out."""

    word: str
    pairs: list[PairScore]

    @property
    def log_likelihood(self) -> float:
        return math.fsum(p.logprob for p in self.pairs)

    @property
    def nll(self) -> float:
        return -self.log_likelihood / len(self.pairs)

    def probability_decimal(self) -> tuple[float, int] | None:
        """The word's probability as (mantissa, exponent) of mantissa × 10^exponent, found from the summed logs:
        the product of the factors underflows to 0 in floating point for a long word. None when it is 0 exactly."""
        ll = self.log_likelihood
        if ll == -math.inf:
            return None
        log10 = ll / math.log(10)
        exponent = math.floor(log10)
        mantissa = 10 ** (log10 - exponent)
        if mantissa >= 9.9995:  # would print as 10.000
            mantissa, exponent = mantissa / 10, exponent + 1
        return mantissa, exponent

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
