"""The neural bigram model: one linear layer W (V x V) trained by gradient descent.

The second half of the lecture. The input symbol is one-hot encoded, multiplied by W to give
logits ("log-counts"), exponentiated and normalised (softmax) into next-symbol probabilities.
Because a one-hot row times W just selects a row of W, ``one_hot(x) @ W == W[x]``; and because
the full-batch loss depends on the data only through the bigram counts N, the same loss and
gradient can be computed three ways:

* ``onehot``: the lecture's ``F.one_hot(xs, V).float() @ W`` over every bigram;
* ``index``: row indexing ``W[xs]`` with ``F.cross_entropy`` (exercises E04 and E05);
* ``counts``: ``-(N * W.log_softmax(1)).sum() / N.sum()``, whose cost does not grow with the list.

The loss is NLL + reg * mean(W ** 2). The regulariser pulls W towards 0, i.e. every row of
softmax(W) towards uniform, which is what add-k smoothing does to the counts.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from .counting import count_ids
from .defaults import FIT_LR, FIT_STEPS, NET_SEED, TRAIN_LR, TRAIN_REG
from .errors import BigramError, TrainingDiverged
from .vocab import Vocab

METHODS = ("onehot", "index", "counts")
OPTIMIZERS = ("sgd", "adam")
#: A loss this many times its starting value means the run has diverged, even while it is still finite.
DIVERGENCE_FACTOR = 100.0


@dataclass
class TrainingData:
    """The bigrams of a list, both as pairs (xs -> ys) and as their count matrix N."""

    xs: torch.Tensor
    ys: torch.Tensor
    N: torch.Tensor
    V: int

    @classmethod
    def from_words(cls, words: Sequence[str], vocab: Vocab) -> TrainingData:
        return cls.from_ids(vocab.encode_words(words), len(vocab))

    @classmethod
    def from_ids(cls, ids: torch.Tensor, V: int) -> TrainingData:
        xs, ys = ids[:-1].contiguous(), ids[1:].contiguous()
        return cls(xs=xs, ys=ys, N=count_ids(ids, V), V=V)

    @classmethod
    def from_counts(cls, N: torch.Tensor) -> TrainingData:
        """Only the count table (one row per context): enough for the counts form, which never needs the pairs."""
        empty = torch.empty(0, dtype=torch.int64)
        return cls(xs=empty, ys=empty, N=N, V=N.shape[1])

    @property
    def bigrams(self) -> int:
        """How many bigrams the list has: the pairs kept, or N's total when only the counts are (``from_counts``)."""
        return int(self.xs.numel()) if self.has_pairs else int(self.N.sum())

    @property
    def has_pairs(self) -> bool:
        """True when xs and ys are kept (``from_counts`` keeps only N): one-hot and row indexing need them."""
        return self.xs.numel() > 0


def init_weights(V: int, seed: int = NET_SEED, rows: int | None = None) -> torch.Tensor:
    """W drawn as the lecture does: ``torch.randn((V, V), generator=torch.Generator().manual_seed(seed))``.

    ``rows`` gives W one row per context for longer contexts (V ** c rows); the default is V.
    """
    g = torch.Generator().manual_seed(int(seed))
    return torch.randn((rows or V, V), generator=g)


def nll_onehot(W: torch.Tensor, data: TrainingData) -> torch.Tensor:
    """The lecture's forward pass: one-hot inputs times W, softmax, mean NLL of the targets."""
    xenc = F.one_hot(data.xs, num_classes=W.shape[0]).to(W.dtype)  # float, like W: it is multiplied by W
    logits = xenc @ W  # log-counts; each row is the row of W picked by the one-hot input
    # log_softmax is exp -> normalise -> log in one numerically safe step.
    logprobs = logits.log_softmax(dim=1)
    return -logprobs[torch.arange(data.xs.numel()), data.ys].mean()


def nll_index(W: torch.Tensor, data: TrainingData) -> torch.Tensor:
    """Row indexing instead of a one-hot matmul, and PyTorch's fused cross-entropy."""
    return F.cross_entropy(W[data.xs], data.ys)


