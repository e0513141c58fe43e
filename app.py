"""Home: what a bigram language model is, the list in use, and where to go next."""

import streamlit as st

from bigram import score_word
from ui import data, sidebar, state

source = sidebar.page("Home")
model = data.model_for(source)
k = float(state.setting("k"))
logP = data.log_probabilities(source.id, k, model)

st.title("Bigram Lab")
st.markdown(
    "A **bigram language model** predicts each character of a word from the one before it, and "
    "nothing else. It learns by counting: how often does `a` follow `m` in the list? Normalising "
    "those counts gives the probability of the next character given the previous one. A special "
    f"token, shown as `{model.vocab.boundary}`, marks where a word starts and ends, so the model "
    "also learns which letters words begin and end with."
)

st.subheader("A word, as the model sees it")
words = list(dict.fromkeys(source.words[:200]))
default_word = "isabella" if "isabella" in words else words[0]
word = st.selectbox("Word from the list", words, index=words.index(default_word), key="home_word")
ws = score_word(word, logP, model.vocab)
b = model.vocab.boundary
st.markdown(
    "By the **chain rule** of probability, the probability of a whole word is a product of "
    "conditional probabilities; the bigram model assumes each one depends only on the previous character:"
)
terms = " \\cdot ".join(f"p(\\texttt{{{p.bigram[1:] or b}}} \\mid \\texttt{{{p.bigram[:1]}}})" for p in ws.pairs)
st.latex(f"p(\\texttt{{{word}}}) = {terms}")
values = " \\times ".join(f"{p.prob:.3f}" for p in ws.pairs)
prob = 1.0
for p in ws.pairs:
    prob *= p.prob
mantissa, exponent = f"{prob:.3e}".split("e")
st.latex(f"= {values} = {mantissa} \\times 10^{{{int(exponent)}}}")
st.caption(
    f"With smoothing k = {k:g} (set on the Smoothing page). Each factor is one row of P: the row of the "
    "previous character, the column of the next. The average of -log p over the factors is the word's "
    f"negative log-likelihood: {ws.nll:.4f}."
)

st.subheader("The list in use")
c1, c2, c3, c4 = st.columns(4)
c1.metric("Words", f"{len(source.words):,}")
c2.metric("Bigrams", f"{model.bigrams:,}", help="Each word of length n gives n + 1 bigrams, counting the start and end tokens.")
c3.metric("Symbols", model.V, help=f"The distinct characters plus the boundary token {b!r}.")
nll = data.list_score(source.id, k, model).nll
c4.metric(f"NLL at k = {k:g}", f"{nll:.4f}", help="Average negative log-likelihood per bigram of the list under its own model.")
st.caption(f"{source.title} — {source.report.summary()}")

st.subheader("Where to go next")
for p in sidebar.PAGES[1:]:
    blurb = {
        "Data": "the words, their lengths, the symbols, the duplicates and what cleaning did",
        "Counts": "the count matrix N, one row as a distribution, and why row sums equal column sums",
        "Smoothing": "add-k smoothing, the loss against k, score any word, and the keepdim pitfall",
        "Neural net": "train the one-layer net and watch it land on the counting model's loss",
        "Sample": "new words from either model, reproducibly, and what torch.multinomial does",
        "Longer contexts": "trigram and 4-gram models, train/dev/test splits and tuning (exercises E01-E03)",
        "More exercises": "compare two lists, smoothing against regularisation, and keep or load a model file",
    }[p.label]
    st.page_link(p.file, label=f"{p.label}: {blurb}", icon=p.icon, query_params=state.shared_params() or None)
