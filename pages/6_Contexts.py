"""Longer contexts (E01), a train/dev/test split (E02) and tuning smoothing on dev (E03)."""

import math

import pandas as pd
import streamlit as st

from bigram import BigramError
from bigram.defaults import FIT_STEPS, SPLIT_SEED
from ui import escape, exercises, figures, sidebar, state, wordlists

source = sidebar.page("Longer contexts")
words = source.words

st.title("Longer contexts, measured honestly")
st.markdown(
    "The lecture's exercises ask for a **trigram** model (two previous symbols), a **split** of the list into "
    "80% train, 10% dev and 10% test, and **tuning** smoothing on dev. Published answers for the same list "
    "disagree (trigram losses of 2.09 and 2.21, for example) because they pad words differently. "
    "Here every choice is explicit."
)

c1, c2, c3 = st.columns(3)
context = c1.radio(
    "Context (previous symbols)",
    [1, 2, 3],
    index=1,
    horizontal=True,
    key=state.CTX_CONTEXT,
    persist_state="session",
    format_func=lambda c: {1: "1 · bigram", 2: "2 · trigram", 3: "3 · 4-gram"}[c],
)
padding = c2.radio(
    "Padding",
    ["full", "single"],
    horizontal=True,
    key=state.CTX_PADDING,
    persist_state="session",
    help="full: as many start tokens as the context; single: one start token, as in .emma.",
)
split_seed = c3.number_input("Split seed", 0, 2**31 - 1, SPLIT_SEED, key=state.CTX_SPLIT_SEED, persist_state="session")

b = wordlists.model_for(source).vocab.boundary
example = "emma"
full_pad = b * context + example + b
single_pad = b + example + b
st.markdown(
    f"**Padding.** With **full** padding `{full_pad}` every symbol and the end are predicted: "
    f"{len(example) + 1} predictions for *{example}*, the same as the bigram model, so losses compare. With **single** "
    f"padding `{single_pad}` only positions with a whole context are predicted: {max(len(example) + 2 - context, 0)} "
    f"predictions, and the first {context - 1} symbol(s) of every word, the hardest to guess, are never scored. "
    "Its loss looks lower but answers an easier question, and it cannot start a word, so it cannot sample."
)

try:
    result = exercises.tuned(source.id, context, padding, int(split_seed), words)
except BigramError as exc:
    st.error(escape.md(exc), icon=":material/error:")
    st.stop()

st.subheader("Split (E02) and tuning on dev (E03)")
n_train, n_dev, n_test = result.sizes
st.caption(
    f"Seeded shuffle (seed {int(split_seed)}), then {n_train:,} words to count on, {n_dev:,} to choose k on, "
    f"{n_test:,} held out. One vocabulary covers all three, so dev and test never hold an unknown symbol."
)
train_pts = [(k, tr) for k, tr, _ in result.curve]
dev_pts = [(k, dv) for k, _, dv in result.curve]
fig = figures.nll_vs_smoothing(
    train_pts,
    current=(result.best_k, result.dev_nll),
    extra={"dev NLL": dev_pts},
    title="Train and dev NLL against smoothing k",
)
fig.data[0].name = "train NLL"
fig.data[-1].name = f"best k on dev = {result.best_k:g}"
st.plotly_chart(fig, key="ctx_tuning")
m1, m2, m3, m4 = st.columns(4)
m1.metric("Best k (chosen on dev)", f"{result.best_k:g}")
m2.metric("Train NLL", f"{result.train_nll:.4f}")
m3.metric("Dev NLL", f"{result.dev_nll:.4f}")
m4.metric(
    "Test NLL (evaluated once)",
    f"{result.test_nll:.4f}",
    help="Computed once, at the k chosen on dev. Choosing k by its test loss would make the test set a second dev set.",
)
st.markdown(
    "The train NLL only rises with k: smoothing moves probability away from what the training words did. The dev "
    "NLL is U-shaped: too little smoothing and rare or unseen combinations cost a lot (with k = 0 a single unseen "
    "one makes it infinite); too much and every row flattens towards uniform. The bottom of the U is the k to use."
)

