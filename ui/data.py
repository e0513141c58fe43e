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

from bigram import BigramError, CountModel, WordList, counting, parse_words
from bigram.builtin import builtin_lists, default_list, find_builtin
from bigram.counting import KeepdimDemo, score_counts
from bigram.defaults import SMOOTHING_GRID
from bigram.describe import ListStats, describe_list
from bigram.sampling import Sample, draw_and_count, sample
from bigram.wordlist import CleanReport

from . import state
from .cache import bounded

MB = 1 << 20

#: Bounds for uploads on a shared server (see BENCHMARKS.md for what they cost).
UPLOAD_MAX_WORDS = 1_000_000
UPLOAD_MAX_VOCAB = 3_000
UPLOAD_MAX_WORD_LEN = 100


@dataclass(frozen=True)
class WordSource:
    """A cleaned word list and where it came from.

    A person's upload stays in their session for as long as it lasts, so it is kept compact: the
    words as one string, one a line (a byte or two a character), not as a tuple of str (about 60
    bytes a word: 60 MB a session for a million-word upload). ``words`` splits it once into a
    shared cache bounded by bytes, keyed by the list's id. Cleaned words never hold a control
    character (``bigram.wordlist.clean_line``), so the newline cannot be part of a word.
    """

    id: str  # "builtin:<key>" or "upload:<sha256 of bytes and options>"
    title: str
    text: str  # the words joined by "\n"
    report: CleanReport
    builtin_key: str | None = None

    @classmethod
    def of(cls, id: str, title: str, words, report: CleanReport, builtin_key: str | None = None) -> WordSource:
        return cls(id=id, title=title, text="\n".join(words), report=report, builtin_key=builtin_key)

    @property
    def words(self) -> tuple[str, ...]:
        return _words(self.id, self.text)

    @property
    def is_upload(self) -> bool:
        return self.builtin_key is None


@bounded(max_entries=16, max_bytes=192 * MB)
def _words(source_id: str, _text: str) -> tuple[str, ...]:
    """A list's words as a tuple, split once from its text and shared by every session that uses the list."""
    return tuple(_text.split("\n")) if _text else ()


@st.cache_resource(max_entries=8, show_spinner=False)
def load_builtin(key: str) -> WordSource:
    entry = find_builtin(key) or default_list()
    wl = parse_words(entry.path.read_bytes(), source=entry.file)
    return WordSource.of(f"builtin:{entry.key}", entry.title, wl.words, wl.report, builtin_key=entry.key)


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
    return WordSource.of(f"upload:{digest}", name, wl.words, wl.report)


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


@bounded(max_entries=32, max_bytes=4 * MB)
def nll_curve(source_id: str, _model: CountModel, ks: tuple[float, ...] = SMOOTHING_GRID) -> list[tuple[float, float]]:
    """The list's own NLL at each smoothing value of the slider's grid (bigram.counting.nll_curve)."""
    return counting.nll_curve(_model.N, ks)


@bounded(max_entries=16, max_bytes=128 * MB)
def list_stats(source_id: str, _words: tuple[str, ...]) -> ListStats:
    """Descriptive numbers for the Data page, computed once per list (bigram.describe.describe_list)."""
    return describe_list(_words, count_model(source_id, _words).N)


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
    return counting.zero_cells(_model.N, k)


@bounded(max_entries=64, max_bytes=16 * MB)
def keepdim_demo(source_id: str, k: float, _model: CountModel) -> KeepdimDemo:
    """The keepdim pitfall on the live matrix (bigram.counting.keepdim_demo)."""
    return counting.keepdim_demo(_model.N, k)


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
    """n seeded draws from p (indices) and how often each index came out (bigram.sampling.draw_and_count)."""
    return draw_and_count(p, n, seed=seed)


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
