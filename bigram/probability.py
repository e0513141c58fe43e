"""Probability basics read off the count matrix, for the learner's questions behind the chain rule.

N holds every bigram of the list, so dividing by different sums gives the textbook quantities:

* joint        p(a, b) = N[a, b] / N.sum()         (how often the pair occurs among all pairs)
* marginal     p(a)    = N[a, :].sum() / N.sum()    (marginalisation: sum the joint over b)
* conditional  p(b | a) = N[a, b] / N[a, :].sum()   (= p(a, b) / p(a): a row of P)
* Bayes' rule  p(a | b) = p(b | a) p(a) / p(b)      (read the table backwards: which symbols come before b)
* independence would mean p(a, b) = p(a) p(b); the ratio shows how far from that the letters are.

And one piece of linear algebra: P is a stochastic matrix (rows sum to 1), so it has the
eigenvalue 1, and its left eigenvector for 1 (an eigenvector of P transposed) is the chain's
stationary distribution. Because each symbol's row sum equals its column sum, that distribution
is just each symbol's share of all bigrams.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .errors import BigramError


@dataclass
class PairFacts:
    joint: float  # p(a, b)
    p_a: float  # p(first = a)
    p_b: float  # p(second = b)
    b_given_a: float  # p(b | a)
    a_given_b: float  # p(a | b), by Bayes' rule
    a_given_b_direct: float  # the same, read off column b directly
    independence_ratio: float  # p(a, b) / (p(a) p(b)): 1 if the two were independent


def pair_facts(N: torch.Tensor, a: int, b: int) -> PairFacts:
    """Joint, marginal, conditional and Bayes for the pair (a, b), in float64."""
    M = N.double()
    total = M.sum()
    if total <= 0:
        raise BigramError("the count matrix is empty")
    p_a = float(M[a].sum() / total)
    p_b = float(M[:, b].sum() / total)
    joint = float(M[a, b] / total)
    b_given_a = joint / p_a if p_a else 0.0
    a_given_b = b_given_a * p_a / p_b if p_b else 0.0
    direct = float(M[a, b] / M[:, b].sum()) if M[:, b].sum() else 0.0
    ratio = joint / (p_a * p_b) if p_a and p_b else 0.0
    return PairFacts(joint, p_a, p_b, b_given_a, a_given_b, direct, ratio)


@dataclass
class Stationary:
    eigenvalue: complex  # the eigenvalue found closest to 1
    vector: torch.Tensor  # its eigenvector, normalised to sum to 1 (float64)
    shares: torch.Tensor  # each symbol's share of all bigrams (row sum / total)

    @property
    def max_difference(self) -> float:
        return float((self.vector - self.shares).abs().max())


def stationary_distribution(P: torch.Tensor, N: torch.Tensor) -> Stationary:
    """The left eigenvector of P for eigenvalue 1 (``torch.linalg.eig(P.T)``), against the symbols' shares."""
    values, vectors = torch.linalg.eig(P.double().T)
    i = int((values - 1).abs().argmin())
    v = vectors[:, i].real
    v = v / v.sum()
    shares = N.double().sum(1) / N.double().sum()
    return Stationary(eigenvalue=complex(values[i]), vector=v, shares=shares)