st.subheader("Every context side by side")
rows = []
for c in (1, 2, 3):
    try:
        t = exercises.tuned(source.id, c, padding, int(split_seed), words)
    except BigramError as exc:
        rows.append({"context": c, "model": {1: "bigram", 2: "trigram", 3: "4-gram"}[c], "note": str(exc)})
        continue
    rows.append(
        {
            "context": c,
            "model": {1: "bigram", 2: "trigram", 3: "4-gram"}[c],
            "best k": t.best_k,
            "train NLL": round(t.train_nll, 4),
            "dev NLL": round(t.dev_nll, 4),
            "test NLL": round(t.test_nll, 4),
            "predictions (train)": exercises.ngram_on_train(source.id, c, padding, int(split_seed), words).predictions,
        }
    )
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
st.caption(
    f"Padding: {padding}. Longer contexts fit the training words better and, with smoothing tuned on dev, "
    "usually generalise better too, until the table of contexts gets too sparse for the list's size."
)

st.subheader("What the model counts")
model = exercises.ngram_on_train(source.id, context, padding, int(split_seed), words)
top = model.top_contexts(30)
labels = [lab for lab, _ in top]
chosen = st.selectbox("Context", labels, key=state.CTX_ROW, format_func=lambda lab: f"{lab!r}")
row = model.context_row(chosen) if chosen else 0
P = model.probabilities(result.best_k)
st.plotly_chart(
    figures.row_distribution(
        P[row], model.vocab.itos, chosen or "", title=f"p(next | {chosen!r}) at k = {result.best_k:g}"
    ),
    key="ctx_row_chart",
)
st.caption(
    f"The table has {model.N.shape[0]:,} rows (one per possible context) × {model.V} columns; "
    f"{int((model.N.sum(1) > 0).sum()):,} contexts occur in the training words. Above: one row."
)

st.subheader("Samples")
if padding == "full":
    n_samples = 12
    drawn = exercises.ngram_samples(source.id, context, result.best_k, n_samples, int(state.setting("seed")), words)
    known = set(words)
    st.dataframe(
        pd.DataFrame({"sample": drawn, "in the list": [w in known for w in drawn]}), hide_index=True, width="stretch"
    )
    st.caption(
        f"Drawn from the counts of the whole list at k = {result.best_k:g} with seed {int(state.setting('seed'))} "
        "(the Sample page's seed). Longer contexts give more name-like words — and copy more of the list."
    )
else:
    st.info(
        "Single padding never learned how words start, so it cannot sample words. Switch to full padding.",
        icon=":material/info:",
    )

st.subheader("The neural model for this context")
st.markdown(
    "The neural version gives W one row per context and trains it as on the Neural net page (counts form, Adam, "
    f"{FIT_STEPS} steps). With regularisation 0 it reaches the counting model's training loss; "
    "regularisation plays smoothing's role."
)
reg = st.select_slider("Regularisation", options=[0.0, 0.0001, 0.001, 0.01, 0.1], value=0.001, key="ctx_reg")
if st.button("Train on the train split", key=state.CTX_NEURAL):
    with st.spinner("Training..."):
        tr, dv = exercises.neural_dev_nll(source.id, context, padding, int(split_seed), float(reg), words)
    n1, n2, n3 = st.columns(3)
    n1.metric("Net train NLL", f"{tr:.4f}")
    n2.metric(
        "Net dev NLL", f"{dv:.4f}", delta=f"{dv - result.dev_nll:+.4f} vs counts at best k", delta_color="inverse"
    )
    n3.metric("Counts dev NLL at best k", f"{result.dev_nll:.4f}")
    if not math.isfinite(dv):
        st.warning("The dev NLL is infinite: the net gives some dev prediction probability 0. Add regularisation.")
