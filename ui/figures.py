"""Plotly figure builders: plain functions from data to a Figure, testable without a browser.

They do no modelling: every number comes from ``bigram``; these only decide how it looks.
"""

from __future__ import annotations

import math
from typing import Sequence

import plotly.graph_objects as go
import torch

HEATMAP_MAX_SYMBOLS = 40
BLUE = "#1f77b4"
ORANGE = "#ff7f0e"
GREY = "#7f7f7f"


def top_symbols(N: torch.Tensor, limit: int = HEATMAP_MAX_SYMBOLS) -> list[int]:
    """Ids to show in a heatmap: the boundary and the most frequent symbols, in id order."""
    V = N.shape[0]
    if V <= limit:
        return list(range(V))
    freq = N.sum(0) + N.sum(1)
    freq[0] = freq.max() + 1  # the boundary always stays
    keep = torch.sort(freq, descending=True, stable=True).indices[:limit]
    return sorted(int(i) for i in keep)


def _layout(fig: go.Figure, title: str, height: int | None = None) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0, xanchor="left"), margin=dict(l=10, r=10, t=50, b=10),
                      template="plotly_white", height=height)
    return fig


def matrix_heatmap(M: torch.Tensor, labels: Sequence[str], *, view: str = "counts", ids: Sequence[int] | None = None,
                   annotate: bool = True, title: str | None = None) -> go.Figure:
    """The lecture's picture of N: each cell shows its bigram and its value; rows are the previous symbol.

    ``view`` is "counts", "probabilities" or "log-probabilities" and only changes the text
    format and colour scale; ``ids`` restricts the picture to some symbols (large vocabularies).
    """
    ids = list(range(M.shape[0])) if ids is None else list(ids)
    sub = M[ids][:, ids].double()
    labs = [labels[i] for i in ids]
    z = sub.tolist()
    if view == "counts":
        fmt = lambda v: f"{int(v)}"  # noqa: E731
        hover = "%{y}%{x}: %{z:,.0f}<extra>count of bigram</extra>"
        colorscale = "Blues"
    elif view == "probabilities":
        fmt = lambda v: f"{v:.2f}".lstrip("0") if v < 1 else "1"  # noqa: E731
        hover = "p(%{x} | %{y}) = %{z:.4f}<extra></extra>"
        colorscale = "Blues"
    elif view == "log-probabilities":
        z = [[v if math.isfinite(v) else None for v in row] for row in z]
        fmt = lambda v: "-inf" if v is None else f"{v:.1f}"  # noqa: E731
        hover = "log p(%{x} | %{y}) = %{z:.3f}<extra></extra>"
        colorscale = "Blues"
    else:
        raise ValueError(f"unknown view {view!r}")
    text = [[f"{labs[r]}{labs[c]}<br>{fmt(z[r][c])}" for c in range(len(ids))] for r in range(len(ids))]
    fig = go.Figure(go.Heatmap(
        z=z, x=labs, y=labs, colorscale=colorscale, text=text if annotate else None,
        texttemplate="%{text}" if annotate else None, textfont=dict(size=8), hovertemplate=hover,
        xgap=1, ygap=1, colorbar=dict(thickness=12),
    ))
    fig.update_yaxes(autorange="reversed", title="previous symbol", type="category", tickfont=dict(size=12))
    fig.update_xaxes(side="top", title="next symbol", type="category", tickfont=dict(size=12))
    size = max(420, 26 * len(ids) + 120)
    return _layout(fig, title or f"Bigram {view}", height=size)


