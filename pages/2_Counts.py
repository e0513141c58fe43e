"""Counts: the bigram count matrix N, one row as a distribution, and why row sums equal column sums."""

import pandas as pd
import streamlit as st

from bigram import count_bigrams, count_ids, lecture
from ui import cached, escape, figures, grid, guide, pick, predict, sidebar, state, training, wordlists
from ui.prose import note, say, text
from ui.showcode import show_code

PAGE = "counts"
EXAMPLE = "emma"  # the word the introduction wraps in boundary tokens


def intro(model) -> None:
    st.title("The count matrix N")
    b = model.vocab.boundary
    pairs = ", ".join(escape.code(x + y) for x, y in zip(b + EXAMPLE, EXAMPLE + b))
    say(PAGE, "intro", wrapped=b + EXAMPLE + b, pairs=pairs, boundary=b)
    labels = model.vocab.itos
    predict.card(
        "last_symbol",
        text(PAGE, "predict", boundary=b),
        model.most_common_last,
        options=list(range(1, model.V)),
        fmt=lambda i: repr(labels[i]),
        unit=f", which ends {int(model.N[model.most_common_last, 0]):,} of the {model.words:,} words",
    )


def matrix(source, model, k: float):
    """N, P or log P as a heatmap (the most frequent symbols of a large alphabet); returns the matrix and its ids."""
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
        st.info(text(PAGE, "zoomed", V=model.V, shown=len(ids) - 1), icon=":material/zoom_out_map:")
    if view == "counts":
        M = model.N
    else:
        logs = view == "log-probabilities"
        M = cached.log_probabilities(source.id, k, model) if logs else cached.probabilities(source.id, k, model)
        note(PAGE, "smoothing", k=k)
    picked, title = pick.current(model), f"Bigram {view} of {source.title}"
    pick.chart(
        cached.figure(  # the lecture's picture: 729 labelled cells, built once per view, k and pick for everyone
            "count_heatmap",
            source.id,
            (view, k, picked, title),
            lambda: grid.counts_grid(
                M,
                model.vocab.itos,
                view=view,
                ids=ids,
                annotate=len(ids) <= 40,
                title=title,
                N=model.N,
                k=k,
                pick=picked,
            ),
        ),
        key="count_heatmap",
        ids=ids,
    )
    net = training.get(source.id)
    pick.panel(model, source.words, k, net.probabilities() if net is not None else None)
    return M, ids


@st.fragment
def one_row(source, model, k: float, sums) -> None:
    """The next-symbol distribution of one previous symbol: what the sampler draws from. A fragment: choosing
    another row redraws this section alone."""
    st.subheader("One row: the next-symbol distribution")
    labels = model.vocab.itos
    state.start_row(state.COUNT_ROW, 0, model.V)
    row = st.selectbox(
        "Previous symbol",
        list(range(model.V)),
        format_func=lambda i: f"{labels[i]!r}" + (" (start of word)" if i == 0 else ""),
        key=state.COUNT_ROW,
        persist_state="session",
    )
    P = cached.probabilities(source.id, k, model)
    title = f"p(next | {labels[row]!r}) at k = {k:g}" + (": how words start" if row == 0 else "")
    picked = pick.current(model)
    band = picked[1] if picked and picked[0] == row else None
    st.plotly_chart(
        figures.row_distribution(P[row], labels, labels[row], title=title, highlight=band), key="count_row_chart"
    )
    note(PAGE, "row", row=row, total=int(sums.rows[row]))


def top_and_sums(model, sums) -> None:
    """The most frequent bigrams beside the row sums against the column sums."""
    c1, c2 = st.columns(2)
    with c1:
        st.subheader("Most frequent bigrams")
        st.plotly_chart(figures.top_bigrams_bar(model.top_bigrams(15)), key="top_bigrams")
    with c2:
        st.subheader("Why row sums equal column sums")
        st.plotly_chart(figures.sums_comparison(sums.rows, sums.columns, model.vocab.itos), key="sums")
        verdict = text(PAGE, "equal" if sums.equal else "not-equal")
        say(PAGE, "sums", verdict=verdict, boundary=model.vocab.boundary, words=model.words)


def how_counted(model) -> None:
    """The lecture's loop and this app's vectorised count, both shown from their real source."""
    with st.expander("How the counting is done: the lecture's loop and this app's one line", icon=":material/code:"):
        show_code(lecture.count_dict, lecture.count_matrix)
        say(PAGE, "loop", bigrams=model.bigrams)
        show_code(count_bigrams, count_ids)
        say(PAGE, "first-row", boundary=model.vocab.boundary)


def as_table(model, M, ids) -> None:
    """The matrix shown above as a table; drawn only while its expander is open (a closed one still draws it)."""
    box = st.expander("The counts as a table", key=state.COUNT_TABLE, on_change="rerun")
    with box:
        if box.open:
            names = [model.vocab.itos[i] for i in ids]
            st.dataframe(pd.DataFrame(M[ids][:, ids].tolist(), index=names, columns=names), width="stretch")


source = sidebar.page("Counts")
model = wordlists.model_for(source)
k = float(state.setting("k"))
sums = cached.row_and_column_sums(source.id, model)
intro(model)
M, ids = matrix(source, model, k)
one_row(source, model, k, sums)
top_and_sums(model, sums)
guide.nav("matrix")
how_counted(model)
guide.nav("counting")
as_table(model, M, ids)
