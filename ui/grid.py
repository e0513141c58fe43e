"""The clickable grids: N, P and softmax(W) − P as ECharts heatmaps whose cells a click picks.

Plain functions from data to an ECharts option (a dict), testable without a browser; ``ui.pick.chart`` draws one.
A plotly heatmap sends no click event, and the layer of 729 transparent markers that made its cells clickable cost
the browser most of a page switch; an ECharts heatmap is drawn on a canvas and reports the cell a click selected.

Data item ``r * n + c`` is cell (ids[r], ids[c]): ``[c, r, value, label, formula]``. ECharts shows option strings
as plain text, and fills the tooltip template's ``{@[i]}`` with item i's text escaped, so labels need no escaping
beyond ``escape.visible`` (invisible symbols made visible).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import torch

from bigram.counting import cells

from . import escape
from .figures import ORANGE

RED = "#d62728"  # the cross on a cell whose p is exactly 0
#: The colour scales (ColorBrewer's, as plotly's "Blues" and "RdBu"): light to dark, and red through white to blue.
BLUES = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]
#: The log colour scale of the P grids spans 10**-5 .. 1; smaller probabilities get the palest colour.
LOG10_FLOOR = -5
RED_BLUE = ["#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"]
#: The grid's plot area inside the chart, in pixels: exactly these margins (no room taken for labels, which are
#: drawn in them), so a cell's place on screen follows from the chart's size (tests/browser click a cell by it).
MARGIN = {"left": 52, "right": 80, "top": 96, "bottom": 8}
#: Dimensions of a data item: the cell's label and its hover formula (see the module's docstring).
LABEL, FORMULA = 3, 4
CLICK_HINT = "<i>click to pick this bigram</i>"


class Grid(NamedTuple):
    """A grid ready to draw: the ECharts option, the chart's height in pixels, its text for a screen reader."""

    spec: dict
    height: int
    alt: str


def _labels(labels: Sequence[str], ids: Sequence[int]) -> list[str]:
    return [escape.visible(labels[i]) for i in ids]


def _formulas(N: torch.Tensor, ids: Sequence[int], k: float, labs: Sequence[str]) -> list[list[str]]:
    """The add-k formula of every shown cell, filled in: ``p(n | a) = (N + k) / (row sum + V·k)`` and its numbers.
    A cut-down grid's row sums still count every symbol: rows are cut after the sums."""
    index = torch.tensor(list(ids))
    num, den, P = (t[index][:, index].double().tolist() for t in cells(N, k))
    V = N.shape[1]
    out = []
    for r, row in enumerate(P):
        out.append(
            [
                f"p({labs[c]} | {labs[r]}) = (N + k) / (row sum + V·k)  "
                f"= ({num[r][c] - k:,.6g} + {k:g}) / ({den[r][c] - V * k:,.6g} + {V}·{k:g}) = {p:.4f}"
                for c, p in enumerate(row)
            ]
        )
    return out


