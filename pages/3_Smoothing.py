"""Smoothing: add k fake counts to every bigram; see P, the loss and one word's score move; the keepdim pitfall."""

import math

import pandas as pd
import streamlit as st

from bigram import BigramError, score_word
from bigram.wordlist import clean_typed_word
from ui import data, escape, figures, sidebar, state

source = sidebar.page("Smoothing")
model = data.model_for(source)
labels = model.vocab.itos
b = model.vocab.boundary

st.title("Smoothing: fake counts")
st.markdown(
    "With plain counts, a bigram the list never contains gets probability **0**, so any word containing it "
    "gets probability 0 and an **infinite** negative log-likelihood. *Add-k smoothing* pretends every bigram "
    "was seen k more times than it was:"
)
st.latex(r"P = \frac{N + k}{\operatorname{rowsum}(N + k)} \qquad\texttt{P = (N + k) / (N + k).sum(1, keepdim=True)}")

c_slider, c_exact = st.columns([4, 1], vertical_alignment="bottom")
with c_slider:
    k = st.select_slider(
        "Smoothing k: fake counts added to every cell of N",
        options=state.steps_with(state.K_STEPS, state.setting("k")),
        format_func=lambda v: f"{v:g}",
        key="k",
        persist_state="session",
        help="Shared with every page and with the link to this view. 0 is the lecture's plain counts, 1 its add-one smoothing.",
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
        help="Any value from 0 to 1000.",
    )

score_k = data.list_score(source.id, k, model)
score_0 = data.list_score(source.id, 0.0, model)
zeros_0 = data.zero_bigrams(source.id, 0.0, model)
zeros_k = data.zero_bigrams(source.id, k, model)
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
    f"{zeros_0:,} of {model.V**2:,}",
    help="Cells of N that are 0: probability 0 without smoothing.",
)
m4.metric(f"Impossible bigrams at k = {k:g}", f"{zeros_k:,}", help="Any k > 0 leaves no cell at 0.")

st.subheader("What smoothing does to P")
P0 = data.probabilities(source.id, 0.0, model)
Pk = data.probabilities(source.id, k, model)
ids = figures.top_symbols(model.N)
if len(ids) < model.V:
    st.caption(
        f"The heatmaps show the boundary and the {len(ids) - 1} most frequent of {model.V - 1:,} symbols; all numbers use every symbol."
    )
h0, hk = st.columns(2)
with h0:
    st.plotly_chart(
        data.figure(
            "smooth_heatmap_before",
            source.id,
            (),
            lambda: figures.probability_heatmap(P0, labels, ids=ids, title="k = 0: plain counts", colorbar=False),
        ),
        key="smooth_heatmap_0",
    )
with hk:
    st.plotly_chart(
        data.figure(
            "smooth_heatmap_after",
            source.id,
            (k,),
            lambda: figures.probability_heatmap(Pk, labels, ids=ids, title=f"k = {k:g}", ylabel=False),
        ),
        key="smooth_heatmap_k",
    )
st.caption(
    "Colour is log-scaled so that small probabilities stay visible; a red cross marks a probability of exactly 0. "
    "As k grows, the rare cells fill in and every row drifts towards the uniform 1/V "
    f"= {1 / model.V:.3f}."
)

c_row, c_curve = st.columns(2)
with c_row:
    # Start on the row with the fewest real counts: the one smoothing changes most.
    row = st.selectbox(
        "Previous symbol",
        list(range(model.V)),
        index=int(model.N.sum(1).argmin()),
        key=state.SMOOTH_ROW,
        persist_state="session",
        format_func=lambda i: f"{labels[i]!r}" + (" (start of word)" if i == 0 else ""),
    )
    st.plotly_chart(
        data.figure(
            "smooth_row",
            source.id,
            (k, row),
            lambda: figures.before_after_bars(
                P0[row],
                Pk[row],
                labels,
                labels[row],
                names=("k = 0", f"k = {k:g}"),
                title=f"p(next | {labels[row]!r}) before and after",
            ),
        ),
        key="smooth_row_chart",
    )
    st.caption(
        f"Row {escape.md(repr(labels[row]))} has {int(model.N[row].sum()):,} real counts and gets {model.V} × k = {model.V * k:g} fake "
        "ones: the fewer real counts a row has, the more smoothing flattens it."
    )
with c_curve:
    curve = data.nll_curve(source.id, model)
    st.plotly_chart(
        data.figure(
            "smooth_nll",
            source.id,
            (k,),
            lambda: figures.nll_against_k(curve, current=(k, score_k.nll), title="The list's own NLL against k"),
        ),
        key="smooth_nll_curve",
    )
    st.markdown(
        "Scored on the list it was counted from, the NLL is lowest at **k = 0** and **rises with k**: every fake count "
        "moves probability away from bigrams that really occur. Smoothing pays off on words the model has *not* seen, "
        "where a single 0 would make the loss infinite. The **regularisation** on the Neural net page is the same knob: "
        "pulling W towards 0 pulls every row of softmax(W) towards uniform, just as a large k does."
    )

