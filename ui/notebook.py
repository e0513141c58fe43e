"""The sidebar's "Open as notebook": the page in use as a Jupyter notebook and a Python script, with its settings.

The notebook is written by ``bigram.notebook`` from the person's settings and the list in use; it
is built only when a button is pressed (Streamlit calls the button's data function then), and
kept in a cache bounded by entries and bytes, so pressing again costs nothing and a rerun builds
nothing at all.
"""

from __future__ import annotations

import streamlit as st

from bigram.builtin import find_builtin
from bigram.defaults import SPLIT_SEED
from bigram.notebook import EMBED_MAX_BYTES, ListData, Settings, build, page_key, refusal
from bigram.wordlist import clean_typed_word

from . import state, training, wordlists
from .cache import bounded

MB = 1 << 20


@bounded(max_entries=32, max_bytes=96 * MB)
def _notebook_files(
    page: str,
    source_id: str,
    title: str,
    settings: Settings,
    other_id: str | None,
    other_title: str | None,
    _list: ListData,
    _other: ListData | None,
) -> tuple[bytes, bytes, tuple[tuple[str, bytes], ...]]:
    nb = build(page, _list, settings, other=_other)
    return nb.ipynb(), nb.script(), tuple(nb.beside)


def notebook_files(
    page: str, source_id: str, settings: Settings, other_id: str | None, _list: ListData, _other: ListData | None
) -> tuple[bytes, bytes, tuple[tuple[str, bytes], ...]]:
    """(.ipynb bytes, .py bytes, files to save beside them) of a page, for a list (by its content id) and settings.

    The notebook names its list, and an upload goes by its file name: the same words uploaded by two people
    under two names are two notebooks, so nobody is shown another visitor's file name.
    """
    other_title = _other.title if _other is not None else None
    return _notebook_files(page, source_id, _list.title, settings, other_id, other_title, _list, _other)


notebook_files.cache = _notebook_files.cache


@bounded(max_entries=64, max_bytes=1 * MB)
def _refusal(page: str, source_id: str, settings: Settings, _words: tuple[str, ...]) -> str | None:
    """Why this page's notebook cannot be made (bigram.notebook.refusal), once per list and settings."""
    return refusal(page, _words, settings)


@bounded(max_entries=16, max_bytes=1 * MB)
def _text_bytes(source_id: str, _words: tuple[str, ...]) -> int:
    return sum(len(w.encode("utf-8")) + 1 for w in _words)


def _list_data(source: wordlists.WordSource) -> ListData:
    if source.builtin_key:
        entry = find_builtin(source.builtin_key)
        file_name = entry.file if entry else f"{source.builtin_key}.txt"
    else:
        file_name = f"words-{source.id.split(':')[-1][:8]}.txt"  # never the uploaded file's own name: it is user text
    return ListData(source.title, source.words, file_name)


def _other(source: wordlists.WordSource) -> wordlists.WordSource | None:
    """The list the More exercises page compares with (its picker's choice, else its default)."""
    choice = st.session_state.get(state.CMP_OTHER)
    upload = st.session_state.get(state.UPLOAD)
    if choice == "upload" and upload is not None and upload.id != source.id:
        return upload
    keys = [k for k in wordlists.builtin_titles() if f"builtin:{k}" != source.id]
    key = choice if choice in keys else ("surnames" if "surnames" in keys else (keys[0] if keys else None))
    return wordlists.load_builtin(key) if key else None


def _settings(page: str, source: wordlists.WordSource) -> Settings:
    """The settings in use, as this page shows them: shared settings, the page's own choices, the trained net's."""
    ss, setting = st.session_state, state.setting
    net = training.get(source.id)
    trained = net.settings if net is not None and page in ("neural-net", "sample") else None
    word, row = None, None
    if page == "home":
        word = ss.get("home_word")
    elif page == "smoothing":
        model = wordlists.model_for(source)
        word = clean_typed_word(str(ss.get(state.SCORE_WORD) or ""), model.vocab.symbols) or None
        row = ss.get(state.SMOOTH_ROW)
    elif page == "counts":
        row = ss.get(state.COUNT_ROW)
    elif page == "neural-net":
        row = ss.get(state.NET_SYMBOL)
    elif page == "sample":
        row = ss.get(state.DRAW_ROW)
    return Settings(
        k=float(setting("k")),
        seed=int(setting("seed")),
        net_seed=int(trained["net_seed"] if trained else setting("net_seed")),
        lr=float(trained["lr"] if trained else setting("lr")),
        steps=int(net.steps if trained else setting("steps")),
        reg=float(trained["reg"] if trained else setting("reg")),
        method=str(trained["method"] if trained else setting("method")),
        optimizer=str(trained["optimizer"] if trained else setting("optimizer")),
        context=int(ss.get(state.CTX_CONTEXT) or 2),
        padding=str(ss.get(state.CTX_PADDING) or "full"),
        split_seed=int(ss.get(state.CTX_SPLIT_SEED, SPLIT_SEED)),
        ctx_reg=float(ss.get("ctx_reg", 0.001)),
        temperature=float(setting("temperature")),
        n=int(setting("n")),
        max_len=int(setting("max_len")),
        mode=str(setting("mode")),
        source="net" if setting("source") == "net" and net is not None else "counts",
        word=word,
        row=int(row) if isinstance(row, int) else None,
        ctx_row=ss.get(state.CTX_ROW),
        draws=int(ss.get(state.DRAW_COUNT) or 10_000),
    )


def notebook_buttons(label: str, source: wordlists.WordSource) -> None:
    """ "Open as notebook" (.ipynb) and "As a script" (.py) for the page ``label``, from the settings in use."""
    page = page_key(label)
    settings = _settings(page, source)
    other = _other(source) if page == "exercises" else None
    why_not = _refusal(page, source.id, settings, source.words)
    if why_not:
        st.caption(f"No notebook for these settings: {why_not}.")
        return
    sources = [x for x in (source, other) if x is not None]
    lists = (_list_data(source), _list_data(other) if other is not None else None)

    def files():
        return notebook_files(page, source.id, settings, other.id if other else None, *lists)

    stem = f"bigram-lab-{page}"
    st.download_button(
        "Open as notebook",
        lambda: files()[0],
        file_name=f"{stem}.ipynb",
        mime="application/x-ipynb+json",
        key="notebook_ipynb",
        on_click="ignore",
        icon=":material/book:",
        width="stretch",
        help="This page as a Jupyter notebook that rebuilds its numbers with torch alone, from your settings "
        "(runs in Colab or any Jupyter).",
    )
    st.download_button(
        "The same as a .py script",
        lambda: files()[1],
        file_name=f"{stem}.py",
        mime="text/x-python",
        key="notebook_py",
        on_click="ignore",
        icon=":material/code:",
        width="stretch",
        help="The same notebook as a plain Python script.",
    )
    big = [_list_data(x) for x in sources if _text_bytes(x.id, x.words) > EMBED_MAX_BYTES]
    for i, d in enumerate(big):
        st.download_button(
            f"The list for it: {d.file_name}",
            lambda name=d.file_name: dict(files()[2])[name],
            file_name=d.file_name,
            mime="text/plain",
            key=f"notebook_list_{i}",
            on_click="ignore",
            icon=":material/download:",
            help="Too large to travel inside the notebook: save it in the notebook's folder.",
        )
