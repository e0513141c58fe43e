"""Looking inside the neural bigram model: the numbers the app shows next to its explanations.

Each helper answers one of the learner's questions with a computation rather than a claim:

* ``forward_one``: what the net does with one input symbol: one-hot vector, ``one_hot(x) @ W``
  (which is just row x of W), exp ("counts"), normalise (probabilities): softmax, spelled out.
* ``compare_methods``: one-hot, row indexing and counts give the same loss and gradient (E04, E05),
  and how long each takes.
* ``largest_gap``: where the trained net's probabilities differ most from the counting model's.
* ``mean_row_entropy``: how spread out the rows are; uniform rows have entropy log V.
* ``regularisation_sweep`` and ``equivalent_smoothing``: regularisation pulls W towards 0, every
  row towards uniform, just as add-k smoothing does; for each strength, which k gives the same loss.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .counting import smoothed_log_probabilities
from .errors import BigramError
from .neural import METHODS, TrainingData, loss_and_grad, net_probabilities


@dataclass
class ForwardPass:
    """One input symbol x through the net, step by step (all vectors of size V)."""

    x: int
    xenc: torch.Tensor  # F.one_hot(x, V).float(): a single 1 at position x
    logits_onehot: torch.Tensor  # xenc @ W
    logits_index: torch.Tensor  # W[x]: the same numbers, without the multiplication
    counts: torch.Tensor  # exp(logits): positive "fake counts"
    probs: torch.Tensor  # counts / counts.sum(): softmax(W[x])

    @property
    def pluck_error(self) -> float:
        """max |one_hot(x) @ W - W[x]|: zero, because the one-hot vector selects one row."""
        return float((self.logits_onehot - self.logits_index).abs().max())


def forward_one(W: torch.Tensor, x: int) -> ForwardPass:
    V = W.shape[0]
    if not 0 <= x < V:
        raise BigramError(f"the symbol id must be between 0 and {V - 1}, got {x}")
    W = W.detach().float()
    xenc = F.one_hot(torch.tensor(x), num_classes=V).float()  # float, because it multiplies a float W
    logits = xenc @ W  # log-counts
    counts = logits.exp()
    return ForwardPass(
        x=x, xenc=xenc, logits_onehot=logits, logits_index=W[x].clone(), counts=counts, probs=counts / counts.sum()
    )


@dataclass
class MethodCheck:
    method: str
    loss: float
    nll: float
    max_grad_diff: float  # largest |grad - reference grad| over W, the reference being the first method checked
    ms_per_call: float  # one loss-and-gradient evaluation, the cost of one training step


def compare_methods(
    W: torch.Tensor,
    data: TrainingData,
    reg: float,
    methods: Sequence[str] = METHODS,
    repeats: int = 3,
    budget_s: float = 2.0,
) -> list[MethodCheck]:
    """Loss and gradient at W by each method, their disagreement, and the time each takes per call.

    Each method is called once to warm up, then timed over up to ``repeats`` calls (fewer if
    they exceed ``budget_s``); cheap methods get more calls so their time is not just noise.
    """
    results: list[MethodCheck] = []
    reference = None
    for method in methods:
        loss, nll, grad = loss_and_grad(W, data, reg, method)
        if reference is None:
            reference = grad
        calls, start = 0, time.perf_counter()
        target = repeats
        while calls < target:
            loss_and_grad(W, data, reg, method)
            calls += 1
            elapsed = time.perf_counter() - start
            if calls == 1 and elapsed < 0.002:
                target = max(repeats, 100)  # a fast method: time many calls
            if elapsed > budget_s:
                break
        seconds = (time.perf_counter() - start) / calls
        results.append(MethodCheck(method, loss, nll, float((grad - reference).abs().max()), seconds * 1000))
    return results


@dataclass
class Gap:
    row: int
    col: int
    net: float
    counts: float

    @property
    def difference(self) -> float:
        return self.net - self.counts


def largest_gap(P_net: torch.Tensor, P_counts: torch.Tensor) -> Gap:
    """The bigram (row, col) where |P_net - P_counts| is largest, with both probabilities."""
    if P_net.shape != P_counts.shape:
        raise BigramError(f"the matrices differ in shape: {tuple(P_net.shape)} and {tuple(P_counts.shape)}")
    D = (P_net.double() - P_counts.double()).abs()
    flat = int(torch.argmax(D))
    i, j = divmod(flat, D.shape[1])
    return Gap(i, j, float(P_net[i, j]), float(P_counts[i, j]))


def mean_row_entropy(P: torch.Tensor, weights: torch.Tensor | None = None) -> float:
    """Average entropy (nats) of the rows of P; with ``weights`` (e.g. row counts) a weighted average.

    A row that puts all its mass on one symbol has entropy 0; a uniform row has log V, the most possible.
    """
    P = P.double()
    ent = -(torch.where(P > 0, P * P.log(), torch.zeros_like(P))).sum(1)
    if weights is None:
        return float(ent.mean())
    w = weights.double()
    return float((ent * w).sum() / w.sum())


@dataclass
class RegPoint:
    reg: float
    loss: float  # NLL + reg * mean(W ** 2)
    nll: float  # the data term alone
    entropy: float  # average row entropy of softmax(W), weighted by how often each row is used
    P: torch.Tensor  # softmax(W)


def regularisation_sweep(
    data: TrainingData, regs: Sequence[float], steps: int = 500, lr: float = 0.5
) -> list[RegPoint]:
    """Train the net to convergence at each regularisation strength (counts form, Adam: fast).

    The counts form costs the same whatever the list's length, and Adam at lr 0.5 settles in a few
    hundred steps on these problems, so the whole sweep takes well under a second for 27 symbols.
    """
    from .compare import fit_weights  # the same fit the smoothing-regularisation exchange rate uses

    weights = data.N.sum(1)
    points = []
    for reg in regs:
        W = fit_weights(data.N, float(reg), steps=steps, lr=lr)
        loss, nll, _ = loss_and_grad(W, data, float(reg), "counts")
        P = net_probabilities(W)
        points.append(RegPoint(float(reg), loss, nll, mean_row_entropy(P, weights), P))
    return points


def smoothed_nll(N: torch.Tensor, k: float) -> float:
    """The list's own NLL under add-k smoothed counts (float64)."""
    logP = smoothed_log_probabilities(N, k)
    used = N > 0
    return float(-(N.double()[used] * logP[used]).sum() / N.sum())


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
