"""The page frame every page calls first: page config, state, the sidebar menu and the word list.

Streamlit's automatic ``pages/`` mode runs a page file on its own (a direct link never runs
``app.py``), so every page must be self-sufficient: ``page()`` sets everything up and returns
the word list in use.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st
import torch

from bigram import BigramError

from . import escape, memory, notebook, state, teach, wordlists


@dataclass(frozen=True)
class PageInfo:
    file: str  # path from the app's folder, as st.page_link wants it
    label: str
    icon: str
    url_path: str  # what follows the host in a direct link


PAGES = (
    PageInfo("app.py", "Home", ":material/home:", ""),
    PageInfo("pages/1_Data.py", "Data", ":material/table_view:", "Data"),
    PageInfo("pages/2_Counts.py", "Counts", ":material/grid_on:", "Counts"),
    PageInfo("pages/3_Smoothing.py", "Smoothing", ":material/tune:", "Smoothing"),
    PageInfo("pages/4_Neural_net.py", "Neural net", ":material/hub:", "Neural_net"),
    PageInfo("pages/5_Sample.py", "Sample", ":material/casino:", "Sample"),
    PageInfo("pages/6_Contexts.py", "Longer contexts", ":material/stacks:", "Contexts"),
    PageInfo("pages/7_Exercises.py", "More exercises", ":material/science:", "Exercises"),
)

_configured = False

#: On a phone-width screen a heatmap's in-cell labels overlap into a block: hide them there (hover or tap a cell
#: for its value), and let a wide formula scroll sideways instead of being cut off.
PHONE_CSS = """<style>
@media (max-width: 700px) {
  [data-testid="stPlotlyChart"] .heatmap-label { display: none; }
  [data-testid="stPlotlyChart"] .modebar-container { display: none; }
}
.katex-display { overflow-x: auto; overflow-y: hidden; padding-bottom: 2px; }
</style>"""


def page(label: str) -> wordlists.WordSource:
    """Set up a page: config, session defaults, shared link values, sidebar. Returns the list in use."""
    info = next(p for p in PAGES if p.label == label)
    state.init()  # first: a link's teach=1 decides how the sidebar starts
    st.set_page_config(
        page_title=f"{info.label} · Bigram Lab",
        page_icon=":material/grid_on:",
        layout="wide",
        initial_sidebar_state=teach.sidebar_state(),
    )
    _configure_process()
    st.html(PHONE_CSS)
    teach.frame()
    with st.sidebar:
        _menu()
        source = _word_list_picker()
        _share_link(info)
        teach.class_link(share_url(info))
        notebook.notebook_buttons(info.label, source)
        st.caption(f"torch {torch.__version__}")
    notice = st.session_state.pop(state.URL_NOTICE, None)
    if notice:
        st.info(escape.md(notice), icon=":material/link_off:")
    state.write_to_url()
    memory.track(source.id)
    return source


def _configure_process() -> None:
    """Once per server process: one thread per computation, and the garbage collector told to leave alone what the
    imports made.

    Many sessions share the process and the tensors are small, so threads gain nothing. Streamlit runs a full
    garbage collection after every script run (``runner.postScriptGC``); with torch, plotly and pandas loaded that
    walks some 260,000 objects, 150 ms on a quiet core and up to 300 ms on a busy one, on every click, and it holds
    the interpreter lock while the finished run's messages wait to be sent. The modules' objects live as long as the
    process, so ``gc.freeze()`` moves them out of the collector's sight once, after the first page's imports; what
    sessions make afterwards is still collected after every run (bench/browser_bench.py measures the difference).
    """
    global _configured
    if not _configured:
        torch.set_num_threads(1)
        gc.collect()
        gc.freeze()
        _configured = True


def _menu() -> None:
    st.markdown("### Bigram Lab")
    params = state.link_params()
    for p in PAGES:
        st.page_link(p.file, label=p.label, icon=p.icon, query_params=params or None)
    st.divider()


def _upload_option(upload: wordlists.WordSource) -> str:
    """The picker's value for this upload: its content id and its name (the same bytes may come under two names)."""
    return f"{upload.id}/{upload.title}"


def _choose_list() -> None:
    """on_change of the list picker: a built-in list's key, or this session's upload (``_upload_option``).

    Anything else is a value the browser sent back for an option that is gone (an earlier upload's, or its
    label): it is ignored, and the picker is set back to the list in use before it is drawn again.
    """
    choice = st.session_state.get(state.LIST_CHOICE)
    upload = st.session_state.get(state.UPLOAD)
    if upload is not None and choice == _upload_option(upload):
        st.session_state[state.USE_UPLOAD] = True
    elif choice in wordlists.builtin_titles():
        st.session_state[state.USE_UPLOAD] = False
        st.session_state["list"] = "" if choice == wordlists.default_list().key else choice


