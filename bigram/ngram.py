"""Longer contexts (exercise E01): predict the next symbol from the previous 1, 2 or 3.

Context c = 1 is the bigram model; c = 2 a trigram model; c = 3 a 4-gram model. The count
table has one row per context (V ** c rows, a context's ids read as a number in base V)
and one column per next symbol.

How the word is padded changes what is predicted, and is why published trigram losses
disagree for the same list:

* ``full`` padding puts c boundary tokens before the word (``..emma.`` for c = 2): every
  symbol and the end are predicted, len + 1 predictions a word, as in the bigram model, and
  words can be sampled from the all-boundary start context.
* ``single`` padding keeps one boundary token (``.emma.``) and predicts only where a whole
  context fits: the first c - 1 symbols of each word (the hardest ones, the word's start) are
  never predicted, so the average loss looks lower. Such a model cannot start a word, so it
  is not sampled from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from .counting import Score, score_counts, smoothed_log_probabilities, smoothed_probabilities
from .defaults import SAMPLE_SEED, SMOOTHING_GRID, SPLIT_FRACTIONS, SPLIT_SEED
from .errors import BigramError
from .limits import NGRAM_MAX_CELLS
from .split import split_words
from .vocab import Vocab

PADDINGS = ("full", "single")
CONTEXTS = (1, 2, 3)
#: The count table may hold at most this many cells (V ** c * V), 160 MB as int64.
MAX_CELLS = NGRAM_MAX_CELLS


@dataclass
class Windows:
    """Every prediction of a word list: the context's row index and the symbol that followed."""

    contexts: torch.Tensor  # int64 row index into the (V ** c, V) table
    targets: torch.Tensor  # int64 next-symbol id


@dataclass(frozen=True)
class PaddedWord:
    """One word as a model with a given context and padding reads it."""

    text: str  # the word with its boundary tokens: "..emma." (full padding, c = 2) or ".emma." (single)
    predictions: int  # how many of its symbols, the end included, are predicted
    unscored: int  # how many are never predicted: none with full padding, the first c - 1 with single (if so long)


def pad_word(word: str, context: int = 1, padding: str = "full", boundary: str = ".") -> PaddedWord:
    """How ``windows`` pads ``word`` and how many predictions it makes of it, written out for one word."""
    if padding not in PADDINGS:
        raise BigramError(f"padding must be one of {', '.join(PADDINGS)}, got {padding!r}")
    every = len(word) + 1  # each symbol and the end
    if padding == "full":
        return PaddedWord(boundary * context + word + boundary, every, 0)
    # single: only the positions with a whole context before them (boundary, word, boundary: len + 2 symbols)
    predictions = max(len(word) + 2 - context, 0)
    return PaddedWord(boundary + word + boundary, predictions, every - predictions)


def check_size(V: int, context: int) -> None:
    if context not in CONTEXTS:
        raise BigramError(f"the context must be 1, 2 or 3 symbols, got {context}")
    cells = V**context * V
    if cells > MAX_CELLS:
        raise BigramError(
            f"a context of {context} over {V:,} symbols needs a table of {cells:,} cells, "
            f"more than the limit of {MAX_CELLS:,}; use a shorter context or a smaller alphabet"
        )


def windows(words: Sequence[str], vocab: Vocab, context: int = 1, padding: str = "full") -> Windows:
    """All (context, next symbol) pairs of the words, vectorised over the whole list."""
    if padding not in PADDINGS:
        raise BigramError(f"padding must be one of {', '.join(PADDINGS)}, got {padding!r}")
    V = len(vocab)
    check_size(V, context)
    seq = vocab.encode_words(words)  # . w1 . w2 . ... .
    boundary = seq == 0
    if padding == "full" and context > 1:
        # Repeat every boundary c times: ...a . . . o l i v i a . . . ; the first copy after a word is its end
        # token (a prediction), the other copies are padding for the next word's start.
        repeats = torch.where(boundary, context, 1)
        starts = torch.cumsum(repeats, 0) - repeats  # where each original position begins
        is_first_copy = torch.zeros(int(repeats.sum()), dtype=torch.bool)
        is_first_copy[starts] = True
        seq_b = boundary.repeat_interleave(repeats)
        seq = seq.repeat_interleave(repeats)
        target_ok = ~seq_b | is_first_copy  # letters, and the first boundary copy (a word's end)
        target_ok[:context] = False  # the opening padding predicts nothing
    else:
        target_ok = torch.ones(seq.numel(), dtype=torch.bool)
        target_ok[0] = False
    n = seq.numel()
    if n <= context:
        return Windows(torch.empty(0, dtype=torch.int64), torch.empty(0, dtype=torch.int64))
    win = seq.unfold(0, context, 1)[: n - context]  # win[t] is the context of position t + context
    targets = seq[context:]
    ok = target_ok[context:].clone()
    if padding == "single" and context > 1:
        # A boundary may only be the first symbol of a context: elsewhere the window spans two words.
        ok &= ~(win[:, 1:] == 0).any(1)
    weights = V ** torch.arange(context - 1, -1, -1)
    rows = (win * weights).sum(1)
    return Windows(rows[ok], targets[ok])


