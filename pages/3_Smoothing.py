"""Smoothing: add k fake counts to every bigram; see P, the loss and one word's score move; the keepdim pitfall."""

import math

import pandas as pd
import streamlit as st

from bigram import BigramError, score_word
from bigram.wordlist import clean_typed_word
from ui import cached, escape, figures, grid, guide, pick, predict, sidebar, state, wordlists
from ui.prose import note, say, text

PAGE = "smoothing"


def choose_k(source, model) -> float:
    """The k slider and its exact box; both write the shared setting ``k``. First, a guess at where k leads."""
    st.title("Smoothing: fake counts")
    say(PAGE, "intro")
    st.latex(r"P = \frac{N + k}{\operatorname{rowsum}(N + k)}")
    st.code("P = (N + k) / (N + k).sum(1, keepdim=True)", language="python", wrap_lines=True)
    predict.card(
        "nll_k1000",
        text(PAGE, "predict", nll0=cached.score_counts(source.id, 0.0, model).nll),
        cached.score_counts(source.id, 1000.0, model).nll,
        unit=f" (the uniform model's ln V is {model.uniform_nll:.4f})",
    )
    c_slider, c_exact = st.columns([4, 1], vertical_alignment="bottom")
    with c_slider:
        k = st.select_slider(
            "Smoothing k: fake counts added to every cell of N",
            options=state.steps_with(state.K_STEPS, state.setting("k")),
            format_func=lambda v: f"{v:g}",
            key="k",
            persist_state="session",
            disabled=state.locked("k"),
            help="Shared with every page and with the link to this view. 0 is the lecture's plain counts, "
            "1 its add-one smoothing.",
        )
    k = float(k)
    st.session_state[state.K_EXACT] = k  # the exact box always shows the setting; typing in it writes the setting
    with c_exact:
        st.number_input(
            "Exact k",
            min_value=0.0,
            max_value=state.SMOOTHING_MAX,
            step=0.5,
            format="%.4g",
            key=state.K_EXACT,
            on_change=state.set_k_from_exact,
            disabled=state.locked("k"),
            help="Any value from 0 to 1000.",
        )
    return k


def losses(source, model, k: float):
    """The list's NLL at k and at 0, and how many bigrams each calls impossible."""
    score_k = cached.score_counts(source.id, k, model)
    score_0 = cached.score_counts(source.id, 0.0, model)
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(
        f"NLL at k = {k:g}",
        f"{score_k.nll:.4f}",
        delta=f"{score_k.nll - score_0.nll:+.4f} vs k = 0" if k else None,
        delta_color="inverse",
        help="Average negative log-likelihood per bigram of the list, scored on itself.",
    )
    m2.metric(
        "NLL at k = 0",
        f"{score_0.nll:.4f}",
        help="Plain counts: the maximum-likelihood model, the lowest NLL possible on this list.",
    )
    m3.metric(
        "Impossible bigrams at k = 0",
        f"{cached.zero_cells(source.id, 0.0, model):,} of {model.V**2:,}",
        help="Cells of N that are 0: probability 0 without smoothing.",
    )
    m4.metric(
        f"Impossible bigrams at k = {k:g}",
        f"{cached.zero_cells(source.id, k, model):,}",
        help="Any k > 0 leaves no cell at 0.",
    )
    return score_k


def heatmaps(source, model, k: float) -> None:
    """P before and after smoothing, side by side; a click on a cell picks that bigram."""
    st.subheader("What smoothing does to P")
    picked = pick.current(model)
    labels = model.vocab.itos
    P0, Pk = cached.probabilities(source.id, 0.0, model), cached.probabilities(source.id, k, model)
    ids = figures.top_symbols(model.N)
    if len(ids) < model.V:
        note(PAGE, "heatmaps-cut", shown=len(ids) - 1, symbols=model.V - 1)
    h0, hk = st.columns(2)
    with h0:
        pick.chart(
            cached.figure(
                "smooth_heatmap_before",
                source.id,
                (picked,),
                lambda: grid.probability_grid(
                    P0, labels, ids=ids, title="k = 0: plain counts", colorbar=False, N=model.N, k=0.0, pick=picked
                ),
            ),
            key="smooth_heatmap_0",
            ids=ids,
        )
    with hk:
        pick.chart(
            cached.figure(
                "smooth_heatmap_after",
                source.id,
                (k, picked),
                lambda: grid.probability_grid(
                    Pk, labels, ids=ids, title=f"k = {k:g}", ylabel=False, N=model.N, k=k, pick=picked
                ),
            ),
            key="smooth_heatmap_k",
            ids=ids,
        )
    note(PAGE, "heatmaps", uniform=1 / model.V)
    pick.panel(model, source.words, k)


def row_and_curve(source, model, k: float, score_k) -> None:
    """One row before and after, and the list's own NLL against k."""
    c_row, c_curve = st.columns(2)
    with c_row:
        one_row(source, model, k)
    with c_curve:
        curve = cached.nll_curve(source.id, model)
        st.plotly_chart(
            cached.figure(
                "smooth_nll",
                source.id,
                (k,),
                lambda: figures.nll_against_k(
                    curve, current=(k, score_k.nll), title="The list's own NLL against k", uniform=model.uniform_nll
                ),
            ),
            key="smooth_nll_curve",
        )
        say(PAGE, "curve")


