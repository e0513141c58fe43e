"""More exercises: compare two lists, smoothing against regularisation, and keep or load a model file."""

import pandas as pd
import streamlit as st

from bigram import BigramError, sample, score_word
from bigram.defaults import EXCHANGE_REGS
from bigram.modelfile import ModelFile, load_model_bytes
from bigram.wordlist import clean_typed_word
from ui import cached, escape, exercises, figures, grid, pick, sidebar, state, training, wordlists
from ui.prose import note, say, text

PAGE = "exercises"
KIND_LABELS = {"counts": "counts N", "probabilities": "probabilities P", "weights": "trained W"}
FORMATS = {"safetensors": "application/octet-stream", "csv": "text/csv"}  # format -> the download's MIME type
LOADED_SAMPLES = 10  # words drawn from a loaded model


def compare_two_lists(source, k: float) -> None:
    """Each list's model scored on both lists, and the bigrams most typical of each."""
    say(PAGE, "compare")
    others = {key: title for key, title in wordlists.builtin_titles().items() if f"builtin:{key}" != source.id}
    upload = st.session_state.get(state.UPLOAD)
    if upload is not None and upload.id != source.id:
        others["upload"] = f"Your upload: {upload.title}"
    default = "surnames" if "surnames" in others else next(iter(others))
    choice = st.selectbox(
        "Compare with", list(others), index=list(others).index(default), format_func=others.get, key=state.CMP_OTHER
    )
    other = upload if choice == "upload" else wordlists.load_builtin(choice)
    cmp = exercises.comparison(source.id, other.id, k, source.words, other.words)
    a, b = source.title, other.title
    st.dataframe(
        pd.DataFrame(
            {f"scored on {a}": [cmp.a_on_a, cmp.b_on_a], f"scored on {b}": [cmp.a_on_b, cmp.b_on_b]},
            index=[f"model of {a}", f"model of {b}"],
        ).style.format("{:.4f}"),
        width="stretch",
    )
    note(PAGE, "compare-nll", k=k, symbols=len(cmp.vocab))
    c1, c2 = st.columns(2)
    typical_a = figures.distinctive_bigrams(cmp.most_distinctive(15, "a"), title=f"Typical of {a}")
    typical_b = figures.distinctive_bigrams(
        cmp.most_distinctive(15, "b"), title=f"Typical of {b}", color=figures.ORANGE
    )
    c1.plotly_chart(typical_a, key="cmp_a")
    c2.plotly_chart(typical_b, key="cmp_b")
    note(PAGE, "compare-bars")


def smoothing_is_regularisation(source, model) -> None:
    """For each regularisation strength, the smoothing k it is worth (the nets fitted once, shared with the
    Neural net page)."""
    say(PAGE, "knob")
    if model.V > exercises.KNOB_MAX_SYMBOLS:
        too_big = text(PAGE, "knob-too-big", V=model.V, fits=len(EXCHANGE_REGS), most=exercises.KNOB_MAX_SYMBOLS)
        st.info(too_big, icon=":material/speed:")
        return
    rates = training.exchange(source.id, model.N)
    on_log_axes = [(e.reg, e.k_closest, e.kl) for e in rates if e.reg > 0]  # reg = 0 has no place on a log axis
    st.plotly_chart(figures.smoothing_for_regularisation(on_log_axes), key="knob_curve")
    st.dataframe(
        pd.DataFrame(
            [(e.reg, e.k_closest, e.kl, e.k_same_nll) for e in rates],
            columns=["regularisation", "closest k", "KL divergence", "same-NLL k"],
        ),
        hide_index=True,
        width="stretch",
    )
    note(PAGE, "knob-match")


def model_file(source, model, what: str, k: float, net) -> ModelFile:
    """The counts, the probabilities at the page's k, or the trained W, with where they came from."""
    if what == "weights":
        return ModelFile(what, net.W, model.vocab, meta={"source": source.title, "steps": net.steps, **net.settings})
    if what == "probabilities":
        P = cached.probabilities(source.id, k, model)
        return ModelFile(what, P, model.vocab, meta={"source": source.title, "smoothing": k})
    return ModelFile(what, model.N, model.vocab, meta={"source": source.title})


