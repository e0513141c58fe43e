"""Home: what a bigram language model is, the list in use, and where to go next."""

import streamlit as st

from bigram import score_word
from ui import cached, escape, sidebar, state, wordlists

source = sidebar.page("Home")
model = wordlists.model_for(source)
k = float(state.setting("k"))
logP = cached.log_probabilities(source.id, k, model)

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
terms = " \\cdot ".join(
    f"p(\\texttt{{{escape.tex(p.bigram[1:] or b)}}} \\mid \\texttt{{{escape.tex(p.bigram[:1])}}})" for p in ws.pairs
)
st.latex(f"p(\\texttt{{{escape.tex(word)}}}) = {terms}")
values = " \\times ".join(f"{p.prob:.3f}" for p in ws.pairs)
mantissa, exponent = ws.probability(digits=3)  # from the sum of log p: a long word's product would underflow
st.latex(f"= {values} = {mantissa:.3f} \\times 10^{{{exponent}}}")
st.caption(
    f"With smoothing k = {k:g} (set on the Smoothing page). Each factor is one row of P: the row of the "
    "previous character, the column of the next. The average of -log p over the factors is the word's "
    f"negative log-likelihood: {ws.nll:.4f}."
)

st.markdown(
    "**How good is a model?** The probability it gives the whole list, the *likelihood*, is the product of all these "
    "factors over every word. That number is astronomically small, so we take its log (a sum of log-probabilities), "
    "flip the sign so that lower is better (the *negative log-likelihood*), and divide by the number of bigrams: "
    "the **average NLL**, the loss used everywhere in this app. Maximising the likelihood, maximising the "
    "log-likelihood and minimising the average NLL are the same goal. The model's parameters are simply the "
    "probabilities in P, and the counts give the ones that maximise the likelihood."
)

a_id, n_id = model.vocab.stoi.get("a"), model.vocab.stoi.get("n")
with st.expander("Probability basics behind the chain rule, on this list", icon=":material/functions:"):
    if a_id is None or n_id is None:
        a_id, n_id = 1, min(2, model.V - 1)
    la, ln = model.vocab.itos[a_id], model.vocab.itos[n_id]
    f = cached.pair_facts(source.id, a_id, n_id, model)
    ma, mn = escape.md(la), escape.md(ln)  # symbols of the list: plain text in the Markdown below
    st.markdown(
        f"Every quantity below is a sum over the count matrix N ({model.bigrams:,} bigrams), for the pair {escape.code(la + ln)}:\n\n"
        f"- **joint** p({ma}, {mn}) = N[{ma},{mn}] / N.sum() = **{f.joint:.5f}**: how often the pair occurs among all pairs;\n"
        f"- **marginal** p({ma}) = N[{ma}, :].sum() / N.sum() = **{f.p_a:.5f}**: the joint summed over every next symbol "
        "(*marginalisation*);\n"
        f"- **conditional** p({mn} | {ma}) = p({ma}, {mn}) / p({ma}) = **{f.b_given_a:.5f}**: one cell of P; the chain rule "
        "multiplies these;\n"
        f"- **Bayes' rule** turns it around: p({ma} | {mn}) = p({mn} | {ma}) p({ma}) / p({mn}) = **{f.a_given_b:.5f}**, the "
        f"same as reading column {escape.code(ln)} directly ({f.a_given_b_direct:.5f}): how likely {escape.code(la)} is the letter *before* {escape.code(ln)};\n"
        f"- **independence** would mean p({ma}, {mn}) = p({ma}) p({mn}); here the ratio is **{f.independence_ratio:.2f}**, "
        "not 1: letters depend on their neighbours, which is exactly what a bigram model captures."
    )
    stat = (
        cached.stationary_distribution(source.id, model) if model.V <= 300 else None
    )  # eig is cubic in V: skipped for huge alphabets
    if stat is not None:
        st.markdown(
            "**Linear algebra corner.** Each row of P sums to 1 (a *stochastic* matrix), so P has the eigenvalue 1. "
            f"`torch.linalg.eig(P.T)` finds it ({stat.eigenvalue.real:.6f}); its eigenvector, scaled to sum to 1, is the "
            "share of each symbol in the long run of generated text, and it equals each symbol's share of the list's "
            f"bigrams to within {stat.max_difference:.1e}, because every row sum of N equals its column sum. "
            "The other operation the lecture needs is the matrix product `one_hot(x) @ W` (see the Neural net page); "
            "`P.T` is the transpose. No inverse is needed anywhere."
        )
    st.markdown(
        '**Python corner.** `f"{N.shape=}"` prints the expression and its value (self-documenting f-strings, new in '
        f"Python 3.8): here `N.shape={tuple(model.N.shape)}`."
    )

st.subheader("The list in use")
c1, c2, c3, c4 = st.columns(4)
c1.metric("Words", f"{len(source.words):,}")
c2.metric(
    "Bigrams",
    f"{model.bigrams:,}",
    help="Each word of length n gives n + 1 bigrams, counting the start and end tokens.",
)
c3.metric("Symbols", model.V, help=f"The distinct characters plus the boundary token {b!r}.")
nll = cached.score_counts(source.id, k, model).nll
c4.metric(
    f"NLL at k = {k:g}",
    f"{nll:.4f}",
    help="Average negative log-likelihood per bigram of the list under its own model.",
)
st.caption(f"{escape.md(source.title)} — {escape.md(source.report.summary())}")

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
