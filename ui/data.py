"""The word list in use and the work derived from it, computed once and cached.

Derived objects (the count model, P and log P for a smoothing value, the NLL-against-k
curve) depend only on the list's content and the settings, so they are cached across
sessions by a content id, in caches bounded by entries and by bytes (``ui.cache``): about
1.2 GB at the very most, however many people upload lists and move sliders. What a person uploaded lives in their own
session state; only its content hash keys the shared caches, so nobody sees another's list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st
import torch

from bigram import BigramError, CountModel, WordList, parse_words
from bigram.builtin import builtin_lists, default_list, find_builtin
from bigram.counting import keepdim_pitfall, score_counts
from bigram.limits import (  # the bounds for uploads on a shared server
    UPLOAD_MAX_VOCAB,
    UPLOAD_MAX_WORD_LEN,  # noqa: F401 - read by ui.sidebar as data.UPLOAD_MAX_WORD_LEN
    UPLOAD_MAX_WORDS,
)
from bigram.sampling import Sample, draw, sample
from bigram.wordlist import CleanReport, clean_word

from . import state
from .cache import bounded

MB = 1 << 20


@dataclass(frozen=True)
class WordSource:
    """A cleaned word list and where it came from."""

    id: str  # "builtin:<key>" or "upload:<sha256 of bytes and options>"
    title: str
    words: tuple[str, ...]
    report: CleanReport
    builtin_key: str | None = None

    @property
    def is_upload(self) -> bool:
        return self.builtin_key is None


@st.cache_resource(max_entries=8, show_spinner=False)
def load_builtin(key: str) -> WordSource:
    entry = find_builtin(key) or default_list()
    wl = parse_words(entry.path.read_bytes(), source=entry.file)
    return WordSource(
        id=f"builtin:{entry.key}", title=entry.title, words=tuple(wl.words), report=wl.report, builtin_key=entry.key
    )


def builtin_titles() -> dict[str, str]:
    return {b.key: b.title for b in builtin_lists()}


def parse_upload(
    data: bytes, name: str, *, lowercase: bool, dedupe: bool, min_len: int, max_len: int, column: str | None
) -> WordSource:
    """Parse an upload with the app's bounds; raises BigramError with a one-line reason."""
    options = (lowercase, dedupe, min_len, max_len, column or "")
    digest = hashlib.sha256(data + repr(options).encode()).hexdigest()[:16]
    wl: WordList = parse_words(
        data,
        source=name,
        lowercase=lowercase,
        dedupe=dedupe,
        min_len=min_len,
        max_len=max_len,
        csv_column=column or None,
        max_words=UPLOAD_MAX_WORDS,
        max_vocab=UPLOAD_MAX_VOCAB,
    )
    return WordSource(id=f"upload:{digest}", title=name, words=tuple(wl.words), report=wl.report)


def current() -> WordSource:
    """The list in use: the upload if the person chose it, else the built-in list of the settings."""
    upload = st.session_state.get(state.UPLOAD)
    if st.session_state.get(state.USE_UPLOAD) and upload is not None:
        return upload
    return load_builtin(state.setting("list") or default_list().key)


@bounded(max_entries=16, max_bytes=256 * MB)
def count_model(source_id: str, _words: tuple[str, ...]) -> CountModel:
    return CountModel.from_words(_words)


@bounded(max_entries=64, max_bytes=192 * MB)
def probabilities(source_id: str, k: float, _model: CountModel) -> torch.Tensor:
    """float32 P as the lecture computes it (for display and sampling)."""
    return _model.probabilities(k)


@bounded(max_entries=64, max_bytes=256 * MB)
def log_probabilities(source_id: str, k: float, _model: CountModel) -> torch.Tensor:
    """Exact float64 log P (for losses)."""
    return _model.log_probabilities(k)


@bounded(max_entries=64, max_bytes=16 * MB)
def list_score(source_id: str, k: float, _model: CountModel):
    """The list's own loss under its model at smoothing k (a bigram.Score)."""
    return score_counts(_model.N, log_probabilities(source_id, k, _model), _model.vocab, _model.words)


NLL_CURVE_KS = (
    0.0,
    0.001,
    0.003,
    0.01,
    0.03,
    0.1,
    0.2,
    0.5,
    1.0,
    2.0,
    5.0,
    10.0,
    20.0,
    50.0,
    100.0,
    200.0,
    500.0,
    1000.0,
)


@bounded(max_entries=32, max_bytes=4 * MB)
def nll_curve(source_id: str, _model: CountModel, ks: tuple[float, ...] = NLL_CURVE_KS) -> list[tuple[float, float]]:
    """The list's own NLL at each smoothing value: it rises with k (the list is scored on itself)."""
    return [(k, score_counts(_model.N, _model.log_probabilities(k), _model.vocab, _model.words).nll) for k in ks]


@dataclass(frozen=True)
class ListStats:
    lengths: list[int]
    mean_length: float
    distinct: int
    duplicates: list[tuple[str, int]]  # words occurring more than once, most repeated first
    symbol_ids: list[int]  # symbol ids by descending frequency
    symbol_counts: list[int]
    occurrences: list[int]  # occurrences of each symbol in id order (ids 1..V-1)


