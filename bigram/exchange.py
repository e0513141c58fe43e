"""Smoothing and regularisation are the same knob: how much smoothing a regulariser is worth.

Add-k smoothing pulls every row of P towards uniform by adding k fake counts to every cell; the
L2 penalty reg * mean(W ** 2) pulls W towards 0, i.e. every row of softmax(W) towards uniform.
For each regularisation strength a net is fitted (``neural.fit_weights``) and its smoothing
equivalent is found in two ways, computed side by side because they answer different questions:

* **same NLL** (``equivalent_smoothing``): the k whose smoothed counts score the list exactly as
  badly as the net does. It compares the two models by their loss, the number the pages plot.
* **closest in KL** (``closest_smoothing``): the k whose P is nearest softmax(W), in KL divergence
  weighted by how often each row is used. It compares the two models row by row.

They agree closely but not exactly: smoothing adds the same count to every cell, while the
regulariser's pull on a row depends on how often that row is used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from .counting import smoothed_log_probabilities, smoothed_nll, smoothed_probabilities
from .defaults import EXCHANGE_REGS, FIT_LR, FIT_STEPS
from .diagnostics import mean_row_entropy
from .neural import TrainingData, fit_weights, loss_and_grad, net_log_probabilities, net_probabilities

#: The k values searched for the closest smoothing: 0.001 to 1000, ten a decade.
SEARCH_KS = tuple(10 ** (e / 10) for e in range(-30, 31))


def closest_smoothing(
    N: torch.Tensor, W: torch.Tensor, ks: Sequence[float] = SEARCH_KS
) -> tuple[float, list[tuple[float, float]]]:
    """The k whose smoothed P is closest to softmax(W): weighted KL(softmax(W) || P_k) over rows.

    Returns the best k and the whole (k, divergence) curve.
    """
    Q = net_log_probabilities(W)
    weights = N.sum(1).double() / N.sum()
    curve = []
    for k in ks:
        kl = (Q.exp() * (Q - smoothed_log_probabilities(N, k))).sum(1)
        curve.append((float(k), float((weights * kl).sum())))
    best = min(curve, key=lambda t: t[1])[0]
    return best, curve


def equivalent_smoothing(N: torch.Tensor, nll: float, k_max: float = 1e7, iterations: int = 60) -> float | None:
    """The add-k smoothing whose NLL on the list equals ``nll``: the k that "costs" as much as a regulariser.

    The list's NLL rises with k from its k = 0 value (the optimum) towards log V (uniform rows),
    so a bisection on log k finds it; None if ``nll`` is outside that range.
    """
    lo_nll, hi_nll = smoothed_nll(N, 0.0), smoothed_nll(N, k_max)
    if not (math.isfinite(nll) and lo_nll <= nll <= hi_nll):
        return None
    if nll == lo_nll:
        return 0.0
    lo, hi = -12.0, math.log10(k_max)
    if smoothed_nll(N, 10**lo) > nll:
        return 10**lo
    for _ in range(iterations):
        mid = (lo + hi) / 2
        if smoothed_nll(N, 10**mid) < nll:
            lo = mid
        else:
            hi = mid
    return 10 ** ((lo + hi) / 2)


@dataclass
class Exchange:
    """A net fitted at one regularisation strength, and the smoothing it is worth by both definitions."""

    reg: float
    loss: float  # NLL + reg * mean(W ** 2)
    nll: float  # the data term alone
    entropy: float  # average row entropy of softmax(W), weighted by how often each row is used
    P: torch.Tensor  # softmax(W)
    k_same_nll: float | None  # the k whose own NLL equals the net's (None: no k reaches it)
    k_closest: float  # the k whose P is closest to softmax(W) in KL
    kl: float  # that smallest divergence

    def to_dict(self) -> dict:
        return {"reg": self.reg, "nll": self.nll, "k_same_nll": self.k_same_nll, "k": self.k_closest, "kl": self.kl}


def exchange_rates(
    N: torch.Tensor, regs: Sequence[float] = EXCHANGE_REGS, *, steps: int = FIT_STEPS, lr: float = FIT_LR
) -> list[Exchange]:
    """For each regularisation strength: W fitted near its optimum, and its smoothing equivalent both ways."""
    data = TrainingData.from_counts(N)
    weights = N.sum(1)
    points = []
    for reg in regs:
        W = fit_weights(N, float(reg), steps=steps, lr=lr)
        loss, nll, _ = loss_and_grad(W, data, float(reg), "counts")
        k, curve = closest_smoothing(N, W)
        P = net_probabilities(W)
        points.append(
            Exchange(
                float(reg), loss, nll, mean_row_entropy(P, weights), P, equivalent_smoothing(N, nll), k, dict(curve)[k]
            )
        )
    return points


def weakest_halfway_strongest(points: Sequence[Exchange]) -> tuple[Exchange, Exchange, Exchange]:
    """Three points to show side by side: the weakest pull, the strongest, and the one halfway between.

    Halfway is measured on the loss: the point whose NLL is closest to the mean of the two ends'
    NLLs, whatever the grid of strengths.
    """
    weakest, strongest = min(points, key=lambda p: p.reg), max(points, key=lambda p: p.reg)
    middle = (weakest.nll + strongest.nll) / 2
    halfway = min(points, key=lambda p: (abs(p.nll - middle), p.reg))
    return weakest, halfway, strongest


def uniform_nll(V: int) -> float:
    """log V: the NLL (and the entropy) of uniform rows over V symbols, where the strongest pull of either knob ends."""
    return math.log(V)


@dataclass
class RowAsRegGrows:
    """One row of softmax(W) at the weakest, halfway and strongest pulls, and the counts smoothed to match halfway."""

    weakest: Exchange
    halfway: Exchange
    strongest: Exchange
    rows: tuple[torch.Tensor, torch.Tensor, torch.Tensor]  # row x of softmax(W) at weakest, halfway, strongest
    k: float | None  # halfway's same-NLL smoothing, to 3 significant digits (as shown); None if no k reaches it
    smoothed: torch.Tensor | None  # row x of the counts smoothed with that k


def one_row_as_reg_grows(points: Sequence[Exchange], N: torch.Tensor, x: int) -> RowAsRegGrows:
    """Row x as the regulariser grows, beside the smoothing that costs as much as the halfway strength."""
    weakest, halfway, strongest = weakest_halfway_strongest(points)
    k = None if halfway.k_same_nll is None else float(f"{halfway.k_same_nll:.3g}")
    return RowAsRegGrows(
        weakest,
        halfway,
        strongest,
        (weakest.P[x], halfway.P[x], strongest.P[x]),
        k,
        None if k is None else smoothed_probabilities(N, k)[x],
    )
