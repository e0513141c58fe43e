"""The lecture's plain way, as a learner types it in a notebook: the reference everything else is checked against.

"makemore, part 1" builds the bigram model with Python loops: a dict of counts, a tensor filled
one bigram at a time (``N[ix1, ix2] += 1``), the loss as a loop over every bigram, a one-hot
matmul trained by gradient descent, and words drawn one ``torch.multinomial`` call at a time.
This module writes exactly that, and nothing here imports the rest of the package, so it is an
independent oracle: the tests compare the package's fast paths with it, the benchmark times it
against them, and the pages show the source of these functions (``inspect.getsource``): the code
shown is the code that runs.

The lecture marks the start and end of a word with ``'.'``. A list whose words contain ``'.'``
needs another token, so the functions that wrap words take ``boundary``; any string that is not
a single character (``'<.>'``) can never collide with a symbol. The lecture works in float32;
pass ``dtype=torch.float64`` where an exact value is wanted (see DESIGN.md, "Exact loss").
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

SEED = 2147483647  # the lecture's torch.Generator().manual_seed(2147483647)


def vocabulary(words, boundary="."):
    """stoi and itos: the boundary is 0, the characters follow in sorted order."""
    chars = sorted(set("".join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi[boundary] = 0
    itos = {i: s for s, i in stoi.items()}
    return stoi, [itos[i] for i in range(len(itos))]


def count_dict(words, boundary="."):
    """The bigram counts in a dict, the lecture's first way."""
    b = {}
    for w in words:
        chs = [boundary] + list(w) + [boundary]  # start and end tokens around the word
        for ch1, ch2 in zip(chs, chs[1:]):  # zip pairs each symbol with the next one
            bigram = (ch1, ch2)
            b[bigram] = b.get(bigram, 0) + 1  # get() gives 0 the first time instead of raising KeyError
    return b


def count_matrix(words, stoi, boundary="."):
    """The count matrix N, one tensor increment per bigram."""
    V = len(stoi)
    N = torch.zeros((V, V), dtype=torch.int32)
    for w in words:
        chs = [boundary] + list(w) + [boundary]
        for ch1, ch2 in zip(chs, chs[1:]):
            ix1 = stoi[ch1]
            ix2 = stoi[ch2]
            N[ix1, ix2] += 1
    return N


def probabilities(N, k=1, dtype=torch.float32):
    """P: N plus k fake counts, each row normalised (keepdim=True, or the columns get divided)."""
    P = N.to(dtype) + k  # the lecture writes (N + 1).float()
    P /= P.sum(1, keepdims=True)
    return P


def nll(words, P, stoi, boundary="."):
    """The average negative log-likelihood per bigram, summed in a loop as the lecture does.

    The running sum has the dtype of P: float32 as in the lecture, float64 for the exact value.
    """
    log_likelihood = 0.0
    n = 0
    for w in words:
        chs = [boundary] + list(w) + [boundary]
        for ch1, ch2 in zip(chs, chs[1:]):
            prob = P[stoi[ch1], stoi[ch2]]
            logprob = torch.log(prob)
            log_likelihood += logprob
            n += 1
    return float(-log_likelihood / n)


def training_set(words, stoi, boundary="."):
    """xs (inputs) and ys (targets): every bigram, appended one by one."""
    xs, ys = [], []
    for w in words:
        chs = [boundary] + list(w) + [boundary]
        for ch1, ch2 in zip(chs, chs[1:]):
            xs.append(stoi[ch1])
            ys.append(stoi[ch2])
    return torch.tensor(xs), torch.tensor(ys)


def init_weights(V, seed=SEED, dtype=torch.float32):
    """W drawn from a seeded generator, as the lecture does: one row per previous symbol."""
    g = torch.Generator().manual_seed(seed)
    W = torch.randn((V, V), generator=g).to(dtype)
    W.requires_grad = True
    return W


def loss(W, xs, ys, reg=0.01):
    """The forward pass: one-hot, matmul, exp, normalise (softmax), mean NLL plus the regulariser."""
    xenc = F.one_hot(xs, num_classes=W.shape[0]).to(W.dtype)  # .float() in the lecture: it multiplies W
    logits = xenc @ W  # log-counts: row xs[i] of W for each bigram
    counts = logits.exp()  # positive "fake counts", like N
    probs = counts / counts.sum(1, keepdims=True)  # each row normalised: softmax
    return -probs[torch.arange(len(xs)), ys].log().mean() + reg * (W**2).mean()


def train(W, xs, ys, steps=100, lr=50, reg=0.01):
    """Gradient descent: forward, backward, update. Returns the loss before each update."""
    losses = []
    for _ in range(steps):
        out = loss(W, xs, ys, reg)
        losses.append(out.item())
        W.grad = None  # set to zero the gradient
        out.backward()  # fills W.grad and nothing else: W has not changed yet
        W.data += -lr * W.grad  # a step against the gradient, which points where the loss grows
    return losses


def draw(P, row, n, seed=SEED):
    """n draws from row ``row`` of P: index i comes out with probability p[i] / p.sum()."""
    g = torch.Generator().manual_seed(seed)
    p = P[row]
    return torch.multinomial(p, num_samples=n, replacement=True, generator=g)


def sample(P, itos, n=10, seed=SEED):
    """n words, one torch.multinomial call per character, from one seeded generator."""
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


# Exercise E01: a longer context. Written the way learners write it, with tuples of symbols for
# contexts, and in float64 (Python floats): this is only ever a reference.


def ngrams(words, context=2, padding="full", boundary="."):
    """(context, next symbol) pairs: ``full`` padding puts ``context`` start tokens before a word, ``single`` one."""
    for w in words:
        chs = [boundary] * (context if padding == "full" else 1) + list(w) + [boundary]
        for i in range(len(chs) - context):
            yield tuple(chs[i : i + context]), chs[i + context]


def ngram_nll(train_words, words, symbols, context=2, padding="full", k=0.0, boundary="."):
    """Average NLL of ``words`` under add-k counts of ``train_words`` (``symbols``: the vocabulary, boundary excluded).

    math.inf when a prediction has probability 0; NaN when the words hold no prediction at all.
    """
    counts, rows = {}, {}
    for ctx, nxt in ngrams(train_words, context, padding, boundary):
        counts[(ctx, nxt)] = counts.get((ctx, nxt), 0) + 1
        rows[ctx] = rows.get(ctx, 0) + 1
    V = len(symbols) + 1
    log_likelihood, n = 0.0, 0
    for ctx, nxt in ngrams(words, context, padding, boundary):
        total = rows.get(ctx, 0) + k * V
        p = (counts.get((ctx, nxt), 0) + k) / total if total else 0.0
        if p == 0:
            return math.inf
        log_likelihood += math.log(p)
        n += 1
    return -log_likelihood / n if n else math.nan
