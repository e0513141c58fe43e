"""Counts: the bigram count matrix N, one row as a distribution, and why row sums equal column sums."""

import pandas as pd
import streamlit as st

from bigram import count_bigrams, count_ids, lecture
from ui import cached, figures, sidebar, state, wordlists
from ui.showcode import show_code

source = sidebar.page("Counts")
model = wordlists.model_for(source)
k = float(state.setting("k"))
labels = model.vocab.itos
b = model.vocab.boundary

st.title("The count matrix N")
st.markdown(
    f"`N[i, j]` counts how often symbol *j* follows symbol *i* in the list, with every word wrapped "
    f"in the boundary token: `{b}emma{b}` gives the bigrams "
    + ", ".join(f"`{x}{y}`" for x, y in zip(b + "emma", "emma" + b))
    + ". Row `"
    + b
    + "` is how words start; column `"
    + b
    + "` is how they end."
)

view = st.segmented_control(
    "Show",
    ["counts", "probabilities", "log-probabilities"],
    default="counts",
    key=state.COUNT_VIEW,
    persist_state="session",
)
view = view or "counts"
ids = figures.top_symbols(model.N)
if len(ids) < model.V:
    st.info(
        f"This list has {model.V:,} symbols: a {model.V}×{model.V} heatmap cannot be read, so it shows the boundary and "
        f"the {len(ids) - 1} most frequent symbols. Every number elsewhere on the page uses all of them.",
        icon=":material/zoom_out_map:",
    )
if view == "counts":
    M = model.N
else:
    M = (
        cached.probabilities(source.id, k, model)
        if view == "probabilities"
        else cached.log_probabilities(source.id, k, model)
    )
    st.caption(
        f"Probabilities use smoothing k = {k:g} (change it on the Smoothing page): P = (N + k) / (N + k).sum(1, keepdim=True)."
    )
st.plotly_chart(
    figures.matrix_heatmap(
        M, labels, view=view, ids=ids, annotate=len(ids) <= 40, title=f"Bigram {view} of {source.title}"
    ),
    key="count_heatmap",
)

st.subheader("One row: the next-symbol distribution")
row_options = list(range(model.V))
row = st.selectbox(
    "Previous symbol",
    row_options,
    format_func=lambda i: f"{labels[i]!r}" + (" (start of word)" if i == 0 else ""),
    key=state.COUNT_ROW,
    persist_state="session",
)
P = cached.probabilities(source.id, k, model)
st.plotly_chart(
    figures.row_distribution(
        P[row],
        labels,
        labels[row],
        title=f"p(next | {labels[row]!r}) at k = {k:g}" + (": how words start" if row == 0 else ""),
    ),
    key="count_row_chart",
)
st.caption(
    f"`P[{row}]` is row {row} of N divided by its sum, {int(model.N[row].sum()):,}. "
    "torch.multinomial draws the next symbol from exactly this row (see the Sample page)."
)

c1, c2 = st.columns(2)
with c1:
    st.subheader("Most frequent bigrams")
    top = model.top_bigrams(15)
    st.plotly_chart(figures.top_bigrams_bar(top), key="top_bigrams")
with c2:
    st.subheader("Why row sums equal column sums")
    st.plotly_chart(figures.sums_comparison(model.N.sum(1), model.N.sum(0), labels), key="sums")
    equal = bool((model.N.sum(1) == model.N.sum(0)).all())
    st.markdown(
        f"Row *i* of N counts the bigrams that **leave** symbol *i*; column *i* counts those that **enter** it. "
        f"Inside a word every occurrence of a symbol is entered once (from the symbol before it) and left once "
        f"(to the symbol after it), because the boundary token closes both ends. So each row sum equals its "
        f"column sum — here: **{'all equal' if equal else 'NOT all equal'}**. For `{b}` both equal the number "
        f"of words, {model.words:,}: every word starts once and ends once."
    )

with st.expander("How the counting is done: the lecture's loop and this app's one line", icon=":material/code:"):
    show_code(lecture.count_dict, lecture.count_matrix)
    st.markdown(
        "`zip(chs, chs[1:])` walks two copies of the word, one shifted by a symbol, so it yields every neighbouring "
        "pair and stops at the shorter one. `b.get(bigram, 0)` returns a default for a key not seen yet, where "
        "`b[bigram]` would raise a `KeyError`. The lecture then fills the tensor with `N[ix1, ix2] += 1` in "
        f"the same loop: {model.bigrams:,} Python steps for this list. This app encodes the whole list into one tensor "
        "of ids with a boundary between words and counts every pair at once:"
    )
    show_code(count_bigrams, count_ids)
    st.markdown(
        f"`N[0, :]` is the first row: the counts of each first letter (row `{b}`); `N[:, 0]` the first column: "
        "each last letter."
    )

with st.expander("The counts as a table"):
    table = pd.DataFrame(M[ids][:, ids].tolist(), index=[labels[i] for i in ids], columns=[labels[i] for i in ids])
    st.dataframe(table, width="stretch")
