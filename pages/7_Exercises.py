"""More exercises: compare two lists, smoothing against regularisation, and keep or load a model file."""

import pandas as pd
import streamlit as st

from bigram import BigramError, sample, score_word
from bigram.modelfile import ModelFile, load_model_bytes
from bigram.wordlist import clean_typed_word
from ui import cached, escape, exercises, figures, sidebar, state, training, wordlists

source = sidebar.page("More exercises")
model = wordlists.model_for(source)

st.title("More exercises")
compare_tab, knob_tab, model_tab = st.tabs(
    ["Compare two lists", "Smoothing = regularisation", "Keep and share a model"]
)

with compare_tab:
    st.markdown("Which bigrams tell one list from another, and how well does each list's model do on the other list?")
    titles = wordlists.builtin_titles()
    others = {k: v for k, v in titles.items() if f"builtin:{k}" != source.id}
    upload = st.session_state.get(state.UPLOAD)
    if upload is not None and upload.id != source.id:
        others["upload"] = f"Your upload: {upload.title}"
    default_other = "surnames" if "surnames" in others else next(iter(others))
    other_key = st.selectbox(
        "Compare with",
        list(others),
        index=list(others).index(default_other),
        format_func=others.get,
        key=state.CMP_OTHER,
    )
    other = upload if other_key == "upload" else wordlists.load_builtin(other_key)
    k = float(state.setting("k"))
    cmp = exercises.comparison(source.id, other.id, k, source.words, other.words)
    a_name, b_name = source.title, other.title
    st.dataframe(
        pd.DataFrame(
            {f"scored on {a_name}": [cmp.a_on_a, cmp.b_on_a], f"scored on {b_name}": [cmp.a_on_b, cmp.b_on_b]},
            index=[f"model of {a_name}", f"model of {b_name}"],
        ).style.format("{:.4f}"),
        width="stretch",
    )
    st.caption(
        f"Average NLL per bigram at smoothing k = {k:g} (the Smoothing page's k), on the two lists' joint "
        f"vocabulary of {len(cmp.vocab)} symbols. Each model does best on its own list; the gap says how different the lists are."
    )
    c1, c2 = st.columns(2)
    c1.plotly_chart(
        figures.distinctive_bigrams(cmp.most_distinctive(15, "a"), title=f"Typical of {a_name}"), key="cmp_a"
    )
    c2.plotly_chart(
        figures.distinctive_bigrams(cmp.most_distinctive(15, "b"), title=f"Typical of {b_name}", color=figures.ORANGE),
        key="cmp_b",
    )
    st.caption(
        "Ranked by each bigram's share of the KL divergence between the lists' bigram frequencies: "
        "frequent and lopsided bigrams first, not rare curiosities. Hover for the raw counts."
    )

