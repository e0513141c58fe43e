"""Sample: new words from the counting model or the trained net, reproducibly, and what torch.multinomial does."""

import pandas as pd
import streamlit as st
import torch

from bigram import LECTURE_SEED, BigramError, lecture, sample
from bigram.neural import net_log_probabilities
from bigram.sampling import SampleTable, draw_from_row, sample_table
from ui import cached, escape, figures, guide, sidebar, state, stepthrough, training, wordlists
from ui.prose import note, say, text
from ui.showcode import show_code

PAGE = "sample"
MODEL_LABELS = {"counts": "Counts: P", "net": "Neural net: softmax(W)"}
MODE_LABELS = {"sequential": "Sequential", "batched": "Batched"}
HELP = {
    "mode": "Sequential draws one symbol per multinomial call, exactly as the lecture's loop does. Batched draws the "
    "next symbol of every unfinished word at once, by looking up one seeded uniform number per word in the row's "
    "cumulative probabilities: the same distribution, much faster, but other words for the same seed.",
    "preset": f"Seed {LECTURE_SEED}, k = 1 (add-one smoothing), sequential, temperature 1, the counting model, "
    f"and the longest maximum length ({state.MAX_LEN_MAX}): the lecture's loop has no limit.",
    "seed": "torch.Generator().manual_seed(seed): the start of the random stream.",
    "temperature": "Each row becomes p ** (1 / T), renormalised: T < 1 sharpens (more typical words), "
    "T > 1 flattens (stranger words).",
    "max_len": "A word still going at this many symbols is cut off (and marked truncated).",
    "log p": "log of the word's probability under the model that drew it, at temperature 1; a truncated word counts "
    "its drawn prefix only.",
}
KEPT = {"persist_state": "session"}  # the settings keep their values across pages
COLUMNS = ["word", "length", "log p", "in the list", "truncated"]
DRAWS = [10, 100, 1_000, 10_000, 100_000]
FIRST_DRAWS = 24  # how many of the demonstration's draws are spelled out


def settings(boundary: str) -> dict:
    """Which model, how it draws, and the sampling settings (all shared in links)."""
    st.title("Sample new words")
    say(PAGE, "intro", b=boundary)
    with st.container(border=True):
        c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="center")
        choice = c1.radio(
            "Model",
            list(MODEL_LABELS),
            key="source",
            disabled=state.locked("source"),
            horizontal=True,
            format_func=MODEL_LABELS.get,
            **KEPT,
        )
        mode = c2.radio(
            "Mode",
            list(MODE_LABELS),
            key="mode",
            disabled=state.locked("mode"),
            horizontal=True,
            format_func=MODE_LABELS.get,
            help=HELP["mode"],
            **KEPT,
        )
        c3.button(
            "As in the lecture",
            key=state.SAMPLE_PRESET,
            disabled=any(state.locked(name) for name in ("seed", "k", "mode", "temperature", "source", "max_len")),
            on_click=state.apply_lecture_preset,
            icon=":material/school:",
            help=HELP["preset"],
        )
        c4, c5, c6, c7 = st.columns(4)
        seed = c4.number_input(
            "Seed",
            min_value=0,
            step=1,
            key="seed",
            disabled=state.locked("seed"),
            help=HELP["seed"],
            **KEPT,
        )
        n = c5.number_input(
            "How many words",
            min_value=1,
            step=1,
            key="n",
            disabled=state.locked("n"),
            **KEPT,
        )
        temperature = c6.select_slider(
            "Temperature",
            options=state.steps_with(state.TEMPERATURE_STEPS, state.setting("temperature")),
            format_func=lambda v: f"{v:g}",
            key="temperature",
            disabled=state.locked("temperature"),
            help=HELP["temperature"],
            **KEPT,
        )
        max_len = c7.number_input(
            "Maximum length",
            min_value=1,
            step=1,
            key="max_len",
            disabled=state.locked("max_len"),
            help=HELP["max_len"],
            **KEPT,
        )
    # No max_value on the number boxes (a browser would keep a value typed above it without sending it): a value
    # out of range is refused in words, and nothing is drawn with a setting the box does not show.
    refusal = state.out_of_range({"seed": seed, "n": n, "max_len": max_len})
    if refusal:
        st.error(f"Not with these settings: {refusal}.", icon=":material/error:")
        st.stop()
    chosen = {"source": choice, "mode": mode, "seed": int(seed), "n": int(n)}
    return chosen | {"temperature": float(temperature), "max_len": int(max_len)}


def the_net(source, choice: str, k: float):
    """The person's trained net when they chose it; None for the counting model, saying where to train a net."""
    if choice != "net":
        return None
    net = training.get(source.id)
    if net is None:
        st.warning(text(PAGE, "no-net", k=k), icon=":material/hub:")
        params = state.link_params() or None
        st.page_link("pages/4_Neural_net.py", label="Train the net", icon=":material/hub:", query_params=params)
    return net


