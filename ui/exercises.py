"""Cached computations for the exercise pages (longer contexts, splits, tuning, comparing lists, model files).

Each result depends only on a list's content id and the settings passed, so it is cached
across sessions in a cache bounded by entries and bytes (``ui.cache``); the words are passed with a leading
underscore so Streamlit does not hash them on every rerun. The smoothing/regularisation exchange is in
``ui.training.exchange``.
"""

from __future__ import annotations

from bigram import Tuning, Vocab, fit_weights, split_words, tune
from bigram.compare import Comparison, compare_lists
from bigram.modelfile import ModelFile, to_csv, to_safetensors
from bigram.neural import net_log_probabilities
from bigram.ngram import NgramModel, training_data

from .cache import bounded

MB = 1 << 20

#: Above this many symbols the exchange-rate curve (a fit of W per strength) is not computed on a shared server.
KNOB_MAX_SYMBOLS = 200


@bounded(max_entries=16, max_bytes=128 * MB)
def splits(source_id: str, seed: int, _words: tuple[str, ...]) -> tuple[list[str], list[str], list[str]]:
    return split_words(list(_words), seed=seed, min_each=1)


@bounded(max_entries=16, max_bytes=8 * MB)
def vocab(source_id: str, _words: tuple[str, ...]) -> Vocab:
    """One vocabulary for all three parts, so dev and test never hold an unknown symbol."""
    return Vocab.from_words(_words)


@bounded(max_entries=32, max_bytes=256 * MB)
def ngram_on_train(source_id: str, context: int, padding: str, seed: int, _words: tuple[str, ...]) -> NgramModel:
    train, _, _ = splits(source_id, seed, _words)
    return NgramModel.from_words(train, context, padding, vocab=vocab(source_id, _words))


@bounded(max_entries=32, max_bytes=8 * MB)
def tuned(source_id: str, context: int, padding: str, seed: int, _words: tuple[str, ...]) -> Tuning:
    """E02 + E03 for one context and padding (bigram.ngram.tune, the CLI's ``tune``)."""
    return tune(list(_words), context, padding, split_seed=seed, vocab=vocab(source_id, _words))


@bounded(max_entries=32, max_bytes=1 * MB)
def neural_dev_nll(
    source_id: str, context: int, padding: str, seed: int, reg: float, _words: tuple[str, ...]
) -> tuple[float, float]:
    """The neural model (one row of W per context, counts form, Adam) trained on train: (train NLL, dev NLL)."""
    v = vocab(source_id, _words)
    train, dev, _ = splits(source_id, seed, _words)
    W = fit_weights(training_data(train, v, context, padding).N, reg)
    model = ngram_on_train(source_id, context, padding, seed, _words)
    logP = net_log_probabilities(W)
    return model.evaluate(train, logP=logP).nll, model.evaluate(dev, logP=logP).nll


@bounded(max_entries=32, max_bytes=4 * MB)
def ngram_samples(source_id: str, context: int, k: float, n: int, seed: int, _words: tuple[str, ...]) -> list[str]:
    model = NgramModel.from_words(list(_words), context, "full", vocab=vocab(source_id, _words))
    return model.sample(n, k=k, seed=seed, max_len=30)


@bounded(max_entries=16, max_bytes=128 * MB)
def comparison(a_id: str, b_id: str, k: float, _a: tuple[str, ...], _b: tuple[str, ...]) -> Comparison:
    return compare_lists(_a, _b, k=k)


def model_file_bytes(mf: ModelFile, fmt: str) -> bytes:
    return to_csv(mf).encode("utf-8") if fmt == "csv" else to_safetensors(mf)
