"""Plotly figure builders: plain functions from data to a Figure, testable without a browser.

They do no modelling: every number comes from ``bigram``; these only decide how it looks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go
import torch

from bigram.counting import cells

from . import escape

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


#: The name of the invisible layer of markers over a heatmap's cells that makes each cell clickable:
#: a plotly heatmap trace sends no selection events (streamlit#8760), a scatter does.
PICK_LAYER = "pick a bigram"


def pick_layer(
    labs: Sequence[str],
    ids: Sequence[int],
    *,
    N: torch.Tensor | None,
    k: float,
    pick: tuple[int, int] | None,
    size: int,
) -> tuple[go.Scatter, list[dict]]:
    """A transparent marker on every cell, its hover the add-k formula filled in with the cell's numbers (when N is
    given); and the outline of the picked cell. Point index r * len(ids) + c is cell (ids[r], ids[c])."""
    n = len(ids)
    numbers, hover = None, None
    if N is not None:
        index = torch.tensor(list(ids))  # a cut-down heatmap's row sums still count every symbol: cut after
        num, den, P = (t[index][:, index].double() for t in cells(N, k))
        V = N.shape[1]
        # The numbers travel as one array (sent in binary) and plotly fills them into one template: 729 formatted
        # strings per heatmap were 110 KB of the figure and most of the time it took to build.
        numbers = torch.stack([num - k, den - V * k, P], dim=-1).reshape(n * n, 3).numpy()
        hover = (
            "p(%{x} | %{y}) = (N + k) / (row sum + V·k)<br>"
            f"= (%{{customdata[0]:,.6~g}} + {k:g}) / (%{{customdata[1]:,.6~g}} + {V}·{k:g})"
            " = %{customdata[2]:.4f}<br><i>click to pick this bigram</i><extra></extra>"
        )
    layer = go.Scatter(
        x=[labs[c] for _ in range(n) for c in range(n)],
        y=[labs[r] for r in range(n) for _ in range(n)],
        mode="markers",
        name=PICK_LAYER,
        marker=dict(symbol="square", size=size, color="rgba(0,0,0,0)"),
        customdata=numbers,
        hovertemplate=hover,
        hoverinfo=None if hover else "skip",
        showlegend=False,
    )
    shapes = []
    if pick is not None and pick[0] in ids and pick[1] in ids:
        r, c = list(ids).index(pick[0]), list(ids).index(pick[1])
        shapes.append(
            dict(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5, line=dict(color=ORANGE, width=3))
        )
    return layer, shapes


def _layout(fig: go.Figure, title: str, height: int | None = None) -> go.Figure:
    """The one look of every figure: ``_fast_layout``'s title, margins and height, on Streamlit's own theme (which
    st.plotly_chart applies to every chart, light or dark)."""
    fig.update_layout(_fast_layout(title, height))
    return fig


def _heatmap_margin(*, top: int, colorbar: bool, legend: bool = False, ylabel: bool = True) -> dict:
    """A heatmap's margins, fixed: room for one-symbol tick labels and the axis title at the left, the colour bar at
    the right, a legend below.

    Left to grow them itself (``autoexpand``), plotly draws the figure, measures the labels, colour bar and legend,
    and draws it all again: for a 27 x 27 heatmap with its pick layer that doubled the time the browser spends on it
    (184 -> 66 ms for P, 373 -> 106 ms for the count grid, plotly.js alone in Chromium on this machine).
    """
    return dict(l=52 if ylabel else 40, r=96 if colorbar else 14, t=top, b=48 if legend else 14, autoexpand=False)


#: A figure title pinned to the top of the figure, above a top x axis' own title: in the middle of the top margin
#: (plotly's default) the two overlap once the figure is narrow (a phone).
_TITLE_ABOVE_TOP_AXIS = dict(yref="container", y=1, yanchor="top", pad=dict(t=12))


def _cell_ranges(n: int) -> tuple[list[float], list[float]]:
    """The x and y ranges of an n x n grid of cells, row 0 at the top: exactly the cells. Left to plotly, the ranges
    would grow by half a pick marker at each end (a gap between the top labels and the first row), and be computed
    at every draw."""
    return [-0.5, n - 0.5], [n - 0.5, -0.5]


def _grid_with_top_axis(fig: go.Figure, n: int, title: str, height: int, tickfont: dict | None = None) -> go.Figure:
    """The one layout of the n x n grids read like the lecture's N: row 0 at the top, the next symbol along a top
    axis, the title above that axis, fixed margins (``_heatmap_margin``) and exact cell ranges (``_cell_ranges``)."""
    xs, ys = _cell_ranges(n)
    font = {} if tickfont is None else {"tickfont": tickfont}
    fig.update_yaxes(range=ys, title="previous symbol", type="category", **font)
    fig.update_xaxes(range=xs, side="top", title="next symbol", type="category", **font)
    _layout(fig, title, height=height)
    fig.update_layout(margin=_heatmap_margin(top=100, colorbar=True), title=_TITLE_ABOVE_TOP_AXIS)
    return fig


def matrix_heatmap(
    M: torch.Tensor,
    labels: Sequence[str],
    *,
    view: str = "counts",
    ids: Sequence[int] | None = None,
    annotate: bool = True,
    title: str | None = None,
    N: torch.Tensor | None = None,
    k: float = 0.0,
    pick: tuple[int, int] | None = None,
) -> go.Figure:
    """The lecture's picture of N: each cell shows its bigram and its value; rows are the previous symbol.

    ``view`` is "counts", "probabilities" or "log-probabilities" and only changes the text
    format and colour scale; ``ids`` restricts the picture to some symbols (large vocabularies).
    Every cell can be clicked (``pick_layer``); with ``N`` its hover shows the add-k formula at ``k``.
    """
    ids = list(range(M.shape[0])) if ids is None else list(ids)
    sub = M[ids][:, ids].double()
    labs = [escape.plot(labels[i]) for i in ids]
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
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=labs,
            y=labs,
            colorscale=colorscale,
            text=text if annotate else None,
            texttemplate="%{text}" if annotate else None,
            textfont=dict(size=8),
            hovertemplate=hover,
            xgap=1,
            ygap=1,
            colorbar=dict(thickness=12),
        )
    )
    layer, shapes = pick_layer(labs, ids, N=N, k=k, pick=pick, size=20)
    if N is not None:
        fig.data[0].hoverinfo = "skip"  # the layer above shows the formula instead
        fig.data[0].hovertemplate = None
    fig.add_trace(layer)
    fig.update_layout(shapes=shapes)
    size = max(420, 26 * len(ids) + 170)
    return _grid_with_top_axis(fig, len(ids), title or f"Bigram {view}", size, tickfont=dict(size=12))


def row_distribution(
    probs: torch.Tensor,
    labels: Sequence[str],
    row_label: str,
    *,
    compare: torch.Tensor | None = None,
    names: tuple[str, str] = ("P", "after"),
    title: str | None = None,
    highlight: int | None = None,
) -> go.Figure:
    """p(next | previous = row_label) as bars; optionally a second distribution beside it; ``highlight``: the
    picked bigram's next symbol, banded."""
    fig = go.Figure(
        go.Bar(
            x=[escape.plot(x) for x in labels],
            y=probs.double().tolist(),
            name=names[0],
            marker_color=BLUE,
            hovertemplate="p(%{x} | " + escape.plot(row_label) + ") = %{y:.4f}<extra>" + names[0] + "</extra>",
        )
    )
    if compare is not None:
        fig.add_bar(
            x=[escape.plot(x) for x in labels],
            y=compare.double().tolist(),
            name=names[1],
            marker_color=ORANGE,
            hovertemplate="p(%{x} | " + escape.plot(row_label) + ") = %{y:.4f}<extra>" + names[1] + "</extra>",
        )
    fig.update_xaxes(type="category", title="next symbol")
    fig.update_yaxes(title="probability", rangemode="tozero")
    fig.update_layout(
        barmode="group",
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"),
        shapes=_band(highlight),
    )
    return _layout(fig, title or f"Next symbol after {row_label!r}", height=340)