def nll_counts(W: torch.Tensor, data: TrainingData) -> torch.Tensor:
    """The same mean NLL from the counts: every bigram (i, j) contributes N[i, j] times."""
    N = data.N.to(W.dtype)
    return -(N * W.log_softmax(dim=1)).sum() / N.sum()


NLL_FUNCTIONS: dict[str, Callable[[torch.Tensor, TrainingData], torch.Tensor]] = {
    "onehot": nll_onehot,
    "index": nll_index,
    "counts": nll_counts,
}


def check_method(method: str) -> str:
    if method not in NLL_FUNCTIONS:
        raise BigramError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    return method


def loss_and_grad(W: torch.Tensor, data: TrainingData, reg: float, method: str) -> tuple[float, float, torch.Tensor]:
    """(loss, nll, dloss/dW) at W by the chosen method."""
    check_method(method)
    if method == "counts":
        return _counts_loss_and_grad(W, data, reg)
    if not data.has_pairs:
        raise BigramError(f"the {method} method needs the bigram pairs, and this data holds only their counts")
    Wg = W.detach().requires_grad_(True)
    nll = NLL_FUNCTIONS[method](Wg, data)
    loss = nll + reg * (Wg**2).mean()
    loss.backward()
    return loss.item(), nll.item(), Wg.grad


def _counts_loss_and_grad(W: torch.Tensor, data: TrainingData, reg: float) -> tuple[float, float, torch.Tensor]:
    """The counts form with its gradient written out, no autograd graph (a few small ops a step).

    d NLL / d W[i, j] = (n_i * softmax(W)[i, j] - N[i, j]) / total, where n_i is row i's count,
    and d reg * mean(W^2) / dW = 2 reg W / W.numel(). Tests check it against autograd.
    """
    with torch.no_grad():
        N = data.N.to(W.dtype)
        total = N.sum()
        logp = W.log_softmax(dim=1)
        nll = -(N * logp).sum() / total
        grad = (N.sum(1, keepdim=True) * logp.exp() - N) / total
        sq = (W * W).mean()
        grad += (2 * reg / W.numel()) * W
        return float(nll + reg * sq), float(nll), grad


@dataclass
class TrainResult:
    W: torch.Tensor
    history: list[float]  # loss (with the regulariser) of W after 0, 1, ..., steps updates
    nll_history: list[float]  # the data term alone, same steps
    seconds: float
    stopped_early: bool = False

    @property
    def loss(self) -> float:
        return self.history[-1]

    @property
    def nll(self) -> float:
        return self.nll_history[-1]