def _spec(
    labs: list[str],
    values: list[list[float | None]],
    texts: list[list[str]],
    formulas: list[list[str]] | None,
    *,
    title: str,
    scale: dict,
    pick: tuple[int, int] | None,
    ids: Sequence[int],
    height: int,
    label_size: int | None,
    tooltip: str,
    ylabel: bool = True,
    crosses: bool = False,
    what: str,
    pickable: bool = True,
) -> Grid:
    n = len(labs)
    data = []
    for r in range(n):
        for c in range(n):
            v = values[r][c]
            # No value (p = 0, log 0): below the scale, so drawn white (``outOfRange``) with its label; ECharts would
            # leave out a cell without a value, label and hover too.
            item = [c, r, scale["min"] - 1 if v is None else v, texts[r][c], formulas[r][c] if formulas else ""]
            if crosses and v is None:  # p = 0 exactly: a red cross
                data.append({"value": item, "label": {"show": True, "formatter": "×", "color": RED, "fontSize": 12}})
            else:
                data.append(item)
    picked = []
    if pick is not None and pick[0] in ids and pick[1] in ids:
        r, c = list(ids).index(pick[0]), list(ids).index(pick[1])
        picked = [[c, r, 0]]
    axis = {
        "type": "category",
        "data": labs,
        "splitArea": {"show": False},
        "axisTick": {"show": False},
        "axisLabel": {"interval": 0, "fontSize": 12 if n <= 30 else 10},
        "nameLocation": "middle",
        "nameTextStyle": {"fontSize": 13},
    }
    label = {"show": label_size is not None, "formatter": f"{{@[{LABEL}]}}", "fontSize": label_size or 8}
    label |= {"color": "#000", "textBorderColor": "#fff", "textBorderWidth": 2, "lineHeight": (label_size or 8) + 2}
    spec = {
        "animation": False,
        "title": {"text": title, "left": 0, "top": 0, "textStyle": {"fontSize": 16}},
        "tooltip": {"formatter": f"{tooltip}<br>{CLICK_HINT}" if pickable else tooltip, "confine": True},
        "grid": MARGIN | {"outerBoundsMode": "none"},
        "xAxis": axis | {"position": "top", "name": "next symbol", "nameGap": 26},
        "yAxis": axis | {"inverse": True, "name": "previous symbol" if ylabel else "", "nameGap": 34},
        "visualMap": {
            "type": "continuous",
            "dimension": 2,
            "seriesIndex": 0,
            "orient": "vertical",
            "right": 0,
            "top": "middle",
            "itemHeight": max(120, height - 200),
            "itemWidth": 12,
            "calculable": False,
            "hoverLink": False,
            "outOfRange": {"color": "#ffffff"},
            **scale,
        },
        "series": [
            {
                "type": "heatmap",
                "name": "cells",
                "data": data,
                "label": label,
                "labelLayout": {"hideOverlap": True},  # a narrow screen (a phone) drops labels that would overlap
                "itemStyle": {"borderColor": "#fff", "borderWidth": 1},
                "emphasis": {"itemStyle": {"borderColor": "#333", "borderWidth": 2}},
                # A click selects the cell (what ui.pick reads); the picked cell is outlined by the series below,
                # from the shared pick, whether a click, a select box or a link set it.
                "selectedMode": "single" if pickable else False,
                "select": {
                    "itemStyle": {"borderColor": "#fff", "borderWidth": 1},
                    "label": {"show": label_size is not None},
                },
            },
            {
                "type": "heatmap",
                "name": "picked",
                "data": picked,
                "silent": True,
                "tooltip": {"show": False},
                "itemStyle": {"color": "rgba(0,0,0,0)", "borderColor": ORANGE, "borderWidth": 3},
            },
        ],
    }
    shown = None if not picked else (labs[r], labs[c])
    return Grid(spec, height, alt_text(title, labs, what, pick=shown, pickable=pickable))


def _height(n: int, per_cell: int, extra: int = 120) -> int:
    return max(420, per_cell * n + extra)


def counts_grid(
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
    pickable: bool = True,
) -> Grid:
    """The lecture's picture of N (or P, or log P): each cell shows its bigram and its value; rows are the previous
    symbol. With ``N`` a cell's hover shows the add-k formula at ``k``, filled in."""
    ids = list(range(M.shape[0])) if ids is None else list(ids)
    labs = _labels(labels, ids)
    z = M[ids][:, ids].double().tolist()
    if view == "counts":
        fmt = lambda v: f"{int(v)}"  # noqa: E731
        hover = "{@[3]}: count of bigram"
    elif view == "probabilities":
        fmt = lambda v: f"{v:.2f}".lstrip("0") if v < 1 else "1"  # noqa: E731
        hover = "{@[3]}"
    elif view == "log-probabilities":
        z = [[v if math.isfinite(v) else None for v in row] for row in z]
        fmt = lambda v: "-inf" if v is None else f"{v:.1f}"  # noqa: E731
        hover = "{@[3]}"
    else:
        raise ValueError(f"unknown view {view!r}")
    n = len(ids)
    texts = [[f"{labs[r]}{labs[c]}\n{fmt(z[r][c])}" for c in range(n)] for r in range(n)]
    finite = [v for row in z for v in row if v is not None]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
    scale = {"min": lo, "max": hi if hi > lo else lo + 1, "inRange": {"color": BLUES}}
    scale["text"] = (
        [f"{scale['max']:,.0f}", f"{scale['min']:,.0f}"]
        if view == "counts"
        else [f"{scale['max']:.2f}", f"{scale['min']:.2f}"]
    )
    formulas = _formulas(N, ids, k, labs) if N is not None else None
    tooltip = f"{{@[{FORMULA}]}}" if formulas else hover
    return _spec(
        labs,
        z,
        texts,
        formulas,
        title=title or f"Bigram {view}",
        scale=scale,
        pick=pick,
        ids=ids,
        height=_height(n, 26, 150),
        label_size=8 if annotate else None,
        tooltip=tooltip,
        what=f"bigram {view}" + (", each cell labelled with its bigram and value" if annotate else ""),
        pickable=pickable,
    )