@bounded(max_entries=16, max_bytes=128 * MB)
def list_stats(source_id: str, _words: tuple[str, ...]) -> ListStats:
    """Descriptive numbers for the Data page, computed once per list."""
    from collections import Counter

    model = count_model(source_id, _words)
    lengths = [len(w) for w in _words]
    repeats = Counter(_words)
    dups = sorted(((w, c) for w, c in repeats.items() if c > 1), key=lambda t: (-t[1], t[0]))
    # A symbol's occurrences are its column sum in N (every occurrence is entered once).
    occ = model.N.sum(0).tolist()
    order = sorted(range(1, model.V), key=lambda i: -occ[i])
    return ListStats(
        lengths=lengths,
        mean_length=sum(lengths) / len(lengths),
        distinct=len(repeats),
        duplicates=dups,
        symbol_ids=order,
        symbol_counts=[occ[i] for i in order],
        occurrences=occ[1:],
    )


def model_for(source: WordSource) -> CountModel:
    return count_model(source.id, source.words)


@st.cache_resource(max_entries=128, show_spinner=False)
def figure(name: str, source_id: str, key: tuple, _build: Callable[[], Any]) -> Any:
    """A plotly figure built once per (name, list, key): a slider step back to a value already seen costs nothing.

    ``key`` must hold every setting the figure depends on besides the list. Building a figure
    takes plotly 5-25 ms, the bulk of a rerun; ``st.plotly_chart`` only copies it, never changes it.
    """
    return _build()


@bounded(max_entries=64, max_bytes=1 * MB)
def zero_bigrams(source_id: str, k: float, _model: CountModel) -> int:
    """How many cells of P are exactly 0 at smoothing k: the bigrams the model calls impossible."""
    return int((probabilities(source_id, k, _model) == 0).sum())


@dataclass(frozen=True)
class KeepdimDemo:
    """The wrong normalisation ``P / P.sum(1)`` of the live matrix, reduced to what the page shows."""

    shape: tuple[int, ...]  # (V, V)
    sums_shape: tuple[int, ...]  # P.sum(1): (V,)
    keepdim_shape: tuple[int, ...]  # P.sum(1, keepdim=True): (V, 1)
    row_sums: torch.Tensor  # of the wrong matrix: not 1
    col_sums: torch.Tensor  # of the wrong matrix: exactly 1 (up to float32 rounding)
    right_row_sums: torch.Tensor  # of the right P: 1


@bounded(max_entries=64, max_bytes=16 * MB)
def keepdim_demo(source_id: str, k: float, _model: CountModel) -> KeepdimDemo:
    wrong = keepdim_pitfall(_model.N, k)
    sums = (_model.N.float() + k).sum(1)
    return KeepdimDemo(
        shape=tuple(_model.N.shape),
        sums_shape=tuple(sums.shape),
        keepdim_shape=tuple(sums.unsqueeze(1).shape),
        row_sums=wrong.double().sum(1),
        col_sums=wrong.double().sum(0),
        right_row_sums=probabilities(source_id, k, _model).double().sum(1),
    )


def clean_typed_word(text: str, model: CountModel) -> str:
    """A typed word cleaned as the list was: NFC, and lowercased unless the list itself has capitals."""
    lowercase = not any(ch != ch.lower() for ch in model.vocab.symbols)
    return clean_word(text, lowercase=lowercase)


@bounded(max_entries=16, max_bytes=128 * MB)
def word_set(source_id: str, _words: tuple[str, ...]) -> frozenset[str]:
    """The list's words, for "does this sample occur in the list?"."""
    return frozenset(_words)


@bounded(max_entries=32, max_bytes=16 * MB)
def count_samples(
    source_id: str, k: float, n: int, seed: int, temperature: float, max_len: int, mode: str, _model: CountModel
) -> list[Sample]:
    """Seeded samples of the counting model: the same settings always give the same words, so they are cached."""
    return sample(
        probabilities(source_id, k, _model),
        _model.vocab,
        n,
        seed=seed,
        temperature=temperature,
        max_len=max_len,
        mode=mode,
    )


def multinomial_demo(p: torch.Tensor, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n seeded draws from p (indices) and how often each index came out (see bigram.sampling.draw)."""
    drawn = draw(p, n, seed=seed)
    return drawn, torch.bincount(drawn, minlength=p.numel())


@bounded(max_entries=32, max_bytes=64 * MB)
def multinomial_draws(
    source_id: str, k: float, row: int, n: int, seed: int, _model: CountModel
) -> tuple[torch.Tensor, torch.Tensor]:
    """``multinomial_demo`` on row ``row`` of the counting model's P at smoothing k."""
    return multinomial_demo(probabilities(source_id, k, _model)[row], n, seed)


__all__ = [
    "BigramError",
    "WordSource",
    "current",
    "count_model",
    "load_builtin",
    "log_probabilities",
    "model_for",
    "list_score",
    "list_stats",
    "nll_curve",
    "parse_upload",
    "probabilities",
    "builtin_titles",
]


@bounded(max_entries=64, max_bytes=1 * MB)
def pair_facts(source_id: str, a: int, b: int, _model: CountModel):
    """Joint, marginal, conditional and Bayes for one pair (bigram.probability.PairFacts)."""
    from bigram.probability import pair_facts as facts

    return facts(_model.N, a, b)


@bounded(max_entries=16, max_bytes=8 * MB)
def stationary(source_id: str, _model: CountModel):
    """The eigenvector of P.T for eigenvalue 1 against the symbols' shares (bigram.probability.Stationary)."""
    from bigram.probability import stationary_distribution

    return stationary_distribution(probabilities(source_id, 0.0, _model), _model.N)
