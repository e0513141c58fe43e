"""Looking inside the neural bigram model: the numbers the app shows next to its explanations.

Each helper answers one of the learner's questions with a computation rather than a claim:

* ``forward_one``: what the net does with one input symbol: one-hot vector, ``one_hot(x) @ W``
  (which is just row x of W), exp ("counts"), normalise (probabilities): softmax, spelled out.
* ``compare_methods``: one-hot, row indexing and counts give the same loss and gradient (E04, E05),
  and how long each takes.
* ``largest_gap``: where the trained net's probabilities differ most from the counting model's;
  ``net_against_counts``: softmax(W) beside the counting model's P, their difference and that gap.
* ``mean_row_entropy``: how spread out the rows are; uniform rows have entropy log V.

What a regulariser is worth in smoothing is in ``bigram.exchange``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

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
    counts_model: torch.Tensor | None = None  # row x of the counting model's P, when given: where training leads

    @property
    def pluck_error(self) -> float:
        """max |one_hot(x) @ W - W[x]|: zero, because the one-hot vector selects one row."""
        return float((self.logits_onehot - self.logits_index).abs().max())

    @property
    def total(self) -> float:
        """The sum of the row's counts: what softmax divides them by so that p sums to 1."""
        return float(self.counts.sum())

    def columns(self, ids: Sequence[int]) -> dict[str, list[float]]:
        """Each step's vector at the next symbols ``ids``, as plain floats: one column of a table per step."""
        names = ("logits_onehot", "logits_index", "counts", "probs") + (
            ("counts_model",) if self.counts_model is not None else ()
        )
        return {name: [float(getattr(self, name)[j]) for j in ids] for name in names}


def forward_one(W: torch.Tensor, x: int, P_counts: torch.Tensor | None = None) -> ForwardPass:
    """Symbol x through the net at W; with ``P_counts`` (the counting model's P) its row x rides along."""
    V = W.shape[0]
    if not 0 <= x < V:
        raise BigramError(f"the symbol id must be between 0 and {V - 1}, got {x}")
    if P_counts is not None and tuple(P_counts.shape) != (V, V):
        raise BigramError(f"P must be {V} x {V} like W, got {tuple(P_counts.shape)}")
    W = W.detach().float()
    xenc = F.one_hot(torch.tensor(x), num_classes=V).float()  # float, because it multiplies a float W
    logits = xenc @ W  # log-counts
    counts = logits.exp()
    return ForwardPass(
        x=x,
        xenc=xenc,
        logits_onehot=logits,
        logits_index=W[x].clone(),
        counts=counts,
        probs=counts / counts.sum(),
        counts_model=None if P_counts is None else P_counts[x].clone(),
    )


@dataclass
class MethodCheck:
    method: str
    loss: float
    nll: float
    max_grad_diff: float  # largest |grad - reference grad| over W, the reference being the first method checked
    ms_per_call: float  # one loss-and-gradient evaluation, the cost of one training step
    loss_diff: float = 0.0  # |loss - reference loss|, the same reference
    times_fastest: float = 1.0  # ms_per_call over the fastest method's: how many times slower than it


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
    fastest = min((c.ms_per_call for c in results), default=0.0)
    for c in results:
        c.loss_diff = abs(c.loss - results[0].loss)
        c.times_fastest = c.ms_per_call / fastest if fastest > 0 else 1.0
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


@dataclass
class NetAgainstCounts:
    """The trained net's probabilities beside the counting model's: what training reached and what it aimed at."""

    P_net: torch.Tensor  # softmax(W)
    P_counts: torch.Tensor  # the counting model's P (k = 0: the optimum the net converges to without regulariser)
    difference: torch.Tensor  # P_net - P_counts: negative where the net gives less
    gap: Gap  # the bigram where they differ most

    def row(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Row i of both: p(next | symbol i) under the net and under the counts."""
        return self.P_net[i], self.P_counts[i]


def net_against_counts(W: torch.Tensor, P_counts: torch.Tensor) -> NetAgainstCounts:
    """softmax(W) against P: their difference cell by cell and the largest gap."""
    P_net = net_probabilities(W)
    gap = largest_gap(P_net, P_counts)  # checks the shapes
    return NetAgainstCounts(P_net, P_counts, P_net - P_counts.to(P_net.dtype), gap)


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