def _band(index: int | None) -> list[dict]:
    """A light band behind bar ``index`` of a category axis: the picked bigram in a row's chart."""
    if index is None:
        return []
    return [
        dict(
            type="rect",
            xref="x",
            yref="paper",
            x0=index - 0.5,
            x1=index + 0.5,
            y0=0,
            y1=1,
            layer="below",
            fillcolor="rgba(255,127,14,0.18)",
            line=dict(width=0),
        )
    ]


def top_bigrams_bar(pairs: Sequence[tuple[str, int]], title: str = "Most frequent bigrams") -> go.Figure:
    labels = [p for p, _ in pairs][::-1]
    counts = [c for _, c in pairs][::-1]
    fig = go.Figure(
        go.Bar(
            x=counts,
            y=[escape.plot(y) for y in labels],
            orientation="h",
            marker_color=BLUE,
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    fig.update_yaxes(type="category")
    fig.update_xaxes(title="count")
    return _layout(fig, title, height=max(300, 22 * len(pairs) + 80))


def sums_comparison(row_sums: torch.Tensor, col_sums: torch.Tensor, labels: Sequence[str]) -> go.Figure:
    """Row sums (times a symbol is left) beside column sums (times it is entered): always equal."""
    fig = go.Figure()
    fig.add_bar(
        x=[escape.plot(x) for x in labels],
        y=row_sums.tolist(),
        name="row sum: bigrams starting with it",
        marker_color=BLUE,
    )
    fig.add_scatter(
        x=[escape.plot(x) for x in labels],
        y=col_sums.tolist(),
        name="column sum: bigrams ending with it",
        mode="markers",
        marker=dict(color=ORANGE, size=9, symbol="diamond"),
    )
    fig.update_xaxes(type="category", title="symbol")
    fig.update_yaxes(title="count")
    fig.update_layout(legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    return _layout(fig, "Row sums and column sums of N", height=360)


def nll_vs_smoothing(
    points: Sequence[tuple[float, float]],
    current: tuple[float, float] | None = None,
    extra: dict[str, Sequence[tuple[float, float]]] | None = None,
    title: str = "NLL against smoothing k",
) -> go.Figure:
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
    fig.add_scatter(
        x=xs,
        y=ys,
        customdata=ks,
        mode="lines+markers",
        name="NLL",
        line=dict(color=BLUE),
        hovertemplate="k = %{customdata:g}: NLL %{y:.5f}<extra></extra>",
    )
    for name, pts in (extra or {}).items():
        exs, eys, eks = series(pts)
        fig.add_scatter(
            x=exs,
            y=eys,
            customdata=eks,
            mode="lines+markers",
            name=name,
            hovertemplate="k = %{customdata:g}: %{y:.5f}<extra>" + name + "</extra>",
        )
    if current is not None and math.isfinite(current[1]):
        fig.add_scatter(
            x=[x(current[0])],
            y=[current[1]],
            mode="markers",
            name=f"current k = {current[0]:g}",
            marker=dict(color=ORANGE, size=14, symbol="star"),
            hovertemplate="k = %{text}: NLL %{y:.5f}<extra></extra>",
            text=[f"{current[0]:g}"],
        )
    ticks = [-4, -3, -2, -1, 0, 1, 2, 3]
    fig.update_xaxes(
        title="smoothing k (log scale; leftmost point is k = 0)",
        tickvals=ticks,
        ticktext=["0", "0.001", "0.01", "0.1", "1", "10", "100", "1000"],
    )
    fig.update_yaxes(title="average NLL per bigram")
    fig.update_layout(legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    return _layout(fig, title, height=360)


def histogram(values: Sequence[int], *, title: str, xlabel: str) -> go.Figure:
    counts: dict[int, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    xs = sorted(counts)
    fig = go.Figure(
        go.Bar(x=xs, y=[counts[v] for v in xs], marker_color=BLUE, hovertemplate="%{x}: %{y:,}<extra></extra>")
    )
    fig.update_xaxes(title=xlabel, dtick=1 if len(xs) <= 40 else None)
    fig.update_yaxes(title="words")
    return _layout(fig, title, height=320)


def symbol_frequencies(labels: Sequence[str], counts: Sequence[int], title: str = "Symbol frequencies") -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=[escape.plot(x) for x in labels],
            y=list(counts),
            marker_color=BLUE,
            hovertemplate="%{x}: %{y:,}<extra></extra>",
        )
    )
    fig.update_xaxes(type="category", title="symbol")
    fig.update_yaxes(title="occurrences")
    return _layout(fig, title, height=320)


def difference_heatmap(
    D: torch.Tensor,
    labels: Sequence[str],
    ids: Sequence[int] | None = None,
    title: str = "softmax(W) - P",
    pick: tuple[int, int] | None = None,
) -> go.Figure:
    """Signed differences on a diverging scale centred at 0; every cell can be clicked (``pick_layer``)."""
    ids = list(range(D.shape[0])) if ids is None else list(ids)
    sub = D[ids][:, ids].double()
    labs = [escape.plot(labels[i]) for i in ids]
    bound = float(sub.abs().max()) or 1e-12
    fig = go.Figure(
        go.Heatmap(
            z=sub.tolist(),
            x=labs,
            y=labs,
            colorscale="RdBu",
            zmid=0,
            zmin=-bound,
            zmax=bound,
            hovertemplate="%{y}%{x}: %{z:+.5f}<extra></extra>",
            xgap=1,
            ygap=1,
            colorbar=dict(thickness=12),
        )
    )
    layer, shapes = pick_layer(labs, ids, N=None, k=0.0, pick=pick, size=16)
    fig.add_trace(layer)
    fig.update_layout(shapes=shapes)
    return _grid_with_top_axis(fig, len(ids), title, max(420, 20 * len(ids) + 170))


def draws_vs_probabilities(labels: Sequence[str], probs: torch.Tensor, draws: torch.Tensor, n: int) -> go.Figure:
    """How often torch.multinomial picked each index in n draws, against the probability it was given."""
    freq = (draws.double() / max(n, 1)).tolist()
    fig = go.Figure()
    fig.add_bar(x=[escape.plot(x) for x in labels], y=freq, name=f"share of {n:,} draws", marker_color=BLUE)
    fig.add_scatter(
        x=[escape.plot(x) for x in labels],
        y=probs.double().tolist(),
        mode="markers",
        name="probability p[i]",
        marker=dict(color=ORANGE, size=9, symbol="diamond"),
    )
    fig.update_xaxes(type="category", title="index (symbol)")
    fig.update_yaxes(title="share", rangemode="tozero")
    fig.update_layout(legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    return _layout(fig, "torch.multinomial: draws against probabilities", height=340)


#: The colour scale of smoothing_heatmaps spans 10**-5 .. 1; smaller probabilities get the palest colour.
LOG10_FLOOR = -5


def _fast_layout(title: str, height: int, **layout) -> dict:
    """Layout for figures redrawn at every slider step: built in one go, with Streamlit's own (light) template.

    Assigning the large "plotly_white" template costs about 20 ms a figure, more than the rest of
    the figure; Streamlit's default template is tiny and follows the app's light or dark theme.
    """
    return (
        dict(
            title=dict(text=escape.plot(title), x=0, xanchor="left"), margin=dict(l=10, r=10, t=50, b=10), height=height
        )
        | layout
    )


def probability_heatmap(
    P: torch.Tensor,
    labels: Sequence[str],
    *,
    ids: Sequence[int] | None = None,
    title: str = "P",
    colorbar: bool = True,
    ylabel: bool = True,
    N: torch.Tensor | None = None,
    k: float = 0.0,
    pick: tuple[int, int] | None = None,
    pickable: bool = True,
) -> go.Figure:
    """p(next | previous) on a fixed log colour scale (1e-5 .. 1); a cell with p = 0 is left blank and crossed in red.
    ``pickable`` False leaves out the layer that makes cells clickable (a chart drawn without ``ui.pick.chart``).

    Made to be redrawn at every step of the smoothing slider: a fixed scale keeps colours
    comparable between values of k (and between two of these side by side), and there is no
    cell text, so it builds in a few milliseconds.
    """
    ids = list(range(P.shape[0])) if ids is None else list(ids)
    labs = [escape.plot(labels[i]) for i in ids]
    sub = P[ids][:, ids].double()
    # numpy arrays, not lists: plotly checks them in one go (a 27 x 27 list of lists costs ~10 ms); NaN leaves a gap.
    z = torch.where(sub > 0, sub.log10().clamp(min=LOG10_FLOOR), torch.nan).numpy()
    zeros = (sub == 0).nonzero().tolist()
    # Every label, not plotly's thinned-out choice: a reader looks up a row and a column by their symbols.
    axis = dict(type="category", tickfont=dict(size=10), showgrid=False, tickmode="array", tickvals=labs, ticktext=labs)
    layer, shapes = pick_layer(labs, ids, N=N, k=k, pick=pick, size=12) if pickable else (None, [])
    xs, ys = _cell_ranges(len(ids))
    return go.Figure(
        data=[
            go.Heatmap(
                z=z,
                x=labs,
                y=labs,
                customdata=sub.numpy(),
                zmin=LOG10_FLOOR,
                zmax=0,
                colorscale="Blues",
                xgap=1,
                ygap=1,
                hovertemplate="p(%{x} | %{y}) = %{customdata:.6f}<extra></extra>",
                showscale=colorbar,
                colorbar=dict(
                    thickness=12,
                    title=dict(text="p"),
                    tickvals=list(range(LOG10_FLOOR, 1)),
                    ticktext=[f"≤1e{LOG10_FLOOR}"] + [f"{10.0**e:g}" for e in range(LOG10_FLOOR + 1, 1)],
                ),
            ),
            go.Scatter(
                x=[labs[j] for _, j in zeros],
                y=[labs[i] for i, _ in zeros],
                mode="markers",
                name="p = 0: impossible bigram",
                marker=dict(symbol="x-thin", size=6, line=dict(width=1.5, color="#d62728")),
                showlegend=bool(zeros),
                hovertemplate="p(%{x} | %{y}) = 0<extra></extra>",
            ),
            *([layer] if layer is not None else []),
        ],
        layout=_fast_layout(
            title,
            max(420, 14 * len(ids) + 150),
            shapes=shapes,
            xaxis=dict(axis, side="top", range=xs),
            yaxis=dict(axis, range=ys, title=dict(text="previous symbol" if ylabel else "")),
            legend=dict(orientation="h", y=-0.01, yanchor="top", x=0, xanchor="left"),
            margin=_heatmap_margin(top=80, colorbar=colorbar, legend=bool(zeros), ylabel=ylabel),
        ),
    )


def keepdim_sums(
    row_sums: torch.Tensor, col_sums: torch.Tensor, labels: Sequence[str], title: str = "Sums of P / P.sum(1)"
) -> go.Figure:
    """The wrong matrix's row sums (should be 1, are not) as bars, its column sums (exactly 1) as markers."""
    return go.Figure(
        data=[
            go.Bar(
                x=[escape.plot(x) for x in labels],
                y=row_sums.double().tolist(),
                name="row sums (should be 1)",
                marker_color=BLUE,
                hovertemplate="row %{x}: %{y:.4f}<extra></extra>",
            ),
            go.Scatter(
                x=[escape.plot(x) for x in labels],
                y=col_sums.double().tolist(),
                mode="markers",
                name="column sums",
                marker=dict(color=ORANGE, size=9, symbol="diamond"),
                hovertemplate="column %{x}: %{y:.6f}<extra></extra>",
            ),
        ],
        layout=_fast_layout(
            title,
            360,
            xaxis=dict(type="category", title=dict(text="symbol")),
            yaxis=dict(title=dict(text="sum"), rangemode="tozero"),
            shapes=[dict(type="line", xref="paper", x0=0, x1=1, y0=1, y1=1, line=dict(color=GREY, dash="dash"))],
            legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"),
        ),
    )


def _thin(n: int, max_points: int) -> list[int]:
    """Indices 0..n-1, at most about max_points of them, always keeping the first and the last."""
    if n <= max_points:
        return list(range(n))
    stride = math.ceil(n / max_points)
    idx = list(range(0, n, stride))
    if idx[-1] != n - 1:
        idx.append(n - 1)
    return idx


def training_curve(
    history: Sequence[float],
    *,
    nll_history: Sequence[float] | None = None,
    target: float | None = None,
    target_label: str = "counting model NLL (k = 0)",
    max_points: int = 1500,
    title: str = "Training loss",
    baselines=None,
    mark: int | None = None,
) -> go.Figure:
    """The loss after each step, thinned to at most ~max_points points, with the line it converges to.

    Thinning keeps a long run cheap to redraw while it trains (the browser gets a small figure
    ~10 times a second); the x axis keeps the true step numbers. ``baselines`` (bigram.neural.Baselines)
    adds the uniform model's ln V and where a random W starts; ``mark`` rings the loss at that step (a replay).
    """
    idx = _thin(len(history), max_points)
    fig = go.Figure(
        go.Scatter(
            x=idx,
            y=[history[i] for i in idx],
            mode="lines",
            name="loss (NLL + reg)",
            line=dict(color=BLUE),
            hovertemplate="step %{x}: loss %{y:.5f}<extra></extra>",
        )
    )
    if nll_history is not None and len(nll_history) == len(history):
        fig.add_scatter(
            x=idx,
            y=[nll_history[i] for i in idx],
            mode="lines",
            name="NLL (data term)",
            line=dict(color=ORANGE, dash="dot"),
            hovertemplate="step %{x}: NLL %{y:.5f}<extra></extra>",
        )
    if target is not None and math.isfinite(target):
        fig.add_hline(
            y=target,
            line=dict(color=GREY, dash="dash"),
            annotation_text=f"{target_label}: {target:.4f}",
            annotation_position="bottom right",
        )  # below the line: the curves arrive from above
    if baselines is not None:
        for value, label, where in (
            (baselines.uniform, "uniform model, ln V", "top right"),
            (baselines.initial, "random W at the start", "bottom left"),
        ):
            fig.add_hline(
                y=value,
                line=dict(color=GREY, dash="dot", width=1),
                annotation_text=f"{label}: {value:.4f}",
                annotation_position=where,
            )
    if mark is not None and 0 <= mark < len(history):
        fig.add_scatter(
            x=[mark],
            y=[history[mark]],
            mode="markers",
            name=f"step {mark:,}",
            marker=dict(color=ORANGE, size=12, symbol="circle-open", line=dict(width=3)),
            hovertemplate="step %{x}: loss %{y:.5f}<extra></extra>",
        )
    fig.update_xaxes(title="step", rangemode="tozero")
    fig.update_yaxes(title="loss")
    fig.update_layout(legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    return _layout(fig, title, height=380)


def draw_step(probs: torch.Tensor, labels: Sequence[str], drawn: int, *, title: str) -> go.Figure:
    """One draw of the sampler: the row it drew from as bars, the symbol that came out in orange."""
    p = probs.double().tolist()
    colours = [ORANGE if i == drawn else BLUE for i in range(len(p))]
    fig = go.Figure(
        go.Bar(
            x=[escape.plot(x) for x in labels],
            y=p,
            marker_color=colours,
            hovertemplate="p(%{x}) = %{y:.4f}<extra></extra>",
        )
    )
    fig.update_xaxes(type="category", title="next symbol")
    fig.update_yaxes(title="probability", rangemode="tozero")
    return _layout(fig, title, height=300)


def net_difference_heatmap(
    D: torch.Tensor,
    labels: Sequence[str],
    ids: Sequence[int] | None = None,
    title: str = "softmax(W) − P",
    pick: tuple[int, int] | None = None,
) -> go.Figure:
    """difference_heatmap with every symbol labelled."""
    fig = difference_heatmap(D, labels, ids=ids, title=title, pick=pick)
    fig.update_xaxes(dtick=1, tickfont=dict(size=11))
    fig.update_yaxes(dtick=1, tickfont=dict(size=11))
    return fig


def regularisation_curve(
    points: Sequence[tuple[float, float]],
    *,
    target: float | None = None,
    uniform: float | None = None,
    current: float | None = None,
    title: str = "The trained net's NLL against regularisation",
) -> go.Figure:
    """NLL (data term) of nets trained at each regularisation strength, on a log-like x axis (0 at the left).

    Two reference lines: the counting model's NLL at k = 0 (no regulariser reaches below it) and
    log V, the NLL of uniform rows (where a very strong regulariser pushes the net).
    """

    def x(r: float) -> float:
        return math.log10(r) if r > 0 else -4.0

    fig = go.Figure(
        go.Scatter(
            x=[x(r) for r, _ in points],
            y=[v for _, v in points],
            customdata=[r for r, _ in points],
            mode="lines+markers",
            name="net trained at this reg",
            line=dict(color=BLUE),
            hovertemplate="reg = %{customdata:g}: NLL %{y:.5f}<extra></extra>",
        )
    )
    if target is not None and math.isfinite(target):
        fig.add_hline(
            y=target,
            line=dict(color=GREY, dash="dash"),
            annotation_text=f"counting model, k = 0: {target:.4f}",
            annotation_position="bottom right",
        )
    if uniform is not None and math.isfinite(uniform):
        fig.add_hline(
            y=uniform,
            line=dict(color=ORANGE, dash="dot"),
            annotation_text=f"uniform rows, log V: {uniform:.4f}",
            annotation_position="top left",
        )
    if current is not None:
        fig.add_vline(
            x=x(current),
            line=dict(color=ORANGE, width=1),
            annotation_text=f"your reg = {current:g}",
            annotation_position="bottom right",
        )
    ticks = [-4, -3, -2, -1, 0, 1, 2]
    fig.update_xaxes(
        title="regularisation reg (log scale; leftmost point is 0)",
        tickvals=ticks,
        ticktext=["0", "0.001", "0.01", "0.1", "1", "10", "100"],
    )
    fig.update_yaxes(title="NLL per bigram")
    return _layout(fig, title, height=360)


def distributions(
    rows: dict[str, torch.Tensor],
    labels: Sequence[str],
    row_label: str,
    *,
    colors: Sequence[str] | None = None,
    uniform: bool = False,
    title: str | None = None,
) -> go.Figure:
    """Several next-symbol distributions for the same previous symbol, as grouped bars; ``uniform`` draws 1 / V."""
    fig = go.Figure()
    palette = list(colors or ["#08306b", "#2171b5", "#6baed6", "#fd8d3c", "#d94801", "#7f2704", GREY])
    for n, (name, probs) in enumerate(rows.items()):
        fig.add_bar(
            x=[escape.plot(x) for x in labels],
            y=probs.double().tolist(),
            name=name,
            marker_color=palette[n % len(palette)],
            hovertemplate="p(%{x} | " + escape.plot(row_label) + ") = %{y:.4f}<extra>" + name + "</extra>",
        )
    if uniform and len(labels):
        fig.add_hline(
            y=1 / len(labels),
            line=dict(color=GREY, dash="dot"),
            annotation_text=f"uniform: 1/{len(labels)}",
            annotation_position="top right",
        )
    fig.update_xaxes(type="category", title="next symbol")
    fig.update_yaxes(title="probability", rangemode="tozero")
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    return _layout(fig, title or f"Next symbol after {row_label!r}", height=360)


def before_after_bars(
    before: torch.Tensor,
    after: torch.Tensor,
    labels: Sequence[str],
    row_label: str,
    *,
    names: tuple[str, str] = ("before", "after"),
    title: str | None = None,
    highlight: int | None = None,
) -> go.Figure:
    """p(next | row_label) under two models as grouped bars: ``row_distribution(compare=...)``'s picture.

    Built in one go (no large template) so that it can be redrawn at every step of a slider.
    """
    bars = [
        go.Bar(
            x=[escape.plot(x) for x in labels],
            y=probs.double().numpy(),
            name=name,
            marker_color=colour,
            hovertemplate="p(%{x} | " + escape.plot(row_label) + ") = %{y:.4f}<extra>" + name + "</extra>",
        )
        for probs, name, colour in ((before, names[0], BLUE), (after, names[1], ORANGE))
    ]
    return go.Figure(
        data=bars,
        layout=_fast_layout(
            title or f"Next symbol after {row_label!r}",
            340,
            barmode="group",
            xaxis=dict(type="category", title=dict(text="next symbol")),
            yaxis=dict(title=dict(text="probability"), rangemode="tozero"),
            legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"),
            shapes=_band(highlight),
        ),
    )


def _k_axis(k: float) -> float:
    """Position of k on a log axis; k = 0 sits at 1e-4, left of the smallest stop."""
    return math.log10(k) if k > 0 else -4.0


def nll_against_k(
    points: Sequence[tuple[float, float]],
    current: tuple[float, float] | None = None,
    title: str = "NLL against smoothing k",
    uniform: float | None = None,
) -> go.Figure:
    """``nll_vs_smoothing``'s curve with the current k starred, built in one go for every slider step."""
    pts = [(k, v) for k, v in points if math.isfinite(v)]
    traces = [
        go.Scatter(
            x=[_k_axis(k) for k, _ in pts],
            y=[v for _, v in pts],
            customdata=[k for k, _ in pts],
            mode="lines+markers",
            name="NLL",
            line=dict(color=BLUE),
            hovertemplate="k = %{customdata:g}: NLL %{y:.5f}<extra></extra>",
        )
    ]
    if current is not None and math.isfinite(current[1]):
        traces.append(
            go.Scatter(
                x=[_k_axis(current[0])],
                y=[current[1]],
                mode="markers",
                name=f"current k = {current[0]:g}",
                marker=dict(color=ORANGE, size=14, symbol="star"),
                text=[f"{current[0]:g}"],
                hovertemplate="k = %{text}: NLL %{y:.5f}<extra></extra>",
            )
        )
    if uniform is not None:  # where every row ends as k grows without bound: the uniform model
        traces.append(
            go.Scatter(
                x=[_k_axis(pts[0][0]), _k_axis(pts[-1][0])] if pts else [],
                y=[uniform, uniform],
                mode="lines",
                name=f"uniform model, ln V = {uniform:.4f}",
                line=dict(color=GREY, dash="dot", width=1),
                hoverinfo="skip",
                showlegend=False,  # labelled on the line itself: the legend stays clear of the title
            )
        )
    ticks = [-4, -3, -2, -1, 0, 1, 2, 3]
    notes = (
        [
            dict(
                x=_k_axis(pts[-1][0]),
                y=uniform,
                text=f"uniform model, ln V = {uniform:.4f}",
                showarrow=False,
                xanchor="right",
                yanchor="bottom",
                font=dict(color=GREY, size=11),
            )
        ]
        if uniform is not None and pts
        else []
    )
    return go.Figure(
        data=traces,
        layout=_fast_layout(
            title,
            360,
            xaxis=dict(
                title=dict(text="smoothing k (log scale; leftmost point is k = 0)"),
                tickvals=ticks,
                ticktext=["0", "0.001", "0.01", "0.1", "1", "10", "100", "1000"],
            ),
            yaxis=dict(title=dict(text="average NLL per bigram")),
            legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"),
            annotations=notes,
        ),
    )


def distinctive_bigrams(items, *, title: str, color: str = BLUE) -> go.Figure:
    """Bigrams most typical of one list against another: bars of log(share here / share there)."""
    labels = [b for b, *_ in items][::-1]
    ratios = [r for _, r, *_ in items][::-1]
    counts = [f"{a:,} vs {b:,}" for _, _, a, b in items][::-1]
    fig = go.Figure(
        go.Bar(
            x=ratios,
            y=[escape.plot(y) for y in labels],
            orientation="h",
            marker_color=color,
            customdata=counts,
            hovertemplate="%{y}: log ratio %{x:.2f} (count %{customdata})<extra></extra>",
        )
    )
    fig.update_yaxes(type="category")
    fig.update_xaxes(title="log(share in this list / share in the other)")
    return _layout(fig, title, height=max(300, 22 * len(items) + 80))


def smoothing_for_regularisation(
    rows, title: str = "The smoothing k that matches each regularisation strength"
) -> go.Figure:
    """(reg, k, divergence) rows on log-log axes: more regularisation, more smoothing."""
    fig = go.Figure(
        go.Scatter(
            x=[r for r, _, _ in rows],
            y=[k for _, k, _ in rows],
            mode="lines+markers",
            marker_color=BLUE,
            customdata=[d for _, _, d in rows],
            hovertemplate="reg %{x:g} ~ k %{y:.3g} (KL %{customdata:.2e})<extra></extra>",
        )
    )
    fig.update_xaxes(type="log", title="regularisation strength (reg)")
    fig.update_yaxes(type="log", title="closest smoothing k")
    return _layout(fig, title, height=360)