def count_windows(w: Windows, V: int, context: int) -> torch.Tensor:
    """The (V ** context, V) count table of the predictions: one bincount over ``row * V + next``."""
    return torch.bincount(w.contexts * V + w.targets, minlength=V**context * V).view(V**context, V)


@dataclass
class NgramModel:
    """Counts of next symbols after each context, for one padding."""

    vocab: Vocab
    context: int
    padding: str
    N: torch.Tensor  # (V ** context, V) int64
    words: int

    @classmethod
    def from_words(
        cls, words: Sequence[str], context: int = 1, padding: str = "full", vocab: Vocab | None = None
    ) -> NgramModel:
        if not words:
            raise BigramError("the word list is empty")
        vocab = vocab or Vocab.from_words(words)
        N = count_windows(windows(words, vocab, context, padding), len(vocab), context)
        return cls(vocab=vocab, context=context, padding=padding, N=N, words=len(words))

    @property
    def V(self) -> int:
        return len(self.vocab)

    @property
    def predictions(self) -> int:
        return int(self.N.sum())

    @property
    def contexts_seen(self) -> int:
        """How many contexts (rows of N) occur in the counted words: the rest of the V ** c rows are empty."""
        return int((self.N.sum(1) > 0).sum())

    def context_label(self, row: int) -> str:
        ids = []
        for _ in range(self.context):
            ids.append(row % self.V)
            row //= self.V
        return "".join(self.vocab.itos[i] for i in reversed(ids))

    def context_row(self, text: str) -> int:
        """The row of a context typed as symbols, the boundary written with the vocabulary's label."""
        b = self.vocab.boundary
        ids = []
        rest = text
        while rest:
            if rest.startswith(b):
                ids.append(0)
                rest = rest[len(b) :]
            else:
                ids.extend(self.vocab.encode(rest[0]))
                rest = rest[1:]
        if len(ids) != self.context:
            raise BigramError(f"a context here is {self.context} symbols, got {text!r}")
        row = 0
        for i in ids:
            row = row * self.V + i
        return row

    def log_probabilities(self, k: float = 0.0) -> torch.Tensor:
        """log P (float64) with add-k smoothing; a context never seen has no probabilities at k = 0 (-inf)."""
        return smoothed_log_probabilities(self.N, k)

    def probabilities(self, k: float = 0.0) -> torch.Tensor:
        return smoothed_probabilities(self.N, k)

    def evaluate(self, words: Sequence[str], k: float = 0.0, logP: torch.Tensor | None = None) -> Score:
        """Average NLL per prediction of ``words`` (same context and padding), float64."""
        if not words:
            raise BigramError("there are no words to evaluate")
        M = count_windows(windows(words, self.vocab, self.context, self.padding), self.V, self.context)
        logP = self.log_probabilities(k) if logP is None else logP
        return score_counts(
            M,
            logP,
            self.vocab,
            len(words),
            label=lambda row, col: self.context_label(row) + self.vocab.itos[col],
            max_impossible=20,
        )

    def top_contexts(self, n: int = 20) -> list[tuple[str, int]]:
        sums = self.N.sum(1)
        n = min(n, int((sums > 0).sum()))
        order = torch.sort(sums, descending=True, stable=True).indices[:n]
        return [(self.context_label(int(r)), int(sums[r])) for r in order]

    def sample(self, n: int = 10, *, k: float = 1.0, seed: int = SAMPLE_SEED, max_len: int = 50) -> list[str]:
        """Words drawn one symbol at a time from the all-boundary start context (full padding only)."""
        if self.padding != "full":
            raise BigramError(
                "a model with single padding never learned how words start, so it cannot sample words; use full padding"
            )
        if n < 0 or max_len < 1:
            raise BigramError("the number of samples must be >= 0 and the maximum length >= 1")
        P = self.probabilities(k)
        g = torch.Generator().manual_seed(int(seed))
        V = self.V
        out = []
        for _ in range(n):
            ctx = [0] * self.context
            word = []
            while len(word) < max_len:
                row = 0
                for i in ctx:
                    row = row * V + i
                p = P[row]
                if float(p.sum()) <= 0:
                    break  # a context never seen at k = 0: nothing to draw from
                ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
                if ix == 0:
                    break
                word.append(ix)
                ctx = ctx[1:] + [ix]
            out.append(self.vocab.decode(word))
        return out


