"""An exercise beyond the lecture: comparing two word lists.

Two lists (baby names against surnames, say) are compared on one shared vocabulary. The
bigrams that most distinguish them are those whose share of all bigrams differs most, as a
log-ratio (smoothed so that a bigram missing from one list does not divide by zero); each
list's model is also scored on the other list.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from .counting import count_bigrams, score_counts, smoothed_log_probabilities
from .errors import BigramError
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

    la, lb = smoothed_log_probabilities(N_a, k), smoothed_log_probabilities(N_b, k)

    def nll(M, logP, words):
        return score_counts(M, logP, vocab, words).nll

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
