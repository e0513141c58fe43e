"""The app's cached calls: each is named after the ``bigram`` function it wraps and says so.

Derived work (the count model, P and log P for a smoothing value, the NLL-against-k curve, a
figure) depends only on a list's content and the settings, so it is cached across sessions by
the list's content id, in the caches of ``ui.cache``: least recently used first out, each
bounded by entries and by bytes. The bounds add up to ``ui.cache.total_budget()``, printed by
the tests, however many people upload lists and move sliders.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import plotly.io
import torch

from bigram import CountModel, counting
from bigram.counting import KeepdimDemo, Sums
from bigram.defaults import SMOOTHING_GRID
from bigram.describe import ListStats
from bigram.describe import describe_list as _describe_list
from bigram.neural import Baselines, TrainingData
from bigram.neural import baselines as _baselines
from bigram.probability import pair_facts as _pair_facts
from bigram.probability import stationary_distribution as _stationary_distribution
from bigram.sampling import RowDraws, Sample, SampleTable
from bigram.sampling import draw_from_row as _draw_from_row
from bigram.sampling import sample as _sample
from bigram.sampling import sample_table as _sample_table

from .cache import MB, bounded
from .grid import Grid


@bounded(max_entries=16, max_bytes=256 * MB)
def count_model(source_id: str, _words: tuple[str, ...]) -> CountModel:
    """``CountModel.from_words``."""
    return CountModel.from_words(_words)


@bounded(max_entries=64, max_bytes=192 * MB)
def probabilities(source_id: str, k: float, _model: CountModel) -> torch.Tensor:
    """``CountModel.probabilities``: float32 P as the lecture computes it (for display and sampling)."""
    return _model.probabilities(k)


@bounded(max_entries=64, max_bytes=256 * MB)
def log_probabilities(source_id: str, k: float, _model: CountModel) -> torch.Tensor:
    """``CountModel.log_probabilities``: exact float64 log P (for losses)."""
    return _model.log_probabilities(k)


@bounded(max_entries=64, max_bytes=16 * MB)
def score_counts(source_id: str, k: float, _model: CountModel):
    """``counting.score_counts``: the list's own loss under its model at smoothing k."""
    return counting.score_counts(_model.N, log_probabilities(source_id, k, _model), _model.vocab, _model.words)


@bounded(max_entries=32, max_bytes=4 * MB)
def nll_curve(source_id: str, _model: CountModel, ks: tuple[float, ...] = SMOOTHING_GRID) -> list[tuple[float, float]]:
    """``counting.nll_curve``: the list's own NLL at each smoothing value of the slider's grid."""
    return counting.nll_curve(_model.N, ks)


@bounded(max_entries=16, max_bytes=128 * MB)
def describe_list(source_id: str, _words: tuple[str, ...]) -> ListStats:
    """``describe.describe_list``: the Data page's numbers."""
    return _describe_list(_words, count_model(source_id, _words).N)


@bounded(max_entries=64, max_bytes=1 * MB)
def zero_cells(source_id: str, k: float, _model: CountModel) -> int:
    """``counting.zero_cells``: the bigrams the model calls impossible at smoothing k."""
    return counting.zero_cells(_model.N, k)


@bounded(max_entries=64, max_bytes=16 * MB)
def keepdim_demo(source_id: str, k: float, _model: CountModel) -> KeepdimDemo:
    """``counting.keepdim_demo``: the keepdim pitfall on the live matrix."""
    return counting.keepdim_demo(_model.N, k)


@bounded(max_entries=64, max_bytes=4 * MB)
def row_and_column_sums(source_id: str, _model: CountModel) -> Sums:
    """``counting.row_and_column_sums``: the bigrams leaving and entering each symbol."""
    return counting.row_and_column_sums(_model.N)


@bounded(max_entries=16, max_bytes=128 * MB)
def word_set(source_id: str, _words: tuple[str, ...]) -> frozenset[str]:
    """The list's words, for "does this sample occur in the list?"."""
    return frozenset(_words)


@bounded(max_entries=32, max_bytes=16 * MB)
def sample(
    source_id: str, k: float, n: int, seed: int, temperature: float, max_len: int, mode: str, _model: CountModel
) -> list[Sample]:
    """``sampling.sample`` from the counting model: the same settings always give the same words."""
    return _sample(
        probabilities(source_id, k, _model),
        _model.vocab,
        n,
        seed=seed,
        temperature=temperature,
        max_len=max_len,
        mode=mode,
    )


@bounded(max_entries=32, max_bytes=4 * MB)
def sample_table(
    source_id: str,
    k: float,
    n: int,
    seed: int,
    temperature: float,
    max_len: int,
    mode: str,
    _model: CountModel,
    _words: tuple[str, ...],
) -> SampleTable:
    """``sampling.sample_table`` of those samples: length, log p under the model that drew them, in the list or not."""
    drawn = sample(source_id, k, n, seed, temperature, max_len, mode, _model)
    return _sample_table(drawn, log_probabilities(source_id, k, _model), word_set(source_id, _words))


@bounded(max_entries=32, max_bytes=64 * MB)
def draw_from_row(source_id: str, k: float, row: int, n: int, seed: int, _model: CountModel) -> RowDraws:
    """``sampling.draw_from_row`` on the counting model's P at smoothing k."""
    return _draw_from_row(probabilities(source_id, k, _model), row, n, seed=seed)


@bounded(max_entries=64, max_bytes=1 * MB)
def pair_facts(source_id: str, a: int, b: int, _model: CountModel):
    """``probability.pair_facts``: joint, marginal, conditional and Bayes for one pair."""
    return _pair_facts(_model.N, a, b)


@bounded(max_entries=16, max_bytes=8 * MB)
def stationary_distribution(source_id: str, _model: CountModel):
    """``probability.stationary_distribution`` of P at k = 0."""
    return _stationary_distribution(probabilities(source_id, 0.0, _model), _model.N)


@bounded(max_entries=64, max_bytes=1 * MB)
def baselines(source_id: str, net_seed: int, _data: TrainingData) -> Baselines:
    """``neural.baselines``: ln V, the counting optimum and where the seed's W starts (a V x V draw and a loss)."""
    return _baselines(_data, net_seed)


def _figure_bytes(fig: Any) -> int:
    """What a figure costs to keep: the size of the JSON Streamlit sends for it (a plotly figure or a grid)."""
    if isinstance(fig, Grid):
        return len(json.dumps(fig.spec))
    return len(plotly.io.to_json(fig, validate=False))


@bounded(max_entries=128, max_bytes=64 * MB, size=_figure_bytes)
def figure(name: str, source_id: str, key: tuple, _build: Callable[[], Any]) -> Any:
    """A plotly figure built once per (name, list, key): a slider step back to a value already seen costs nothing.

    ``key`` must hold every setting the figure depends on besides the list. Building a figure
    takes plotly 5-25 ms, the bulk of a rerun; ``st.plotly_chart`` only copies it, never changes it.
    """
    return _build()