def training_data(words: Sequence[str], vocab: Vocab, context: int = 1, padding: str = "full"):
    """The neural model's data for a longer context: W gets one row per context (V ** c rows).

    Row indexing W[context] is the one-hot product of the lecture with a one-hot over
    contexts, so the ``index`` and ``counts`` methods apply unchanged (``onehot`` would build a
    V ** c wide one-hot per prediction: fine for c = 1, wasteful beyond).
    """
    from .neural import TrainingData

    w = windows(words, vocab, context, padding)
    V = len(vocab)
    return TrainingData(xs=w.contexts, ys=w.targets, N=count_windows(w, V, context), V=V)


def tune_smoothing(
    train: Sequence[str],
    dev: Sequence[str],
    ks: Sequence[float],
    context: int = 1,
    padding: str = "full",
    vocab: Vocab | None = None,
) -> list[tuple[float, float, float]]:
    """(k, train NLL, dev NLL) for each k: the model counted on train only (exercise E03)."""
    model = NgramModel.from_words(train, context, padding, vocab=vocab)
    return [(k, model.evaluate(train, k).nll, model.evaluate(dev, k).nll) for k in ks]


def best_k(curve: Sequence[tuple[float, float, float]]) -> tuple[float, float]:
    """The k with the lowest dev NLL (the first one on ties), and that NLL."""
    k, _, dev = min(curve, key=lambda t: (t[2], t[0]))
    return k, dev


@dataclass(frozen=True)
class Tuning:
    """Exercises E02 and E03 for one context and padding: the sweep on dev, the chosen k, and test evaluated once."""

    context: int
    padding: str
    split_seed: int
    sizes: tuple[int, int, int]  # train, dev, test
    curve: list[tuple[float, float, float]]  # (k, train NLL, dev NLL)
    best_k: float
    dev_nll: float
    train_nll: float
    test_nll: float

    def to_dict(self) -> dict:
        return {
            "context": self.context,
            "padding": self.padding,
            "split_seed": self.split_seed,
            "sizes": dict(zip(("train", "dev", "test"), self.sizes)),
            "curve": [{"k": k, "train": tr, "dev": dv} for k, tr, dv in self.curve],
            "best_k": self.best_k,
            "dev_nll": self.dev_nll,
            "train_nll": self.train_nll,
            "test_nll": self.test_nll,
        }


def tune(
    words: Sequence[str],
    context: int = 1,
    padding: str = "full",
    *,
    split_seed: int = SPLIT_SEED,
    ks: Sequence[float] = SMOOTHING_GRID,
    vocab: Vocab | None = None,
) -> Tuning:
    """The tuning workflow: split 80/10/10 (seeded), count on train, choose k on dev, evaluate test once.

    One vocabulary (of the whole list unless given) covers all three parts, so dev and test never
    hold an unknown symbol. Choosing k by its test loss would make the test set a second dev set:
    test is scored at the chosen k only.
    """
    vocab = vocab or Vocab.from_words(words)
    check_size(len(vocab), context)
    train, dev, test = split_words(words, SPLIT_FRACTIONS, seed=split_seed, min_each=1)  # says how many it needs
    curve = tune_smoothing(train, dev, ks, context, padding, vocab=vocab)
    k, dev_nll = best_k(curve)
    model = NgramModel.from_words(train, context, padding, vocab=vocab)
    return Tuning(
        context=context,
        padding=padding,
        split_seed=int(split_seed),
        sizes=(len(train), len(dev), len(test)),
        curve=curve,
        best_k=k,
        dev_nll=dev_nll,
        train_nll=model.evaluate(train, k).nll,
        test_nll=model.evaluate(test, k).nll,
    )