def row_distribution(probs: torch.Tensor, labels: Sequence[str], row_label: str, *, compare: torch.Tensor | None = None,
                     names: tuple[str, str] = ("P", "after"), title: str | None = None) -> go.Figure:
    """p(next | previous = row_label) as bars; optionally a second distribution beside it."""
    fig = go.Figure(go.Bar(x=list(labels), y=probs.double().tolist(), name=names[0], marker_color=BLUE,
                           hovertemplate="p(%{x} | " + row_label + ") = %{y:.4f}<extra>" + names[0] + "</extra>"))
    if compare is not None:
        fig.add_bar(x=list(labels), y=compare.double().tolist(), name=names[1], marker_color=ORANGE,
                    hovertemplate="p(%{x} | " + row_label + ") = %{y:.4f}<extra>" + names[1] + "</extra>")
    fig.update_xaxes(type="category", title="next symbol")
    fig.update_yaxes(title="probability", rangemode="tozero")
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    return _layout(fig, title or f"Next symbol after {row_label!r}", height=340)


def top_bigrams_bar(pairs: Sequence[tuple[str, int]], title: str = "Most frequent bigrams") -> go.Figure:
    labels = [p for p, _ in pairs][::-1]
    counts = [c for _, c in pairs][::-1]
    fig = go.Figure(go.Bar(x=counts, y=labels, orientation="h", marker_color=BLUE, hovertemplate="%{y}: %{x:,}<extra></extra>"))
    fig.update_yaxes(type="category")
    fig.update_xaxes(title="count")
    return _layout(fig, title, height=max(300, 22 * len(pairs) + 80))


