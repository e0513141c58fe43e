"""The lecture's plain way, as a learner types it in a notebook: the reference everything else is checked against.

"makemore, part 1" builds the bigram model with Python loops: a dict of counts, a tensor filled
one bigram at a time (``N[ix1, ix2] += 1``), the loss as a loop over every bigram, a one-hot
matmul trained by gradient descent, and words drawn one ``torch.multinomial`` call at a time.
This module writes exactly that, and nothing here imports the rest of the package, so it is an
independent oracle: the tests compare the package's fast paths with it, the benchmark times it
against them, and the pages show the source of these functions (``inspect.getsource``): the code
shown is the code that runs.

Beyond the lecture, the same plain style covers what the pages add (a truncated, tempered or batched
sampler, the counts-form loss, Adam, the split, n-gram counts and scores, the smoothing a regulariser
is worth): the notebooks of ``bigram.notebook`` are made of these functions' source.

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


def matrix_from_dict(b, stoi):
    """N filled from the dict of counts: one tensor write per distinct bigram instead of one per bigram."""
    V = len(stoi)
    N = torch.zeros((V, V), dtype=torch.int32)
    for (ch1, ch2), count in b.items():
        N[stoi[ch1], stoi[ch2]] = count
    return N


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


def counts_nll(N, P):
    """The same average NLL from the counts: bigram (i, j) occurs N[i, j] times, so the loop's sum is sum(N * log P).

    Cells never seen are left out (0 * log 0 would be NaN). With P in float64 the value is exact.
    """
    seen = N > 0
    return float(-(N[seen] * P[seen].log()).sum() / N.sum())


def training_set(words, stoi, boundary="."):
    """xs (inputs) and ys (targets): every bigram, appended one by one."""
    xs, ys = [], []
    for w in words:
        chs = [boundary] + list(w) + [boundary]
        for ch1, ch2 in zip(chs, chs[1:]):
            xs.append(stoi[ch1])
            ys.append(stoi[ch2])
    return torch.tensor(xs), torch.tensor(ys)


def init_weights(V, seed=SEED, dtype=torch.float32, rows=None):
    """W drawn from a seeded generator, as the lecture does: one row per previous symbol (or per context: ``rows``)."""
    g = torch.Generator().manual_seed(seed)
    W = torch.randn((rows or V, V), generator=g).to(dtype)
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


def loss_index(W, xs, ys, reg=0.01):
    """Exercises E04 and E05: W[xs] picks the rows the one-hot product would, F.cross_entropy does softmax and NLL."""
    return F.cross_entropy(W[xs], ys) + reg * (W**2).mean()


def loss_counts(W, N, reg=0.01):
    """The same loss from the counts: bigram (i, j) occurs N[i, j] times, so the mean over bigrams is a sum over N."""
    logprobs = W.log_softmax(1)  # log of softmax(W), row by row, in one numerically safe step
    return -(N * logprobs).sum() / N.sum() + reg * (W**2).mean()


def descend(W, loss_fn, steps=100, lr=50, optimizer="sgd"):
    """Gradient descent on any loss of W (``loss_fn(W)``): the lecture's plain steps, or Adam's.

    Returns the loss before each update, as train() does.
    """
    adam = torch.optim.Adam([W], lr=lr) if optimizer == "adam" else None
    losses = []
    for _ in range(steps):
        out = loss_fn(W)
        losses.append(out.item())
        W.grad = None
        out.backward()
        if adam is None:
            W.data += -lr * W.grad
        else:
            adam.step()  # each weight's step scaled by running averages of its gradient and of its square
    return losses


def fit(N, reg, steps=500, lr=0.5, seed=SEED):
    """W trained close to its optimum: Adam on the counts form. N may have one row per context."""
    W = init_weights(N.shape[1], seed, rows=N.shape[0])
    descend(W, lambda W: loss_counts(W, N, reg), steps, lr, optimizer="adam")
    return W


def draw(P, row, n, seed=SEED):
    """n draws from row ``row`` of P: index i comes out with probability p[i] / p.sum()."""
    g = torch.Generator().manual_seed(seed)
    p = P[row]
    return torch.multinomial(p, num_samples=n, replacement=True, generator=g)


def sample(P, itos, n=10, seed=SEED, max_len=None):
    """n words, one torch.multinomial call per character, from one seeded generator.

    ``max_len`` cuts off a word that is still going at that many symbols (the lecture's loop has no limit).
    """
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
            if max_len is not None and len(out) >= max_len:
                break
        words.append("".join(out))
    return words


def temper(P, temperature=1.0):
    """Each row as p ** (1 / T), renormalised: softmax(log p / T), in logs so that a small T does not underflow."""
    if temperature == 1.0:
        return P
    return torch.softmax(P.double().log() / temperature, dim=1).to(P.dtype)


def sample_batched(P, itos, n=10, seed=SEED, max_len=50):
    """n words at once: every word draws its next symbol by looking a uniform number up in its row's cumulative sum.

    The same distribution as torch.multinomial, far fewer calls; other words than the loop's for the same seed.
    All the rows' cumulative sums go into one sorted vector, row i shifted up by 2 * i, so that one
    searchsorted of 2 * ix + u finds the next symbol of every word, whichever row it is on.
    """
    if n == 0:
        return []
    g = torch.Generator().manual_seed(seed)
    V = P.shape[0]
    cdf = P.double().cumsum(1)
    cdf /= cdf[:, -1:].clone()  # every row ends at exactly 1
    cdf[cdf >= 1] = 1.5  # so that 2 * i + u, even rounded up to 2 * i + 1, stays in row i
    flat = (cdf + 2 * torch.arange(V).unsqueeze(1)).flatten()  # row i fills [2 * i, 2 * i + 1.5]
    ix = torch.zeros(n, dtype=torch.long)  # every word starts at the boundary
    done = torch.zeros(n, dtype=torch.bool)
    columns = []
    for t in range(max_len):
        if t % 8 == 0:  # every 8 positions: the words still going get a uniform number each per position
            going = (~done).nonzero().squeeze(1)
            if len(going) == 0:
                break
            u = torch.rand((min(8, max_len - t), len(going)), generator=g, dtype=torch.float64)
        k = torch.searchsorted(flat, 2 * ix[going] + u[t % 8], right=True)  # k = i * V + j: row i, symbol j
        ix[going] = k % V
        done[going] |= ix[going] == 0
        columns.append(ix.clone())
    words = []
    for row in torch.stack(columns, 1).tolist():  # one row of ids per word; a finished word drew on: cut it
        out = []
        for i in row:
            if i == 0:
                break
            out.append(itos[i])
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


def split(words, seed=42, fractions=(0.8, 0.1, 0.1)):
    """Exercise E02: shuffle with a seeded torch.randperm, then cut into train, dev and test."""
    g = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(words), generator=g).tolist()
    shuffled = [words[i] for i in order]
    n_train = int(fractions[0] * len(words))
    n_dev = int(fractions[1] * len(words))
    return shuffled[:n_train], shuffled[n_train : n_train + n_dev], shuffled[n_train + n_dev :]


def ngram_counts(words, context=2, padding="full", boundary="."):
    """How often each (context, next symbol) pair occurs: the n-gram version of count_dict."""
    counts = {}
    for ctx, nxt in ngrams(words, context, padding, boundary):
        counts[(ctx, nxt)] = counts.get((ctx, nxt), 0) + 1
    return counts


def ngram_score(counts, evaluated, V, k=0.0):
    """Average NLL of the predictions counted in ``evaluated`` under add-k ``counts``: each pair once, times its count.

    V counts the boundary; math.inf when a prediction has probability 0.
    """
    rows = {}
    for (ctx, _), c in counts.items():
        rows[ctx] = rows.get(ctx, 0) + c
    log_likelihood, n = 0.0, 0
    for (ctx, nxt), c in evaluated.items():
        total = rows.get(ctx, 0) + k * V
        p = (counts.get((ctx, nxt), 0) + k) / total if total else 0.0
        if p == 0:
            return math.inf
        log_likelihood += c * math.log(p)
        n += c
    return -log_likelihood / n if n else math.nan


def ngram_matrix(counts, stoi, context=2):
    """The n-gram counts as a tensor: a row per context (its ids as a number in base V), a column per next symbol."""
    V = len(stoi)
    N = torch.zeros((V**context, V), dtype=torch.int32)
    for (ctx, nxt), c in counts.items():
        row = 0
        for ch in ctx:
            row = row * V + stoi[ch]
        N[row, stoi[nxt]] = c
    return N


def sample_ngram(P, itos, context=2, n=10, seed=SEED, max_len=30):
    """Words drawn as sample() does, but from the row of the last ``context`` symbols, starting from all boundaries."""
    g = torch.Generator().manual_seed(seed)
    V = len(itos)
    words = []
    for _ in range(n):
        ctx = [0] * context
        out = []
        while len(out) < max_len:
            row = 0
            for i in ctx:
                row = row * V + i
            ix = torch.multinomial(P[row], num_samples=1, replacement=True, generator=g).item()
            if ix == 0:
                break
            out.append(itos[ix])
            ctx = ctx[1:] + [ix]
        words.append("".join(out))
    return words


# Smoothing and regularisation, the same knob: how much smoothing a regulariser is worth.


def closest_k(N, W, ks):
    """The smoothing k whose P is closest to softmax(W): KL divergence row by row, weighted by each row's use."""
    Q = W.detach().double().log_softmax(1)  # the net's log-probabilities
    weights = N.sum(1).double() / N.sum()
    best = None
    for k in ks:
        logP = probabilities(N, k, torch.float64).log()
        kl = (weights * (Q.exp() * (Q - logP)).sum(1)).sum().item()
        if best is None or kl < best[1]:
            best = (k, kl)
    return best


def same_nll_k(N, nll, iterations=60):
    """The k whose smoothed counts score the list exactly as badly as ``nll``: bisection on log10 k, 1e-12 to 1e7.

    None when no k reaches it (the NLL rises with k from its k = 0 value towards log V).
    """

    def nll_at(k):
        return counts_nll(N, probabilities(N, k, torch.float64))

    if not nll_at(0) <= nll <= nll_at(1e7):
        return None
    lo, hi = -12.0, 7.0
    for _ in range(iterations):
        mid = (lo + hi) / 2
        if nll_at(10**mid) < nll:
            lo = mid
        else:
            hi = mid
    return 10 ** ((lo + hi) / 2)
