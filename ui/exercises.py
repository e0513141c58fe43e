"""Cached computations for the exercise pages (longer contexts, splits, tuning, comparing lists, model files).

Each result depends only on a list's content id and the settings passed, so it is cached
across sessions in a cache bounded by entries and bytes (``ui.cache``); the words are passed with a leading underscore so
Streamlit does not hash them on every rerun.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from bigram import Vocab, split_words
from bigram.compare import Comparison, closest_smoothing, compare_lists, fit_weights
from bigram.modelfile import ModelFile, to_csv, to_safetensors
from bigram.ngram import NgramModel, best_k, check_size, training_data, tune_smoothing

from .cache import bounded

MB = 1 << 20

TUNING_KS = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 100.0)
KNOB_REGS = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
#: Above this many symbols the exchange-rate curve (nine fits of W) is not computed on a shared server.
KNOB_MAX_SYMBOLS = 200


@dataclass(frozen=True)
class Tuned:
    """E02 + E03 for one context and padding: the sweep on dev, the chosen k, and test evaluated once."""

    context: int
    padding: str
    sizes: tuple[int, int, int]
    curve: list[tuple[float, float, float]]  # (k, train NLL, dev NLL)
    best_k: float
    dev_nll: float
    train_nll: float
    test_nll: float


@bounded(max_entries=16, max_bytes=128 * MB)
def splits(source_id: str, seed: int, _words: tuple[str, ...]) -> tuple[list[str], list[str], list[str]]:
    return split_words(list(_words), (0.8, 0.1, 0.1), seed=seed, min_each=1)


@bounded(max_entries=16, max_bytes=8 * MB)
def vocab(source_id: str, _words: tuple[str, ...]) -> Vocab:
    """One vocabulary for all three parts, so dev and test never hold an unknown symbol."""
    return Vocab.from_words(_words)


@bounded(max_entries=32, max_bytes=256 * MB)
def ngram_on_train(source_id: str, context: int, padding: str, seed: int, _words: tuple[str, ...]) -> NgramModel:
    train, _, _ = splits(source_id, seed, _words)
    return NgramModel.from_words(train, context, padding, vocab=vocab(source_id, _words))


@bounded(max_entries=32, max_bytes=8 * MB)
def tuned(source_id: str, context: int, padding: str, seed: int, _words: tuple[str, ...]) -> Tuned:
    v = vocab(source_id, _words)
    check_size(len(v), context)
    train, dev, test = splits(source_id, seed, _words)
    curve = tune_smoothing(train, dev, TUNING_KS, context, padding, vocab=v)
    k, dev_nll = best_k(curve)
    model = ngram_on_train(source_id, context, padding, seed, _words)
    return Tuned(
        context=context,
        padding=padding,
        sizes=(len(train), len(dev), len(test)),
        curve=curve,
        best_k=k,
        dev_nll=dev_nll,
        train_nll=model.evaluate(train, k).nll,
        test_nll=model.evaluate(test, k).nll,
    )


@bounded(max_entries=32, max_bytes=1 * MB)
def neural_dev_nll(
    source_id: str, context: int, padding: str, seed: int, reg: float, _words: tuple[str, ...]
) -> tuple[float, float]:
    """The neural model (one row of W per context, counts form, Adam) trained on train: (train NLL, dev NLL)."""
    v = vocab(source_id, _words)
    train, dev, _ = splits(source_id, seed, _words)
    W = fit_weights(training_data(train, v, context, padding).N, reg, steps=400)
    model = ngram_on_train(source_id, context, padding, seed, _words)
    logP = W.double().log_softmax(1)
    return model.evaluate(train, logP=logP).nll, model.evaluate(dev, logP=logP).nll


@bounded(max_entries=32, max_bytes=4 * MB)
def ngram_samples(source_id: str, context: int, k: float, n: int, seed: int, _words: tuple[str, ...]) -> list[str]:
    model = NgramModel.from_words(list(_words), context, "full", vocab=vocab(source_id, _words))
    return model.sample(n, k=k, seed=seed, max_len=30)


@bounded(max_entries=16, max_bytes=128 * MB)
def comparison(a_id: str, b_id: str, k: float, _a: tuple[str, ...], _b: tuple[str, ...]) -> Comparison:
    return compare_lists(_a, _b, k=k)


@bounded(max_entries=16, max_bytes=1 * MB)
def knob_curve(
    source_id: str, _N: torch.Tensor, regs: tuple[float, ...] = KNOB_REGS
) -> list[tuple[float, float, float]]:
    """(reg, closest k, KL) for each regularisation strength: W fitted to near its optimum each time."""
    rows = []
    for r in regs:
        k, curve = closest_smoothing(_N, fit_weights(_N, r, steps=500))
        rows.append((r, k, dict(curve)[k]))
    return rows


def model_file_bytes(mf: ModelFile, fmt: str) -> bytes:
    return to_csv(mf).encode("utf-8") if fmt == "csv" else to_safetensors(mf)