def probability_grid(
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
) -> Grid:
    """p(next | previous) on a fixed log colour scale (1e-5 .. 1), no cell text; a cell with p = 0 is left blank
    and crossed in red. A fixed scale keeps colours comparable between values of k and between two grids."""
    ids = list(range(P.shape[0])) if ids is None else list(ids)
    labs = _labels(labels, ids)
    sub = P[ids][:, ids].double()
    logs = torch.where(sub > 0, sub.log10().clamp(min=LOG10_FLOOR), torch.nan).tolist()
    z = [[None if math.isnan(v) else v for v in row] for row in logs]
    ps = sub.tolist()
    n = len(ids)
    texts = [[f"p({labs[c]} | {labs[r]}) = {ps[r][c]:.6f}" for c in range(n)] for r in range(n)]
    formulas = _formulas(N, ids, k, labs) if N is not None else None
    scale = {
        "min": LOG10_FLOOR,
        "max": 0,
        "inRange": {"color": BLUES},
        "show": colorbar,
        "text": ["p = 1", f"≤ 1e{LOG10_FLOOR}"],
    }
    tooltip = f"{{@[{FORMULA}]}}" if formulas else f"{{@[{LABEL}]}}"
    return _spec(
        labs,
        z,
        texts,
        formulas,
        title=title,
        scale=scale,
        pick=pick,
        ids=ids,
        height=_height(n, 14, 150),
        label_size=None,
        tooltip=tooltip,
        ylabel=ylabel,
        crosses=True,
        what="probabilities p(next | previous) on a log colour scale, impossible bigrams crossed",
        pickable=pickable,
    )


def difference_grid(
    D: torch.Tensor,
    labels: Sequence[str],
    *,
    ids: Sequence[int] | None = None,
    title: str = "softmax(W) − P",
    pick: tuple[int, int] | None = None,
) -> Grid:
    """Signed differences on a diverging scale centred at 0 (red: less, blue: more)."""
    ids = list(range(D.shape[0])) if ids is None else list(ids)
    labs = _labels(labels, ids)
    z = D[ids][:, ids].double().tolist()
    n = len(ids)
    bound = max((abs(v) for row in z for v in row), default=0.0) or 1e-12
    texts = [[f"{labs[r]}{labs[c]}: {z[r][c]:+.5f}" for c in range(n)] for r in range(n)]
    scale = {"min": -bound, "max": bound, "inRange": {"color": RED_BLUE}, "text": [f"+{bound:.3f}", f"−{bound:.3f}"]}
    return _spec(
        labs,
        z,
        texts,
        None,
        title=title,
        scale=scale,
        pick=pick,
        ids=ids,
        height=_height(n, 20, 150),
        label_size=None,
        tooltip=f"{{@[{LABEL}]}}",
        what="differences, red where the net gives less than the counts, blue where it gives more",
    )


def picked_cell(selection: dict, n: int) -> tuple[int, int] | None:
    """The (row, column) position a click selected in a grid of n x n cells, from ``st.echarts_chart``'s state;
    None when the selection is empty or not of the cells."""
    for group in selection.get("selected", []):
        if group.get("series_index") == 0 and group.get("data_indices"):
            index = int(group["data_indices"][0])
            if 0 <= index < n * n:
                return divmod(index, n)
    return None


def alt_text(
    title: str, labs: Sequence[str], what: str, pick: tuple[str, str] | None = None, pickable: bool = True
) -> str:
    """A grid's description for a screen reader: what it shows, what is picked, how to pick without a mouse."""
    picked = f" The bigram {pick[0]}{pick[1]} is picked, outlined in orange." if pick else ""
    how = " Choose a bigram with the two select boxes below the chart." if pickable else ""
    return (
        f"{title}: a {len(labs)} by {len(labs)} grid of {what}; rows are the previous symbol, columns the next."
        f"{picked}{how}"
    )