@st.fragment
def one_row(source, model, k: float) -> None:
    """One row of P before and after smoothing. A fragment: choosing another row redraws this alone."""
    labels = model.vocab.itos
    P0, Pk = cached.probabilities(source.id, 0.0, model), cached.probabilities(source.id, k, model)
    picked = pick.current(model)
    # Start on the row with the fewest real counts, the one smoothing changes most (a pick moves it).
    state.start_row(state.SMOOTH_ROW, model.sparsest_row, model.V)
    row = st.selectbox(
        "Previous symbol",
        list(range(model.V)),
        key=state.SMOOTH_ROW,
        persist_state="session",
        format_func=lambda i: f"{labels[i]!r}" + (" (start of word)" if i == 0 else ""),
    )
    st.plotly_chart(
        cached.figure(
            "smooth_row",
            source.id,
            (k, row, picked),
            lambda: figures.before_after_bars(
                P0[row],
                Pk[row],
                labels,
                labels[row],
                names=("k = 0", f"k = {k:g}"),
                title=f"p(next | {labels[row]!r}) before and after",
                highlight=picked[1] if picked and picked[0] == row else None,
            ),
        ),
        key="smooth_row_chart",
    )
    note(PAGE, "row", row=repr(labels[row]), real=int(model.N[row].sum()), V=model.V, fake=model.V * k)


@st.fragment
def score_a_word(source, model, k: float, score_k) -> None:
    """A typed word's bigrams, their probabilities and its NLL; at k = 0 an unseen bigram makes it infinite. A
    fragment: typing a word redraws this section alone."""
    st.subheader("Score a word")
    say(PAGE, "score")
    b = model.vocab.boundary
    example = "andrej" if set("andrej") <= set(model.vocab.symbols) else source.words[0]
    typed = st.text_input(
        "Word",
        value=example,
        key=state.SCORE_WORD,
        persist_state="session",
        placeholder=f"e.g. {example}",
        max_chars=wordlists.UPLOAD_MAX_WORD_LEN,
        help="Cleaned as the list was: surrounding spaces removed, Unicode NFC, lowercased unless the list has "
        "capitals.",
    )
    word = clean_typed_word(typed, model.vocab.symbols)
    if not word:
        return
    try:
        ws = score_word(word, cached.log_probabilities(source.id, k, model), model.vocab)
    except BigramError as exc:
        st.error(escape.md(exc), icon=":material/error:")
        return
    table = pd.DataFrame(
        {
            "bigram": [p.bigram for p in ws.pairs],
            "p(next | previous)": [p.prob for p in ws.pairs],
            "log p": [p.logprob for p in ws.pairs],
            "−log p": [-p.logprob for p in ws.pairs],
        }
    )
    w1, w2 = st.columns([2, 1])
    with w1:
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={
                "p(next | previous)": st.column_config.NumberColumn(format="%.6f"),
                "log p": st.column_config.NumberColumn(format="%.4f"),
                "−log p": st.column_config.NumberColumn(format="%.4f"),
            },
        )
    with w2:
        st.metric(
            f"NLL of {escape.md(b + word + b)} at k = {k:g}",
            "inf" if math.isinf(ws.nll) else f"{ws.nll:.4f}",
            help="Average of −log p over the word's bigrams, start and end included.",
        )
        st.metric("log-likelihood", f"{ws.log_likelihood:.4f}", help="Sum of log p: the log of the word's probability.")
        if ws.culprit is not None:
            st.error(text(PAGE, "impossible", bigram=ws.culprit.bigram), icon=":material/block:")
        else:
            note(PAGE, "less-likely" if ws.nll > score_k.nll else "more-likely", nll=score_k.nll)


def keepdim_pitfall(source, model, k: float) -> None:
    """P / P.sum(1) without keepdim, on the live matrix, and the broadcasting rules behind it."""
    st.subheader("The keepdim pitfall")
    demo = cached.keepdim_demo(source.id, k, model)
    V = model.V
    say(PAGE, "keepdim", V=V)
    lines = [
        (f"P = (N + {k:g}).float()", f"shape {demo.shape}"),
        ("P.sum(1)", f"shape {demo.sums_shape}: one number per row"),
        ("P.sum(1, keepdim=True)", f"shape {demo.keepdim_shape}: a column of row sums"),
        ("P / P.sum(1, keepdim=True)", f"{demo.shape} / {demo.keepdim_shape}: row i divided by row sum i (right)"),
        ("P / P.sum(1)", f"{demo.shape} / {demo.sums_shape}: column j divided by row sum j (wrong)"),
    ]
    width = max(len(code) for code, _ in lines) + 2
    st.code("\n".join(f"{code.ljust(width)}# {why}" for code, why in lines), language="python", wrap_lines=True)
    c_plot, c_rules = st.columns([3, 2])
    with c_plot:
        st.plotly_chart(
            cached.figure(
                "keepdim_sums",
                source.id,
                (k,),
                lambda: figures.keepdim_sums(demo.row_sums, demo.col_sums, model.vocab.itos),
            ),
            key="keepdim_sums",
        )
        note(
            PAGE,
            "keepdim-sums",
            low=float(demo.row_sums.min()),
            high=float(demo.row_sums.max()),
            worst=float((demo.row_sums - 1).abs().max()),
            columns=float((demo.col_sums - 1).abs().max()),
            right=float((demo.right_row_sums - 1).abs().max()),
        )
    with c_rules:
        say(PAGE, "broadcasting", V=V)


source = sidebar.page("Smoothing")
model = wordlists.model_for(source)
k = choose_k(source, model)
score_k = losses(source, model, k)
heatmaps(source, model, k)
row_and_curve(source, model, k, score_k)
guide.nav("smoothing")
score_a_word(source, model, k, score_k)
keepdim_pitfall(source, model, k)
guide.nav("broadcasting")
