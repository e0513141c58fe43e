"""Sample: new words from the counting model or the trained net, reproducibly, and what torch.multinomial does."""

import pandas as pd
import streamlit as st
import torch

from bigram import LECTURE_SEED, BigramError, sample
from bigram.neural import net_log_probabilities
from bigram.sampling import draw_and_count, log_probability
from ui import cached, escape, figures, sidebar, state, training, wordlists

source = sidebar.page("Sample")
model = wordlists.model_for(source)
labels = model.vocab.itos
b = model.vocab.boundary

st.title("Sample new words")
st.markdown(
    f"Generating a word is the model run forwards: start at the boundary `{b}`, draw the next symbol from the row of P "
    f"for the current symbol, move to it, and repeat until `{b}` is drawn again. In sequential mode each draw is one "
    "call of `torch.multinomial`, fed by a seeded generator, so the same settings give the same words every time."
)

with st.container(border=True):
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="center")
    with c1:
        choice = st.radio(
            "Model",
            ["counts", "net"],
            key="source",
            persist_state="session",
            horizontal=True,
            format_func={"counts": "Counts: P", "net": "Neural net: softmax(W)"}.get,
        )
    with c2:
        mode = st.radio(
            "Mode",
            ["sequential", "batched"],
            key="mode",
            persist_state="session",
            horizontal=True,
            format_func={"sequential": "Sequential", "batched": "Batched"}.get,
            help="Sequential draws one symbol per multinomial call, exactly as the lecture's loop does. Batched draws the "
            "next symbol of every unfinished word at once, by looking up one seeded uniform number per word in the "
            "row's cumulative probabilities: the same distribution, much faster, but other words for the same seed.",
        )
    with c3:
        st.button(
            "As in the lecture",
            key=state.SAMPLE_PRESET,
            on_click=state.apply_lecture_preset,
            icon=":material/school:",
            help=f"Seed {LECTURE_SEED}, k = 1 (add-one smoothing), sequential, temperature 1, the counting model, "
            f"and the longest maximum length ({state.MAX_LEN_MAX}): the lecture's loop has no limit.",
        )
    c4, c5, c6, c7 = st.columns(4)
    with c4:
        seed = st.number_input(
            "Seed",
            min_value=0,
            max_value=2**53 - 1,
            step=1,
            key="seed",
            persist_state="session",
            help="torch.Generator().manual_seed(seed): the start of the random stream.",
        )
    with c5:
        n = st.number_input(
            "How many words", min_value=1, max_value=state.SAMPLE_MAX, step=1, key="n", persist_state="session"
        )
    with c6:
        temperature = st.select_slider(
            "Temperature",
            options=state.steps_with(state.TEMPERATURE_STEPS, state.setting("temperature")),
            format_func=lambda v: f"{v:g}",
            key="temperature",
            persist_state="session",
            help="Each row becomes p ** (1 / T), renormalised: T < 1 sharpens (more typical words), T > 1 flattens (stranger words).",
        )
    with c7:
        max_len = st.number_input(
            "Maximum length",
            min_value=1,
            max_value=state.MAX_LEN_MAX,
            step=1,
            key="max_len",
            persist_state="session",
            help="A word still going at this many symbols is cut off (and marked truncated).",
        )

k = float(state.setting("k"))
seed, n, max_len, temperature = int(seed), int(n), int(max_len), float(temperature)
net = training.get(source.id) if choice == "net" else None
if choice == "net" and net is None:
    st.warning(
        "There is no trained net for this list yet: train it on the Neural net page. "
        f"Meanwhile these are the counting model's samples (k = {k:g}).",
        icon=":material/hub:",
    )
    st.page_link(
        "pages/4_Neural_net.py",
        label="Train the net",
        icon=":material/hub:",
        query_params=state.shared_params() or None,
    )

try:
    if net is None:
        samples = cached.sample(source.id, k, n, seed, temperature, max_len, mode, model)
        logP = cached.log_probabilities(source.id, k, model)
        P = cached.probabilities(source.id, k, model)
        st.caption(
            f"Counting model at smoothing k = {k:g} (set on the Smoothing page): P = (N + k) / (N + k).sum(1, keepdim=True), float32 as in the lecture."
        )
    else:
        P = net.probabilities()
        samples = sample(P, model.vocab, n, seed=seed, temperature=temperature, max_len=max_len, mode=mode)
        logP = net_log_probabilities(net.W)
        st.caption(
            f"Trained net: softmax(W) after {net.steps:,} steps (final loss {net.loss:.4f}). Log-probabilities are log_softmax(W) in float64."
        )