@dataclass
class Trainer:
    """Full-batch gradient descent on W, one step at a time, keeping its state between calls.

    The state (W, histories) is always consistent after each step, so a caller that is
    interrupted mid-run (a Streamlit rerun raises inside the callback) keeps what was reached.
    ``sgd`` is the lecture's update ``W.data += -lr * W.grad``; ``adam`` rescales each weight's
    step and reaches the optimum in far fewer steps.
    """

    data: TrainingData
    lr: float = TRAIN_LR
    reg: float = TRAIN_REG
    seed: int = NET_SEED  # the generator of the initial W, when no W is given
    method: str = "counts"
    optimizer: str = "sgd"
    W: torch.Tensor | None = None
    history: list[float] = field(default_factory=list)
    nll_history: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def __post_init__(self):
        check_method(self.method)
        if self.optimizer not in OPTIMIZERS:
            raise BigramError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}")
        for name, value in (("learning rate", self.lr), ("regularisation", self.reg)):
            if not math.isfinite(value) or value < 0 or (name == "learning rate" and value == 0):
                raise BigramError(
                    f"the {name} must be a finite number {'> 0' if name == 'learning rate' else '>= 0'}, got {value}"
                )
        shape = tuple(self.data.N.shape)  # (V, V) for bigrams, (V ** c, V) for longer contexts
        if self.W is None:
            self.W = init_weights(self.data.V, self.seed, rows=shape[0])
        elif tuple(self.W.shape) != shape:
            raise BigramError(f"W must be {shape[0]} x {shape[1]}, got {tuple(self.W.shape)}")
        self.W = self.W.detach().clone().float()
        self._adam = None
        self._pending_grad = None

    @classmethod
    def resume(
        cls,
        data: TrainingData,
        W: torch.Tensor,
        history: Sequence[float] = (),
        nll_history: Sequence[float] = (),
        *,
        seconds: float = 0.0,
        **settings,
    ) -> Trainer:
        """A trainer that starts at W and continues a recorded history (settings as for ``Trainer``).

        The history's last entry is the loss at W under the settings it was trained with; it is
        replaced by the loss at W under these settings, so the joined curve keeps one entry per step.
        """
        t = cls(data, W=W, **settings)
        t.history, t.nll_history, t.seconds = list(history[:-1]), list(nll_history[:-1]), seconds
        t._pending_grad = t._evaluate()
        return t

    def carry_on(self, *, lr: float, reg: float, method: str, optimizer: str) -> Trainer:
        """The trainer that goes on from here with these settings.

        With the same lr, reg and optimizer it is this trainer, which keeps Adam's moment estimates
        and computes the loss by ``method`` from the next step on (the three methods give the same
        loss and gradient). Otherwise it is a new trainer starting at this W (``resume``).
        """
        if (lr, reg, optimizer) == (self.lr, self.reg, self.optimizer):
            self.method = check_method(method)
            return self
        return Trainer.resume(
            self.data,
            self.W,
            self.history,
            self.nll_history,
            seconds=self.seconds,
            lr=lr,
            reg=reg,
            method=method,
            optimizer=optimizer,
        )

    @property
    def steps_done(self) -> int:
        return max(len(self.history) - 1, 0)

    def _evaluate(self) -> torch.Tensor:
        loss, nll, grad = loss_and_grad(self.W, self.data, self.reg, self.method)
        taken = len(self.history)  # steps taken so far: the first evaluation comes before any step
        when = f"after {taken} step{'s' if taken != 1 else ''}" if taken else "before the first step"
        if not (math.isfinite(loss) and bool(torch.isfinite(grad).all())):
            raise TrainingDiverged(
                f"the loss became {'NaN' if math.isnan(loss) else 'infinite'} {when}: {self._blame()}"
            )
        if self.history and loss > DIVERGENCE_FACTOR * max(self.history[0], 1.0):
            # Gradient descent that works never climbs this far above where it started.
            raise TrainingDiverged(f"the loss grew from {self.history[0]:.3g} to {loss:.3g} {when}: {self._blame()}")
        self.history.append(loss)
        self.nll_history.append(nll)
        return grad

    def _blame(self) -> str:
        """What made the loss run away: the regularisation's own pull on W, or the learning rate."""
        if not self.history:  # no step yet: only W and the regulariser are in the loss
            if self.reg > 0:
                return f"the regularisation {self.reg:g} is too large (reg × mean(W²) overflows); lower it"
            return "the starting weights are too large"
        # On the regulariser alone, a gradient step maps W to (1 - lr * 2 reg / W.numel()) W: past 2, W grows.
        # Both knobs are then to blame; name the one pushed further from its usual value (the defaults).
        shrink = self.lr * 2 * self.reg / self.W.numel()
        if self.optimizer == "sgd" and shrink > 2 and self.reg / Trainer.reg >= self.lr / Trainer.lr:
            return (
                f"the regularisation {self.reg:g} is too large for the learning rate {self.lr:g}: each step "
                f"multiplies W by 1 - lr × 2 reg / {self.W.numel():,} = {1 - shrink:.3g}, so W grows; "
                f"lower the regularisation below {self.W.numel() / self.lr:.3g}"
            )
        return f"the learning rate {self.lr:g} is too large for this list; try {self.lr / 10:g}"

    def step(self) -> float:
        """One update; returns the loss after it."""
        grad = self._pending_grad if self._pending_grad is not None else self._evaluate()
        previous = self.W.clone()
        if self.optimizer == "sgd":
            self.W += -self.lr * grad  # the lecture's W.data += -lr * W.grad
        else:
            if self._adam is None:
                self._param = torch.nn.Parameter(self.W)
                self._adam = torch.optim.Adam([self._param], lr=self.lr)
            self._param.grad = grad
            self._adam.step()
            self.W = self._param.data
        try:
            self._pending_grad = self._evaluate()
        except TrainingDiverged:
            self.W.copy_(previous)  # keep the last good weights
            self._pending_grad = None
            raise
        return self.history[-1]

    def run(
        self, steps: int, callback: Callable[[int, float, float], object] | None = None, every: int = 1
    ) -> TrainResult:
        """Take ``steps`` updates. ``callback(step, loss, nll)`` runs every ``every`` steps; a truthy return stops.

        A trainer that is run again goes on from where it stopped.
        """
        if steps < 0:
            raise BigramError("the number of steps must be >= 0")
        stopped = False
        start = time.perf_counter()
        try:
            if self._pending_grad is None:
                self._pending_grad = self._evaluate()
            for i in range(1, steps + 1):
                self.step()
                if (
                    callback is not None
                    and (i % every == 0 or i == steps)
                    and callback(i, self.history[-1], self.nll_history[-1])
                ):
                    stopped = i < steps
                    break
        finally:
            self.seconds += time.perf_counter() - start
        return self.result(stopped)

    def result(self, stopped_early: bool = False) -> TrainResult:
        return TrainResult(
            W=self.W.clone(),
            history=list(self.history),
            nll_history=list(self.nll_history),
            seconds=self.seconds,
            stopped_early=stopped_early,
        )


