"""Exercises beyond the lecture: comparing two word lists, and smoothing against regularisation.

Two lists (baby names against surnames, say) are compared on one shared vocabulary. The
bigrams that most distinguish them are those whose share of all bigrams differs most, as a
log-ratio (smoothed so that a bigram missing from one list does not divide by zero); each
list's model is also scored on the other list.

Smoothing and regularisation are the same knob: add-k smoothing pulls every row of P towards
uniform by adding fake counts; the L2 penalty reg * mean(W ** 2) pulls W towards 0, i.e.
softmax(W) towards uniform. For a regularisation strength, the k whose P is closest to
softmax(W) (in KL divergence, weighted by how often each row is used) shows the exchange rate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from .counting import count_bigrams, score_counts
from .errors import BigramError
from .neural import Trainer, TrainingData
from .vocab import Vocab


@dataclass
class Comparison:
    vocab: Vocab
    N_a: torch.Tensor
    N_b: torch.Tensor
    log_ratio: torch.Tensor  # log(share in a / share in b) per bigram, smoothed
    a_on_b: float  # NLL of list b under list a's model (smoothing k)
    b_on_a: float
    a_on_a: float
    b_on_b: float
    k: float

    def most_distinctive(self, n: int = 15, of: str = "a") -> list[tuple[str, float, int, int]]:
        """(bigram, log-ratio in favour of ``of``, count in a, count in b): the bigrams most typical of list ``of``.

        Ranked by their contribution to the KL divergence between the lists' bigram shares,
        share_own * log(share_own / share_other): frequent and lopsided beats rare and lopsided.
        """
        sign = 1.0 if of == "a" else -1.0
        own = self.N_a if of == "a" else self.N_b
        share = own.double() / own.sum()
        contribution = share * sign * self.log_ratio
        score = torch.where(
            (own >= 2) & (sign * self.log_ratio > 0), contribution, torch.tensor(-math.inf, dtype=self.log_ratio.dtype)
        )
        flat = score.flatten()
        n = min(n, int(torch.isfinite(flat).sum()))
        order = torch.sort(flat, descending=True, stable=True).indices[:n]
        V = len(self.vocab)
        ratio = (sign * self.log_ratio).flatten()  # positive: how many nats more frequent in the list ``of``
        return [
            (
                self.vocab.pair_label(int(i) // V, int(i) % V),
                float(ratio[i]),
                int(self.N_a.flatten()[i]),
                int(self.N_b.flatten()[i]),
            )
            for i in order
        ]


def compare_lists(a: Sequence[str], b: Sequence[str], k: float = 1.0, prior: float = 0.5) -> Comparison:
    """Compare two lists on their joint vocabulary; ``k`` smooths the cross-scoring, ``prior`` the log-ratios."""
    if not a or not b:
        raise BigramError("both lists need words to compare")
    vocab = Vocab.from_words(list(a) + list(b))
    N_a, N_b = count_bigrams(a, vocab), count_bigrams(b, vocab)
    V2 = N_a.numel()
    share_a = (N_a.double() + prior) / (N_a.sum() + prior * V2)
    share_b = (N_b.double() + prior) / (N_b.sum() + prior * V2)

    def logp(N):
        M = N.double() + k
        return M.log() - M.sum(1, keepdim=True).log()

    la, lb = logp(N_a), logp(N_b)
    nll = lambda M, L, n: score_counts(M, L, vocab, n).nll  # noqa: E731
    return Comparison(
        vocab=vocab,
        N_a=N_a,
        N_b=N_b,
        log_ratio=share_a.log() - share_b.log(),
        a_on_b=nll(N_b, la, len(b)),
        b_on_a=nll(N_a, lb, len(a)),
        a_on_a=nll(N_a, la, len(a)),
        b_on_b=nll(N_b, lb, len(b)),
        k=k,
    )


DEFAULT_KS = tuple(10 ** (e / 10) for e in range(-30, 31))  # 0.001 ... 1000, ten per decade


def fit_weights(N: torch.Tensor, reg: float, steps: int = 600, lr: float = 0.3, seed: int = 2147483647) -> torch.Tensor:
    """W trained close to its optimum for this regularisation (counts form, Adam): fast on any list size."""
    data = TrainingData(xs=torch.empty(0, dtype=torch.int64), ys=torch.empty(0, dtype=torch.int64), N=N, V=N.shape[1])
    t = Trainer(data, lr=lr, reg=reg, seed=seed, method="counts", optimizer="adam")
    t.run(steps)
    return t.W


def closest_smoothing(
    N: torch.Tensor, W: torch.Tensor, ks: Sequence[float] = DEFAULT_KS
) -> tuple[float, list[tuple[float, float]]]:
    """The k whose smoothed P is closest to softmax(W): weighted KL(softmax(W) || P_k) over rows.

    Returns the best k and the whole (k, divergence) curve.
    """
    Q = W.double().log_softmax(1)
    weights = N.sum(1).double() / N.sum()
    curve = []
    for k in ks:
        M = N.double() + k
        logP = M.log() - M.sum(1, keepdim=True).log()
        kl = (Q.exp() * (Q - logP)).sum(1)
        curve.append((float(k), float((weights * kl).sum())))
    best = min(curve, key=lambda t: t[1])[0]
    return best, curve


def smoothing_for_regularisation(
    N: torch.Tensor, regs: Sequence[float], steps: int = 600
) -> list[tuple[float, float, float]]:
    """(reg, closest k, its divergence) for each regularisation strength."""
    out = []
    for r in regs:
        W = fit_weights(N, r, steps)
        k, curve = closest_smoothing(N, W)
        out.append((float(r), k, dict(curve)[k]))
    return out