except BigramError as exc:
    st.error(escape.md(exc), icon=":material/error:")
    st.stop()

known = cached.word_set(source.id, source.words)
table = pd.DataFrame(
    {
        "word": [s.word for s in samples],
        "length": [len(s.ids) for s in samples],
        "log p": [log_probability(s, logP) for s in samples],
        "in the list": [s.word in known for s in samples],
        "truncated": [s.truncated for s in samples],
    }
)
table.index = pd.RangeIndex(1, len(table) + 1)

m1, m2, m3 = st.columns(3)
m1.metric("Words drawn", f"{len(samples):,}")
m2.metric(
    "Already in the list",
    f"{int(table['in the list'].sum()):,}",
    help="A sample that spells a word of the list exactly.",
)
m3.metric(
    "Truncated", f"{int(table['truncated'].sum()):,}", help=f"Reached {max_len} symbols before the end token was drawn."
)
st.dataframe(
    table,
    width="stretch",
    height=min(36 + 35 * len(table), 560),
    column_config={
        "log p": st.column_config.NumberColumn(
            format="%.3f",
            help="log of the word's probability under the model "
            "that drew it, at temperature 1; a truncated word counts its drawn prefix only.",
        )
    },
)
st.download_button(
    "Download as CSV",
    table.to_csv(index_label="#").encode("utf-8"),
    file_name=f"samples-seed{seed}.csv",
    mime="text/csv",
    key=state.SAMPLE_DOWNLOAD,
    on_click="ignore",
    icon=":material/download:",
)
st.info(
    f"This server runs **torch {torch.__version__}**. Seeded samples depend on the torch version: `torch.multinomial` "
    "changed how it draws in torch 2.7, so a notebook run on an older torch prints other words for the same seed and the "
    "same P. With the lecture's settings (the button above) and the same torch version, these are the words a notebook "
    "gets; they are computed here, never copied from an old notebook.",
    icon=":material/info:",
)

st.subheader("What torch.multinomial does")
st.markdown(
    "`torch.multinomial(p, num_samples, replacement=True, generator=g)` takes a vector of non-negative weights `p` and "
    "returns **indices**: index *i* comes out with probability `p[i] / p.sum()`, like throwing a loaded die with "
    f"{model.V} faces. The sampler calls it with the row of P for the current symbol.\n\n"
    "A **generator** is the source of the randomness: `torch.Generator().manual_seed(seed)` starts a stream of "
    "pseudo-random numbers that is the same for the same seed, which is why the same seed gives the same words. "
    "Every draw consumes part of the stream, so changing how many words are drawn before a word, or the maximum "
    "length, changes the words that follow."
)
d1, d2 = st.columns([2, 3])
with d1:
    row = st.selectbox(
        "Row of P to draw from",
        list(range(model.V)),
        key=state.DRAW_ROW,
        persist_state="session",
        format_func=lambda i: f"{labels[i]!r}" + (" (first letters of words)" if i == 0 else ""),
    )
    draws_n = (
        st.segmented_control(
            "Draws",
            [10, 100, 1_000, 10_000, 100_000],
            default=10_000,
            key=state.DRAW_COUNT,
            persist_state="session",
            format_func=lambda v: f"{v:,}",
        )
        or 10_000
    )
    if net is None:
        drawn, counts = cached.draw_and_count(source.id, k, row, draws_n, seed, model)
    else:
        drawn, counts = draw_and_count(P[row], draws_n, seed=seed)
    first = " ".join(labels[i] for i in drawn[:24].tolist())
    st.markdown(f"The first draws, as symbols: {escape.code(first)}" + (" …" if draws_n > 24 else ""))
with d2:
    st.plotly_chart(figures.draws_vs_probabilities(labels, P[row], counts, draws_n), key="multinomial_chart")
    st.caption(
        "Bars: the share of the draws that gave each symbol; diamonds: the probability it was given. With more "
        "draws the bars settle onto the diamonds (the law of large numbers); with 10 they can be far off."
    )
st.code(
    f"g = torch.Generator().manual_seed({seed})\n"
    f"p = P[{row}]  # the row of {labels[row]!r}\n"
    f"ix = torch.multinomial(p, num_samples={draws_n}, replacement=True, generator=g)  # {draws_n:,} indices into p",
    language="python",
)