st.subheader("Score a word")
st.markdown(
    "A word's probability is the product of its bigrams' probabilities (the chain rule); its NLL is the average of −log p."
)
example = "andrej" if set("andrej") <= set(model.vocab.symbols) else source.words[0]
text = st.text_input(
    "Word",
    value=example,
    key=state.SCORE_WORD,
    persist_state="session",
    placeholder=f"e.g. {example}",
    max_chars=data.UPLOAD_MAX_WORD_LEN,
    help="Cleaned as the list was: surrounding spaces removed, Unicode NFC, lowercased unless the list has capitals.",
)
word = clean_typed_word(text, model.vocab.symbols)
if word:
    try:
        ws = score_word(word, data.log_probabilities(source.id, k, model), model.vocab)
    except BigramError as exc:
        st.error(escape.md(exc), icon=":material/error:")
    else:
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
            st.metric(
                "log-likelihood", f"{ws.log_likelihood:.4f}", help="Sum of log p: the log of the word's probability."
            )
            culprit = ws.culprit
            if culprit is not None:
                st.error(
                    f"Infinite NLL: the bigram **{escape.md(culprit.bigram)}** never occurs in the list, so at k = 0 its probability "
                    "is 0 and so is the whole word's. Any k > 0 makes it finite.",
                    icon=":material/block:",
                )
            elif ws.nll > score_k.nll:
                st.caption(f"Less likely than an average bigram of the list (its NLL is {score_k.nll:.4f}).")
            else:
                st.caption(f"More likely than an average bigram of the list (its NLL is {score_k.nll:.4f}).")

st.subheader("The keepdim pitfall")
demo = data.keepdim_demo(source.id, k, model)
V = model.V
st.markdown(
    f"Normalising with `P / P.sum(1)` (no `keepdim=True`) runs without an error and gives a wrong matrix. "
    f"Here, with this list's **{V} × {V}** matrix:"
)
lines = [
    (f"P = (N + {k:g}).float()", f"shape {demo.shape}"),
    ("P.sum(1)", f"shape {demo.sums_shape}: one number per row"),
    ("P.sum(1, keepdim=True)", f"shape {demo.keepdim_shape}: a column of row sums"),
    ("P / P.sum(1, keepdim=True)", f"{demo.shape} / {demo.keepdim_shape}: row i divided by row sum i (right)"),
    ("P / P.sum(1)", f"{demo.shape} / {demo.sums_shape}: column j divided by row sum j (wrong)"),
]
width = max(len(code) for code, _ in lines) + 2
st.code("\n".join(f"{code.ljust(width)}# {note}" for code, note in lines), language="python")
c_plot, c_rules = st.columns([3, 2])
with c_plot:
    st.plotly_chart(
        data.figure(
            "keepdim_sums", source.id, (k,), lambda: figures.keepdim_sums(demo.row_sums, demo.col_sums, labels)
        ),
        key="keepdim_sums",
    )
    worst = float((demo.row_sums - 1).abs().max())
    st.caption(
        f"Rows of the wrong matrix sum to anything from {float(demo.row_sums.min()):.3f} to {float(demo.row_sums.max()):.3f} "
        f"(off by up to {worst:.3f}); its columns sum to 1 within {float((demo.col_sums - 1).abs().max()):.1e}. "
        f"The right P's rows sum to 1 within {float((demo.right_row_sums - 1).abs().max()):.1e}."
    )
with c_rules:
    st.markdown(
        "**PyTorch's broadcasting rules** (the same as NumPy's), for an operation on two tensors:\n"
        "1. Line the shapes up **from the right** (trailing dimensions first).\n"
        "2. A tensor with fewer dimensions gets **size-1 dimensions added at the front**.\n"
        "3. Each pair of sizes must be **equal, or one of them 1**; a size 1 is stretched (copied) to match.\n\n"
        f"`({V}, {V}) / ({V},)`: the vector becomes `(1, {V})`, a **row**, stretched down all {V} rows, so entry "
        f"`[i, j]` is divided by `sums[j]`, the sum of row *j*. `({V}, {V}) / ({V}, 1)`: the sums are a **column**, "
        f"stretched across, so `[i, j]` is divided by `sums[i]`, as intended.\n\n"
        "Nothing errors because the shapes are compatible. And since every row sum of N equals the matching column "
        "sum (see the Counts page), the wrong matrix has **columns** that sum to exactly 1: it looks normalised, "
        "along the wrong axis. A silent bug; `keepdim=True` (or `P.sum(1)[:, None]`) avoids it."
    )