with knob_tab:
    st.markdown(
        "Add-k smoothing adds the same fake count to every cell, pulling each row of P towards uniform. "
        "The neural net's regulariser `reg * (W**2).mean()` pulls W towards 0, and W = 0 means equal logits, "
        "i.e. uniform rows. So both knobs do the same thing. For each regularisation strength below, W is "
        "trained close to its optimum and the smoothing k whose P is closest to softmax(W) is found "
        "(KL divergence, weighted by how often each row is used), beside the k whose counts give the same NLL "
        "(as on the Neural net page)."
    )
    if model.V > exercises.KNOB_MAX_SYMBOLS:
        st.info(
            f"This list has {model.V:,} symbols: fitting W ({model.V:,}×{model.V:,} weights) nine times would hold up "
            f"the server, so the exchange rate is computed for lists of up to {exercises.KNOB_MAX_SYMBOLS} symbols.",
            icon=":material/speed:",
        )
    else:
        rows = [(e.reg, e.k_closest, e.kl) for e in training.exchange(source.id, model.N) if e.reg > 0]  # log axes
        st.plotly_chart(figures.smoothing_for_regularisation(rows), key="knob_curve")
        st.dataframe(
            pd.DataFrame(
                [(e.reg, e.k_closest, e.kl, e.k_same_nll) for e in training.exchange(source.id, model.N)],
                columns=["regularisation", "closest k", "KL divergence", "same-NLL k"],
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(
            "The match is close but not exact: smoothing adds the same count to every cell, while the "
            "regulariser's pull on a row depends on how often that row is used."
        )

with model_tab:
    st.markdown(
        "Download the counts N, the probabilities P or your trained W as a data-only file, and load such a "
        "file back here or on the command line (`python -m bigram sample --model FILE`). "
        "Files are safetensors or CSV: no pickle, so opening a file from someone else cannot run code."
    )
    c1, c2 = st.columns(2)
    net = training.get(source.id)
    kinds = ["counts", "probabilities"] + (["weights"] if net is not None else [])
    what = c1.radio(
        "What",
        kinds,
        horizontal=True,
        key=state.MODEL_WHAT,
        format_func={"counts": "counts N", "probabilities": "probabilities P", "weights": "trained W"}.get,
    )
    fmt = c2.radio("Format", ["safetensors", "csv"], horizontal=True, key=state.MODEL_FORMAT)
    if net is None:
        st.caption("Train the net on the Neural net page to download its W too.")
    k = float(state.setting("k"))
    tensor = {"counts": model.N, "probabilities": cached.probabilities(source.id, k, model)}.get(what)
    if what == "weights":
        tensor = net.W
    meta = {
        "source": source.title,
        **({"smoothing": k} if what == "probabilities" else {}),
        **({"steps": net.steps, **net.settings} if what == "weights" else {}),
    }
    mf = ModelFile(kind=what, tensor=tensor, vocab=model.vocab, meta=meta)
    stem = (source.builtin_key or "upload") + "_" + what
    st.download_button(
        f"Download {what} as .{fmt}",
        exercises.model_file_bytes(mf, fmt),
        file_name=f"{stem}.{fmt}",
        mime="text/csv" if fmt == "csv" else "application/octet-stream",
        key="model_download",
        icon=":material/download:",
    )

    st.divider()
    uploaded = st.file_uploader("Load a model file", type=["safetensors", "csv"], key=state.MODEL_UPLOAD)
    if uploaded is not None:
        if uploaded.file_id != st.session_state.get(state.LOADED_MODEL_DIGEST):  # each upload has its own id
            st.session_state[state.LOADED_MODEL_DIGEST] = uploaded.file_id
            try:
                st.session_state[state.LOADED_MODEL] = (
                    uploaded.name,
                    load_model_bytes(uploaded.getvalue(), uploaded.name),
                )
                st.session_state.pop(state.LOADED_MODEL_ERROR, None)
            except BigramError as exc:
                st.session_state[state.LOADED_MODEL_ERROR] = f"{uploaded.name}: {exc}"
    error = st.session_state.get(state.LOADED_MODEL_ERROR)
    if error:
        st.error(escape.md(error), icon=":material/error:")
    loaded = st.session_state.get(state.LOADED_MODEL)
    if loaded is not None:
        name, lm = loaded
        st.success(
            f"Loaded {escape.md(name)}: {lm.kind}, {tuple(lm.tensor.shape)[0]}×{tuple(lm.tensor.shape)[1]}, "
            f"{len(lm.vocab)} symbols",
            icon=":material/check_circle:",
        )
        if lm.meta:
            st.caption(
                "Recorded with it: "
                + ", ".join(f"{escape.md(key)} = {escape.md(value)}" for key, value in lm.meta.items())
            )
        P = lm.probabilities(k if lm.kind == "counts" else 0.0)
        st.plotly_chart(
            figures.matrix_heatmap(
                P,
                lm.vocab.itos,
                view="probabilities",
                ids=figures.top_symbols(lm.tensor if lm.kind == "counts" else P),
                title=f"P of {name}",
            ),
            key="loaded_heatmap",
        )
        drawn = sample(P, lm.vocab, 10, seed=int(state.setting("seed")))
        st.markdown("**Samples from it:** " + ", ".join(escape.code(s.word) for s in drawn))
        word = st.text_input(
            "Score a word under it", value="", key=state.LOADED_WORD, max_chars=wordlists.UPLOAD_MAX_WORD_LEN
        )
        if word.strip():
            try:
                ws = score_word(
                    clean_typed_word(word, lm.vocab.symbols),
                    lm.log_probabilities(k if lm.kind == "counts" else 0.0),
                    lm.vocab,
                )
                st.markdown(f"NLL of {escape.code(ws.word)}: **{ws.nll:.4f}**")
            except BigramError as exc:
                st.error(escape.md(exc), icon=":material/error:")
