"""The lecture's plain way, written out here so the benchmark measures it and not the package.

Each function follows "makemore, part 1" as a learner types it in a notebook: Python loops
over words and bigrams, one tensor update or lookup per bigram, the one-hot matmul with
``exp`` and a row normalisation, one ``torch.multinomial`` call per character. Nothing here
imports ``bigram``: these are the baselines the package is compared with, and the checks in
``run.py`` compare their numbers with the package's.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def vocabulary(words: list[str]) -> tuple[dict[str, int], list[str]]:
    """stoi and itos as in the lecture: '.' is 0, the characters follow in sorted order."""
    chars = sorted(set("".join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    itos = {i: s for s, i in stoi.items()}
    return stoi, [itos[i] for i in range(len(itos))]


def count(words: list[str], stoi: dict[str, int]) -> torch.Tensor:
    """N, one tensor increment per bigram: ``N[ix1, ix2] += 1``."""
    V = len(stoi)
    N = torch.zeros((V, V), dtype=torch.int32)
    for w in words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            N[stoi[ch1], stoi[ch2]] += 1
    return N


def probabilities(N: torch.Tensor, k: int = 1) -> torch.Tensor:
    """P = (N + k) normalised row by row (float32, keepdim=True), as in the lecture."""
    P = (N + k).float()
    return P / P.sum(1, keepdim=True)


def nll(words: list[str], P: torch.Tensor, stoi: dict[str, int], exact: bool = False) -> float:
    """Average NLL per bigram: a loop over every bigram with a float32 running sum, as in the lecture.

    ``exact=True`` adds the same log-probabilities as Python floats (float64) instead: not the
    lecture's way, only there to show that the two ways differ by the float32 sum alone.
    """
    log_likelihood = 0.0
    n = 0
    for w in words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            prob = P[stoi[ch1], stoi[ch2]]
            logprob = torch.log(prob)
            log_likelihood += logprob.item() if exact else logprob
            n += 1
    return float(-log_likelihood / n)


def training_set(words: list[str], stoi: dict[str, int]) -> tuple[torch.Tensor, torch.Tensor]:
    """xs (inputs) and ys (targets): every bigram, appended one by one."""
    xs, ys = [], []
    for w in words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            xs.append(stoi[ch1])
            ys.append(stoi[ch2])
    return torch.tensor(xs), torch.tensor(ys)


def init(V: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn((V, V), generator=g, requires_grad=True)


def loss(W: torch.Tensor, xs: torch.Tensor, ys: torch.Tensor, reg: float) -> torch.Tensor:
    """Forward pass: one-hot, matmul, exp (counts), normalise (probs), mean NLL + reg * mean(W**2)."""
    V = W.shape[0]
    xenc = F.one_hot(xs, num_classes=V).float()
    logits = xenc @ W  # log-counts
    counts = logits.exp()  # equivalent to N
    probs = counts / counts.sum(1, keepdims=True)
    return -probs[torch.arange(xs.nelement()), ys].log().mean() + reg * (W**2).mean()


def train(W: torch.Tensor, xs: torch.Tensor, ys: torch.Tensor, steps: int, lr: float, reg: float) -> list[float]:
    """Gradient descent as in the lecture: forward, ``W.grad = None``, backward, ``W.data += -lr * W.grad``.

    Returns the loss seen at each step (before its update), as the lecture prints it.
    """
    losses = []
    for _ in range(steps):
        out = loss(W, xs, ys, reg)
        losses.append(out.item())
        W.grad = None
        out.backward()
        W.data += -lr * W.grad
    return losses


def sample(P: torch.Tensor, itos: list[str], n: int, seed: int) -> list[str]:
    """n words, one ``torch.multinomial`` call per character, from one seeded generator."""
    g = torch.Generator().manual_seed(seed)
    words = []
    for _ in range(n):
        out = []
        ix = 0
        while True:
            p = P[ix]
            ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
            if ix == 0:
                break
            out.append(itos[ix])
        words.append("".join(out))
    return words