def _word_list_picker() -> wordlists.WordSource:
    titles = wordlists.builtin_titles()
    upload = st.session_state.get(state.UPLOAD)
    # The upload's option is its content id and name, so a new upload is a new value: the picker's key changes, and the
    # browser is told to show the new label (a value that stayed "upload" kept the first file's label on screen).
    mine = _upload_option(upload) if upload is not None else None
    options = list(titles) + ([mine] if mine else [])
    labels = {**titles, **({mine: f"Your upload: {upload.title}"} if mine else {})}
    if st.session_state.get(state.USE_UPLOAD) and mine:
        current_key = mine
    else:
        current_key = state.setting("list") or wordlists.default_list().key
        if current_key not in titles:
            current_key = wordlists.default_list().key
    # The picker's value is always set, never popped: a popped key leaves the browser showing its old
    # choice, which it sends back on the next interaction, silently switching the list (see DESIGN.md).
    if st.session_state.get(state.LIST_CHOICE) != current_key:
        st.session_state[state.LIST_CHOICE] = current_key
    st.selectbox(
        "Word list",
        options,
        format_func=labels.get,
        key=state.LIST_CHOICE,
        on_change=_choose_list,
        disabled=state.locked("list"),
    )
    _uploader()
    source = wordlists.current()
    model = wordlists.model_for(source)
    st.caption(f"**{len(source.words):,}** words · **{model.bigrams:,}** bigrams · **{model.V}** symbols")
    return source


def _uploader() -> None:
    with st.expander("Upload your own list", expanded=False):
        st.caption(
            "A .txt file with one word per line, or a .csv with a header (pick the column). "
            "Uploaded lists stay in this browser session and cannot travel in a link."
        )
        file = st.file_uploader("Word list file", type=["txt", "csv"], key="uploader", disabled=state.locked("list"))
        lowercase = st.checkbox("Lowercase", value=True, key="opt_lowercase", persist_state="session")
        dedupe = st.checkbox(
            "Drop duplicates",
            value=False,
            key="opt_dedupe",
            persist_state="session",
            help="The lecture keeps duplicates: a name given twice counts twice.",
        )
        c1, c2 = st.columns(2)
        min_len = c1.number_input("Min length", 1, 100, 1, key="opt_min_len", persist_state="session")
        max_len = c2.number_input(
            "Max length",
            1,
            wordlists.UPLOAD_MAX_WORD_LEN,
            wordlists.UPLOAD_MAX_WORD_LEN,
            key="opt_max_len",
            persist_state="session",
        )
        column = st.text_input(
            "CSV column",
            value="",
            key="opt_column",
            persist_state="session",
            help="Empty: a column called name or word, else the first one.",
        )
        if file is not None:
            options = (lowercase, dedupe, int(min_len), int(max_len), column.strip())
            # The uploader gives each upload its own id: a rerun with the same file and options parses nothing.
            digest = file.file_id + repr(options)
            retry_at = st.session_state.get(state.UPLOAD_RETRY_AT)
            if retry_at is not None and time.monotonic() >= retry_at:  # refused for memory a while ago: try again
                st.session_state.pop(state.UPLOAD_RETRY_AT)
                st.session_state.pop(state.UPLOAD_DIGEST, None)
            if digest != st.session_state.get(state.UPLOAD_DIGEST):
                st.session_state[state.UPLOAD_DIGEST] = digest
                raw = file.getvalue()
                try:
                    parsed = wordlists.parse_upload(
                        raw,
                        file.name,
                        lowercase=lowercase,
                        dedupe=dedupe,
                        min_len=int(min_len),
                        max_len=int(max_len),
                        column=column.strip() or None,
                    )
                except BigramError as exc:
                    st.session_state[state.UPLOAD_ERROR] = f"{file.name}: {exc}"
                else:
                    refusal = memory.refuse_upload(parsed)
                    if refusal:  # what the visitor had stays; this list is let go at once
                        st.session_state[state.UPLOAD_ERROR] = f"{file.name}: {refusal}"
                        st.session_state[state.UPLOAD_RETRY_AT] = time.monotonic() + memory.RETRY_SECONDS
                        del parsed
                        memory.hand_back()
                    else:
                        st.session_state.pop(state.UPLOAD_RETRY_AT, None)
                        st.session_state[state.UPLOAD] = parsed
                        st.session_state[state.USE_UPLOAD] = True
                        st.session_state.pop(state.UPLOAD_ERROR, None)
                        st.rerun()
        error = st.session_state.get(state.UPLOAD_ERROR)
        if error:
            st.error(escape.md(error), icon=":material/error:")
        upload = st.session_state.get(state.UPLOAD)
        if upload is not None:
            st.caption(f"{escape.md(upload.title)}: {escape.md(upload.report.summary())}")


def share_url(info: PageInfo) -> str:
    """A link that reopens this page with the same shareable settings."""
    base = (st.context.url or "http://localhost:8501").rstrip("/")
    for p in PAGES:
        if p.url_path and base.endswith("/" + p.url_path):
            base = base[: -len(p.url_path) - 1]
    params = state.link_params()
    path = f"/{info.url_path}" if info.url_path else "/"
    return base + path + (("?" + urlencode(params)) if params else "")


def _share_link(info: PageInfo) -> None:
    with st.expander("Link to this view", icon=":material/link:"):
        st.code(share_url(info), language=None, wrap_lines=True)
        st.caption(
            "Copy it with the button at the right. It carries the built-in list, smoothing, seed and sampling settings."
            + (
                " Your uploaded list cannot travel in a link: whoever opens it sees the default list."
                if st.session_state.get(state.USE_UPLOAD)
                else ""
            )
        )
