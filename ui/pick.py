"""Pick a bigram anywhere: click a heatmap cell and every page shows that bigram's numbers.

The pick is one shared setting (``pick`` = "i,j", the two symbol ids), so it survives page
switches and travels in links. Clicking a cell of a heatmap drawn with ``chart`` sets it; two
select boxes (``choose``) set it from the keyboard or a screen reader; ``panel`` shows its count,
its row sum, P at the current k with the formula filled in, −log p, the trained net's probability,
and a few words of the list that contain it, the pair marked.
"""

from __future__ import annotations

import streamlit as st

from bigram import CountModel
from bigram.counting import cell
from bigram.describe import words_with_bigram

from . import escape, state
from .grid import Grid, picked_cell


def current(model: CountModel) -> tuple[int, int] | None:
    """The picked bigram as (i, j), or None when nothing is picked or the pick does not fit this list."""
    value = state.setting("pick")
    if not value:
        return None
    i, j = (int(x) for x in value.split(","))
    return (i, j) if i < model.V and j < model.V else None


def set_pick(i: int, j: int) -> None:
    """Pick bigram (i, j), and show its row in every row chart of the app."""
    st.session_state["pick"] = f"{i},{j}"
    for key in state.ROW_KEYS:
        st.session_state[key] = i
    st.session_state[state.PICK_ROW], st.session_state[state.PICK_COL] = i, j


def chart(grid: Grid, *, key: str, ids: list[int]) -> None:
    """Draw a grid (``ui.grid``) whose cells a click picks; the picked cell is outlined whatever set the pick.

    The widget's key carries the pick, so a new pick starts a fresh selection: a click on the cell picked before
    a select box moved the pick elsewhere is a new selection, not a click that clears the old one.
    """
    widget = f"{key}-{state.setting('pick') or 'none'}"

    def picked() -> None:
        hit = picked_cell(st.session_state[widget]["selection"], len(ids))
        if hit is not None:
            set_pick(ids[hit[0]], ids[hit[1]])

    draw(grid, key=widget, on_select=picked)


def draw(grid: Grid, *, key: str, on_select=None) -> None:
    """Draw a grid; with ``on_select`` (a callback) a click on a cell calls it."""
    st.echarts_chart(grid.spec, key=key, on_select=on_select or "ignore", height=grid.height, alt=grid.alt)


def choose(model: CountModel) -> None:
    """The keyboard way: a select box for each symbol of the pair."""
    pick = current(model)
    i, j = pick if pick is not None else (None, None)
    labels = model.vocab.itos
    for key, value in ((state.PICK_ROW, i), (state.PICK_COL, j)):
        # Set on every run, never popped: the browser must show the pick. The boxes are drawn on several pages, and
        # a box on another page is a new widget that starts at its default unless its key is set again here.
        st.session_state[key] = value

    def chosen() -> None:
        a, b = st.session_state.get(state.PICK_ROW), st.session_state.get(state.PICK_COL)
        if a is not None and b is not None:
            set_pick(int(a), int(b))

    fmt = lambda n: f"{labels[n]!r}" + (" (boundary)" if n == 0 else "")  # noqa: E731 - a label, one line
    c1, c2 = st.columns(2)
    for column, label, key in (
        (c1, "Previous symbol of the bigram", state.PICK_ROW),
        (c2, "Next symbol of the bigram", state.PICK_COL),
    ):
        column.selectbox(label, range(model.V), key=key, format_func=fmt, on_change=chosen, placeholder="pick one")


def panel(model: CountModel, words, k: float, net_probabilities=None) -> None:
    """The picked bigram's numbers, or how to pick one."""
    with st.container(border=True):
        pick = current(model)
        if pick is None:
            st.markdown("**Pick a bigram**: click any cell of a heatmap, or choose its two symbols here.")
            choose(model)
            return
        i, j = pick
        v = model.vocab
        c = cell(model.N, i, j, k)
        pair = v.pair_label(i, j)
        st.markdown(f"**The bigram {escape.code(pair)}**: {escape.code(v.itos[j])} after {escape.code(v.itos[i])}")
        m1, m2, m3, m4 = st.columns(4)
        m1.metric("Count N[i, j]", f"{c.count:,}")
        m2.metric("Row sum", f"{c.row_sum:,}", help="Every bigram that leaves the previous symbol.")
        m3.metric(f"P at k = {k:g}", f"{c.p:.4f}")
        m4.metric("−log p", "inf" if c.nll == float("inf") else f"{c.nll:.4f}")
        st.latex(
            rf"P[{i},{j}] = \frac{{N[{i},{j}] + k}}{{\text{{row sum}} + V k}} = "
            rf"\frac{{{c.count} + {c.k:g}}}{{{c.row_sum} + {c.V} \cdot {c.k:g}}} = {c.p:.6f}"
        )
        if net_probabilities is not None:
            st.caption(f"The trained net gives it softmax(W)[{i}, {j}] = {float(net_probabilities[i, j]):.4f}.")
        found = words_with_bigram(words, v, i, j)
        if found:
            shown = []
            for w, pos in found:
                wrapped = [v.boundary, *w, v.boundary]
                before, mid, after = (
                    "".join(wrapped[:pos]),
                    "".join(wrapped[pos : pos + 2]),
                    "".join(wrapped[pos + 2 :]),
                )
                shown.append(f"{escape.md(before)}**{escape.md(mid)}**{escape.md(after)}")
            st.markdown("In the list: " + ", ".join(shown))
        else:
            st.caption("No word of the list contains it: at k = 0 its probability is 0.")
        choose(model)
