"""Longer contexts (E01), a train/dev/test split (E02) and tuning smoothing on dev (E03)."""

import math

import pandas as pd
import streamlit as st

from bigram import BigramError
from bigram.defaults import FIT_STEPS, SPLIT_SEED
from bigram.ngram import pad_word
from ui import cached, escape, exercises, figures, guide, sidebar, state, wordlists
from ui.prose import note, say, text

PAGE = "contexts"
MODELS = {1: "bigram", 2: "trigram", 3: "4-gram"}  # by context: how many previous symbols
EXAMPLE = "emma"  # the word the padding explanation pads
SAMPLES = 12


def choices(source) -> tuple[int, str, int]:
    """The context, the padding and the split seed; what each padding makes of one word."""
    st.title("Longer contexts, measured honestly")
    say(PAGE, "intro")
    c1, c2, c3 = st.columns(3)
    context = c1.radio(
        "Context (previous symbols)",
        list(MODELS),
        index=1,
        horizontal=True,
        key=state.CTX_CONTEXT,
        persist_state="session",
        format_func=lambda c: f"{c} · {MODELS[c]}",
    )
    padding = c2.radio(
        "Padding",
        ["full", "single"],
        horizontal=True,
        key=state.CTX_PADDING,
        persist_state="session",
        help="full: as many start tokens as the context; single: one start token, as in .emma.",
    )
    seed = c3.number_input("Split seed", 0, 2**31 - 1, SPLIT_SEED, key=state.CTX_SPLIT_SEED, persist_state="session")
    b = wordlists.model_for(source).vocab.boundary
    full, single = pad_word(EXAMPLE, context, "full", b), pad_word(EXAMPLE, context, "single", b)
    say(PAGE, "padding", word=EXAMPLE, full=full, single=single)
    return context, padding, int(seed)


def tuning(result, seed: int) -> None:
    """Train and dev NLL against k, the k chosen on dev, and the test NLL at that k."""
    st.subheader("Split (E02) and tuning on dev (E03)")
    n_train, n_dev, n_test = result.sizes
    note(PAGE, "split", seed=seed, train=n_train, dev=n_dev, test=n_test)
    fig = figures.nll_vs_smoothing(
        [(k, tr) for k, tr, _ in result.curve],
        current=(result.best_k, result.dev_nll),
        extra={"dev NLL": [(k, dv) for k, _, dv in result.curve]},
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
        help="Computed once, at the k chosen on dev. "
        "Choosing k by its test loss would make the test set a second dev set.",
    )
    say(PAGE, "dev-curve")


def every_context(source, padding: str, seed: int) -> None:
    """The same split and tuning for the bigram, trigram and 4-gram models."""
    st.subheader("Every context side by side")
    rows = []
    for c, name in MODELS.items():
        try:
            t = exercises.tuned(source.id, c, padding, seed, source.words)
        except BigramError as exc:
            rows.append({"context": c, "model": name, "note": str(exc)})
            continue
        rows.append(
            {
                "context": c,
                "model": name,
                "best k": t.best_k,
                "train NLL": round(t.train_nll, 4),
                "dev NLL": round(t.dev_nll, 4),
                "test NLL": round(t.test_nll, 4),
                "predictions (train)": exercises.ngram_on_train(source.id, c, padding, seed, source.words).predictions,
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    note(PAGE, "side-by-side", padding=padding)


@st.fragment
def what_it_counts(source, context: int, padding: str, seed: int, result) -> None:
    """One context's next-symbol distribution, out of the table of every context. A fragment: choosing another
    context redraws this section alone."""
    st.subheader("What the model counts")
    model = exercises.ngram_on_train(source.id, context, padding, seed, source.words)
    labels = [lab for lab, _ in model.top_contexts(30)]
    chosen = st.selectbox("Context", labels, key=state.CTX_ROW, format_func=lambda lab: f"{lab!r}")
    row = model.context_row(chosen) if chosen else 0
    P = model.probabilities(result.best_k)
    title = f"p(next | {chosen!r}) at k = {result.best_k:g}"
    st.plotly_chart(figures.row_distribution(P[row], model.vocab.itos, chosen or "", title=title), key="ctx_row_chart")
    note(PAGE, "table", rows=model.N.shape[0], V=model.V, seen=model.contexts_seen)


def samples(source, context: int, padding: str, result) -> None:
    st.subheader("Samples")
    if padding != "full":
        st.info(text(PAGE, "cannot-sample"), icon=":material/info:")
        return
    seed = int(state.setting("seed"))
    drawn = exercises.ngram_samples(source.id, context, result.best_k, SAMPLES, seed, source.words)
    known = cached.word_set(source.id, source.words)
    st.dataframe(
        pd.DataFrame({"sample": drawn, "in the list": [w in known for w in drawn]}), hide_index=True, width="stretch"
    )
    note(PAGE, "samples", k=result.best_k, seed=seed)


def neural(source, context: int, padding: str, seed: int, result) -> None:
    """The neural model with one row of W per context, trained on demand, against the counts at the best k."""
    st.subheader("The neural model for this context")
    say(PAGE, "neural", steps=FIT_STEPS)
    reg = st.select_slider("Regularisation", options=[0.0, 0.0001, 0.001, 0.01, 0.1], value=0.001, key=state.CTX_REG)
    if not st.button("Train on the train split", key=state.CTX_NEURAL):
        return
    with st.spinner("Training..."):
        tr, dv = exercises.neural_dev_nll(source.id, context, padding, seed, float(reg), source.words)
    n1, n2, n3 = st.columns(3)
    n1.metric("Net train NLL", f"{tr:.4f}")
    n2.metric(
        "Net dev NLL", f"{dv:.4f}", delta=f"{dv - result.dev_nll:+.4f} vs counts at best k", delta_color="inverse"
    )
    n3.metric("Counts dev NLL at best k", f"{result.dev_nll:.4f}")
    if not math.isfinite(dv):
        st.warning(text(PAGE, "infinite"))


source = sidebar.page("Longer contexts")
context, padding, seed = choices(source)
try:
    result = exercises.tuned(source.id, context, padding, seed, source.words)
except BigramError as exc:
    st.error(escape.md(exc), icon=":material/error:")
    st.stop()
tuning(result, seed)
every_context(source, padding, seed)
what_it_counts(source, context, padding, seed, result)
samples(source, context, padding, result)
neural(source, context, padding, seed, result)
guide.nav("exercises")
