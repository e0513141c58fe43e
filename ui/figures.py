"""Plotly figure builders: plain functions from data to a Figure, testable without a browser.

They do no modelling: every number comes from ``bigram``; these only decide how it looks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go
import torch

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


def _layout(fig: go.Figure, title: str, height: int | None = None) -> go.Figure:
    """The one look of every figure: ``_fast_layout``'s title, margins and height, on Streamlit's own theme (which
    st.plotly_chart applies to every chart, light or dark)."""
    fig.update_layout(_fast_layout(title, height))
    return fig


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