def train(data: TrainingData, steps: int = 100, **options) -> TrainResult:
    """Train from the lecture's initialisation; options as for ``Trainer`` plus ``callback``."""
    callback = options.pop("callback", None)
    return Trainer(data, **options).run(steps, callback)


def fit_weights(
    N: torch.Tensor, reg: float, *, steps: int = FIT_STEPS, lr: float = FIT_LR, seed: int = NET_SEED
) -> torch.Tensor:
    """W trained close to its optimum for this regularisation: Adam on the counts form, fast on any list.

    The one fitting routine of the package (the exchange rate, the longer-context net), with one
    budget (``defaults.FIT_STEPS`` at ``defaults.FIT_LR``). N may have one row per context.
    """
    t = Trainer(TrainingData.from_counts(N), lr=lr, reg=reg, seed=seed, method="counts", optimizer="adam")
    t.run(steps)
    return t.W


def net_probabilities(W: torch.Tensor) -> torch.Tensor:
    """softmax(W) row by row: the net's P, comparable with the counting model's and samplable the same way."""
    return W.detach().float().softmax(dim=1)


def net_log_probabilities(W: torch.Tensor) -> torch.Tensor:
    """log softmax(W) in float64: the net's exact log P, for scoring words and samples like the counting model's."""
    return W.detach().double().log_softmax(dim=1)


@dataclass(frozen=True)
class Baselines:
    """The lines every loss chart is read against (average NLL per bigram, natural log)."""

    uniform: float  # ln V: every next symbol equally likely, what a W of zeros predicts
    optimum: float  # the counting model's NLL at k = 0: the lowest any bigram model reaches on this list
    initial: float  # where a W drawn by ``init_weights(V, seed)`` starts


def baselines(data: TrainingData, seed: int = NET_SEED) -> Baselines:
    """The uniform model, the counting optimum and a random W's starting NLL, for ``data``."""
    from .counting import smoothed_nll

    W = init_weights(data.V, seed, rows=data.N.shape[0])
    return Baselines(
        uniform=math.log(data.V),
        optimum=smoothed_nll(data.N, 0.0),
        initial=float(nll_counts(W, data)),
    )