def sums_comparison(row_sums: torch.Tensor, col_sums: torch.Tensor, labels: Sequence[str]) -> go.Figure:
    """Row sums (times a symbol is left) beside column sums (times it is entered): always equal."""
    fig = go.Figure()
    fig.add_bar(x=list(labels), y=row_sums.tolist(), name="row sum: bigrams starting with it", marker_color=BLUE)
    fig.add_scatter(x=list(labels), y=col_sums.tolist(), name="column sum: bigrams ending with it", mode="markers",
                    marker=dict(color=ORANGE, size=9, symbol="diamond"))
    fig.update_xaxes(type="category", title="symbol")
    fig.update_yaxes(title="count")
    fig.update_layout(legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    return _layout(fig, "Row sums and column sums of N", height=360)


def loss_curve(history: Sequence[float], *, target: float | None = None, target_label: str = "counting model NLL (k = 0)",
               nll_history: Sequence[float] | None = None, title: str = "Training loss") -> go.Figure:
    steps = list(range(len(history)))
    fig = go.Figure(go.Scatter(x=steps, y=list(history), mode="lines", name="loss (NLL + reg)", line=dict(color=BLUE)))
    if nll_history is not None:
        fig.add_scatter(x=steps, y=list(nll_history), mode="lines", name="NLL (data term)", line=dict(color=ORANGE, dash="dot"))
    if target is not None and math.isfinite(target):
        fig.add_hline(y=target, line=dict(color=GREY, dash="dash"), annotation_text=f"{target_label}: {target:.4f}",
                      annotation_position="top right")
    fig.update_xaxes(title="step", rangemode="tozero")
    fig.update_yaxes(title="loss")
    fig.update_layout(legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    return _layout(fig, title, height=360)


def nll_vs_smoothing(points: Sequence[tuple[float, float]], current: tuple[float, float] | None = None,
                     extra: dict[str, Sequence[tuple[float, float]]] | None = None, title: str = "NLL against smoothing k") -> go.Figure:
    """NLL at each k on a log-like x axis (k = 0 is drawn at the left edge); the current k is marked."""
    def x(k: float) -> float:
        return math.log10(k) if k > 0 else -4.0

    def series(pts):
        xs = [x(k) for k, v in pts if math.isfinite(v)]
        ys = [v for _, v in pts if math.isfinite(v)]
        ks = [k for k, v in pts if math.isfinite(v)]
        return xs, ys, ks

    fig = go.Figure()
    xs, ys, ks = series(points)
    fig.add_scatter(x=xs, y=ys, customdata=ks, mode="lines+markers", name="NLL", line=dict(color=BLUE),
                    hovertemplate="k = %{customdata:g}: NLL %{y:.5f}<extra></extra>")
    for name, pts in (extra or {}).items():
        exs, eys, eks = series(pts)
        fig.add_scatter(x=exs, y=eys, customdata=eks, mode="lines+markers", name=name,
                        hovertemplate="k = %{customdata:g}: %{y:.5f}<extra>" + name + "</extra>")
    if current is not None and math.isfinite(current[1]):
        fig.add_scatter(x=[x(current[0])], y=[current[1]], mode="markers", name=f"current k = {current[0]:g}",
                        marker=dict(color=ORANGE, size=14, symbol="star"), hovertemplate="k = %{text}: NLL %{y:.5f}<extra></extra>",
                        text=[f"{current[0]:g}"])
    ticks = [-4, -3, -2, -1, 0, 1, 2, 3]
    fig.update_xaxes(title="smoothing k (log scale; leftmost point is k = 0)", tickvals=ticks,
                     ticktext=["0", "0.001", "0.01", "0.1", "1", "10", "100", "1000"])
    fig.update_yaxes(title="average NLL per bigram")
    fig.update_layout(legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    return _layout(fig, title, height=360)


def histogram(values: Sequence[int], *, title: str, xlabel: str) -> go.Figure:
    counts: dict[int, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    xs = sorted(counts)
    fig = go.Figure(go.Bar(x=xs, y=[counts[v] for v in xs], marker_color=BLUE, hovertemplate="%{x}: %{y:,}<extra></extra>"))
    fig.update_xaxes(title=xlabel, dtick=1 if len(xs) <= 40 else None)
    fig.update_yaxes(title="words")
    return _layout(fig, title, height=320)


def symbol_frequencies(labels: Sequence[str], counts: Sequence[int], title: str = "Symbol frequencies") -> go.Figure:
    fig = go.Figure(go.Bar(x=list(labels), y=list(counts), marker_color=BLUE, hovertemplate="%{x}: %{y:,}<extra></extra>"))
    fig.update_xaxes(type="category", title="symbol")
    fig.update_yaxes(title="occurrences")
    return _layout(fig, title, height=320)


def difference_heatmap(D: torch.Tensor, labels: Sequence[str], ids: Sequence[int] | None = None,
                       title: str = "softmax(W) - P") -> go.Figure:
    """Signed differences on a diverging scale centred at 0."""
    ids = list(range(D.shape[0])) if ids is None else list(ids)
    sub = D[ids][:, ids].double()
    labs = [labels[i] for i in ids]
    bound = float(sub.abs().max()) or 1e-12
    fig = go.Figure(go.Heatmap(z=sub.tolist(), x=labs, y=labs, colorscale="RdBu", zmid=0, zmin=-bound, zmax=bound,
                               hovertemplate="%{y}%{x}: %{z:+.5f}<extra></extra>", xgap=1, ygap=1, colorbar=dict(thickness=12)))
    fig.update_yaxes(autorange="reversed", title="previous symbol", type="category")
    fig.update_xaxes(side="top", title="next symbol", type="category")
    return _layout(fig, title, height=max(420, 20 * len(ids) + 120))


def draws_vs_probabilities(labels: Sequence[str], probs: torch.Tensor, draws: torch.Tensor, n: int) -> go.Figure:
    """How often torch.multinomial picked each index in n draws, against the probability it was given."""
    freq = (draws.double() / max(n, 1)).tolist()
    fig = go.Figure()
    fig.add_bar(x=list(labels), y=freq, name=f"share of {n:,} draws", marker_color=BLUE)
    fig.add_scatter(x=list(labels), y=probs.double().tolist(), mode="markers", name="probability p[i]",
                    marker=dict(color=ORANGE, size=9, symbol="diamond"))
    fig.update_xaxes(type="category", title="index (symbol)")
    fig.update_yaxes(title="share", rangemode="tozero")
    fig.update_layout(legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    return _layout(fig, "torch.multinomial: draws against probabilities", height=340)
