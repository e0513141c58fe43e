"""Home: what a bigram language model is, the list in use, and where to go next."""

import streamlit as st

from bigram import score_word
from ui import cached, escape, guide, sidebar, state, wordlists
from ui.prose import note, say

PAGE = "home"

#: What each page holds: the labels of the links at the bottom.
NEXT = {
    "Data": "the words, their lengths, the symbols, the duplicates and what cleaning did",
    "Counts": "the count matrix N, one row as a distribution, and why row sums equal column sums",
    "Smoothing": "add-k smoothing, the loss against k, score any word, and the keepdim pitfall",
    "Neural net": "train the one-layer net and watch it land on the counting model's loss",
    "Sample": "new words from either model, reproducibly, and what torch.multinomial does",
    "Longer contexts": "trigram and 4-gram models, train/dev/test splits and tuning (exercises E01-E03)",
    "More exercises": "compare two lists, smoothing against regularisation, and keep or load a model file",
}


def intro(model) -> None:
    st.title("Bigram Lab")
    say(PAGE, "intro", boundary=model.vocab.boundary)


@st.fragment
def a_word(source, model, k: float) -> None:
    """One word of the list written out by the chain rule: the product of its bigrams' probabilities. A fragment:
    choosing another word redraws this section alone."""
    st.subheader("A word, as the model sees it")
    words = list(dict.fromkeys(source.words[:200]))
    default_word = "isabella" if "isabella" in words else words[0]
    word = st.selectbox("Word from the list", words, index=words.index(default_word), key=state.HOME_WORD)
    ws = score_word(word, cached.log_probabilities(source.id, k, model), model.vocab)
    say(PAGE, "chain-rule")
    b = model.vocab.boundary
    # The formula is the page's LaTeX; the word and its symbols are text inside \texttt, escaped for it.
    terms = " \\cdot ".join(
        f"p(\\texttt{{{escape.tex(p.bigram[1:] or b)}}} \\mid \\texttt{{{escape.tex(p.bigram[:1])}}})" for p in ws.pairs
    )
    st.latex(f"p(\\texttt{{{escape.tex(word)}}}) = {terms}")
    values = " \\times ".join(f"{p.prob:.3f}" for p in ws.pairs)
    mantissa, exponent = ws.probability(digits=3)  # from the sum of log p: a long word's product would underflow
    st.latex(f"= {values} = {mantissa:.3f} \\times 10^{{{exponent}}}")
    note(PAGE, "factors", k=k, nll=ws.nll)
    say(PAGE, "likelihood")


def probability_basics(source, model) -> None:
    """Joint, marginal, conditional, Bayes and independence on one pair; the eigenvector of P; an f-string."""
    with st.expander("Probability basics behind the chain rule, on this list", icon=":material/functions:"):
        a, n = model.vocab.stoi.get("a"), model.vocab.stoi.get("n")
        if a is None or n is None:
            a, n = 1, min(2, model.V - 1)
        la, ln = model.vocab.itos[a], model.vocab.itos[n]
        facts = cached.pair_facts(source.id, a, n, model)
        say(PAGE, "basics", bigrams=model.bigrams, pair=la + ln, a=la, n=ln, facts=facts)
        if model.V <= 300:  # eig is cubic in V: skipped for huge alphabets
            say(PAGE, "linear-algebra", stat=cached.stationary_distribution(source.id, model))
        say(PAGE, "python", shape=f"N.shape={tuple(model.N.shape)}")


def the_list(source, model, k: float) -> None:
    """The list's size and its loss under its own model."""
    st.subheader("The list in use")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Words", f"{len(source.words):,}")
    c2.metric(
        "Bigrams",
        f"{model.bigrams:,}",
        help="Each word of length n gives n + 1 bigrams, counting the start and end tokens.",
    )
    c3.metric("Symbols", model.V, help=f"The distinct characters plus the boundary token {model.vocab.boundary!r}.")
    c4.metric(
        f"NLL at k = {k:g}",
        f"{cached.score_counts(source.id, k, model).nll:.4f}",
        help="Average negative log-likelihood per bigram of the list under its own model.",
    )
    note(PAGE, "list", title=source.title, summary=source.report.summary())


def where_next() -> None:
    st.subheader("Where to go next")
    for p in sidebar.PAGES[1:]:
        st.page_link(p.file, label=f"{p.label}: {NEXT[p.label]}", icon=p.icon, query_params=state.link_params() or None)
    st.subheader("Follow the lecture")
    say(PAGE, "lecture-map")
    guide.lecture_map()


source = sidebar.page("Home")
model = wordlists.model_for(source)
k = float(state.setting("k"))
intro(model)
a_word(source, model, k)
guide.nav("loss")
probability_basics(source, model)
the_list(source, model, k)
where_next()