def keep_a_model(source, model, k: float) -> None:
    """Download what the model is made of as a data-only file."""
    say(PAGE, "keep")
    c1, c2 = st.columns(2)
    net = training.get(source.id)
    kinds = ["counts", "probabilities"] + (["weights"] if net is not None else [])
    what = c1.radio("What", kinds, horizontal=True, key=state.MODEL_WHAT, format_func=KIND_LABELS.get)
    fmt = c2.radio("Format", list(FORMATS), horizontal=True, key=state.MODEL_FORMAT)
    if net is None:
        note(PAGE, "train-for-weights")
    st.download_button(
        f"Download {what} as .{fmt}",
        exercises.model_file_bytes(model_file(source, model, what, k, net), fmt),
        file_name=f"{source.builtin_key or 'upload'}_{what}.{fmt}",
        mime=FORMATS[fmt],
        key=state.MODEL_DOWNLOAD,
        icon=":material/download:",
    )


def load_a_model() -> None:
    """Read an uploaded model file once (each upload has its own id); a refusal stays until the next upload."""
    uploaded = st.file_uploader("Load a model file", type=list(FORMATS), key=state.MODEL_UPLOAD)
    if uploaded is not None and uploaded.file_id != st.session_state.get(state.LOADED_MODEL_DIGEST):
        st.session_state[state.LOADED_MODEL_DIGEST] = uploaded.file_id
        try:
            st.session_state[state.LOADED_MODEL] = (uploaded.name, load_model_bytes(uploaded.getvalue(), uploaded.name))
            st.session_state.pop(state.LOADED_MODEL_ERROR, None)
        except BigramError as exc:
            st.session_state[state.LOADED_MODEL_ERROR] = f"{uploaded.name}: {exc}"
    error = st.session_state.get(state.LOADED_MODEL_ERROR)
    if error:
        st.error(escape.md(error), icon=":material/error:")  # the file's name and what is wrong with it, as text


def the_loaded_model(k: float, seed: int) -> None:
    """The loaded file: what it holds, its P, words drawn from it, a typed word's score (k applies to counts)."""
    loaded = st.session_state.get(state.LOADED_MODEL)
    if loaded is None:
        return
    name, lm = loaded
    rows, columns = tuple(lm.tensor.shape)
    facts = text(PAGE, "loaded", file=name, kind=lm.kind, rows=rows, columns=columns, symbols=len(lm.vocab))
    st.success(facts, icon=":material/check_circle:")
    if lm.meta:
        note(PAGE, "recorded", meta=", ".join(f"{key} = {value}" for key, value in lm.meta.items()))
    P = lm.probabilities(k)
    ids = figures.top_symbols(lm.tensor if lm.kind == "counts" else P)
    title = f"P of {name}"
    pick.draw(
        grid.counts_grid(P, lm.vocab.itos, view="probabilities", ids=ids, title=title, pickable=False),
        key="loaded_heatmap",
    )
    drawn = sample(P, lm.vocab, LOADED_SAMPLES, seed=seed)
    st.markdown(text(PAGE, "samples-from-it") + " " + ", ".join(escape.code(s.word) for s in drawn))
    word = st.text_input(
        "Score a word under it", value="", key=state.LOADED_WORD, max_chars=wordlists.UPLOAD_MAX_WORD_LEN
    )
    if not word.strip():
        return
    try:
        ws = score_word(clean_typed_word(word, lm.vocab.symbols), lm.log_probabilities(k), lm.vocab)
    except BigramError as exc:
        st.error(escape.md(exc), icon=":material/error:")
        return
    say(PAGE, "word-nll", word=ws.word, nll=ws.nll)


source = sidebar.page("More exercises")
model = wordlists.model_for(source)
k = float(state.setting("k"))
st.title("More exercises")
compare_tab, knob_tab, model_tab = st.tabs(
    ["Compare two lists", "Smoothing = regularisation", "Keep and share a model"]
)
with compare_tab:
    compare_two_lists(source, k)
with knob_tab:
    smoothing_is_regularisation(source, model)
with model_tab:
    keep_a_model(source, model, k)
    st.divider()
    load_a_model()
    the_loaded_model(k, int(state.setting("seed")))