def drawn_words(source, model, net, k: float, s: dict) -> SampleTable:
    """The words drawn, their lengths and log p under the model that drew them (the counting model's are cached)."""
    how = {name: s[name] for name in ("seed", "temperature", "max_len", "mode")}
    try:
        if net is None:
            words = cached.sample_table(source.id, k, s["n"], _model=model, _words=source.words, **how)
            note(PAGE, "from-counts", k=k)
        else:
            drawn = sample(net.probabilities(), model.vocab, s["n"], **how)
            words = sample_table(drawn, net_log_probabilities(net.W), cached.word_set(source.id, source.words))
            note(PAGE, "from-net", steps=net.steps, loss=net.loss)
    except BigramError as exc:
        st.error(escape.md(exc), icon=":material/error:")
        st.stop()
    return words


def words_table(words: SampleTable, s: dict) -> None:
    """How many words, how many the list already has, how many were cut off; the words; a CSV of them."""
    m1, m2, m3 = st.columns(3)
    m1.metric("Words drawn", f"{len(words.rows):,}")
    m2.metric("Already in the list", f"{words.in_list:,}", help="A sample that spells a word of the list exactly.")
    cut = f"Reached {s['max_len']} symbols before the end token was drawn."
    m3.metric("Truncated", f"{words.truncated:,}", help=cut)
    rows = [(r.word, r.length, r.log_p, r.in_list, r.truncated) for r in words.rows]
    table = pd.DataFrame(rows, columns=COLUMNS, index=pd.RangeIndex(1, len(rows) + 1))
    st.dataframe(
        table,
        width="stretch",
        height=min(36 + 35 * len(table), 560),
        column_config={"log p": st.column_config.NumberColumn(format="%.3f", help=HELP["log p"])},
    )
    st.download_button(
        "Download as CSV",
        table.to_csv(index_label="#").encode("utf-8"),
        file_name=f"samples-seed{s['seed']}.csv",
        mime="text/csv",
        key=state.SAMPLE_DOWNLOAD,
        on_click="ignore",
        icon=":material/download:",
    )
    st.info(text(PAGE, "torch-version", version=torch.__version__), icon=":material/info:")


def one_word_at_a_time(source, model, net, k: float, s: dict) -> None:
    """The first word of the table, one draw at a time (sequential mode's own calls)."""
    st.subheader("One word, one draw at a time")
    say(PAGE, "step-through" if s["mode"] == "sequential" else "step-through-batched")
    P = cached.probabilities(source.id, k, model) if net is None else net.probabilities()
    stepthrough.section(P, model.vocab, seed=s["seed"], temperature=s["temperature"], max_len=s["max_len"])


@st.fragment
def multinomial_demo(source, model, net, k: float, seed: int) -> None:
    """One row of P drawn from many times: the shares of the draws settle onto the probabilities. A fragment: its
    row and number of draws redraw this section alone."""
    st.subheader("What torch.multinomial does")
    say(PAGE, "multinomial", V=model.V)
    labels = model.vocab.itos
    d1, d2 = st.columns([2, 3])
    with d1:
        row = st.selectbox(
            "Row of P to draw from",
            list(range(model.V)),
            key=state.DRAW_ROW,
            format_func=lambda i: f"{labels[i]!r}" + (" (first letters of words)" if i == 0 else ""),
            **KEPT,
        )
        pick = st.segmented_control(
            "Draws", DRAWS, default=10_000, key=state.DRAW_COUNT, format_func="{:,}".format, **KEPT
        )
        n = pick or 10_000
        if net is None:
            draws = cached.draw_from_row(source.id, k, row, n, seed, model)
        else:
            draws = draw_from_row(net.probabilities(), row, n, seed=seed)
        first = " ".join(labels[i] for i in draws.first(FIRST_DRAWS))
        say(PAGE, "first-draws-more" if n > FIRST_DRAWS else "first-draws", first=first)
    with d2:
        st.plotly_chart(figures.draws_vs_probabilities(labels, draws.p, draws.counts, n), key="multinomial_chart")
        note(PAGE, "draws")
    show_code(lecture.draw)
    note(PAGE, "draw-code", call=f"draw(P, {row}, {n}, seed={seed})", n=n, symbol=repr(labels[row]))


source = sidebar.page("Sample")
model = wordlists.model_for(source)
s = settings(model.vocab.boundary)
k = float(state.setting("k"))
net = the_net(source, s["source"], k)
words = drawn_words(source, model, net, k, s)
words_table(words, s)
one_word_at_a_time(source, model, net, k, s)
guide.nav("net_sampling" if net is not None else "sampling")
multinomial_demo(source, model, net, k, s["seed"])
